# cython: annotation_typing=False
# mypy: disable-error-code="no-any-return"
# (mypy reads the C helpers of _axdr_c.pxd, cimported when compiled, as Any)
"""A-XDR tree walk and the data-notification / general-block-transfer headers.

One source for both implementations.  This file runs as plain Python, and
Cython compiles it (pure-Python mode) into the extension module
``hanparse.dlms._axdr``: ``dlms/_axdr.pxd`` beside it gives the C types (the input is
read through a ``const unsigned char *``, offsets are ``Py_ssize_t``), and
``_axdr_c.pxd`` the few C-only pieces reached under ``if cython.compiled:``
(number reads straight from the input, tuples and lists filled in place, the
shared OBIS-code and scaler_unit objects).  :mod:`hanparse._impl` loads the
compiled module, or this file as ``hanparse.dlms._axdr_py`` for pure Python.  The
construct schemas in :mod:`hanparse.dlms.schema` are the declaration of
record; both implementations are tested against them.

Representation of a decoded A-XDR ``Data`` value:

=====================================  ====================================
tag                                    Python value
=====================================  ====================================
0 null-data                            ``None``
1 array, 19 compact-array              ``list``
2 structure                            ``tuple``
3 boolean                              ``bool`` (any non-zero octet is True)
4 bit-string                           :class:`~hanparse.dlms.types.BitString`
5 6 15 16 17 18 20 21, 22 enum, 13 bcd ``int`` (bcd: the raw octet, 0-255)
9 octet-string                         ``bytes``
10 visible-string                      ``str`` (Latin-1, never fails)
12 utf8-string                         ``str`` (invalid UTF-8: DecodeError)
23 float32, 24 float64                 ``float``
25 date-time, 26 date, 27 time         ``DateTime`` / ``Date`` / ``Time`` (raw octets)
=====================================  ====================================

Repairs (dlms.md 2.3 and 4.2): a data-notification body that the strict
walk rejects is walked once more by a lenient walk that knows two meter
defects (see :func:`decode_data_lenient`); the strict walk of valid input is
not touched.

Errors: every problem is a :class:`~hanparse.errors.DecodeError` with the
byte offset.  Data that runs past ``end`` is a DecodeError too (not an
IncompleteError): the decoders are given a complete message by the framing
layer, so missing bytes mean the content is wrong.  Limits: containers nest
at most :data:`MAX_DEPTH` deep and a count larger than the bytes left is
rejected before anything is allocated.

Conventions of the walk: ``b`` is the input (compiled: a pointer to its
first byte; plain Python: bytes) and ``ppos`` the read position, shared by
the functions of one walk (compiled: a pointer to a ``Py_ssize_t``; plain
Python: a one-item list); each function reads one element at ``ppos[0]``,
returns its value and leaves ``ppos[0]`` after it.
"""

from __future__ import annotations

import struct
from typing import Any, List, Optional, Tuple, Union

from ..errors import DecodeError
from .types import TAG_NAMES, BitString, Date, DateTime, Time

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # Cython is a build dependency only: plain Python without it
    from types import SimpleNamespace as _Namespace

    cython = _Namespace(compiled=False)

if cython.compiled:
    from cython.cimports.hanparse.dlms._axdr_c import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        f32,
        f64,
        list_put,
        new_list,
        new_tuple,
        octets6,
        scaler_unit,
        size_of,
        start_of,
        tuple_put,
        u16,
        u32,
        u64,
        view_or_copy,
    )

__all__ = [
    "MAX_DEPTH",
    "REPAIR_CLASS_OBIS_ATTRIBUTE",
    "REPAIR_SWAPPED_OBIS_TAG",
    "decode_body",
    "decode_data",
    "decode_data_lenient",
    "decode_data_notification",
    "decode_data_notification_repaired",
    "decode_gbt",
]

Buffer = Union[bytes, bytearray, memoryview]
Repairs = Tuple[Tuple[int, str], ...]

#: deepest nesting of arrays/structures/compact-arrays accepted
MAX_DEPTH = 32
_MAX_DEPTH = MAX_DEPTH  # compiled: a C int

