# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`hanparse._purepy` (the "core" pair).

CRC-16/X.25, CRC-16/ARC, the M-Bus sum, HDLC / M-Bus / DSMR frame
validation, octet (un)stuffing and the candidate hunt, as C loops over
typed memoryviews (bytes, bytearray and memoryview are read in place, never
copied).  Names, signatures, results and exceptions are identical to the
pure-Python twin, whose docstrings describe each function; the differential
hypothesis tests hold the two together.
"""

from libc.string cimport memchr
from cpython cimport array
import array as _array
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize

from hanparse.errors import ChecksumError, FrameError

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
    "KIND_HDLC",
    "KIND_MBUS",
    "KIND_DSMR",
    "KIND_MBUS_SHORT",
    "frame_index",
]

KIND_HDLC = 1
KIND_MBUS = 2
KIND_DSMR = 4
KIND_MBUS_SHORT = 8

cdef enum:
    HDLC_MIN_LENGTH = 7
    DSMR_IDENT_MAX = 256
    DSMR_MAX_EOL = 4

# slice-by-8 tables: X25S[0] is the classic byte table; X25S[k][b] is the
# CRC of byte b followed by k zero bytes, so 8 input bytes fold in at once
cdef unsigned short X25S[8][256]
cdef unsigned short ARCS[8][256]
cdef unsigned char TEXT[256]  # P1 telegram bytes
cdef unsigned char BODY[256]  # P1 telegram bytes but '!' (the body scan stops at '!' and at non-text)
cdef unsigned char IDENT[256]  # identification line bytes
cdef unsigned char LETTER[256]
cdef signed char HEXVAL[256]


cdef void _init_tables():
    cdef int byte, k
    cdef unsigned int a, b
    for byte in range(256):
        a = byte
        b = byte
        for k in range(8):
            if a & 1:
                a = (a >> 1) ^ 0x8408
            else:
                a = a >> 1
            if b & 1:
                b = (b >> 1) ^ 0xA001
            else:
                b = b >> 1
        X25S[0][byte] = <unsigned short>a
        ARCS[0][byte] = <unsigned short>b
        TEXT[byte] = 1 if (0x20 <= byte < 0x7F or byte in (0x00, 0x02, 0x09, 0x0A, 0x0D)) else 0
        BODY[byte] = TEXT[byte] if byte != 0x21 else 0
        IDENT[byte] = 1 if (0x20 <= byte < 0x7F or byte == 0x02) else 0
        LETTER[byte] = 1 if (0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A) else 0
        if 0x30 <= byte <= 0x39:
            HEXVAL[byte] = byte - 0x30
        elif 0x41 <= byte <= 0x46:
            HEXVAL[byte] = byte - 0x41 + 10
        elif 0x61 <= byte <= 0x66:
            HEXVAL[byte] = byte - 0x61 + 10
        else:
            HEXVAL[byte] = -1


    for k in range(1, 8):
        for byte in range(256):
            a = X25S[k - 1][byte]
            X25S[k][byte] = <unsigned short>((a >> 8) ^ X25S[0][a & 0xFF])
            b = ARCS[k - 1][byte]
            ARCS[k][byte] = <unsigned short>((b >> 8) ^ ARCS[0][b & 0xFF])


_init_tables()


cdef inline unsigned int _crc16_reflected(unsigned short[8][256] t, unsigned int crc,
                                          const unsigned char* p, Py_ssize_t n) nogil:
    """Table-driven reflected CRC-16, eight bytes per step (slice-by-8)."""
    cdef Py_ssize_t i = 0
    cdef unsigned int lo
    while i + 8 <= n:
        lo = crc ^ (p[i] | (<unsigned int>p[i + 1] << 8))
        crc = (t[7][lo & 0xFF] ^ t[6][lo >> 8] ^ t[5][p[i + 2]] ^ t[4][p[i + 3]]
               ^ t[3][p[i + 4]] ^ t[2][p[i + 5]] ^ t[1][p[i + 6]] ^ t[0][p[i + 7]])
        i += 8
    while i < n:
        crc = (crc >> 8) ^ t[0][(crc ^ p[i]) & 0xFF]
        i += 1
    return crc


cdef inline unsigned int _x25(const unsigned char* p, Py_ssize_t n) nogil:
    return _crc16_reflected(X25S, 0xFFFF, p, n) ^ 0xFFFF


cdef inline unsigned int _arc(const unsigned char* p, Py_ssize_t n) nogil:
    return _crc16_reflected(ARCS, 0, p, n)


cdef inline unsigned int _sum(const unsigned char* p, Py_ssize_t n) nogil:
    cdef unsigned int s = 0
    cdef Py_ssize_t i
    for i in range(n):
        s += p[i]
    return s & 0xFF


cdef inline const unsigned char* _ptr(const unsigned char[::1] mv):
    # a zero-length view has no element 0 to take the address of
    if mv.shape[0] == 0:
        return <const unsigned char*>b""
    return &mv[0]


cdef Py_ssize_t _check_range(Py_ssize_t n, Py_ssize_t start, Py_ssize_t* end) except -1:
    if end[0] == -1:
        end[0] = n
    if start < 0 or end[0] > n or start > end[0]:
        raise ValueError("range [%d:%d] is outside the %d-byte buffer" % (start, end[0], n))
    return 0


# ---------------------------------------------------------------- checksums


def crc16_x25(const unsigned char[::1] data, Py_ssize_t start=0, Py_ssize_t end=-1):
    """CRC-16/X.25 of ``data[start:end]`` (``end=-1``: to the end)."""
    _check_range(data.shape[0], start, &end)
    cdef const unsigned char* p = _ptr(data)
    cdef unsigned int crc
    with nogil:
        crc = _x25(p + start, end - start)
    return crc


def crc16_arc(const unsigned char[::1] data, Py_ssize_t start=0, Py_ssize_t end=-1):
    """CRC-16/ARC of ``data[start:end]`` (``end=-1``: to the end)."""
    _check_range(data.shape[0], start, &end)
    cdef const unsigned char* p = _ptr(data)
    cdef unsigned int crc
    with nogil:
        crc = _arc(p + start, end - start)
    return crc


def mbus_checksum(const unsigned char[::1] data, Py_ssize_t start=0, Py_ssize_t end=-1):
    """Arithmetic sum of ``data[start:end]`` modulo 256 (the M-Bus CS)."""
    _check_range(data.shape[0], start, &end)
    return _sum(_ptr(data) + start, end - start)


# --------------------------------------------------------------------- HDLC


# the verdicts of _hdlc_check (its return value)
cdef enum:
    H_OK = 0
    H_MORE = 1          # incomplete: bytes up to r.need are needed
    H_FILL = 2          # 7E 7E: a fill flag
    H_TYPE = -1
    H_SHORT = -2
    H_DST = -3
    H_SRC = -4
    H_FIT = -5
    H_ONE = -6
    H_HCS = -7
    H_CLOSE = -8
    H_FCS = -9


cdef struct _Hdlc:
    Py_ssize_t need, length, dst_start, src_start, control_pos, info_start, info_end, at
    int segmented, control, f0
    long hcs
    unsigned int fcs, computed, found


cdef int _hdlc_check(const unsigned char* b, Py_ssize_t start, Py_ssize_t end, _Hdlc* r) noexcept nogil:
    """The HDLC framer's verdict on the frame whose opening flag (7E) is at ``start``.

    No Python objects: :func:`hdlc_parse` turns the verdict into its
    result or error, and :func:`frame_index` uses it directly.
    """
    cdef Py_ssize_t p, header_end, fcs_pos, rest, close
    cdef int k, done
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
    p = r.dst_start
    done = 0
    for k in range(4):
        if p >= end:
            r.need = p + 1
            return H_MORE
        p += 1
        if b[p - 1] & 1:
            done = 1
            break
    if not done:
        return H_DST
    r.src_start = p
    done = 0
    for k in range(4):
        if p >= end:
            r.need = p + 1
            return H_MORE
        p += 1
        if b[p - 1] & 1:
            done = 1
            break
    if not done:
        return H_SRC
    r.control_pos = p
    header_end = p + 1
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
        r.computed = _x25(b + start + 1, header_end - start - 1)
        if r.computed != <unsigned int>r.hcs:
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
    r.computed = _x25(b + start + 1, fcs_pos - start - 1)
    if r.computed != r.fcs:
        r.at = fcs_pos
        return H_FCS
    return H_OK


def hdlc_parse(const unsigned char[::1] buf, Py_ssize_t start):
    """Validate the HDLC frame whose opening flag is at ``start`` (see _purepy)."""
    cdef Py_ssize_t end = buf.shape[0]
    cdef _Hdlc r
    cdef int verdict
    if start < 0 or start >= end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    cdef const unsigned char* b = &buf[0]
    if b[start] != 0x7E:
        raise FrameError(
            "HDLC frame must start with flag 0x7E, got 0x%02X" % b[start], offset=start, skip=1
        )
    verdict = _hdlc_check(b, start, end, &r)
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


def hdlc_unstuff(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t end):
    """Remove ISO/IEC 13239 octet stuffing from ``buf[start:end]`` (see _purepy)."""
    _check_range(buf.shape[0], start, &end)
    cdef const unsigned char* b = _ptr(buf)
    cdef bytearray out = bytearray(end - start)
    cdef unsigned char* o = out
    cdef Py_ssize_t i = start, n = 0
    cdef unsigned char c, nx
    while i < end:
        c = b[i]
        if c == 0x7D:
            if i + 1 >= end:
                raise FrameError("HDLC escape 0x7D at the end of the frame", offset=i, skip=i - start + 1)
            nx = b[i + 1]
            if nx == 0x7E:
                raise FrameError("HDLC abort sequence 0x7D 0x7E", offset=i, skip=i - start + 1)
            o[n] = nx ^ 0x20
            n += 1
            i += 2
        elif c == 0x7E:
            raise FrameError("raw flag 0x7E inside a stuffed HDLC frame", offset=i, skip=i - start + 1)
        else:
            o[n] = c
            n += 1
            i += 1
    return bytes(out[:n])


def hdlc_stuff(const unsigned char[::1] data):
    """Apply ISO/IEC 13239 octet stuffing: escape 7E and 7D as 7D (x ^ 0x20)."""
    cdef Py_ssize_t n = data.shape[0], i, k = 0
    cdef const unsigned char* b = _ptr(data)
    cdef bytearray out = bytearray(2 * n)
    cdef unsigned char* o = out
    cdef unsigned char c
    for i in range(n):
        c = b[i]
        if c == 0x7E or c == 0x7D:
            o[k] = 0x7D
            o[k + 1] = c ^ 0x20
            k += 2
        else:
            o[k] = c
            k += 1
    return bytes(out[:k])


# -------------------------------------------------------------------- M-Bus


cdef int _mbus_long_check(const unsigned char* b, Py_ssize_t start, Py_ssize_t n, Py_ssize_t end) noexcept nogil:
    """Verdict on the long frame at ``start`` whose L field is ``n``: 1 valid, 0 incomplete,
    -1 bad stop byte, -2 checksum mismatch (the start bytes and L L are checked by the caller)."""
    cdef Py_ssize_t total = n + 6
    if start + total > end:
        return 0
    if b[start + total - 1] != 0x16:
        return -1
    if _sum(b + start + 4, n) != b[start + 4 + n]:
        return -2
    return 1


cdef object _mbus_long(const unsigned char* b, Py_ssize_t start, Py_ssize_t n, Py_ssize_t end):
    cdef Py_ssize_t total = n + 6
    cdef Py_ssize_t cs_pos = start + 4 + n
    cdef int verdict = _mbus_long_check(b, start, n, end)
    if verdict == 0:
        return start + total
    if verdict == -1:
        return FrameError(
            "M-Bus stop byte is 0x%02X, expected 0x16 (L=%d)" % (b[start + total - 1], n),
            offset=start + total - 1,
            skip=1,
        )
    if verdict == -2:
        computed = _sum(b + start + 4, n)
        return ChecksumError(
            "M-Bus checksum mismatch: computed 0x%02X, frame has 0x%02X" % (computed, b[cs_pos]),
            expected=computed,
            actual=b[cs_pos],
            field="mbus",
            offset=cs_pos,
            skip=1,
        )
    return (total, 2, n, b[start + 4], b[start + 5], b[start + 6], start + 7, cs_pos, b[cs_pos])


cdef Py_ssize_t _mbus_long_frame(const unsigned char* b, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """Bytes of the valid M-Bus long frame at ``start``, 0 when incomplete, -1 when not one:
    :func:`mbus_parse`'s decision for a ``68`` start, L below 4 read as L + 256 (Sagemcom)."""
    cdef unsigned int l1
    cdef int first, second
    if start + 4 > end:
        return 0
    if b[start + 3] != 0x68 or b[start + 1] != b[start + 2]:
        return -1
    l1 = b[start + 1]
    if l1 >= 3:
        first = _mbus_long_check(b, start, l1, end)
        if first == 1:
            return l1 + 6
        if first == 0:
            return 0
        if l1 > 3:
            return -1
        second = _mbus_long_check(b, start, l1 + 256, end)  # L = 3: maybe 259
        return l1 + 262 if second == 1 else (0 if second == 0 else -1)
    second = _mbus_long_check(b, start, l1 + 256, end)
    return l1 + 262 if second == 1 else (0 if second == 0 else -1)


