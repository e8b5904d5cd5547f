"""construct declarations of the DLMS/COSEM wire formats (the declaration of record).

These schemas parse (the slow reference decoder the fast twins are tested
against) and build (frames for tests, simulators and hypothesis
strategies).  Module-level CamelCase constants:

``BerLength``
    A-XDR/BER length: ``00``-``7F`` is the value; ``81 n``, ``82 nn``,
    ``83 nnn``, ``84 nnnn`` carry it in 1-4 following bytes.  Builds the
    shortest form.
``Data``
    The A-XDR ``Data`` CHOICE: ``tag (1) | content``, every tag of
    :class:`~hanparse.dlms.types.DataTag`, recursive through arrays,
    structures and compact-arrays.  Parses to ``Container(tag=..., value=...)``.
``TypeDescription``, ``CompactArray``
    compact-array (tag 19): a type description, then the untagged encodings
    of the elements inside an A-XDR-length-prefixed octet block.
``DataNotification``
    ``0F | long-invoke-id-and-priority (4) | date-time | body (Data)``, the
    date-time in any of its wire forms (``00``; ``0C`` + 12; ``09 0C`` + 12;
    ``19`` + 12).
``GeneralBlockTransfer``
    ``E0 | block-control | block-number (2) | block-number-ack (2) | length | data``.
``LlcHeader``
    ``E6 E7 00`` (or ``E6 E6 00``) in front of an APDU in an HDLC frame.

Helpers: :func:`to_value` turns a parsed ``Data`` container into the Python
representation the fast decoders return; :func:`typed` / :func:`from_value`
/ :func:`compact_array` make build-ready containers from Python values;
:func:`build_data`, :func:`build_data_notification`, :func:`build_gbt`,
:func:`split_gbt` produce bytes; :func:`parse_data`,
:func:`parse_data_notification` and :func:`parse_gbt` are the reference
decoders with the same signatures and results as the fast ones (construct
failures become :class:`~hanparse.errors.DecodeError`).
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO, Dict, List, Optional, Tuple, Union
from typing import Sequence as Seq

from construct import (
    Array,
    BitsInteger,
    BitStruct,
    Bytes,
    Check,
    Computed,
    Const,
    Construct,
    ConstructError,
    Container,
    Enum,
    Error,
    Flag,
    Float32b,
    Float64b,
    GreedyBytes,
    Int8sb,
    Int8ub,
    Int16sb,
    Int16ub,
    Int32sb,
    Int32ub,
    Int64sb,
    Int64ub,
    LazyBound,
    ListContainer,
    OneOf,
    PascalString,
    Pass,
    Prefixed,
    PrefixedArray,
    Sequence,
    SizeofError,
    StreamError,
    Struct,
    Switch,
    ValidationError,
    this,
)
from construct.core import stream_read, stream_write

from ..errors import DecodeError
from .types import BitString, DataTag, Date, DateTime, Time

__all__ = [
    "BerLength",
    "DataTagEnum",
    "Data",
    "TypeDescription",
    "CompactArray",
    "NotificationDateTime",
    "DataNotification",
    "GeneralBlockTransfer",
    "LlcHeader",
    "MAX_DEPTH",
    "to_value",
    "typed",
    "from_value",
    "compact_array",
    "build_data",
    "build_data_notification",
    "build_gbt",
    "split_gbt",
    "parse_data",
    "parse_data_notification",
    "parse_gbt",
    "data_depth",
]

#: same nesting limit as the fast decoders
MAX_DEPTH = 32


class _BerLengthAdapter(Construct):  # type: ignore[misc]  # construct ships no type information
    """A-XDR/BER length field (short form, or 0x81-0x84 + 1-4 bytes)."""

    def _parse(self, stream: BinaryIO, context: Any, path: str) -> int:
        first: int = stream_read(stream, 1, path)[0]
        if first < 0x80:
            return first
        n = first - 0x80
        if n == 0 or n > 4:
            raise ValidationError("invalid A-XDR length byte 0x%02X" % first, path=path)
        return int.from_bytes(stream_read(stream, n, path), "big")

    def _build(self, obj: Any, stream: BinaryIO, context: Any, path: str) -> int:
        if not isinstance(obj, int) or obj < 0 or obj > 0xFFFFFFFF:
            raise ValidationError("A-XDR length out of range: %r" % (obj,), path=path)
        if obj < 0x80:
            data = bytes((obj,))
        else:
            n = (obj.bit_length() + 7) // 8
            data = bytes((0x80 + n,)) + obj.to_bytes(n, "big")
        stream_write(stream, data, len(data), path)
        return obj

    def _sizeof(self, context: Any, path: str) -> int:
        raise SizeofError("A-XDR length has a variable size", path=path)


#: A-XDR/BER length: short form below 0x80, else 0x81-0x84 followed by 1-4 big-endian bytes
BerLength = _BerLengthAdapter()

#: the A-XDR tag byte, named after :class:`DataTag`
DataTagEnum = Enum(Int8ub, DataTag)


def _tag_number(tag: Any) -> int:
    """The int of a tag given as int, DataTag, name ("long_unsigned") or parsed EnumIntegerString."""
    if isinstance(tag, str):
        try:
            return int(DataTag[tag.replace("-", "_")])
        except KeyError:
            return -1
    return int(tag)


def _ctx_tag(ctx: Any) -> int:
    return _tag_number(ctx.tag)


# content of every simple (non-container) tag; shared by Data and compact-arrays
BitStringContent = Struct(
    "length" / BerLength,
    "data" / Bytes(lambda ctx: (ctx.length + 7) // 8),
)

_SIMPLE: Dict[int, Construct] = {
    0: Pass,
    3: Flag,
    4: BitStringContent,
    5: Int32sb,
    6: Int32ub,
    9: Prefixed(BerLength, GreedyBytes),
    10: PascalString(BerLength, "latin-1"),
    12: PascalString(BerLength, "utf8"),
    13: Int8ub,  # bcd: one octet (DSMR P1 companion standard 5.0.2, table 5-2: S2)
    15: Int8sb,
    16: Int16sb,
    17: Int8ub,
    18: Int16ub,
    20: Int64sb,
    21: Int64ub,
    22: Int8ub,
    23: Float32b,
    24: Float64b,
    25: Bytes(12),
    26: Bytes(5),
    27: Bytes(4),
}

# minimum encoded size of a simple type inside a compact-array (null-data excluded)
_MIN_SIZE = {3: 1, 4: 1, 5: 4, 6: 4, 9: 1, 10: 1, 12: 1, 13: 1, 15: 1, 16: 2, 17: 1, 18: 2,
             20: 8, 21: 8, 22: 1, 23: 4, 24: 8, 25: 12, 26: 5, 27: 4}


def _valid_type(ctx: Any) -> bool:
    """A compact-array type description names real, non-empty types only."""
    tag = _ctx_tag(ctx)
    if tag == 1:
        count: int = ctx.spec.count
        return count > 0
    if tag == 2:
        return len(ctx.spec) > 0
    return tag in _MIN_SIZE


#: compact-array type description:
#:   <simple tag> | 01 <count:uint16> <TypeDescription> | 02 <count:A-XDR> <TypeDescription>*
TypeDescription: Construct = Struct(
    "tag" / DataTagEnum,
    "spec" / Switch(
        _ctx_tag,
        {
            1: Struct("count" / Int16ub, "element" / LazyBound(lambda: TypeDescription)),
            2: PrefixedArray(BerLength, LazyBound(lambda: TypeDescription)),
        },
        default=Pass,
    ),
    Check(_valid_type),
)


def _untagged(desc: Any) -> Construct:
    """The construct of one element of a compact-array described by ``desc``."""
    tag = _tag_number(desc.tag)
    if tag == 1:
        return Array(desc.spec.count, _untagged(desc.spec.element))
    if tag == 2:
        return Sequence(*[_untagged(d) for d in desc.spec])
    return _SIMPLE[tag]


class _CompactContents(Construct):  # type: ignore[misc]  # construct ships no type information
    """``length (A-XDR) | elements``: the elements of a compact-array, typed by ``this.type``."""

    def _parse(self, stream: BinaryIO, context: Any, path: str) -> Any:
        n = BerLength._parsereport(stream, context, path)
        block = stream_read(stream, n, path)
        element = _untagged(context.type)
        sub = io.BytesIO(block)
        out = ListContainer()
        while sub.tell() < n:
            out.append(element._parsereport(sub, context, path))
        return out

    def _build(self, obj: Any, stream: BinaryIO, context: Any, path: str) -> Any:
        element = _untagged(context.type)
        block = b"".join(element.build(x) for x in obj)
        BerLength._build(len(block), stream, context, path)
        stream_write(stream, block, len(block), path)
        return obj

    def _sizeof(self, context: Any, path: str) -> int:
        raise SizeofError("compact-array contents have a variable size", path=path)


#: compact-array content: ``type-description | contents length | contents``
CompactArray = Struct(
    "type" / TypeDescription,
    "contents" / _CompactContents(),
)

_CASES: Dict[int, Construct] = dict(_SIMPLE)
_CASES[1] = PrefixedArray(BerLength, LazyBound(lambda: Data))
_CASES[2] = PrefixedArray(BerLength, LazyBound(lambda: Data))
_CASES[19] = CompactArray

#: one A-XDR Data element: ``tag | content``
Data: Construct = Struct(
    "tag" / DataTagEnum,
    "value" / Switch(_ctx_tag, _CASES, default=Error),
)

#: the date-time of a data-notification: an OCTET STRING, sometimes A-XDR tagged
#:   00              absent                (form 0x00)
#:   0C + 12         length + octets       (form = the length: 0x0C, 0x05, 0x04)
#:   09 0C + 12      octet-string tag      (form 0x09; Kaifa NO, Kamstrup before rev. 3.0)
#:   19 + 12         date-time tag         (form 0x19)
NotificationDateTime = Struct(
    "form" / Int8ub,
    "length" / Switch(this.form, {0x09: Int8ub, 0x19: Computed(12)}, default=Computed(this.form)),
    Check(lambda ctx: ctx.length in (0, 4, 5, 12)),
    "value" / Bytes(this.length),
)

#: data-notification APDU (0x0F): long-invoke-id-and-priority, optional date-time, body (one Data)
DataNotification = Struct(
    "tag" / Const(b"\x0f"),
    "long_invoke_id_and_priority" / Int32ub,
    "date_time" / NotificationDateTime,
    "body" / Data,
)

#: general-block-transfer APDU (0xE0): block control, block number, acknowledged block, data
GeneralBlockTransfer = Struct(
    "tag" / Const(b"\xe0"),
    "block_control" / BitStruct("last" / Flag, "streaming" / Flag, "window" / BitsInteger(6)),
    "block_number" / Int16ub,
    "block_number_ack" / Int16ub,
    "data" / Prefixed(BerLength, GreedyBytes),
)

#: LLC header in front of an HDLC APDU: E6 E7 00 (server to client) or E6 E6 00
LlcHeader = Struct(
    "dsap" / Const(0xE6, Int8ub),
    "ssap" / OneOf(Int8ub, [0xE6, 0xE7]),
    "control" / Const(0x00, Int8ub),
)


# ---------------------------------------------------------------- parse result -> Python values

_STAMPS = {25: DateTime, 26: Date, 27: Time}


def _simple_value(tag: int, v: Any) -> Any:
    if tag == 4:
        return BitString(v.length, v.data)
    if tag in _STAMPS:
        return _STAMPS[tag](v)
    if tag == 3:
        return bool(v)
    if tag == 9:
        return bytes(v)
    return v


def _untagged_value(desc: Any, v: Any) -> Any:
    tag = _tag_number(desc.tag)
    if tag == 1:
        return [_untagged_value(desc.spec.element, x) for x in v]
    if tag == 2:
        return tuple(_untagged_value(d, x) for d, x in zip(desc.spec, v))
    return _simple_value(tag, v)


def to_value(node: Any) -> Any:
    """Convert a parsed ``Data`` container into the fast decoders' Python representation."""
    tag = _tag_number(node.tag)
    v = node.value
    if tag == 1:
        return [to_value(x) for x in v]
    if tag == 2:
        return tuple(to_value(x) for x in v)
    if tag == 19:
        return [_untagged_value(v.type, x) for x in v.contents]
    return _simple_value(tag, v)


