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
import math
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from . import registry
from .model import jsonable

__all__ = ["Columns", "MESSAGE_FIELDS", "READING_FIELDS"]

#: the per-message lists, in :meth:`Columns.take` order
MESSAGE_FIELDS = ("source_row", "source_offset", "message_index", "format", "meter_id", "list_id",
                  "message_time", "message_time_local", "utc_offset_min", "encrypted")
#: the per-reading lists, in :meth:`Columns.take` order (``msg`` is the position of the message)
READING_FIELDS = ("msg", "obis", "name", "channel", "value", "value_int", "value_scale", "text", "unit",
                  "reading_time", "reading_time_local", "warning")

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_CACHE_LIMIT = 4096  # OBIS codes seen; hostile input must not grow the cache without bound
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
        if not math.isfinite(f):
            ints.append(None)
            scales.append(None)
            return 0
        if type(raw) is int and raw != 0 and _fits(raw):
            ratio = f / raw
            if ratio > 0.0:
                s = int(round(math.log10(ratio)))
                if -128 <= s <= 127 and math.isclose(raw * 10.0 ** s, f, rel_tol=1e-12):
                    ints.append(raw)
                    scales.append(s)
                    return 0
        return _decimal_parts(Decimal(repr(f)), ints, scales)
    if isinstance(value, Decimal):
        return _decimal_parts(value, ints, scales)
    ints.append(None)
    scales.append(None)
    return 0


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
        self._obis_text: Dict[Any, Tuple[str, Optional[str]]] = {}
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

    def _names(self, obis: Any) -> Tuple[str, Optional[str]]:
        cache = self._obis_text
        hit = cache.get(obis)
        if hit is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            hit = (str(obis), registry.name_of(obis))
            cache[obis] = hit
        return hit

    def add(self, row: Optional[int], offset: Optional[int], index: int, msg: Any) -> int:
        """Append one message (its readings become rows); return the number of rows added."""
        pos = self.messages
        meter = msg._meter
        ts = msg._timestamp
        self.m_row.append(row)
        self.m_offset.append(offset)
        self.m_index.append(index)
        self.m_format.append(msg._format)
        self.m_meter.append(meter._meter_id)
        self.m_list.append(meter._list_id)
        self.m_encrypted.append(bool(msg._encrypted))
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
                self.m_local.append(ts.replace(tzinfo=None))
                self.m_tzmin.append(int(off.total_seconds()) // 60)
        self.messages = pos + 1
        n = 0
        for r in msg._readings:
            obis_text, name = self._names(r._obis)
            value = r._value
            self.r_msg.append(pos)
            self.r_obis.append(obis_text)
            self.r_name.append(name)
            self.r_channel.append(r._channel)
            self.r_unit.append(r._unit)
            self.r_warning.append(r._warning)
            tv = type(value)
            if tv is int or tv is float or tv is bool or isinstance(value, Decimal):
                _exact(value, r._raw, self.r_int, self.r_scale)
                self.r_value.append(float(value))
                self.r_text.append(None)
            else:
                self.r_value.append(None)
                self.r_int.append(None)
                self.r_scale.append(None)
                self.r_text.append(_text(value))
            rts = r._timestamp
            if rts is None:
                self.r_time.append(None)
                self.r_local.append(None)
            elif rts.utcoffset() is None:
                self.r_time.append(None)
                self.r_local.append(rts)
            else:
                self.r_time.append(rts.astimezone(_UTC))
                self.r_local.append(rts.replace(tzinfo=None))
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
