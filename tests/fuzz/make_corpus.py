"""Write the seed corpus tests/fuzz/corpus/ from the bundled fixtures.

One file per fixture input (HDLC, M-Bus, bare APDUs, P1 telegrams plain and
ciphered, stream captures), named after the fixture id, plus a few
mixed-stream seeds for fuzz_stream.py (a chunk-size byte, then frames of
different formats back to back).  Inputs are capped at 4 KiB and the whole
corpus stays well under 300 KB.  Run from the repository root::

    python tests/fuzz/make_corpus.py
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fixture_files import data, entries  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
FORMATS = ("hdlc", "mbus", "dlms_apdu", "p1_ascii", "p1_encrypted", "stream")
CAP = 4096


def _name(entry_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", entry_id)


def seeds():
    """(file name, bytes) of every seed."""
    by_format = {}
    for fmt in FORMATS:
        for e in entries(fmt):
            raw = data(e)[:CAP]
            by_format.setdefault(fmt, []).append(raw)
            yield _name(e["id"]), raw
    # mixed streams: chunk-size byte, then one frame of each binary format and a telegram
    picks = [by_format[f][k % len(by_format[f])] for k in range(3) for f in ("hdlc", "mbus", "p1_ascii")]
    for k in range(3):
        stream = bytes((7 * k + 1,)) + b"\x00garbage\r\n".join(picks[3 * k : 3 * k + 3])
        yield "mixed_stream_%d" % k, stream[: 3 * CAP]


def main() -> None:
    """(Re)write the corpus directory."""
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.iterdir():
        old.unlink()
    total = 0
    seen = set()
    for name, raw in seeds():
        digest = hashlib.sha1(raw).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        (CORPUS / name).write_bytes(raw)
        total += len(raw)
    print("%d seeds, %d bytes in %s" % (len(seen), total, os.path.relpath(CORPUS)))


if __name__ == "__main__":
    main()
