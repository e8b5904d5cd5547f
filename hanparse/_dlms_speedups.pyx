# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled A-XDR tree walk and APDU headers (twin of ``_dlms_purepy``).

Same names, signatures, results and errors (messages and offsets included)
as :mod:`hanparse._dlms_purepy`, whose docstring gives the value
representation.  The walk reads a ``const unsigned char *`` over the input
(bytes directly, other buffers through a typed memoryview) with explicit
bounds checks and builds the Python objects in place.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from cpython.unicode cimport PyUnicode_DecodeLatin1, PyUnicode_DecodeUTF8
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy

from hanparse.dlms.types import TAG_NAMES, BitString, Date, DateTime, Time
from hanparse.errors import DecodeError

__all__ = [
    "MAX_DEPTH",
    "REPAIR_CLASS_OBIS_ATTRIBUTE",
    "REPAIR_SWAPPED_OBIS_TAG",
    "decode_data",
    "decode_data_lenient",
    "decode_data_notification",
    "decode_data_notification_repaired",
    "decode_body",
    "decode_gbt",
]

MAX_DEPTH = 32
cdef int _MAX_DEPTH = 32
cdef int64_t _SIZE_CAP = (<int64_t>1) << 40

cdef object _TAG_NAMES = TAG_NAMES
cdef object _DateTime = DateTime
cdef object _Date = Date
cdef object _Time = Time
cdef object _BitString = BitString
cdef object _DecodeError = DecodeError

# minimum encoded size of each simple type inside a compact-array (0: not allowed)
cdef int _MIN_SIZE[32]
_MIN_SIZE[:] = [0, 0, 0, 1, 1, 4, 4, 0, 0, 1, 1, 0, 1, 1, 0, 1,
                2, 1, 2, 0, 8, 8, 1, 4, 8, 12, 5, 4, 0, 0, 0, 0]


# Values that repeat in every frame are shared instead of rebuilt (both are
# immutable): 6-byte octet-strings (OBIS codes; a bounded direct-mapped cache,
# which also keeps their hash cached for the dict lookups downstream) and the
# scaler_unit structure {integer, enum} of every register.
cdef enum:
    _OBIS_SLOTS = 4096
cdef uint64_t _obis_keys[_OBIS_SLOTS]
cdef PyObject* _obis_vals[_OBIS_SLOTS]
cdef PyObject* _scaler_unit[65536]


cdef inline uint16_t _u16(const unsigned char* p) noexcept nogil:
    return (<uint16_t>p[0] << 8) | p[1]