# plain Python reads numbers with struct; compiled, _axdr_c reads them from the pointer
_S8 = struct.Struct(">b").unpack_from
_S16 = struct.Struct(">h").unpack_from
_U16 = struct.Struct(">H").unpack_from
_S32 = struct.Struct(">i").unpack_from
_U32 = struct.Struct(">I").unpack_from
_S64 = struct.Struct(">q").unpack_from
_U64 = struct.Struct(">Q").unpack_from
_F32 = struct.Struct(">f").unpack_from
_F64 = struct.Struct(">d").unpack_from

# minimum encoded size of each simple type inside a compact-array (0: not allowed there)
_MIN_SIZE = (0, 0, 0, 1, 1, 4, 4, 0, 0, 1, 1, 0, 1, 1, 0, 1,
             2, 1, 2, 0, 8, 8, 1, 4, 8, 12, 5, 4)
_SIZE_CAP = 1 << 40  # min sizes saturate here (no unbounded products)


# ---------------------------------------------------------------- input


def _open(buf: Any) -> Buffer:
    """The bytes the walk reads: ``buf`` itself if bytes; compiled, any C-contiguous
    buffer is read in place through a memoryview; anything else is copied to bytes."""
    if type(buf) is bytes:
        return buf
    if cython.compiled:
        return view_or_copy(buf)
    return bytes(buf)


def _start(data: Any) -> bytes:
    """What the walk indexes: compiled, a pointer to the first byte of ``data``; else ``data``."""
    if cython.compiled:
        return start_of(data)
    return data


def _stop(data: Buffer, start: int, end: Optional[int]) -> int:
    """Check ``start``; the end of the range read (``end`` None, negative or too large: the end of ``data``)."""
    n = size_of(data) if cython.compiled else len(data)
    if start < 0:
        raise ValueError("start must be >= 0")
    if end is None:
        return n
    e = end
    if e < 0 or e > n:
        return n
    return e


# ---------------------------------------------------------------- shared values


def _obis(b: bytes, pos: int) -> bytes:
    """The 6-byte octet-string at ``pos`` (compiled: shared with earlier frames when it repeats)."""
    if cython.compiled:
        return octets6(b, pos)
    return b[pos : pos + 6]


def _scaler_unit(b: bytes, pos: int) -> Tuple[int, int]:
    """``(scaler, unit)`` of the scaler_unit body ``0F s 16 u`` at ``pos`` (compiled: one shared tuple per pair)."""
    if cython.compiled:
        return scaler_unit(cython.cast(cython.schar, b[pos + 1]), b[pos + 3])
    return _S8(b, pos + 1)[0], b[pos + 3]


# ---------------------------------------------------------------- the strict walk


def _truncated(name: str, at: int) -> DecodeError:
    return DecodeError("truncated A-XDR " + name, offset=at)


def _length(b: bytes, ppos: List[int], end: int, name: str, at: int) -> int:
    """Read an A-XDR length at ``ppos[0]``; ``name`` and ``at`` say what it belongs to, for errors."""
    pos = ppos[0]
    if pos >= end:
        raise _truncated(name, at)
    c = b[pos]
    if c < 0x80:
        ppos[0] = pos + 1
        return c
    n = c - 0x80
    if n == 0 or n > 4:
        raise DecodeError("invalid A-XDR length byte 0x%02X" % c, offset=pos)
    if pos + 1 + n > end:
        raise _truncated(name, at)
    v = 0
    for i in range(pos + 1, pos + 1 + n):
        v = (v << 8) | b[i]
    ppos[0] = pos + 1 + n
    return v


def _open_container(b: bytes, ppos: List[int], end: int, depth: int, tag: int) -> int:
    """Check the array (1) or structure (2) header at ``ppos[0]``; return its count, ``ppos[0]`` after the header."""
    at = ppos[0]
    if depth >= _MAX_DEPTH:
        raise DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=at)
    name = "structure" if tag == 2 else "array"
    ppos[0] = at + 1
    count = _length(b, ppos, end, name, at)
    if count > end - ppos[0]:
        raise DecodeError("A-XDR %s count %d exceeds the %d bytes left" % (name, count, end - ppos[0]), offset=at)
    return count


