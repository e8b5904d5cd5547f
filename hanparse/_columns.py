# cython: annotation_typing=False
"""Column buffers for the bulk (Arrow) decoder: messages in, plain lists out.

:class:`Columns` takes decoded :class:`~hanparse.model.Message` objects and
appends their fields straight into per-column Python lists (no
``to_dict()``, no dict per reading).  Fields shared by every reading of a
message (where it came from, its format, meter, clock) are stored once per
message; each reading only records the position of its message, and the
Arrow layer expands the message columns with one ``take``.

This file is compiled by Cython in pure-Python mode (types in
``_columns.pxd``) and also runs as it is; both give the same lists.  It
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
    from cython.cimports.hanparse._slots_c import learn_slots, read_slot  # type: ignore[import-not-found, import-untyped, unused-ignore]
    from cython.cimports.libc.math import floor, isfinite, log10  # type: ignore[import-not-found, import-untyped, unused-ignore]

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
_NAME_SLOTS = 1024  # entries of the OBIS text/name table (a power of two)
_UTC = _dt.timezone.utc
_datetime = _dt.datetime
_date = _dt.date
_time = _dt.time


def _fits(n: int) -> bool:
    return _INT64_MIN <= n <= _INT64_MAX


def _decimal_parts(d: Decimal, ints: List[Optional[int]], scales: List[Optional[int]]) -> int:
    """Append (mantissa, exponent) of a Decimal, or (None, None) when it is not finite or does not fit."""
    if d.is_finite():
        sign, digits, exponent = d.as_tuple()
        mantissa = 0
        for digit in digits:
            mantissa = mantissa * 10 + digit
        if sign:
            mantissa = -mantissa
        if isinstance(exponent, int) and _fits(mantissa) and -128 <= exponent <= 127:
            ints.append(mantissa)
            scales.append(exponent)
            return 0
    ints.append(None)
    scales.append(None)
    return 0


def _float_parts(f: float, ints: List[Optional[int]], scales: List[Optional[int]]) -> int:
    """Append (mantissa, exponent) of a float's shortest decimal form, its ``repr`` (as ``Decimal(repr(f))``)."""
    text: str = repr(f)
    if "e" in text:  # 1e+16, 1.5e-07: the general path
        return _decimal_parts(Decimal(text), ints, scales)
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
    ints.append(-mantissa if text[0] == "-" else mantissa)
    scales.append(scale)
    return 0


def _exact(value: Any, raw: Any, ints: List[Optional[int]], scales: List[Optional[int]]) -> int:
    """Append (value_int, value_scale) of a numeric reading (appending, not returning, spares a tuple per row)."""
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
                ints.append(raw)
                scales.append(s)
                return 0
        if _fits(n):
            ints.append(n)
            scales.append(0)
        else:
            ints.append(None)
            scales.append(None)
        return 0
    if tv is float:
        f: float = value
        if not isfinite(f):
            ints.append(None)
            scales.append(None)
            return 0
        if type(raw) is int and raw != 0 and _fits(raw):
            r: float = raw
            ratio = f / r
            if ratio > 0.0:
                s = int(floor(log10(ratio) + 0.5))
                if -128 <= s <= 127:
                    scaled = r * 10.0 ** s
                    if abs(scaled - f) <= 1e-12 * max(abs(scaled), abs(f)):  # math.isclose(rel_tol=1e-12)
                        ints.append(raw)
                        scales.append(s)
                        return 0
        return _float_parts(f, ints, scales)
    if isinstance(value, Decimal):
        return _decimal_parts(value, ints, scales)
    ints.append(None)
    scales.append(None)
    return 0


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
    """Growing column lists of decoded messages; :meth:`take` hands them over and starts afresh."""

    def __init__(self) -> None:
        self._obis_text: List[Optional[Tuple[Any, str, Optional[str]]]] = [None] * _NAME_SLOTS
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
        self.r_msg: List[int] = []
        self.r_obis: List[str] = []
        self.r_name: List[Optional[str]] = []
        self.r_channel: List[Optional[int]] = []
        self.r_value: List[Optional[float]] = []
        self.r_int: List[Optional[int]] = []
        self.r_scale: List[Optional[int]] = []
        self.r_text: List[Optional[str]] = []
        self.r_unit: List[Optional[str]] = []
        self.r_time: List[Optional[_dt.datetime]] = []
        self.r_local: List[Optional[_dt.datetime]] = []
        self.r_warning: List[Optional[str]] = []

    def _names(self, obis: Any) -> Tuple[Any, str, Optional[str]]:
        """(obis, its text, its registry name), from a small table indexed by the object's address.

        OBIS codes are interned, so the same few objects come back; an entry
        holds its object (so the address is not reused while it is there) and
        a collision simply recomputes.  Bounded: _NAME_SLOTS entries.
        """
        if cython.compiled:
            addr = cython.cast(cython.size_t, cython.cast(cython.p_void, obis))
        else:
            addr = id(obis)
        slot = ((addr >> 4) ^ (addr >> 14) ^ (addr >> 24)) & (_NAME_SLOTS - 1)
        hit = self._obis_text[slot]
        if hit is None or hit[0] is not obis:
            hit = (obis, str(obis), registry.name_of(obis))
            self._obis_text[slot] = hit
        return hit

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
        if cython.compiled and type(meter) is MeterInfo:
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
            names = self._names(obis)
            self.r_msg.append(pos)
            self.r_obis.append(names[1])
            self.r_name.append(names[2])
            self.r_channel.append(channel)
            self.r_unit.append(unit)
            self.r_warning.append(warning)
            tv = type(value)
            if tv is int or tv is float or tv is bool or isinstance(value, Decimal):
                _exact(value, raw, self.r_int, self.r_scale)
                self.r_value.append(float(value))
                self.r_text.append(None)
            else:
                self.r_value.append(None)
                self.r_int.append(None)
                self.r_scale.append(None)
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

    def take(self) -> Tuple[Tuple[List[Any], ...], Tuple[List[Any], ...]]:
        """(message lists in MESSAGE_FIELDS order, reading lists in READING_FIELDS order); then empty."""
        out = (
            (self.m_row, self.m_offset, self.m_index, self.m_format, self.m_meter, self.m_list, self.m_time,
             self.m_local, self.m_tzmin, self.m_encrypted),
            (self.r_msg, self.r_obis, self.r_name, self.r_channel, self.r_value, self.r_int, self.r_scale,
             self.r_text, self.r_unit, self.r_time, self.r_local, self.r_warning),
        )
        self._clear()
        return out