cdef inline uint32_t _u32(const unsigned char* p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef inline uint64_t _u64(const unsigned char* p) noexcept nogil:
    return (<uint64_t>_u32(p) << 32) | _u32(p + 4)


cdef object _octets6(const unsigned char* p):
    cdef uint64_t key = (<uint64_t>_u16(p) << 32) | _u32(p + 2) | (<uint64_t>1 << 63)
    cdef size_t h = <size_t>((key * <uint64_t>0x9E3779B97F4A7C15) >> 52)
    cdef object v
    if _obis_keys[h] == key:
        return <object>_obis_vals[h]
    v = PyBytes_FromStringAndSize(<const char*>p, 6)
    Py_INCREF(v)
    Py_XDECREF(_obis_vals[h])
    _obis_vals[h] = <PyObject*>v
    _obis_keys[h] = key
    return v


cdef object _scaler_unit_pair(int8_t scaler, unsigned char unit):
    cdef int k = (<unsigned char>scaler << 8) | unit
    cdef object v
    if _scaler_unit[k] != NULL:
        return <object>_scaler_unit[k]
    v = (scaler, unit)
    Py_INCREF(v)
    _scaler_unit[k] = <PyObject*>v
    return v


cdef inline object _trunc(str name, Py_ssize_t at):
    return _DecodeError("truncated A-XDR " + name, offset=at)


cdef inline object _name(int tag):
    return _TAG_NAMES[tag]


cdef Py_ssize_t _length(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, str name,
                        Py_ssize_t at, Py_ssize_t* out) except -1:
    """Read an A-XDR length at ``pos`` into ``out``; return the position after it."""
    cdef unsigned char c
    cdef int n, i
    cdef Py_ssize_t v
    if pos >= end:
        raise _trunc(name, at)
    c = b[pos]
    if c < 0x80:
        out[0] = c
        return pos + 1
    n = c - 0x80
    if n == 0 or n > 4:
        raise _DecodeError("invalid A-XDR length byte 0x%02X" % c, offset=pos)
    if pos + 1 + n > end:
        raise _trunc(name, at)
    v = 0
    for i in range(n):
        v = (v << 8) | b[pos + 1 + i]
    out[0] = v
    return pos + 1 + n


cdef object _simple(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int tag, Py_ssize_t at):
    """Decode the content of a non-container tag at ``ppos[0]`` (after any tag byte)."""
    cdef Py_ssize_t pos = ppos[0]
    cdef Py_ssize_t n, nbytes
    cdef uint32_t u32
    cdef uint64_t u64
    cdef float f32
    cdef double f64
    cdef object v
    if tag == 9 or tag == 10 or tag == 12:
        pos = _length(b, pos, end, _name(tag), at, &n)
        if n > end - pos:
            raise _trunc(_name(tag), at)
        if tag == 9:
            v = _octets6(b + pos) if n == 6 else PyBytes_FromStringAndSize(<const char*>b + pos, n)
        elif tag == 10:
            v = PyUnicode_DecodeLatin1(<const char*>b + pos, n, NULL)
        else:
            try:
                v = PyUnicode_DecodeUTF8(<const char*>b + pos, n, NULL)
            except UnicodeDecodeError:
                raise _DecodeError("invalid UTF-8 in A-XDR utf8-string", offset=at) from None
        ppos[0] = pos + n
        return v
    if tag == 6:
        if pos + 4 > end:
            raise _trunc("double-long-unsigned", at)
        ppos[0] = pos + 4
        return _u32(b + pos)
    if tag == 18:
        if pos + 2 > end:
            raise _trunc("long-unsigned", at)
        ppos[0] = pos + 2
        return _u16(b + pos)
    if tag == 17 or tag == 22 or tag == 13:
        if pos >= end:
            raise _trunc(_name(tag), at)
        ppos[0] = pos + 1
        return b[pos]
    if tag == 15:
        if pos >= end:
            raise _trunc("integer", at)
        ppos[0] = pos + 1
        return <int8_t>b[pos]
    if tag == 16:
        if pos + 2 > end:
            raise _trunc("long", at)
        ppos[0] = pos + 2
        return <int16_t>_u16(b + pos)
    if tag == 5:
        if pos + 4 > end:
            raise _trunc("double-long", at)
        ppos[0] = pos + 4
        return <int32_t>_u32(b + pos)
    if tag == 20:
        if pos + 8 > end:
            raise _trunc("long64", at)
        ppos[0] = pos + 8
        return <int64_t>_u64(b + pos)
    if tag == 21:
        if pos + 8 > end:
            raise _trunc("long64-unsigned", at)
        ppos[0] = pos + 8
        return _u64(b + pos)
    if tag == 0:
        return None
    if tag == 3:
        if pos >= end:
            raise _trunc("boolean", at)
        ppos[0] = pos + 1
        return b[pos] != 0
    if tag == 23:
        if pos + 4 > end:
            raise _trunc("float32", at)
        u32 = _u32(b + pos)
        memcpy(&f32, &u32, 4)
        ppos[0] = pos + 4
        return <double>f32
    if tag == 24:
        if pos + 8 > end:
            raise _trunc("float64", at)
        u64 = _u64(b + pos)
        memcpy(&f64, &u64, 8)
        ppos[0] = pos + 8
        return f64
    if tag == 4:
        pos = _length(b, pos, end, "bit-string", at, &n)
        nbytes = (n + 7) >> 3
        if nbytes > end - pos:
            raise _trunc("bit-string", at)
        ppos[0] = pos + nbytes
        return _BitString(n, PyBytes_FromStringAndSize(<const char*>b + pos, nbytes))
    if tag == 25 or tag == 26 or tag == 27:
        n = 12 if tag == 25 else (5 if tag == 26 else 4)
        if pos + n > end:
            raise _trunc(_name(tag), at)
        ppos[0] = pos + n
        v = PyBytes_FromStringAndSize(<const char*>b + pos, n)
        if tag == 25:
            return _DateTime(v)
        return _Date(v) if tag == 26 else _Time(v)
    raise _DecodeError("unknown A-XDR tag 0x%02X" % tag, offset=at)


cdef object _data(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth):
    """Decode one tagged Data element at ``ppos[0]``, advancing it."""
    cdef Py_ssize_t pos = ppos[0]
    cdef Py_ssize_t at, count, i
    cdef int tag
    cdef object item, container
    if pos >= end:
        raise _DecodeError("truncated A-XDR data: tag expected", offset=pos)
    tag = b[pos]
    if tag == 2 or tag == 1:
        at = pos
        if depth >= _MAX_DEPTH:
            raise _DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=at)
        name = "structure" if tag == 2 else "array"
        pos = _length(b, pos + 1, end, name, at, &count)
        if count > end - pos:
            raise _DecodeError("A-XDR %s count %d exceeds the %d bytes left" % (name, count, end - pos), offset=at)
        ppos[0] = pos
        if tag == 2:
            if count == 2 and pos + 4 <= end and b[pos] == 0x0F and b[pos + 2] == 0x16:
                ppos[0] = pos + 4  # scaler_unit {integer, enum}
                return _scaler_unit_pair(<int8_t>b[pos + 1], b[pos + 3])
            container = PyTuple_New(count)
            for i in range(count):
                item = _data(b, ppos, end, depth + 1)
                Py_INCREF(item)
                PyTuple_SET_ITEM(container, i, item)
        else:
            container = PyList_New(count)
            for i in range(count):
                item = _data(b, ppos, end, depth + 1)
                Py_INCREF(item)
                PyList_SET_ITEM(container, i, item)
        return container
    if tag == 19:
        return _compact_array(b, ppos, end, depth)
    if tag > 27 or _MIN_SIZE[tag] == 0 and tag != 0:
        raise _DecodeError("unknown A-XDR tag 0x%02X" % tag, offset=pos)
    ppos[0] = pos + 1
    return _simple(b, ppos, end, tag, pos)