def mbus_parse(const unsigned char[::1] buf, Py_ssize_t start):
    """Validate the M-Bus frame at ``start`` (see _purepy)."""
    cdef Py_ssize_t end = buf.shape[0]
    cdef unsigned int c0, l1, l2, computed
    if start < 0 or start >= end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    cdef const unsigned char* b = &buf[0]
    c0 = b[start]
    if c0 == 0xE5:
        return (1, 0, -1, -1, -1, -1, start + 1, start + 1, -1)
    if c0 == 0x10:
        if start + 5 > end:
            return start + 5
        if b[start + 4] != 0x16:
            raise FrameError(
                "M-Bus short frame stop byte is 0x%02X, expected 0x16" % b[start + 4],
                offset=start + 4,
                skip=1,
            )
        computed = (b[start + 1] + b[start + 2]) & 0xFF
        if computed != b[start + 3]:
            raise ChecksumError(
                "M-Bus checksum mismatch: computed 0x%02X, frame has 0x%02X" % (computed, b[start + 3]),
                expected=computed,
                actual=b[start + 3],
                field="mbus",
                offset=start + 3,
                skip=1,
            )
        return (5, 1, -1, b[start + 1], b[start + 2], -1, start + 3, start + 3, b[start + 3])
    if c0 != 0x68:
        raise FrameError("0x%02X does not start an M-Bus frame" % c0, offset=start, skip=1)
    if start + 4 > end:
        return start + 4
    if b[start + 3] != 0x68:
        raise FrameError(
            "M-Bus long frame: second start byte is 0x%02X, expected 0x68" % b[start + 3],
            offset=start + 3,
            skip=1,
        )
    l1 = b[start + 1]
    l2 = b[start + 2]
    if l1 != l2:
        raise FrameError(
            "M-Bus long frame: length bytes differ (0x%02X, 0x%02X)" % (l1, l2), offset=start + 1, skip=1
        )
    if l1 >= 3:
        first = _mbus_long(b, start, l1, end)
        if l1 > 3 or not isinstance(first, FrameError):
            if isinstance(first, FrameError):
                raise first
            return first
        second = _mbus_long(b, start, l1 + 256, end)
        if isinstance(second, FrameError):
            raise first
        return second
    result = _mbus_long(b, start, l1 + 256, end)
    if isinstance(result, FrameError):
        raise result
    return result


