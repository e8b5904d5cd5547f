"""Load the frames and telegrams bundled in ``fixtures/``.

Each ``fixtures/<format>/<name>.json`` is one entry copied from the shared
fixture collections (see fixtures/README.md) with its ``id`` and ``source``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent / "fixtures"


def entries(fmt: str) -> List[Dict[str, Any]]:
    """All entries of one format folder, sorted by id."""
    out = []
    for p in sorted((ROOT / fmt).glob("*.json")):
        if p.name.endswith(".expected.json"):
            continue
        out.append(json.loads(p.read_text(encoding="utf-8")))
    return sorted(out, key=lambda e: e["id"])


def entry(entry_id: str) -> Dict[str, Any]:
    """The entry with this id, from any format folder."""
    for p in ROOT.glob("*/*.json"):
        if p.name.endswith(".expected.json"):
            continue
        e = json.loads(p.read_text(encoding="utf-8"))
        if e["id"] == entry_id:
            return e
    raise KeyError(entry_id)


def data(e: Dict[str, Any]) -> bytes:
    """The input bytes of an entry (hex decoded, or text as Latin-1)."""
    if "hex" in e and e["hex"] is not None:
        return bytes.fromhex(e["hex"])
    return e["text"].encode("latin-1")
