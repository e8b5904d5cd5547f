"""Choose the implementation of the hot loops once, at import.

hanparse's hot loops exist twice with the same names and results: compiled
Cython extension modules (``_speedups`` and friends, built from ``*.pyx``)
and their pure-Python twins (``_purepy`` and friends).  This module picks
one set for the whole process:

* ``HANPARSE_PURE_PYTHON=1`` in the environment forces pure Python;
* otherwise the extensions are used if every one of them imports, and pure
  Python if any is missing (a source install without a compiler), so the
  two are never mixed.

``IMPLEMENTATION`` is ``"cython"`` or ``"python"``.  Tests reach both twins
through :func:`native` and :func:`pure` to compare them directly.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType
from typing import Dict, Tuple

__all__ = ["IMPLEMENTATION", "select", "native", "pure", "PAIRS"]

#: logical name -> (extension module, pure-Python twin), all in this package
PAIRS: Dict[str, Tuple[str, str]] = {
    "core": ("_speedups", "_purepy"),  # CRCs, HDLC/M-Bus framing loops, octet stuffing
    "dlms": ("_dlms_speedups", "_dlms_purepy"),  # A-XDR tree walk, APDU headers
    "dsmr": ("_dsmr_speedups", "_dsmr_purepy"),  # P1 telegram tokenizer
    "meters": ("_meters_speedups", "_meters_purepy"),  # meters-layer walks, model object builders
}


def _forced_pure() -> bool:
    return os.environ.get("HANPARSE_PURE_PYTHON", "").strip() not in ("", "0", "false", "no")


def native(name: str) -> ModuleType:
    """Import and return the compiled module of pair ``name`` (ImportError if absent)."""
    return importlib.import_module("hanparse." + PAIRS[name][0])


def pure(name: str) -> ModuleType:
    """Import and return the pure-Python twin of pair ``name``."""
    return importlib.import_module("hanparse." + PAIRS[name][1])


def _choose() -> str:
    if _forced_pure():
        return "python"
    try:
        for name in PAIRS:
            if importlib.util.find_spec("hanparse." + PAIRS[name][1]) is None:
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
