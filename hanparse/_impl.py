"""Choose the implementation of the hot loops once, at import.

hanparse's hot loops run either compiled or as pure Python, with the same
names and results.  Each pair is one source: a
``.py`` file that Cython compiles in pure-Python mode into an extension
module (``hanparse._core``, ``hanparse._cosem``, ``hanparse.dlms._axdr``,
``hanparse._dsmr``, ``hanparse.meters._walk``, ``hanparse._columns``), and that is
loaded as it is under the twin's name (``hanparse._core_py``, ...) for pure
Python, so a process can hold both.  This module picks one set for the whole process:

* ``HANPARSE_PURE_PYTHON=1`` in the environment forces pure Python;
* otherwise the extensions are used if every one of them is built, and
  pure Python if any is missing (a source install without a compiler), so
  the two are never mixed.

``IMPLEMENTATION`` is ``"cython"`` or ``"python"``.  Tests reach both twins
through :func:`native` and :func:`pure` to compare them directly.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from types import ModuleType
from typing import Dict, Tuple

__all__ = ["IMPLEMENTATION", "select", "native", "pure", "PAIRS"]

#: logical name -> (extension module, pure-Python twin), relative to this package
PAIRS: Dict[str, Tuple[str, str]] = {
    "core": ("_core", "_core_py"),  # CRCs, HDLC/M-Bus/DSMR framing loops, octet stuffing
    "dlms": ("dlms._axdr", "dlms._axdr_py"),  # A-XDR tree walk, APDU headers
    "dsmr": ("_dsmr", "_dsmr_py"),  # P1 telegram tokenizer, Readings, frame
    "meters": ("meters._walk", "meters._walk_py"),  # meters-layer walks, model object builders
    "columns": ("_columns", "_columns_py"),  # column buffers of hanparse.arrow
    "cosem": ("_cosem", "_cosem_py"),  # COSEM date-time decoder, scaler
}

def _forced_pure() -> bool:
    return os.environ.get("HANPARSE_PURE_PYTHON", "").strip() not in ("", "0", "false", "no")


def native(name: str) -> ModuleType:
    """Import and return the compiled module of pair ``name`` (ImportError if absent)."""
    mod = importlib.import_module("hanparse." + PAIRS[name][0])
    if not isinstance(mod.__spec__.loader if mod.__spec__ else None, importlib.machinery.ExtensionFileLoader):
        raise ImportError("hanparse.%s is not compiled" % PAIRS[name][0])
    return mod


def pure(name: str) -> ModuleType:
    """Import and return the pure-Python twin of pair ``name``: the same ``.py``, not compiled."""
    qualified = "hanparse." + PAIRS[name][1]
    mod = sys.modules.get(qualified)
    if mod is None:  # the one source, run as plain Python under the twin's name
        path = os.path.join(os.path.dirname(__file__), *PAIRS[name][0].split(".")) + ".py"
        spec = importlib.util.spec_from_file_location(qualified, path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            del sys.modules[qualified]
            raise
    return mod


def _built(name: str) -> bool:
    """Whether the extension module of pair ``name`` is on disk (looked up, not imported)."""
    base = os.path.join(os.path.dirname(__file__), *PAIRS[name][0].split("."))
    return any(os.path.exists(base + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def _choose() -> str:
    # Decided from the files, without importing them: importing an extension inside a subpackage
    # runs that package's __init__, which asks this module for its twin.  An extension that is
    # there but does not load fails loudly when it is first selected, instead of silently mixing.
    if _forced_pure() or not all(_built(name) for name in PAIRS):
        return "python"
    return "cython"


#: "cython" when the compiled extensions are in use, "python" for the pure-Python twins
IMPLEMENTATION: str = _choose()


def select(name: str) -> ModuleType:
    """The module of pair ``name`` for the chosen implementation."""
    return native(name) if IMPLEMENTATION == "cython" else pure(name)
