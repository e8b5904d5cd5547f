"""Pure-Python twin of ``_dlms_speedups``: A-XDR tree walk and APDU headers.

Same names, signatures, results and errors (messages and offsets included)
as the Cython module; ``hanparse._impl`` picks one.  The construct schemas
in :mod:`hanparse.dlms.schema` are the declaration of record; both twins are
tested against them.

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
"""

from __future__ import annotations

import struct
from typing import Any, List, Optional, Tuple

from .dlms.types import TAG_NAMES, BitString, Date, DateTime, Time
from .errors import DecodeError

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

#: deepest nesting of arrays/structures/compact-arrays accepted
MAX_DEPTH = 32

_S8 = struct.Struct(">b").unpack_from
_S16 = struct.Struct(">h").unpack_from
_U16 = struct.Struct(">H").unpack_from
_S32 = struct.Struct(">i").unpack_from
_U32 = struct.Struct(">I").unpack_from
_S64 = struct.Struct(">q").unpack_from
_U64 = struct.Struct(">Q").unpack_from
_F32 = struct.Struct(">f").unpack_from
_F64 = struct.Struct(">d").unpack_from

# fixed-size numeric tags: tag -> (size, unpack_from)
_FIXED = {
    5: (4, _S32),
    6: (4, _U32),
    13: (1, None),  # bcd: the raw octet
    15: (1, _S8),
    16: (2, _S16),
    17: (1, None),
    18: (2, _U16),
    20: (8, _S64),
    21: (8, _U64),
    22: (1, None),
    23: (4, _F32),
    24: (8, _F64),
}
_STAMPS = {25: DateTime, 26: Date, 27: Time}
_STAMP_SIZE = {25: 12, 26: 5, 27: 4}

# minimum encoded size of each simple type inside a compact-array
_MIN_SIZE = {3: 1, 4: 1, 9: 1, 10: 1, 12: 1, 25: 12, 26: 5, 27: 4}
for _t, (_n, _f) in _FIXED.items():
    _MIN_SIZE[_t] = _n
_SIZE_CAP = 1 << 40  # min sizes saturate here (no unbounded products)


def _bounds(buf: Any, start: int, end: Optional[int]) -> Tuple[bytes, int]:
    if type(buf) is not bytes:
        buf = bytes(buf)
    n = len(buf)
    if start < 0:
        raise ValueError("start must be >= 0")
    if end is None or end < 0 or end > n:
        end = n
    return buf, end


def _length(buf: bytes, pos: int, end: int, name: str, at: int) -> Tuple[int, int]:
    """Read an A-XDR/BER length at ``pos``; return (value, position after it)."""
    if pos >= end:
        raise DecodeError("truncated A-XDR " + name, offset=at)
    b = buf[pos]
    if b < 0x80:
        return b, pos + 1
    n = b - 0x80
    if n == 0 or n > 4:
        raise DecodeError("invalid A-XDR length byte 0x%02X" % b, offset=pos)
    if pos + 1 + n > end:
        raise DecodeError("truncated A-XDR " + name, offset=at)
    return int.from_bytes(buf[pos + 1 : pos + 1 + n], "big"), pos + 1 + n


def _simple(buf: bytes, pos: int, end: int, tag: int, at: int) -> Tuple[Any, int]:
    """Decode the content of a non-container tag starting at ``pos`` (after the tag)."""
    fixed = _FIXED.get(tag)
    if fixed is not None:
        size, unpack = fixed
        if pos + size > end:
            raise DecodeError("truncated A-XDR " + TAG_NAMES[tag], offset=at)
        if unpack is None:
            return buf[pos], pos + 1
        return unpack(buf, pos)[0], pos + size
    if tag == 9 or tag == 10 or tag == 12:
        name = TAG_NAMES[tag]
        n, pos = _length(buf, pos, end, name, at)
        if n > end - pos:
            raise DecodeError("truncated A-XDR " + name, offset=at)
        raw = buf[pos : pos + n]
        if tag == 9:
            return raw, pos + n
        if tag == 10:
            return raw.decode("latin-1"), pos + n
        try:
            return raw.decode("utf-8"), pos + n
        except UnicodeDecodeError:
            raise DecodeError("invalid UTF-8 in A-XDR utf8-string", offset=at) from None
    if tag == 0:
        return None, pos
    if tag == 3:
        if pos >= end:
            raise DecodeError("truncated A-XDR boolean", offset=at)
        return buf[pos] != 0, pos + 1
    if tag == 4:
        bits, pos = _length(buf, pos, end, "bit-string", at)
        nbytes = (bits + 7) >> 3
        if nbytes > end - pos:
            raise DecodeError("truncated A-XDR bit-string", offset=at)
        return BitString(bits, buf[pos : pos + nbytes]), pos + nbytes
    stamp = _STAMPS.get(tag)
    if stamp is not None:
        size = _STAMP_SIZE[tag]
        if pos + size > end:
            raise DecodeError("truncated A-XDR " + TAG_NAMES[tag], offset=at)
        return stamp(buf[pos : pos + size]), pos + size
    raise DecodeError("unknown A-XDR tag 0x%02X" % tag, offset=at)