# --------------------------------------------------------------------- DSMR


def dsmr_parse(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t scan_from,
               Py_ssize_t max_size, bint final):
    """Validate the DSMR/P1 telegram whose ``/`` is at ``start`` (see _purepy)."""
    cdef Py_ssize_t end = buf.shape[0]
    cdef Py_ssize_t i, k, ident_end, body_start, bang, limit, stop, consumed, odd
    cdef const unsigned char* q
    cdef int digits, eol, h
    cdef unsigned int c, prev
    cdef long crc, computed
    if start < 0 or start >= end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    cdef const unsigned char* b = &buf[0]
    if b[start] != 0x2F:
        raise FrameError("DSMR telegram must start with '/', got 0x%02X" % b[start], offset=start, skip=1)
    i = start + 1
    while i < start + 4:
        if i >= end:
            return start
        if not LETTER[b[i]]:
            raise FrameError(
                "DSMR identification must start with 3 letters, got 0x%02X" % b[i], offset=i, skip=1
            )
        i += 1
    odd = -1  # first non-printable byte of the identification line: the CRC decides
    while True:
        if i >= end:
            return start
        c = b[i]
        if c == 0x0D or c == 0x0A:
            break
        if odd < 0 and not IDENT[c]:
            odd = i
        i += 1
        if i - start > DSMR_IDENT_MAX:
            raise FrameError(
                "DSMR identification line longer than %d bytes" % DSMR_IDENT_MAX, offset=i, skip=1
            )
    ident_end = i
    if ident_end - start < 5:
        raise FrameError("DSMR identification line too short", offset=ident_end, skip=1)
    if b[i] == 0x0D:
        if i + 1 >= end:
            return start
        if b[i + 1] != 0x0A:
            raise FrameError(
                "DSMR identification line: CR followed by 0x%02X, expected LF" % b[i + 1],
                offset=i + 1,
                skip=1,
            )
        i += 1
    body_start = i + 1
    i = scan_from if scan_from > body_start else body_start
    limit = start + max_size
    bang = -1
    stop = end if end < limit else limit
    while True:
        while i < stop and BODY[b[i]]:  # the hot loop: plain P1 text
            i += 1
        if i >= stop:
            break
        c = b[i]
        if c != 0x21:
            raise FrameError("byte 0x%02X in a DSMR telegram is not P1 text" % c, offset=i, skip=1)
        prev = b[i - 1]
        if prev == 0x0A or prev == 0x29:
            bang = i
            break
        i += 1
    if bang < 0:
        if stop < end:
            raise FrameError("DSMR telegram longer than %d bytes" % max_size, offset=limit, skip=1)
        return end
    # end line: '!' and up to 4 hex digits
    i = bang + 1
    crc = 0
    digits = 0
    while digits < 4:
        if i >= end:
            if not final:
                return bang
            break
        h = HEXVAL[b[i]]
        if h < 0:
            break
        crc = (crc << 4) | h
        digits += 1
        i += 1
    if digits:
        if digits < 4 and i < end and b[i] != 0x0D and b[i] != 0x00 and b[i] != 0x0A:
            raise FrameError(
                "DSMR end line: unexpected byte 0x%02X after '!' and %d CRC digits" % (b[i], digits),
                offset=i,
                skip=1,
            )
        with nogil:
            computed = _arc(b + start, bang + 1 - start)
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
        if i < end and b[i] != 0x0D and b[i] != 0x00 and b[i] != 0x0A and b[i] != 0x2F:
            raise FrameError(
                "DSMR end line: '!' followed by 0x%02X, neither a CRC digit, a line end nor a new '/'" % b[i],
                offset=i,
                skip=1,
            )
        crc = -1
        computed = -1
    if odd >= 0 and digits < 4:
        raise FrameError(
            "byte 0x%02X in the DSMR identification line is not printable, and no 4-digit CRC"
            " verifies the telegram" % b[odd],
            offset=odd,
            skip=1,
        )
    if digits == 0:
        k = start + 1
        while k < bang - 3:
            q = <const unsigned char*>memchr(b + k, 0x2F, bang - 3 - k)
            if q == NULL:
                break
            k = q - b
            if LETTER[b[k + 1]] and LETTER[b[k + 2]] and LETTER[b[k + 3]]:
                raise FrameError(
                    "DSMR telegram without CRC holds '/' + 3 letters after its start (a cut or false"
                    " start spliced to a new telegram)",
                    offset=k,
                    skip=1,
                )
            k += 1
    # tail: CR / NUL bytes (bounded) and one LF; any other byte is after the telegram
    eol = 0
    while i < end and eol < DSMR_MAX_EOL and (b[i] == 0x0D or b[i] == 0x00):
        eol += 1
        i += 1
    if i >= end:
        if not final:
            return bang
        consumed = end - start
    elif b[i] == 0x0A:
        consumed = i + 1 - start
    else:
        consumed = i - start
    return (consumed, ident_end, body_start, bang, crc, digits, computed)


