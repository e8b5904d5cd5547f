"""The DSMR / P1 telegram grammar: bytes of one telegram -> :class:`Message`.

Layout (DSMR 5.0.2 P1 Companion Standard, section 6.2; IEC 62056-21 mode D)::

    /XXXZ<identification>  CR LF     XXX = manufacturer FLAG id, Z = baud-rate character
    CR LF                            blank line
    A-B:C.D.E(value*unit)(...) CR LF data lines, any order, any number of groups
    ...
    !CRC CR LF                       CRC-16/ARC over '/'..'!' (4 hex digits; none in 2.2/3.0)

How lines become readings (one :class:`Reading` per data line, in
telegram order; nothing is dropped):

* numbers keep their exactness: ``00004`` is the int 4, ``001581.123``
  the float 1581.123 (the nearest double, printed back as sent); the unit
  is reported as sent (``kWh``, ``kvarh``, ``kVArh``, ``Wh``, ``m3`` ...);
* ``0-0:1.0.0`` and every ``YYMMDDhhmmssX`` group become aware datetimes
  (see :mod:`hanparse.dsmr.timestamps` for zones and the S/W flag);
  ``Reading.raw`` keeps the text;
* equipment identifiers (``0-n:96.1.x``), text messages (``0-0:96.13.x``)
  and the logical device name ``0-0:42.0.0`` are hex: decoded to str when
  the hex is valid and the text printable, with the hex in ``Reading.raw``;
  otherwise the text as sent (Iskra IE ``09610``, DSMR 2.2 ``000000...``);
* version/tariff/firmware strings (``1-3:0.2.8``, ``0-0:96.14.0``,
  ``x-x:0.2.x``, ``0-0:96.1.4``, ``1-0:0.0.0``, ``1-0:96.5.5``) stay str;
* multi-value lines: see :mod:`hanparse.dsmr.values`;
* ``Reading.channel`` is B for ``0-B:`` codes with B > 0 (M-Bus devices);
* an empty group ``()`` gives value None without a warning;
* a data line that cannot be read at all never costs the telegram: with a
  readable OBIS id it becomes a Reading with value None, the text after
  the id in ``raw`` and the reason in ``warning``; without one the message
  gets a warning ``line N `text`: reason`` (``Message.warnings``); odd but
  readable shapes (``(v*u,v*u)``, value before its time, ``TST12``,
  lower-case ``s``/``w``, a hex COSEM clock) are decoded (docs/p1.md);
  ``strict=True`` raises DecodeError instead;
* a value that cannot be decoded (an impossible timestamp) gives value
  None and ``Reading.warning``; with ``strict=True`` it raises
  DecodeError instead.  ``warning`` also records a rejected capture time
  of a value that is otherwise kept (gas reading with ``632525252525S``)
  and an OBIS id that had to be repaired (``1-0:72:32.0``).

The telegram may start after CR/LF/NUL/space/0xFF bytes; everything after
the end line (0xFF padding, gateway lines after ``!``) is ignored and not
part of ``Message.raw``.  The CRC may be 1-4 hex digits, any case (NWA
heat meters drop the leading zero: ``!B9F``).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from .. import _impl
from ..errors import ChecksumError, DecodeError
from ..model import Message, MeterInfo, Reading
from ..obis import Obis
from .timestamps import PLACEHOLDER, TimestampParser, TzLike, timestamp_parser
from .values import DemandPeak, PowerFailure, PowerFailureLog

__all__ = ["parse_telegram", "telegram_message", "parse_data_lines", "MANUFACTURERS", "manufacturer_name"]

if TYPE_CHECKING:
    from .. import _dsmr as _tok
else:
    _tok = _impl.select("dsmr")

#: FLAG ids (IEC 62056-21 / DLMS UA manufacturer ids) seen in P1 identification lines
MANUFACTURERS: Dict[str, str] = {
    "ISK": "Iskraemeco", "ISk": "Iskraemeco",
    "KFM": "Kaifa",
    "KAM": "Kamstrup", "KMP": "Kamstrup",
    "XMX": "Xemex",
    "LGF": "Landis+Gyr", "LGB": "Landis+Gyr", "LGZ": "Landis+Gyr",
    "SAG": "Sagemcom",
    "ESY": "EasyMeter",
    "ADN": "Aidon",
    "EMH": "EMH metering",
    "ELS": "Elster",
    "HLY": "Holley",
}

_CACHE_LIMIT = 4096
_make = Reading._make
#: one tokenized data set: (id, value, unit, kind, value, unit, kind, ...)
Tokens = Tuple[Any, ...]
Converter = Callable[[Obis, Optional[int], Tokens, TimestampParser, bool], Reading]


def manufacturer_name(flag: str) -> str:
    """The manufacturer for a 3-letter FLAG id, or the id itself when unknown."""
    return MANUFACTURERS.get(flag, flag)


# ---------------------------------------------------------------------------
# scalar values (a value text becomes its number by _tok.number, the one rule
# the compiled fast paths of _dsmr use too)
# ---------------------------------------------------------------------------

def _time_value(obis: Obis, text: str, ts: TimestampParser,
                strict: bool) -> Tuple[Optional[_dt.datetime], Optional[str]]:
    """(datetime or None, warning or None); raises in strict mode for impossible times."""
    dt, warning = ts(text)
    if warning is not None and strict and not text.startswith(PLACEHOLDER):
        raise DecodeError("%s: %s" % (obis.short, warning))
    return dt, warning


def _scalar(obis: Obis, value: str, kind: int, ts: TimestampParser, strict: bool) -> Tuple[Any, Optional[str]]:
    """(value, warning) for one group of a generic line."""
    if kind == 3:
        return _time_value(obis, value, ts, strict)
    return _tok.number(value, kind), None


_HEX_TEXTS: Dict[str, Optional[str]] = {}


def _hex_text(text: str) -> Optional[str]:
    """The printable text hex-encoded in ``text``, or None when it is not that (memoized)."""
    try:
        return _HEX_TEXTS[text]
    except KeyError:
        pass
    decoded = _decode_hex_text(text)
    if len(_HEX_TEXTS) < _CACHE_LIMIT and len(text) <= 128:  # ids and short codes; bounded memory
        _HEX_TEXTS[text] = decoded
    return decoded


def _decode_hex_text(text: str) -> Optional[str]:
    if len(text) % 2 or not text.isascii():
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    if len(raw) * 2 != len(text):  # fromhex skips whitespace
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return decoded if decoded.isprintable() else None


# ---------------------------------------------------------------------------
# converters: (obis, channel, tokens, ts, strict) -> Reading
# ---------------------------------------------------------------------------

def _c_generic(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """Any line: one group -> scalar; a number and a time -> value + timestamp; else a tuple."""
    n = len(t)
    if n == 4:
        kind = t[3]
        unit = t[2]
        if unit is not None and "," in unit:
            return _pair_group(obis, channel, t[1], unit)
        if kind == 2:
            return _make(obis, float(t[1]), unit, None, channel, None, None)
        if kind == 3:
            dt, warning = _time_value(obis, t[1], ts, strict)
            return _make(obis, dt, unit, None, channel, t[1], warning)
        return _make(obis, _tok.number(t[1], kind), unit, None, channel, None, None)
    if n == 7:
        k1, k2 = t[3], t[6]
        if k1 == 3 and (k2 == 1 or k2 == 2 or k2 == 0):
            return _timed_value(obis, channel, t[1], t[4], t[5], t[6], ts, strict)
        # the rarer shapes a number and its time come in (all seen on real meters):
        # (value*unit)(TST), (TST12)(value*unit) and (value*unit)(TST12) -- TST12 is
        # 12 digits without the S/W letter, accepted only when they form a valid time
        if k2 == 3 and (k1 == 1 or k1 == 2):
            return _timed_value(obis, channel, t[4], t[1], t[2], k1, ts, strict)
        if k1 == 1 and (k2 == 1 or k2 == 2 or k2 == 0) and _bare_tst(t[1], t[2], ts):
            return _timed_value(obis, channel, t[1], t[4], t[5], k2, ts, strict)
        if k2 == 1 and (k1 == 1 or k1 == 2) and _bare_tst(t[4], t[5], ts):
            return _timed_value(obis, channel, t[4], t[1], t[2], k1, ts, strict)
    return _multi(obis, channel, t, ts, strict)


def _bare_tst(text: str, unit: Optional[str], ts: TimestampParser) -> bool:
    """True when a unitless 12-digit group is a valid ``YYMMDDhhmmss`` time."""
    return unit is None and len(text) == 12 and ts(text)[1] is None


def _pair_group(obis: Obis, channel: Optional[int], value: str, unit: str) -> Reading:
    """One group holding several comma-separated values: ``(100.0*A,-100.0*A)``.

    Seen on Luxembourg-style current thresholds ``1-1:31.4.0``, whose
    object has two values, the import and the export limit (class 21,
    "F3(0,0), F3(0,0), signed", Luxembourg Smarty P1 specification v1.1.3,
    page 15; the same spec's example sends them as two groups, page 21).
    Value: the tuple of numbers; unit: their common unit; raw: the group text.
    """
    text = value + "*" + unit
    values: List[Any] = []
    units = set()
    for part in text.split(","):
        v, _star, u = part.partition("*")
        kind = _tok.value_kind(v)
        if kind != 1 and kind != 2:
            return _make(obis, None, None, None, channel, text, "unreadable value group %r" % (text[:60],))
        values.append(_tok.number(v, kind))
        units.add(u or None)
    only = units.pop() if len(units) == 1 else None
    return _make(obis, tuple(values), only, None, channel, text, None)


def _c_mbus(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """M-Bus readings ``0-n:24.2.x``: ``(TST)(value*unit)``; a lone group is kept with a warning.

    DSMR 5.0.2 table 6-6 gives the reading with its capture time; a line
    such as ``0-1:24.2.1(0)`` has no time, so the number is reported as
    sent (empty channels send it) and flagged.
    """
    if len(t) == 4 and (t[3] == 1 or t[3] == 2) and (t[2] is None or "," not in t[2]):
        r = _c_generic(obis, channel, t, ts, strict)
        if r._warning is not None:
            return r
        return _make(obis, r._value, r._unit, None, channel, t[1], "M-Bus reading without a capture time")
    return _c_generic(obis, channel, t, ts, strict)


def _timed_value(obis: Obis, channel: Optional[int], stamp: str, value: str, unit: Optional[str], kind: int,
                 ts: TimestampParser, strict: bool, raw: Any = None) -> Reading:
    dt, warning = _time_value(obis, stamp, ts, strict)
    if warning is not None:
        warning = "capture time: " + warning
    return _make(obis, _tok.number(value, kind), unit, dt, channel, raw, warning)


def _group_text(value: str, unit: Optional[str]) -> str:
    return value if unit is None else value + "*" + unit


def _multi(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """Several groups of no known shape: a tuple of values, raw group texts in ``raw``."""
    values: List[Any] = []
    raws: List[str] = []
    units = set()
    warnings: List[str] = []
    for i in range(1, len(t), 3):
        v, u, k = t[i], t[i + 1], t[i + 2]
        value, warning = _scalar(obis, v, k, ts, strict)
        if warning is not None:
            warnings.append(warning)
        values.append(value)
        raws.append(_group_text(v, u))
        if u is not None:
            units.add(u)
    unit = units.pop() if len(units) == 1 else None
    return _make(obis, tuple(values), unit, None, channel, tuple(raws), "; ".join(warnings) or None)


def _c_text(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """Strings kept as sent: versions, tariff indicator, firmware ids, status words."""
    if len(t) != 4:
        return _multi(obis, channel, t, ts, strict)
    return _make(obis, t[1] if t[1] else None, t[2], None, channel, None, None)


def _c_hex(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """Hex-encoded text (equipment ids, messages): decoded when it is printable text."""
    if len(t) != 4:
        return _multi(obis, channel, t, ts, strict)
    text = t[1]
    if not text:
        return _make(obis, None, t[2], None, channel, None, None)
    decoded = _hex_text(text)
    if decoded is None:
        return _make(obis, text, t[2], None, channel, None, None)
    return _make(obis, decoded, t[2], None, channel, text, None)


def _c_time(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """The telegram's clock 0-0:1.0.0 (also the 12-digit and ISO forms)."""
    if len(t) != 4:
        return _multi(obis, channel, t, ts, strict)
    text = t[1]
    if not text:
        return _make(obis, None, t[2], None, channel, None, None)
    dt, warning = _time_value(obis, text, ts, strict)
    return _make(obis, dt, t[2], None, channel, text, warning)


def _leftover(obis: Obis, what: str, strict: bool, warnings: List[str]) -> None:
    if strict:
        raise DecodeError("%s: %s" % (obis.short, what))
    warnings.append(what)


def _c_failure_log(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """``1-0:99.97.0(count)(0-0:96.7.19)(TST)(duration*s)...`` -> PowerFailureLog."""
    groups = [(t[i], t[i + 1], t[i + 2]) for i in range(1, len(t), 3)]
    warnings: List[str] = []
    count: Optional[int] = None
    buffer_obis: Optional[Obis] = None
    if groups and groups[0][0]:
        if groups[0][2] == 1 and type(_tok.number(groups[0][0], 1)) is int:
            count = int(groups[0][0])
        else:
            _leftover(obis, "bad entry count %r" % (groups[0][0][:40],), strict, warnings)
    if len(groups) > 1 and groups[1][0]:
        try:
            buffer_obis = Obis.parse(groups[1][0])
        except DecodeError:
            _leftover(obis, "bad buffer OBIS code %r" % (groups[1][0][:40],), strict, warnings)
    events: List[PowerFailure] = []
    rest = groups[2:]
    for i in range(0, len(rest) - 1, 2):
        (stamp, _u, _kind), (dur, dur_unit, dur_kind) = rest[i], rest[i + 1]
        end, warning = _time_value(obis, stamp, ts, strict)
        if warning is not None:
            warnings.append(warning)
        duration = _tok.number(dur, dur_kind)
        if dur_kind not in (1, 2):
            _leftover(obis, "bad duration %r" % (dur[:40],), strict, warnings)
            duration = None
        events.append(PowerFailure(end, duration, dur_unit, stamp))
    if len(rest) % 2:
        _leftover(obis, "unpaired group %r" % (rest[-1][0][:40],), strict, warnings)
    value = PowerFailureLog(count, buffer_obis, tuple(events))
    return _make(obis, value, None, None, channel, None, "; ".join(warnings) or None)


def _c_peaks(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """Belgian ``0-0:98.1.0(n)(1-0:1.6.0)(1-0:1.6.0)(TST)(TST)(v*kW)...`` -> tuple of DemandPeak.

    Other layouts of 0-0:98.1.0 (E.ON Hungary's monthly billing values)
    are read as a generic multi-value line.
    """
    if len(t) < 10 or t[3] != 1 or ":" not in t[4]:
        return _c_generic(obis, channel, t, ts, strict)
    warnings: List[str] = []
    rows: List[DemandPeak] = []
    units = set()
    i = 10  # first group after (n)(obis)(obis)
    while i + 9 <= len(t):
        start, w1 = _time_value(obis, t[i], ts, strict)
        occurred, w2 = _time_value(obis, t[i + 3], ts, strict)
        for w in (w1, w2):
            if w is not None:
                warnings.append(w)
        value = _tok.number(t[i + 6], t[i + 8])
        if t[i + 8] not in (1, 2):
            _leftover(obis, "bad peak value %r" % (t[i + 6][:40],), strict, warnings)
            value = None
        if t[i + 7] is not None:
            units.add(t[i + 7])
        rows.append(DemandPeak(start, occurred, value, t[i + 7], t[i], t[i + 3]))
        i += 9
    if i < len(t):
        _leftover(obis, "incomplete peak row", strict, warnings)
    unit = units.pop() if len(units) == 1 else None
    return _make(obis, tuple(rows), unit, None, channel, None, "; ".join(warnings) or None)


def _c_profile(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
    """DSMR 2.2/3.0 ``0-n:24.3.0(TST12)(status)(period)(count)(obis)(unit)`` + ``(value)`` line.

    value: the reading (a tuple when several follow), unit: from the
    header, timestamp: the capture time, raw: the six header texts.
    """
    if len(t) < 22:  # 6 header groups and at least one value
        return _c_generic(obis, channel, t, ts, strict)
    header = tuple(t[i] for i in range(1, 19, 3))
    unit = header[5] or None
    values = [_tok.number(t[i], t[i + 2]) for i in range(19, len(t), 3)]
    value = values[0] if len(values) == 1 else tuple(values)
    dt, warning = _time_value(obis, header[0], ts, strict)
    if warning is not None:
        warning = "capture time: " + warning
    return _make(obis, value, unit, dt, channel, header, warning)


def _rule_for(obis: Obis) -> Converter:
    """Choose the converter of an OBIS code (DSMR 5.0.2 table 6-3 and country additions)."""
    a, b, c, d, e, _f = obis
    if c == 96 and d == 1:  # 96.1.0 / 96.1.1 equipment ids (hex); 96.1.4 version; 96.1.255 serial
        return _c_text if e not in (0, 1) else _c_hex
    if c == 96 and d == 13:  # text messages / message codes
        return _c_hex
    if c == 42 and d == 0 and e == 0:  # logical device name
        return _c_hex
    if c == 0 and d == 2:  # version of the P1 output, firmware ids and signatures
        return _c_text
    if c == 96 and d == 14:  # tariff indicator, S4
        return _c_text
    if c == 0 and d == 0 and e == 0:  # device id (IE, Q3D)
        return _c_text
    if c == 96 and d == 5:  # status words (Q3D 1-0:96.5.5)
        return _c_text
    if a == 0 and c == 1 and d == 0 and e == 0:
        return _c_time
    if c == 99 and d == 97:
        return _c_failure_log
    if a == 0 and c == 98 and d == 1:
        return _c_peaks
    if a == 0 and c == 24 and d == 3:
        return _c_profile
    if a == 0 and c == 24 and d == 2 and obis[1]:
        return _c_mbus
    return _c_generic


def _repair_id(text: str) -> Optional[str]:
    """``1-0:72:32.0`` (DSMR 4.x example typo) -> ``1-0:72.32.0``; None when not repairable."""
    head, sep, tail = text.partition(":")
    if not sep or ":" not in tail:
        return None
    fixed = head + ":" + tail.replace(":", ".")
    if fixed.count(".") != 2:
        return None
    return fixed


def _with_warning(conv: Converter, note: str) -> Converter:
    def convert(obis: Obis, channel: Optional[int], t: Tokens, ts: TimestampParser, strict: bool) -> Reading:
        r = conv(obis, channel, t, ts, strict)
        warning = note if r.warning is None else note + "; " + r.warning
        return _make(r.obis, r.value, r.unit, r.timestamp, r.channel, r.raw, warning)

    return convert


#: (obis, channel, converter, repair note, role, fast); role: 100 clock, 0..4 meter-id rank, -1 other;
#: fast: how the compiled loop may build a one-group line itself (1 number, 2 text, 3 hex; 0 never)
Entry = Tuple[Obis, Optional[int], Converter, Optional[str], int, int]
_ENTRIES: Dict[str, Entry] = {}

#: where the meter's own id is found, best first (C, D, E with A in 0/1 and B = 0)
_ID_RANK: Dict[Tuple[int, ...], int] = {(96, 1, 1): 0, (96, 1, 0): 1, (96, 1, 255): 2, (0, 0, 0): 3, (42, 0, 0): 4}


def _role(obis: Obis) -> int:
    if obis[1] != 0 or obis[0] not in (0, 1):
        return -1
    if obis[0] == 0 and obis[2:5] == (1, 0, 0):
        return 100
    return _ID_RANK.get(obis[2:5], -1)


#: fast codes: 1 generic, 2 text, 3 hex (make_readings and parse_lines), 4 clock, 5 peaks and
#: 6 M-Bus reading (parse_lines of the compiled twin: the clock, 0-0:98.1.0 lines that are not the
#: Belgian layout, and several-group M-Bus readings like generic lines; a one-group M-Bus line
#: always goes to its converter)
_FAST: Dict[Converter, int] = {_c_generic: 1, _c_text: 2, _c_hex: 3, _c_time: 4, _c_peaks: 5, _c_mbus: 6}


def _entry(ident: str) -> Entry:
    """(obis, channel, converter, repair note, role) for an id text (cached)."""
    note = None
    try:
        obis = Obis.parse(ident)
    except DecodeError:
        fixed = _repair_id(ident)
        repaired: Optional[Obis] = None
        if fixed is not None:
            try:
                repaired = Obis.parse(fixed)
                note = "malformed OBIS id %r read as %s" % (ident, repaired.short)
            except DecodeError:
                repaired = None
        if repaired is None:
            raise DecodeError("not an OBIS id: %r" % (ident[:40],)) from None
        obis = repaired
    channel = obis[1] if obis[0] == 0 and obis[1] else None
    conv = _rule_for(obis)
    if note is not None:
        conv = _with_warning(conv, note)
    fast = 0 if note is not None else _FAST.get(conv, 0)
    entry = (obis, channel, conv, note, _role(obis), fast)
    if len(_ENTRIES) < _CACHE_LIMIT:
        _ENTRIES[ident] = entry
    return entry


# ---------------------------------------------------------------------------
# telegram
# ---------------------------------------------------------------------------

def _as_bytes(data: Union[bytes, bytearray, memoryview, str]) -> bytes:
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        try:
            return data.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise DecodeError("telegram text contains characters above U+00FF", offset=exc.start) from None
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError("a telegram is bytes or str, not %s" % type(data).__name__)


_METERS: Dict[Tuple[str, Optional[str]], MeterInfo] = {}


def _meter_info(header: str, meter_id: Optional[str]) -> MeterInfo:
    """MeterInfo for an identification line and meter id (immutable, so cached)."""
    key = (header, meter_id)
    info = _METERS.get(key)
    if info is not None:
        return info
    flag = header[1:4]
    model = header[5:]
    if model.startswith("\\2"):
        model = model[2:]
    elif model.startswith("\x02"):
        model = model[1:]
    info = MeterInfo(manufacturer=manufacturer_name(flag), model=model.strip() or None, meter_id=meter_id,
                     identification=header[1:])
    if len(_METERS) < _CACHE_LIMIT:
        _METERS[key] = info
    return info


_crc16_arc: Optional[Callable[[bytes, int, int], int]] = None


def _crc(data: bytes, start: int, end: int) -> int:
    """CRC-16/ARC of ``data[start:end]`` via hanparse.crc (imported on first use: its own layer)."""
    global _crc16_arc
    if _crc16_arc is None:
        from ..crc import crc16_arc

        _crc16_arc = crc16_arc
    return _crc16_arc(data, start, end)


def parse_telegram(
    data: Union[bytes, bytearray, memoryview, str],
    *,
    tz: TzLike = "Europe/Amsterdam",
    strict: bool = False,
    verify_crc: bool = True,
) -> Message:
    """Decode one P1 telegram (``/`` ... ``!CRC``) into a :class:`Message`.

    ``data``: the telegram as bytes or str (Latin-1 text); ``tz``: the zone
    of the meter's clock (a zone name, a tzinfo, or None for naive times);
    ``strict``: raise DecodeError for values that would otherwise become
    None with a warning; ``verify_crc``: check the CRC when the telegram
    has one (ChecksumError with ``expected``/``actual`` on mismatch).

    Raises FrameError (no ``/``, bad identification or CRC line),
    IncompleteError (no ``!``), ChecksumError and DecodeError; nothing else
    on bad input.
    """
    buf = data if data.__class__ is bytes else _as_bytes(data)
    ts = timestamp_parser(tz)
    start, header_end, bang, end, crc, header = _tok.frame(buf)
    if crc is not None and verify_crc:
        computed = _crc(buf, start, bang + 1)
        if computed != crc:
            raise ChecksumError("P1 CRC mismatch: computed %04X, telegram says %04X" % (computed, crc),
                                expected=computed, actual=crc, field="crc", offset=bang + 1)
    raw = buf if start == 0 and end == len(buf) else buf[start:end]
    return _message(raw, buf, header_end + 1, bang, header, ts, strict, start)


def telegram_message(
    raw: bytes,
    ident_end: int,
    bang: int,
    *,
    tz: TzLike = "Europe/Amsterdam",
    strict: bool = False,
) -> Message:
    """The Message of a telegram its framer delimited (the pipeline's entry).

    ``raw`` is the whole telegram (``/`` first), ``raw[:ident_end]`` its
    identification line, ``raw[bang]`` its end ``!``: the framer decided
    the boundaries and checked the CRC, so nothing is searched again.
    """
    header = raw[:ident_end].rstrip(b"\r\x00 \t").decode("latin-1")
    return _message(raw, raw, ident_end + 1, bang, header, timestamp_parser(tz), strict, 0)


def _message(raw: bytes, buf: bytes, lines_start: int, bang: int, header: str, ts: TimestampParser,
             strict: bool, first: int) -> Message:
    warnings: Optional[List[str]] = None
    try:
        # ts.texts: timestamp_parser() returns a timestamps._Parser, whose text cache the compiled twin reads
        readings, clock_at, id_at = _tok.parse_lines(buf, lines_start, bang, _ENTRIES, _entry, ts, ts.texts,  # type: ignore[attr-defined]
                                                     strict, Reading, _HEX_TEXTS)
    except DecodeError:
        if strict:
            raise
        readings, clock_at, id_at, warnings = _tolerant_lines(buf, lines_start, bang, ts, first)
    clock = readings[clock_at]._value if clock_at >= 0 else None
    if type(clock) is not _dt.datetime:
        clock = None
    meter_id = readings[id_at]._value if id_at >= 0 else None
    if type(meter_id) is not str:
        meter_id = None
    msg = Message._make("dsmr", _meter_info(header, meter_id), clock, readings, raw)
    if warnings:
        msg._warnings = tuple(warnings)
    return msg


# ---------------------------------------------------------------------------
# tolerant reading: the error branch of _message
# ---------------------------------------------------------------------------

_SEP = b"\r\n\x00 \t"


def _logical_lines(buf: bytes, start: int, stop: int) -> List[Tuple[int, int]]:
    """(start, stop) of each data line in ``buf[start:stop]``.

    A physical line (ended by CR or LF) whose first non-blank byte is ``(``
    belongs to the line before it (the DSMR 2.2/3.0 profile value), as in
    the tokenizer; blank lines are skipped.
    """
    out: List[Tuple[int, int]] = []
    pos = start
    while pos < stop:
        cr = buf.find(b"\r", pos, stop)
        lf = buf.find(b"\n", pos, stop)
        ends = [e for e in (cr, lf) if e >= 0]
        end = min(ends) if ends else stop
        a = pos
        while a < end and buf[a] in _SEP:
            a += 1
        b = end
        while b > a and buf[b - 1] in _SEP:
            b -= 1
        if b > a:
            if buf[a] == 0x28 and out:  # '(' continues the previous line
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
        pos = end + 1
    return out


def _line_number(buf: bytes, first: int, pos: int) -> int:
    """1-based line of ``buf[pos]`` in the telegram starting at ``buf[first]`` (identification = line 1)."""
    head = buf[first:pos]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _unreadable(buf: bytes, a: int, b: int, first: int, exc: DecodeError,
                warnings: List[str]) -> Optional[Reading]:
    """The Reading for a data line that could not be read, or None (then a message warning is added).

    With a readable OBIS id the line becomes a Reading with value None, the
    text after the id in ``raw`` and the reason in ``warning``; otherwise
    the telegram gets a warning naming the line.
    """
    text = buf[a:b].decode("latin-1")
    where = "line %d" % _line_number(buf, first, a)
    cut = text.find("(")
    if cut > 0:
        try:
            obis, channel, _conv, note, _role_, _fast = _ENTRIES.get(text[:cut]) or _entry(text[:cut])
        except DecodeError:
            pass
        else:
            why = "unreadable value text (%s, %s)" % (exc.message, where)
            if note is not None:
                why = note + "; " + why
            return _make(obis, None, None, None, channel, text[cut:], why)
    shown = text if len(text) <= 80 else text[:77] + "..."
    warnings.append("%s `%s`: %s" % (where, shown, exc.message))
    return None


def _tolerant_lines(buf: bytes, start: int, stop: int, ts: TimestampParser,
                    first: int) -> Tuple[Tuple[Reading, ...], int, int, List[str]]:
    """``parse_lines`` line by line, so that one unreadable line costs only itself.

    Only reached when reading the body in one pass failed (never in
    strict mode): each data line is read on its own, and a line that
    still fails becomes a Reading with a warning or a message warning
    (:func:`_unreadable`).  Returns readings, clock index, meter-id
    index and the message warnings.
    """
    readings: List[Reading] = []
    warnings: List[str] = []
    for a, b in _logical_lines(buf, start, stop):
        try:
            got = _tok.parse_lines(buf, a, b, _ENTRIES, _entry, ts, ts.texts, False,  # type: ignore[attr-defined]
                                   Reading, _HEX_TEXTS)[0]
        except DecodeError as exc:
            r = _unreadable(buf, a, b, first, exc, warnings)
            if r is not None:
                readings.append(r)
        else:
            readings.extend(got)
    clock = ident = -1
    best = 100
    for i, r in enumerate(readings):
        role = _role(r._obis)
        if role == 100:
            if clock < 0:
                clock = i
        elif 0 <= role < best and r._value is not None:
            best = role
            ident = i
    return tuple(readings), clock, ident, warnings


def parse_data_lines(
    data: Union[bytes, bytearray, memoryview, str],
    *,
    tz: TzLike = "Europe/Amsterdam",
    strict: bool = False,
) -> Tuple[Reading, ...]:
    """Decode bare P1 data lines (no identification or end line) into Readings.

    For gateways that forward single lines; the same rules as
    :func:`parse_telegram`.  Stops at a ``!`` if there is one.
    """
    buf = _as_bytes(data)
    stop = buf.find(b"!")
    stop = len(buf) if stop < 0 else stop
    ts = timestamp_parser(tz)
    try:
        # ts.texts: timestamp_parser() returns a timestamps._Parser (see _message)
        return _tok.parse_lines(buf, 0, stop, _ENTRIES, _entry, ts, ts.texts, strict, Reading,  # type: ignore[attr-defined]
                                _HEX_TEXTS)[0]
    except DecodeError:
        if strict:
            raise
        readings, _clock, _ident, warnings = _tolerant_lines(buf, 0, stop, ts, 0)
    if warnings:
        raise DecodeError("; ".join(warnings))
    return readings
