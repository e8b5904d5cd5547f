"""Pure-Python twin of :mod:`hanparse._speedups` (the "core" pair).

Same names, signatures, results and exceptions (type, message, offset,
skip, expected/actual) as the Cython module; ``tests/test_core_differential.py``
checks that with hypothesis.  The public modules (:mod:`hanparse.crc`,
:mod:`hanparse.hdlc`, :mod:`hanparse.mbus`, :mod:`hanparse.dsmr.framing`,
:mod:`hanparse._wire.scanner`) call these through ``_core``; nothing here is
public API.

Conventions shared by the framing functions
-------------------------------------------

``buf`` is bytes, bytearray or a contiguous memoryview; offsets are
absolute indexes into ``buf``.  A framing function examines the candidate
frame at ``start`` and does one of three things:

* returns a tuple describing a complete, verified frame;
* returns an ``int`` when ``buf`` ends too early (what the int means is
  documented per function: the buffer length needed, or where to resume);
* raises a :class:`~hanparse.errors.FrameError` /
  :class:`~hanparse.errors.ChecksumError` with ``offset`` (absolute index of
  the offending byte) and ``skip`` (bytes from ``start`` a stream reader may
  drop before hunting for the next candidate).

Checks run in a fixed order and each one looks only at bytes that are
present, so a prefix of the input either gives the same answer as the whole
input or reports "incomplete": chunking never changes a result.
"""

from __future__ import annotations

import array
import re
from typing import Any, Dict, List, Pattern, Tuple, Union

from .errors import ChecksumError, FrameError

__all__ = [
    "crc16_x25",
    "crc16_arc",
    "mbus_checksum",
    "hdlc_parse",
    "hdlc_unstuff",
    "hdlc_stuff",
    "mbus_parse",
    "dsmr_parse",
    "find_candidate",
    "find_byte",
    "hex_line_state",
    "hex_lines",
    "frame_index",
    "KIND_HDLC",
    "KIND_MBUS",
    "KIND_DSMR",
    "KIND_MBUS_SHORT",
]

Buffer = Union[bytes, bytearray, memoryview]

#: ``find_candidate`` mask bits
KIND_HDLC = 1  # 7E followed by a type-3 frame format byte (Ax)
KIND_MBUS = 2  # 68 L L 68
KIND_DSMR = 4  # '/' followed by a letter (anywhere)
KIND_MBUS_SHORT = 8  # 10 C A CS 16 and the single character E5

HDLC_FLAG = 0x7E
HDLC_ESCAPE = 0x7D
HDLC_MIN_LENGTH = 7  # format (2) + dst (1) + src (1) + control (1) + FCS (2)

MBUS_LONG = 0x68
MBUS_SHORT = 0x10
MBUS_ACK = 0xE5
MBUS_STOP = 0x16

DSMR_IDENT_MAX = 256  # bytes from '/' to the end of the identification line
DSMR_MAX_EOL = 4  # CR / NUL bytes allowed between the CRC and LF


def _make_tables() -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    x25 = []
    arc = []
    for byte in range(256):
        a = byte
        b = byte
        for _ in range(8):
            a = (a >> 1) ^ 0x8408 if a & 1 else a >> 1  # reflected 0x1021
            b = (b >> 1) ^ 0xA001 if b & 1 else b >> 1  # reflected 0x8005
        x25.append(a)
        arc.append(b)
    return tuple(x25), tuple(arc)


_X25_TABLE, _ARC_TABLE = _make_tables()

# bytes allowed inside a P1 telegram: printable ASCII, TAB, CR, LF, and NUL /
# STX which real meters and gateways emit (ESP32 "\r\0" line ends, the
# "/ISk5<STX>MT382" identification)
_TEXT = frozenset([0x00, 0x02, 0x09, 0x0A, 0x0D] + list(range(0x20, 0x7F)))
_IDENT_CHARS = frozenset([0x02] + list(range(0x20, 0x7F)))
_HEX = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# first byte, in one pass, that ends or breaks a telegram body: a non-text
# byte, or '!' at a line start or right after a value's ')' (IEC 62056-21
# data blocks as the Aidon EFS2 ASCII output: "1-0:31.7.0(123.1*A)!")
_BODY_STOP = re.compile(rb"[^\x00\x02\t\n\r\x20-\x7e]|[\n)]!")
# '/' + letter: after a control byte (a line start) in a telegram body, it starts
# like a new telegram -- a telegram without CRC holding one is a cut one spliced to the next
_SLASH_LETTERS = re.compile(rb"/[A-Za-z]{3}")