# ------------------------------------------------------------------ hunting


def find_candidate(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t anchor, int mask):
    """Index of the first plausible frame start at or after ``start`` (see _purepy)."""
    cdef Py_ssize_t end = buf.shape[0]
    cdef Py_ssize_t i
    cdef unsigned char c
    cdef unsigned char want[256]
    cdef int k
    if start < 0 or start > end:
        raise ValueError("start %d is outside the %d-byte buffer" % (start, end))
    for k in range(256):
        want[k] = 0
    if mask & 1:
        want[0x7E] = 1
    if mask & 2:
        want[0x68] = 1
    if mask & 4:
        want[0x2F] = 1
    if mask & 8:
        want[0x10] = 1
        want[0xE5] = 1
    cdef const unsigned char* b = _ptr(buf)
    i = start
    while i < end:
        c = b[i]
        if not want[c]:
            i += 1
            continue
        if c == 0x7E:
            if i + 1 >= end:
                return -(i + 1)
            if b[i + 1] & 0xF0 == 0xA0:
                return i
        elif c == 0x68:
            if i + 3 >= end:
                return -(i + 1)
            if b[i + 3] == 0x68 and b[i + 1] == b[i + 2]:
                return i
        elif c == 0x2F:  # '/' + letter anywhere (anchor is not used)
            if i + 1 >= end:
                return -(i + 1)
            if LETTER[b[i + 1]]:
                return i
        elif c == 0xE5:
            return i
        else:
            if i + 4 >= end:
                return -(i + 1)
            if b[i + 4] == 0x16 and ((b[i + 1] + b[i + 2]) & 0xFF) == b[i + 3]:
                return i
        i += 1
    return end