# ---------------------------------------------------------------- compact-array
# Layout and limits: see _dlms_purepy.  A parsed description is an int
# (simple tag), ("a", count, element, element min size) or ("s", members).

cdef object _type_desc(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth, int64_t* size):
    cdef Py_ssize_t pos = ppos[0]
    cdef Py_ssize_t at = pos, count, i
    cdef int tag
    cdef int64_t sub, total
    cdef object elem
    cdef list members
    if pos >= end:
        raise _DecodeError("truncated A-XDR compact-array", offset=pos)
    tag = b[pos]
    if tag == 1 or tag == 2:
        if depth >= _MAX_DEPTH:
            raise _DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=pos)
        if tag == 1:
            if pos + 3 > end:
                raise _DecodeError("truncated A-XDR compact-array", offset=pos)
            count = _u16(b + pos + 1)
            if count == 0:
                raise _DecodeError("compact-array type description has a zero-size element", offset=at)
            ppos[0] = pos + 3
            elem = _type_desc(b, ppos, end, depth + 1, &sub)
            total = count * sub
            size[0] = total if total < _SIZE_CAP else _SIZE_CAP
            return ("a", count, elem, sub)
        pos = _length(b, pos + 1, end, "compact-array", pos, &count)
        if count == 0:
            raise _DecodeError("compact-array type description has a zero-size element", offset=at)
        if count > end - pos:
            raise _DecodeError("A-XDR structure count %d exceeds the %d bytes left" % (count, end - pos), offset=at)
        ppos[0] = pos
        members = []
        total = 0
        for i in range(count):
            members.append(_type_desc(b, ppos, end, depth + 1, &sub))
            total += sub
            if total > _SIZE_CAP:
                total = _SIZE_CAP
        size[0] = total
        return ("s", tuple(members))
    if tag == 0:
        raise _DecodeError("compact-array type description has a zero-size element", offset=pos)
    if tag > 27 or _MIN_SIZE[tag] == 0:
        raise _DecodeError("invalid compact-array type description tag 0x%02X" % tag, offset=pos)
    size[0] = _MIN_SIZE[tag]
    ppos[0] = pos + 1
    return tag


