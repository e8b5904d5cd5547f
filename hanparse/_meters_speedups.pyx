# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled twin of ``_meters_purepy``: the meters layer's decoding core.

Same names, results and errors as the pure-Python module; see its
docstring for what :func:`decode_parts` does (layout and profile
detection, the walks, MeterInfo and timestamp).

Where the time goes, and what this module does about it (CPython 3.11):

* A Reading per value.  :class:`hanparse.model.Reading` stays one plain
  slotted class for both implementations (so equality, pickling, repr and
  read-only properties are the same object model whichever twin runs).
  ``Reading._make`` called from Python costs about 240 ns; here the slots
  are filled directly (``_slots.pxi``, shared with ``_dsmr_speedups``:
  slot offsets learned once at import, instance from
  ``PyType_GenericAlloc``, seven stores -- about 40 ns), falling back to
  ``Reading._make`` if the layout is not what is expected.  ``Message``
  and ``MeterInfo`` are built the same way.
* Per-message state (``_Ctx``) is a C struct-like extension type; the
  profile facts (implicit scalers, clock policy, manufacturer) are read
  once per profile into a cached ``_Scaling``.
* Integer values (nearly every value of a list) are scaled inline: frame
  ``{scaler, unit}`` or the profile table, with the same arithmetic as
  :func:`hanparse.cosem.apply_scaler` (``value * 10**s`` or one correctly
  rounded ``value / 10**-s``).
* COSEM date-times become datetimes straight from the 12 bytes through the
  datetime C API (same rules as :func:`hanparse.cosem.decode_datetime`,
  non-strict); octet-string texts (list id, meter id, model) are cached by
  their raw bytes, MeterInfo objects by their field tuple (both bounded,
  as in the pure twin).
