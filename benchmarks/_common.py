"""Setup shared by the benchmark files: fixture bytes and the compiled/pure twin parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from hanparse import _impl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(rel: str) -> bytes:
    """The input bytes of ``fixtures/<rel>`` (hex decoded, or text as Latin-1)."""
    entry = json.loads((FIXTURES / rel).read_text(encoding="utf-8"))
    return bytes.fromhex(entry["hex"]) if entry.get("hex") else entry["text"].encode("latin-1")


def twin_params(pair: str) -> List:
    """pytest params of one pair's modules: the pure twin (``python``), the compiled one (``cython``) if built."""
    out = [pytest.param(_impl.pure(pair), id="python")]
    try:
        out.append(pytest.param(_impl.native(pair), id="cython"))
    except ImportError:
        pass
    return out
