r"""Annotated, layer-by-layer dump of ONE frame: what a user posts when a meter does not decode.

:func:`explain` returns a list of :class:`Line` (``offset``, ``raw`` bytes,
``text``, ``depth``, ``status``); :func:`render` turns them into text,
optionally with ANSI colour::

    offset  bytes                     meaning
         0  7E                        HDLC opening flag
         1  A0 E2                     format type 3, S=0, length 226
         ...
        16  0F                        APDU data-notification (0x0F)

Offsets are relative to the layer being shown: the frame for envelopes,
the plaintext for a decrypted APDU (a heading says so).  This is a
debugging tool: it re-walks the bytes itself to report offsets, and it
never raises on bad input -- what cannot be read is shown as such.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

from . import crc, security
from ._wire import as_bytes, hex_payload, hex_to_bytes
from ._wire.scanner import ALL_FORMATS, FrameScanner
from .cosem import apply_scaler, decode_datetime, unit_text
from .dlms.types import TAG_NAMES
from .errors import HanParseError
from .obis import Obis
from .registry import name_of

__all__ = ["Line", "explain", "render", "use_color"]

Data = Union[bytes, bytearray, memoryview, str]


@dataclass(frozen=True)
class Line:
    """One annotated item: ``raw`` bytes at ``offset`` (within its layer) and their meaning.

    ``offset`` is None for headings; ``status`` is "ok", "bad" or None.
    """

    offset: Optional[int]
    raw: bytes
    text: str
    depth: int = 0
    status: Optional[str] = None


class _Out:
    def __init__(self) -> None:
        self.lines: List[Line] = []

    def add(self, offset: Optional[int], raw: Any, text: str, depth: int = 0, status: Optional[str] = None) -> None:
        self.lines.append(Line(offset, bytes(raw), text, depth, status))

    def head(self, text: str) -> None:
        self.lines.append(Line(None, b"", text))


def _ok(good: bool) -> str:
    return "ok" if good else "bad"


def explain(data: Data, keys: Any = None) -> List[Line]:
    """Explain one frame: HDLC, M-Bus long frame, DSMR telegram, or a bare (ciphered) APDU.

    ``data``: bytes, or text (a P1 telegram, or hex of anything).  ``keys``
    as for :func:`hanparse.parse_frame`; ciphered content is decrypted and
    explained when the key is there.  Never raises for bad frame bytes.
    """
    buf = as_bytes(data)
    decoded = hex_payload(buf)
    if decoded is not None:
        buf = decoded
    elif isinstance(data, str) and not data.lstrip().startswith("/"):
        buf = hex_to_bytes(data)  # not hex text: say why
    try:
        keys = security.normalize_keys(keys)
    except HanParseError as exc:
        out = _Out()
        out.add(None, b"", "keys: %s" % exc.message, status="bad")
        return out.lines
    out = _Out()
    start = 0
    while start < len(buf) and buf[start] in b" \t\r\n\x00":
        start += 1
    if start:
        out.add(0, buf[:start], "%d fill bytes before the frame" % start)
    found = _first_candidate(buf, start)
    if found > start:
        out.add(start, buf[start:found], "%d bytes in no frame before the first frame start the wire layer finds"
                % (found - start), status="bad")
        start = found
    first = buf[start] if start < len(buf) else -1
    if first == 0x7E:
        _hdlc(out, buf, start, keys)
    elif first == 0x68:
        _mbus(out, buf, start, keys)
    elif first == 0x2F:
        _dsmr(out, buf, start)
    elif first >= 0:
        out.head("bare APDU (no link layer)")
        _apdu(out, buf, start, len(buf), keys, 0)
    else:
        out.add(None, b"", "empty input", status="bad")
    _verdict(out, buf, keys)
    return out.lines


def _first_candidate(buf: bytes, start: int) -> int:
    """Where the wire layer (the stream's scanner) sees the first frame or rejected candidate; ``start`` if none."""
    errors: List[HanParseError] = []
    scanner = FrameScanner(formats=ALL_FORMATS, on_error=errors.append)
    offsets = [offset for offset, _ in scanner.scan_all(buf)]
    offsets += [e.frame_offset for e in errors if e.frame_offset is not None]
    return min(offsets) if offsets else start


def _verdict(out: _Out, buf: bytes, keys: Any) -> None:
    """What the pipeline decides for these bytes: the answer parse_frame, StreamDecoder and
    ``hanparse decode`` all give."""
    from ._api import parse_frame

    try:
        msg = parse_frame(buf, keys)
    except HanParseError as exc:
        out.head("verdict: rejected: %s: %s" % (type(exc).__name__, exc))
        return
    meter = msg.meter.meter_id or msg.meter.list_id or msg.meter.identification or "unknown meter"
    out.head("verdict: decodes: %s message from %s, %d readings" % (msg.format, meter, len(msg.readings)))


def _hdlc(out: _Out, buf: bytes, s: int, keys: Any) -> None:
    out.head("HDLC frame (IEC 62056-46 type 3)")
    out.add(s, buf[s:s + 1], "opening flag")
    if len(buf) < s + 3:
        out.add(s + 1, buf[s + 1:], "truncated: no format field", status="bad")
        return
    fmt = buf[s + 1] << 8 | buf[s + 2]
    length = fmt & 0x7FF
    seg = bool(fmt & 0x0800)
    out.add(s + 1, buf[s + 1:s + 3], "format type %X, S=%d%s, length %d" % (
        fmt >> 12, seg, " (segmented: more frames follow)" if seg else "", length),
        status=None if fmt >> 12 == 0xA else "bad")
    i = s + 3
    addrs = []
    for what in ("destination", "source"):
        j = i
        while j < len(buf) and j < i + 4 and not buf[j] & 1:
            j += 1
        addr = buf[i:j + 1]
        out.add(i, addr, "%s address (%d byte%s)" % (what, len(addr), "" if len(addr) == 1 else "s"))
        addrs.append(addr)
        i = j + 1
    end = s + length + 1  # index of the closing flag
    if i >= len(buf):
        out.add(i, b"", "truncated after the addresses", status="bad")
        return
    ctrl = buf[i]
    out.add(i, buf[i:i + 1], "control 0x%02X%s" % (ctrl, " (UI frame)" if ctrl & 0xEF == 0x03 else ""))
    i += 1
    info_start = i + 2
    if info_start < end - 2:
        hcs = int.from_bytes(buf[i:i + 2], "little")
        calc = crc.crc16_x25(buf, s + 1, i)
        out.add(i, buf[i:i + 2], "HCS %04X %s" % (hcs, "ok" if hcs == calc else "BAD (computed %04X)" % calc),
                status=_ok(hcs == calc))
        i = info_start
    if end + 1 > len(buf):
        out.add(i, buf[i:], "truncated: the length says the frame has %d bytes, only %d present"
                % (length + 2, len(buf) - s), status="bad")
        return
    info_end = end - 2
    fcs = int.from_bytes(buf[info_end:end], "little")
    calc = crc.crc16_x25(buf, s + 1, info_end)
    info = buf[i:info_end]
    if info:
        if info[:3] in (b"\xe6\xe7\x00", b"\xe6\xe6\x00"):
            out.add(i, info[:3], "LLC %s" % ("server -> client" if info[1] == 0xE7 else "client -> server"))
            i += 3
        out.head("information field: %d bytes at offset %d" % (info_end - i, i))
        if seg:
            out.add(i, buf[i:info_end], "first segment of a segmented message (decode the joined message)")
        else:
            _apdu(out, buf, i, info_end, keys, 1)
    out.add(info_end, buf[info_end:end], "FCS %04X %s" % (fcs, "ok" if fcs == calc else "BAD (computed %04X)" % calc),
            status=_ok(fcs == calc))
    out.add(end, buf[end:end + 1], "closing flag", status=None if buf[end] == 0x7E else "bad")
    if end + 1 < len(buf):
        out.add(end + 1, buf[end + 1:], "%d bytes after the frame (not explained)" % (len(buf) - end - 1))


def _mbus(out: _Out, buf: bytes, s: int, keys: Any) -> None:
    out.head("M-Bus long frame (EN 13757-2)")
    if len(buf) < s + 4:
        out.add(s, buf[s:], "truncated M-Bus header", status="bad")
        return
    length = buf[s + 1]
    out.add(s, buf[s:s + 4], "start 68, L=%d (%s), 68" % (length, "equal" if buf[s + 1] == buf[s + 2] else "MISMATCH"),
            status=None if buf[s + 1] == buf[s + 2] and buf[s + 3] == 0x68 else "bad")
    i = s + 4
    end = i + length
    if end + 2 > len(buf):
        out.add(i, buf[i:], "truncated: L=%d needs %d more bytes" % (length, end + 2 - len(buf)), status="bad")
        return
    c, a, ci = buf[i], buf[i + 1], buf[i + 2]
    out.add(i, buf[i:i + 1], "C 0x%02X%s" % (c, " (SND_UD)" if c in (0x53, 0x73) else ""))
    out.add(i + 1, buf[i + 1:i + 2], "A 0x%02X%s" % (a, " (broadcast)" if a == 0xFF else ""))
    if ci <= 0x1F:
        out.add(i + 2, buf[i + 2:i + 3], "CI 0x%02X: DLMS transport, sequence %d%s" % (ci, ci & 0x0F,
                                                                                      ", FIN" if ci & 0x10 else ""))
        out.add(i + 3, buf[i + 3:i + 5], "STSAP 0x%02X, DTSAP 0x%02X" % (buf[i + 3], buf[i + 4]))
        out.head("transport data: %d bytes" % (end - i - 5))
        if ci & 0x10 and not ci & 0x0F:
            _apdu(out, buf, i + 5, end, keys, 1)
        else:
            out.add(i + 5, buf[i + 5:end], "segment %d of a multi-frame message (decode the joined message)"
                    % (ci & 0x0F))
    else:
        out.add(i + 2, buf[i + 2:i + 3], "CI 0x%02X (not DLMS transport)" % ci)
        out.add(i + 3, buf[i + 3:end], "data")
    cs = buf[end]
    calc = crc.mbus_checksum(buf, i, end)
    out.add(end, buf[end:end + 1], "checksum %02X %s" % (cs, "ok" if cs == calc else "BAD (computed %02X)" % calc),
            status=_ok(cs == calc))
    out.add(end + 1, buf[end + 1:end + 2], "stop byte", status=None if buf[end + 1] == 0x16 else "bad")


def _dsmr(out: _Out, buf: bytes, s: int) -> None:
    out.head("DSMR / P1 telegram")
    bang = buf.find(b"!", s)
    i = s
    while i < len(buf):
        lf = buf.find(b"\n", i)
        stop = len(buf) if lf < 0 else lf + 1
        line = buf[i:stop]
        text = line.rstrip(b"\r\n").decode("latin-1")
        if i == s:
            out.add(i, line, "identification %r" % text)
        elif line.startswith(b"!"):
            digits = text[1:].strip()
            if digits:
                calc = crc.crc16_arc(buf, s, bang + 1)
                good = digits.upper() == "%04X" % calc
                out.add(i, line, "end, CRC %s %s" % (digits, "ok" if good else "BAD (computed %04X)" % calc),
                        status=_ok(good))
            else:
                out.add(i, line, "end (no CRC: DSMR 2.2/3.0)")
            break
        elif not text.strip():
            out.add(i, line, "empty line")
        else:
            obis, _, rest = text.partition("(")
            name = None
            try:
                name = name_of(Obis.parse(obis.strip()))
            except (HanParseError, ValueError):
                pass
            out.add(i, line, "%s%s = (%s" % (obis, " [%s]" % name if name else "", rest), depth=1)
        i = stop
    if bang < 0:
        out.add(len(buf), b"", "no '!' end line: telegram truncated", status="bad")


# -- APDU and A-XDR ------------------------------------------------------------

def _apdu(out: _Out, buf: bytes, i: int, end: int, keys: Any, depth: int) -> None:
    if i >= end:
        out.add(i, b"", "empty APDU", depth, "bad")
        return
    if buf[i:i + 3] in (b"\xe6\xe7\x00", b"\xe6\xe6\x00"):
        out.add(i, buf[i:i + 3], "LLC", depth)
        i += 3
    tag = buf[i]
    if tag in (0xDB, 0xDC):
        _ciphered(out, buf, i, end, keys, depth)
    elif tag == 0x0F:
        _notification(out, buf, i, end, depth)
    elif tag == 0xE0:
        out.add(i, buf[i:i + 1], "general-block-transfer (0xE0)", depth)
        if i + 7 <= end:
            bc = buf[i + 1]
            out.add(i + 1, buf[i + 1:i + 2], "block control 0x%02X: %s, window %d" % (
                bc, "last block" if bc & 0x80 else "more blocks follow", bc & 0x3F), depth + 1)
            out.add(i + 2, buf[i + 2:i + 4], "block number %d" % int.from_bytes(buf[i + 2:i + 4], "big"), depth + 1)
            out.add(i + 4, buf[i + 4:i + 6], "acknowledged block %d" % int.from_bytes(buf[i + 4:i + 6], "big"),
                    depth + 1)
            n, j = _length(buf, i + 6, end)
            out.add(i + 6, buf[i + 6:j], "block data length %s" % n, depth + 1)
            if bc & 0x80 and int.from_bytes(buf[i + 2:i + 4], "big") == 1 and n is not None:
                _apdu(out, buf, j, min(end, j + n), keys, depth + 1)
            else:
                out.add(j, buf[j:end], "block data (join all blocks to decode)", depth + 1)
    else:
        out.add(i, buf[i:end], "APDU tag 0x%02X: not a data-notification or ciphered APDU" % tag, depth, "bad")


def _ciphered(out: _Out, buf: bytes, i: int, end: int, keys: Any, depth: int) -> None:
    tag = buf[i]
    out.add(i, buf[i:i + 1], "%s (0x%02X)" % ("general-glo-ciphering" if tag == 0xDB else "general-ded-ciphering",
                                              tag), depth)
    try:
        c = security.parse_ciphered_apdu(buf[i:end])
    except HanParseError as exc:
        out.add(i + 1, buf[i + 1:end], "bad envelope: %s" % exc.message, depth + 1, "bad")
        return
    t = i + 1
    out.add(t, buf[t:t + 9], "system title %s (%r)" % (c.system_title.hex().upper(),
                                                         c.system_title[:3].decode("latin-1")), depth + 1)
    t += 9
    n, j = _length(buf, t, end)
    out.add(t, buf[t:j], "length %s" % n, depth + 1)
    sc = c.security_control
    out.add(j, buf[j:j + 1], "security control 0x%02X: %s%s%s, suite %d" % (
        sc, "authenticated " if sc & 0x10 else "", "encrypted" if sc & 0x20 else "not encrypted",
        ", broadcast key" if sc & 0x40 else "", sc & 0x0F), depth + 1)
    out.add(j + 1, buf[j + 1:j + 5], "invocation counter %d" % c.invocation_counter, depth + 1)
    tag_len = 12 if c.auth_tag is not None else 0
    body_end = i + c.size - tag_len
    out.add(j + 5, buf[j + 5:body_end], "%s, %d bytes" % ("ciphertext" if sc & 0x20 else "payload",
                                                          body_end - j - 5), depth + 1)
    if tag_len:
        out.add(body_end, buf[body_end:body_end + 12], "authentication tag", depth + 1)
    try:
        plaintext, info = security.decrypt_ciphered(c, keys)
    except HanParseError as exc:
        out.add(None, b"", "decryption failed: %s" % exc.message, depth + 1, "bad")
        return
    how = {True: "authenticated (tag ok)", False: "decrypted, tag NOT checked (no authentication key)",
           None: "decrypted (no tag to check)"}[info.authenticated]
    out.add(None, b"", "decryption ok: %s" % how, depth + 1, "ok")
    out.head("plaintext (%d bytes; offsets below are within the plaintext)" % len(plaintext))
    if plaintext[:1] == b"/":
        _dsmr(out, plaintext, 0)
    else:
        _apdu(out, plaintext, 0, len(plaintext), keys, depth + 1)


def _notification(out: _Out, buf: bytes, i: int, end: int, depth: int) -> None:
    out.add(i, buf[i:i + 1], "APDU data-notification (0x0F)", depth)
    if i + 5 > end:
        out.add(i + 1, buf[i + 1:end], "truncated", depth + 1, "bad")
        return
    inv = int.from_bytes(buf[i + 1:i + 5], "big")
    out.add(i + 1, buf[i + 1:i + 5], "long-invoke-id-and-priority 0x%08X (invoke id %d%s)" % (
        inv, inv & 0xFFFFFF, ", high priority" if inv & 0x80000000 else ""), depth + 1)
    j = i + 5
    if j < end and buf[j] == 0x00:
        out.add(j, buf[j:j + 1], "date-time absent", depth + 1)
        j += 1
    elif j + 13 <= end and buf[j] == 0x0C:
        out.add(j, buf[j:j + 13], "date-time %s" % _dt_text(buf[j + 1:j + 13]), depth + 1)
        j += 13
    elif j + 14 <= end and buf[j] == 0x09 and buf[j + 1] == 0x0C:
        out.add(j, buf[j:j + 14], "date-time (octet-string) %s" % _dt_text(buf[j + 2:j + 14]), depth + 1)
        j += 14
    out.head("notification body (A-XDR)")
    j = _element(out, buf, j, end, depth + 1, None)
    if j < end:
        out.add(j, buf[j:end], "%d bytes after the body" % (end - j), depth + 1, "bad")


def _dt_text(raw: bytes) -> str:
    try:
        value = decode_datetime(raw)
    except HanParseError as exc:
        return "(invalid: %s)" % exc.message
    return value.isoformat() if value is not None else "(not specified)"


def _length(buf: bytes, i: int, end: int) -> Tuple[Optional[int], int]:
    if i >= end:
        return None, i
    b = buf[i]
    if b < 0x80:
        return b, i + 1
    n = b & 0x7F
    if n == 0 or n > 4 or i + 1 + n > end:
        return None, i + 1
    return int.from_bytes(buf[i + 1:i + 1 + n], "big"), i + 1 + n


_FIXED = {3: (1, None), 5: (4, True), 6: (4, False), 15: (1, True), 16: (2, True), 17: (1, False), 18: (2, False),
          20: (8, True), 21: (8, False), 22: (1, False), 23: (4, None), 24: (8, None), 25: (12, None),
          26: (5, None), 27: (4, None)}
_MAX_DEPTH = 16


def _element(out: _Out, buf: bytes, i: int, end: int, depth: int, ctx: Optional[Dict[str, Any]]) -> int:
    """Explain one A-XDR element at ``i``; returns the index after it."""
    if i >= end:
        out.add(i, b"", "truncated: element missing", depth, "bad")
        return end
    tag = buf[i]
    name = TAG_NAMES.get(tag, "unknown tag 0x%02X" % tag)
    if tag in (1, 2):
        n, j = _length(buf, i + 1, end)
        if n is None:
            out.add(i, buf[i:j], "%s with a bad length" % name, depth, "bad")
            return end
        note = ""
        if tag == 2 and n in (2, 3) and j + 8 <= end and buf[j] == 0x09 and buf[j + 1] == 0x06:
            note = " (OBIS, value%s)" % (", scaler-unit" if n == 3 else "")
        out.add(i, buf[i:j], "%s of %d%s" % (name, n, note), depth)
        if depth > _MAX_DEPTH:
            out.add(j, buf[j:end], "nesting too deep", depth + 1, "bad")
            return end
        if note:
            return _register(out, buf, j, end, depth + 1, n)
        for _ in range(n):
            j = _element(out, buf, j, end, depth + 1, None)
            if j >= end:
                break
        return j
    if tag == 0:
        out.add(i, buf[i:i + 1], "null-data", depth)
        return i + 1
    if tag in (9, 10, 12, 13):
        n, j = _length(buf, i + 1, end)
        if n is None or j + n > end:
            out.add(i, buf[i:end], "%s truncated" % name, depth, "bad")
            return end
        val = buf[j:j + n]
        out.add(i, buf[i:j + n], "%s[%d] %s" % (name, n, _octets_text(val, tag)), depth)
        return j + n
    if tag == 4:
        n, j = _length(buf, i + 1, end)
        size = ((n or 0) + 7) // 8
        out.add(i, buf[i:j + size], "bit-string of %s bits" % n, depth, None if j + size <= end else "bad")
        return min(end, j + size)
    if tag in _FIXED:
        size, signed = _FIXED[tag]
        if i + 1 + size > end:
            out.add(i, buf[i:end], "%s truncated" % name, depth, "bad")
            return end
        raw = buf[i + 1:i + 1 + size]
        if tag == 25:
            text = "date-time %s" % _dt_text(raw)
        elif signed is None and tag in (23, 24):
            import struct
            text = "%s %r" % (name, struct.unpack(">f" if tag == 23 else ">d", raw)[0])
        elif tag == 3:
            text = "boolean %s" % bool(raw[0])
        elif signed is None:
            text = "%s %s" % (name, raw.hex())
        else:
            value = int.from_bytes(raw, "big", signed=signed)
            text = "%s %d" % (name, value)
            if ctx is not None:
                ctx["value"] = value
        out.add(i, buf[i:i + 1 + size], text, depth)
        return i + 1 + size
    out.add(i, buf[i:end], "%s: cannot walk further" % name, depth, "bad")
    return end


def _octets_text(val: bytes, tag: int) -> str:
    if tag == 9 and len(val) == 6:
        obis = Obis.from_bytes(val)
        name = name_of(obis)
        return "%s (OBIS %s%s)" % (val.hex(" ").upper(), obis, ", " + name if name else "")
    if tag == 9 and len(val) == 12:
        return "%s (date-time %s)" % (val.hex(" ").upper(), _dt_text(val))
    if all(0x20 <= b < 0x7F for b in val):
        return repr(val.decode("ascii"))
    return val.hex(" ").upper()


def _register(out: _Out, buf: bytes, j: int, end: int, depth: int, n: int) -> int:
    """{OBIS, value[, {scaler, unit}]}: the elements, then the scaled value."""
    obis = Obis.from_bytes(buf[j + 2:j + 8])
    name = name_of(obis)
    out.add(j, buf[j:j + 8], "OBIS %s%s" % (obis, " (%s)" % name if name else ""), depth)
    ctx: Dict[str, Any] = {}
    k = _element(out, buf, j + 8, end, depth, ctx)
    if n == 3 and k + 6 <= end and buf[k:k + 3] == b"\x02\x02\x0f" and buf[k + 4] == 0x16:
        scaler = int.from_bytes(buf[k + 3:k + 4], "big", signed=True)
        unit = unit_text(buf[k + 5])
        out.add(k, buf[k:k + 6], "scaler-unit: scaler %d, unit %s (code %d)" % (scaler, unit, buf[k + 5]), depth)
        if "value" in ctx:
            out.add(None, b"", "=> %s = %s %s" % (obis.short, apply_scaler(ctx["value"], scaler), unit or ""),
                    depth, "ok")
        return k + 6
    if n == 3:
        return _element(out, buf, k, end, depth, None)
    return k


# -- rendering -----------------------------------------------------------------

_COLORS = {"ok": "\x1b[32m", "bad": "\x1b[31;1m", "head": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


def use_color(stream: Any) -> bool:
    """True when ``stream`` is a terminal and NO_COLOR is not set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(lines: List[Line], color: bool = False, max_bytes: int = 16) -> str:
    """The lines as text: ``offset  hex bytes  meaning`` (long byte runs shortened with ``..``)."""
    width = 3 * max_bytes + 2
    rows = []
    for line in lines:
        if line.offset is None and not line.raw and line.status is None:  # a heading
            text = "-- " + line.text
            rows.append(_COLORS["head"] + text + _RESET if color else text)
            continue
        hexs = line.raw[:max_bytes].hex(" ").upper()
        if len(line.raw) > max_bytes:
            hexs += " .."
        text = "  " * line.depth + line.text
        if color and line.status:
            text = _COLORS[line.status] + text + _RESET
        offset = "" if line.offset is None else str(line.offset)
        rows.append(("%6s  %-*s  %s" % (offset, width, hexs, text)).rstrip())
    return "\n".join(rows) + "\n"