cdef object _untagged(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, object desc):
    cdef Py_ssize_t count, i, pos
    cdef int64_t size
    cdef object items, item, elem
    cdef tuple members
    if type(desc) is int:
        return _simple(b, ppos, end, <int>desc, ppos[0])
    if desc[0] == "a":
        pos = ppos[0]
        count = desc[1]
        elem = desc[2]
        size = desc[3]
        if count * size > end - pos:
            raise _DecodeError("A-XDR array count %d exceeds the %d bytes left" % (count, end - pos), offset=pos)
        items = PyList_New(count)
        for i in range(count):
            item = _untagged(b, ppos, end, elem)
            Py_INCREF(item)
            PyList_SET_ITEM(items, i, item)
        return items
    members = desc[1]
    items = PyTuple_New(len(members))
    for i in range(len(members)):
        item = _untagged(b, ppos, end, members[i])
        Py_INCREF(item)
        PyTuple_SET_ITEM(items, i, item)
    return items


cdef object _compact_array(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth):
    cdef Py_ssize_t at = ppos[0]
    cdef Py_ssize_t pos, n, stop
    cdef int64_t size
    cdef object desc
    cdef list items
    if depth >= _MAX_DEPTH:
        raise _DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=at)
    ppos[0] = at + 1
    desc = _type_desc(b, ppos, end, depth + 1, &size)
    pos = _length(b, ppos[0], end, "compact-array", at, &n)
    if n > end - pos:
        raise _DecodeError("truncated A-XDR compact-array", offset=at)
    stop = pos + n
    ppos[0] = pos
    items = []
    while ppos[0] < stop:
        items.append(_untagged(b, ppos, stop, desc))
    return items


# ---------------------------------------------------------------- lenient walk
# The two meter-defect repairs (swapped OBIS tag, untagged class/OBIS/
# attribute); rules and layouts: see _dlms_purepy.  Taken only after the
# strict walk failed; one pass, no backtracking.

REPAIR_SWAPPED_OBIS_TAG = "swapped-obis-tag"
REPAIR_CLASS_OBIS_ATTRIBUTE = "class-obis-attribute"
cdef str _SWAPPED = REPAIR_SWAPPED_OBIS_TAG
cdef str _COAV = REPAIR_CLASS_OBIS_ATTRIBUTE


cdef object _lenient(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth, list repairs):
    """Decode one Data element like ``_data``, with the two repairs; note each in ``repairs``."""
    cdef Py_ssize_t pos = ppos[0]
    cdef Py_ssize_t at, count, i
    cdef int tag
    cdef object item, container
    if pos >= end:
        raise _DecodeError("truncated A-XDR data: tag expected", offset=pos)
    tag = b[pos]
    if tag != 2 and tag != 1:
        return _data(b, ppos, end, depth)
    at = pos
    if depth >= _MAX_DEPTH:
        raise _DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=at)
    name = "structure" if tag == 2 else "array"
    pos = _length(b, pos + 1, end, name, at, &count)
    if count > end - pos:
        raise _DecodeError("A-XDR %s count %d exceeds the %d bytes left" % (name, count, end - pos), offset=at)
    ppos[0] = pos
    if tag == 1:
        container = PyList_New(count)
        for i in range(count):
            item = _lenient(b, ppos, end, depth + 1, repairs)
            Py_INCREF(item)
            PyList_SET_ITEM(container, i, item)
        return container
    if count == 2 and pos + 10 <= end and b[pos] == 0 and b[pos + 1] != 0 and b[pos + 8] != 0:
        repairs.append((at, _COAV))
        ppos[0] = pos + 9
        item = _lenient(b, ppos, end, depth + 1, repairs)
        return (_octets6(b + pos + 2), item)
    container = PyTuple_New(count)
    for i in range(count):
        pos = ppos[0]
        if i == 0 and (count == 2 or count == 3) and pos + 8 <= end and b[pos] == 0x06 and b[pos + 1] == 0x09:
            repairs.append((pos, _SWAPPED))
            item = _octets6(b + pos + 2)
            ppos[0] = pos + 8
        else:
            item = _lenient(b, ppos, end, depth + 1, repairs)
        Py_INCREF(item)
        PyTuple_SET_ITEM(container, i, item)
    return container


