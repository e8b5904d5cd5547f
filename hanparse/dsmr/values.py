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

``(value*unit)(TST)``, ``(TST12)(value*unit)``, ``(value*unit)(TST12)``
    the same as ``(TST)(value*unit)``: a number with its timestamp, never a
    tuple (``TST12``: 12 digits without the S/W letter, taken as a time only
    when they form a valid one).  Belgian ``1-0:1.6.0`` is sent both ways.

``(100.0*A,-100.0*A)``
    two values in one group: a tuple of numbers with their common unit,
    the group text in ``Reading.raw`` (current thresholds ``1-1:31.4.0``).

anything else with several groups
    a tuple of the parsed group values; ``Reading.unit`` is the unit the
    groups share (None when they differ) and ``Reading.raw`` the tuple of
    group texts as sent (``"100*A"``), which keeps every unit.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Type, Union

from ..model import _Record as _ModelRecord
from ..model import _ro
from ..obis import Obis

if TYPE_CHECKING:
    from ..model import Message, Reading

__all__ = ["PowerFailure", "PowerFailureLog", "DemandPeak", "MbusDevice", "mbus_devices", "MBUS_DEVICE_TYPES"]

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


#: M-Bus device types (the medium byte of EN 13757-3) sent in ``0-n:24.1.0``
MBUS_DEVICE_TYPES: Dict[int, str] = {
    2: "electricity", 3: "gas", 4: "heat", 6: "warm water", 7: "water", 10: "cooling", 11: "cooling",
    12: "heat", 13: "heat/cooling", 21: "hot water", 22: "cold water",
}

#: the reading objects of a channel, best first: 24.2.1 (DSMR 4/5; temperature-corrected gas),
#: 24.2.3 (Belgium: not corrected), 24.3.0 / 24.3.1 (DSMR 2.2/3.0 profiles)
_READING_RANK: Dict[Tuple[int, int, int], int] = {(24, 2, 1): 0, (24, 2, 3): 1, (24, 3, 0): 2, (24, 3, 1): 3}


class MbusDevice(_Record):
    """What a P1 telegram says about the M-Bus device on one channel (``0-n:`` with n = 1..4).

    ``channel``: n; ``device_type``: the ``0-n:24.1.0`` number (3 gas, 4
    heat, 7 water ...; None when not sent); ``medium``: its name from
    :data:`MBUS_DEVICE_TYPES` or None; ``equipment_id``: ``0-n:96.1.0``
    (``96.1.1`` in Belgium) as decoded text, or None; ``reading``: the
    channel's meter reading (``0-n:24.2.1``, else ``24.2.3``, else the DSMR
    2.2/3.0 profile ``24.3.x``), whose ``value``, ``unit`` and
    ``timestamp`` (capture time) are repeated here; ``readings``: every
    reading of the channel in telegram order.
    """

    __slots__ = ("_channel", "_device_type", "_medium", "_equipment_id", "_value", "_unit", "_timestamp",
                 "_reading", "_readings")
    _FIELDS = ("channel", "device_type", "medium", "equipment_id", "value", "unit", "timestamp", "reading",
               "readings")
    channel = _field("channel", "The M-Bus channel n (1-4).")
    device_type = _field("device_type", "Device type number of 0-n:24.1.0, or None.")
    medium = _field("medium", "Name of the device type ('gas', 'water', ...), or None.")
    equipment_id = _field("equipment_id", "Equipment identifier (0-n:96.1.0 / 96.1.1) as text, or None.")
    value = _field("value", "Value of the channel's meter reading, or None.")
    unit = _field("unit", "Unit of the meter reading, or None.")
    timestamp = _field("timestamp", "Capture time of the meter reading, or None.")
    reading = _field("reading", "The Reading of the meter reading, or None.")
    readings = _field("readings", "Every Reading of the channel, in telegram order.")

    def __init__(self, channel: int, device_type: Optional[int], equipment_id: Optional[str],
                 reading: Optional[Reading], readings: Tuple[Reading, ...]) -> None:
        self._channel = channel
        self._device_type = device_type
        self._medium = None if device_type is None else MBUS_DEVICE_TYPES.get(device_type)
        self._equipment_id = equipment_id
        self._reading = reading
        self._value = None if reading is None else reading.value
        self._unit = None if reading is None else reading.unit
        self._timestamp = None if reading is None else reading.timestamp
        self._readings = readings

    def __reduce__(self) -> Tuple[Type[_Record], Tuple[Any, ...]]:
        return (type(self), (self._channel, self._device_type, self._equipment_id, self._reading, self._readings))


def mbus_devices(message: Message) -> Dict[int, MbusDevice]:
    """The M-Bus devices of a P1 message, by channel (ascending).

    A channel counts as a device when it sends a device type
    (``0-n:24.1.0``), an equipment id (``0-n:96.1.0``/``96.1.1``) or a
    reading (``0-n:24.2.x``, ``0-n:24.3.x``); other ``0-n:`` objects (the
    Luxembourg relay states ``0-n:96.3.10``) are listed in ``readings`` of
    a device on that channel but do not make one.  DSMR 5.0.2 section 6.12
    (page 19) numbers channels by installation order, so the device type,
    not the channel, tells the medium.
    """
    by_channel: Dict[int, List[Reading]] = {}
    for r in message.readings:
        if r.channel is not None and r.obis[0] == 0:
            by_channel.setdefault(r.channel, []).append(r)
    out: Dict[int, MbusDevice] = {}
    for channel in sorted(by_channel):
        rs = by_channel[channel]
        device_type: Optional[int] = None
        ident: Optional[str] = None
        best: Optional[Reading] = None
        rank = 99
        device = False
        for r in rs:
            cde = r.obis[2:5]
            if cde == (24, 1, 0):
                device = True
                if device_type is None and type(r.value) is int:
                    device_type = r.value
            elif cde[:2] == (96, 1) and cde[2] in (0, 1):
                device = True
                if ident is None and isinstance(r.value, str):
                    ident = r.value
            elif cde in _READING_RANK:
                device = True
                if _READING_RANK[cde] < rank:
                    rank = _READING_RANK[cde]
                    best = r
        if device:
            out[channel] = MbusDevice(channel, device_type, ident, best, tuple(rs))
    return out
