"""Python types for A-XDR values that have no exact built-in equivalent.

The A-XDR ``Data`` tree decodes to plain Python values (see
:mod:`hanparse.dlms`): ``None``, ``bool``, ``int``, ``float``, ``bytes``,
``str``, ``list`` (array, compact-array), ``tuple`` (structure).  Four tags
need a type of their own so that the value still says what it was on the
wire:

* bit-string (tag 4) -> :class:`BitString` (a length in bits and the bytes);
* date-time (25), date (26), time (27) -> :class:`DateTime`, :class:`Date`,
  :class:`Time`: subclasses of ``bytes`` holding the raw 12, 5 or 4 octets,
  so they compare equal to those octets while their type names the tag.
  Interpreting the fields (deviation sign, "not specified" values, clock
  status) belongs to the COSEM layer.

:class:`DataTag` names every A-XDR tag number.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Tuple, Type

__all__ = ["DataTag", "BitString", "DateTime", "Date", "Time", "TAG_NAMES"]


class DataTag(IntEnum):
    """The A-XDR ``Data`` CHOICE tags (IEC 62056-6-2; dlms.md section 4.1)."""

    null_data = 0
    array = 1
    structure = 2
    boolean = 3
    bit_string = 4
    double_long = 5
    double_long_unsigned = 6
    octet_string = 9
    visible_string = 10
    utf8_string = 12
    bcd = 13
    integer = 15
    long = 16
    unsigned = 17
    long_unsigned = 18
    compact_array = 19
    long64 = 20
    long64_unsigned = 21
    enum = 22
    float32 = 23
    float64 = 24
    date_time = 25
    date = 26
    time = 27


#: tag number -> the spec's hyphenated name ("double-long-unsigned"), used in messages
TAG_NAMES = {int(t): t.name.replace("_", "-") for t in DataTag}


class BitString:
    """An A-XDR bit-string: ``length`` bits carried in ``data``.

    ``data`` holds ``ceil(length / 8)`` bytes as sent, first bit in the
    most significant bit of the first byte.  Immutable, hashable, equal by
    value.

    >>> b = BitString(3, b"\\xa0")
    >>> b.bits()
    (True, False, True)
    """

    __slots__ = ("_length", "_data")
    _length: int
    _data: bytes

    def __init__(self, length: int, data: bytes) -> None:
        data = bytes(data)
        if length < 0 or len(data) != (length + 7) // 8:
            raise ValueError("a bit-string of %d bits needs %d bytes, not %d" % (length, (length + 7) // 8, len(data)))
        object.__setattr__(self, "_length", length)
        object.__setattr__(self, "_data", data)

    @property
    def length(self) -> int:
        """Number of bits."""
        return self._length

    @property
    def data(self) -> bytes:
        """The ``ceil(length / 8)`` bytes carrying the bits."""
        return self._data

    def bits(self) -> Tuple[bool, ...]:
        """The bits in order, first bit first."""
        d = self._data
        return tuple(bool(d[i >> 3] & (0x80 >> (i & 7))) for i in range(self._length))

    def __len__(self) -> int:
        return self._length

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("BitString is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("BitString is immutable")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BitString):
            return self._length == other._length and self._data == other._data
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, BitString):
            return not (self._length == other._length and self._data == other._data)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((BitString, self._length, self._data))

    def __repr__(self) -> str:
        return "BitString(%d, %r)" % (self._length, self._data)

    def __reduce__(self) -> Tuple[Type[BitString], Tuple[int, bytes]]:
        return (BitString, (self._length, self._data))


class _RawOctets(bytes):
    """Raw COSEM date/time octets of a fixed size, typed by their A-XDR tag."""

    __slots__ = ()
    SIZE = 0

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__, bytes.__repr__(self))

    def __reduce__(self) -> Tuple[Type[_RawOctets], Tuple[bytes]]:
        return (type(self), (bytes(self),))


class DateTime(_RawOctets):
    """The 12 raw octets of a COSEM date-time (tag 25, or a date-time sent as octet-string).

    ::

        year(2) month day day-of-week hour minute second hundredths deviation(2) status
    """

    __slots__ = ()
    SIZE = 12


class Date(_RawOctets):
    """The 5 raw octets of a COSEM date (tag 26): year(2) month day day-of-week."""

    __slots__ = ()
    SIZE = 5


class Time(_RawOctets):
    """The 4 raw octets of a COSEM time (tag 27): hour minute second hundredths."""

    __slots__ = ()
    SIZE = 4
