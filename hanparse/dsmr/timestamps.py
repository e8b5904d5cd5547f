"""P1 timestamps: ``YYMMDDhhmmssX`` and the variants meters send.

DSMR 5.0.2 section 6.4 (TST): local time, ``X`` = ``S`` while daylight
saving time is active, ``W`` otherwise.  The zone is not in the telegram;
the caller names it (``tz``, default ``Europe/Amsterdam``; Sweden, Belgium
and Luxembourg use CET/CEST, Finland and Lithuania EET/EEST).

How an aware datetime is made:

* the zone's rules give the UTC offset of the local time; in the repeated
  autumn hour the flag picks the occurrence (``S`` the first, ``W`` the
  second);
* when the flag contradicts the zone's rules (``S`` in February, Aidon SE
  meters sending ``S`` although the Swedish recommendation says ``W``
  all year), the flag wins: the offset is the zone's standard offset, plus
  one hour for ``S``.  The flag is what the meter states about its clock;
* results carry a fixed-offset ``datetime.timezone`` (``+01:00``,
  ``+02:00``): exactly what the telegram says, whatever the zone database;
* ``tz=None`` gives naive local datetimes (the flag is then only kept in
  ``Reading.raw``).

Accepted forms: ``YYMMDDhhmmssX`` (13 characters; ``s``/``w`` in lower case
are read as ``S``/``W``), ``YYMMDDhhmmss``
(``TST12`` of DSMR 2.2/3.0, no flag: the zone's rules decide, first
occurrence in the repeated hour), ``YYYYMMDDhhmmss[X]`` and ISO 8601
``YYYY-MM-DD[T ]hh:mm[:ss][Z|+hh:mm]`` and a COSEM date-time written as 24
hex digits (``07E8061C050A2B2B00FF8880``: 2024-06-28 10:43:43 +02:00; some
meters print their clock ``0-0:1.0.0`` that way).  Two-digit years follow the POSIX
``%y`` pivot: 69-99 are 1969-1999, 00-68 are 2000-2068 (so the
``700101010000W`` "no value" marker reads as the Unix epoch).

``632525252525S``/``W`` is the documented "no timestamp" marker of empty
M-Bus channels (Luxembourg Smarty P1 specification v1.1.3, page 22) and of
empty months in the Belgian peak history: it gives None with a warning
and is never an error.  Any other impossible time (month 31, hour 25)
gives None with a warning, or a DecodeError when ``strict``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Callable, Dict, Optional, Tuple, Union

from .. import _impl

try:  # Python >= 3.9
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9 is not supported
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = KeyError  # type: ignore[assignment,misc]

__all__ = ["TzLike", "TimestampParser", "timestamp_parser", "PLACEHOLDER"]

#: a time zone for P1 clocks: an IANA zone name, a tzinfo, or None for naive datetimes
TzLike = Union[str, _dt.tzinfo, None]

#: the 12 digits of the "no timestamp" marker
PLACEHOLDER = "632525252525"

if TYPE_CHECKING:
    from .. import _dsmr as _tok
else:
    _tok = _impl.select("dsmr")
_datetime = _dt.datetime
_FLAGS = ("", "S", "W")
_HOUR = _dt.timedelta(hours=1)
_ZERO = _dt.timedelta(0)
_FIXED: Dict[_dt.timedelta, _dt.timezone] = {}
_CACHE_LIMIT = 4096
_TEXTS_LIMIT = 512

#: parse(text) -> (datetime or None, warning or None)
TimestampParser = Callable[[str], Tuple[Optional[_dt.datetime], Optional[str]]]


def _fixed(offset: _dt.timedelta) -> _dt.timezone:
    tz = _FIXED.get(offset)
    if tz is None:
        tz = _dt.timezone(offset)
        if len(_FIXED) < 64:
            _FIXED[offset] = tz
    return tz


def _resolve_zone(tz: TzLike) -> Optional[_dt.tzinfo]:
    if tz is None or isinstance(tz, _dt.tzinfo):
        return tz
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone %r" % (tz,)) from exc
    raise TypeError("tz must be a zone name, a tzinfo or None, not %s" % type(tz).__name__)


def _offset_for(zone: _dt.tzinfo, local: _dt.datetime, flag: str) -> _dt.timezone:
    """The UTC offset of naive ``local`` in ``zone`` given the S/W ``flag`` ('' = none)."""
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    if off0 is None or off1 is None:
        raise ValueError("time zone %r gives no UTC offset" % (zone,))
    if not flag:
        return _fixed(off0)
    want_dst = flag == "S"
    for moment, off in ((first, off0), (second, off1)):
        dst = moment.dst() or _ZERO
        if (dst != _ZERO) == want_dst:
            return _fixed(off)
    # the flag contradicts the zone's rules: trust the flag
    standard = off0 - (first.dst() or _ZERO)
    return _fixed(standard + _HOUR if want_dst else standard)


def _iso(text: str, zone: Optional[_dt.tzinfo]) -> _dt.datetime:
    t = text
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    if not (10 < len(t) <= 32) or t[4] != "-" or t[7] != "-" or t[10] not in "T ":
        raise ValueError("not ISO")
    dt = _dt.datetime.fromisoformat(t)
    if dt.tzinfo is None and zone is not None:
        dt = dt.replace(tzinfo=_offset_for(zone, dt, ""))
    return dt


class _Parser:
    """A timestamp parser bound to one zone (immutable after creation)."""

    __slots__ = ("zone", "offsets", "texts")

    def __init__(self, zone: Optional[_dt.tzinfo]) -> None:
        self.zone = zone
        # (text[:8] + flag) -> fixed offset: one zone lookup per hour of data
        self.offsets: Dict[object, _dt.timezone] = {}
        # text -> result of __call__ (a pure function of the text for this
        # zone; clocks repeat every 1-10 s and M-Bus/peak times for hours).
        # Bounded: emptied when full.  The compiled parse_lines reads it.
        self.texts: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]] = {}

    def _aware(self, y: int, mo: int, d: int, h: int, mi: int, s: int, flag: str, key: object) -> _dt.datetime:
        zone = self.zone
        if zone is None:
            return _datetime(y, mo, d, h, mi, s)
        tzi = self.offsets.get(key)
        if tzi is None:
            local = _datetime(y, mo, d, h, mi, s)  # validates the fields first
            tzi = _offset_for(zone, local, flag)
            if len(self.offsets) >= _CACHE_LIMIT:
                self.offsets.clear()
            self.offsets[key] = tzi
        return _datetime(y, mo, d, h, mi, s, 0, tzi)

    def __call__(self, text: str) -> Tuple[Optional[_dt.datetime], Optional[str]]:
        texts = self.texts
        result = texts.get(text)
        if result is None:
            result = self._parse(text)
            if len(text) <= 32:
                if len(texts) >= _TEXTS_LIMIT:
                    texts.clear()
                texts[text] = result
        return result

    def _parse(self, text: str) -> Tuple[Optional[_dt.datetime], Optional[str]]:
        try:
            parts = _tok.split_tst(text)
            if parts is not None:  # YYMMDDhhmmss[X], the DSMR form
                if text.startswith(PLACEHOLDER):
                    return None, "no timestamp (placeholder %s)" % text
                yy, mo, d, h, mi, s, key = parts
                y = 2000 + yy if yy < 69 else 1900 + yy
                if self.zone is not None:  # fast path: offset of this hour already known
                    tzi = self.offsets.get(key)
                    if tzi is not None:
                        return _datetime(y, mo, d, h, mi, s, 0, tzi), None
                return self._aware(y, mo, d, h, mi, s, _FLAGS[key % 3], key), None
            n = len(text)
            if (n == 14 or n == 15) and text[:14].isdigit() and text.isascii():
                flag = text[14].upper() if n == 15 else ""
                if flag not in ("", "S", "W"):
                    raise ValueError
                return self._aware(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]),
                                   int(text[10:12]), int(text[12:14]), flag, text[:10] + flag), None
            if n == 24 and text.isascii() and text.isalnum():
                return self._cosem(text)
            if n > 10 and text.isascii():
                return _iso(text, self.zone), None
        except (ValueError, OverflowError):
            pass
        return None, "invalid timestamp %r" % (text[:40],)

    def _cosem(self, text: str) -> Tuple[Optional[_dt.datetime], Optional[str]]:
        """A COSEM date-time as 24 hex digits (12 bytes; DLMS UA 1000-1 / Blue Book 4.1.6.1).

        Year (2 bytes), month, day, weekday, hour, minute, second,
        hundredths, deviation (signed minutes from local time to UTC, so the
        UTC offset is its negation; 0x8000 = not given) and clock status
        (bit 7: daylight saving active).  With a deviation the result carries
        that offset; without one the zone's rules apply, the status bit
        playing the part of the S/W letter.  Raises ValueError when the text
        is not such a date-time (the caller reports an invalid timestamp).
        """
        from ..cosem import decode_datetime  # its own layer; only meters that send this pay the import

        raw = bytes.fromhex(text)
        dt = decode_datetime(raw)
        if dt is None:
            raise ValueError("not a COSEM date-time")
        zone = self.zone
        if zone is None:
            return dt.replace(tzinfo=None), None
        if dt.tzinfo is not None:
            return dt, None
        status = raw[11]
        flag = "" if status == 0xFF else ("S" if status & 0x80 else "W")
        local = dt.replace(microsecond=0)
        return dt.replace(tzinfo=_offset_for(zone, local, flag)), None


_PARSERS: Dict[object, _Parser] = {}


def timestamp_parser(tz: TzLike = "Europe/Amsterdam") -> TimestampParser:
    """A function ``parse(text) -> (datetime | None, warning | None)`` for zone ``tz``.

    Parsers are cached per zone; they hold only bounded caches of pure
    functions (the UTC offset of an hour, the result for a text), so
    results never depend on earlier calls.
    """
    if tz.__class__ is str:  # the common call: a zone name already seen
        p = _PARSERS.get(tz)
        if p is not None:
            return p
    key = tz if isinstance(tz, (str, type(None))) else id(tz)
    p = _PARSERS.get(key)
    if p is None or (not isinstance(tz, (str, type(None))) and p.zone is not tz):
        p = _Parser(_resolve_zone(tz))
        if len(_PARSERS) < 64:
            _PARSERS[key] = p
    return p