def _data(b: bytes, ppos: List[int], end: int, depth: int, tag: int) -> Any:
    """Decode one Data element at ``ppos[0]``.

    ``tag`` is -1 for a tagged element (the walk of arrays and structures);
    the members of a compact-array come without a tag byte, and their caller
    passes the simple tag their type description gives.
    """
    pos = ppos[0]
    at = pos  # where the element starts, for errors
    if tag < 0:
        if pos >= end:
            raise DecodeError("truncated A-XDR data: tag expected", offset=pos)
        tag = b[pos]
        if tag == 2 or tag == 1:
            count = _open_container(b, ppos, end, depth, tag)
            pos = ppos[0]
            if tag == 2 and count == 2 and pos + 4 <= end and b[pos] == 0x0F and b[pos + 2] == 0x16:
                ppos[0] = pos + 4  # scaler_unit {integer, enum}
                return _scaler_unit(b, pos)
            if cython.compiled:
                if tag == 2:
                    t = new_tuple(count)
                    for i in range(count):
                        tuple_put(t, i, _data(b, ppos, end, depth + 1, -1))
                    return t
                items = new_list(count)
                for i in range(count):
                    list_put(items, i, _data(b, ppos, end, depth + 1, -1))
                return items
            items = [_data(b, ppos, end, depth + 1, -1) for _i in range(count)]
            return tuple(items) if tag == 2 else items
        if tag == 19:
            return _compact_array(b, ppos, end, depth)
        pos += 1
        ppos[0] = pos
    if tag == 9 or tag == 10 or tag == 12:
        if pos < end and b[pos] < 0x80:  # the short length form (OBIS codes, names)
            n = b[pos]
            pos += 1
        else:
            n = _length(b, ppos, end, TAG_NAMES[tag], at)
            pos = ppos[0]
        if n > end - pos:
            raise _truncated(TAG_NAMES[tag], at)
        ppos[0] = pos + n
        if tag == 9:
            if cython.compiled and n == 6:
                return _obis(b, pos)
            return b[pos : pos + n]
        if tag == 10:
            return b[pos : pos + n].decode("latin-1")
        try:
            return b[pos : pos + n].decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("invalid UTF-8 in A-XDR utf8-string", offset=at) from None
    if tag == 6:
        if pos + 4 > end:
            raise _truncated("double-long-unsigned", at)
        ppos[0] = pos + 4
        return u32(b, pos) if cython.compiled else _U32(b, pos)[0]
    if tag == 18:
        if pos + 2 > end:
            raise _truncated("long-unsigned", at)
        ppos[0] = pos + 2
        return u16(b, pos) if cython.compiled else _U16(b, pos)[0]
    if tag == 17 or tag == 22 or tag == 13:
        if pos >= end:
            raise _truncated(TAG_NAMES[tag], at)
        ppos[0] = pos + 1
        return b[pos]
    if tag == 15:
        if pos >= end:
            raise _truncated("integer", at)
        ppos[0] = pos + 1
        return cython.cast(cython.schar, b[pos]) if cython.compiled else _S8(b, pos)[0]
    if tag == 16:
        if pos + 2 > end:
            raise _truncated("long", at)
        ppos[0] = pos + 2
        return cython.cast(cython.short, u16(b, pos)) if cython.compiled else _S16(b, pos)[0]
    if tag == 5:
        if pos + 4 > end:
            raise _truncated("double-long", at)
        ppos[0] = pos + 4
        return cython.cast(cython.int, u32(b, pos)) if cython.compiled else _S32(b, pos)[0]
    if tag == 20:
        if pos + 8 > end:
            raise _truncated("long64", at)
        ppos[0] = pos + 8
        return cython.cast(cython.longlong, u64(b, pos)) if cython.compiled else _S64(b, pos)[0]
    if tag == 21:
        if pos + 8 > end:
            raise _truncated("long64-unsigned", at)
        ppos[0] = pos + 8
        return u64(b, pos) if cython.compiled else _U64(b, pos)[0]
    if tag == 0:
        return None
    if tag == 3:
        if pos >= end:
            raise _truncated("boolean", at)
        ppos[0] = pos + 1
        return b[pos] != 0
    if tag == 23:
        if pos + 4 > end:
            raise _truncated("float32", at)
        ppos[0] = pos + 4
        return f32(b, pos) if cython.compiled else _F32(b, pos)[0]
    if tag == 24:
        if pos + 8 > end:
            raise _truncated("float64", at)
        ppos[0] = pos + 8
        return f64(b, pos) if cython.compiled else _F64(b, pos)[0]
    if tag == 4:
        bits = _length(b, ppos, end, "bit-string", at)
        pos = ppos[0]
        nbytes = (bits + 7) >> 3
        if nbytes > end - pos:
            raise _truncated("bit-string", at)
        ppos[0] = pos + nbytes
        return BitString(bits, b[pos : pos + nbytes])
    if tag == 25 or tag == 26 or tag == 27:
        n = 12 if tag == 25 else (5 if tag == 26 else 4)
        if pos + n > end:
            raise _truncated(TAG_NAMES[tag], at)
        ppos[0] = pos + n
        raw = b[pos : pos + n]
        if tag == 25:
            return DateTime(raw)
        return Date(raw) if tag == 26 else Time(raw)
    raise DecodeError("unknown A-XDR tag 0x%02X" % tag, offset=at)