"""

from cpython.object cimport PyObject
from cpython.dict cimport PyDict_GetItem
from cpython.bytes cimport PyBytes_GET_SIZE, PyBytes_AS_STRING
from cpython.list cimport PyList_Append, PyList_AsTuple
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.long cimport PyLong_AsLong, PyLong_AsLongAndOverflow, PyLong_FromLongLong
from cpython.float cimport PyFloat_FromDouble
from cpython.sequence cimport PySequence_Fast_GET_SIZE, PySequence_Fast_ITEMS
from cpython.datetime cimport import_datetime, datetime_new

import datetime as _dt

from hanparse import registry as _registry
from hanparse.cosem import (UNITS as _UNITS_T, apply_scaler, decode_date, decode_datetime, decode_time,
                            timezone_for_deviation)
from hanparse.dlms.types import Date, DateTime, Time
from hanparse.errors import DecodeError
from hanparse.model import Message, MeterInfo, Reading
from hanparse.obis import Obis, _by_bytes

__all__ = ["MAX_DEPTH", "decode_hdlc_frame", "decode_message", "decode_parts", "is_scaler_unit", "new_message", "new_meter_info"]

import_datetime()


#: containers nested deeper than this below the body are not searched
MAX_DEPTH = 8
cdef enum:
    _MAX_DEPTH = 8
    _CACHE_LIMIT = 256
    _FACT_CACHE_LIMIT = 1024

cdef object _from_bytes = Obis.from_bytes
cdef dict _interned = _by_bytes
cdef tuple _UNITS = tuple(_UNITS_T)
cdef tuple _POW10 = tuple(10 ** i for i in range(40))
cdef object _DateTime = DateTime
cdef object _Date = Date
cdef object _Time = Time

# The profile tables (hanparse.meters._profiles) are bound on first use:
# this module is imported while hanparse._impl chooses the implementation,
# before the hanparse.meters package can be imported.
P = None
cdef bint _ready = False
cdef dict _FLAG_IDS
cdef tuple _LIST_IDS
cdef dict _PROFILES
cdef object _KAMSTRUP_LIST_ID
cdef tuple _KAMSTRUP_ORDER
# the list table (hanparse.meters._lists): its matcher and helpers are shared with the pure twin
cdef object _match
cdef object _push_list_profile
cdef frozenset _MATCH_SIZES  # element counts of the list table's rows and of the pair lists
cdef dict _ROWS_BY_COUNT  # element count -> ((row, ((kind, size, prefix, exact, text_prefix), ...)), ...)
cdef object _match_pairs
cdef object _describe
cdef object _raw_value
cdef object _position_obis
cdef dict _TIME_DATE
cdef dict _KAMSTRUP_FAMILIES
cdef dict _PLANS = {}  # list row name -> tuple of (role, obis, _Slot with the row's scaling)


# the roles of hanparse.meters._lists (R_*)
cdef enum:
    R_VALUE = 0
    R_ID = 1
    R_TEXT = 2
    R_NUMBER = 3
    R_TIME = 4
    R_DATE = 5
    R_SKIP = 6
    R_RAW = 7


cdef int _setup() except -1:
    global P, _ready, _FLAG_IDS, _LIST_IDS, _PROFILES, _KAMSTRUP_LIST_ID
    global _KAMSTRUP_ORDER, _match, _match_pairs, _describe, _raw_value, _position_obis, _TIME_DATE
    global _KAMSTRUP_FAMILIES, _push_list_profile, _MATCH_SIZES, _ROWS_BY_COUNT
    from hanparse.meters import _lists, _profiles
    P = _profiles
    _FLAG_IDS = _profiles.FLAG_IDS
    _push_list_profile = _profiles.push_list_profile
    _LIST_IDS = tuple(_profiles.LIST_IDS)
    _PROFILES = _profiles.PROFILES
    _KAMSTRUP_LIST_ID = _profiles.KAMSTRUP_LIST_ID
    _KAMSTRUP_ORDER = tuple(_profiles.KAMSTRUP_ORDER)
    _match = _lists.match
    # the list table's recognition, precompiled for _row_match (same facts, read from _lists.LISTS)
    _ROWS_BY_COUNT = {}
    for lrow in _lists.LISTS:
        checks = tuple((f.kind, f.size, f.prefix, f.role == _lists.R_SKIP,
                        None if f.prefix is None else f.prefix.decode("latin-1")) for f in lrow.fields)
        _ROWS_BY_COUNT[len(checks)] = _ROWS_BY_COUNT.get(len(checks), ()) + ((lrow, checks),)
    _MATCH_SIZES = frozenset(_lists.sizes()) | frozenset(row.size for row in _profiles.PAIR_LISTS)
    _match_pairs = _profiles.match_pairs
    _describe = _lists.describe
    _raw_value = _lists.raw_value
    _position_obis = _lists.position_obis
    _TIME_DATE = _lists.TIME_DATE
    _KAMSTRUP_FAMILIES = _lists.KAMSTRUP_PROFILES
    for row in _lists.LISTS:  # precompiled: one _Slot per value position
        _PLANS[row.name] = tuple([
            (f.role, f.obis, _Slot(f.obis, (f.scaler, f.unit), False) if f.role == R_VALUE else None)
            for f in row.fields])
    _ready = True
    return 0

cdef str _WARN_CLOCK = "date-time not specified or invalid"
cdef bytes _LDN = b"\x00\x00\x2a\x00\x00\xff"


# ---------------------------------------------------------------------------
# Direct slot filling of the model classes (shared with _dsmr_speedups)

include "_slots.pxi"

cdef _SlotLayout _R = _learn_slots(Reading)
cdef _SlotLayout _M = _learn_slots(Message)
cdef _SlotLayout _I = _learn_slots(MeterInfo)


cdef inline object _reading(object obis, object value, object unit, object raw):
    return _build(_R, obis, value, unit, None, None, raw, None)


def new_message(format, meter, timestamp, readings, raw, encrypted, security):
    """A :class:`Message` from ready parts (``readings`` a tuple, ``raw`` bytes); no checks."""
    return _build(_M, format, meter, timestamp, readings, raw, encrypted, security)


def new_meter_info(manufacturer, model, meter_id, list_id, identification, system_title, profile):
    """A :class:`MeterInfo` from ready parts; no checks."""
    return _build(_I, manufacturer, model, meter_id, list_id, identification, system_title, profile)


cdef dict _INFOS = {}
cdef tuple _LAST_INFO_KEY = (None, None, None, None, None, None)
cdef object _LAST_INFO = None


cdef object _meter_info(object manufacturer, object model, object meter_id, object list_id, object system_title,
                        object profile):
    """The (shared, immutable) MeterInfo of these fields; identification is None for binary meters."""
    global _LAST_INFO_KEY, _LAST_INFO
    cdef tuple last = _LAST_INFO_KEY
    # the field texts come from caches: the same objects frame after frame
    if (_LAST_INFO is not None and <object>PyTuple_GET_ITEM(last, 0) is manufacturer
            and <object>PyTuple_GET_ITEM(last, 1) is model and <object>PyTuple_GET_ITEM(last, 2) is meter_id
            and <object>PyTuple_GET_ITEM(last, 3) is list_id and <object>PyTuple_GET_ITEM(last, 4) is system_title
            and <object>PyTuple_GET_ITEM(last, 5) is profile):
        return _LAST_INFO
    cdef tuple key = (manufacturer, model, meter_id, list_id, system_title, profile)
    cdef PyObject* hit = PyDict_GetItem(_INFOS, key)
    if hit != NULL:
        _LAST_INFO_KEY = key
        _LAST_INFO = <object>hit
        return <object>hit
    if len(_INFOS) >= _CACHE_LIMIT:
        _INFOS.clear()
    info = new_meter_info(manufacturer, model, meter_id, list_id, None, system_title, profile)
    _INFOS[key] = info
    _LAST_INFO_KEY = key
    _LAST_INFO = info
    return info


# ---------------------------------------------------------------------------
# Values

cdef inline object _obis(object raw):
    cdef PyObject* hit = PyDict_GetItem(_interned, raw)
    if hit != NULL:
        return <object>hit
    return _from_bytes(raw)


cdef inline bint _is_obis(object v):
    return type(v) is bytes and PyBytes_GET_SIZE(v) == 6


cdef dict _TEXTS = {}


cdef object _text(object v):
    """Octet-string identifiers as text (NUL padding stripped) when printable ASCII, else the bytes."""
    cdef PyObject* hit
    if type(v) is not bytes:  # a DateTime/bytearray: converted as is, not cached
        s = v.rstrip(b"\x00").decode("latin-1")
        return s if (s.isascii() and s.isprintable()) else v
    hit = PyDict_GetItem(_TEXTS, v)
    if hit != NULL:
        return <object>hit
    s = (<bytes>v).rstrip(b"\x00").decode("latin-1")
    result = s if (s.isascii() and s.isprintable()) else v
    if PyBytes_GET_SIZE(v) <= 64:
        if len(_TEXTS) >= _CACHE_LIMIT:
            _TEXTS.clear()
        _TEXTS[v] = result
    return result


cdef object _first_text(object v):
    if type(v) is str:
        return (<str>v).rstrip("\x00")
    if type(v) is bytes:
        t = _text(v)
        return t if type(t) is str else None
    return None


cdef dict _TZ = {}


cdef object _tz(int dev):
    cdef PyObject* hit = PyDict_GetItem(_TZ, dev)
    if hit != NULL:
        return <object>hit
    tz = timezone_for_deviation(dev)
    if len(_TZ) < 64:
        _TZ[dev] = tz
    return tz


cdef object _datetime_c(const unsigned char* b, bint ignore_deviation):
    """:func:`hanparse.cosem.decode_datetime` (non-strict) of 12 bytes."""
    cdef int year = (b[0] << 8) | b[1]
    cdef int month = b[2]
    cdef int day = b[3]
    cdef int hour = b[5]
    cdef int minute = b[6]
    cdef int second, hundredths, dev
    if year == 0xFFFF or month >= 0xFD or day >= 0xFD:
        return None  # a recurring date (wildcards) or garbage: not an instant
    if hour == 0xFF or minute == 0xFF:
        return None
    second = b[7]
    if second == 0xFF:
        second = 0
    hundredths = b[8]
    if hundredths == 0xFF:
        hundredths = 0
    elif hundredths > 99:
        return None
    dev = (b[9] << 8) | b[10]
    tz = None
    if dev != 0x8000 and not ignore_deviation:
        if dev > 0x7FFF:
            dev -= 0x10000
        if not -900 <= dev <= 900:
            return None
        tz = _tz(dev)
    try:
        return datetime_new(year, month, day, hour, minute, second, hundredths * 10000, tz)
    except ValueError:
        return None


cdef object _datetime(object raw, bint ignore_deviation):
    """decode_datetime(raw, ignore_deviation=...) for 12 raw bytes (any bytes-like)."""
    if isinstance(raw, bytes):
        if PyBytes_GET_SIZE(raw) != 12:
            return None
        return _datetime_c(<const unsigned char*>PyBytes_AS_STRING(raw), ignore_deviation)
    return decode_datetime(raw, ignore_deviation=ignore_deviation)


cdef inline bint _clock_valid(object raw) except -1:
    """False when the clock status byte is given and has the invalid-value bit."""
    cdef unsigned char st
    if isinstance(raw, bytes):  # bytes, DateTime
        if PyBytes_GET_SIZE(raw) != 12:
            return False
        st = (<const unsigned char*>PyBytes_AS_STRING(raw))[11]
        return st == 0xFF or not st & 0x01
    if raw is None or len(raw) != 12:
        return False
    status = raw[11]
    return status == 0xFF or not status & 0x01


# ---------------------------------------------------------------------------
# Registry facts per OBIS code (the registry is static)

cdef dict _META_NAMES = {
    "list_version": 0,
    "meter_id": 1,
    "equipment_id": 2,
    "meter_type": 3,
    "logical_device_name": 4,
}
cdef enum:
    M_LIST_ID = 0
    M_METER_ID = 1
    M_METER_ID2 = 2
    M_MODEL = 3
    M_LDN = 4

cdef dict _META_FIELD = {}
cdef dict _IS_TEXT = {}


cdef int _meta_field(object obis) except -2:
    """Index of the MeterInfo field a text reading of ``obis`` fills, or -1."""
    cdef PyObject* hit = PyDict_GetItem(_META_FIELD, obis)
    if hit != NULL:
        return <int><object>hit
    name = _registry.name_of(obis)
    field = -1 if name is None else _META_NAMES.get(name, -1)
    if len(_META_FIELD) < _FACT_CACHE_LIMIT:
        _META_FIELD[obis] = field
    return field


cdef bint _is_text(object obis) except -1:
    """Whether the registry says ``obis`` holds text."""
    cdef PyObject* hit = PyDict_GetItem(_IS_TEXT, obis)
    if hit != NULL:
        return <object>hit is True
    text = _registry.kind_of(obis) == "text"
    if len(_IS_TEXT) < _FACT_CACHE_LIMIT:
        _IS_TEXT[obis] = text
    return text


# ---------------------------------------------------------------------------
# Scaler resolution: per profile, Obis -> (scaler, unit) filled lazily, and
# the same facts as ready-made _Slot objects keyed by Obis, by the 6 raw
# OBIS bytes (generic walks); positional lists have their own (_PLANS).

cdef enum:
    _BIG_SCALER = 1000  # scaler outside +-39: apply_scaler with the Python int


cdef class _Slot:
    """The implicit scaling of one OBIS code under one profile, and its registry facts.

    ``texts`` (``strs``) caches the text Reading of an octet-string
    (visible-string) value by the value (identifiers repeat in every frame
    of a meter): a pure function of (OBIS code, value), bounded, and
    Readings are immutable.
    """
    cdef object obis
    cdef object unit
    cdef object scaler_obj
    cdef long scaler      # _BIG_SCALER: use scaler_obj
    cdef bint auto_v      # auto_voltage profile, unit V, scaler 0: tenths when >= 1000
    cdef bint is_text     # the registry says text
    cdef int meta_field   # MeterInfo field a text value fills (M_*), or -1
    cdef bint clock_obis  # 0-x:1.0.x: a 12-byte octet-string is a clock
    cdef bint bc_obis     # x-x:1.0.x: a valid clock here is the body clock
    cdef dict texts       # raw bytes -> (Reading, text)
    cdef dict strs        # visible-string -> (Reading, text) (apart: b"x" and "x" hash alike)

    def __cinit__(self, obis, tuple pair, bint auto_voltage):
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


cdef class _Scaling:
    cdef object profile
    cdef dict table
    cdef object overrides
    cdef dict pscalers
    cdef bint auto_voltage
    cdef bint local_clock
    cdef object manufacturer
    cdef dict slots       # Obis -> _Slot
    cdef dict raw_slots   # 6 raw bytes -> _Slot

    def __cinit__(self, profile, overrides):
        self.profile = profile
        self.table = {}
        self.overrides = overrides
        self.pscalers = profile.scalers
        self.auto_voltage = bool(profile.auto_voltage)
        self.local_clock = bool(profile.local_clock)
        self.manufacturer = profile.manufacturer
        self.slots = {}
        self.raw_slots = {}

    cdef tuple get(self, object obis):
        cdef PyObject* hit = PyDict_GetItem(self.table, obis)
        if hit != NULL:
            return <tuple><object>hit
        q = P.quantity_of(obis)
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
        if len(self.table) < 1024:
            self.table[obis] = result
        return result

    cdef _Slot slot(self, object obis):
        cdef PyObject* hit = PyDict_GetItem(self.slots, obis)
        if hit != NULL:
            return <_Slot>hit
        s = _Slot(obis, self.get(obis), self.auto_voltage)
        if len(self.slots) < 1024:
            self.slots[obis] = s
        return s

    cdef _Slot raw_slot(self, object raw):
        cdef PyObject* hit = PyDict_GetItem(self.raw_slots, raw)
        if hit != NULL:
            return <_Slot>hit
        s = self.slot(_obis(raw))
        if len(self.raw_slots) < 1024:
            self.raw_slots[raw] = s
        return s


cdef dict _SCALINGS = {}


cdef _Scaling _scaling(object profile, object scalers):
    if scalers:
        overrides = {Obis.coerce(k): int(v) for k, v in scalers.items()}
        return _Scaling(profile, overrides)
    name = profile.name
    cdef PyObject* hit = PyDict_GetItem(_SCALINGS, name)
    if hit != NULL and (<_Scaling>hit).profile is profile:
        return <_Scaling>hit
    s = _Scaling(profile, None)
    _SCALINGS[name] = s
    return s


cdef inline object _scale_c(object value, long s, object scaler_obj):
    """apply_scaler(value, scaler) for an int ``value`` and a non-zero scaler."""
    if s >= 40 or s <= -40:  # _BIG_SCALER, or a frame scaler beyond the table
        return apply_scaler(value, scaler_obj if s == _BIG_SCALER else s)
    if s > 0:
        return value * <object>PyTuple_GET_ITEM(_POW10, s)
    return value / <object>PyTuple_GET_ITEM(_POW10, -s)


cdef double _P10D[23]
cdef long long _P10L[10]
cdef int _i10
for _i10 in range(23):
    _P10D[_i10] = 10.0 ** _i10   # 10**0 .. 10**22: exact doubles
_P10L[0] = 1
for _i10 in range(1, 10):
    _P10L[_i10] = _P10L[_i10 - 1] * 10


cdef inline object _scale_l(object value, long long v, long s, object scaler_obj):
    """:func:`_scale_c` for an int ``value`` that is ``v`` in C.

    With ``|v| <= 2**53`` and ``10**-s <= 10**22`` both operands are exact
    doubles, so one IEEE division is the correctly rounded quotient: the
    very float ``value / 10**-s`` gives in Python.  Products that fit in 64
    bits are exact too.  Anything else goes through :func:`_scale_c`.
    """
    if s < 0:
        if s >= -22 and -9007199254740992 <= v <= 9007199254740992:
            return PyFloat_FromDouble(<double>v / _P10D[-s])
    elif s <= 9 and -2147483648 < v < 2147483648:
        return PyLong_FromLongLong(v * _P10L[s])
    return _scale_c(value, s, scaler_obj)


cdef inline bint _su(object v) except -1:
    """{scaler, unit}: two ints, the scaler an A-XDR integer (-128..127)."""
    cdef int overflow
    cdef long sc
    if type(v) is not tuple or PyTuple_GET_SIZE(v) != 2:
        return False
    s = <object>PyTuple_GET_ITEM(v, 0)
    if type(s) is not int or type(<object>PyTuple_GET_ITEM(v, 1)) is not int:
        return False
    sc = PyLong_AsLongAndOverflow(s, &overflow)
    return overflow == 0 and -128 <= sc <= 127


def is_scaler_unit(v):
    """True for a ``{scaler, unit}`` structure: two ints, the scaler an A-XDR integer (-128..127)."""
    return _su(v)


# ---------------------------------------------------------------------------
# Per-message state and the readings

cdef class _Ctx:
    """Per-message state: scaling, clock policy, collected readings and meter facts."""

    cdef _Scaling scaling
    cdef bint local
    cdef list out
    cdef list loose      # top-level values without OBIS code (Netz NO meter id, L+G clock)
    cdef list meta       # MeterInfo fields found in text readings, by M_* index (None: not seen)
    cdef object bc_value  # the first valid clock object of the body: datetime and raw bytes
    cdef object bc_raw
    cdef bint has_bc

    # built with _new_ctx (no argument parsing); ``loose`` stays None until needed

    cdef int text(self, object obis, object text) except -1:
        """Append a text reading and note it when it names the meter."""
        cdef int field
        PyList_Append(self.out, _reading(obis, text, None, None))
        if type(text) is str:
            field = _meta_field(obis)
            if field >= 0 and self.meta[field] is None:
                self.meta[field] = text
        return 0

    cdef int clock(self, object obis, object raw, int bc=-1) except -1:
        """The clock reading of 12 bytes; ``bc``: whether ``obis`` is x-x:1.0.x (-1: look)."""
        if type(raw) is not bytes:
            raw = bytes(raw)
        value = _datetime(raw, self.local)
        if value is None:
            PyList_Append(self.out, _build(_R, obis, None, None, None, None, raw, _WARN_CLOCK))
            return 0
        PyList_Append(self.out, _reading(obis, value, None, raw))
        if bc < 0:
            bc = obis[2] == 1 and obis[3] == 0
        if not self.has_bc and bc:
            self.has_bc = True
            self.bc_value = value
            self.bc_raw = raw
        return 0

    cdef inline int emit_slot(self, _Slot slot, object value) except -1:
        """The reading of ``value`` (any type) with the implicit scaling of ``slot``."""
        cdef long s
        cdef long long v
        cdef int overflow
        if type(value) is not int:
            if type(value) is bytes:
                return self.emit_bytes(slot, value)
            if type(value) is str:
                return self.emit_str(slot, value)
            return self.emit_other(slot.obis, value, None)
        s = slot.scaler
        v = PyLong_AsLongAndOverflow(value, &overflow)
        if slot.auto_v and (overflow > 0 or (overflow == 0 and v >= 1000)):
            s = -1
        if s == 0:
            PyList_Append(self.out, _reading(slot.obis, value, slot.unit, None))
        elif overflow == 0:
            PyList_Append(self.out, _reading(slot.obis, _scale_l(value, v, s, slot.scaler_obj), slot.unit, value))
        else:
            PyList_Append(self.out, _reading(slot.obis, _scale_c(value, s, slot.scaler_obj), slot.unit, value))
        return 0

    cdef int emit_str(self, _Slot slot, object value) except -1:
        """:meth:`emit_other` of a str value (a visible-string), with the facts of ``slot``."""
        cdef PyObject* hit = PyDict_GetItem(slot.strs, value)
        cdef int field
        if hit != NULL:
            r = <object>PyTuple_GET_ITEM(<object>hit, 0)
            text = <object>PyTuple_GET_ITEM(<object>hit, 1)
        else:
            text = (<str>value).rstrip("\x00")
            r = _reading(slot.obis, text, None, None)
            if len(<str>value) <= 64:
                if len(slot.strs) >= 8:
                    slot.strs.clear()
                slot.strs[value] = (r, text)
        PyList_Append(self.out, r)
        field = slot.meta_field
        if field >= 0 and self.meta[field] is None:
            self.meta[field] = text
        return 0

    cdef int emit_bytes(self, _Slot slot, object value) except -1:
        """:meth:`emit_other` of a plain bytes value, with the facts of ``slot``."""
        cdef PyObject* hit
        cdef int field
        if PyBytes_GET_SIZE(value) == 12 and slot.clock_obis:
            return self.clock(slot.obis, value, 1)
        if not slot.is_text:
            PyList_Append(self.out, _reading(slot.obis, value, None, None))
            return 0
        hit = PyDict_GetItem(slot.texts, value)
        if hit != NULL:
            r = <object>PyTuple_GET_ITEM(<object>hit, 0)
            text = <object>PyTuple_GET_ITEM(<object>hit, 1)
        else:
            text = _text(value)
            r = _reading(slot.obis, text, None, None)
            if PyBytes_GET_SIZE(value) <= 64:
                if len(slot.texts) >= 8:
                    slot.texts.clear()
                slot.texts[value] = (r, text)
        PyList_Append(self.out, r)
        field = slot.meta_field
        if field >= 0 and type(text) is str and self.meta[field] is None:
            self.meta[field] = text
        return 0

    cdef inline int emit_su(self, object obis, object value, object su) except -1:
        """The reading of ``value`` (any type) with the frame's ``{scaler, unit}`` (checked by _su)."""
        cdef long s, c
        cdef long long v
        cdef int overflow
        if type(value) is not int:
            return self.emit_other(obis, value, su)
        s = PyLong_AsLong(<object>PyTuple_GET_ITEM(su, 0))
        c = PyLong_AsLongAndOverflow(<object>PyTuple_GET_ITEM(su, 1), &overflow)
        unit = <object>PyTuple_GET_ITEM(_UNITS, c) if (overflow == 0 and 0 <= c < 256) else None
        if s == 0:
            PyList_Append(self.out, _reading(obis, value, unit, None))
            return 0
        v = PyLong_AsLongAndOverflow(value, &overflow)
        if overflow == 0:
            PyList_Append(self.out, _reading(obis, _scale_l(value, v, s, None), unit, value))
        else:
            PyList_Append(self.out, _reading(obis, _scale_c(value, s, None), unit, value))
        return 0

    cdef int emit(self, object obis, object value, object su) except -1:
        """Append the Reading for ``value`` of ``obis`` (``su``: frame scaler-unit or None)."""
        if su is not None:
            return self.emit_su(obis, value, su)
        return self.emit_slot(self.scaling.slot(obis), value)

    cdef int emit_other(self, object obis, object value, object su) except -1:
        t = type(value)
        if value is None:
            unit = _UNITS[su[1]] if su is not None and 0 <= su[1] < 256 else self.scaling.get(obis)[1]
            PyList_Append(self.out, _reading(obis, None, unit, None))
        elif t is str:
            self.text(obis, (<str>value).rstrip("\x00"))
        elif t is bytes or t is _DateTime:
            if len(value) == 12 and (t is _DateTime or (obis[2] == 1 and obis[3] == 0 and obis[0] == 0)):
                self.clock(obis, value)
            elif _is_text(obis):
                self.text(obis, _text(value))
            else:
                PyList_Append(self.out, _reading(obis, bytes(value), None, None))
        elif t is float:
            if su is not None:
                scaler, code = su
                unit = _UNITS[code] if 0 <= code < 256 else None
            else:
                scaler, unit = self.scaling.get(obis)
            PyList_Append(self.out, _reading(obis, apply_scaler(value, scaler), unit, value if scaler else None))
        elif t is _Date:
            PyList_Append(self.out, _reading(obis, decode_date(value), None, bytes(value)))
        elif t is _Time:
            PyList_Append(self.out, _reading(obis, decode_time(value), None, bytes(value)))
        else:
            if t is list:
                value = tuple(value)
            PyList_Append(self.out, _reading(obis, value, None, None))
        return 0