def _desc_depth(desc: Any) -> int:
    tag = _tag_number(desc.tag)
    if tag == 1:
        return 1 + _desc_depth(desc.spec.element)
    if tag == 2:
        return 1 + max(_desc_depth(d) for d in desc.spec)
    return 0


def data_depth(node: Any) -> int:
    """Nesting depth of a ``Data`` container: containers (incl. compact-array types) on the deepest path."""
    tag = _tag_number(node.tag)
    if tag in (1, 2):
        return 1 + max((data_depth(x) for x in node.value), default=0)
    if tag == 19:
        return 1 + _desc_depth(node.value.type)
    return 0


# ---------------------------------------------------------------- Python values -> build-ready containers


def _is_node(v: Any) -> bool:
    return isinstance(v, dict) and "tag" in v and "value" in v


def _raw_simple(tag: int, value: Any) -> Any:
    """Python value -> what the construct of simple ``tag`` builds from."""
    if tag == 4:
        if isinstance(value, BitString):
            return Container(length=value.length, data=value.data)
        return value
    if tag in _STAMPS or tag == 9:
        return bytes(value)
    return value


def typed(tag: Union[int, str, DataTag], value: Any = None) -> Container:
    """A build-ready ``Data`` node with an explicit tag.

    Children of arrays and structures may be nodes or plain values (see
    :func:`from_value`).  For compact-arrays use :func:`compact_array`.
    """
    t = _tag_number(tag)
    if t in (1, 2):
        return Container(tag=t, value=[from_value(x) for x in value])
    if t == 19:
        if not _is_node(value) and not (isinstance(value, dict) and "type" in value):
            raise ValueError("use compact_array() to build a compact-array")
        return Container(tag=t, value=value)
    return Container(tag=t, value=_raw_simple(t, value))


