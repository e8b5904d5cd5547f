"""Pure-Python twin of ``_meters_speedups``: the meters layer's decoding core.

:func:`hanparse.meters.decode_notification` (and ``parse_frame``) validate
their options and hand the data-notification body to :func:`decode_parts`
of the selected twin, which

1. picks the layout and profile by content only (see
   :mod:`hanparse.meters._decode` for the layouts): push-object-list,
   positional value lists (the rows of :mod:`hanparse.meters._lists`),
   Kamstrup_V0001, scaler-less pair lists (``_profiles.PAIR_LISTS``), or
   the generic walk (an unrecognised value list: raw values, profile
   "unknown" and a warning);
2. walks the body, one :class:`~hanparse.model.Reading` per value:

   * generic walk -- in any structure/array, ``OBIS, value [, {scaler,
     unit}]`` runs and ``{OBIS, value [, {scaler, unit}]}`` entries are
     readings; other containers are searched (depth-limited); top-level
     values that are neither are kept as "loose" values;
   * Kamstrup_V0001 -- list id, then OBIS/value pairs, null-data pairs
     named by their 3-phase position;
   * positional -- value-only lists, OBIS code, scaler and unit by
     position from the list table;

   integers are scaled by the frame's ``{scaler, unit}`` or the profile's
   implicit scaler; text, clocks, floats and dates are converted in one
   place (``_Ctx._emit_other``);
3. builds the :class:`~hanparse.model.MeterInfo` and picks the timestamp.

Pure caches (bounded, never depending on earlier frames' *meaning*):
octet-string -> text conversions keyed by the raw bytes (list ids, meter
ids and model strings repeat in every frame) and MeterInfo objects keyed
by their field tuple (they are immutable).

:func:`new_message` and :func:`new_meter_info` build the model objects
without running ``__init__``; the compiled twin fills their slots directly.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from . import registry as _registry
from .cosem import UNITS, apply_scaler, decode_date, decode_datetime, decode_time
from .dlms.types import Date, DateTime, Time
from .errors import DecodeError
from .meters import _lists as L
from .meters import _profiles as P
from .model import Message, MeterInfo, Reading
from .obis import Obis, _by_bytes

_push_list_profile = P.push_list_profile

if TYPE_CHECKING:
    from .meters._options import Options

__all__ = ["MAX_DEPTH", "decode_hdlc_frame", "decode_message", "decode_parts", "is_scaler_unit", "new_message",
           "new_meter_info"]

#: containers nested deeper than this below the body are not searched
MAX_DEPTH = 8

_make = Reading._make
_from_bytes = Obis.from_bytes
_interned = _by_bytes  # the Obis intern table: bytes -> Obis

#: bound of every cache here (cleared when full: the working set is a few entries)
_CACHE_LIMIT = 256


def is_scaler_unit(v: Any) -> bool:
    """True for a ``{scaler, unit}`` structure: two ints, the scaler an A-XDR integer (-128..127).

    The range check keeps hostile trees (``{long64, long64}``) from asking
    for ``10 ** (2 ** 63)``.
    """
    return (type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int
            and -128 <= v[0] <= 127)


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


_TEXTS: Dict[bytes, Any] = {}  # raw octet-string -> its _text (ids repeat in every frame)


def _text(v: bytes) -> Any:
    """Octet-string identifiers as text (NUL padding stripped) when printable ASCII, else the bytes."""
    if type(v) is not bytes:  # a DateTime/bytearray: converted as is, not cached
        s = v.rstrip(b"\x00").decode("latin-1")
        return s if (s.isascii() and s.isprintable()) else v
    hit = _TEXTS.get(v)
    if hit is not None:
        return hit
    s = v.rstrip(b"\x00").decode("latin-1")
    result = s if (s.isascii() and s.isprintable()) else v
    if len(v) <= 64:
        if len(_TEXTS) >= _CACHE_LIMIT:
            _TEXTS.clear()
        _TEXTS[v] = result
    return result


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


def _walk_push_list(ctx: _Ctx, body: Tuple[Any, ...]) -> None:
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



# ---------------------------------------------------------------------------
# Walks


def _emit(ctx: Any, obis: Obis, value: Any, su: Any) -> None:
    """One reading; integers inline, everything else through ``ctx.emit``."""
    t = type(value)
    if t is not int:
        ctx._emit_other(obis, value, su, t)  # what ctx.emit does for anything but an int
        return
    if su is not None:
        scaler = su[0]
        code = su[1]
        unit = UNITS[code] if 0 <= code < 256 else None
    else:
        hit = ctx.table.get(obis)
        scaler, unit = hit if hit is not None else ctx.scaling.get(obis)
        if ctx.auto_voltage and unit == "V" and scaler == 0 and value >= 1000:
            scaler = -1
    if scaler:
        ctx.out.append(_make(obis, apply_scaler(value, scaler), unit, None, None, value, None))
    else:
        ctx.out.append(_make(obis, value, unit, None, None, None, None))


def walk(ctx: Any, node: Sequence[Any], depth: int) -> None:
    """Generic walk of ``node`` (a tuple or list) at nesting ``depth`` (0 = the body)."""
    if depth > MAX_DEPTH:
        return
    n = len(node)
    i = 0
    while i < n:
        el = node[i]
        t = type(el)
        if t is bytes and len(el) == 6 and i + 1 < n:
            obis = _obis(el)
            value = node[i + 1]
            i += 2
            if i < n and is_scaler_unit(node[i]):
                _emit(ctx, obis, value, node[i])
                i += 1
            else:
                _emit(ctx, obis, value, None)
            continue
        i += 1
        if t is tuple or t is list:
            m = len(el)
            if m == 0:
                continue
            head = el[0]
            if (m == 2 or m == 3) and type(head) is bytes and len(head) == 6:
                if m == 3:
                    if is_scaler_unit(el[2]):
                        _emit(ctx, _obis(head), el[1], el[2])
                    else:
                        walk(ctx, el, depth + 1)
                    continue
                _emit(ctx, _obis(head), el[1], None)
                continue
            walk(ctx, el, depth + 1)
        elif depth == 0:
            ctx.loose.append(el)


def walk_kamstrup(ctx: Any, body: Sequence[Any], list_id_obis: Obis, order: Sequence[Obis]) -> None:
    """Kamstrup_V0001: ``list id, OBIS, value, OBIS, value ...``.

    The list id (no OBIS code) is reported as ``list_id_obis``.  1-phase
    meters keep the 3-phase element count (25 or 35) and send ``00 00``
    (null OBIS, null value) for the missing phases: those pairs are named
    by their position in ``order`` and reported with value None.  Nested
    containers are walked generically.
    """
    ctx.emit(list_id_obis, body[0])
    n = len(body)
    positional = n == 25 or n == 35
    k = 0
    i = 1
    while i < n:
        el = body[i]
        if type(el) is bytes and len(el) == 6 and i + 1 < n:
            _emit(ctx, _obis(el), body[i + 1], None)
            i += 2
        elif el is None and i + 1 < n and body[i + 1] is None:
            if positional and k < len(order):
                ctx.emit(order[k], None)
            i += 2
        else:
            if (type(el) is tuple or type(el) is list) and el:
                walk(ctx, el, 1)
            i += 1
            continue
        k += 1


def walk_list(ctx: Any, body: Sequence[Any], row: L.ListLayout, explicit: bool) -> None:
    """The readings of a positional list: element i as ``row.fields[i]`` says.

    ``explicit``: integers take the row's scaler and unit (False when a
    different profile is forced: then the profile's implicit scalers apply,
    as for any object); a ``scalers`` option for an OBIS code wins either
    way.  An empty octet-string is a placeholder (value None).
    """
    out = ctx.out
    overrides = ctx.scaling.overrides
    n = 0
    for f, v in zip(row.fields, body):
        n += 1
        role = f.role
        obis: Obis = f.obis  # type: ignore[assignment]  # (None only for R_SKIP and R_RAW)
        if role == 0:  # R_VALUE
            if type(v) is int:
                if explicit and not (overrides and obis in overrides):
                    if f.scaler:
                        out.append(_make(obis, apply_scaler(v, f.scaler), f.unit, None, None, v, None))
                    else:
                        out.append(_make(obis, v, f.unit, None, None, None, None))
                    continue
            elif isinstance(v, bytes) and len(v) == 0:
                v = None
            _emit(ctx, obis, v, None)
        elif role == 1 or role == 2:  # R_ID, R_TEXT
            text = _first_text(v)
            if text is None:
                out.append(_make(obis, L.raw_value(v), None, None, None, None, None))
            elif not text:
                out.append(_make(obis, None, None, None, None, None, None))
            else:
                out.append(_make(obis, text, None, None, None, None, None))
                if role == 1 and "meter_id" not in ctx.meta:
                    ctx.meta["meter_id"] = text
        elif role == 3:  # R_NUMBER
            out.append(_make(obis, int.from_bytes(v, "big"), None, None, None, bytes(v), None))
        elif role == 4:  # R_TIME
            out.append(_make(obis, decode_time(v), None, None, None, bytes(v), None))
        elif role == 5:  # R_DATE
            out.append(_make(obis, decode_date(v), None, None, None, bytes(v), None))
        elif role == 7:  # R_RAW
            out.append(_make(L.position_obis(n), L.raw_value(v), None, None, None, None, None))


def walk_raw(ctx: Any, body: Sequence[Any]) -> None:
    """An unrecognised value list: every element under its position marker, unscaled, no unit."""
    out = ctx.out
    for n, v in enumerate(body[:65535], 1):
        out.append(_make(L.position_obis(n), L.raw_value(v), None, None, None, None, None))


def decode_parts(body: Any, clock: Any, system_title: Optional[bytes],
                 opts: Options) -> Tuple[MeterInfo, Any, Tuple[Reading, ...], Optional[Tuple[str, ...]]]:
    """``(meter, timestamp, readings, warnings)`` of a data-notification.

    ``warnings``: None, or a tuple of message-level warnings (a value list
    no table row recognises).

    ``body``: the A-XDR Data tree; ``clock``: the notification date-time (12
    raw bytes, a DateTime, or None); ``system_title``: 8 bytes or None;
    ``opts``: a validated :class:`hanparse.meters.Options`.  Raises
    :class:`DecodeError` when ``body`` is not a Data tree, ValueError for an
    unknown forced profile.
    """
    if not isinstance(opts, tuple) or len(opts) != 5:
        raise TypeError("opts must be a hanparse.meters.Options")
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
    row: Optional[L.ListLayout] = None
    candidates: Tuple[L.ListLayout, ...] = ()
    profile_name = "generic"
    first = body[0] if (tb is tuple or tb is list) and body else None
    if tb is tuple and _is_push_list(body):
        layout = "push"
        ldn = None
        for d, v in zip(body[0], body):
            if type(d) is tuple and len(d) >= 3 and d[1] == b"\x00\x00\x2a\x00\x00\xff" and d[2] == 2:
                ldn = _first_text(v)
        maker = _manufacturer_of(ldn) or st_maker
        profile_name = _push_list_profile(maker, body[0])
    else:
        row, candidates = L.match(body)
        if row is None and len(candidates) > 1 and opts.profile is not None:
            for c in candidates:  # an ambiguous list: the user chose one
                if c.profile == opts.profile:
                    row = c
                    break
        if row is not None:
            layout = "positional"
            profile_name = row.profile
        elif candidates:
            pass  # ambiguous: reported below as not recognised
        elif tb is tuple and type(first) is str and first.startswith("Kamstrup_"):
            layout = "kamstrup"
            profile_name = _kamstrup_profile(opts, len(body))
        else:
            pairs = P.match_pairs(body)
            if pairs is not None:
                profile_name = pairs.profile
            else:
                list_id = _find_list_id(body)
                if list_id is not None:
                    for prefix, _maker, pname in P.LIST_IDS:
                        if list_id.startswith(prefix):
                            profile_name = pname if pname != "kamstrup_no" else _kamstrup_profile(opts, len(body))
                            break
                elif st_maker == "Landis+Gyr":
                    profile_name = "landis_gyr"
                elif st_maker == "Kamstrup":
                    profile_name = _kamstrup_profile(opts, len(body))
    if opts.profile is not None:
        if opts.profile not in P.PROFILES:
            raise ValueError("unknown meter profile %r" % (opts.profile,))
        profile_name = opts.profile
    profile = P.PROFILES[profile_name]
    local = profile.local_clock if opts.local_clock is None else opts.local_clock
    ctx = _Ctx(_scaling(profile, opts), local)

    # --- readings ------------------------------------------------------------
    warnings = None
    if layout == "push":
        _walk_push_list(ctx, body)
    elif layout == "positional":
        walk_list(ctx, body, row, opts.profile is None or opts.profile == row.profile)  # type: ignore[arg-type,union-attr]
    elif layout == "kamstrup":
        walk_kamstrup(ctx, body, P.KAMSTRUP_LIST_ID, P.KAMSTRUP_ORDER)
    elif tb is tuple or tb is list:
        if not candidates:
            walk(ctx, body, 0)
        if tb is tuple and not ctx.out and body:  # a value list no row knows (or several do): raw, and say so
            walk_raw(ctx, body)
            warnings = (L.describe(body, candidates),)
            if opts.profile is None:
                profile_name = "unknown"
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
    if timestamp is None and row is not None:
        td = L.TIME_DATE.get(row.name)
        if td is not None:  # local time and date elements (Kärnten Netz, Wels, HEP)
            t, d = decode_time(body[td[0]]), decode_date(body[td[1]])
            if d is not None and t is not None:
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
    info = _meter_info(manufacturer, meta.get("model"), meter_id, list_id,
                       bytes(system_title) if system_title else None, profile_name)
    return info, timestamp, readings, warnings


def _clock_valid(raw: Any) -> bool:
    """False when the clock status byte is given and has the invalid-value bit."""
    if raw is None or len(raw) != 12:
        return False
    status = raw[11]
    return status == 0xFF or not status & 0x01


def _kamstrup_profile(opts: Options, count: int) -> str:
    """The Kamstrup profile of a list of ``count`` elements: family by count, energy unit by the options."""
    scaler = opts.kamstrup_energy_scaler
    if scaler is None:
        wh = (opts.country or "").upper() == "SE"
    else:
        wh = scaler == 0
    family = L.KAMSTRUP_PROFILES.get(count)
    if family is not None:
        return family + "_wh" if wh else family
    return "kamstrup_se" if wh else "kamstrup_no"


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


_INFOS: Dict[Tuple[Any, ...], MeterInfo] = {}


def _meter_info(manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str], list_id: Optional[str],
                system_title: Optional[bytes], profile: str) -> MeterInfo:
    """The (shared, immutable) MeterInfo of these fields; identification is None for binary meters."""
    key = (manufacturer, model, meter_id, list_id, system_title, profile)
    hit = _INFOS.get(key)
    if hit is None:
        if len(_INFOS) >= _CACHE_LIMIT:
            _INFOS.clear()
        hit = _INFOS[key] = new_meter_info(manufacturer, model, meter_id, list_id, None, system_title, profile)
    return hit


def new_message(format: str, meter: MeterInfo, timestamp: Any, readings: Tuple[Reading, ...], raw: bytes,
                encrypted: bool, security: Any) -> Message:
    """A :class:`Message` from ready parts (``readings`` a tuple, ``raw`` bytes); no checks."""
    return Message._make(format, meter, timestamp, readings, raw, encrypted, security)


def new_meter_info(manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str],
                   list_id: Optional[str], identification: Optional[str], system_title: Optional[bytes],
                   profile: Optional[str]) -> MeterInfo:
    """A :class:`MeterInfo` from ready parts; no checks."""
    return MeterInfo._make(manufacturer, model, meter_id, list_id, identification, system_title, profile)


def decode_message(format: str, body: Any, clock: Any, system_title: Optional[bytes], opts: Options, raw: bytes,
                   security: Any) -> Message:
    """The :class:`Message` of a data-notification: :func:`decode_parts` and :func:`new_message` in one call.

    ``opts`` is a validated :class:`hanparse.meters.Options`; the message
    is encrypted when ``security`` (its SecurityInfo) is not None.
    """
    meter, timestamp, readings, warnings = decode_parts(body, clock, system_title, opts)
    msg = Message._make(format, meter, timestamp, readings, raw, security is not None, security)
    if warnings:
        msg._warnings = warnings
    return msg


def decode_hdlc_frame(data: Any, hdlc_parse: Any, decode_data_notification: Any, opts: Options) -> Optional[Message]:
    """The Message of ``data`` when it is one unsegmented HDLC frame holding LLC + a clear data-notification.

    None for anything else (the caller takes its general path, which makes
    the same calls).  ``hdlc_parse`` and ``decode_data_notification`` are the
    functions of the selected core and dlms twins; their errors propagate.
    """
    if type(data) is not bytes or len(data) < 8 or data[0] != 0x7E:
        return None
    r = hdlc_parse(data, 0)
    if type(r) is not tuple or len(r) < 10 or not r[1] or r[2] or r[0] + 1 != len(data):
        return None
    i0, i1 = r[8], r[9]
    if not (0 <= i0 and i1 <= len(data) and i1 - i0 > 3 and data.startswith(_LLC_NOTIFICATION, i0)):
        return None
    dn = decode_data_notification(data, i0 + 3, i1)
    if type(dn) is not tuple or len(dn) != 4 or dn[3] != i1:
        return None
    meter, timestamp, readings, warnings = decode_parts(dn[2], dn[1], None, opts)
    msg = Message._make("hdlc", meter, timestamp, readings, data, False, None)
    if warnings:
        msg._warnings = warnings
    return msg


_LLC_NOTIFICATION = (b"\xe6\xe7\x00\x0f", b"\xe6\xe6\x00\x0f")  # LLC header + data-notification tag