# ---------------------------------------------------------------- compact-array
#
#   13 | type-description | contents length (A-XDR) | contents
#
#   type-description:  <simple tag>
#                    | 01 <count:uint16> <type-description>       (array)
#                    | 02 <count:A-XDR length> <type-description>*  (structure)
#
# The contents are the untagged encodings of successive elements of the
# described type, as many as fit.  Every component of the type must occupy at
# least one byte (null-data, empty arrays and empty structures are rejected),
# so the number of objects created is bounded by the contents size.
#
# A parsed description is an int (simple tag), ("a", count, element, element
# min size) or ("s", (members...)); _type_desc returns it with its min size.


def _type_desc(b: bytes, ppos: List[int], end: int, depth: int) -> Tuple[Any, int]:
    pos = ppos[0]
    if pos >= end:
        raise DecodeError("truncated A-XDR compact-array", offset=pos)
    tag = b[pos]
    if tag == 1 or tag == 2:
        if depth >= _MAX_DEPTH:
            raise DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=pos)
        if tag == 1:
            if pos + 3 > end:
                raise DecodeError("truncated A-XDR compact-array", offset=pos)
            count = u16(b, pos + 1) if cython.compiled else _U16(b, pos + 1)[0]
            if count == 0:
                raise DecodeError("compact-array type description has a zero-size element", offset=pos)
            ppos[0] = pos + 3
            elem, size = _type_desc(b, ppos, end, depth + 1)
            total = count * size
            return ("a", count, elem, size), (total if total < _SIZE_CAP else _SIZE_CAP)
        ppos[0] = pos + 1
        count = _length(b, ppos, end, "compact-array", pos)
        if count == 0:
            raise DecodeError("compact-array type description has a zero-size element", offset=pos)
        if count > end - ppos[0]:
            raise DecodeError(
                "A-XDR structure count %d exceeds the %d bytes left" % (count, end - ppos[0]), offset=pos
            )
        members = []
        total = 0
        for _i in range(count):
            member, size = _type_desc(b, ppos, end, depth + 1)
            members.append(member)
            total += size
            if total > _SIZE_CAP:
                total = _SIZE_CAP
        return ("s", tuple(members)), total
    if tag == 0:
        raise DecodeError("compact-array type description has a zero-size element", offset=pos)
    if tag >= len(_MIN_SIZE) or _MIN_SIZE[tag] == 0:
        raise DecodeError("invalid compact-array type description tag 0x%02X" % tag, offset=pos)
    ppos[0] = pos + 1
    return tag, _MIN_SIZE[tag]


