"""Choose the implementation of the hot loops once, at import.

hanparse's hot loops exist twice with the same names and results: compiled
Cython extension modules and their pure-Python twins.  A twin is either a
hand-kept pair (``_dlms_speedups.pyx`` / ``_dlms_purepy.py`` and friends) or
one source (``_core.py``, see :data:`ONE_SOURCE`): the same ``.py`` file
compiled by Cython into the extension module ``hanparse._core``, and loaded
as it is under the name ``hanparse._core_py`` for pure Python, so a process
can hold both.  This module picks one set for the whole process:

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
from typing import Dict, FrozenSet, Tuple

__all__ = ["IMPLEMENTATION", "select", "native", "pure", "PAIRS", "ONE_SOURCE"]

#: logical name -> (extension module, pure-Python twin), all in this package
PAIRS: Dict[str, Tuple[str, str]] = {
    "core": ("_core", "_core_py"),  # CRCs, HDLC/M-Bus/DSMR framing loops, octet stuffing (one source)
    "dlms": ("_dlms_speedups", "_dlms_purepy"),  # A-XDR tree walk, APDU headers
    "dsmr": ("_dsmr_speedups", "_dsmr_purepy"),  # P1 telegram tokenizer
    "meters": ("_meters_speedups", "_meters_purepy"),  # meters-layer walks, model object builders
}

#: the pairs whose twins are one ``.py`` source: the pure twin is ``<extension module>.py``
#: loaded under the twin's name (a pair is one source when that ``.py`` file is in the package)
ONE_SOURCE: FrozenSet[str] = frozenset(
    name for name, (ext, _twin) in PAIRS.items()
    if os.path.exists(os.path.join(os.path.dirname(__file__), ext + ".py"))
)


def _forced_pure() -> bool:
    return os.environ.get("HANPARSE_PURE_PYTHON", "").strip() not in ("", "0", "false", "no")


def native(name: str) -> ModuleType:
    """Import and return the compiled module of pair ``name`` (ImportError if absent)."""
    mod = importlib.import_module("hanparse." + PAIRS[name][0])
    if name in ONE_SOURCE and not isinstance(mod.__spec__.loader if mod.__spec__ else None,
                                             importlib.machinery.ExtensionFileLoader):
        raise ImportError("hanparse.%s is not compiled" % PAIRS[name][0])
    return mod


def pure(name: str) -> ModuleType:
    """Import and return the pure-Python twin of pair ``name``."""
    if name not in ONE_SOURCE:
        return importlib.import_module("hanparse." + PAIRS[name][1])
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
            if name not in ONE_SOURCE and importlib.util.find_spec("hanparse." + PAIRS[name][1]) is None:
                continue  # a pair still being written: it has neither twin yet
            native(name)
    except ImportError:
        return "python"
    return "cython"


#: "cython" when the compiled extensions are in use, "python" for the pure-Python twins
IMPLEMENTATION: str = _choose()


def select(name: str) -> ModuleType:
    """The module of pair ``name`` for the chosen implementation."""
    return native(name) if IMPLEMENTATION == "cython" else pure(name)