def frame_index(const unsigned char[::1] buf, int mask=3):
    """Start and size of every valid HDLC and M-Bus long frame in a complete capture (see _purepy)."""
    cdef const unsigned char* b = _ptr(buf)
    cdef Py_ssize_t end = buf.shape[0]
    cdef Py_ssize_t i = 0, size, n = 0
    cdef array.array starts = _array.array("q")
    cdef array.array sizes = _array.array("q")
    cdef _Hdlc r
    cdef unsigned char c
    cdef bint hdlc = mask & KIND_HDLC, mbus = mask & KIND_MBUS
    while i < end:
        c = b[i]
        size = 0
        if c == 0x7E and hdlc:
            if i + 1 < end and b[i + 1] & 0xF0 == 0xA0 and _hdlc_check(b, i, end, &r) == H_OK:
                size = r.length + 2
        elif c == 0x68 and mbus:
            size = _mbus_long_frame(b, i, end)
        if size > 0:
            array.resize_smart(starts, n + 1)
            array.resize_smart(sizes, n + 1)
            starts.data.as_longlongs[n] = i
            sizes.data.as_longlongs[n] = size
            n += 1
            i += size - 1 if c == 0x7E else size  # an HDLC closing flag may open the next frame
        else:
            i += 1
    return starts, sizes


