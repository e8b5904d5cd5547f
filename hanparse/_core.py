# cython: annotation_typing=False
# mypy: disable-error-code="no-any-return"
# (mypy reads the C helpers of _core_c.pxd, cimported when compiled, as Any)
"""The core: CRCs, HDLC / M-Bus / DSMR framing, octet stuffing, the candidate hunt.

One source for both implementations.  This file runs as plain Python, and
Cython compiles it (pure-Python mode) into the extension module
``hanparse._core``: ``_core.pxd`` beside it gives the C types of its
arguments and locals, and ``_core_c.pxd`` the few C-only pieces (lookup
tables as C arrays, the slice-by-8 CRC, ``memchr``, direct buffer stores),
reached under ``if cython.compiled:``.  Where the fast pure-Python spelling
is a different algorithm (a regex search instead of a byte loop) both
branches live here side by side.  :mod:`hanparse._impl` loads the compiled
module, or this file as ``hanparse._core_py`` for pure Python;
``tests/test_core_differential.py`` holds the two together.

The public modules (:mod:`hanparse.crc`, :mod:`hanparse.hdlc`,
:mod:`hanparse.mbus`, :mod:`hanparse.dsmr.framing`,
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

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # Cython is a build dependency only: plain Python without it
    from types import SimpleNamespace as _Namespace

    cython = _Namespace(compiled=False)

if cython.compiled:
    from cython.cimports.hanparse._core_c import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        append_q,
        arc,
        bytearray_set,
        bytes_set,
        bytesum,
        find,
        head_bytes,
        hp_body,
        hp_hexval,
        hp_ident,
        hp_letter,
        init_tables,
        new_bytes,
        skip_to_wanted,
        x25,
    )

    init_tables()

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


_X25_TABLE, _ARC_TABLE = _make_tables()  # pure Python; compiled, the C tables of _core_c

# bytes allowed inside a P1 telegram: printable ASCII, TAB, CR, LF, and NUL /
# STX which real meters and gateways emit (ESP32 "\r\0" line ends, the
# "/ISk5<STX>MT382" identification)
_TEXT = frozenset([0x00, 0x02, 0x09, 0x0A, 0x0D] + list(range(0x20, 0x7F)))
_IDENT_CHARS = frozenset([0x02] + list(range(0x20, 0x7F)))
_HEX = {ord(ch): int(ch, 16) for ch in "0123456789abcdefABCDEF"}
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# first byte, in one pass, that ends or breaks a telegram body: a non-text
# byte, or '!' at a line start or right after a value's ')' (IEC 62056-21
# data blocks as the Aidon EFS2 ASCII output: "1-0:31.7.0(123.1*A)!")
_BODY_STOP = re.compile(rb"[^\x00\x02\t\n\r\x20-\x7e]|[\n)]!")
# '/' + letter: after a control byte (a line start) in a telegram body, it starts
# like a new telegram -- a telegram without CRC holding one is a cut one spliced to the next
_SLASH_LETTERS = re.compile(rb"/[A-Za-z]{3}")


def _range_end(n: int, start: int, end: int) -> int:
    """The end of the range ``[start:end]`` of an ``n``-byte buffer (``end=-1``: ``n``); ValueError if outside."""
    if end == -1:
        end = n
    if start < 0 or end > n or start > end:
        raise ValueError("range [%d:%d] is outside the %d-byte buffer" % (start, end, n))
    return end


# ---------------------------------------------------------------- checksums


def _x25(data: Buffer, start: int, end: int, release: bool) -> int:
    """CRC-16/X.25 of ``data[start:end]`` (a valid range); compiled, ``release`` drops the GIL meanwhile."""
    if cython.compiled:
        return x25(data, start, end, release)
    table = _X25_TABLE
    crc = 0xFFFF
    for b in data[start:end]:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFF


def _arc(data: Buffer, start: int, end: int, release: bool) -> int:
    """CRC-16/ARC of ``data[start:end]`` (a valid range); compiled, ``release`` drops the GIL meanwhile."""
    if cython.compiled:
        return arc(data, start, end, release)
    table = _ARC_TABLE
    crc = 0
    for b in data[start:end]:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


def _sum(data: Buffer, start: int, end: int) -> int:
    """Arithmetic sum of ``data[start:end]`` modulo 256 (a valid range)."""
    if cython.compiled:
        return bytesum(data, start, end)
    return sum(data[start:end]) & 0xFF


def crc16_x25(data: Buffer, start: int = 0, end: int = -1) -> int:
    """CRC-16/X.25 of ``data[start:end]`` (``end=-1``: to the end)."""
    end = _range_end(len(data), start, end)
    return _x25(data, start, end, True)


def crc16_arc(data: Buffer, start: int = 0, end: int = -1) -> int:
    """CRC-16/ARC of ``data[start:end]`` (``end=-1``: to the end)."""
    end = _range_end(len(data), start, end)
    return _arc(data, start, end, True)


def mbus_checksum(data: Buffer, start: int = 0, end: int = -1) -> int:
    """Arithmetic sum of ``data[start:end]`` modulo 256 (the M-Bus CS)."""
    end = _range_end(len(data), start, end)
    return _sum(data, start, end)


# --------------------------------------------------------------------- HDLC

# the verdicts of _hdlc_check (its return value)
H_OK = 0
H_MORE = 1  # incomplete: bytes up to r.need are needed
H_FILL = 2  # 7E 7E: a fill flag
H_TYPE = -1
H_SHORT = -2
H_DST = -3
H_SRC = -4
H_FIT = -5
H_ONE = -6
H_HCS = -7
H_CLOSE = -8
H_FCS = -9


class _Hdlc:
    """What :func:`_hdlc_check` found: the fields its verdict needs (compiled: the C struct ``_HdlcFields``)."""

    def __init__(self) -> None:
        self.need = self.length = self.dst_start = self.src_start = self.control_pos = 0
        self.info_start = self.info_end = self.at = 0
        self.segmented = self.control = self.f0 = 0
        self.hcs = -1
        self.fcs = self.computed = self.found = 0


def _address_end(b: Buffer, p: int, end: int) -> int:
    """Where the HDLC address starting at ``p`` ends (1-4 bytes, the last with bit 0 set):
    ``-(bytes needed)`` when the buffer ends inside it, 0 when it is longer than 4 bytes."""
    for _k in range(4):
        if p >= end:
            return -(p + 1)
        p += 1
        if b[p - 1] & 1:
            return p
    return 0


def _hdlc_check(b: Buffer, start: int, end: int, r: _Hdlc) -> int:
    """The HDLC framer's verdict on the frame whose opening flag (7E) is at ``start``.

    No Python objects made: :func:`hdlc_parse` turns the verdict into its
    result or error, and :func:`frame_index` uses it directly.
    """
    if start + 1 >= end:
        r.need = start + 2
        return H_MORE
    r.f0 = b[start + 1]
    if r.f0 == 0x7E:
        return H_FILL
    if r.f0 & 0xF0 != 0xA0:
        return H_TYPE
    if start + 2 >= end:
        r.need = start + 3
        return H_MORE
    r.length = ((r.f0 & 0x07) << 8) | b[start + 2]
    r.segmented = (r.f0 >> 3) & 1
    if r.length < HDLC_MIN_LENGTH:
        return H_SHORT
    r.dst_start = start + 3
    p = _address_end(b, r.dst_start, end)
    if p <= 0:
        r.need = -p
        return H_MORE if p else H_DST
    r.src_start = p
    p = _address_end(b, p, end)
    if p <= 0:
        r.need = -p
        return H_MORE if p else H_SRC
    r.control_pos = p
    header_end = p + 1  # after the control byte
    fcs_pos = start + r.length - 1
    if header_end > fcs_pos:
        r.at = header_end
        return H_FIT
    if header_end > end:
        r.need = header_end
        return H_MORE
    r.control = b[r.control_pos]
    rest = fcs_pos - header_end
    if rest == 0:
        r.hcs = -1
        r.info_start = header_end
        r.info_end = header_end
    elif rest == 1:
        r.at = header_end
        return H_ONE
    else:
        if header_end + 2 > end:
            r.need = header_end + 2
            return H_MORE
        r.hcs = b[header_end] | (b[header_end + 1] << 8)
        r.computed = _x25(b, start + 1, header_end, False)
        if r.computed != r.hcs:
            r.at = header_end
            return H_HCS
        r.info_start = header_end + 2
        r.info_end = fcs_pos
    close = start + r.length + 1
    if close >= end:
        r.need = close + 1
        return H_MORE
    if b[close] != 0x7E:
        r.at = close
        r.found = b[close]
        return H_CLOSE
    r.fcs = b[fcs_pos] | (b[fcs_pos + 1] << 8)
    r.computed = _x25(b, start + 1, fcs_pos, False)
    if r.computed != r.fcs:
        r.at = fcs_pos
        return H_FCS
    return H_OK


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
    if not cython.compiled:  # compiled, r is a C struct on the stack
        r = _Hdlc()
    if cython.compiled:
        verdict = _hdlc_check(buf, start, end, cython.address(r))
    else:
        verdict = _hdlc_check(buf, start, end, r)
    if verdict == H_OK:
        return (r.length + 1, r.length, r.segmented, r.dst_start, r.src_start, r.control_pos, r.control, r.hcs,
                r.info_start, r.info_end, r.fcs)
    if verdict == H_MORE:
        return r.need
    if verdict == H_FILL:
        return (1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0)
    if verdict == H_TYPE:
        raise FrameError(
            "HDLC frame format type 0x%X is not 0xA (type 3)" % (r.f0 >> 4), offset=start + 1, skip=1
        )
    if verdict == H_SHORT:
        raise FrameError(
            "HDLC frame length %d is too short (minimum %d)" % (r.length, HDLC_MIN_LENGTH),
            offset=start + 1,
            skip=1,
        )
    if verdict == H_DST:
        raise FrameError("HDLC destination address longer than 4 bytes", offset=r.dst_start, skip=1)
    if verdict == H_SRC:
        raise FrameError("HDLC source address longer than 4 bytes", offset=r.src_start, skip=1)
    if verdict == H_FIT:
        raise FrameError(
            "HDLC header (%d bytes) does not fit in frame length %d" % (r.at - start - 1, r.length),
            offset=start + 1,
            skip=1,
        )
    if verdict == H_ONE:
        raise FrameError(
            "HDLC frame length %d leaves 1 byte between header and FCS" % r.length,
            offset=r.at,
            skip=1,
        )
    if verdict == H_HCS:
        raise ChecksumError(
            "HDLC HCS mismatch: computed 0x%04X, frame has 0x%04X" % (r.computed, r.hcs),
            expected=r.computed,
            actual=r.hcs,
            field="hcs",
            offset=r.at,
            skip=1,
        )
    if verdict == H_CLOSE:
        raise FrameError(
            "HDLC closing flag missing at frame length %d (found 0x%02X)" % (r.length, r.found),
            offset=r.at,
            skip=1,
        )
    raise ChecksumError(
        "HDLC FCS mismatch: computed 0x%04X, frame has 0x%04X" % (r.computed, r.fcs),
        expected=r.computed,
        actual=r.fcs,
        field="fcs",
        offset=r.at,
        skip=1,
    )


def hdlc_unstuff(buf: Buffer, start: int, end: int) -> bytes:
    """Remove ISO/IEC 13239 octet stuffing from ``buf[start:end]``.

    ``7D x`` becomes ``x ^ 0x20``.  ``7D 7E`` (abort sequence), a raw ``7E``
    and a trailing lone ``7D`` raise :class:`FrameError` (``skip`` counted
    from ``start``).
    """
    end = _range_end(len(buf), start, end)
    out = bytearray(end - start) if cython.compiled else bytearray()
    n = 0
    i = start
    while i < end:
        b = buf[i]
        if b == HDLC_ESCAPE:
            if i + 1 >= end:
                raise FrameError("HDLC escape 0x7D at the end of the frame", offset=i, skip=i - start + 1)
            nx = buf[i + 1]
            if nx == HDLC_FLAG:
                raise FrameError("HDLC abort sequence 0x7D 0x7E", offset=i, skip=i - start + 1)
            b = nx ^ 0x20
            i += 2
        elif b == HDLC_FLAG:
            raise FrameError("raw flag 0x7E inside a stuffed HDLC frame", offset=i, skip=i - start + 1)
        else:
            i += 1
        if cython.compiled:
            bytearray_set(out, n, b)
        else:
            out.append(b)
        n += 1
    return bytes(out[:n]) if cython.compiled else bytes(out)


def hdlc_stuff(data: Buffer) -> bytes:
    """Apply ISO/IEC 13239 octet stuffing: escape 7E and 7D as 7D (x ^ 0x20)."""
    if not cython.compiled:
        out = bytearray()
        for b in data:
            if b == HDLC_FLAG or b == HDLC_ESCAPE:
                out.append(HDLC_ESCAPE)
                out.append(b ^ 0x20)
            else:
                out.append(b)
        return bytes(out)
    n = len(data)
    out = bytearray(2 * n)
    k = 0
    for i in range(n):
        b = data[i]
        if b == HDLC_FLAG or b == HDLC_ESCAPE:
            bytearray_set(out, k, HDLC_ESCAPE)
            bytearray_set(out, k + 1, b ^ 0x20)
            k += 2
        else:
            bytearray_set(out, k, b)
            k += 1
    return bytes(out[:k])


# -------------------------------------------------------------------- M-Bus


def _mbus_long_check(buf: Buffer, start: int, n: int, end: int) -> int:
    """Verdict on the long frame at ``start`` whose L field is ``n``: 1 valid, 0 incomplete,
    -1 bad stop byte, -2 checksum mismatch (the start bytes and L L are checked by the caller)."""
    total = n + 6
    if start + total > end:
        return 0
    if buf[start + total - 1] != MBUS_STOP:
        return -1
    if _sum(buf, start + 4, start + 4 + n) != buf[start + 4 + n]:
        return -2
    return 1


def _mbus_long(buf: Buffer, start: int, n: int, end: int) -> Union[int, Tuple[Any, ...], FrameError]:
    """Check a long frame of ``n`` bytes from C on; return the result or the error."""
    total = n + 6
    cs_pos = start + 4 + n
    verdict = _mbus_long_check(buf, start, n, end)
    if verdict == 0:
        return start + total
    if verdict == -1:
        return FrameError(
            "M-Bus stop byte is 0x%02X, expected 0x16 (L=%d)" % (buf[start + total - 1], n),
            offset=start + total - 1,
            skip=1,
        )
    if verdict == -2:
        computed = _sum(buf, start + 4, cs_pos)
        return ChecksumError(
            "M-Bus checksum mismatch: computed 0x%02X, frame has 0x%02X" % (computed, buf[cs_pos]),
            expected=computed,
            actual=buf[cs_pos],
            field="mbus",
            offset=cs_pos,
            skip=1,
        )
    return (total, 2, n, buf[start + 4], buf[start + 5], buf[start + 6], start + 7, cs_pos, buf[cs_pos])


def _mbus_long_frame(buf: Buffer, start: int, end: int) -> int:
    """Bytes of the valid M-Bus long frame at ``start``, 0 when incomplete, -1 when not one:
    :func:`mbus_parse`'s decision for a ``68`` start, L below 4 read as L + 256 (Sagemcom)."""
    if start + 4 > end:
        return 0
    if buf[start + 3] != MBUS_LONG or buf[start + 1] != buf[start + 2]:
        return -1
    l1 = buf[start + 1]
    if l1 >= 3:
        first = _mbus_long_check(buf, start, l1, end)
        if first == 1:
            return l1 + 6
        if first == 0:
            return 0
        if l1 > 3:
            return -1
    second = _mbus_long_check(buf, start, l1 + 256, end)  # L = 3 that fails: maybe 259
    return l1 + 262 if second == 1 else (0 if second == 0 else -1)


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
        if l1 > 3 or not isinstance(first, FrameError):
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
        if not (hp_letter[buf[i]] if cython.compiled else buf[i] in _LETTERS):
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
        if odd < 0 and not (hp_ident[c] if cython.compiled else c in _IDENT_CHARS):
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
    if cython.compiled:  # a byte loop over the table of P1 text
        i = pos
        bang = -1
        while True:
            while i < search_end and hp_body[buf[i]]:  # the hot loop: plain P1 text
                i += 1
            if i >= search_end:
                break
            c = buf[i]
            if c != 0x21:
                raise FrameError("byte 0x%02X in a DSMR telegram is not P1 text" % c, offset=i, skip=1)
            prev = buf[i - 1]
            if prev == 0x0A or prev == 0x29:
                bang = i
                break
            i += 1
        if bang < 0:
            if search_end < end:
                raise FrameError("DSMR telegram longer than %d bytes" % max_size, offset=limit, skip=1)
            return end
    else:  # one regex search
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
        if cython.compiled:
            h = hp_hexval[buf[i]]
            if h < 0:
                break
        else:
            hv = _HEX.get(buf[i])
            if hv is None:
                break
            h = hv
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
        computed = _arc(buf, start, bang + 1, True)
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
        crc = -1
        computed = -1
    if odd >= 0 and digits < 4:
        raise FrameError(
            "byte 0x%02X in the DSMR identification line is not printable, and no 4-digit CRC"
            " verifies the telegram" % buf[odd],
            offset=odd,
            skip=1,
        )
    if digits == 0:
        spliced = -1
        if cython.compiled:  # memchr for '/', then the three letters
            k = start + 1
            while k < bang - 3:
                k = find(buf, 0x2F, k, bang - 3)
                if k < 0:
                    break
                if hp_letter[buf[k + 1]] and hp_letter[buf[k + 2]] and hp_letter[buf[k + 3]]:
                    spliced = k
                    break
                k += 1
        else:
            m = _SLASH_LETTERS.search(buf, start + 1, bang)
            if m is not None:
                spliced = m.start()
        if spliced >= 0:
            raise FrameError(
                "DSMR telegram without CRC holds '/' + 3 letters after its start (a cut or false"
                " start spliced to a new telegram)",
                offset=spliced,
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
    if not cython.compiled:
        search = _hunt_pattern(mask).search
    i = start
    while True:  # to the next byte the mask hunts for: a C loop over a table, or a regex search
        if cython.compiled:
            i = skip_to_wanted(buf, i, end, mask)
            if i >= end:
                return end
        else:
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
        elif b == 0x2F:  # '/' + letter anywhere (anchor is not used)
            if i + 1 >= end:
                return -(i + 1)
            if hp_letter[buf[i + 1]] if cython.compiled else buf[i + 1] in _LETTERS:
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
    if cython.compiled:
        return _frame_index(buf, mask)
    return _frame_index(buf if type(buf) is bytes else bytes(buf), mask)


def _frame_index(data: Buffer, mask: int) -> Tuple["array.array[int]", "array.array[int]"]:
    starts = array.array("q")
    sizes = array.array("q")
    hdlc = mask & KIND_HDLC
    mbus = mask & KIND_MBUS
    if not cython.compiled:  # compiled, r is a C struct on the stack
        r = _Hdlc()
    end = len(data)
    i = 0
    n = 0
    while i < end:
        c = data[i]
        size = 0
        if c == 0x7E and hdlc:
            if i + 1 < end and data[i + 1] & 0xF0 == 0xA0:
                if cython.compiled:
                    verdict = _hdlc_check(data, i, end, cython.address(r))
                else:
                    verdict = _hdlc_check(data, i, end, r)
                if verdict == H_OK:
                    size = r.length + 2
        elif c == 0x68 and mbus:
            size = _mbus_long_frame(data, i, end)
        if size > 0:
            if cython.compiled:
                append_q(starts, n, i)
                append_q(sizes, n, size)
            else:
                starts.append(i)
                sizes.append(size)
            n += 1
            i += size - 1 if c == 0x7E else size  # an HDLC closing flag may open the next frame
        else:
            i += 1
    return starts, sizes


def find_byte(buf: Buffer, value: int, start: int, end: int) -> int:
    """Index of the first ``value`` in ``buf[start:end]`` (``end=-1``: to the end), or -1."""
    end = _range_end(len(buf), start, end)
    if cython.compiled:
        return find(buf, value, start, end)
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
    if cython.compiled:
        return _hex_lines_loop(chunk, state, cap, max_lines, final)
    return _hex_lines_search(chunk, state, cap, max_lines, final)


def _hex_lines_search(chunk: Buffer, state: List[Any], cap: int, max_lines: int,
                      final: bool) -> List[Tuple[int, Union[bytes, str]]]:
    """:func:`hex_lines` in pure Python: regex searches over whole lines, runs of dull lines skipped at once."""
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


def _unhex(data: Buffer, start: int, stop: int, ndigits: int) -> bytes:
    """The ``ndigits`` (an even number) hex digits of ``data[start:stop]``, separators skipped, as bytes."""
    out = new_bytes(ndigits // 2)
    m = 0
    hi = -1
    for k in range(start, stop):
        v = hp_hexval[data[k]]
        if v < 0:
            continue
        if hi < 0:
            hi = v
        else:
            bytes_set(out, m, (hi << 4) | v)
            m += 1
            hi = -1
    return out


def _hex_lines_loop(chunk: Buffer, state: List[Any], cap: int, max_lines: int,
                    final: bool) -> List[Tuple[int, Union[bytes, str]]]:
    """:func:`hex_lines` compiled: one pass over the bytes of each line (memchr for the LF)."""
    mv = chunk
    n = len(mv)
    in_tel = state[0]
    hex_ok = state[1]
    head0 = state[2]
    carried = state[3]
    dropped = state[4]
    text_ok = state[5]
    text_carried = state[6]
    head = cython.declare(cython.uchar[4])  # the head of the current line
    hlen = len(head0)
    ncarried = len(carried)
    ndig = ncarried  # digits of the current line
    ntext = len(text_carried)  # text bytes of the current line
    ntext_carried = ntext
    i = 0
    line_start = 0
    out: List[Tuple[int, Union[bytes, str]]] = []
    for k in range(hlen):
        head[k] = head0[k]
    while True:
        hit = find(mv, 0x0A, i, n) if i < n else -1
        stop = hit if hit >= 0 else n
        k = i
        while k < stop and (hlen < 4 or hex_ok or text_ok):
            c = mv[k]
            if hlen < 4 and not (hlen == 0 and (c == 0x20 or c == 0x09 or c == 0x0D or c == 0x00)):
                if hlen == 0 and not (c == 0x7B or hp_letter[c]):
                    text_ok = 0
                head[hlen] = c
                hlen += 1
            if hex_ok:
                if hp_hexval[c] >= 0:
                    if ndig == cap:
                        hex_ok = 0
                        dropped += cap + 1
                        ndig = 0
                        ncarried = 0
                    else:
                        ndig += 1
                elif not (c == 0x20 or c == 0x09 or c == 0x0D or c == 0x3A or c == 0x2D or c == 0x2C):
                    hex_ok = 0
                    ndig = 0
                    ncarried = 0
            if text_ok:
                # printable ASCII, tab, CR or NUL: what a text line may hold
                if ntext == cap or not ((0x20 <= c <= 0x7E) or c == 0x09 or c == 0x0D or c == 0x00):
                    text_ok = 0
                    ntext = 0
                    ntext_carried = 0
                else:
                    ntext += 1
            k += 1
        if hit < 0:
            if not final:
                break
        # the line ends at stop
        emit = hex_ok and ndig > 0 and ndig % 2 == 0
        is_text = not emit and text_ok and hlen > 0
        if hlen >= 4 and head[0] == 0x2F and hp_letter[head[1]] and hp_letter[head[2]] and hp_letter[head[3]]:
            in_tel = max_lines
        elif in_tel:
            if hlen >= 1 and head[0] == 0x21:
                in_tel = 0
            else:
                in_tel -= 1
            emit = 0
            is_text = 0
        if emit:
            if ncarried:
                whole = bytes(carried[:ncarried]) + bytes(chunk[line_start:stop])
                decoded = _unhex(whole, 0, len(whole), ndig)
            else:
                decoded = _unhex(mv, line_start, stop, ndig)
            out.append((stop + 1 if stop < n else n, decoded))
        elif is_text:
            whole = bytes(text_carried[:ntext_carried]) + bytes(chunk[line_start:stop])
            out.append((stop + 1 if stop < n else n, whole.decode("latin-1")))
        hlen = 0
        hex_ok = 1
        ndig = 0
        ncarried = 0
        text_ok = 1
        ntext = 0
        ntext_carried = 0
        i = stop + 1
        line_start = i
        if hit < 0:
            break
    # carry the unfinished line
    if hex_ok and ndig > ncarried:
        new = bytes(chunk[line_start:n]).translate(None, b" \t\r:-,")
        if ncarried == len(carried):
            carried += new
        else:
            carried = bytearray(carried[:ncarried]) + new
    elif ncarried != len(carried):
        carried = bytearray(carried[:ncarried])
    if text_ok and ntext > ntext_carried:
        if ntext_carried == len(text_carried):
            text_carried += chunk[line_start:n]
        else:
            text_carried = bytearray(text_carried[:ntext_carried]) + bytes(chunk[line_start:n])
    elif ntext_carried != len(text_carried):
        text_carried = bytearray(text_carried[:ntext_carried])
    state[0] = in_tel
    state[1] = 1 if hex_ok else 0
    state[2] = head_bytes(head, hlen)
    state[3] = carried
    state[4] = dropped
    state[5] = 1 if text_ok else 0
    state[6] = text_carried
    return out
