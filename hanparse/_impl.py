"""Choose the implementation of the hot loops once, at import.

hanparse's hot loops run either compiled or as pure Python, with the same
names and results.  Each pair is one source: a
``.py`` file that Cython compiles in pure-Python mode into an extension
module (``hanparse._core``, ``_dlms``, ``_dsmr``, ``_meters``), and that is
loaded as it is under the twin's name (``hanparse._core_py``, ...) for pure
Python, so a process can hold both.  This module picks one set for the whole process:

* ``HANPARSE_PURE_PYTHON=1`` in the environment forces pure Python;
* otherwise the extensions are used if every one of them imports, and pure
  Python if any is missing (a source install without a compiler), so the
  two are never mixed.

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

#: logical name -> (extension module, pure-Python twin), all in this package
PAIRS: Dict[str, Tuple[str, str]] = {
    "core": ("_core", "_core_py"),  # CRCs, HDLC/M-Bus/DSMR framing loops, octet stuffing
    "dlms": ("_dlms", "_dlms_py"),  # A-XDR tree walk, APDU headers
    "dsmr": ("_dsmr", "_dsmr_py"),  # P1 telegram tokenizer, Readings, frame
    "meters": ("_meters", "_meters_py"),  # meters-layer walks, model object builders
    "columns": ("_columns", "_columns_py"),  # column buffers of hanparse.arrow
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
        path = os.path.join(os.path.dirname(__file__), PAIRS[name][0] + ".py")
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


def _choose() -> str:
    if _forced_pure():
        return "python"
    try:
        for name in PAIRS:
            native(name)
    except ImportError:
        return "python"
    return "cython"


#: "cython" when the compiled extensions are in use, "python" for the pure-Python twins
IMPLEMENTATION: str = _choose()


def select(name: str) -> ModuleType:
    """The module of pair ``name`` for the chosen implementation."""
    return native(name) if IMPLEMENTATION == "cython" else pure(name)