def from_value(value: Any) -> Container:
    """A build-ready ``Data`` node for a plain Python value, choosing a tag by type.

    None -> null-data, bool -> boolean, int -> double-long-unsigned /
    long64-unsigned (>= 0) or double-long / long64 (< 0), float -> float64,
    bytes -> octet-string, str -> visible-string (utf8-string if not
    Latin-1), list -> array, tuple -> structure, BitString / DateTime /
    Date / Time -> their tags.  Nodes (dicts with ``tag``/``value``) pass
    through unchanged.
    """
    if _is_node(value):
        return value
    if value is None:
        return Container(tag=0, value=None)
    if isinstance(value, bool):
        return Container(tag=3, value=value)
    if isinstance(value, int):
        if value >= 0:
            return Container(tag=6 if value <= 0xFFFFFFFF else 21, value=value)
        return Container(tag=5 if value >= -0x80000000 else 20, value=value)
    if isinstance(value, float):
        return Container(tag=24, value=value)
    if isinstance(value, BitString):
        return typed(4, value)
    for tag, cls in _STAMPS.items():
        if isinstance(value, cls):
            return Container(tag=tag, value=bytes(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return Container(tag=9, value=bytes(value))
    if isinstance(value, str):
        try:
            value.encode("latin-1")
            return Container(tag=10, value=value)
        except UnicodeEncodeError:
            return Container(tag=12, value=value)
    if isinstance(value, list):
        return typed(1, value)
    if isinstance(value, tuple):
        return typed(2, value)
    raise TypeError("no A-XDR type for %r" % (value,))


TypeSpec = Union[int, str, DataTag, Tuple[Any, ...]]


def _type_node(spec: TypeSpec) -> Container:
    """``"long_unsigned"`` | ``("array", count, spec)`` | ``("structure", [spec, ...])`` -> TypeDescription node."""
    if isinstance(spec, tuple):
        kind = _tag_number(spec[0])
        if kind == 1:
            return Container(tag=1, spec=Container(count=spec[1], element=_type_node(spec[2])))
        if kind == 2:
            return Container(tag=2, spec=[_type_node(s) for s in spec[1]])
        raise ValueError("bad compact-array type %r" % (spec,))
    return Container(tag=_tag_number(spec), spec=None)


def _raw_untagged(desc: Container, value: Any) -> Any:
    tag = desc.tag
    if tag == 1:
        return [_raw_untagged(desc.spec.element, x) for x in value]
    if tag == 2:
        return [_raw_untagged(d, x) for d, x in zip(desc.spec, value)]
    return _raw_simple(tag, value)


def compact_array(spec: TypeSpec, elements: Seq[Any]) -> Container:
    """A build-ready compact-array node: element type ``spec`` and the Python element values.

    ``spec`` is a simple tag (``"long_unsigned"``, 18, ``DataTag.enum``),
    ``("array", count, spec)`` or ``("structure", [spec, ...])``.
    """
    desc = _type_node(spec)
    return Container(tag=19, value=Container(type=desc, contents=[_raw_untagged(desc, e) for e in elements]))


def build_data(value: Any) -> bytes:
    """Encode a Python value or node tree (see :func:`from_value`) as A-XDR bytes."""
    encoded: bytes = Data.build(from_value(value))
    return encoded


_CLOCK_FORMS = {"octet-string": None, "tagged": 0x09, "date-time": 0x19}


def build_data_notification(
    body: Any,
    long_invoke_id_and_priority: int = 0x40000000,
    clock: Optional[bytes] = None,
    clock_form: str = "octet-string",
) -> bytes:
    """Encode a data-notification APDU.

    ``clock`` None writes ``00``; otherwise its 4, 5 or 12 octets are sent
    as ``clock_form``: ``"octet-string"`` (``0C`` + 12), ``"tagged"``
    (``09 0C`` + 12, Kaifa/old Kamstrup) or ``"date-time"`` (``19`` + 12).
    """
    if clock is None:
        dt = Container(form=0, length=0, value=b"")
    else:
        raw = bytes(clock)
        form = _CLOCK_FORMS[clock_form]
        if form is None:
            dt = Container(form=len(raw), length=len(raw), value=raw)
        else:
            dt = Container(form=form, length=len(raw), value=raw)
    encoded: bytes = DataNotification.build(
        Container(long_invoke_id_and_priority=long_invoke_id_and_priority, date_time=dt, body=from_value(body))
    )
    return encoded


def build_gbt(
    data: bytes,
    block_number: int,
    last: bool,
    block_number_ack: int = 0,
    streaming: bool = False,
    window: int = 0,
) -> bytes:
    """Encode one general-block-transfer APDU carrying ``data``."""
    encoded: bytes = GeneralBlockTransfer.build(
        Container(
            block_control=Container(last=last, streaming=streaming, window=window),
            block_number=block_number,
            block_number_ack=block_number_ack,
            data=bytes(data),
        )
    )
    return encoded


def split_gbt(apdu: bytes, block_size: int, first_block: int = 1, streaming: bool = True) -> List[bytes]:
    """Cut ``apdu`` into general-block-transfer blocks of at most ``block_size`` data bytes."""
    chunks = [apdu[i : i + block_size] for i in range(0, len(apdu), block_size)] or [b""]
    return [
        build_gbt(c, first_block + i, i == len(chunks) - 1, streaming=streaming and i < len(chunks) - 1)
        for i, c in enumerate(chunks)
    ]


# ---------------------------------------------------------------- reference decoders

_FAILURES = (ConstructError, UnicodeDecodeError, RecursionError, StreamError)


def _reference(what: str, fn: Any) -> Any:
    try:
        return fn()
    except _FAILURES as exc:
        raise DecodeError("%s does not parse: %s" % (what, exc.__class__.__name__)) from None


def _window(data: Any, start: int, end: Optional[int]) -> bytes:
    b = bytes(data)
    if end is None or end < 0 or end > len(b):
        end = len(b)
    return b[start:end]


def _check_depth(node: Any) -> None:
    if _reference("A-XDR data", lambda: data_depth(node)) > MAX_DEPTH:
        raise DecodeError("A-XDR data nested deeper than %d levels" % MAX_DEPTH)


def parse_data(data: Any, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]:
    """Reference twin of ``decode_data``: ``(value, end position)`` via :data:`Data`."""
    stream = io.BytesIO(_window(data, start, end))
    node = _reference("A-XDR data", lambda: Data.parse_stream(stream))
    _check_depth(node)
    return _reference("A-XDR data", lambda: to_value(node)), start + stream.tell()


def parse_data_notification(data: Any, start: int = 0, end: Optional[int] = None) -> Tuple[int, Any, Any, int]:
    """Reference twin of ``decode_data_notification(..., repair=False)`` via :data:`DataNotification`.

    Strict A-XDR only: the Embriq ``06 09`` swapped OBIS tag and the EGD /
    Sagemcom XT211 untagged class/OBIS/attribute entries (dlms.md 4.2) are
    rejected here; the twins repair them behind their strict walk
    (``decode_data_lenient``).
    """
    stream = io.BytesIO(_window(data, start, end))
    c = _reference("data-notification", lambda: DataNotification.parse_stream(stream))
    _check_depth(c.body)
    dt = c.date_time
    clock = None if dt.length == 0 else {12: DateTime, 5: Date, 4: Time}[dt.length](dt.value)
    return (c.long_invoke_id_and_priority, clock, _reference("A-XDR data", lambda: to_value(c.body)),
            start + stream.tell())


def parse_gbt(data: Any, start: int = 0, end: Optional[int] = None) -> Tuple[bool, int, int, int, int]:
    """Reference twin of ``decode_gbt``: ``(last, block_number, block_number_ack, data_start, data_end)``."""
    window = _window(data, start, end)
    stream = io.BytesIO(window)
    c = _reference("general-block-transfer", lambda: GeneralBlockTransfer.parse_stream(stream))
    data_end = start + stream.tell()
    return c.block_control.last, c.block_number, c.block_number_ack, data_end - len(c.data), data_end
