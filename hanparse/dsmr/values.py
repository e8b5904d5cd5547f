"""Structured values of the multi-value P1 lines.

Most P1 data lines carry one value and become a plain ``Reading.value``
(int, float, str, datetime or None).  Lines with several value groups are
represented as follows (see :mod:`hanparse.dsmr.grammar` for the rules):

``(TST)(value*unit)``
    M-Bus readings ``0-n:24.2.1`` / ``24.2.3``, monthly peak ``1-0:1.6.0``:
    ``value`` is the number, ``unit`` its unit and ``Reading.timestamp``
    the capture time.  DSMR 2.2/3.0 ``0-n:24.3.0`` (value on the next line)
    is read the same way; ``Reading.raw`` keeps the profile header groups.

``1-0:99.97.0(count)(0-0:96.7.19)(TST)(dur*s)...``
    :class:`PowerFailureLog` with one :class:`PowerFailure` per entry.

``0-0:98.1.0(count)(1-0:1.6.0)(1-0:1.6.0)(TST)(TST)(value*kW)...``
    a tuple of :class:`DemandPeak` rows (Belgian e-MUCS 13-month history).

anything else with several groups
    a tuple of the parsed group values; ``Reading.unit`` is the unit the
    groups share (None when they differ) and ``Reading.raw`` the tuple of
    group texts as sent (``"100*A"``), which keeps every unit.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Optional, Tuple, Type, Union

from ..model import _Record as _ModelRecord
from ..model import _ro
from ..obis import Obis

__all__ = ["PowerFailure", "PowerFailureLog", "DemandPeak"]

Number = Union[int, float]


class _Record(_ModelRecord):
    """Immutable record: read-only properties over private slots (cheap to build),
    the same scheme as :class:`hanparse.Reading` (equality, hashing and
    ``to_dict`` come from the shared base).

    Subclasses list their public ``_FIELDS``; ``repr`` and pickling follow
    from them too.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__,
                           ", ".join("%s=%r" % (f, getattr(self, "_" + f)) for f in self._FIELDS))

    def __reduce__(self) -> Tuple[Type[_Record], Tuple[Any, ...]]:
        return (type(self), self._astuple(self))


def _field(name: str, doc: str) -> property:
    return _ro("_" + name, doc)


class PowerFailure(_Record):
    """One entry of the power-failure event log ``1-0:99.97.0``.

    ``end``: when the failure ended (DSMR 5.0.2 section 6.12: the logged
    time is the end of the failure), None when the timestamp is invalid;
    ``duration``: its length as sent (int), ``unit``: normally ``"s"``;
    ``raw_end``: the timestamp text as sent.
    """

    __slots__ = ("_end", "_duration", "_unit", "_raw_end")
    _FIELDS = ("end", "duration", "unit", "raw_end")
    end = _field("end", "End of the failure (aware datetime) or None.")
    duration = _field("duration", "Duration as sent (normally seconds).")
    unit = _field("unit", "Unit of the duration, normally 's'.")
    raw_end = _field("raw_end", "The end timestamp text as sent.")

    def __init__(self, end: Optional[_dt.datetime], duration: Union[Number, str, None], unit: Optional[str],
                 raw_end: str) -> None:
        self._end = end
        self._duration = duration
        self._unit = unit
        self._raw_end = raw_end


class PowerFailureLog(_Record):
    """The power-failure event log ``1-0:99.97.0``.

    ``count``: the number of entries the meter announces (it need not
    match ``len(events)``: real meters send fewer); ``buffer_obis``: the
    OBIS code of the logged object (``0-0:96.7.19``) or None;
    ``events``: the entries as sent (DSMR 5: entry 1 is the most recent).
    """

    __slots__ = ("_count", "_buffer_obis", "_events")
    _FIELDS = ("count", "buffer_obis", "events")
    count = _field("count", "Number of entries the meter announces.")
    buffer_obis = _field("buffer_obis", "OBIS code of the logged object (0-0:96.7.19) or None.")
    events = _field("events", "Tuple of PowerFailure entries, as sent.")

    def __init__(self, count: Optional[int], buffer_obis: Optional[Obis], events: Tuple[PowerFailure, ...]) -> None:
        self._count = count
        self._buffer_obis = buffer_obis
        self._events = events

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict (``buffer_obis`` as text, events as dicts)."""
        return {"count": self._count, "buffer_obis": None if self._buffer_obis is None else str(self._buffer_obis),
                "events": [e.to_dict() for e in self._events]}


class DemandPeak(_Record):
    """One row of the Belgian maximum-demand history ``0-0:98.1.0``.

    ``start``: start of the month the row covers; ``occurred``: when the
    peak happened (None for the ``632525252525W`` placeholder of a month
    without data); ``value``/``unit``: the peak demand as sent;
    ``raw_start``/``raw_occurred``: the timestamp texts.
    """

    __slots__ = ("_start", "_occurred", "_value", "_unit", "_raw_start", "_raw_occurred")
    _FIELDS = ("start", "occurred", "value", "unit", "raw_start", "raw_occurred")
    start = _field("start", "Start of the month the row covers, or None.")
    occurred = _field("occurred", "When the peak happened, or None.")
    value = _field("value", "The peak demand as sent.")
    unit = _field("unit", "Unit of the peak demand (kW).")
    raw_start = _field("raw_start", "The start timestamp text as sent.")
    raw_occurred = _field("raw_occurred", "The occurrence timestamp text as sent.")

    def __init__(self, start: Optional[_dt.datetime], occurred: Optional[_dt.datetime],
                 value: Union[Number, str, None], unit: Optional[str], raw_start: str, raw_occurred: str) -> None:
        self._start = start
        self._occurred = occurred
        self._value = value
        self._unit = unit
        self._raw_start = raw_start
        self._raw_occurred = raw_occurred
