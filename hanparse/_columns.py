# cython: annotation_typing=False
# mypy: disable-error-code="no-any-return"
# (mypy reads the C helpers cimported when compiled as Any)
"""Column buffers for the bulk (Arrow) decoder: messages in, typed buffers out.

:class:`Columns` takes decoded :class:`~hanparse.model.Message` objects and
writes their fields straight into per-column buffers (no ``to_dict()``, no
dict per reading).  Fields shared by every reading of a message (where it
came from, its format, meter, clock) are stored once per message, in lists;
each reading records the position of its message, and the Arrow layer
expands the message columns with one ``take``.

The reading columns that are numbers go into ``array.array`` buffers with a
validity byte per row (Arrow wraps the memory as it is, no Python object per
value); OBIS code, name and unit, which repeat, are stored as int32 codes
into small per-batch dictionaries; the rest (text, times, warning: mostly
empty) stay lists.  :meth:`Columns.take` documents the layout.

This file is compiled by Cython in pure-Python mode (types in
``_columns.pxd``) and also runs as it is; both give the same buffers.  It
imports nothing from pyarrow: building arrays is :mod:`hanparse.arrow`'s job.

Value mapping (one reading -> one row):

* ``value``: the reading as a float when it is a number (int, float,
  Decimal, bool), else None;
* ``value_int`` / ``value_scale``: the exact number as ``value_int *
  10**value_scale``: for a DLMS register the unscaled integer the meter sent
  and its scaler, for an integer the integer and 0, for a P1 decimal the
  digits it was written with (the shortest decimal of the float); None when
  the value is not a number or does not fit in 64 bits;
* ``text``: str values as they are, bytes as lower-case hex, dates and
  times in ISO 8601, anything else (tuples, logs) as JSON;
* times: an aware datetime gives the UTC instant, its wall-clock time and
  the offset in minutes; a naive one only its wall-clock time.
"""

from __future__ import annotations

import array as _array
import datetime as _dt
import json
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from . import registry
from .model import Message, MeterInfo, Reading, jsonable

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # Cython is a build dependency only: plain Python without it
    from types import SimpleNamespace as _Namespace

    cython = _Namespace(compiled=False)

if cython.compiled:  # C math, and the model's slots read at their offsets (hanparse/_slots_c.pxd)
    from cython.cimports.cpython.array import resize_smart  # type: ignore[import-not-found, import-untyped, unused-ignore]
    from cython.cimports.cpython.datetime import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        datetime_day,
        datetime_fold,
        datetime_hour,
        datetime_microsecond,
        datetime_minute,
        datetime_month,
        datetime_new,
        datetime_second,
        datetime_year,
        import_datetime,
    )
    from cython.cimports.hanparse._slots_c import learn_slots, read_slot  # type: ignore[import-not-found, import-untyped, unused-ignore]
    from cython.cimports.libc.math import floor, isfinite, log10  # type: ignore[import-not-found, import-untyped, unused-ignore]

    import_datetime()
    learn_slots(Reading, cython.address(_RL))  # type: ignore[name-defined]  # noqa: F821
    learn_slots(Message, cython.address(_ML))  # type: ignore[name-defined]  # noqa: F821
    learn_slots(MeterInfo, cython.address(_IL))  # type: ignore[name-defined]  # noqa: F821
else:
    from math import floor, isfinite, log10

__all__ = ["Columns", "MESSAGE_FIELDS", "READING_FIELDS"]

#: the per-message lists, in :meth:`Columns.take` order
MESSAGE_FIELDS = ("source_row", "source_offset", "message_index", "format", "meter_id", "list_id",
                  "message_time", "message_time_local", "utc_offset_min", "encrypted")
#: the per-reading lists, in :meth:`Columns.take` order (``msg`` is the position of the message)
READING_FIELDS = ("msg", "obis", "name", "channel", "value", "value_int", "value_scale", "text", "unit",
                  "reading_time", "reading_time_local", "warning")

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_NAME_BITS = 12
_FIB = 0x9E3779B1  # 2**32 / golden ratio
_MASK32 = 0xFFFFFFFF
_NAME_SLOTS = 1 << _NAME_BITS  # entries of the table of OBIS codes by address
_UTC = _dt.timezone.utc
_datetime = _dt.datetime
_date = _dt.date
_time = _dt.time


def _fits(n: int) -> bool:
    return _INT64_MIN <= n <= _INT64_MAX


# Appends to the typed buffers: one C store compiled (resize_smart over-allocates), array.append in Python.

def _push_d(a: _array.array, v: float) -> int:  # type: ignore[type-arg]
    if cython.compiled:
        n = len(a)
        resize_smart(a, n + 1)
        a.data.as_doubles[n] = v  # type: ignore[attr-defined]
    else:
        a.append(v)
    return 0