def _range(data: Buffer, start: int, end: int) -> Tuple[int, int]:
    n = len(data)
    if end == -1:
        end = n
    if start < 0 or end > n or start > end:
        raise ValueError("range [%d:%d] is outside the %d-byte buffer" % (start, end, n))
    return start, end


# ---------------------------------------------------------------- checksums


def crc16_x25(data: Buffer, start: int = 0, end: int = -1) -> int:
    """CRC-16/X.25 of ``data[start:end]`` (``end=-1``: to the end)."""
    start, end = _range(data, start, end)
    table = _X25_TABLE
    crc = 0xFFFF
    for b in data[start:end]:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFF


def crc16_arc(data: Buffer, start: int = 0, end: int = -1) -> int:
    """CRC-16/ARC of ``data[start:end]`` (``end=-1``: to the end)."""
    start, end = _range(data, start, end)
    table = _ARC_TABLE
    crc = 0
    for b in data[start:end]:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


def mbus_checksum(data: Buffer, start: int = 0, end: int = -1) -> int:
    """Arithmetic sum of ``data[start:end]`` modulo 256 (the M-Bus CS)."""
    start, end = _range(data, start, end)
    return sum(data[start:end]) & 0xFF


# --------------------------------------------------------------------- HDLC


def hdlc_parse(buf: Buffer, start: int) -> Union[int, Tuple[Any, ...]]:
    """Validate the HDLC frame whose opening flag is at ``start`` (no stuffing).

    Returns an ``int`` -- the buffer length needed before calling again --
    when ``buf`` ends first.  A flag followed by another flag is inter-frame
    fill and gives ``(1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0)`` (length 0).  A
    complete frame gives::

        (consumed, length, segmented, dst_start, src_start, control_pos,
         control, hcs, info_start, info_end, fcs)

    ``consumed`` is ``length + 1``: up to, not including, the closing flag,
    which may open the next frame.  ``hcs`` is -1 when absent.
    """
    end = len(buf)
    if start < 0 or start >= end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    if buf[start] != HDLC_FLAG:
        raise FrameError(
            "HDLC frame must start with flag 0x7E, got 0x%02X" % buf[start], offset=start, skip=1
        )
    if start + 1 >= end:
        return start + 2
    f0 = buf[start + 1]
    if f0 == HDLC_FLAG:
        return (1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0)
    if f0 & 0xF0 != 0xA0:
        raise FrameError(
            "HDLC frame format type 0x%X is not 0xA (type 3)" % (f0 >> 4), offset=start + 1, skip=1
        )
    if start + 2 >= end:
        return start + 3
    length = ((f0 & 0x07) << 8) | buf[start + 2]
    segmented = (f0 >> 3) & 1
    if length < HDLC_MIN_LENGTH:
        raise FrameError(
            "HDLC frame length %d is too short (minimum %d)" % (length, HDLC_MIN_LENGTH),
            offset=start + 1,
            skip=1,
        )
    dst_start = start + 3
    p = dst_start
    for _ in range(4):
        if p >= end:
            return p + 1
        p += 1
        if buf[p - 1] & 1:
            break
    else:
        raise FrameError("HDLC destination address longer than 4 bytes", offset=dst_start, skip=1)
    src_start = p
    for _ in range(4):
        if p >= end:
            return p + 1
        p += 1
        if buf[p - 1] & 1:
            break
    else:
        raise FrameError("HDLC source address longer than 4 bytes", offset=src_start, skip=1)
    control_pos = p
    header_end = p + 1  # after the control byte
    fcs_pos = start + length - 1
    if header_end > fcs_pos:
        raise FrameError(
            "HDLC header (%d bytes) does not fit in frame length %d" % (header_end - start - 1, length),
            offset=start + 1,
            skip=1,
        )
    if header_end > end:
        return header_end
    control = buf[control_pos]
    rest = fcs_pos - header_end
    if rest == 0:
        hcs = -1
        info_start = info_end = header_end
    elif rest == 1:
        raise FrameError(
            "HDLC frame length %d leaves 1 byte between header and FCS" % length,
            offset=header_end,
            skip=1,
        )
    else:
        if header_end + 2 > end:
            return header_end + 2
        hcs = buf[header_end] | (buf[header_end + 1] << 8)
        computed = crc16_x25(buf, start + 1, header_end)
        if computed != hcs:
            raise ChecksumError(
                "HDLC HCS mismatch: computed 0x%04X, frame has 0x%04X" % (computed, hcs),
                expected=computed,
                actual=hcs,
                field="hcs",
                offset=header_end,
                skip=1,
            )
        info_start = header_end + 2
        info_end = fcs_pos
    close = start + length + 1
    if close >= end:
        return close + 1
    if buf[close] != HDLC_FLAG:
        raise FrameError(
            "HDLC closing flag missing at frame length %d (found 0x%02X)" % (length, buf[close]),
            offset=close,
            skip=1,
        )
    fcs = buf[fcs_pos] | (buf[fcs_pos + 1] << 8)
    computed = crc16_x25(buf, start + 1, fcs_pos)
    if computed != fcs:
        raise ChecksumError(
            "HDLC FCS mismatch: computed 0x%04X, frame has 0x%04X" % (computed, fcs),
            expected=computed,
            actual=fcs,
            field="fcs",
            offset=fcs_pos,
            skip=1,
        )
    return (
        length + 1,
        length,
        segmented,
        dst_start,
        src_start,
        control_pos,
        control,
        hcs,
        info_start,
        info_end,
        fcs,
    )


