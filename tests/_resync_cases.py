"""Shared inputs of test_resync_table.py and test_one_answer.py.

Public API only (``hanparse.parse_frame``, ``StreamDecoder``, ``Keys``, the
``hanparse decode`` command); no hanparse internals.

* :data:`ENTRIES` -- every fixture entry of every format, each classified
  once: *good* when ``parse_frame(data(e), keys)`` on the clean bytes
  returns a message (its ``to_dict()`` is the reference ``E``), *bad*
  otherwise (the exception is kept).
* :func:`variants` -- the representations a good entry is tested in:

  - ``bin``: the raw bytes (HDLC, M-Bus, ciphered P1 / DB 08 frames);
  - ``dsmr-bytes`` / ``dsmr-str``: P1 telegrams as bytes and as str (Latin-1);
  - ``hex-str`` / ``hex-bytes`` / ``spaced-str`` / ``spaced-bytes``: a hex-text
    *line* (``data.hex()`` or ``" ".join`` of the byte pairs, then LF) of every
    entry that is not a P1 text telegram.  Bare APDUs (``dlms_apdu``) have no
    delimiter or checksum: in a stream they are only expected to decode as a
    hex line, so they appear in these four forms only.

* :func:`run_stream` -- a fresh decoder fed chunk by chunk, then flushed.
* :func:`crc16_arc` / :func:`build_telegram` -- P1 CRC (own bitwise
  implementation) and a small CRC-valid DSMR 5 telegram builder.
* :func:`cli_messages` -- ``hanparse decode FILE`` in-process, JSON lines parsed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import hanparse
from fixture_files import data, entries
from helpers import crc16_arc

FORMATS = ("hdlc", "mbus", "dlms_apdu", "p1_ascii", "p1_encrypted", "stream")

Input = Union[bytes, str]


# ----------------------------------------------------------------- fixtures


@dataclass
class Entry:
    fmt: str  # fixture folder
    id: str
    raw: bytes
    key_hex: Optional[str]
    auth_key_hex: Optional[str]
    keys: Any
    checks: Dict[str, Any]
    expected: Optional[Dict[str, Any]] = None  # parse_frame(raw, keys).to_dict() when good
    message_format: Optional[str] = None
    authenticated: Optional[bool] = None
    error: Optional[BaseException] = None  # what parse_frame raised when bad

    @property
    def good(self) -> bool:
        return self.expected is not None

    @property
    def is_text_telegram(self) -> bool:
        """A plain P1 telegram (kept as text, never turned into a hex line)."""
        return self.message_format == "dsmr"

    @property
    def is_bare_apdu(self) -> bool:
        return self.fmt == "dlms_apdu"

    @property
    def pid(self) -> str:
        return "%s/%s" % (self.fmt, self.id)


def _keys(e: Dict[str, Any]) -> Any:
    if not e.get("key_hex"):
        return None
    return hanparse.Keys(e["key_hex"], e.get("auth_key_hex"))


def _classify() -> List[Entry]:
    out = []
    for fmt in FORMATS:
        for e in entries(fmt):
            ent = Entry(fmt, e["id"], data(e), e.get("key_hex"), e.get("auth_key_hex"), _keys(e), e.get("checks") or {})
            try:
                msg = hanparse.parse_frame(ent.raw, ent.keys)
            except Exception as exc:  # a non-HanParseError lands in the bad set, whose test flags it
                ent.error = exc
            else:
                ent.expected = msg.to_dict()
                ent.message_format = msg.format
                ent.authenticated = bool(msg.security is not None and msg.security.authenticated)
            out.append(ent)
    return out


ENTRIES: List[Entry] = _classify()
GOOD: List[Entry] = [e for e in ENTRIES if e.good]
BAD: List[Entry] = [e for e in ENTRIES if not e.good]


# ----------------------------------------------------------------- variants


def hex_text(raw: bytes, sep: str = "", upper: bool = False) -> str:
    digits = ["%02X" % b if upper else "%02x" % b for b in raw]
    return sep.join(digits)


@dataclass
class Variant:
    """One good entry in one representation."""

    entry: Entry
    form: str  # bin, dsmr-bytes, dsmr-str, hex-str, hex-bytes, spaced-str, spaced-bytes

    @property
    def pid(self) -> str:
        return "%s/%s" % (self.entry.pid, self.form)

    @property
    def kind(self) -> str:
        if self.form == "bin":
            return "bin"
        if self.form.startswith("dsmr"):
            return "dsmr"
        return "hexline"

    @property
    def as_str(self) -> bool:
        return self.form.endswith("-str")

    @property
    def sep(self) -> str:
        return " " if self.form.startswith("spaced") else ""

    @property
    def raw(self) -> bytes:
        return self.entry.raw

    @property
    def keys(self) -> Any:
        return self.entry.keys

    @property
    def expected(self) -> Dict[str, Any]:
        return self.entry.expected  # type: ignore[return-value]

    def enc(self, raw: bytes) -> bytes:
        """``raw`` in this variant's representation, as bytes (a hex line ends with LF)."""
        if self.kind == "hexline":
            return (hex_text(raw, self.sep) + "\n").encode("ascii")
        return raw

    @property
    def text(self) -> bytes:
        """The variant's input, as bytes (see :meth:`feedable` for the str forms)."""
        return self.enc(self.raw)

    def feedable(self, b: bytes) -> Input:
        """``b`` as the type this variant is fed in (str forms: Latin-1 text)."""
        return b.decode("latin-1") if self.as_str else b