def _push_q(a: _array.array, v: int) -> int:  # type: ignore[type-arg]
    if cython.compiled:
        n = len(a)
        resize_smart(a, n + 1)
        a.data.as_longlongs[n] = v  # type: ignore[attr-defined]
    else:
        a.append(v)
    return 0


def _push_i(a: _array.array, v: int) -> int:  # type: ignore[type-arg]
    if cython.compiled:
        n = len(a)
        resize_smart(a, n + 1)
        a.data.as_ints[n] = v  # type: ignore[attr-defined]
    else:
        a.append(v)
    return 0


def _push_h(a: _array.array, v: int) -> int:  # type: ignore[type-arg]
    if cython.compiled:
        n = len(a)
        resize_smart(a, n + 1)
        a.data.as_shorts[n] = v  # type: ignore[attr-defined]
    else:
        a.append(v)
    return 0


def _push_b(a: _array.array, v: int) -> int:  # type: ignore[type-arg]
    if cython.compiled:
        n = len(a)
        resize_smart(a, n + 1)
        a.data.as_schars[n] = v  # type: ignore[attr-defined]
    else:
        a.append(v)
    return 0


def bitmap(valid: bytearray) -> bytes:
    """Arrow's validity bitmap (bit i of byte i // 8, least significant first) of one byte per row."""
    n = len(valid)
    out = bytearray((n + 7) // 8)
    for i in range(n):
        if valid[i]:
            out[i >> 3] |= 1 << (i & 7)
    return bytes(out)


class _Exact:
    """The value_int / value_scale buffers and their shared validity."""

    def __init__(self) -> None:
        self.ints = _array.array("q")
        self.scales = _array.array("b")
        self.valid = bytearray()

    def put(self, mantissa: int, scale: int) -> int:
        _push_q(self.ints, mantissa)
        _push_b(self.scales, scale)
        self.valid.append(1)
        return 0

    def none(self) -> int:
        _push_q(self.ints, 0)
        _push_b(self.scales, 0)
        self.valid.append(0)
        return 0


def _decimal_parts(d: Decimal, out: _Exact) -> int:
    """Append (mantissa, exponent) of a Decimal, or nothing valid when it is not finite or does not fit."""
    if d.is_finite():
        sign, digits, exponent = d.as_tuple()
        mantissa = 0
        for digit in digits:
            mantissa = mantissa * 10 + digit
        if sign:
            mantissa = -mantissa
        if isinstance(exponent, int) and _fits(mantissa) and -128 <= exponent <= 127:
            return out.put(mantissa, exponent)
    return out.none()


def _float_parts(f: float, out: _Exact) -> int:
    """Append (mantissa, exponent) of a float's shortest decimal form, its ``repr`` (as ``Decimal(repr(f))``)."""
    text: str = repr(f)
    if "e" in text:  # 1e+16, 1.5e-07: the general path
        return _decimal_parts(Decimal(text), out)
    mantissa = 0  # repr has at most 17 significant digits: fits in 64 bits
    scale = 0
    point = False
    for ch in text:
        if ch == ".":
            point = True
        elif ch != "-":
            mantissa = mantissa * 10 + (ord(ch) - 48)
            if point:
                scale -= 1
    return out.put(-mantissa if text[0] == "-" else mantissa, scale)


def _exact(value: Any, raw: Any, out: _Exact) -> int:
    """Append (value_int, value_scale) of a numeric reading."""
    tv = type(value)
    if tv is int or tv is bool:
        n = int(value)
        if type(raw) is int and raw != n and raw != 0 and n % raw == 0:
            q = n // raw
            s = 0
            while q % 10 == 0 and q > 1:
                q //= 10
                s += 1
            if q == 1 and _fits(raw):
                return out.put(raw, s)
        if _fits(n):
            return out.put(n, 0)
        return out.none()
    if tv is float:
        f: float = value
        if not isfinite(f):
            return out.none()
        if type(raw) is int and raw != 0 and _fits(raw):
            r: float = raw
            ratio = f / r
            if ratio > 0.0:
                s = int(floor(log10(ratio) + 0.5))
                if -128 <= s <= 127:
                    scaled = r * 10.0 ** s
                    if abs(scaled - f) <= 1e-12 * max(abs(scaled), abs(f)):  # math.isclose(rel_tol=1e-12)
                        return out.put(raw, s)
        return _float_parts(f, out)
    if isinstance(value, Decimal):
        return _decimal_parts(value, out)
    return out.none()


def _naive(ts: _dt.datetime) -> _dt.datetime:
    """The wall-clock time of an aware datetime: ``ts.replace(tzinfo=None)``."""
    if cython.compiled and type(ts) is _datetime:  # the same, built in C (replace() parses keywords)
        return datetime_new(datetime_year(ts), datetime_month(ts), datetime_day(ts), datetime_hour(ts),
                            datetime_minute(ts), datetime_second(ts), datetime_microsecond(ts), None,
                            datetime_fold(ts))
    return ts.replace(tzinfo=None)


def _text(value: Any) -> Optional[str]:
    """The text column of a non-numeric value."""
    if value is None:
        return None
    if type(value) is str:
        s: str = value
        return s
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (_datetime, _date, _time)):
        iso: str = value.isoformat()
        return iso
    return json.dumps(jsonable(value), ensure_ascii=False, default=str)