# ---------------------------------------------------------------------------
# Walks

cdef _Ctx _new_ctx(_Scaling scaling, bint local):
    cdef _Ctx ctx = _Ctx.__new__(_Ctx)
    ctx.scaling = scaling
    ctx.local = local
    ctx.out = []
    ctx.meta = [None, None, None, None, None]
    ctx.has_bc = False
    return ctx


cdef int _walk(_Ctx ctx, object node, Py_ssize_t depth) except -1:
    """Generic walk of ``node`` (a tuple or list) at nesting ``depth`` (0 = the body)."""
    cdef Py_ssize_t n, m, i
    cdef PyObject** items
    cdef PyObject** sub
    cdef object el, head, nxt, value
    if depth > _MAX_DEPTH:
        return 0
    # node is a tuple or a list of the A-XDR tree: nothing here changes it
    n = PySequence_Fast_GET_SIZE(node)
    items = PySequence_Fast_ITEMS(node)
    i = 0
    while i < n:
        el = <object>items[i]
        if _is_obis(el) and i + 1 < n:
            value = <object>items[i + 1]
            i += 2
            if i < n:
                nxt = <object>items[i]
                if _su(nxt):
                    ctx.emit_su(_obis(el), value, nxt)
                    i += 1
                    continue
            ctx.emit_slot(ctx.scaling.raw_slot(el), value)
            continue
        i += 1
        if type(el) is tuple or type(el) is list:
            m = PySequence_Fast_GET_SIZE(el)
            if m == 0:
                continue
            sub = PySequence_Fast_ITEMS(el)
            head = <object>sub[0]
            if (m == 2 or m == 3) and _is_obis(head):
                if m == 3:
                    nxt = <object>sub[2]
                    if _su(nxt):
                        ctx.emit_su(_obis(head), <object>sub[1], nxt)
                    else:
                        _walk(ctx, el, depth + 1)
                    continue
                ctx.emit_slot(ctx.scaling.raw_slot(head), <object>sub[1])
                continue
            _walk(ctx, el, depth + 1)
        elif depth == 0:
            if ctx.loose is None:
                ctx.loose = [el]
            else:
                PyList_Append(ctx.loose, el)
    return 0