def _data(buf: bytes, pos: int, end: int, depth: int) -> Tuple[Any, int]:
    """Decode one tagged Data element at ``pos``; return (value, end position)."""
    if pos >= end:
        raise DecodeError("truncated A-XDR data: tag expected", offset=pos)
    tag = buf[pos]
    fixed = _FIXED.get(tag)
    if fixed is not None:  # the common leaves, inline (same checks as _simple)
        size, unpack = fixed
        stop = pos + 1 + size
        if stop > end:
            raise DecodeError("truncated A-XDR " + TAG_NAMES[tag], offset=pos)
        if unpack is None:
            return buf[pos + 1], stop
        return unpack(buf, pos + 1)[0], stop
    if tag == 9 and pos + 1 < end and buf[pos + 1] < 0x80:  # short octet-string (OBIS codes)
        stop = pos + 2 + buf[pos + 1]
        if stop > end:
            raise DecodeError("truncated A-XDR octet-string", offset=pos)
        return buf[pos + 2 : stop], stop
    if tag == 2 or tag == 1:
        at = pos
        if depth >= MAX_DEPTH:
            raise DecodeError("A-XDR data nested deeper than %d levels" % MAX_DEPTH, offset=at)
        name = "structure" if tag == 2 else "array"
        count, pos = _length(buf, pos + 1, end, name, at)
        if count > end - pos:
            raise DecodeError("A-XDR %s count %d exceeds the %d bytes left" % (name, count, end - pos), offset=at)
        items: List[Any] = [None] * count
        depth += 1
        for i in range(count):
            items[i], pos = _data(buf, pos, end, depth)
        return (tuple(items) if tag == 2 else items), pos
    if tag == 19:
        return _compact_array(buf, pos, end, depth)
    if tag in TAG_NAMES:
        return _simple(buf, pos + 1, end, tag, pos)
    raise DecodeError("unknown A-XDR tag 0x%02X" % tag, offset=pos)


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


def _type_desc(buf: bytes, pos: int, end: int, depth: int) -> Tuple[Any, int, int]:
    if pos >= end:
        raise DecodeError("truncated A-XDR compact-array", offset=pos)
    tag = buf[pos]
    if tag == 1 or tag == 2:
        if depth >= MAX_DEPTH:
            raise DecodeError("A-XDR data nested deeper than %d levels" % MAX_DEPTH, offset=pos)
        at = pos
        if tag == 1:
            if pos + 3 > end:
                raise DecodeError("truncated A-XDR compact-array", offset=pos)
            count = _U16(buf, pos + 1)[0]
            if count == 0:
                raise DecodeError("compact-array type description has a zero-size element", offset=at)
            elem, size, pos = _type_desc(buf, pos + 3, end, depth + 1)
            return ("a", count, elem, size), min(count * size, _SIZE_CAP), pos
        count, pos = _length(buf, pos + 1, end, "compact-array", pos)
        if count == 0:
            raise DecodeError("compact-array type description has a zero-size element", offset=at)
        if count > end - pos:
            raise DecodeError("A-XDR structure count %d exceeds the %d bytes left" % (count, end - pos), offset=at)
        members = []
        total = 0
        for _ in range(count):
            m, size, pos = _type_desc(buf, pos, end, depth + 1)
            members.append(m)
            total = min(total + size, _SIZE_CAP)
        return ("s", tuple(members)), total, pos
    if tag == 0:
        raise DecodeError("compact-array type description has a zero-size element", offset=pos)
    min_size = _MIN_SIZE.get(tag)
    if min_size is None:
        raise DecodeError("invalid compact-array type description tag 0x%02X" % tag, offset=pos)
    return tag, min_size, pos + 1