def hdlc_unstuff(buf: Buffer, start: int, end: int) -> bytes:
    """Remove ISO/IEC 13239 octet stuffing from ``buf[start:end]``.

    ``7D x`` becomes ``x ^ 0x20``.  ``7D 7E`` (abort sequence), a raw ``7E``
    and a trailing lone ``7D`` raise :class:`FrameError` (``skip`` counted
    from ``start``).
    """
    start, end = _range(buf, start, end)
    out = bytearray()
    i = start
    while i < end:
        b = buf[i]
        if b == HDLC_ESCAPE:
            if i + 1 >= end:
                raise FrameError("HDLC escape 0x7D at the end of the frame", offset=i, skip=i - start + 1)
            n = buf[i + 1]
            if n == HDLC_FLAG:
                raise FrameError("HDLC abort sequence 0x7D 0x7E", offset=i, skip=i - start + 1)
            out.append(n ^ 0x20)
            i += 2
        elif b == HDLC_FLAG:
            raise FrameError("raw flag 0x7E inside a stuffed HDLC frame", offset=i, skip=i - start + 1)
        else:
            out.append(b)
            i += 1
    return bytes(out)


def hdlc_stuff(data: Buffer) -> bytes:
    """Apply ISO/IEC 13239 octet stuffing: escape 7E and 7D as 7D (x ^ 0x20)."""
    out = bytearray()
    for b in data:
        if b == HDLC_FLAG or b == HDLC_ESCAPE:
            out.append(HDLC_ESCAPE)
            out.append(b ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


# -------------------------------------------------------------------- M-Bus


def _mbus_long(buf: Buffer, start: int, n: int, end: int) -> Union[int, Tuple[Any, ...], FrameError]:
    """Check a long frame of ``n`` bytes from C on; return the result or the error."""
    total = n + 6
    if start + total > end:
        return start + total
    stop = buf[start + total - 1]
    if stop != MBUS_STOP:
        return FrameError(
            "M-Bus stop byte is 0x%02X, expected 0x16 (L=%d)" % (stop, n),
            offset=start + total - 1,
            skip=1,
        )
    cs_pos = start + 4 + n
    computed = mbus_checksum(buf, start + 4, cs_pos)
    if computed != buf[cs_pos]:
        return ChecksumError(
            "M-Bus checksum mismatch: computed 0x%02X, frame has 0x%02X" % (computed, buf[cs_pos]),
            expected=computed,
            actual=buf[cs_pos],
            field="mbus",
            offset=cs_pos,
            skip=1,
        )
    return (total, 2, n, buf[start + 4], buf[start + 5], buf[start + 6], start + 7, cs_pos, buf[cs_pos])


def mbus_parse(buf: Buffer, start: int) -> Union[int, Tuple[Any, ...]]:
    """Validate the M-Bus frame at ``start`` (long ``68``, short ``10`` or ack ``E5``).

    Returns the buffer length needed (``int``) when ``buf`` ends first, else::

        (consumed, kind, length, c, a, ci, data_start, data_end, checksum)

    ``kind`` is 0 (ack), 1 (short), 2 (long); absent fields are -1.  For a
    long frame ``data_start:data_end`` is the data after CI.  An L field of
    0-2 means L + 256 (Sagemcom T210-D sends 257 bytes with L = 01), and an
    L of 3 is read as L + 256 when the 9-byte reading fails; either is
    accepted only when the stop byte and checksum verify at the extended
    position.
    """
    end = len(buf)
    if start < 0 or start >= end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    b = buf[start]
    if b == MBUS_ACK:
        return (1, 0, -1, -1, -1, -1, start + 1, start + 1, -1)
    if b == MBUS_SHORT:
        if start + 5 > end:
            return start + 5
        if buf[start + 4] != MBUS_STOP:
            raise FrameError(
                "M-Bus short frame stop byte is 0x%02X, expected 0x16" % buf[start + 4],
                offset=start + 4,
                skip=1,
            )
        computed = (buf[start + 1] + buf[start + 2]) & 0xFF
        if computed != buf[start + 3]:
            raise ChecksumError(
                "M-Bus checksum mismatch: computed 0x%02X, frame has 0x%02X" % (computed, buf[start + 3]),
                expected=computed,
                actual=buf[start + 3],
                field="mbus",
                offset=start + 3,
                skip=1,
            )
        return (5, 1, -1, buf[start + 1], buf[start + 2], -1, start + 3, start + 3, buf[start + 3])
    if b != MBUS_LONG:
        raise FrameError("0x%02X does not start an M-Bus frame" % b, offset=start, skip=1)
    if start + 4 > end:
        return start + 4
    if buf[start + 3] != MBUS_LONG:
        raise FrameError(
            "M-Bus long frame: second start byte is 0x%02X, expected 0x68" % buf[start + 3],
            offset=start + 3,
            skip=1,
        )
    l1 = buf[start + 1]
    l2 = buf[start + 2]
    if l1 != l2:
        raise FrameError(
            "M-Bus long frame: length bytes differ (0x%02X, 0x%02X)" % (l1, l2), offset=start + 1, skip=1
        )
    if l1 >= 3:
        first = _mbus_long(buf, start, l1, end)
        if l1 > 3 or isinstance(first, (int, tuple)):
            if isinstance(first, FrameError):
                raise first
            return first
        # L = 3 that does not verify as a 9-byte frame: try the Sagemcom reading
        second = _mbus_long(buf, start, l1 + 256, end)
        if isinstance(second, FrameError):
            raise first
        return second
    result = _mbus_long(buf, start, l1 + 256, end)
    if isinstance(result, FrameError):
        raise result
    return result


# --------------------------------------------------------------------- DSMR


def dsmr_parse(buf: Buffer, start: int, scan_from: int, max_size: int, final: bool) -> Union[int, Tuple[Any, ...]]:
    """Validate the DSMR/P1 telegram whose ``/`` is at ``start``.

    ::

        /XXX5 identification CR LF        '/', 3 letters, text up to CR LF / LF
        CR LF
        data lines ... CR LF              P1 text only
        !CRC CR LF                        '!' at a line start (or right after
                                          ')'), 0-4 hex digits

    Rules, checked in this order:

    * identification line: ``/`` + 3 ASCII letters, then bytes up to CR LF
      or LF, at most ``DSMR_IDENT_MAX`` bytes from ``/``.  A non-printable
      byte there (other than STX) does not reject the telegram at once: the
      telegram is then accepted only when it ends with a 4-digit CRC that
      verifies;
    * body: P1 text (printable ASCII, TAB, CR, LF, NUL, STX) up to the
      first ``!`` at a line start or right after ``)``; a byte that is not
      P1 text rejects the telegram there.  A ``/`` in the body is text;
    * end line: ``!`` and up to 4 hex digits (either case).  4 digits: the
      CRC-16/ARC over ``/`` .. ``!`` must match (:class:`ChecksumError`).
      1-3 digits (a CRC with its leading zeros dropped) must be followed by
      CR, NUL, LF or, with ``final``, the end of ``buf``.  0 digits: no
      CRC: ``!`` must be followed by CR, NUL, LF, the ``/`` of the next
      telegram or (with ``final``) the end of ``buf``, and the telegram is rejected when its identification
      line held a non-printable byte or when ``/`` + 3 letters appears
      anywhere after its own ``/`` (a cut telegram or a false start spliced
      to the next telegram);
    * tail: up to ``DSMR_MAX_EOL`` CR / NUL bytes and one LF are taken into
      the telegram; any other byte is left after it (the telegram ends
      before it, no error: after a verified CRC, trailing bytes are not the
      telegram's problem).

    Returns a resume position (``int``) when ``buf`` ends first -- also
    while the end could still be inside the CR / NUL / LF tail: call again
    with ``scan_from`` set to it once more bytes arrived (``scan_from=start``
    the first time).  With ``final`` the end of ``buf`` ends the end line.
    A complete telegram gives::

        (consumed, ident_end, body_start, bang, crc, crc_digits, computed)

    ``crc`` and ``computed`` are -1 when the telegram carries no CRC (DSMR
    2.2 / 3.0).  ``ident_end`` is the end of the identification text (before
    CR LF), ``body_start`` the first byte after its line end, ``bang`` the
    index of ``!``.  Every rejection has ``skip=1``: a telegram starting
    inside the rejected span is still found.
    """
    end = len(buf)
    if start < 0 or start >= end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    if buf[start] != 0x2F:
        raise FrameError("DSMR telegram must start with '/', got 0x%02X" % buf[start], offset=start, skip=1)
    # identification line: always re-read (bounded), it fixes body_start
    i = start + 1
    while i < start + 4:
        if i >= end:
            return start
        if buf[i] not in _LETTERS:
            raise FrameError(
                "DSMR identification must start with 3 letters, got 0x%02X" % buf[i], offset=i, skip=1
            )
        i += 1
    odd = -1  # first non-printable byte of the identification line: the CRC decides
    while True:
        if i >= end:
            return start
        c = buf[i]
        if c == 0x0D or c == 0x0A:
            break
        if odd < 0 and c not in _IDENT_CHARS:
            odd = i
        i += 1
        if i - start > DSMR_IDENT_MAX:
            raise FrameError(
                "DSMR identification line longer than %d bytes" % DSMR_IDENT_MAX, offset=i, skip=1
            )
    ident_end = i
    if ident_end - start < 5:
        raise FrameError("DSMR identification line too short", offset=ident_end, skip=1)
    if buf[i] == 0x0D:
        if i + 1 >= end:
            return start
        if buf[i + 1] != 0x0A:
            raise FrameError(
                "DSMR identification line: CR followed by 0x%02X, expected LF" % buf[i + 1],
                offset=i + 1,
                skip=1,
            )
        i += 1
    body_start = i + 1
    # body: find '!' at a line start (or after ')'); stop at a byte that is not P1 text
    pos = scan_from if scan_from > body_start else body_start
    limit = start + max_size
    search_end = end if end < limit else limit
    m = None
    if pos < search_end:
        m = _BODY_STOP.search(buf, pos - 1, search_end)  # from pos - 1: a '!' at pos needs the byte before
        if m is not None and m.start() < pos and m.end() - m.start() == 1:
            m = _BODY_STOP.search(buf, pos, search_end)  # a byte before pos is not this call's to judge
    if m is None:
        if end > limit:
            raise FrameError("DSMR telegram longer than %d bytes" % max_size, offset=limit, skip=1)
        return end
    k = m.start()
    if m.end() - k == 1:
        raise FrameError("byte 0x%02X in a DSMR telegram is not P1 text" % buf[k], offset=k, skip=1)
    bang = k + 1
    # end line: '!' and up to 4 hex digits
    i = bang + 1
    crc = 0
    digits = 0
    while digits < 4:
        if i >= end:
            if not final:
                return bang
            break
        h = _HEX.get(buf[i])
        if h is None:
            break
        crc = (crc << 4) | h
        digits += 1
        i += 1
    if digits:
        if digits < 4 and i < end and buf[i] != 0x0D and buf[i] != 0x00 and buf[i] != 0x0A:
            raise FrameError(
                "DSMR end line: unexpected byte 0x%02X after '!' and %d CRC digits" % (buf[i], digits),
                offset=i,
                skip=1,
            )
        computed = crc16_arc(buf, start, bang + 1)
        if computed != crc:
            raise ChecksumError(
                "DSMR CRC mismatch: computed 0x%04X, telegram has 0x%04X" % (computed, crc),
                expected=computed,
                actual=crc,
                field="crc",
                offset=bang + 1,
                skip=1,
            )
    else:
        if i < end and buf[i] != 0x0D and buf[i] != 0x00 and buf[i] != 0x0A and buf[i] != 0x2F:
            raise FrameError(
                "DSMR end line: '!' followed by 0x%02X, neither a CRC digit, a line end nor a new '/'" % buf[i],
                offset=i,
                skip=1,
            )
        crc = computed = -1
    if odd >= 0 and digits < 4:
        raise FrameError(
            "byte 0x%02X in the DSMR identification line is not printable, and no 4-digit CRC"
            " verifies the telegram" % buf[odd],
            offset=odd,
            skip=1,
        )
    if digits == 0:
        m = _SLASH_LETTERS.search(buf, start + 1, bang)
        if m is not None:
            raise FrameError(
                "DSMR telegram without CRC holds '/' + 3 letters after its start (a cut or false"
                " start spliced to a new telegram)",
                offset=m.start(),
                skip=1,
            )
    # tail: CR / NUL bytes (bounded) and one LF; any other byte is after the telegram
    eol = 0
    while i < end and eol < DSMR_MAX_EOL and (buf[i] == 0x0D or buf[i] == 0x00):
        eol += 1
        i += 1
    if i >= end:
        if not final:
            return bang
        consumed = end - start
    elif buf[i] == 0x0A:
        consumed = i + 1 - start
    else:
        consumed = i - start
    return (consumed, ident_end, body_start, bang, crc, digits, computed)


# ------------------------------------------------------------------ hunting

_HUNT_CACHE: Dict[int, Pattern[bytes]] = {}


def _hunt_pattern(mask: int) -> Pattern[bytes]:
    pat = _HUNT_CACHE.get(mask)
    if pat is None:
        chars = b""
        if mask & KIND_HDLC:
            chars += b"\\x7e"
        if mask & KIND_MBUS:
            chars += b"\\x68"
        if mask & KIND_DSMR:
            chars += b"/"
        if mask & KIND_MBUS_SHORT:
            chars += b"\\x10\\xe5"
        pat = re.compile(b"[" + chars + b"]") if chars else re.compile(b"(?!)")
        _HUNT_CACHE[mask] = pat
    return pat


def find_candidate(buf: Buffer, start: int, anchor: int, mask: int) -> int:
    """Index of the first plausible frame start at or after ``start``.

    ``mask`` selects the kinds (``KIND_*`` bits).  Returns ``i`` for a
    candidate that passed the cheap pre-checks, ``-(i + 1)`` when the bytes
    after ``i`` are not there yet to tell, and ``len(buf)`` when there is no
    candidate.  Pre-checks: HDLC ``7E Ax``; M-Bus ``68 L L 68``; DSMR ``/`` +
    letter wherever it is (after noise on the same line too: the framer and
    the CRC decide); short M-Bus ``10 C A CS 16`` and ``E5``.  ``anchor`` is
    kept for compatibility and not used.
    """
    end = len(buf)
    if start < 0 or start > end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    search = _hunt_pattern(mask).search
    i = start
    while True:
        m = search(buf, i)
        if m is None:
            return end
        i = m.start()
        b = buf[i]
        if b == 0x7E:
            if i + 1 >= end:
                return -(i + 1)
            if buf[i + 1] & 0xF0 == 0xA0:
                return i
        elif b == 0x68:
            if i + 3 >= end:
                return -(i + 1)
            if buf[i + 3] == 0x68 and buf[i + 1] == buf[i + 2]:
                return i
        elif b == 0x2F:
            if i + 1 >= end:
                return -(i + 1)
            if buf[i + 1] in _LETTERS:
                return i
        elif b == 0xE5:
            return i
        else:  # 0x10
            if i + 4 >= end:
                return -(i + 1)
            if buf[i + 4] == MBUS_STOP and (buf[i + 1] + buf[i + 2]) & 0xFF == buf[i + 3]:
                return i
        i += 1


def frame_index(buf: Buffer, mask: int = KIND_HDLC | KIND_MBUS) -> Tuple["array.array[int]", "array.array[int]"]:
    """Start and size of every valid HDLC (``mask`` bit ``KIND_HDLC``) and M-Bus long frame
    (``KIND_MBUS``) in a complete capture: two ``array('q')``.

    The frames a :class:`~hanparse.FrameScanner` for those formats finds in
    the buffer fed whole and flushed, by the same framers' decisions
    (:func:`hdlc_parse`, :func:`mbus_parse`): a valid frame is taken and
    hunting resumes at its end (an HDLC closing flag may open the next
    frame); a rejected or cut-off candidate resumes one byte after its
    start.  No frame objects: the fast path for validating or indexing a
    whole capture.
    """
    data = buf if type(buf) is bytes else bytes(buf)
    starts = array.array("q")
    sizes = array.array("q")
    end = len(data)
    i = 0
    while i < end:
        c = data[i]
        size = 0
        if c == 0x7E and mask & KIND_HDLC:
            if i + 1 < end and data[i + 1] & 0xF0 == 0xA0:
                try:
                    r = hdlc_parse(data, i)
                except FrameError:
                    r = 0
                if r.__class__ is tuple and r[1]:
                    size = r[1] + 2
        elif c == 0x68 and mask & KIND_MBUS:
            try:
                r = mbus_parse(data, i)
            except FrameError:
                r = 0
            if r.__class__ is tuple:
                size = r[0]
        if size > 0:
            starts.append(i)
            sizes.append(size)
            i += size - 1 if c == 0x7E else size
        else:
            i += 1
    return starts, sizes


def find_byte(buf: Buffer, value: int, start: int, end: int) -> int:
    """Index of the first ``value`` in ``buf[start:end]`` (``end=-1``: to the end), or -1."""
    start, end = _range(buf, start, end)
    if isinstance(buf, (bytes, bytearray)):
        return buf.find(value, start, end)
    for i in range(start, end):
        if buf[i] == value:
            return i
    return -1


# ------------------------------------------------------------------ hex-text lines

_BLANK_HEAD = b" \t\r\x00"  # skipped before a line's head
_HEX_SPACE = b" \t\r:-,"  # allowed between the digits of a hex line (blanks, dump separators)
_NON_HEX = re.compile(rb"[^0-9a-fA-F \t\r:,\-]")
_NON_BLANK = re.compile(rb"[^ \t\r\x00]")
_EVENT_CACHE: Dict[int, Pattern[bytes]] = {}


def _event_line(cap: int) -> Pattern[bytes]:
    """A line (from the LF before it) that can change more than the telegram count.

    A telegram start ``/``, an end ``!``, a line of hex digits and
    separators (space, tab, CR, ``:``, ``-``, ``,``) only, one whose hex
    start may hold more than ``cap`` digits, or a text line (``{`` or a
    letter first, printable ASCII throughout).
    """
    pat = _EVENT_CACHE.get(cap)
    if pat is None:
        if len(_EVENT_CACHE) > 8:
            _EVENT_CACHE.clear()
        pat = re.compile(rb"\n(?:[ \t\r\x00]*[/!]|[ \t\r:,\-]*[0-9a-fA-F][0-9a-fA-F \t\r:,\-]*(?:\n|\Z)"
                         rb"|[0-9a-fA-F \t\r:,\-]{%d}"
                         rb"|[ \t\r\x00]*[{A-Za-z][\x20-\x7e\t\r\x00]*(?:\n|\Z))" % (cap + 1))
        _EVENT_CACHE[cap] = pat
    return pat


def hex_line_state() -> List[Any]:
    """A fresh state for :func:`hex_lines`: ``[in_telegram, hex_ok, head, digits, dropped, text_ok, text]``."""
    return [0, 1, b"", bytearray(), 0, 1, bytearray()]


def _is_telegram_start(head: bytes) -> bool:
    return len(head) >= 4 and head[0] == 0x2F and head[1] in _LETTERS and head[2] in _LETTERS \
        and head[3] in _LETTERS


_NON_TEXT = re.compile(rb"[^\x20-\x7e\t\r\x00]")
_TEXT_START = frozenset(b"{") | _LETTERS


def hex_lines(chunk: Buffer, state: List[Any], cap: int, max_lines: int,
              final: bool) -> List[Tuple[int, Union[bytes, str]]]:
    """Split a stream chunk into lines and return the hex-text and text lines it ends.

    The line rule of :class:`hanparse.StreamDecoder`: a *hex line*
    (bytes up to LF) holds only hex digits and separators -- spaces, tabs,
    CR, and the dump separators ``:``, ``-`` and ``,`` (``7e:a0:2a``,
    ``7E-A0-2A``, ``7e,a0``), anywhere in the line -- an even number (at
    least 2) of digits, at most ``cap`` of them, and is not inside a DSMR
    telegram.  A line's *head* is its first 4 bytes after
    leading space/tab/CR/NUL; a head ``/`` + three ASCII letters starts a
    telegram (``max_lines`` lines at most), a head starting with ``!`` ends
    it, any other line inside one counts down.  A line whose digits exceed
    ``cap`` while it is still hex is dropped: ``cap + 1`` is added to the
    dropped counter.

    A *text line* is a line, not hex and not inside a telegram, whose head
    starts with ``{`` or an ASCII letter and whose bytes (at most ``cap``)
    are all printable ASCII, tab, CR or NUL: a JSON object or a labelled
    line a bridge publishes (``{"data":"7ea0..."}``, ``Debug: ...``).

    ``state`` (a list from :func:`hex_line_state`, updated in place)
    carries the unfinished line between calls, so the result never depends
    on how the stream is chunked.  ``final``: the stream ends after
    ``chunk`` (the unfinished line ends there).  Returns ``[(end, data)]``:
    ``end`` is the index in ``chunk`` after the line's LF (``len(chunk)``
    for a line ended by ``final``), ``data`` the decoded bytes of a hex
    line or the text (a str, LF excluded) of a text line.
    """
    data = chunk if type(chunk) is bytes else bytes(chunk)
    event = _event_line(cap)
    in_tel, hex_ok, head, digits, dropped, text_ok, text = state
    out: List[Tuple[int, Union[bytes, str]]] = []
    n = len(data)
    i = 0
    lf = data.find(b"\n")
    while True:
        stop = n if lf < 0 else lf
        if stop > i:
            # -- the bytes of one line (or of its part in this chunk)
            if len(head) < 4:
                j = i
                if not head:
                    m = _NON_BLANK.search(data, i, stop)
                    j = stop if m is None else m.start()
                    if text_ok and m is not None and data[j] not in _TEXT_START:
                        text_ok = 0
                head += data[j:min(stop, j + 4 - len(head))]
            if hex_ok:
                m = _NON_HEX.search(data, i, stop)
                bad = stop if m is None else m.start()
                new = data[i:bad].translate(None, _HEX_SPACE)
                if len(digits) + len(new) > cap:
                    hex_ok = 0
                    dropped += cap + 1
                    digits = bytearray()
                elif m is not None:
                    hex_ok = 0
                    digits = bytearray()
                else:
                    digits += new
            if text_ok:
                if len(text) + stop - i > cap or _NON_TEXT.search(data, i, stop) is not None:
                    text_ok = 0
                    text = bytearray()
                else:
                    text += data[i:stop]
        if lf < 0:
            if not final:
                break
            lf = n
        # -- the line ends at lf
        emit = hex_ok and digits and not len(digits) % 2
        is_text = not emit and text_ok and head
        if _is_telegram_start(head):
            in_tel = max_lines
        elif in_tel:
            in_tel = 0 if head[:1] == b"!" else in_tel - 1
            emit = is_text = False
        if emit:
            out.append((min(lf + 1, n), bytes.fromhex(digits.decode("ascii"))))
        elif is_text:
            out.append((min(lf + 1, n), text.decode("latin-1")))
        head, hex_ok, digits, text_ok, text = b"", 1, bytearray(), 1, bytearray()
        i = lf + 1
        if i > n:
            break
        # lines that change nothing but the telegram count are skipped in bulk
        m = event.search(data, lf)
        nxt = data.rfind(b"\n", i) if m is None else m.start()  # the LF ending the last line to skip
        if nxt >= i:
            if in_tel:
                skipped = data.count(b"\n", i, nxt + 1)
                in_tel = in_tel - skipped if in_tel > skipped else 0
            i = nxt + 1
        lf = data.find(b"\n", i)
    state[:] = [in_tel, hex_ok, head, digits, dropped, text_ok, text]
    return out
