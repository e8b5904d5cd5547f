"""Turn the Data tree of a data-notification into Readings.

Layouts recognised (dlms.md 2.3), tried in this order, by content only:

1. push-object-list then values: ``structure{ array of descriptors
   {class-id, OBIS, attribute, data-index, ...}, value 1, value 2 ... }``;
   descriptor i describes structure element i (descriptor 0 is the list
   itself).  Landis+Gyr E360/E450/E570, Iskra AM550 (CH), Energomera.
2. positional value lists without OBIS codes, recognised by their first
   element and element count: Kaifa KFM_001 (Norway) lists of 1, 9, 13, 14
   and 18 elements; Wiener Netze 9 values; Siemens IM350 10 and 12 values;
   Netz Burgenland 11 and 14 values.
3. everything else is walked generically: in any structure or array,
   ``OBIS (6-byte octet-string), value [, {scaler, unit}]`` runs are
   readings, other containers are searched (bounded depth).  This covers
   register triplets (Aidon, Embriq, Iskra, Kaifa AT, Salzburg), flat
   OBIS/value pairs (Kamstrup, Kaifa SE, L+G) and flat OBIS/value/
   scaler-unit lists (Netz NO, Sagemcom T210-D).

Scalers carried in the frame always win; otherwise the profile's implicit
scaler for the quantity applies (see :mod:`._profiles`), or the value is
left as sent with no unit.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from .. import _impl
from .. import registry as _registry
from ..cosem import UNITS, apply_scaler, decode_date, decode_datetime, decode_time
from ..dlms.types import Date, DateTime, Time
from ..errors import DecodeError
from ..model import MeterInfo, Reading
from .. import obis as _obis_module
from ..obis import Obis
from . import _profiles as P

__all__ = ["MeterData", "Options", "decode_notification", "decode_parts"]

#: the hot walks: compiled ``_meters_speedups`` or its twin ``_meters_purepy``
_meters = _impl.select("meters")
_make = Reading._make
_from_bytes = Obis.from_bytes
_MAX_DEPTH = _meters.MAX_DEPTH


class Options(NamedTuple):
    """Decoding choices a frame cannot tell.

    ``country``: "NO", "SE", "DK" ... where the meter is installed; decides
    the Kamstrup energy unit (10 Wh in Norway and Denmark, Wh in Sweden).
    ``kamstrup_energy_scaler``: overrides that choice directly (1 or 0).
    ``scalers``: ``{obis: scaler}`` overriding the implicit scaler of
    single objects of lists that carry none (frame scalers still win).
    ``profile``: force a profile by name (see ``hanparse.meters.PROFILES``).
    ``local_clock``: treat every clock as local time (True), never (False),
    or per profile (None).
    """

    country: Optional[str] = None
    kamstrup_energy_scaler: Optional[int] = None
    scalers: Optional[Mapping[Any, int]] = None
    profile: Optional[str] = None
    local_clock: Optional[bool] = None


_DEFAULT_OPTIONS = Options()


def _options(options: Union[None, Options, Mapping[str, Any]]) -> Options:
    if options is None:
        return _DEFAULT_OPTIONS
    if isinstance(options, Options):
        return options
    if isinstance(options, Mapping):
        unknown = set(options) - set(Options._fields)
        if unknown:
            raise TypeError("unknown meter option(s): %s" % ", ".join(sorted(map(str, unknown))))
        return Options(**options)
    raise TypeError("options must be a hanparse.meters.Options or a mapping, not %s" % type(options).__name__)


class MeterData(NamedTuple):
    """What the meters layer makes of one notification body.

    ``meter``: :class:`~hanparse.model.MeterInfo`; ``timestamp``: the meter
    clock (notification header, else the clock object in the body; None
    when absent or flagged invalid); ``readings``: tuple of Readings in
    frame order.
    """

    meter: MeterInfo
    timestamp: Optional[_dt.datetime]
    readings: Tuple[Reading, ...]


# ---------------------------------------------------------------------------
# Scaler resolution: per profile, a dict Obis -> (scaler, unit) filled lazily


class _Scaling:
    __slots__ = ("profile", "table", "overrides")

    def __init__(self, profile: P.Profile, overrides: Optional[Dict[Obis, int]]) -> None:
        self.profile = profile
        self.table: Dict[Obis, Tuple[int, Optional[str]]] = {}
        self.overrides = overrides

    def get(self, obis: Obis) -> Tuple[int, Optional[str]]:
        hit = self.table.get(obis)
        if hit is not None:
            return hit
        q = P.quantity_of(obis)
        scaler: Optional[int] = None
        unit: Optional[str] = None
        if q is not None:
            scaler = self.profile.scalers.get(q[0])
            if scaler is not None:
                unit = q[1]
        if self.overrides and obis in self.overrides:
            scaler = self.overrides[obis]
            unit = q[1] if q is not None else _registry.unit_of(obis)
        result = (scaler if scaler is not None else 0, unit)
        if len(self.table) < 1024:
            self.table[obis] = result
        return result


_SCALINGS: Dict[Tuple[str, int], _Scaling] = {}


def _scaling(profile: P.Profile, opts: Options) -> _Scaling:
    if opts.scalers:
        overrides = {Obis.coerce(k): int(v) for k, v in opts.scalers.items()}
        return _Scaling(profile, overrides)
    s = _SCALINGS.get((profile.name, 0))
    if s is None:
        s = _SCALINGS[(profile.name, 0)] = _Scaling(profile, None)
    return s


# ---------------------------------------------------------------------------
# Values


def _is_obis(v: Any) -> bool:
    return type(v) is bytes and len(v) == 6


def _is_scaler_unit(v: Any) -> bool:
    """{scaler, unit}: two ints, the scaler an A-XDR integer (-128..127, so no 10 ** huge)."""
    return type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int and -128 <= v[0] <= 127


def _text(v: bytes) -> Union[str, bytes]:
    """Octet-string identifiers as text (NUL padding stripped) when printable ASCII."""
    s = v.rstrip(b"\x00").decode("latin-1")
    if s.isascii() and s.isprintable():
        return s
    return v


_META_FIELD: Dict[Obis, Optional[str]] = {}  # registry facts per OBIS code (the registry is static)
_IS_TEXT: Dict[Obis, bool] = {}
_FACT_CACHE_LIMIT = 1024


def _meta_field(obis: Obis) -> Optional[str]:
    """The MeterInfo field a text reading of ``obis`` fills (see ``_META``), or None."""
    try:
        return _META_FIELD[obis]
    except KeyError:
        name = _registry.name_of(obis)
        field = None if name is None else _META.get(name)
        if len(_META_FIELD) < _FACT_CACHE_LIMIT:
            _META_FIELD[obis] = field
        return field


def _is_text(obis: Obis) -> bool:
    """Whether the registry says ``obis`` holds text."""
    try:
        return _IS_TEXT[obis]
    except KeyError:
        text = _registry.kind_of(obis) == "text"
        if len(_IS_TEXT) < _FACT_CACHE_LIMIT:
            _IS_TEXT[obis] = text
        return text


class _Ctx:
    """Per-message state: scaling, clock policy, collected readings and meter facts."""

    __slots__ = ("scaling", "table", "local", "out", "auto_voltage", "loose", "meta", "body_clock")

    def __init__(self, scaling: _Scaling, local: bool) -> None:
        self.scaling = scaling
        self.table = scaling.table  # Obis -> (scaler, unit), filled by scaling.get
        self.local = local
        self.out: List[Reading] = []
        self.auto_voltage = scaling.profile.auto_voltage
        #: top-level values without OBIS code (Netz NO meter id, L+G clock)
        self.loose: List[Any] = []
        #: MeterInfo fields found in text readings (list id, meter id, type ...)
        self.meta: Dict[str, str] = {}
        #: the first valid clock object of the body, as (datetime, raw)
        self.body_clock: Optional[Tuple[_dt.datetime, bytes]] = None

    def text(self, obis: Obis, text: Any) -> None:
        """Append a text reading and note it when it names the meter."""
        self.out.append(_make(obis, text, None, None, None, None, None))
        if type(text) is str:
            field = _meta_field(obis)
            if field is not None and field not in self.meta:
                self.meta[field] = text

    def clock(self, obis: Obis, raw: bytes) -> None:
        raw = bytes(raw)
        value = decode_datetime(raw, ignore_deviation=self.local)
        if value is None:
            self.out.append(_make(obis, None, None, None, None, raw, "date-time not specified or invalid"))
            return
        self.out.append(_make(obis, value, None, None, None, raw, None))
        if self.body_clock is None and obis[2] == 1 and obis[3] == 0:
            self.body_clock = (value, raw)

    def emit(self, obis: Obis, value: Any, su: Any = None) -> None:
        """Append the Reading for ``value`` of ``obis`` (``su``: frame scaler-unit or None)."""
        t = type(value)
        if t is int:
            if su is not None:
                scaler, code = su
                unit = UNITS[code] if 0 <= code < 256 else None
            else:
                hit = self.table.get(obis)
                scaler, unit = hit if hit is not None else self.scaling.get(obis)
                if self.auto_voltage and unit == "V" and scaler == 0 and value >= 1000:
                    scaler = -1
            if scaler:
                self.out.append(_make(obis, apply_scaler(value, scaler), unit, None, None, value, None))
            else:
                self.out.append(_make(obis, value, unit, None, None, None, None))
            return
        self._emit_other(obis, value, su, t)

    def _emit_other(self, obis: Obis, value: Any, su: Any, t: type) -> None:
        if value is None:
            unit = UNITS[su[1]] if su is not None and 0 <= su[1] < 256 else self.scaling.get(obis)[1]
            self.out.append(_make(obis, None, unit, None, None, None, None))
        elif t is str:
            self.text(obis, value.rstrip("\x00"))
        elif t is bytes or t is DateTime:
            if len(value) == 12 and (t is DateTime or (obis[2] == 1 and obis[3] == 0 and obis[0] == 0)):
                self.clock(obis, value)
            elif _is_text(obis):
                self.text(obis, _text(value))
            else:
                self.out.append(_make(obis, bytes(value), None, None, None, None, None))
        elif t is float:
            if su is not None:
                scaler, code = su
                unit = UNITS[code] if 0 <= code < 256 else None
            else:
                scaler, unit = self.scaling.get(obis)
            self.out.append(_make(obis, apply_scaler(value, scaler), unit, None, None, value if scaler else None, None))
        elif t is Date:
            self.out.append(_make(obis, decode_date(value), None, None, None, bytes(value), None))
        elif t is Time:
            self.out.append(_make(obis, decode_time(value), None, None, None, bytes(value), None))
        else:
            if t is list:
                value = tuple(value)
            self.out.append(_make(obis, value, None, None, None, None, None))


# ---------------------------------------------------------------------------
# Layouts

_interned = _obis_module._by_bytes  # the Obis intern table: bytes -> Obis


def _obis(raw: bytes) -> Obis:
    hit = _interned.get(raw)
    return hit if hit is not None else _from_bytes(raw)


def _is_push_list(body: Any) -> bool:
    if type(body) is not tuple or len(body) < 2:
        return False
    first = body[0]
    if type(first) is not list or not first:
        return False
    d = first[0]
    return (type(d) is tuple and len(d) >= 4 and type(d[0]) is int and _is_obis(d[1]) and type(d[2]) is int)


def _walk_push_list(ctx: _Ctx, body: tuple) -> None:
    """Push-object-list: descriptor i describes body element i.

    Attribute 2 of every object but the push setup is a reading; attribute 3
    of a register (scaler_unit) scales it; attribute 5 of an extended
    register (capture_time) becomes its timestamp.
    """
    descriptors = body[0]
    n = min(len(descriptors), len(body))
    plan: List[Tuple[int, Obis]] = []
    scaler_units: Optional[Dict[Obis, Any]] = None
    capture: Optional[Dict[Obis, Any]] = None
    for i in range(1, n):
        d = descriptors[i]
        if type(d) is not tuple or len(d) < 3:
            continue
        raw = d[1]
        if type(raw) is not bytes or len(raw) != 6:
            continue
        cls, attr = d[0], d[2]
        if attr == 2:
            if cls != 40:
                plan.append((i, _obis(raw)))
        elif attr == 3 and cls in (3, 4, 5) and _is_scaler_unit(body[i]):
            if scaler_units is None:
                scaler_units = {}
            scaler_units[_obis(raw)] = body[i]
        elif attr == 5 and cls == 4:
            if capture is None:
                capture = {}
            capture[_obis(raw)] = body[i]
    emit = ctx.emit
    if scaler_units is None and capture is None:
        for i, obis in plan:
            emit(obis, body[i])
        return
    out = ctx.out
    for i, obis in plan:
        emit(obis, body[i], scaler_units.get(obis) if scaler_units else None)
        ts = capture.get(obis) if capture else None
        if ts is not None and type(ts) in (bytes, DateTime) and len(ts) == 12:
            r = out[-1]
            out[-1] = _make(r._obis, r._value, r._unit, decode_datetime(ts, ignore_deviation=ctx.local),
                            None, r._raw, r._warning)


# ---------------------------------------------------------------------------
# Detection


def _first_text(v: Any) -> Optional[str]:
    if type(v) is str:
        return v.rstrip("\x00")
    if type(v) is bytes:
        t = _text(v)
        return t if type(t) is str else None
    return None


def _is_int(v: Any) -> bool:
    return type(v) is int


def _positional(body: Any) -> Optional[Tuple[str, Sequence[Obis], int]]:
    """(profile name, OBIS codes, first element) of a value-only list, or None."""
    if type(body) is not tuple:
        return None
    n = len(body)
    if n == 0:
        return None
    first = body[0]
    if n == 1 and type(first) is int:
        return "kaifa_no", P.KAIFA_NO_LISTS[1], 0
    if n in (9, 13, 14, 18) and _first_text(first) == "KFM_001" and not _is_obis(body[1]):
        return "kaifa_no", P.KAIFA_NO_LISTS[n], 0
    if n == 9 and type(first) in (bytes, DateTime) and len(first) == 12 and all(map(_is_int, body[1:])):
        return "wiener_netze", P.WIENER_NETZE_9, 0
    if (n == 10 and type(body[1]) in (bytes, DateTime) and len(body[1]) == 12 and not _is_obis(first)
            and _first_text(first) is not None and all(map(_is_int, body[2:]))):
        return "wiener_netze", P.IM350_10, 0
    if (n in (10, 12) and _is_obis(first) and type(body[2]) in (bytes, Time) and len(body[2]) == 4
            and type(body[3]) in (bytes, Date) and len(body[3]) == 5):
        return "wiener_netze", P.WN_VALUES, -1
    if n in (11, 14) and all(map(_is_int, body[:n - 1])) and type(body[-1]) in (bytes, str):
        return "landis_gyr_burgenland", P.BURGENLAND_10, -2
    return None


def _manufacturer_of(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    t = text.lstrip("0123456789")[:3]  # Kaifa AT meter ids: "1KFM..."
    return P.FLAG_IDS.get(t.upper()) if len(t) == 3 else None


_META = {
    "list_version": "list_id",
    "meter_id": "meter_id",
    "equipment_id": "meter_id2",
    "meter_type": "model",
    "logical_device_name": "ldn",
}


def decode_notification(
    body: Any,
    clock: Any = None,
    *,
    system_title: Optional[bytes] = None,
    options: Union[None, Options, Mapping[str, Any]] = None,
) -> MeterData:
    """Decode the body (and header clock) of a data-notification into :class:`MeterData`.

    ``body``: the A-XDR Data tree (tuples for structures, lists for arrays,
    bytes for octet-strings ...); ``clock``: the notification date-time
    (12 raw bytes, a :class:`~hanparse.dlms.types.DateTime`, or None);
    ``system_title``: the 8-byte system title of a ciphered APDU (helps to
    pick the profile); ``options``: :class:`Options` or a mapping of its
    fields.

    Detection is by content only and deterministic.  Unknown layouts still
    give every OBIS/value pair found.  Raises :class:`DecodeError` only when
    ``body`` is not a Data tree at all.
    """
    return MeterData._make(decode_parts(body, clock, system_title, options))


def decode_parts(body: Any, clock: Any, system_title: Optional[bytes],
                 options: Union[None, Options, Mapping[str, Any]]) -> Tuple[MeterInfo, Any, Tuple[Reading, ...]]:
    """:func:`decode_notification` as a plain ``(meter, timestamp, readings)`` tuple (for parse_frame)."""
    opts = _options(options)
    tb = type(body)
    if (tb is not tuple and tb is not list and body is not None
            and not isinstance(body, (tuple, list, int, float, str, bytes, bool))):
        raise DecodeError("notification body is not an A-XDR Data tree: %s" % type(body).__name__)
    st_text = None
    if system_title:
        try:
            st_text = bytes(system_title[:3]).decode("ascii")
        except (UnicodeDecodeError, TypeError):
            st_text = None
    st_maker = P.FLAG_IDS.get(st_text.upper()) if st_text else None

    # --- pick layout and profile -------------------------------------------
    layout = "walk"
    positional = None
    profile_name = "generic"
    first = body[0] if (tb is tuple or tb is list) and body else None
    if tb is tuple and _is_push_list(body):
        layout = "push"
        ldn = None
        for d, v in zip(body[0], body):
            if type(d) is tuple and len(d) >= 3 and d[1] == b"\x00\x00\x2a\x00\x00\xff" and d[2] == 2:
                ldn = _first_text(v)
        maker = _manufacturer_of(ldn) or st_maker
        profile_name = {"Landis+Gyr": "landis_gyr", "Iskraemeco": "iskra"}.get(maker or "", "push_list")
    else:
        positional = _positional(body)
        if positional is not None:
            layout = "positional"
            profile_name = positional[0]
        elif type(body) is tuple and type(first) is str and first.startswith("Kamstrup_"):
            layout = "kamstrup"
            profile_name = _kamstrup_profile(opts)
        else:
            list_id = _find_list_id(body)
            if list_id is not None:
                for prefix, _maker, pname in P.LIST_IDS:
                    if list_id.startswith(prefix):
                        profile_name = pname if pname != "kamstrup_no" else _kamstrup_profile(opts)
                        break
            elif st_maker == "Landis+Gyr":
                profile_name = "landis_gyr"
            elif st_maker == "Kamstrup":
                profile_name = _kamstrup_profile(opts)
    if opts.profile is not None:
        if opts.profile not in P.PROFILES:
            raise ValueError("unknown meter profile %r" % (opts.profile,))
        profile_name = opts.profile
    profile = P.PROFILES[profile_name]
    local = profile.local_clock if opts.local_clock is None else opts.local_clock
    ctx = _Ctx(_scaling(profile, opts), local)

    # --- readings ------------------------------------------------------------
    if layout == "push":
        _walk_push_list(ctx, body)
    elif layout == "positional":
        _name, codes, start = positional  # type: ignore[misc]
        if start == -1:  # IM350/AM550: OBIS of the push setup, meter id, time, date, values
            ctx.emit(P.METER_ID, body[1])
            _meters.walk_positional(ctx, body, 4, codes)
        elif start == -2:  # Burgenland: 10 values ... meter id last
            _meters.walk_positional(ctx, body, 0, codes)
            ctx.emit(P.METER_ID, body[-1])
        else:
            _meters.walk_positional(ctx, body, 0, codes)
    elif layout == "kamstrup":
        _meters.walk_kamstrup(ctx, body, P.KAMSTRUP_LIST_ID, P.KAMSTRUP_ORDER)
    elif tb is tuple or tb is list:
        _meters.walk(ctx, body, 0)
    readings = tuple(ctx.out)

    # --- meter info and timestamp -------------------------------------------
    meta = ctx.meta
    if layout == "kamstrup" and "meter_id" not in meta:
        for r in ctx.out:  # Omnipower "meter number 1" (1-1:0.0.1) is sent as an integer
            o_ = r._obis
            if o_[0] == 1 and o_[2] == 0 and o_[3] == 0 and type(r._value) is int:
                meta["meter_id"] = str(r._value)
                break
    timestamp = None
    if clock is not None and type(clock) in (bytes, DateTime, bytearray) and len(clock) == 12:
        if _clock_valid(clock):
            bc = ctx.body_clock
            if bc is not None and bc[1] == clock:  # Kaifa, Kamstrup: the same clock in header and body
                timestamp = bc[0]
            else:
                timestamp = decode_datetime(clock, ignore_deviation=local)
    elif ctx.body_clock is not None and _clock_valid(ctx.body_clock[1]):
        timestamp = ctx.body_clock[0]
    if layout == "positional" and positional is not None and positional[2] == -1:
        d, t = decode_date(body[3]), decode_time(body[2])
        if timestamp is None and d is not None and t is not None:
            timestamp = _dt.datetime.combine(d, t)

    list_id = meta.get("list_id")
    meter_id = meta.get("meter_id") or meta.get("meter_id2") or meta.get("ldn")
    loose_clock = None
    for el in ctx.loose:
        if type(el) in (bytes, DateTime) and len(el) == 12 and el[2] <= 12 and decode_datetime(el) is not None:
            loose_clock = el  # L+G flat lists open with a bare clock
        elif meter_id is None:
            text = _first_text(el)
            if text and len(text) >= 6:
                meter_id = text  # Netz NO: meter id as a bare octet-string at the end
    if timestamp is None and clock is None and loose_clock is not None and _clock_valid(loose_clock):
        timestamp = decode_datetime(loose_clock, ignore_deviation=local)
    manufacturer = None
    if list_id:
        for prefix, maker, _p in P.LIST_IDS:
            if list_id.startswith(prefix):
                manufacturer = maker
                break
    if manufacturer is None:
        manufacturer = (st_maker or _manufacturer_of(meta.get("ldn")) or _manufacturer_of(meta.get("meter_id"))
                        or _manufacturer_of(meta.get("meter_id2")) or profile.manufacturer)
    info = _meters.new_meter_info(manufacturer, meta.get("model"), meter_id, list_id, None,
                                  bytes(system_title) if system_title else None, profile_name)
    return info, timestamp, readings


def _clock_valid(raw: Any) -> bool:
    """False when the clock status byte is given and has the invalid-value bit."""
    if raw is None or len(raw) != 12:
        return False
    status = raw[11]
    return status == 0xFF or not status & 0x01


def _kamstrup_profile(opts: Options) -> str:
    scaler = opts.kamstrup_energy_scaler
    if scaler is None:
        return "kamstrup_se" if (opts.country or "").upper() == "SE" else "kamstrup_no"
    return "kamstrup_se" if scaler == 0 else "kamstrup_no"


def _find_list_id(body: Any) -> Optional[str]:
    """The value of the list version object (x-x:0.2.129) near the start of the body."""
    if type(body) not in (tuple, list) or not body:
        return None
    # register triplets: first element {OBIS, value}; flat pairs: OBIS, value
    first = body[0]
    if type(first) is tuple and len(first) >= 2 and _is_obis(first[0]):
        obis, value = first[0], first[1]
    elif len(body) >= 2 and _is_obis(first):
        obis, value = first, body[1]
    else:
        return None
    if obis[2:5] == b"\x00\x02\x81":
        return _first_text(value)
    return None