cdef int _walk_kamstrup(_Ctx ctx, tuple body) except -1:
    """Kamstrup_V0001: ``list id, OBIS, value, OBIS, value ...`` (see the pure twin)."""
    cdef Py_ssize_t n, i, k, n_order
    cdef bint positional
    cdef object el
    ctx.emit(_KAMSTRUP_LIST_ID, <object>PyTuple_GET_ITEM(body, 0), None)
    n = PyTuple_GET_SIZE(body)
    n_order = len(_KAMSTRUP_ORDER)
    positional = n == 25 or n == 35
    k = 0
    i = 1
    while i < n:
        el = <object>PyTuple_GET_ITEM(body, i)
        if _is_obis(el) and i + 1 < n:
            ctx.emit_slot(ctx.scaling.raw_slot(el), <object>PyTuple_GET_ITEM(body, i + 1))
            i += 2
        elif el is None and i + 1 < n and <object>PyTuple_GET_ITEM(body, i + 1) is None:
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


cdef int _walk_list(_Ctx ctx, tuple body, object row, bint explicit) except -1:
    """The readings of a positional list as its table row says (see the pure twin's ``walk_list``)."""
    cdef tuple plan = _PLANS[row.name]
    cdef Py_ssize_t n = min(PyTuple_GET_SIZE(body), PyTuple_GET_SIZE(plan))
    cdef Py_ssize_t k
    cdef int role
    cdef tuple entry
    cdef object v, obis
    overrides = ctx.scaling.overrides
    for k in range(n):
        entry = <tuple>PyTuple_GET_ITEM(plan, k)
        role = <int><object>PyTuple_GET_ITEM(entry, 0)
        obis = <object>PyTuple_GET_ITEM(entry, 1)
        v = <object>PyTuple_GET_ITEM(body, k)
        if role == R_VALUE:
            if type(v) is int:
                if explicit and not (overrides and obis in overrides):
                    ctx.emit_slot(<_Slot>PyTuple_GET_ITEM(entry, 2), v)
                    continue
            elif isinstance(v, bytes) and len(v) == 0:
                v = None
            ctx.emit(obis, v, None)
        elif role == R_ID or role == R_TEXT:
            text = _first_text(v)
            if text is None:
                PyList_Append(ctx.out, _reading(obis, _raw_value(v), None, None))
            elif not text:
                PyList_Append(ctx.out, _reading(obis, None, None, None))
            else:
                PyList_Append(ctx.out, _reading(obis, text, None, None))
                if role == R_ID and ctx.meta[M_METER_ID] is None:
                    ctx.meta[M_METER_ID] = text
        elif role == R_NUMBER:
            PyList_Append(ctx.out, _reading(obis, int.from_bytes(v, "big"), None, bytes(v)))
        elif role == R_TIME:
            PyList_Append(ctx.out, _reading(obis, decode_time(v), None, bytes(v)))
        elif role == R_DATE:
            PyList_Append(ctx.out, _reading(obis, decode_date(v), None, bytes(v)))
        elif role == R_RAW:
            PyList_Append(ctx.out, _reading(_position_obis(k + 1), _raw_value(v), None, None))
    return 0