def find_byte(const unsigned char[::1] buf, int value, Py_ssize_t start, Py_ssize_t end):
    """Index of the first ``value`` in ``buf[start:end]`` (``end=-1``: to the end), or -1."""
    _check_range(buf.shape[0], start, &end)
    cdef const unsigned char* b = _ptr(buf)
    cdef const void* hit
    if end <= start:
        return -1
    hit = memchr(b + start, value & 0xFF, end - start)
    if hit == NULL:
        return -1
    return <const unsigned char*>hit - b


# ---------------------------------------------------------------- hex-text lines

def hex_line_state():
    """A fresh state for :func:`hex_lines`: ``[in_telegram, hex_ok, head, digits, dropped, text_ok, text]``."""
    return [0, 1, b"", bytearray(), 0, 1, bytearray()]


cdef bytes _unhex(const unsigned char* p, Py_ssize_t n, Py_ssize_t ndigits):
    # p[:n] holds ndigits hex digits (an even number) and separators
    cdef bytes out = PyBytes_FromStringAndSize(NULL, ndigits // 2)
    cdef unsigned char* q = <unsigned char*>PyBytes_AS_STRING(out)
    cdef Py_ssize_t k, m = 0
    cdef int hi = -1
    cdef signed char v
    for k in range(n):
        v = HEXVAL[p[k]]
        if v < 0:
            continue
        if hi < 0:
            hi = v
        else:
            q[m] = <unsigned char>((hi << 4) | v)
            m += 1
            hi = -1
    return out


cdef inline bint _text_byte(unsigned char c):
    # printable ASCII, tab, CR or NUL: what a text line may hold
    return (0x20 <= c <= 0x7E) or c == 0x09 or c == 0x0D or c == 0x00


def hex_lines(chunk, list state, Py_ssize_t cap, Py_ssize_t max_lines, bint final):
    """Split a stream chunk into lines and return the hex-text and text lines it ends (see the pure twin)."""
    cdef const unsigned char[::1] mv = chunk
    cdef const unsigned char* p = _ptr(mv)
    cdef Py_ssize_t n = mv.shape[0]
    cdef Py_ssize_t in_tel = state[0]
    cdef bint hex_ok = state[1]
    cdef bytes head0 = state[2]
    cdef bytearray carried = state[3]
    cdef Py_ssize_t dropped = state[4]
    cdef bint text_ok = state[5]
    cdef bytearray text_carried = state[6]
    cdef unsigned char head[4]
    cdef Py_ssize_t hlen = len(head0)
    cdef Py_ssize_t ncarried = len(carried)
    cdef Py_ssize_t ndig = ncarried  # digits of the current line
    cdef Py_ssize_t ntext = len(text_carried)  # text bytes of the current line
    cdef Py_ssize_t ntext_carried = ntext
    cdef Py_ssize_t i = 0, k, stop, line_start = 0
    cdef const void* hit
    cdef unsigned char c
    cdef bint emit, is_text
    cdef bytes decoded
    cdef list out = []
    for k in range(hlen):
        head[k] = head0[k]
    while True:
        hit = memchr(p + i, 0x0A, n - i) if i < n else NULL
        stop = (<const unsigned char*>hit - p) if hit != NULL else n
        k = i
        while k < stop and (hlen < 4 or hex_ok or text_ok):
            c = p[k]
            if hlen < 4 and not (hlen == 0 and (c == 0x20 or c == 0x09 or c == 0x0D or c == 0x00)):
                if hlen == 0 and not (c == 0x7B or LETTER[c]):
                    text_ok = 0
                head[hlen] = c
                hlen += 1
            if hex_ok:
                if HEXVAL[c] >= 0:
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
                if ntext == cap or not _text_byte(c):
                    text_ok = 0
                    ntext = 0
                    ntext_carried = 0
                else:
                    ntext += 1
            k += 1
        if hit == NULL:
            if not final:
                break
        # the line ends at stop
        emit = hex_ok and ndig > 0 and ndig % 2 == 0
        is_text = not emit and text_ok and hlen > 0
        if hlen >= 4 and head[0] == 0x2F and LETTER[head[1]] and LETTER[head[2]] and LETTER[head[3]]:
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
                decoded = _unhex(<const unsigned char*>PyBytes_AS_STRING(whole), len(whole), ndig)
            else:
                decoded = _unhex(p + line_start, stop - line_start, ndig)
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
        if hit == NULL:
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
    state[2] = PyBytes_FromStringAndSize(<char*>head, hlen)
    state[3] = carried
    state[4] = dropped
    state[5] = 1 if text_ok else 0
    state[6] = text_carried
    return out