cdef object _repair_body(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end):
    """(body, end, repairs) of the lenient walk, or None unless it repairs something and ends at ``end``."""
    cdef list repairs = []
    cdef object body
    try:
        body = _lenient(b, &pos, end, 0, repairs)
    except _DecodeError:
        return None
    if not repairs or pos != end:
        return None
    return body, pos, tuple(repairs)


# ---------------------------------------------------------------- public

cdef inline Py_ssize_t _end(Py_ssize_t n, object end):
    cdef Py_ssize_t e
    if end is None:
        return n
    e = end
    if e < 0 or e > n:
        return n
    return e


cdef object _acquire(object buf, const unsigned char** p, Py_ssize_t* n):
    """Point ``p``/``n`` at the bytes of ``buf`` without copying (bytes, or any
    C-contiguous buffer; other objects go through ``memoryview().tobytes()``).

    Returns the object that owns those bytes: the caller keeps it alive while
    it reads through ``p``.
    """
    cdef const unsigned char[::1] view
    if type(buf) is not bytes:
        try:
            view = buf
        except (ValueError, TypeError, BufferError):
            buf = memoryview(buf).tobytes()
        else:
            n[0] = view.shape[0]
            p[0] = &view[0] if n[0] > 0 else <const unsigned char*>""
            return view
    p[0] = <const unsigned char*>PyBytes_AS_STRING(buf)
    n[0] = PyBytes_GET_SIZE(buf)
    return buf


def decode_data(buf, Py_ssize_t start=0, end=None):
    """Decode one A-XDR ``Data`` element of ``buf[start:end]``: ``(value, end position)``."""
    cdef const unsigned char* p
    cdef Py_ssize_t n, pos
    owner = _acquire(buf, &p, &n)  # keeps the bytes alive while p points into them
    if start < 0:
        raise ValueError("start must be >= 0")
    pos = start
    value = _data(p, &pos, _end(n, end), 0)
    return value, pos


def decode_data_lenient(buf, Py_ssize_t start=0, end=None):
    """Decode one A-XDR ``Data`` element with the meter-defect repairs: ``(value, end position, repairs)``."""
    cdef const unsigned char* p
    cdef Py_ssize_t n, pos
    cdef list repairs = []
    owner = _acquire(buf, &p, &n)  # keeps the bytes alive while p points into them
    if start < 0:
        raise ValueError("start must be >= 0")
    pos = start
    value = _lenient(p, &pos, _end(n, end), 0, repairs)
    return value, pos, tuple(repairs)


def decode_body(buf, Py_ssize_t start=0, end=None):
    """Decode a data-notification body sent alone: ``(body, end position)`` (see the pure twin)."""
    cdef const unsigned char* p
    cdef Py_ssize_t n, pos, stop
    owner = _acquire(buf, &p, &n)  # keeps the bytes alive while p points into them
    if start < 0:
        raise ValueError("start must be >= 0")
    pos = start
    stop = _end(n, end)
    try:
        value = _data(p, &pos, stop, 0)
    except _DecodeError:
        fixed = _repair_body(p, start, stop)
        if fixed is None:
            raise
        return fixed[0], fixed[1]
    return value, pos