cdef int _walk_raw(_Ctx ctx, tuple body) except -1:
    """An unrecognised value list: every element under its position marker (see the pure twin)."""
    cdef Py_ssize_t k
    cdef Py_ssize_t n = min(PyTuple_GET_SIZE(body), 65535)
    for k in range(n):
        PyList_Append(ctx.out, _reading(_position_obis(k + 1), _raw_value(<object>PyTuple_GET_ITEM(body, k)),
                                        None, None))
    return 0


cdef int _walk_push_list(_Ctx ctx, tuple body) except -1:
    """Push-object-list: descriptor i describes body element i (see the pure twin)."""
    cdef Py_ssize_t n, i
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
        if type(raw) is not bytes or len(raw) != 6:
            continue
        cls, attr = d[0], d[2]
        if attr == 2:
            if cls != 40:
                plan.append((i, _obis(raw)))
        elif attr == 3 and cls in (3, 4, 5) and _su(body[i]):
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
            out[len(out) - 1] = _build(_R, r._obis, r._value, r._unit, _datetime(ts, ctx.local), None, r._raw,
                                   r._warning)
    return 0


# ---------------------------------------------------------------------------
# Detection

cdef bint _is_push_list(object body):
    if type(body) is not tuple or len(<tuple>body) < 2:
        return False
    first = (<tuple>body)[0]
    if type(first) is not list or not first:
        return False
    d = (<list>first)[0]
    return (type(d) is tuple and len(d) >= 4 and type(d[0]) is int and _is_obis(d[1]) and type(d[2]) is int)