def _untagged(b: bytes, ppos: List[int], end: int, desc: Any) -> Any:
    if type(desc) is int:
        return _data(b, ppos, end, 0, desc)
    if desc[0] == "a":
        pos = ppos[0]
        count = desc[1]
        elem = desc[2]
        size = desc[3]
        if count * size > end - pos:
            raise DecodeError("A-XDR array count %d exceeds the %d bytes left" % (count, end - pos), offset=pos)
        return [_untagged(b, ppos, end, elem) for _i in range(count)]
    return tuple([_untagged(b, ppos, end, member) for member in desc[1]])


def _compact_array(b: bytes, ppos: List[int], end: int, depth: int) -> List[Any]:
    at = ppos[0]
    if depth >= _MAX_DEPTH:
        raise DecodeError("A-XDR data nested deeper than %d levels" % _MAX_DEPTH, offset=at)
    ppos[0] = at + 1
    desc = _type_desc(b, ppos, end, depth + 1)[0]
    n = _length(b, ppos, end, "compact-array", at)
    if n > end - ppos[0]:
        raise DecodeError("truncated A-XDR compact-array", offset=at)
    stop = ppos[0] + n
    items = []
    while ppos[0] < stop:
        items.append(_untagged(b, ppos, stop, desc))
    return items


# ---------------------------------------------------------------- lenient walk
#
# Two defects of real meters, repaired only after the strict walk failed
# (deterministic, one pass, no backtracking):
#
# 1. swapped OBIS tag (Embriq adapter for L+G ZMF100, OP030a pages 17-20):
#
#        02 03 | 06 09 o1 o2 o3 o4 o5 o6 | value | 02 02 {scaler, unit}
#
#    The first element of a structure of 2 or 3 elements that starts 06 09
#    and has 6 more bytes is read as the octet-string o1..o6 (as if it were
#    09 06 o1..o6); the structure then goes on as usual.
#
# 2. untagged class/OBIS/attribute (EGD and Sagemcom XT211, dlms_parser
#    pattern "C, O, A, V"):
#
#        02 02 | c1 c2 | o1 o2 o3 o4 o5 o6 | a | tagged value
#
#    A structure announced with 2 elements whose next bytes are a class-id
#    1..255 (c1 = 00, c2 != 00) and a non-zero attribute, followed by at
#    least one byte, is read as the 2-element structure (o1..o6, value):
#    the register shape {OBIS, value}.  Class-id and attribute are dropped.
#
# Everything else is decoded exactly as by the strict walk.

#: repair kind: ``06 09`` + 6 bytes read as the OBIS octet-string
REPAIR_SWAPPED_OBIS_TAG = "swapped-obis-tag"
#: repair kind: ``02 02`` + class-id, OBIS, attribute (untagged) + value read as {OBIS, value}
REPAIR_CLASS_OBIS_ATTRIBUTE = "class-obis-attribute"


def _lenient(b: bytes, ppos: List[int], end: int, depth: int, repairs: List[Tuple[int, str]]) -> Any:
    """Decode one Data element like :func:`_data`, with the two repairs; note each in ``repairs``."""
    at = ppos[0]
    if at >= end:
        raise DecodeError("truncated A-XDR data: tag expected", offset=at)
    tag = b[at]
    if tag != 2 and tag != 1:
        return _data(b, ppos, end, depth, -1)
    count = _open_container(b, ppos, end, depth, tag)
    pos = ppos[0]
    if tag == 1:
        if cython.compiled:
            items = new_list(count)
            for i in range(count):
                list_put(items, i, _lenient(b, ppos, end, depth + 1, repairs))
            return items
        return [_lenient(b, ppos, end, depth + 1, repairs) for _i in range(count)]
    if count == 2 and pos + 10 <= end and b[pos] == 0 and b[pos + 1] != 0 and b[pos + 8] != 0:
        repairs.append((at, REPAIR_CLASS_OBIS_ATTRIBUTE))
        ppos[0] = pos + 9
        value = _lenient(b, ppos, end, depth + 1, repairs)
        return _obis(b, pos + 2), value
    first = 0  # the members still to walk start here
    if (count == 2 or count == 3) and pos + 8 <= end and b[pos] == 0x06 and b[pos + 1] == 0x09:
        repairs.append((pos, REPAIR_SWAPPED_OBIS_TAG))
        ppos[0] = pos + 8
        first = 1
    if cython.compiled:
        t = new_tuple(count)
        if first:
            tuple_put(t, 0, _obis(b, pos + 2))
        for i in range(first, count):
            tuple_put(t, i, _lenient(b, ppos, end, depth + 1, repairs))
        return t
    members = [_obis(b, pos + 2)] if first else []
    members += [_lenient(b, ppos, end, depth + 1, repairs) for _i in range(first, count)]
    return tuple(members)