def decode_data_notification(buf, Py_ssize_t start=0, end=None, bint repair=True):
    """Decode a data-notification APDU (0x0F): ``(long_invoke_id_and_priority, clock, body, end position)``.

    A body the strict walk rejects is repaired when ``repair`` is true (see
    ``_dlms_purepy.decode_data_notification``).
    """
    return _notification(buf, start, end, repair, False)


def decode_data_notification_repaired(buf, Py_ssize_t start=0, end=None):
    """``decode_data_notification`` (with repair) plus the repairs made: ``(..., end position, repairs)``."""
    return _notification(buf, start, end, True, True)


cdef object _notification(object buf, Py_ssize_t start, object end, bint repair, bint with_repairs):
    cdef const unsigned char* p
    cdef Py_ssize_t n, pos, stop, dpos, k
    cdef int form
    cdef uint32_t liip
    cdef object clock, raw
    owner = _acquire(buf, &p, &n)  # keeps the bytes alive while p points into them
    if start < 0:
        raise ValueError("start must be >= 0")
    stop = _end(n, end)
    pos = start
    if pos >= stop:
        raise _DecodeError("truncated data-notification", offset=pos)
    if p[pos] != 0x0F:
        raise _DecodeError("not a data-notification: APDU tag 0x%02X" % p[pos], offset=pos)
    if stop - pos < 6:
        raise _DecodeError("truncated data-notification header", offset=pos)
    liip = _u32(p + pos + 1)
    form = p[pos + 5]
    dpos = pos + 6
    if form == 0x09:
        if dpos >= stop:
            raise _DecodeError("truncated data-notification header", offset=pos)
        k = p[dpos]
        dpos += 1
    elif form == 0x19:
        k = 12
    else:
        k = form
    if k == 0:
        clock = None
    else:
        if k != 12 and k != 5 and k != 4:
            raise _DecodeError("invalid data-notification date-time length %d" % k, offset=pos + 5)
        if dpos + k > stop:
            raise _DecodeError("truncated data-notification date-time", offset=pos + 5)
        raw = PyBytes_FromStringAndSize(<const char*>p + dpos, k)
        clock = _DateTime(raw) if k == 12 else (_Date(raw) if k == 5 else _Time(raw))
    dpos += k
    pos = dpos
    try:
        body = _data(p, &dpos, stop, 0)
    except _DecodeError:
        fixed = _repair_body(p, pos, stop) if repair else None
        if fixed is None:
            raise
        if with_repairs:
            return (liip, clock) + fixed
        return liip, clock, fixed[0], fixed[1]
    if with_repairs:
        return liip, clock, body, dpos, ()
    return liip, clock, body, dpos


def decode_gbt(buf, Py_ssize_t start=0, end=None):
    """Decode a general-block-transfer header (0xE0): ``(last, block_number, block_number_ack, data_start, data_end)``."""
    cdef const unsigned char* p
    cdef Py_ssize_t n, pos, stop, dpos, k
    owner = _acquire(buf, &p, &n)  # keeps the bytes alive while p points into them
    if start < 0:
        raise ValueError("start must be >= 0")
    stop = _end(n, end)
    pos = start
    if pos >= stop:
        raise _DecodeError("truncated general-block-transfer", offset=pos)
    if p[pos] != 0xE0:
        raise _DecodeError("not a general-block-transfer: APDU tag 0x%02X" % p[pos], offset=pos)
    if stop - pos < 7:
        raise _DecodeError("truncated general-block-transfer header", offset=pos)
    dpos = _length(p, pos + 6, stop, "general-block-transfer header", pos, &k)
    if k > stop - dpos:
        raise _DecodeError(
            "general-block-transfer block data truncated: %d bytes announced, %d present" % (k, stop - dpos),
            offset=pos,
        )
    return p[pos + 1] >= 0x80, _u16(p + pos + 2), _u16(p + pos + 4), dpos, dpos + k
