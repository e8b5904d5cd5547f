"""COSEM value types: date-time, date, time, clock status, scaler-unit.

A COSEM date-time is 12 bytes (IEC 62056-62 / DLMS Blue Book; dlms.md 5)::

    offset  0   1   2     3    4     5    6    7    8     9   10   11
          +-------+-----+-----+-----+----+----+----+-----+--------+------+
          | year  |month| day | dow |hour|min |sec |1/100|deviation|status|
          +-------+-----+-----+-----+----+----+----+-----+--------+------+
    not    FFFF    FF    FF    FF    FF   FF   FF   FF    8000      FF
    given          FD/FE: DST end/begin month; day FD/FE: 2nd-last/last day

* ``deviation`` is a signed 16-bit number of minutes from local time to
  UTC (``UTC = local + deviation``), i.e. **minus** the UTC offset:
  ``FF C4`` (-60) is UTC+01:00, ``FF 88`` (-120) UTC+02:00.  ``80 00``
  means "not specified": the time is returned naive.
* ``status`` bits: 01 invalid value, 02 doubtful value, 04 different clock
  base, 08 invalid clock status, 80 daylight saving active; FF = not given.

A *date* is the first 5 bytes (year, month, day, day-of-week), a *time*
the 4 bytes hour, minute, second, hundredths.

Scaler-unit (class 3 attribute 3) is ``{integer scaler, enum unit}``: the
value is ``raw * 10**scaler`` in ``unit``.  :func:`apply_scaler` keeps the
result exact (an int for scaler >= 0, a correctly rounded float from one
true division otherwise) and :data:`UNITS` maps the unit enumeration to
the symbol meters and documents print.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Optional, Tuple, Union

from . import _impl
from .errors import DecodeError

__all__ = [
    "ClockStatus",
    "DateTimeFields",
    "UNITS",
    "UNIT_NAMES",
    "DEVIATION_UNSPECIFIED",
    "apply_scaler",
    "decode_clock_status",
    "decode_date",
    "decode_datetime",
    "decode_time",
    "encode_datetime",
    "datetime_fields",
    "unit_text",
    "timezone_for_deviation",
]

Buffer = Union[bytes, bytearray, memoryview]

#: the deviation value meaning "not specified" (0x8000 as a signed int16)
DEVIATION_UNSPECIFIED = -0x8000


class ClockStatus(enum.IntFlag):
    """Bits of the COSEM clock status byte (Blue Book, class 8)."""

    INVALID_VALUE = 0x01
    DOUBTFUL_VALUE = 0x02
    DIFFERENT_CLOCK_BASE = 0x04
    INVALID_CLOCK_STATUS = 0x08
    DAYLIGHT_SAVING_ACTIVE = 0x80


def decode_clock_status(status: int) -> Optional[ClockStatus]:
    """The :class:`ClockStatus` flags of a status byte; None for ``FF`` (not specified)."""
    if status == 0xFF:
        return None
    return ClockStatus(status & 0x8F)


class DateTimeFields(NamedTuple):
    """All fields of a 12-byte COSEM date-time, None where "not specified".

    ``month`` may be 0xFD/0xFE and ``day`` 0xFD/0xFE (the schedule wildcards)
    and are then kept as these numbers; ``deviation`` is in minutes as
    sent (minus the UTC offset); ``status`` is the raw byte or None.
    """

    year: Optional[int]
    month: Optional[int]
    day: Optional[int]
    weekday: Optional[int]
    hour: Optional[int]
    minute: Optional[int]
    second: Optional[int]
    hundredths: Optional[int]
    deviation: Optional[int]
    status: Optional[int]


def _opt(v: int) -> Optional[int]:
    return None if v == 0xFF else v


def datetime_fields(raw: Buffer) -> DateTimeFields:
    """Split 12 date-time bytes into :class:`DateTimeFields` (no validation)."""
    if len(raw) != 12:
        raise DecodeError("a COSEM date-time has 12 bytes, got %d" % len(raw))
    b = bytes(raw)
    year = (b[0] << 8) | b[1]
    dev = (b[9] << 8) | b[10]
    if dev >= 0x8000:
        dev -= 0x10000
    return DateTimeFields(
        None if year == 0xFFFF else year, _opt(b[2]), _opt(b[3]), _opt(b[4]), _opt(b[5]), _opt(b[6]),
        _opt(b[7]), _opt(b[8]), None if dev == DEVIATION_UNSPECIFIED else dev, _opt(b[11]))


if TYPE_CHECKING:
    from . import _cosem
else:  # the date-time decoder and the scaler, written once in hanparse._cosem (compiled or not, as _impl chose)
    _cosem = _impl.select("cosem")


def timezone_for_deviation(deviation: int) -> _dt.timezone:
    """The fixed-offset tzinfo for a COSEM deviation (minutes, minus the UTC offset)."""
    tz: _dt.timezone = _cosem.timezone_for_deviation(deviation)
    return tz


def decode_datetime(raw: Buffer, *, strict: bool = False, ignore_deviation: bool = False) -> Optional[_dt.datetime]:
    """Decode a 12-byte COSEM date-time into a :class:`datetime.datetime`.

    * aware (fixed UTC offset = ``-deviation``) when the deviation is given,
      naive when it is ``0x8000`` or ``ignore_deviation`` is set (for meters
      whose documents say the clock is local time whatever the field says);
    * ``None`` when the date or time is not specified (year ``FFFF``, month
      or day ``FF``/``FD``/``FE``, hour or minute ``FF``): such a value names
      a recurring time, not an instant.  Unspecified seconds or hundredths
      count as 0.
    * meter garbage (month 13, day 32, hour 24, deviation beyond +-14 h ...)
      gives ``None`` as well, or :class:`DecodeError` when ``strict``.

    The day of week is not checked (some meters send 0).  The clock status
    is not applied here; see :func:`decode_clock_status`.
    """
    value: Optional[_dt.datetime] = _cosem.decode_datetime(raw, strict, ignore_deviation)
    return value


def decode_date(raw: Buffer, *, strict: bool = False) -> Optional[_dt.date]:
    """Decode a 5-byte COSEM date (year, month, day, day-of-week).

    None when any of year, month, day is not specified or a wildcard, or
    when the bytes are not a valid date (DecodeError if ``strict``).
    """
    if len(raw) != 5:
        if strict:
            raise DecodeError("a COSEM date has 5 bytes, got %d" % len(raw))
        return None
    year = (raw[0] << 8) | raw[1]
    month, day = raw[2], raw[3]
    if year == 0xFFFF or month >= 0xFD or day >= 0xFD:
        return None
    try:
        return _dt.date(year, month, day)
    except ValueError as exc:
        return _cosem._garbage(strict, str(exc), raw)


def decode_time(raw: Buffer, *, strict: bool = False) -> Optional[_dt.time]:
    """Decode a 4-byte COSEM time (hour, minute, second, hundredths).

    None when hour or minute is not specified, or for invalid values
    (DecodeError if ``strict``); unspecified seconds/hundredths count as 0.
    """
    if len(raw) != 4:
        if strict:
            raise DecodeError("a COSEM time has 4 bytes, got %d" % len(raw))
        return None
    hour, minute, second, hundredths = raw[0], raw[1], raw[2], raw[3]
    if hour == 0xFF or minute == 0xFF:
        return None
    if second == 0xFF:
        second = 0
    if hundredths == 0xFF:
        hundredths = 0
    if hour > 23 or minute > 59 or second > 59 or hundredths > 99:
        return _cosem._garbage(strict, "time %02d:%02d:%02d.%02d" % (hour, minute, second, hundredths), raw)
    return _dt.time(hour, minute, second, hundredths * 10000)


def encode_datetime(
    dt: _dt.datetime,
    *,
    status: Optional[int] = None,
    deviation: Optional[int] = None,
    hundredths: bool = True,
) -> bytes:
    """The 12-byte COSEM date-time of ``dt`` (for builders and tests).

    The deviation is ``-utcoffset`` in minutes for aware datetimes and
    ``0x8000`` (not specified) for naive ones unless ``deviation`` is given.
    ``status`` defaults to ``FF`` (not specified), or ``80`` / ``00``
    from ``dt.dst()`` when the tzinfo knows it.  ``hundredths=False`` sends
    ``FF`` for the hundredths.
    """
    if deviation is None:
        off = dt.utcoffset()
        if off is None:
            dev = 0x8000
        else:
            minutes = int(off.total_seconds() // 60)
            dev = (-minutes) & 0xFFFF
    else:
        dev = deviation & 0xFFFF
    if status is None:
        dst = dt.dst() if dt.tzinfo is not None else None
        status = 0xFF if dst is None else (0x80 if dst else 0x00)
    hs = (dt.microsecond // 10000) if hundredths else 0xFF
    return bytes((dt.year >> 8, dt.year & 0xFF, dt.month, dt.day, dt.isoweekday(), dt.hour, dt.minute,
                  dt.second, hs, dev >> 8, dev & 0xFF, status & 0xFF))


# ---------------------------------------------------------------------------
# Scaler and unit

#: DLMS unit enumeration (IEC 62056-62 / Blue Book, class 3 scaler_unit):
#: code -> (symbol, quantity).  Symbols as meters and documents print them.
UNIT_NAMES: Dict[int, Tuple[str, str]] = {
    1: ("a", "time (year)"),
    2: ("mo", "time (month)"),
    3: ("wk", "time (week)"),
    4: ("d", "time (day)"),
    5: ("h", "time (hour)"),
    6: ("min", "time (minute)"),
    7: ("s", "time (second)"),
    8: ("\u00b0", "phase angle"),
    9: ("\u00b0C", "temperature"),
    10: ("currency", "local currency"),
    11: ("m", "length"),
    12: ("m/s", "speed"),
    13: ("m\u00b3", "volume"),
    14: ("m\u00b3", "corrected volume"),
    15: ("m\u00b3/h", "volume flux"),
    16: ("m\u00b3/h", "corrected volume flux"),
    17: ("m\u00b3/d", "volume flux"),
    18: ("m\u00b3/d", "corrected volume flux"),
    19: ("l", "volume"),
    20: ("kg", "mass"),
    21: ("N", "force"),
    22: ("Nm", "energy"),
    23: ("Pa", "pressure"),
    24: ("bar", "pressure"),
    25: ("J", "energy"),
    26: ("J/h", "thermal power"),
    27: ("W", "active power"),
    28: ("VA", "apparent power"),
    29: ("var", "reactive power"),
    30: ("Wh", "active energy"),
    31: ("VAh", "apparent energy"),
    32: ("varh", "reactive energy"),
    33: ("A", "current"),
    34: ("C", "electric charge"),
    35: ("V", "voltage"),
    36: ("V/m", "electric field strength"),
    37: ("F", "capacitance"),
    38: ("\u03a9", "resistance"),
    39: ("\u03a9m\u00b2/m", "resistivity"),
    40: ("Wb", "magnetic flux"),
    41: ("T", "magnetic flux density"),
    42: ("A/m", "magnetic field strength"),
    43: ("H", "inductance"),
    44: ("Hz", "frequency"),
    45: ("1/(Wh)", "active energy meter constant"),
    46: ("1/(varh)", "reactive energy meter constant"),
    47: ("1/(VAh)", "apparent energy meter constant"),
    48: ("V\u00b2h", "volt-squared hours"),
    49: ("A\u00b2h", "ampere-squared hours"),
    50: ("kg/s", "mass flux"),
    51: ("S", "conductance"),
    52: ("K", "temperature"),
    53: ("1/(V\u00b2h)", "V2h meter constant"),
    54: ("1/(A\u00b2h)", "A2h meter constant"),
    55: ("1/m\u00b3", "volume meter constant"),
    56: ("%", "percentage"),
    57: ("Ah", "ampere-hours"),
    60: ("Wh/m\u00b3", "energy per volume"),
    61: ("J/m\u00b3", "calorific value"),
    62: ("mol %", "molar fraction"),
    63: ("g/m\u00b3", "mass density"),
    64: ("Pa s", "dynamic viscosity"),
    65: ("J/kg", "specific energy"),
    70: ("dBm", "signal strength"),
    71: ("dB\u00b5V", "signal strength"),
    72: ("dB", "logarithmic ratio"),
    254: ("other", "other unit"),
    255: ("count", "no unit / count"),
}

#: unit code -> symbol, as a 256-entry tuple for O(1) lookup on the hot path.
#: 255 (no unit / count) and undefined codes map to None: the value has no unit.
UNITS: Tuple[Optional[str], ...] = tuple(
    (UNIT_NAMES[c][0] if c in UNIT_NAMES and c not in (254, 255) else None) for c in range(256)
)


def unit_text(code: Any) -> Optional[str]:
    """The unit symbol of a DLMS unit code ("Wh" for 30); None for 255 (count) and unknown codes."""
    if type(code) is int and 0 <= code <= 255:
        return UNITS[code]
    return None


def apply_scaler(raw: Any, scaler: int) -> Any:
    """``raw * 10**scaler``, exact where it can be.

    An int with scaler >= 0 stays an int; a negative scaler gives the float
    nearest to the true quotient (one correctly rounded division
    ``raw / 10**-scaler``, so 57 with -2 is 0.57, not 0.5700000000000001).
    Floats are scaled the same way; other values are returned unchanged.
    """
    return _cosem.apply_scaler(raw, scaler)