def _repair_body(b: bytes, start: int, end: int) -> Optional[Tuple[Any, int, Repairs]]:
    """The lenient walk of a notification body, accepted only if it repairs something and ends at ``end``."""
    repairs: List[Tuple[int, str]] = []
    at = [start]
    try:
        body = _lenient(b, at, end, 0, repairs)
    except DecodeError:
        return None
    if not repairs or at[0] != end:
        return None
    return body, at[0], tuple(repairs)


# ---------------------------------------------------------------- public


def decode_data(buf: Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]:
    """Decode one A-XDR ``Data`` element of ``buf[start:end]``.

    Returns ``(value, position after the element)``; bytes after it are not
    looked at.  ``end`` None or -1 means the end of ``buf``.
    """
    data = _open(buf)
    stop = _stop(data, start, end)
    at = [start]
    value = _data(_start(data), at, stop, 0, -1)
    return value, at[0]


def decode_data_lenient(buf: Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int, Repairs]:
    """Decode one A-XDR ``Data`` element with the meter-defect repairs.

    Like :func:`decode_data`, but a structure is also read in the two
    non-A-XDR forms real meters send (dlms.md 4.2):

    * ``06 09`` + 6 bytes as the first element of a structure of 2 or 3
      elements: the OBIS octet-string (Embriq swapped tag);
    * ``02 02`` + class-id (2 bytes, 1..255) + OBIS (6) + attribute (1,
      non-zero), untagged, + a tagged value: the structure ``(OBIS, value)``
      (EGD, Sagemcom XT211).

    Returns ``(value, position after the element, repairs)``; ``repairs`` is a
    tuple of ``(offset, kind)`` with kind :data:`REPAIR_SWAPPED_OBIS_TAG` or
    :data:`REPAIR_CLASS_OBIS_ATTRIBUTE`, in input order.  Valid A-XDR without
    those shapes decodes exactly as with :func:`decode_data`.
    """
    data = _open(buf)
    stop = _stop(data, start, end)
    repairs: List[Tuple[int, str]] = []
    at = [start]
    value = _lenient(_start(data), at, stop, 0, repairs)
    return value, at[0], tuple(repairs)


def decode_body(buf: Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]:
    """Decode a data-notification body sent alone (no ``0F`` header): ``(body, end position)``.

    The body is walked as :func:`decode_data_notification` walks one:
    strictly, and if that fails, by the lenient walk, whose result is taken
    only when it repaired something and ends exactly at ``end``.
    """
    data = _open(buf)
    stop = _stop(data, start, end)
    b = _start(data)
    at = [start]
    try:
        value = _data(b, at, stop, 0, -1)
    except DecodeError:
        fixed = _repair_body(b, start, stop)
        if fixed is None:
            raise
        return fixed[0], fixed[1]
    return value, at[0]


def decode_data_notification(
    buf: Buffer, start: int = 0, end: Optional[int] = None, repair: bool = True
) -> Tuple[int, Any, Any, int]:
    """Decode a data-notification APDU (tag 0x0F) at ``buf[start:end]``.

    ::

        0F | long-invoke-id-and-priority (4) | date-time | notification-body (one Data)

        date-time:  00                 absent
                    0C + 12 octets     octet-string (also 04 + 4, 05 + 5)
                    09 0C + 12 octets  A-XDR-tagged octet-string (Kaifa, old Kamstrup)
                    19 + 12 octets     A-XDR date-time

    Returns ``(long_invoke_id_and_priority, clock, body, end position)``;
    ``clock`` is None, or the raw :class:`DateTime` (12 octets), :class:`Date`
    (5) or :class:`Time` (4).

    The body is walked strictly.  If that fails and ``repair`` is true, the
    body is walked once more by the lenient walk of
    :func:`decode_data_lenient`; its result is taken only if it repaired at
    least one entry and the body then ends exactly at ``end``.  Otherwise the
    strict walk's DecodeError is raised.  Use
    :func:`decode_data_notification_repaired` to learn what was repaired.
    """
    return _notification(buf, start, end, repair, False)


