"""Run the whole public pipeline on one implementation inside one process.

``hanparse._impl`` picks the compiled modules or their pure twins once, and
every public module keeps the pick in a module attribute (``_core``,
``_dlms``, ``_tok``, ``_meters``, ...).  :func:`use_implementation` swaps
every such attribute of every loaded ``hanparse`` module to the chosen twin
(with pytest's ``monkeypatch``, so it is undone after the test): tests of
``parse_frame`` and the stream decoder then cover both implementations in
one run.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Dict, List, Tuple

from hanparse import _impl


def available() -> List[str]:
    """``["python"]`` plus ``"cython"`` when every compiled module imports."""
    labels = ["python"]
    try:
        for pair in _impl.PAIRS:
            _impl.native(pair)
        labels.append("cython")
    except ImportError:
        pass
    return labels


def _twins(label: str) -> Dict[int, ModuleType]:
    """id(module of the other implementation) -> module of ``label``."""
    out: Dict[int, ModuleType] = {}
    for pair in _impl.PAIRS:
        try:
            native = _impl.native(pair)
        except ImportError:
            continue
        pure = _impl.pure(pair)
        if label == "python":
            out[id(native)] = pure
        else:
            out[id(pure)] = native
    return out


def use_implementation(label: str, monkeypatch) -> None:
    """Point every loaded hanparse module at the ``label`` twins ("python" or "cython")."""
    import hanparse._api  # noqa: F401  (load the pipeline before patching)
    import hanparse._wire.scanner  # noqa: F401

    try:
        import hanparse._stream  # noqa: F401
    except ImportError:
        pass
    swap = _twins(label)
    patches: List[Tuple[ModuleType, str, ModuleType]] = []
    for name, mod in list(sys.modules.items()):
        if not name.startswith("hanparse") or mod is None:
            continue
        for attr, value in list(vars(mod).items()):
            if isinstance(value, ModuleType) and id(value) in swap:
                patches.append((mod, attr, swap[id(value)]))
    for mod, attr, value in patches:
        monkeypatch.setattr(mod, attr, value)
