# cython: annotation_typing=False
# mypy: disable-error-code="no-any-return"
# (mypy reads the C helpers of _walk_c.pxd and _slots_c.pxd, cimported when compiled, as Any)
"""The meters layer's decoding core: from a data-notification body to Readings and a MeterInfo.

One source for both implementations.  This file runs as plain Python, and
Cython compiles it (pure-Python mode) into the extension module
``hanparse.meters._walk``: ``meters/_walk.pxd`` beside it gives the C types (the
per-message state ``_Ctx``, the per-profile ``_Scaling`` and per-OBIS
``_Slot`` are extension types there, plain slotted classes here), and
``_walk_c.pxd`` the few C-only pieces, reached under
``if cython.compiled:``.  :mod:`hanparse._impl` loads the compiled module,
or this file as ``hanparse.meters._walk_py`` for pure Python.

:func:`hanparse.meters.decode_notification` (and ``parse_frame``) validate
their options and hand the data-notification body to :func:`decode_parts`,
which

1. picks the layout and profile by content only (see
   :mod:`hanparse.meters._decode` for the layouts): push-object-list,
   positional value lists (the rows of :mod:`hanparse.meters._lists`,
   matched by :func:`match_list`), Kamstrup_V0001, scaler-less pair lists
   (``_profiles.PAIR_LISTS``, :func:`match_pairs`), or the generic walk (an
   unrecognised value list: raw values, profile "unknown" and a warning);
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
   implicit scaler (:class:`_Slot`, one per OBIS code and profile); text,
   clocks, floats and dates are converted in one place
   (``_Ctx.emit_other``);
3. builds the :class:`~hanparse.model.MeterInfo` and picks the timestamp.

The COSEM date-time decoder and the scaler are :mod:`hanparse._cosem`'s
(a C call when compiled; this file run as plain Python uses the plain-Python
``_cosem``, so each implementation is whole).

Caches (bounded, never depending on earlier frames' *meaning*): per profile
the scaling of each OBIS code; octet-string -> text conversions keyed by
the raw bytes (list ids, meter ids and model strings repeat in every
frame); MeterInfo objects keyed by their field tuple (they are immutable).

Model objects are built without running ``__init__``: compiled, by storing
straight into their slots (``_slots_c.pxd``); in plain Python by
``cls._make``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .. import registry as _registry
from ..cosem import UNITS, decode_date, decode_time
from ..dlms.types import Date, DateTime, Time
from ..errors import DecodeError
from ..model import Message, MeterInfo, Reading
from ..obis import Obis, _by_bytes
from . import _lists, _profiles

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # Cython is a build dependency only: plain Python without it
    from types import SimpleNamespace as _Namespace

    cython = _Namespace(compiled=False)

if cython.compiled:
    from cython.cimports.hanparse._cosem import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        apply_scaler,
        decode_datetime,
    )
    from cython.cimports.hanparse._slots_c import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        build,
        learn_slots,
    )
    from cython.cimports.hanparse.meters._walk_c import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        int_in,
        scale_exact,
    )
else:  # the plain-Python COSEM rules, whatever the process chose: this file is then the pure-Python engine
    from .. import _impl

    apply_scaler = _impl.pure("cosem").apply_scaler
    decode_datetime = _impl.pure("cosem").decode_datetime

if TYPE_CHECKING:
    from ._lists import ListLayout
    from ._options import Options
    from ._profiles import PairList, Profile

__all__ = ["MAX_DEPTH", "decode_hdlc_frame", "decode_message", "decode_parts",
           "is_scaler_unit", "match_list", "match_pairs", "new_message", "new_meter_info"]

#: containers nested deeper than this below the body are not searched
MAX_DEPTH = 8
_MAX_DEPTH = MAX_DEPTH

#: bound of every cache here (cleared when full: the working set is a few entries)
_CACHE_LIMIT = 256
_FACT_CACHE_LIMIT = 1024

_from_bytes = Obis.from_bytes
_interned = _by_bytes  # the Obis intern table: bytes -> Obis
_UNITS = tuple(UNITS)
_DateTime = DateTime
_Date = Date
_Time = Time
_make = Reading._make

_WARN_CLOCK = "date-time not specified or invalid"
_LDN = b"\x00\x00\x2a\x00\x00\xff"  # logical device name 0-0:42.0.0

# MeterInfo fields found in text readings: _Ctx.meta[M_*]
M_LIST_ID = 0
M_METER_ID = 1
M_METER_ID2 = 2
M_MODEL = 3
M_LDN = 4
_META_NAMES = {
    "list_version": M_LIST_ID,
    "meter_id": M_METER_ID,
    "equipment_id": M_METER_ID2,
    "meter_type": M_MODEL,
    "logical_device_name": M_LDN,
}

# layouts of a body
L_WALK = 0
L_PUSH = 1
L_POSITIONAL = 2
L_KAMSTRUP = 3

#: a scaler outside +-39 is applied from the Python int (``_Slot.scaler_obj``)
_BIG_SCALER = 1000


# ---------------------------------------------------------------------------
# The tables of hanparse.meters (_profiles, _lists), bound by _setup at the end of this module

_FLAG_IDS: Dict[str, str] = {}
_LIST_IDS: Tuple[Tuple[str, str, str], ...] = ()
_PROFILES: Dict[str, Profile] = {}
_KAMSTRUP_LIST_ID: Any = None
_KAMSTRUP_ORDER: Tuple[Obis, ...] = ()
_KAMSTRUP_FAMILIES: Dict[int, str] = {}
_TIME_DATE: Dict[str, Tuple[int, int]] = {}
_push_list_profile: Any = None
_quantity_of: Any = None
_describe: Any = None
_raw_value: Any = None
_position_obis: Any = None
#: element count -> ((row, checks), ...): the list table's rows, each field as a check for _fits
_ROWS_BY_COUNT: Dict[int, Tuple[Tuple[Any, Tuple[Any, ...]], ...]] = {}
#: (row, checks of its head) of every scaler-less pair list
_PAIR_ROWS: Tuple[Tuple[Any, Tuple[Any, ...]], ...] = ()
#: element counts of the list table's rows and of the pair lists (any other body matches none)
_MATCH_SIZES: frozenset[int] = frozenset()
#: list row name -> ((role, obis, _Slot with the row's scaling or None), ...)
_PLANS: Dict[str, Tuple[Tuple[int, Any, Any], ...]] = {}
# the roles (R_*) and tree kinds (K_*) of hanparse.meters._lists, bound by _setup
R_VALUE = R_ID = R_TEXT = R_NUMBER = R_TIME = R_DATE = R_SKIP = R_RAW = -1
K_ANY = K_INT = K_BYTES = K_TEXT = K_BOOL = K_ARRAY = K_ALL = -1


def _check(f: Any) -> Tuple[Any, ...]:
    """A list field as what :func:`_fits` reads: (kind, size, prefix, exact, prefix as text)."""
    return (f.kind, f.size, f.prefix, f.role == R_SKIP, None if f.prefix is None else f.prefix.decode("latin-1"))


def _setup() -> int:
    global _FLAG_IDS, _LIST_IDS, _PROFILES, _KAMSTRUP_LIST_ID, _KAMSTRUP_ORDER, _KAMSTRUP_FAMILIES
    global _TIME_DATE, _push_list_profile, _quantity_of, _describe, _raw_value, _position_obis
    global _ROWS_BY_COUNT, _PAIR_ROWS, _MATCH_SIZES
    global R_VALUE, R_ID, R_TEXT, R_NUMBER, R_TIME, R_DATE, R_SKIP, R_RAW
    global K_ANY, K_INT, K_BYTES, K_TEXT, K_BOOL, K_ARRAY, K_ALL
    R_VALUE, R_ID, R_TEXT, R_NUMBER = _lists.R_VALUE, _lists.R_ID, _lists.R_TEXT, _lists.R_NUMBER
    R_TIME, R_DATE, R_SKIP, R_RAW = _lists.R_TIME, _lists.R_DATE, _lists.R_SKIP, _lists.R_RAW
    K_ANY, K_INT, K_BYTES, K_TEXT = _lists.K_ANY, _lists.K_INT, _lists.K_BYTES, _lists.K_TEXT
    K_BOOL, K_ARRAY, K_ALL = _lists.K_BOOL, _lists.K_ARRAY, _lists.K_ALL
    _FLAG_IDS = _profiles.FLAG_IDS
    _LIST_IDS = tuple(_profiles.LIST_IDS)
    _PROFILES = _profiles.PROFILES
    _KAMSTRUP_LIST_ID = _profiles.KAMSTRUP_LIST_ID
    _KAMSTRUP_ORDER = tuple(_profiles.KAMSTRUP_ORDER)
    _KAMSTRUP_FAMILIES = _lists.KAMSTRUP_PROFILES
    _TIME_DATE = _lists.TIME_DATE
    _push_list_profile = _profiles.push_list_profile
    _quantity_of = _profiles.quantity_of
    _describe = _lists.describe
    _raw_value = _lists.raw_value
    _position_obis = _lists.position_obis
    by_count: Dict[int, Tuple[Tuple[Any, Tuple[Any, ...]], ...]] = {}
    for row in _lists.LISTS:
        by_count[len(row.fields)] = by_count.get(len(row.fields), ()) + ((row, tuple(map(_check, row.fields))),)
        _PLANS[row.name] = tuple([  # a value's _Slot carries the row's scaler and unit
            (f.role, f.obis, _Slot(f.obis, (f.scaler, f.unit), False) if f.role == R_VALUE and f.obis else None)
            for f in row.fields])
    _ROWS_BY_COUNT = by_count
    _PAIR_ROWS = tuple((row, tuple(map(_check, row.head))) for row in _profiles.PAIR_LISTS)
    _MATCH_SIZES = frozenset(_ROWS_BY_COUNT) | frozenset(row.size for row in _profiles.PAIR_LISTS)
    return 0


# ---------------------------------------------------------------------------
# Model objects

if not cython.compiled:  # compiled, the slot layouts of Reading, Message, MeterInfo are C structs (_meters.pxd)
    _R = _M = _I = None
if cython.compiled:
    learn_slots(Reading, cython.address(_R))
    learn_slots(Message, cython.address(_M))
    learn_slots(MeterInfo, cython.address(_I))


def _reading(obis: Any, value: Any, unit: Any, raw: Any) -> Reading:
    if cython.compiled:
        return build(cython.address(_R), obis, value, unit, None, None, raw, None)
    else:
        return _make(obis, value, unit, None, None, raw, None)


def _any_reading(obis: Any, value: Any, unit: Any, timestamp: Any, channel: Any, raw: Any, warning: Any) -> Reading:
    if cython.compiled:
        return build(cython.address(_R), obis, value, unit, timestamp, channel, raw, warning)
    else:
        return _make(obis, value, unit, timestamp, channel, raw, warning)


def new_message(format: str, meter: MeterInfo, timestamp: Any, readings: Tuple[Reading, ...], raw: bytes,
                encrypted: bool, security: Any) -> Message:
    """A :class:`Message` from ready parts (``readings`` a tuple, ``raw`` bytes); no checks."""
    if cython.compiled:
        return build(cython.address(_M), format, meter, timestamp, readings, raw, encrypted, security)
    else:
        return Message._make(format, meter, timestamp, readings, raw, encrypted, security)


def new_meter_info(manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str],
                   list_id: Optional[str], identification: Optional[str], system_title: Optional[bytes],
                   profile: Optional[str]) -> MeterInfo:
    """A :class:`MeterInfo` from ready parts; no checks."""
    if cython.compiled:
        return build(cython.address(_I), manufacturer, model, meter_id, list_id, identification, system_title,
                     profile)
    else:
        return MeterInfo._make(manufacturer, model, meter_id, list_id, identification, system_title, profile)


_INFOS: Dict[Tuple[Any, ...], MeterInfo] = {}
_LAST_INFO_KEY: Tuple[Any, ...] = (None, None, None, None, None, None)
_LAST_INFO: Any = None


def _meter_info(manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str], list_id: Optional[str],
                system_title: Optional[bytes], profile: str) -> MeterInfo:
    """The (shared, immutable) MeterInfo of these fields; identification is None for binary meters."""
    global _LAST_INFO_KEY, _LAST_INFO
    last = _LAST_INFO_KEY
    # the field texts come from caches: the same objects frame after frame
    if (_LAST_INFO is not None and last[0] is manufacturer and last[1] is model and last[2] is meter_id
            and last[3] is list_id and last[4] is system_title and last[5] is profile):
        return _LAST_INFO
    key = (manufacturer, model, meter_id, list_id, system_title, profile)
    info = _INFOS.get(key)
    if info is None:
        if len(_INFOS) >= _CACHE_LIMIT:
            _INFOS.clear()
        info = new_meter_info(manufacturer, model, meter_id, list_id, None, system_title, profile)
        _INFOS[key] = info
    _LAST_INFO_KEY = key
    _LAST_INFO = info
    return info


# ---------------------------------------------------------------------------
# Values


def _obis(raw: bytes) -> Obis:
    hit = _interned.get(raw)
    return hit if hit is not None else _from_bytes(raw)


def _is_obis(v: Any) -> bool:
    return type(v) is bytes and len(v) == 6


def is_scaler_unit(v: Any) -> bool:
    """True for a ``{scaler, unit}`` structure: two ints, the scaler an A-XDR integer (-128..127).

    The range check keeps hostile trees (``{long64, long64}``) from asking
    for ``10 ** (2 ** 63)``.
    """
    if type(v) is not tuple:
        return False
    t = v
    if len(t) != 2:
        return False
    s = t[0]
    return type(s) is int and type(t[1]) is int and _int_in(s, -128, 127)


def _unit(code: int) -> Optional[str]:
    """The symbol of a DLMS unit code (an int of any size), or None."""
    if _int_in(code, 0, 255):
        c = code
        return _UNITS[c]
    return None


def _int_in(v: int, lo: int, hi: int) -> bool:
    """``lo <= v <= hi`` for an int ``v`` of any size."""
    if cython.compiled:
        return int_in(v, lo, hi)
    else:
        return lo <= v <= hi


_TEXTS: Dict[bytes, Any] = {}  # raw octet-string -> its _text


def _text(v: Any) -> Any:
    """Octet-string identifiers as text (NUL padding stripped) when printable ASCII, else the bytes."""
    if type(v) is not bytes:  # a DateTime/bytearray: converted as is, not cached
        s = v.rstrip(b"\x00").decode("latin-1")
        return s if (s.isascii() and s.isprintable()) else v
    b = v
    hit = _TEXTS.get(b)
    if hit is not None:
        return hit
    s = b.rstrip(b"\x00").decode("latin-1")
    result = s if (s.isascii() and s.isprintable()) else b
    if len(b) <= 64:
        if len(_TEXTS) >= _CACHE_LIMIT:
            _TEXTS.clear()
        _TEXTS[b] = result
    return result


def _first_text(v: Any) -> Optional[str]:
    if type(v) is str:
        return v.rstrip("\x00")
    if type(v) is bytes:
        t = _text(v)
        return t if type(t) is str else None
    return None


# ---------------------------------------------------------------------------
# COSEM date-time and scaler: hanparse._cosem's (imported above) and the exact integer scaling

def _clock_valid(raw: Any) -> bool:
    """False when the clock status byte is given and has the invalid-value bit."""
    if raw is None or len(raw) != 12:
        return False
    status = raw[11]
    return status == 0xFF or not status & 0x01


def _scale(value: int, s: int, scaler_obj: Any) -> Any:
    """:func:`apply_scaler` of an int ``value`` and a non-zero scaler ``s`` (``_BIG_SCALER``: ``scaler_obj``)."""
    if s == _BIG_SCALER:
        return apply_scaler(value, scaler_obj)
    if cython.compiled:  # in C when the operands are exact doubles or the product fits: the same result
        r = scale_exact(value, s)
        if r is not None:
            return r
    return apply_scaler(value, s)


# ---------------------------------------------------------------------------
# Registry facts per OBIS code (the registry is static)

_META_FIELD: Dict[Obis, int] = {}
_IS_TEXT: Dict[Obis, bool] = {}


def _meta_field(obis: Obis) -> int:
    """Index (M_*) of the MeterInfo field a text reading of ``obis`` fills, or -1."""
    hit = _META_FIELD.get(obis)
    if hit is not None:
        return hit
    name = _registry.name_of(obis)
    field = -1 if name is None else _META_NAMES.get(name, -1)
    if len(_META_FIELD) < _FACT_CACHE_LIMIT:
        _META_FIELD[obis] = field
    return field


def _is_text(obis: Obis) -> bool:
    """Whether the registry says ``obis`` holds text."""
    hit = _IS_TEXT.get(obis)
    if hit is not None:
        return hit
    text = _registry.kind_of(obis) == "text"
    if len(_IS_TEXT) < _FACT_CACHE_LIMIT:
        _IS_TEXT[obis] = text
    return text


# ---------------------------------------------------------------------------
# Scaling: per profile, Obis -> (scaler, unit) filled lazily, and the same
# facts as ready-made _Slot objects keyed by Obis and by the 6 raw OBIS bytes
# (generic walks); positional lists have their own (_PLANS).


class _Slot:
    """The implicit scaling of one OBIS code under one profile, and its registry facts.

    ``texts`` (``strs``) caches the text Reading of an octet-string
    (visible-string) value by the value (identifiers repeat in every frame
    of a meter): a pure function of (OBIS code, value), bounded, and
    Readings are immutable.
    """

    __slots__ = ("obis", "unit", "scaler_obj", "scaler", "auto_v", "is_text", "meta_field", "clock_obis",
                 "bc_obis", "texts", "strs")
    obis: Obis
    unit: Optional[str]
    scaler_obj: Any
    scaler: int        # _BIG_SCALER: use scaler_obj
    auto_v: bool       # auto_voltage profile, unit V, scaler 0: tenths when >= 1000
    is_text: bool      # the registry says text
    meta_field: int    # MeterInfo field a text value fills (M_*), or -1
    clock_obis: bool   # 0-x:1.0.x: a 12-byte octet-string is a clock
    bc_obis: bool      # x-x:1.0.x: a valid clock here is the body clock
    texts: Dict[Any, Tuple[Reading, Any]]  # raw bytes -> (Reading, text)
    strs: Dict[Any, Tuple[Reading, Any]]   # visible-string -> (Reading, text) (apart: b"x" and "x" hash alike)

    def __init__(self, obis: Obis, pair: Tuple[Any, Optional[str]], auto_voltage: bool) -> None:
        self.obis = obis
        self.scaler_obj = pair[0]
        self.unit = pair[1]
        if type(self.scaler_obj) is int and -40 < self.scaler_obj < 40:
            self.scaler = self.scaler_obj
        else:
            self.scaler = _BIG_SCALER
        self.auto_v = auto_voltage and self.unit == "V" and self.scaler_obj == 0
        self.is_text = _is_text(obis)
        self.meta_field = _meta_field(obis)
        self.bc_obis = obis[2] == 1 and obis[3] == 0
        self.clock_obis = self.bc_obis and obis[0] == 0
        self.texts = {}
        self.strs = {}


class _Scaling:
    """The scaling of one profile (with the user's ``scalers`` overrides, if any)."""

    __slots__ = ("profile", "table", "overrides", "pscalers", "auto_voltage", "local_clock", "manufacturer",
                 "slots", "raw_slots")
    profile: Profile
    table: Dict[Obis, Tuple[Any, Optional[str]]]
    overrides: Optional[Dict[Obis, int]]
    pscalers: Dict[str, int]
    auto_voltage: bool
    local_clock: bool
    manufacturer: Optional[str]
    slots: Dict[Obis, _Slot]
    raw_slots: Dict[bytes, _Slot]

    def __init__(self, profile: Profile, overrides: Optional[Dict[Obis, int]]) -> None:
        self.profile = profile
        self.table = {}
        self.overrides = overrides
        self.pscalers = profile.scalers
        self.auto_voltage = bool(profile.auto_voltage)
        self.local_clock = bool(profile.local_clock)
        self.manufacturer = profile.manufacturer
        self.slots = {}
        self.raw_slots = {}

    def get(self, obis: Obis) -> Tuple[Any, Optional[str]]:
        """(scaler, unit) of ``obis``: the profile's implicit scaler for its quantity, or the override."""
        hit = self.table.get(obis)
        if hit is not None:
            return hit
        q = _quantity_of(obis)
        scaler = None
        unit = None
        if q is not None:
            scaler = self.pscalers.get(q[0])
            if scaler is not None:
                unit = q[1]
        if self.overrides and obis in self.overrides:
            scaler = self.overrides[obis]
            unit = q[1] if q is not None else _registry.unit_of(obis)
        result = (scaler if scaler is not None else 0, unit)
        if len(self.table) < _FACT_CACHE_LIMIT:
            self.table[obis] = result
        return result

    def slot(self, obis: Obis) -> _Slot:
        s = self.slots.get(obis)
        if s is None:
            s = _Slot(obis, self.get(obis), self.auto_voltage)
            if len(self.slots) < _FACT_CACHE_LIMIT:
                self.slots[obis] = s
        return s

    def raw_slot(self, raw: bytes) -> _Slot:
        s = self.raw_slots.get(raw)
        if s is None:
            s = self.slot(_obis(raw))
            if len(self.raw_slots) < _FACT_CACHE_LIMIT:
                self.raw_slots[raw] = s
        return s


_SCALINGS: Dict[str, _Scaling] = {}


def _scaling(profile: Profile, scalers: Any) -> _Scaling:
    if scalers:
        overrides = {Obis.coerce(k): int(v) for k, v in scalers.items()}
        return _Scaling(profile, overrides)
    s = _SCALINGS.get(profile.name)
    if s is None or s.profile is not profile:
        s = _Scaling(profile, None)
        _SCALINGS[profile.name] = s
    return s


# ---------------------------------------------------------------------------
# Per-message state and the readings


class _Ctx:
    """Per-message state: scaling, clock policy, collected readings and meter facts."""

    __slots__ = ("scaling", "local", "out", "loose", "meta", "bc_value", "bc_raw", "has_bc")
    scaling: _Scaling
    local: bool
    out: List[Reading]
    loose: Optional[List[Any]]  # top-level values without OBIS code (Netz NO meter id, L+G clock); None: none
    meta: List[Optional[str]]   # MeterInfo fields found in text readings, by M_* index (None: not seen)
    bc_value: Any               # the first valid clock object of the body: datetime and raw bytes
    bc_raw: Any
    has_bc: bool

    def text(self, obis: Obis, text: Any) -> int:
        """Append a text reading and note it when it names the meter."""
        self.out.append(_reading(obis, text, None, None))
        if type(text) is str:
            field = _meta_field(obis)
            if field >= 0 and self.meta[field] is None:
                self.meta[field] = text
        return 0

    def clock(self, obis: Obis, raw: Any, bc: int = -1) -> int:
        """The clock reading of 12 bytes; ``bc``: whether ``obis`` is x-x:1.0.x (-1: look)."""
        if type(raw) is not bytes:
            raw = bytes(raw)
        value = decode_datetime(raw, False, self.local)
        if value is None:
            self.out.append(_any_reading(obis, None, None, None, None, raw, _WARN_CLOCK))
            return 0
        self.out.append(_reading(obis, value, None, raw))
        if bc < 0:
            bc = obis[2] == 1 and obis[3] == 0
        if not self.has_bc and bc:
            self.has_bc = True
            self.bc_value = value
            self.bc_raw = raw
        return 0

    def emit_slot(self, slot: _Slot, value: Any) -> int:
        """The reading of ``value`` (any type) with the implicit scaling of ``slot``."""
        if type(value) is not int:
            if type(value) is bytes:
                return self.emit_bytes(slot, value)
            if type(value) is str:
                return self.emit_str(slot, value)
            return self.emit_other(slot.obis, value, None)
        s = slot.scaler
        if slot.auto_v and value >= 1000:
            s = -1
        if s == 0:
            self.out.append(_reading(slot.obis, value, slot.unit, None))
        else:
            self.out.append(_reading(slot.obis, _scale(value, s, slot.scaler_obj), slot.unit, value))
        return 0

    def emit_str(self, slot: _Slot, value: str) -> int:
        """:meth:`emit_other` of a str value (a visible-string), with the facts of ``slot``."""
        hit = slot.strs.get(value)
        if hit is not None:
            r = hit[0]
            text = hit[1]
        else:
            text = value.rstrip("\x00")
            r = _reading(slot.obis, text, None, None)
            if len(value) <= 64:
                if len(slot.strs) >= 8:
                    slot.strs.clear()
                slot.strs[value] = (r, text)
        self.out.append(r)
        field = slot.meta_field
        if field >= 0 and self.meta[field] is None:
            self.meta[field] = text
        return 0

    def emit_bytes(self, slot: _Slot, value: bytes) -> int:
        """:meth:`emit_other` of a plain bytes value, with the facts of ``slot``."""
        if len(value) == 12 and slot.clock_obis:
            return self.clock(slot.obis, value, 1)
        if not slot.is_text:
            self.out.append(_reading(slot.obis, value, None, None))
            return 0
        hit = slot.texts.get(value)
        if hit is not None:
            r = hit[0]
            text = hit[1]
        else:
            text = _text(value)
            r = _reading(slot.obis, text, None, None)
            if len(value) <= 64:
                if len(slot.texts) >= 8:
                    slot.texts.clear()
                slot.texts[value] = (r, text)
        self.out.append(r)
        field = slot.meta_field
        if field >= 0 and type(text) is str and self.meta[field] is None:
            self.meta[field] = text
        return 0

    def emit_su(self, obis: Obis, value: Any, su: Tuple[int, int]) -> int:
        """The reading of ``value`` (any type) with the frame's ``{scaler, unit}`` (checked by is_scaler_unit)."""
        if type(value) is not int:
            return self.emit_other(obis, value, su)
        s = su[0]
        unit = _unit(su[1])
        if s == 0:
            self.out.append(_reading(obis, value, unit, None))
        else:
            self.out.append(_reading(obis, _scale(value, s, None), unit, value))
        return 0

    def emit(self, obis: Obis, value: Any, su: Any) -> int:
        """Append the Reading for ``value`` of ``obis`` (``su``: frame scaler-unit or None)."""
        if su is not None:
            return self.emit_su(obis, value, su)
        return self.emit_slot(self.scaling.slot(obis), value)

    def emit_other(self, obis: Obis, value: Any, su: Any) -> int:
        """The reading of a value that is not an int: text, clock, float, date, time, container."""
        t = type(value)
        if value is None:
            unit = _unit(su[1]) if su is not None and _int_in(su[1], 0, 255) else self.scaling.get(obis)[1]
            self.out.append(_reading(obis, None, unit, None))
        elif t is str:
            self.text(obis, value.rstrip("\x00"))
        elif t is bytes or t is _DateTime:
            if len(value) == 12 and (t is _DateTime or (obis[2] == 1 and obis[3] == 0 and obis[0] == 0)):
                self.clock(obis, value)
            elif _is_text(obis):
                self.text(obis, _text(value))
            else:
                self.out.append(_reading(obis, bytes(value), None, None))
        elif t is float:
            if su is not None:
                scaler = su[0]
                unit = _unit(su[1])
            else:
                scaler, unit = self.scaling.get(obis)
            self.out.append(_reading(obis, apply_scaler(value, scaler), unit, value if scaler else None))
        elif t is _Date:
            self.out.append(_reading(obis, decode_date(value), None, bytes(value)))
        elif t is _Time:
            self.out.append(_reading(obis, decode_time(value), None, bytes(value)))
        else:
            if t is list:
                value = tuple(value)
            self.out.append(_reading(obis, value, None, None))
        return 0


def _new_ctx(scaling: _Scaling, local: bool) -> _Ctx:
    ctx = _Ctx.__new__(_Ctx)
    ctx.scaling = scaling
    ctx.local = local
    ctx.out = []
    ctx.loose = None
    ctx.meta = [None, None, None, None, None]
    ctx.bc_value = None
    ctx.bc_raw = None
    ctx.has_bc = False
    return ctx


# ---------------------------------------------------------------------------
# Walks


def _walk(ctx: _Ctx, node: Any, depth: int) -> int:
    """Generic walk of ``node`` (a tuple or list) at nesting ``depth`` (0 = the body)."""
    if depth > _MAX_DEPTH:
        return 0
    seq = node if type(node) is tuple else tuple(node)  # (an array is a list: read as a tuple)
    n = len(seq)
    i = 0
    while i < n:
        el = seq[i]
        if _is_obis(el) and i + 1 < n:
            value = seq[i + 1]
            i += 2
            if i < n:
                nxt = seq[i]
                if is_scaler_unit(nxt):
                    ctx.emit_su(_obis(el), value, nxt)
                    i += 1
                    continue
            ctx.emit_slot(ctx.scaling.raw_slot(el), value)
            continue
        i += 1
        t = type(el)
        if t is tuple or t is list:
            sub = el if t is tuple else tuple(el)
            m = len(sub)
            if m == 0:
                continue
            head = sub[0]
            if (m == 2 or m == 3) and _is_obis(head):
                if m == 3:
                    nxt = sub[2]
                    if is_scaler_unit(nxt):
                        ctx.emit_su(_obis(head), sub[1], nxt)
                    else:
                        _walk(ctx, sub, depth + 1)
                    continue
                ctx.emit_slot(ctx.scaling.raw_slot(head), sub[1])
                continue
            _walk(ctx, sub, depth + 1)
        elif depth == 0:
            if ctx.loose is None:
                ctx.loose = [el]
            else:
                ctx.loose.append(el)
    return 0


def _walk_kamstrup(ctx: _Ctx, body: Tuple[Any, ...]) -> int:
    """Kamstrup_V0001: ``list id, OBIS, value, OBIS, value ...``.

    The list id (no OBIS code) is reported as ``1-1:0.2.129``.  1-phase
    meters keep the 3-phase element count (25 or 35) and send ``00 00``
    (null OBIS, null value) for the missing phases: those pairs are named
    by their position in ``_profiles.KAMSTRUP_ORDER`` and reported with
    value None.  Nested containers are walked generically.
    """
    ctx.emit(_KAMSTRUP_LIST_ID, body[0], None)
    n = len(body)
    n_order = len(_KAMSTRUP_ORDER)
    positional = n == 25 or n == 35
    k = 0
    i = 1
    while i < n:
        el = body[i]
        if _is_obis(el) and i + 1 < n:
            ctx.emit_slot(ctx.scaling.raw_slot(el), body[i + 1])
            i += 2
        elif el is None and i + 1 < n and body[i + 1] is None:
            if positional and k < n_order:
                ctx.emit(_KAMSTRUP_ORDER[k], None, None)
            i += 2
        else:
            if (type(el) is tuple or type(el) is list) and len(el):
                _walk(ctx, el, 1)
            i += 1
            continue
        k += 1
    return 0


def _walk_list(ctx: _Ctx, body: Tuple[Any, ...], row: ListLayout, explicit: bool) -> int:
    """The readings of a positional list: element i as ``row.fields[i]`` says.

    ``explicit``: integers take the row's scaler and unit (False when a
    different profile is forced: then the profile's implicit scalers apply,
    as for any object); a ``scalers`` option for an OBIS code wins either
    way.  An empty octet-string is a placeholder (value None).
    """
    plan = _PLANS[row.name]
    n = min(len(body), len(plan))
    overrides = ctx.scaling.overrides
    for k in range(n):
        entry = plan[k]
        role = entry[0]
        obis = entry[1]
        v = body[k]
        if role == R_VALUE:
            if type(v) is int:
                if explicit and not (overrides and obis in overrides):
                    ctx.emit_slot(entry[2], v)
                    continue
            elif isinstance(v, bytes) and len(v) == 0:
                v = None
            ctx.emit(obis, v, None)
        elif role == R_ID or role == R_TEXT:
            text = _first_text(v)
            if text is None:
                ctx.out.append(_reading(obis, _raw_value(v), None, None))
            elif not text:
                ctx.out.append(_reading(obis, None, None, None))
            else:
                ctx.out.append(_reading(obis, text, None, None))
                if role == R_ID and ctx.meta[M_METER_ID] is None:
                    ctx.meta[M_METER_ID] = text
        elif role == R_NUMBER:
            ctx.out.append(_reading(obis, int.from_bytes(v, "big"), None, bytes(v)))
        elif role == R_TIME:
            ctx.out.append(_reading(obis, decode_time(v), None, bytes(v)))
        elif role == R_DATE:
            ctx.out.append(_reading(obis, decode_date(v), None, bytes(v)))
        elif role == R_RAW:
            ctx.out.append(_reading(_position_obis(k + 1), _raw_value(v), None, None))
    return 0


def _walk_raw(ctx: _Ctx, body: Tuple[Any, ...]) -> int:
    """An unrecognised value list: every element under its position marker, unscaled, no unit."""
    n = min(len(body), 65535)
    for k in range(n):
        ctx.out.append(_reading(_position_obis(k + 1), _raw_value(body[k]), None, None))
    return 0


def _walk_push_list(ctx: _Ctx, body: Tuple[Any, ...]) -> int:
    """Push-object-list: descriptor i describes body element i.

    Attribute 2 of every object but the push setup is a reading; attribute 3
    of a register (scaler_unit) scales it; attribute 5 of an extended
    register (capture_time) becomes its timestamp.
    """
    descriptors = body[0]
    n = min(len(descriptors), len(body))
    plan = []
    scaler_units = None
    capture = None
    for i in range(1, n):
        d = descriptors[i]
        if type(d) is not tuple or len(d) < 3:
            continue
        raw = d[1]
        if not _is_obis(raw):
            continue
        cls, attr = d[0], d[2]
        if attr == 2:
            if cls != 40:
                plan.append((i, _obis(raw)))
        elif attr == 3 and cls in (3, 4, 5) and is_scaler_unit(body[i]):
            if scaler_units is None:
                scaler_units = {}
            scaler_units[_obis(raw)] = body[i]
        elif attr == 5 and cls == 4:
            if capture is None:
                capture = {}
            capture[_obis(raw)] = body[i]
    if scaler_units is None and capture is None:
        for i, obis in plan:
            ctx.emit(obis, body[i], None)
        return 0
    out = ctx.out
    for i, obis in plan:
        ctx.emit(obis, body[i], scaler_units.get(obis) if scaler_units else None)
        ts = capture.get(obis) if capture else None
        if ts is not None and type(ts) in (bytes, _DateTime) and len(ts) == 12:
            r = out[len(out) - 1]
            out[len(out) - 1] = _any_reading(r._obis, r._value, r._unit, decode_datetime(ts, False, ctx.local),
                                             None, r._raw, r._warning)
    return 0


# ---------------------------------------------------------------------------
# Recognition: the list table's rows and the pair lists


def _fits(check: Tuple[Any, ...], v: Any) -> bool:
    """Whether ``v`` (an element of the decoded tree) is what a list field wants there.

    ``check`` is the field as :func:`_check` gives it: (kind, size, prefix,
    exact, prefix as text).  ``size`` -1: any length; ``prefix``: required
    leading bytes, or the whole value when ``exact`` (a ``skip`` field).
    """
    kind = check[0]
    size = check[1]
    t = type(v)
    if kind == K_INT:
        return t is int
    if kind == K_BYTES:
        if not isinstance(v, bytes):
            return False
        b = v if t is bytes else bytes(v)  # a DateTime/Date/Time: its octets
        if size >= 0 and len(b) != size:
            return False
        p = check[2]
        if p is None:
            return True
        return b == p if check[3] else b.startswith(p)
    if kind == K_TEXT:
        if t is str:
            s = v
            if size >= 0 and len(s.rstrip("\x00")) != size:
                return False
            return check[4] is None or s.startswith(check[4])
        if not isinstance(v, bytes):
            return False
        b = v if t is bytes else bytes(v)
        if size >= 0 and len(b.rstrip(b"\x00")) != size:
            return False
        return check[2] is None or b.startswith(check[2])
    if kind == K_BOOL:
        return t is bool
    if kind == K_ARRAY:
        return t is list
    if kind == K_ALL:
        return True
    return t is not list and t is not tuple  # K_ANY: any scalar


def match_list(body: Any) -> Tuple[Optional[ListLayout], Tuple[ListLayout, ...]]:
    """``(row, candidates)`` of the list table (:data:`hanparse.meters._lists.LISTS`) for a decoded body.

    ``row``: the one list whose every position fits (None when none or
    several do); ``candidates``: every row that fits (two or more: the
    body is ambiguous).  Only structures (tuples) are positional lists;
    the element count is checked first.
    """
    if type(body) is not tuple:
        return None, ()
    t = body
    rows = _ROWS_BY_COUNT.get(len(t))
    if rows is None:
        return None, ()
    found = []
    n = len(t)
    for entry in rows:
        checks = entry[1]
        for k in range(n):
            if not _fits(checks[k], t[k]):
                break
        else:
            found.append(entry[0])
    if len(found) == 1:
        return found[0], (found[0],)
    return None, tuple(found)


def match_pairs(body: Any) -> Optional[PairList]:
    """The ``_profiles.PAIR_LISTS`` row whose shape ``body`` has, or None.

    The head fields fit as in :func:`match_list`; then ``OBIS (09(6)),
    value (06)`` pairs to the end.
    """
    if type(body) is not tuple:
        return None
    t = body
    n = len(t)
    for entry in _PAIR_ROWS:
        row = entry[0]
        checks = entry[1]
        if n != row.size:
            continue
        h = len(checks)
        if (n - h) % 2:
            continue
        ok = True
        for k in range(h):
            if not _fits(checks[k], t[k]):
                ok = False
                break
        if ok:
            for k in range(h, n, 2):
                if not _is_obis(t[k]) or type(t[k + 1]) is not int:
                    ok = False
                    break
        if ok:
            return row
    return None


# ---------------------------------------------------------------------------
# Detection


def _is_push_list(body: Any) -> bool:
    if type(body) is not tuple or len(body) < 2:
        return False
    first = body[0]
    if type(first) is not list or not first:
        return False
    d = first[0]
    return type(d) is tuple and len(d) >= 4 and type(d[0]) is int and _is_obis(d[1]) and type(d[2]) is int


def _manufacturer_of(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    t = text.lstrip("0123456789")[:3]  # Kaifa AT meter ids: "1KFM..."
    return _FLAG_IDS.get(t.upper()) if len(t) == 3 else None


_LIST_MAKERS: Dict[str, Optional[str]] = {}


def _list_maker(list_id: str) -> Optional[str]:
    """The manufacturer of a list version identifier by its prefix (cached per list id), or None."""
    if list_id in _LIST_MAKERS:
        return _LIST_MAKERS[list_id]
    manufacturer = None
    for prefix, maker, _p in _LIST_IDS:
        if list_id.startswith(prefix):
            manufacturer = maker
            break
    if len(_LIST_MAKERS) >= _CACHE_LIMIT:
        _LIST_MAKERS.clear()
    _LIST_MAKERS[list_id] = manufacturer
    return manufacturer


def _kamstrup_profile(country: Optional[str], energy_scaler: Optional[int], count: int) -> str:
    """The Kamstrup profile of a list of ``count`` elements: family by count, energy unit by the options."""
    if energy_scaler is None:
        wh = (country or "").upper() == "SE"
    else:
        wh = energy_scaler == 0
    family = _KAMSTRUP_FAMILIES.get(count)
    if family is not None:
        return family + "_wh" if wh else family
    return "kamstrup_se" if wh else "kamstrup_no"


def _find_list_id(body: Any) -> Optional[str]:
    """The value of the list version object (x-x:0.2.129) near the start of the body."""
    tb = type(body)
    if (tb is not tuple and tb is not list) or not body:
        return None
    # register triplets: first element {OBIS, value}; flat pairs: OBIS, value
    first = body[0]
    if type(first) is tuple and len(first) >= 2 and _is_obis(first[0]):
        obis, value = first[0], first[1]
    elif len(body) >= 2 and _is_obis(first):
        obis, value = first, body[1]
    else:
        return None
    b = obis
    if b[2] == 0 and b[3] == 2 and b[4] == 0x81:
        return _first_text(value)
    return None


# ---------------------------------------------------------------------------
# Entry points


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
    return _decode_parts(body, clock, system_title, opts)


def decode_message(format: str, body: Any, clock: Any, system_title: Optional[bytes], opts: Options, raw: bytes,
                   security: Any) -> Message:
    """The :class:`Message` of a data-notification: :func:`decode_parts` and :func:`new_message` in one call.

    ``opts`` is a validated :class:`hanparse.meters.Options`; the message
    is encrypted when ``security`` (its SecurityInfo) is not None.
    """
    parts = _decode_parts(body, clock, system_title, opts)
    msg = new_message(format, parts[0], parts[1], parts[2], raw, security is not None, security)
    warnings = parts[3]
    if warnings:
        msg._warnings = warnings
    return msg


def decode_hdlc_frame(data: Any, hdlc_parse: Any, decode_data_notification: Any, opts: Options) -> Optional[Message]:
    """The Message of ``data`` when it is one unsegmented HDLC frame holding LLC + a clear data-notification.

    None for anything else (the caller takes its general path, which makes
    the same calls).  ``hdlc_parse`` and ``decode_data_notification`` are the
    functions of the selected core and dlms twins; their errors propagate.
    """
    if type(data) is not bytes:
        return None
    b = data
    n = len(b)
    if n < 8 or b[0] != 0x7E:
        return None
    r = hdlc_parse(b, 0)
    if type(r) is not tuple:
        return None
    f = r
    if len(f) < 10 or not f[1] or f[2] or f[0] + 1 != n:
        return None
    i0 = f[8]
    i1 = f[9]
    # LLC E6 E7 00 (or E6 E6 00), then the data-notification tag 0F
    if not (0 <= i0 and i1 <= n and i1 - i0 > 3 and b[i0] == 0xE6 and (b[i0 + 1] == 0xE7 or b[i0 + 1] == 0xE6)
            and b[i0 + 2] == 0 and b[i0 + 3] == 0x0F):
        return None
    dn = decode_data_notification(b, i0 + 3, i1)
    if type(dn) is not tuple or len(dn) != 4 or dn[3] != i1:
        return None
    parts = _decode_parts(dn[2], dn[1], None, opts)
    msg = new_message("hdlc", parts[0], parts[1], parts[2], b, False, None)
    warnings = parts[3]
    if warnings:
        msg._warnings = warnings
    return msg


def _decode_parts(body: Any, clock: Any, system_title: Optional[bytes],
                  opts: Options) -> Tuple[MeterInfo, Any, Tuple[Reading, ...], Optional[Tuple[str, ...]]]:
    if not isinstance(opts, tuple) or len(opts) != 5:
        raise TypeError("opts must be a hanparse.meters.Options")
    # unpacked once: indexing an Options (a tuple subclass) goes through __getitem__
    country, energy_scaler, scalers, forced, local_opt = opts
    tb = type(body)
    if (tb is not tuple and tb is not list and body is not None
            and not isinstance(body, (tuple, list, int, float, str, bytes, bool))):
        raise DecodeError("notification body is not an A-XDR Data tree: %s" % type(body).__name__)
    st_maker = None
    if system_title:
        try:
            st_text = bytes(system_title[:3]).decode("ascii")
        except (UnicodeDecodeError, TypeError):
            st_text = None
        st_maker = _FLAG_IDS.get(st_text.upper()) if st_text else None

    # --- pick layout and profile -------------------------------------------
    layout = L_WALK
    row = None
    candidates: Tuple[ListLayout, ...] = ()
    profile_name = "generic"
    first = body[0] if (tb is tuple or tb is list) and body else None
    if tb is tuple and _is_push_list(body):
        layout = L_PUSH
        ldn = None
        for d, v in zip(body[0], body):
            if type(d) is tuple and len(d) >= 3 and d[1] == _LDN and d[2] == 2:
                ldn = _first_text(v)
        maker = _manufacturer_of(ldn) or st_maker
        profile_name = _push_list_profile(maker, body[0])
    else:
        sized = tb is tuple and len(body) in _MATCH_SIZES  # only bodies of these counts can fit a row
        if sized:
            row, candidates = match_list(body)
            if row is None and len(candidates) > 1 and forced is not None:
                for c in candidates:  # an ambiguous list: the user chose one
                    if c.profile == forced:
                        row = c
                        break
        if row is not None:
            layout = L_POSITIONAL
            profile_name = row.profile
        elif candidates:
            pass  # ambiguous: reported below as not recognised
        elif tb is tuple and type(first) is str and first.startswith("Kamstrup_"):
            layout = L_KAMSTRUP
            profile_name = _kamstrup_profile(country, energy_scaler, len(body))
        else:
            pairs = match_pairs(body) if sized else None
            if pairs is not None:
                profile_name = pairs.profile
            else:
                list_id = _find_list_id(body)
                if list_id is not None:
                    for prefix, _maker, pname in _LIST_IDS:
                        if list_id.startswith(prefix):
                            if pname == "kamstrup_no":  # the family and energy unit by count and options
                                pname = _kamstrup_profile(country, energy_scaler, len(body))
                            profile_name = pname
                            break
                elif st_maker == "Landis+Gyr":
                    profile_name = "landis_gyr"
                elif st_maker == "Kamstrup":
                    profile_name = _kamstrup_profile(country, energy_scaler, len(body))
    if forced is not None:
        if forced not in _PROFILES:
            raise ValueError("unknown meter profile %r" % (forced,))
        profile_name = forced
    scaling = _scaling(_PROFILES[profile_name], scalers)
    local = bool(scaling.local_clock if local_opt is None else local_opt)
    ctx = _new_ctx(scaling, local)

    # --- readings ------------------------------------------------------------
    warnings = None
    if layout == L_PUSH:
        _walk_push_list(ctx, body)
    elif layout == L_POSITIONAL:
        _walk_list(ctx, body, row, forced is None or forced == row.profile)  # type: ignore[arg-type, union-attr]
    elif layout == L_KAMSTRUP:
        _walk_kamstrup(ctx, body)
    elif tb is tuple or tb is list:
        if not candidates:
            _walk(ctx, body, 0)
        if tb is tuple and not ctx.out and len(body):  # a value list no row knows (or several do): raw, and say so
            _walk_raw(ctx, body)
            warnings = (_describe(body, candidates),)
            if forced is None:
                profile_name = "unknown"
    readings = tuple(ctx.out)

    # --- meter info and timestamp -------------------------------------------
    meta = ctx.meta
    if layout == L_KAMSTRUP and meta[M_METER_ID] is None:
        for r in ctx.out:  # Omnipower "meter number 1" (1-1:0.0.1) is sent as an integer
            o_ = r._obis
            if o_[0] == 1 and o_[2] == 0 and o_[3] == 0 and type(r._value) is int:
                meta[M_METER_ID] = str(r._value)
                break
    timestamp = None
    tc = type(clock)
    if clock is not None and (tc is bytes or tc is _DateTime or tc is bytearray) and len(clock) == 12:
        if _clock_valid(clock):
            if ctx.has_bc and ctx.bc_raw == clock:  # Kaifa, Kamstrup: the same clock in header and body
                timestamp = ctx.bc_value
            else:
                timestamp = decode_datetime(clock, False, local)
    elif ctx.has_bc and _clock_valid(ctx.bc_raw):
        timestamp = ctx.bc_value
    if timestamp is None and row is not None:
        td = _TIME_DATE.get(row.name)
        if td is not None:  # local time and date elements (Kärnten Netz, Wels, HEP)
            t, d = decode_time(body[td[0]]), decode_date(body[td[1]])
            if d is not None and t is not None:
                timestamp = _dt.datetime.combine(d, t)

    list_id = meta[M_LIST_ID]
    meter_id = meta[M_METER_ID] or meta[M_METER_ID2] or meta[M_LDN]
    if ctx.loose is not None:
        loose_clock = None
        for el in ctx.loose:
            if (type(el) in (bytes, _DateTime) and len(el) == 12 and el[2] <= 12
                    and decode_datetime(el, False, False) is not None):
                loose_clock = el  # L+G flat lists open with a bare clock
            elif meter_id is None:
                text = _first_text(el)
                if text and len(text) >= 6:
                    meter_id = text  # Netz NO: meter id as a bare octet-string at the end
        if timestamp is None and clock is None and loose_clock is not None and _clock_valid(loose_clock):
            timestamp = decode_datetime(loose_clock, False, local)
    manufacturer = _list_maker(list_id) if list_id else None
    if manufacturer is None:
        manufacturer = (st_maker or _manufacturer_of(meta[M_LDN]) or _manufacturer_of(meta[M_METER_ID])
                        or _manufacturer_of(meta[M_METER_ID2]) or scaling.manufacturer)
    info = _meter_info(manufacturer, meta[M_MODEL], meter_id, list_id,
                       bytes(system_title) if system_title else None, profile_name)
    return info, timestamp, readings, warnings


_setup()