def decode_data_notification_repaired(
    buf: Buffer, start: int = 0, end: Optional[int] = None
) -> Tuple[int, Any, Any, int, Repairs]:
    """:func:`decode_data_notification` (with repair) plus the repairs made.

    Returns ``(long_invoke_id_and_priority, clock, body, end position,
    repairs)``; ``repairs`` is ``()`` when the strict walk succeeded, else the
    ``(offset, kind)`` pairs of :func:`decode_data_lenient`.
    """
    return _notification(buf, start, end, True, True)


def _notification(buf: Buffer, start: int, end: Optional[int], repair: bool, with_repairs: bool) -> Tuple[Any, ...]:
    data = _open(buf)
    stop = _stop(data, start, end)
    b = _start(data)
    pos = start
    if pos >= stop:
        raise DecodeError("truncated data-notification", offset=pos)
    if b[pos] != 0x0F:
        raise DecodeError("not a data-notification: APDU tag 0x%02X" % b[pos], offset=pos)
    if stop - pos < 6:
        raise DecodeError("truncated data-notification header", offset=pos)
    liip = u32(b, pos + 1) if cython.compiled else _U32(b, pos + 1)[0]
    form = b[pos + 5]
    dpos = pos + 6
    if form == 0x09:
        if dpos >= stop:
            raise DecodeError("truncated data-notification header", offset=pos)
        k = b[dpos]
        dpos += 1
    elif form == 0x19:
        k = 12
    else:
        k = form
    if k == 0:
        clock = None
    else:
        if k != 12 and k != 5 and k != 4:
            raise DecodeError("invalid data-notification date-time length %d" % k, offset=pos + 5)
        if dpos + k > stop:
            raise DecodeError("truncated data-notification date-time", offset=pos + 5)
        raw = b[dpos : dpos + k]
        clock = DateTime(raw) if k == 12 else (Date(raw) if k == 5 else Time(raw))
    dpos += k
    at = [dpos]
    try:
        body = _data(b, at, stop, 0, -1)
    except DecodeError:
        fixed = _repair_body(b, dpos, stop) if repair else None
        if fixed is None:
            raise
        if with_repairs:
            return (liip, clock) + fixed
        return liip, clock, fixed[0], fixed[1]
    if with_repairs:
        return liip, clock, body, at[0], ()
    return liip, clock, body, at[0]


def decode_gbt(buf: Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[bool, int, int, int, int]:
    """Decode the header of a general-block-transfer APDU (tag 0xE0).

    ::

        E0 | block-control | block-number (2) | block-number-ack (2) | length (A-XDR) | data
             bit 7 last block, bit 6 streaming, bits 5-0 window

    Returns ``(last, block_number, block_number_ack, data_start, data_end)``.
    """
    data = _open(buf)
    stop = _stop(data, start, end)
    b = _start(data)
    pos = start
    if pos >= stop:
        raise DecodeError("truncated general-block-transfer", offset=pos)
    if b[pos] != 0xE0:
        raise DecodeError("not a general-block-transfer: APDU tag 0x%02X" % b[pos], offset=pos)
    if stop - pos < 7:
        raise DecodeError("truncated general-block-transfer header", offset=pos)
    at = [pos + 6]
    n = _length(b, at, stop, "general-block-transfer header", pos)
    if n > stop - at[0]:
        raise DecodeError(
            "general-block-transfer block data truncated: %d bytes announced, %d present" % (n, stop - at[0]),
            offset=pos,
        )
    number = u16(b, pos + 2) if cython.compiled else _U16(b, pos + 2)[0]
    ack = u16(b, pos + 4) if cython.compiled else _U16(b, pos + 4)[0]
    return b[pos + 1] >= 0x80, number, ack, at[0], at[0] + n