def _untagged(buf: bytes, pos: int, end: int, desc: Any) -> Tuple[Any, int]:
    if type(desc) is int:
        return _simple(buf, pos, end, desc, pos)
    if desc[0] == "a":
        _, count, elem, size = desc
        if count * size > end - pos:
            raise DecodeError("A-XDR array count %d exceeds the %d bytes left" % (count, end - pos), offset=pos)
        items: List[Any] = [None] * count
        for i in range(count):
            items[i], pos = _untagged(buf, pos, end, elem)
        return items, pos
    members = desc[1]
    values: List[Any] = [None] * len(members)
    for i, m in enumerate(members):
        values[i], pos = _untagged(buf, pos, end, m)
    return tuple(values), pos


def _compact_array(buf: bytes, pos: int, end: int, depth: int) -> Tuple[Any, int]:
    at = pos
    if depth >= MAX_DEPTH:
        raise DecodeError("A-XDR data nested deeper than %d levels" % MAX_DEPTH, offset=at)
    desc, _size, pos = _type_desc(buf, pos + 1, end, depth + 1)
    n, pos = _length(buf, pos, end, "compact-array", at)
    if n > end - pos:
        raise DecodeError("truncated A-XDR compact-array", offset=at)
    stop = pos + n
    items: List[Any] = []
    while pos < stop:
        value, pos = _untagged(buf, pos, stop, desc)
        items.append(value)
    return items, pos


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


def _lenient(buf: bytes, pos: int, end: int, depth: int, repairs: List[Tuple[int, str]]) -> Tuple[Any, int]:
    """Decode one Data element like :func:`_data`, with the two repairs; note each in ``repairs``."""
    if pos >= end:
        raise DecodeError("truncated A-XDR data: tag expected", offset=pos)
    tag = buf[pos]
    if tag != 2 and tag != 1:
        return _data(buf, pos, end, depth)
    at = pos
    if depth >= MAX_DEPTH:
        raise DecodeError("A-XDR data nested deeper than %d levels" % MAX_DEPTH, offset=at)
    name = "structure" if tag == 2 else "array"
    count, pos = _length(buf, pos + 1, end, name, at)
    if count > end - pos:
        raise DecodeError("A-XDR %s count %d exceeds the %d bytes left" % (name, count, end - pos), offset=at)
    depth += 1
    if tag == 1:
        items: List[Any] = [None] * count
        for i in range(count):
            items[i], pos = _lenient(buf, pos, end, depth, repairs)
        return items, pos
    if count == 2 and pos + 10 <= end and buf[pos] == 0 and buf[pos + 1] != 0 and buf[pos + 8] != 0:
        repairs.append((at, REPAIR_CLASS_OBIS_ATTRIBUTE))
        value, stop = _lenient(buf, pos + 9, end, depth, repairs)
        return (buf[pos + 2 : pos + 8], value), stop
    values: List[Any] = [None] * count
    for i in range(count):
        if i == 0 and (count == 2 or count == 3) and pos + 8 <= end and buf[pos] == 0x06 and buf[pos + 1] == 0x09:
            repairs.append((pos, REPAIR_SWAPPED_OBIS_TAG))
            values[0] = buf[pos + 2 : pos + 8]
            pos += 8
            continue
        values[i], pos = _lenient(buf, pos, end, depth, repairs)
    return tuple(values), pos


def _repair_body(buf: bytes, pos: int, end: int) -> Optional[Tuple[Any, int, Tuple[Tuple[int, str], ...]]]:
    """The lenient walk of a notification body, accepted only if it repairs something and ends at ``end``."""
    repairs: List[Tuple[int, str]] = []
    try:
        body, stop = _lenient(buf, pos, end, 0, repairs)
    except DecodeError:
        return None
    if not repairs or stop != end:
        return None
    return body, stop, tuple(repairs)


# ---------------------------------------------------------------- public


def decode_data(buf: Any, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]:
    """Decode one A-XDR ``Data`` element of ``buf[start:end]``.

    Returns ``(value, position after the element)``; bytes after it are not
    looked at.  ``end`` None or -1 means the end of ``buf``.
    """
    buf, end = _bounds(buf, start, end)
    return _data(buf, start, end, 0)