cdef object _manufacturer_of(object text):
    if not text:
        return None
    t = text.lstrip("0123456789")[:3]  # Kaifa AT meter ids: "1KFM..."
    return _FLAG_IDS.get(t.upper()) if len(t) == 3 else None


cdef dict _LIST_MAKERS = {}


cdef object _list_maker(object list_id):
    """The manufacturer of a list version identifier by its prefix (cached per list id), or None."""
    cdef PyObject* hit = PyDict_GetItem(_LIST_MAKERS, list_id)
    if hit != NULL:
        return <object>hit
    manufacturer = None
    for prefix, maker, _p in _LIST_IDS:
        if list_id.startswith(prefix):
            manufacturer = maker
            break
    if len(_LIST_MAKERS) >= _CACHE_LIMIT:
        _LIST_MAKERS.clear()
    _LIST_MAKERS[list_id] = manufacturer
    return manufacturer


cdef object _kamstrup_profile(object opts, Py_ssize_t count):
    """The Kamstrup profile of a list of ``count`` elements (see the pure twin)."""
    scaler = opts[1]  # kamstrup_energy_scaler
    if scaler is None:
        wh = (opts[0] or "").upper() == "SE"
    else:
        wh = scaler == 0
    family = _KAMSTRUP_FAMILIES.get(count)
    if family is not None:
        return family + "_wh" if wh else family
    return "kamstrup_se" if wh else "kamstrup_no"