def variants(entry: Entry) -> List[Variant]:
    if not entry.good:
        return []
    if entry.is_text_telegram:
        forms = ["dsmr-bytes", "dsmr-str"]
    elif entry.is_bare_apdu:
        forms = ["hex-str", "hex-bytes", "spaced-str", "spaced-bytes"]
    else:
        forms = ["bin", "hex-str", "hex-bytes", "spaced-str", "spaced-bytes"]
    return [Variant(entry, f) for f in forms]


ALL_VARIANTS: List[Variant] = [v for e in GOOD for v in variants(e)]


# ----------------------------------------------------------------- running


@dataclass
class Run:
    messages: List[Any]
    errors: List[BaseException]
    stats: Any
    dicts: List[Dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dicts = [m.to_dict() for m in self.messages]


def run_stream(chunks: Sequence[Input], keys: Any = None) -> Run:
    """A fresh StreamDecoder(keys, on_error=errors.append) fed ``chunks``, then flushed."""
    errors: List[BaseException] = []
    dec = hanparse.StreamDecoder(keys=keys, on_error=errors.append)
    out: List[Any] = []
    for c in chunks:
        out += dec.feed(c)
    out += dec.flush()
    return Run(out, errors, dec.stats)


def describe_errors(errors: Sequence[BaseException], limit: int = 4) -> str:
    parts = ["%s(%s)" % (type(e).__name__, str(e)[:90]) for e in errors[:limit]]
    if len(errors) > limit:
        parts.append("... %d more" % (len(errors) - limit))
    return "[" + ", ".join(parts) + "]"


def describe_messages(dicts: Sequence[Dict[str, Any]], refs: Sequence[Dict[str, Any]], label: str = "E") -> str:
    """Compact: each message's format, reading count and whether it equals a reference."""
    out = []
    for d in dicts:
        tag = ("=" if any(d == r for r in refs) else "!=") + label
        out.append("%s/%d readings%s" % (d.get("format"), len(d.get("readings") or ()), tag))
    return "[" + ", ".join(out) + "]"


# ----------------------------------------------------------------- junk


#: bytes random junk is drawn from: no LF/CR, and no byte that can start a frame
#: (7E HDLC flag, 68 M-Bus start, '/' P1 start, DB ciphered APDU)
JUNK_ALPHABET = bytes(b for b in range(256) if b not in (0x7E, 0x68, 0x2F, 0xDB, 0x0A, 0x0D))
_HEXISH = set(b"0123456789abcdefABCDEF \t")


def junk(seed_text: str, n: Optional[int] = None) -> bytes:
    """1-64 seeded random junk bytes; never a hex line by itself (holds a non-hex byte)."""
    rng = random.Random(zlib.crc32(seed_text.encode()))
    while True:
        size = n if n is not None else rng.randint(1, 64)
        j = bytes(rng.choice(JUNK_ALPHABET) for _ in range(size))
        if not all(c in _HEXISH for c in j):
            return j


# ----------------------------------------------------------------- frame structure


def frames(entry: Entry) -> List[Tuple[int, int]]:
    """(start, end) of each link-layer frame of an HDLC / M-Bus entry (end exclusive);
    [] for other formats."""
    raw = entry.raw
    out: List[Tuple[int, int]] = []
    if entry.message_format == "hdlc" and raw[:1] == b"\x7e":
        s = 0
        while s + 3 <= len(raw) and raw[s] == 0x7E:
            length = ((raw[s + 1] & 0x07) << 8) | raw[s + 2]
            end = min(s + length + 2, len(raw))
            out.append((s, end))
            if end >= len(raw):
                break
            s = end if raw[end:end + 1] == b"\x7e" else end - 1  # doubled or shared flag
    elif entry.message_format == "mbus" and raw[:1] == b"\x68":
        s = 0
        while s + 4 <= len(raw) and raw[s] == 0x68:
            end = min(s + raw[s + 1] + 6, len(raw))
            out.append((s, end))
            s = end
    return out


def frame_bounds(entry: Entry) -> List[int]:
    """Offsets where one frame of a multi-frame message ends (and the next begins)."""
    return [end for _, end in frames(entry)[:-1]]


def message_start(entry: Entry) -> int:
    """Offset where the message E is decoded from starts, when the fixture holds
    something before it: an abandoned general-block-transfer (a capture that
    starts mid-stream: the last block 1 starts E), or text before E's P1 telegram."""
    if entry.message_format == "dsmr":
        span = dsmr_span(entry.raw)
        return span[0] if span else 0
    blocks = entry.checks.get("gbt_blocks") or []
    fr = frames(entry)
    ones = [i for i, b in enumerate(blocks) if isinstance(b, dict) and b.get("block") == 1]
    if ones and len(fr) == len(blocks):
        return fr[ones[-1]][0]
    return 0


# ----------------------------------------------------------------- P1 CRC and telegrams


assert crc16_arc(b"123456789") == 0xBB3D  # the CRC-16/ARC check value

BASE_LINES = [
    b"1-3:0.2.8(50)",
    b"0-0:1.0.0(170124213128W)",
    b"0-0:96.1.1(4530303435303033383833343439383137)",
    b"1-0:1.8.1(000004.426*kWh)",
    b"1-0:1.8.2(000002.399*kWh)",
    b"1-0:2.8.1(000002.444*kWh)",
    b"1-0:2.8.2(000000.000*kWh)",
    b"0-0:96.14.0(0002)",
    b"1-0:1.7.0(00.244*kW)",
    b"1-0:2.7.0(00.000*kW)",
]


def build_telegram(ident: bytes = b"ISK5\\2M550T-1012", lines: Sequence[bytes] = BASE_LINES,
                   tail: bytes = b"\r\n") -> bytes:
    """A DSMR 5 telegram with a correct CRC (over '/' through '!'), ``tail`` after the CRC."""
    body = b"/" + ident + b"\r\n\r\n" + b"".join(line + b"\r\n" for line in lines) + b"!"
    return body + b"%04X" % crc16_arc(body) + tail


_P1_END = re.compile(rb"!([0-9A-Fa-f]{0,4})")
_P1_START = re.compile(rb"/[A-Za-z]{3}")


def dsmr_spans(raw: bytes) -> List[Tuple[int, int]]:
    """(start, end) of each complete P1 telegram in ``raw``: from a ``/`` + 3 letters at
    a line start (after blanks) to the first ``!`` and its CRC digits before the next one."""
    starts = []
    for m in _P1_START.finditer(raw):
        j = m.start()
        while j > 0 and raw[j - 1] in b" \t\r\x00":
            j -= 1
        if j == 0 or raw[j - 1] == 0x0A:
            starts.append(m.start())
    spans = []
    for n, s in enumerate(starts):
        nxt = starts[n + 1] if n + 1 < len(starts) else len(raw)
        m = _P1_END.search(raw, s, nxt)
        if m:
            spans.append((s, m.end()))
    return spans


def dsmr_span(raw: bytes) -> Optional[Tuple[int, int]]:
    """The telegram E comes from: the only complete one (else first start .. last end)."""
    spans = dsmr_spans(raw)
    if not spans:
        return None
    return spans[0] if len(spans) == 1 else (spans[0][0], spans[-1][1])


def has_crc(raw: bytes) -> bool:
    """Does E's telegram end with ``!`` + 4 hex digits?"""
    span = dsmr_span(raw)
    if span is None:
        return False
    i = raw.rfind(b"!", span[0], span[1])
    return span[1] - i - 1 == 4


# ----------------------------------------------------------------- the CLI


def jsonish(d: Dict[str, Any]) -> Any:
    """A message dict as the CLI prints it (json.dumps(..., default=str)), read back."""
    return json.loads(json.dumps(d, default=str))


def cli_messages(x: Input, keys_hex: Tuple[Optional[str], Optional[str]] = (None, None)) -> Tuple[int, List[Any]]:
    """``hanparse decode FILE`` on ``x`` (a str is written as Latin-1): exit code and the JSON objects."""
    from hanparse.cli import main  # the CLI may become a package with the same ``main``

    raw = x.encode("latin-1") if isinstance(x, str) else bytes(x)
    fd, path = tempfile.mkstemp(suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        argv = ["decode", path]
        if keys_hex[0]:
            argv += ["--key", keys_hex[0]]
            if keys_hex[1]:
                argv += ["--auth-key", keys_hex[1]]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.unlink(path)
    objs = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return code, objs