def decode_data_lenient(
    buf: Any, start: int = 0, end: Optional[int] = None
) -> Tuple[Any, int, Tuple[Tuple[int, str], ...]]:
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
    buf, end = _bounds(buf, start, end)
    repairs: List[Tuple[int, str]] = []
    value, stop = _lenient(buf, start, end, 0, repairs)
    return value, stop, tuple(repairs)


def decode_body(buf: Any, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]:
    """Decode a data-notification body sent alone (no ``0F`` header): ``(body, end position)``.

    The body is walked as :func:`decode_data_notification` walks one:
    strictly, and if that fails, by the lenient walk, whose result is taken
    only when it repaired something and ends exactly at ``end``.
    """
    buf, end = _bounds(buf, start, end)
    try:
        return _data(buf, start, end, 0)
    except DecodeError:
        fixed = _repair_body(buf, start, end)
        if fixed is None:
            raise
        return fixed[0], fixed[1]


def decode_data_notification(
    buf: Any, start: int = 0, end: Optional[int] = None, repair: bool = True
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
    buf: Any, start: int = 0, end: Optional[int] = None
) -> Tuple[int, Any, Any, int, Tuple[Tuple[int, str], ...]]:
    """:func:`decode_data_notification` (with repair) plus the repairs made.

    Returns ``(long_invoke_id_and_priority, clock, body, end position,
    repairs)``; ``repairs`` is ``()`` when the strict walk succeeded, else the
    ``(offset, kind)`` pairs of :func:`decode_data_lenient`.
    """
    return _notification(buf, start, end, True, True)


def _notification(buf: Any, start: int, end: Optional[int], repair: bool, with_repairs: bool) -> Tuple[Any, ...]:
    buf, end = _bounds(buf, start, end)
    pos = start
    if pos >= end:
        raise DecodeError("truncated data-notification", offset=pos)
    if buf[pos] != 0x0F:
        raise DecodeError("not a data-notification: APDU tag 0x%02X" % buf[pos], offset=pos)
    if end - pos < 6:
        raise DecodeError("truncated data-notification header", offset=pos)
    liip = _U32(buf, pos + 1)[0]
    form = buf[pos + 5]
    dpos = pos + 6
    if form == 0x09:
        if dpos >= end:
            raise DecodeError("truncated data-notification header", offset=pos)
        n = buf[dpos]
        dpos += 1
    elif form == 0x19:
        n = 12
    else:
        n = form
    if n == 0:
        clock = None
    else:
        if n != 12 and n != 5 and n != 4:
            raise DecodeError("invalid data-notification date-time length %d" % n, offset=pos + 5)
        if dpos + n > end:
            raise DecodeError("truncated data-notification date-time", offset=pos + 5)
        raw = buf[dpos : dpos + n]
        clock = DateTime(raw) if n == 12 else (Date(raw) if n == 5 else Time(raw))
    try:
        body, stop = _data(buf, dpos + n, end, 0)
    except DecodeError:
        fixed = _repair_body(buf, dpos + n, end) if repair else None
        if fixed is None:
            raise
        if with_repairs:
            return (liip, clock) + fixed
        return liip, clock, fixed[0], fixed[1]
    if with_repairs:
        return liip, clock, body, stop, ()
    return liip, clock, body, stop


def decode_gbt(buf: Any, start: int = 0, end: Optional[int] = None) -> Tuple[bool, int, int, int, int]:
    """Decode the header of a general-block-transfer APDU (tag 0xE0).

    ::

        E0 | block-control | block-number (2) | block-number-ack (2) | length (A-XDR) | data
             bit 7 last block, bit 6 streaming, bits 5-0 window

    Returns ``(last, block_number, block_number_ack, data_start, data_end)``.
    """
    buf, end = _bounds(buf, start, end)
    pos = start
    if pos >= end:
        raise DecodeError("truncated general-block-transfer", offset=pos)
    if buf[pos] != 0xE0:
        raise DecodeError("not a general-block-transfer: APDU tag 0x%02X" % buf[pos], offset=pos)
    if end - pos < 7:
        raise DecodeError("truncated general-block-transfer header", offset=pos)
    control = buf[pos + 1]
    number = _U16(buf, pos + 2)[0]
    ack = _U16(buf, pos + 4)[0]
    n, dpos = _length(buf, pos + 6, end, "general-block-transfer header", pos)
    if n > end - dpos:
        raise DecodeError(
            "general-block-transfer block data truncated: %d bytes announced, %d present" % (n, end - dpos),
            offset=pos,
        )
    return control >= 0x80, number, ack, dpos, dpos + n