class Columns:
    """Growing column buffers of decoded messages; :meth:`take` hands them over and starts afresh."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.rows = 0
        self.messages = 0
        self.m_row: List[Optional[int]] = []
        self.m_offset: List[Optional[int]] = []
        self.m_index: List[int] = []
        self.m_format: List[str] = []
        self.m_meter: List[Optional[str]] = []
        self.m_list: List[Optional[str]] = []
        self.m_time: List[Optional[_dt.datetime]] = []
        self.m_local: List[Optional[_dt.datetime]] = []
        self.m_tzmin: List[Optional[int]] = []
        self.m_encrypted: List[bool] = []
        self.r_msg = _array.array("i")
        self.r_code = _array.array("i")  # into d_obis / d_name
        self.r_unit = _array.array("i")  # into d_unit
        self.r_channel = _array.array("h")
        self.v_channel = bytearray()
        self.r_value = _array.array("d")
        self.v_value = bytearray()
        self.r_exact = _Exact()
        self.r_text: List[Optional[str]] = []
        self.r_time: List[Optional[_dt.datetime]] = []
        self.r_local: List[Optional[_dt.datetime]] = []
        self.r_warning: List[Optional[str]] = []
        self.d_obis: List[str] = []
        self.d_name: List[Optional[str]] = []
        self.d_unit: List[Optional[str]] = []
        self._units: Dict[Optional[str], int] = {}
        self._obis_codes: List[Optional[Tuple[Any, int]]] = [None] * _NAME_SLOTS
        self._by_obis: Dict[Any, int] = {}

    def _code(self, obis: Any) -> int:
        """The batch's code of an OBIS code (its text and registry name are ``d_obis`` / ``d_name`` there).

        Found in a small table indexed by the object's address: OBIS codes
        are interned, so the same few objects come back.  An entry holds its
        object (so the address is not reused while it is there); a collision
        falls back to a dict of the batch's codes.  Bounded: a batch has at
        most one entry per distinct OBIS code.
        """
        if cython.compiled:
            addr = cython.cast(cython.size_t, cython.cast(cython.p_void, obis))
        else:
            addr = id(obis)
        slot = (((addr >> 4) * _FIB) & _MASK32) >> (32 - _NAME_BITS)  # Fibonacci hashing
        hit = self._obis_codes[slot]
        if hit is not None and hit[0] is obis:
            code: int = hit[1]
            return code
        known = self._by_obis.get(obis)  # a collision, or an equal OBIS code that is another object
        if known is None:
            code = len(self.d_obis)
            self.d_obis.append(str(obis))
            self.d_name.append(registry.name_of(obis))
            self._by_obis[obis] = code
        else:
            code = known
        self._obis_codes[slot] = (obis, code)
        return code

    def _unit_code(self, unit: Optional[str]) -> int:
        hit = self._units.get(unit)
        if hit is not None:
            code: int = hit
            return code
        code = len(self.d_unit)
        self.d_unit.append(unit)
        self._units[unit] = code
        return code

    def add(self, row: Optional[int], offset: Optional[int], index: int, msg: Any) -> int:
        """Append one message (its readings become rows); return the number of rows added."""
        pos = self.messages
        if cython.compiled and type(msg) is Message and _ML.ok and _IL.ok:  # type: ignore[name-defined]  # noqa: F821
            fmt = read_slot(msg, cython.address(_ML), 0)  # type: ignore[name-defined]  # noqa: F821
            meter = read_slot(msg, cython.address(_ML), 1)  # type: ignore[name-defined]  # noqa: F821
            ts = read_slot(msg, cython.address(_ML), 2)  # type: ignore[name-defined]  # noqa: F821
            readings = read_slot(msg, cython.address(_ML), 3)  # type: ignore[name-defined]  # noqa: F821
            encrypted = read_slot(msg, cython.address(_ML), 5)  # type: ignore[name-defined]  # noqa: F821
        else:
            fmt = msg._format
            meter = msg._meter
            ts = msg._timestamp
            readings = msg._readings
            encrypted = msg._encrypted
        self.m_row.append(row)
        self.m_offset.append(offset)
        self.m_index.append(index)
        self.m_format.append(fmt)
        if cython.compiled and type(meter) is MeterInfo and _IL.ok:  # type: ignore[name-defined]  # noqa: F821
            self.m_meter.append(read_slot(meter, cython.address(_IL), 2))  # type: ignore[name-defined]  # noqa: F821
            self.m_list.append(read_slot(meter, cython.address(_IL), 3))  # type: ignore[name-defined]  # noqa: F821
        else:
            self.m_meter.append(meter._meter_id)
            self.m_list.append(meter._list_id)
        self.m_encrypted.append(bool(encrypted))
        if ts is None:
            self.m_time.append(None)
            self.m_local.append(None)
            self.m_tzmin.append(None)
        else:
            off = ts.utcoffset()
            if off is None:
                self.m_time.append(None)
                self.m_local.append(ts)
                self.m_tzmin.append(None)
            else:
                self.m_time.append(ts.astimezone(_UTC))
                self.m_local.append(_naive(ts))
                self.m_tzmin.append(int(off.total_seconds()) // 60)
        self.messages = pos + 1
        fast = cython.compiled and _RL.ok  # type: ignore[name-defined]  # noqa: F821
        exact = self.r_exact
        n = 0
        for r in readings:
            if fast and type(r) is Reading:
                obis = read_slot(r, cython.address(_RL), 0)  # type: ignore[name-defined]  # noqa: F821
                value = read_slot(r, cython.address(_RL), 1)  # type: ignore[name-defined]  # noqa: F821
                unit = read_slot(r, cython.address(_RL), 2)  # type: ignore[name-defined]  # noqa: F821
                rts = read_slot(r, cython.address(_RL), 3)  # type: ignore[name-defined]  # noqa: F821
                channel = read_slot(r, cython.address(_RL), 4)  # type: ignore[name-defined]  # noqa: F821
                raw = read_slot(r, cython.address(_RL), 5)  # type: ignore[name-defined]  # noqa: F821
                warning = read_slot(r, cython.address(_RL), 6)  # type: ignore[name-defined]  # noqa: F821
            else:
                obis = r._obis
                value = r._value
                unit = r._unit
                rts = r._timestamp
                channel = r._channel
                raw = r._raw
                warning = r._warning
            _push_i(self.r_msg, pos)
            _push_i(self.r_code, self._code(obis))
            _push_i(self.r_unit, self._unit_code(unit))
            if channel is None:
                _push_h(self.r_channel, 0)
                self.v_channel.append(0)
            else:
                _push_h(self.r_channel, channel)
                self.v_channel.append(1)
            self.r_warning.append(warning)
            tv = type(value)
            if tv is int or tv is float or tv is bool or isinstance(value, Decimal):
                _exact(value, raw, exact)
                _push_d(self.r_value, float(value))
                self.v_value.append(1)
                self.r_text.append(None)
            else:
                _push_d(self.r_value, 0.0)
                self.v_value.append(0)
                exact.none()
                self.r_text.append(_text(value))
            if rts is None:
                self.r_time.append(None)
                self.r_local.append(None)
            elif rts.utcoffset() is None:
                self.r_time.append(None)
                self.r_local.append(rts)
            else:
                self.r_time.append(rts.astimezone(_UTC))
                self.r_local.append(_naive(rts))
            n += 1
        self.rows += n
        return n

    def take(self) -> Tuple[Tuple[Any, ...], Tuple[Any, ...]]:
        """Hand over the buffers and start afresh: ``(messages, readings)``.

        ``messages``: the per-message lists in :data:`MESSAGE_FIELDS` order.
        ``readings``: one entry per :data:`READING_FIELDS` name, in that order:

        * ``msg``: int32 array, the position of the reading's message;
        * ``obis`` / ``name``: ``(codes, texts)``, int32 codes into a list of
          strings (names may be None);
        * ``unit``: ``(codes, units)`` likewise;
        * ``channel`` (int16), ``value`` (float64): ``(array, validity)`` with
          one validity byte per row (0 = null; the value there is 0);
        * ``value_int`` (int64), ``value_scale`` (int8): ``(array, validity)``,
          the same validity for both;
        * ``text``, ``reading_time``, ``reading_time_local``, ``warning``: lists.
        """
        exact = self.r_exact
        out = (
            (self.m_row, self.m_offset, self.m_index, self.m_format, self.m_meter, self.m_list, self.m_time,
             self.m_local, self.m_tzmin, self.m_encrypted),
            (self.r_msg, (self.r_code, self.d_obis), (self.r_code, self.d_name), (self.r_channel, self.v_channel),
             (self.r_value, self.v_value), (exact.ints, exact.valid), (exact.scales, exact.valid), self.r_text,
             (self.r_unit, self.d_unit), self.r_time, self.r_local, self.r_warning),
        )
        self._clear()
        return out
