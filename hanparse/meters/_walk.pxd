# C types for the compiled build of _meters.py (Cython pure-Python mode).
#
# The per-message state (_Ctx), the scaling of a profile (_Scaling) and of
# one OBIS code (_Slot) are extension types; the walks and the helpers are
# cdef functions; the public functions cpdef.  The model classes' slot
# layouts are C structs of _slots_c.pxd; the other C-only helpers (octets in
# place, the datetime C API, C scaler arithmetic) are in _walk_c.pxd.
cimport cython
from hanparse._slots_c cimport SlotLayout

cdef Py_ssize_t _MAX_DEPTH, _CACHE_LIMIT, _FACT_CACHE_LIMIT
cdef object _from_bytes, _DateTime, _Date, _Time, _make
cdef dict _interned
cdef tuple _UNITS
cdef str _WARN_CLOCK
cdef bytes _LDN
cdef int M_LIST_ID, M_METER_ID, M_METER_ID2, M_MODEL, M_LDN
cdef dict _META_NAMES
cdef int L_WALK, L_PUSH, L_POSITIONAL, L_KAMSTRUP
cdef long _BIG_SCALER

cdef dict _FLAG_IDS, _PROFILES, _KAMSTRUP_FAMILIES, _TIME_DATE, _ROWS_BY_COUNT, _PLANS
cdef tuple _LIST_IDS, _KAMSTRUP_ORDER, _PAIR_ROWS
cdef object _KAMSTRUP_LIST_ID, _push_list_profile, _quantity_of, _describe, _raw_value, _position_obis
cdef frozenset _MATCH_SIZES
cdef int R_VALUE, R_ID, R_TEXT, R_NUMBER, R_TIME, R_DATE, R_SKIP, R_RAW
cdef int K_ANY, K_INT, K_BYTES, K_TEXT, K_BOOL, K_ARRAY, K_ALL

@cython.locals(by_count=dict)
cdef int _setup() except -1

cdef SlotLayout _R, _M, _I
cdef object _reading(object obis, object value, object unit, object raw)
cdef object _any_reading(object obis, object value, object unit, object timestamp, object channel, object raw,
                         object warning)
cpdef new_message(format, meter, timestamp, readings, raw, encrypted, security)
cpdef new_meter_info(manufacturer, model, meter_id, list_id, identification, system_title, profile)

cdef dict _INFOS, _TEXTS, _META_FIELD, _IS_TEXT, _SCALINGS, _LIST_MAKERS
cdef tuple _LAST_INFO_KEY
cdef object _LAST_INFO
@cython.locals(last=tuple, key=tuple)
cdef object _meter_info(object manufacturer, object model, object meter_id, object list_id, object system_title,
                        object profile)

cdef object _obis(object raw)
cdef bint _is_obis(object v) noexcept
@cython.locals(t=tuple)
cpdef bint is_scaler_unit(object v) except -1
@cython.locals(c=long)
cdef object _unit(object code)
cdef bint _int_in(object v, long lo, long hi) noexcept
@cython.locals(b=bytes)
cdef object _text(object v)
cdef object _first_text(object v)

@cython.locals(status=int)
cdef bint _clock_valid(object raw) except -1
cdef object _scale(object value, long s, object scaler_obj)

cdef int _meta_field(object obis) except -2
cdef bint _is_text(object obis) except -1


cdef class _Slot:
    cdef object obis
    cdef object unit
    cdef object scaler_obj
    cdef long scaler
    cdef bint auto_v
    cdef bint is_text
    cdef int meta_field
    cdef bint clock_obis
    cdef bint bc_obis
    cdef dict texts
    cdef dict strs


cdef class _Scaling:
    cdef object profile
    cdef dict table
    cdef object overrides
    cdef dict pscalers
    cdef bint auto_voltage
    cdef bint local_clock
    cdef object manufacturer
    cdef dict slots
    cdef dict raw_slots

    cdef tuple get(self, object obis)
    @cython.locals(s=_Slot)
    cdef _Slot slot(self, object obis)
    @cython.locals(s=_Slot)
    cdef _Slot raw_slot(self, object raw)


@cython.locals(s=_Scaling)
cdef _Scaling _scaling(object profile, object scalers)


cdef class _Ctx:
    cdef _Scaling scaling
    cdef bint local
    cdef list out
    cdef list loose
    cdef list meta
    cdef object bc_value
    cdef object bc_raw
    cdef bint has_bc

    @cython.locals(field=int)
    cdef int text(self, object obis, object text) except -1
    cdef int clock(self, object obis, object raw, int bc=*) except -1
    @cython.locals(s=long)
    cdef int emit_slot(self, _Slot slot, object value) except -1
    @cython.locals(hit=tuple, field=int)
    cdef int emit_str(self, _Slot slot, str value) except -1
    @cython.locals(hit=tuple, field=int)
    cdef int emit_bytes(self, _Slot slot, bytes value) except -1
    @cython.locals(s=long)
    cdef int emit_su(self, object obis, object value, tuple su) except -1
    cdef int emit(self, object obis, object value, object su) except -1
    cdef int emit_other(self, object obis, object value, object su) except -1


@cython.locals(ctx=_Ctx)
cdef _Ctx _new_ctx(_Scaling scaling, bint local)

@cython.locals(seq=tuple, sub=tuple, n=Py_ssize_t, i=Py_ssize_t, m=Py_ssize_t)
cdef int _walk(_Ctx ctx, object node, Py_ssize_t depth) except -1
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, k=Py_ssize_t, n_order=Py_ssize_t, positional=bint)
cdef int _walk_kamstrup(_Ctx ctx, tuple body) except -1
@cython.locals(plan=tuple, entry=tuple, n=Py_ssize_t, k=Py_ssize_t, role=int)
cdef int _walk_list(_Ctx ctx, tuple body, object row, bint explicit) except -1
@cython.locals(n=Py_ssize_t, k=Py_ssize_t)
cdef int _walk_raw(_Ctx ctx, tuple body) except -1
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, plan=list, out=list)
cdef int _walk_push_list(_Ctx ctx, tuple body) except -1

@cython.locals(kind=int, size=Py_ssize_t, b=bytes, s=str)
cdef bint _fits(tuple check, object v) except -1
@cython.locals(t=tuple, rows=tuple, entry=tuple, checks=tuple, found=list, n=Py_ssize_t, k=Py_ssize_t)
cpdef tuple match_list(object body)
@cython.locals(t=tuple, entry=tuple, checks=tuple, n=Py_ssize_t, h=Py_ssize_t, k=Py_ssize_t, ok=bint)
cpdef match_pairs(object body)

cdef bint _is_push_list(object body) except -1
cdef object _manufacturer_of(object text)
cdef object _list_maker(object list_id)
cdef object _kamstrup_profile(object country, object energy_scaler, Py_ssize_t count)
@cython.locals(b=bytes)
cdef object _find_list_id(object body)

@cython.locals(parts=tuple)
cpdef decode_message(format, body, clock, system_title, opts, raw, security)
@cython.locals(b=bytes, n=Py_ssize_t, f=tuple, i0=Py_ssize_t, i1=Py_ssize_t, parts=tuple)
cpdef decode_hdlc_frame(data, hdlc_parse, decode_data_notification, opts)
@cython.locals(layout=int, candidates=tuple, sized=bint, local=bint, ctx=_Ctx, scaling=_Scaling, meta=list)
cdef tuple _decode_parts(object body, object clock, object system_title, object opts)