cdef object _find_list_id(object body):
    """The value of the list version object (x-x:0.2.129) near the start of the body."""
    tb = type(body)
    if (tb is not tuple and tb is not list) or not body:
        return None
    # register triplets: first element {OBIS, value}; flat pairs: OBIS, value
    first = body[0]
    if type(first) is tuple and len(<tuple>first) >= 2 and _is_obis((<tuple>first)[0]):
        obis, value = (<tuple>first)[0], (<tuple>first)[1]
    elif len(body) >= 2 and _is_obis(first):
        obis, value = first, body[1]
    else:
        return None
    cdef const unsigned char* b = <const unsigned char*>PyBytes_AS_STRING(obis)
    if b[2] == 0 and b[3] == 2 and b[4] == 0x81:
        return _first_text(value)
    return None


cdef enum Layout:
    L_WALK
    L_PUSH
    L_POSITIONAL
    L_KAMSTRUP


def decode_message(format, body, clock, system_title, opts, raw, security):
    """The :class:`Message` of a data-notification: decode_parts and new_message in one call (see the pure twin)."""
    cdef tuple parts = _decode_parts(body, clock, system_title, opts)
    msg = _build(_M, format, <object>PyTuple_GET_ITEM(parts, 0), <object>PyTuple_GET_ITEM(parts, 1),
                 <object>PyTuple_GET_ITEM(parts, 2), raw, security is not None, security)
    warnings = <object>PyTuple_GET_ITEM(parts, 3)
    if warnings:
        msg._warnings = warnings
    return msg


def decode_hdlc_frame(data, hdlc_parse, decode_data_notification, opts):
    """The Message of ``data`` when it is one unsegmented HDLC frame holding LLC + a clear data-notification.

    None for anything else (the caller takes its general path, which makes
    the same calls).  ``hdlc_parse`` and ``decode_data_notification`` are the
    functions of the selected core and dlms twins; their errors propagate.
    """
    cdef Py_ssize_t n, i0, i1
    cdef const unsigned char* b
    if type(data) is not bytes:
        return None
    n = PyBytes_GET_SIZE(data)
    b = <const unsigned char*>PyBytes_AS_STRING(data)
    if n < 8 or b[0] != 0x7E:
        return None
    r = hdlc_parse(data, 0)
    if type(r) is not tuple or PyTuple_GET_SIZE(r) < 10:
        return None
    if not <object>PyTuple_GET_ITEM(r, 1) or <object>PyTuple_GET_ITEM(r, 2):
        return None
    if <Py_ssize_t><object>PyTuple_GET_ITEM(r, 0) + 1 != n:
        return None
    i0 = <object>PyTuple_GET_ITEM(r, 8)
    i1 = <object>PyTuple_GET_ITEM(r, 9)
    if not (0 <= i0 and i1 <= n and i1 - i0 > 3 and b[i0] == 0xE6 and (b[i0 + 1] == 0xE7 or b[i0 + 1] == 0xE6)
            and b[i0 + 2] == 0 and b[i0 + 3] == 0x0F):
        return None
    dn = decode_data_notification(data, i0 + 3, i1)
    if type(dn) is not tuple or PyTuple_GET_SIZE(dn) != 4 or <object>PyTuple_GET_ITEM(dn, 3) != i1:
        return None
    cdef tuple parts = _decode_parts(<object>PyTuple_GET_ITEM(dn, 2), <object>PyTuple_GET_ITEM(dn, 1), None, opts)
    msg = _build(_M, "hdlc", <object>PyTuple_GET_ITEM(parts, 0), <object>PyTuple_GET_ITEM(parts, 1),
                 <object>PyTuple_GET_ITEM(parts, 2), data, False, None)
    warnings = <object>PyTuple_GET_ITEM(parts, 3)
    if warnings:
        msg._warnings = warnings
    return msg


