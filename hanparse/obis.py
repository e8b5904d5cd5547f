"""OBIS codes (IEC 62056-61): the names of COSEM objects.

An :class:`Obis` is an immutable 6-tuple of ints ``(A, B, C, D, E, F)``.
It is created from any of the spellings meters and users write::

    >>> Obis.parse("1-0:1.8.0")
    Obis(1, 0, 1, 8, 0, 255)
    >>> str(Obis.parse("1.0.1.8.0.255"))
    '1-0:1.8.0.255'
    >>> Obis.from_bytes(bytes([1, 0, 1, 8, 0, 255])) is Obis.parse("1-0:1.8.0*255")
    True

Values repeat in every frame, so :meth:`Obis.from_bytes` and
:meth:`Obis.parse` intern their results: the same code is one shared object.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple, Type, Union

from .errors import DecodeError

__all__ = ["Obis", "ObisLike"]

# IEC 62056-61 allows letters in value group C in the short form used by
# mode-D readouts: C = 96, F = 97, L = 98, P = 99.
_LETTERS = {"C": 96, "F": 97, "L": 98, "P": 99}

_TEXT = re.compile(
    r"""^\s*
    (?:(?P<a>\d{1,3})-(?P<b>\d{1,3}):)?          # A-B:   (optional)
    (?P<c>\d{1,3}|[CFLP])\.(?P<d>\d{1,3})         # C.D
    (?:\.(?P<e>\d{1,3}))?                         # .E     (optional)
    (?:[.*&](?P<f>\d{1,3}))?                      # .F *F &F (optional)
    \s*$""",
    re.VERBOSE,
)
_DOTTED = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\s*$")

_CACHE_LIMIT = 4096  # hostile input must not grow the intern tables without bound
_by_bytes: Dict[bytes, "Obis"] = {}
_by_text: Dict[str, "Obis"] = {}


class Obis(tuple[int, ...]):
    """An OBIS code ``A-B:C.D.E.F``; a tuple of six ints from 0 to 255.

    ``Obis(1, 0, 1, 7, 0)`` defaults F to 255.  ``str()`` gives the full
    form ``"1-0:1.7.0.255"``; :attr:`short` the form without F that P1
    telegrams use (``"1-0:1.7.0"``).
    """

    __slots__ = ()

    def __new__(cls, a: int, b: int, c: int, d: int, e: int, f: int = 255) -> "Obis":
        groups = (a, b, c, d, e, f)
        for g in groups:
            if type(g) is not int or not 0 <= g <= 255:
                raise DecodeError("OBIS value groups must be integers 0..255, got %r" % (groups,))
        return tuple.__new__(cls, groups)

    # -- constructors ---------------------------------------------------
    @classmethod
    def from_bytes(cls, raw: Union[bytes, bytearray, memoryview]) -> "Obis":
        """The OBIS code of a 6-byte COSEM logical name (interned)."""
        key = bytes(raw)
        hit = _by_bytes.get(key)
        if hit is not None:
            return hit
        if len(key) != 6:
            raise DecodeError("an OBIS logical name has 6 bytes, got %d" % len(key))
        obis = tuple.__new__(cls, tuple(key))
        if len(_by_bytes) < _CACHE_LIMIT:
            _by_bytes[key] = obis
        return obis

    @classmethod
    def parse(cls, text: str) -> "Obis":
        """Parse ``"1-0:1.8.0"``, ``"1-0:1.8.0.255"``, ``"1-0:1.8.0*255"``,
        ``"1.0.1.8.0.255"`` or ``"C.1.0"`` (interned).  Missing A-B default
        to 0-0 only when C is a letter or 96..99 (abstract objects); missing
        E defaults to 0 only in the two-group mode-D form; missing F is 255.
        """
        hit = _by_text.get(text)
        if hit is not None:
            return hit
        if not isinstance(text, str):
            raise DecodeError("OBIS code must be text, got %s" % type(text).__name__)
        m = _DOTTED.match(text)
        if m:
            groups = tuple(int(g) for g in m.groups())
        else:
            m = _TEXT.match(text)
            if not m:
                raise DecodeError("not an OBIS code: %r" % (text[:40],))
            c = m.group("c")
            c_val = _LETTERS[c] if c in _LETTERS else int(c)
            a, b = m.group("a"), m.group("b")
            if a is None:
                a_val, b_val = (0, 0) if 96 <= c_val <= 99 else (1, 0)
            else:
                a_val, b_val = int(a), int(b)
            e = m.group("e")
            f = m.group("f")
            groups = (a_val, b_val, c_val, int(m.group("d")), int(e) if e is not None else 0,
                      int(f) if f is not None else 255)
        for g in groups:
            if g > 255:
                raise DecodeError("OBIS value group above 255 in %r" % (text[:40],))
        obis = cls.from_bytes(bytes(groups))
        if len(_by_text) < _CACHE_LIMIT:
            _by_text[text] = obis
        return obis

    @classmethod
    def coerce(cls, value: "ObisLike") -> "Obis":
        """Turn any accepted spelling (Obis, str, 6 bytes, 5/6-int tuple) into an Obis."""
        if type(value) is cls:
            return value
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return cls.from_bytes(value)
        if isinstance(value, tuple) and len(value) in (5, 6):
            return cls(*value)
        raise DecodeError("cannot make an OBIS code of %r" % (value,))

    # -- accessors ------------------------------------------------------
    a = property(lambda self: self[0], doc="value group A (medium: 0 abstract, 1 electricity, 7 gas ...)")
    b = property(lambda self: self[1], doc="value group B (channel)")
    c = property(lambda self: self[2], doc="value group C (quantity)")
    d = property(lambda self: self[3], doc="value group D (processing)")
    e = property(lambda self: self[4], doc="value group E (tariff / classification)")
    f = property(lambda self: self[5], doc="value group F (billing period; 255 = current)")

    @property
    def short(self) -> str:
        """``"A-B:C.D.E"``, the form P1 telegrams use; F is dropped only when it is 255."""
        if self[5] == 255:
            return "%d-%d:%d.%d.%d" % self[:5]
        return str(self)

    def to_bytes(self) -> bytes:
        """The 6-byte COSEM logical name."""
        return bytes(self)

    def with_b(self, b: int) -> "Obis":
        """The same code on channel ``b``."""
        return Obis(self[0], b, self[2], self[3], self[4], self[5])

    def __str__(self) -> str:
        return "%d-%d:%d.%d.%d.%d" % self

    def __repr__(self) -> str:
        return "Obis(%d, %d, %d, %d, %d, %d)" % self

    def __reduce__(self) -> Tuple[Type[Obis], Tuple[int, ...]]:
        return (Obis, tuple(self))


#: anything :meth:`Obis.coerce` accepts: an Obis, its text, 6 raw bytes, or a 5/6-int tuple
ObisLike = Union[Obis, str, bytes, Tuple[int, ...]]