def decode_parts(body, clock, system_title, opts):
    """``(meter, timestamp, readings, warnings)`` of a data-notification (see the pure twin)."""
    return _decode_parts(body, clock, system_title, opts)


cdef bint _field_fits(tuple check, object v):
    """``_lists._fits`` for one precompiled field (kind, size, prefix, exact, text prefix)."""
    cdef int kind = check[0]
    cdef Py_ssize_t size = check[1]
    t = type(v)
    if kind == 1:  # K_INT
        return t is int
    if kind == 2:  # K_BYTES
        if not isinstance(v, bytes) or (size >= 0 and len(<bytes>v) != size):
            return False
        p = check[2]
        if p is None:
            return True
        return v == p if check[3] else (<bytes>v).startswith(p)
    if kind == 3:  # K_TEXT
        if t is str:
            if size >= 0 and len((<str>v).rstrip("\x00")) != size:
                return False
            return check[4] is None or (<str>v).startswith(check[4])
        if not isinstance(v, bytes):
            return False
        if size >= 0 and len((<bytes>v).rstrip(b"\x00")) != size:
            return False
        return check[2] is None or (<bytes>v).startswith(check[2])
    if kind == 4:  # K_BOOL
        return t is bool
    if kind == 5:  # K_ARRAY
        return t is list
    if kind == 6:  # K_ALL
        return True
    return t is not list and t is not tuple  # K_ANY


cdef tuple _row_match(tuple body):
    """``_lists.match(body)`` over the precompiled rows: ``(row, candidates)``."""
    cdef tuple rows = _ROWS_BY_COUNT.get(len(body))
    cdef list found
    cdef tuple checks
    cdef Py_ssize_t k, n
    if rows is None:
        return None, ()
    found = []
    n = len(body)
    for lrow, checks in rows:
        for k in range(n):
            if not _field_fits(<tuple>checks[k], body[k]):
                break
        else:
            found.append(lrow)
    if len(found) == 1:
        return found[0], (found[0],)
    return None, tuple(found)


cdef tuple _decode_parts(object body, object clock, object system_title, object opts):
    cdef Layout layout = L_WALK
    cdef object row = None
    cdef tuple candidates = ()
    cdef _Ctx ctx
    cdef _Scaling scaling
    cdef list meta
    if not _ready:
        _setup()
    if not isinstance(opts, tuple) or len(<tuple>opts) != 5:
        raise TypeError("opts must be a hanparse.meters.Options")
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
    profile_name = "generic"
    forced = opts[3]  # profile
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
        if tb is tuple and len(<tuple>body) in _MATCH_SIZES:  # the tables' calls only where a row could fit
            row, candidates = _row_match(<tuple>body)
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
        elif tb is tuple and type(first) is str and (<str>first).startswith("Kamstrup_"):
            layout = L_KAMSTRUP
            profile_name = _kamstrup_profile(opts, len(<tuple>body))
        else:
            pairs = _match_pairs(body) if tb is tuple and len(<tuple>body) in _MATCH_SIZES else None
            if pairs is not None:
                profile_name = pairs.profile
            else:
                list_id = _find_list_id(body)
                if list_id is not None:
                    for prefix, _maker, pname in _LIST_IDS:
                        if list_id.startswith(prefix):
                            profile_name = pname if pname != "kamstrup_no" else _kamstrup_profile(opts, len(body))
                            break
                elif st_maker == "Landis+Gyr":
                    profile_name = "landis_gyr"
                elif st_maker == "Kamstrup":
                    profile_name = _kamstrup_profile(opts, len(body))
    if forced is not None:
        if forced not in _PROFILES:
            raise ValueError("unknown meter profile %r" % (forced,))
        profile_name = forced
    profile = _PROFILES[profile_name]
    scaling = _scaling(profile, opts[2])  # scalers
    local_opt = opts[4]  # local_clock
    local = scaling.local_clock if local_opt is None else local_opt
    ctx = _new_ctx(scaling, bool(local))

    # --- readings ------------------------------------------------------------
    warnings = None
    if layout == L_PUSH:
        _walk_push_list(ctx, body)
    elif layout == L_POSITIONAL:
        _walk_list(ctx, body, row, forced is None or forced == row.profile)
    elif layout == L_KAMSTRUP:
        _walk_kamstrup(ctx, body)
    elif tb is tuple or tb is list:
        if not candidates:
            _walk(ctx, body, 0)
        if tb is tuple and not ctx.out and len(<tuple>body):  # a value list no row knows (or several do)
            _walk_raw(ctx, body)
            warnings = (_describe(body, candidates),)
            if forced is None:
                profile_name = "unknown"
    readings = PyList_AsTuple(ctx.out)

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
                timestamp = _datetime(clock, local)
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
    loose_clock = None
    if ctx.loose:
        for el in ctx.loose:
            if (type(el) in (bytes, _DateTime) and len(el) == 12 and el[2] <= 12
                    and _datetime(el, False) is not None):
                loose_clock = el  # L+G flat lists open with a bare clock
            elif meter_id is None:
                text = _first_text(el)
                if text and len(text) >= 6:
                    meter_id = text  # Netz NO: meter id as a bare octet-string at the end
        if timestamp is None and clock is None and loose_clock is not None and _clock_valid(loose_clock):
            timestamp = _datetime(loose_clock, local)
    manufacturer = _list_maker(list_id) if list_id else None
    if manufacturer is None:
        manufacturer = (st_maker or _manufacturer_of(meta[M_LDN]) or _manufacturer_of(meta[M_METER_ID])
                        or _manufacturer_of(meta[M_METER_ID2]) or scaling.manufacturer)
    info = _meter_info(manufacturer, meta[M_MODEL], meter_id, list_id,
                       bytes(system_title) if system_title else None, profile_name)
    return info, timestamp, readings, warnings
