# Types for the compiled build of _columns.py (Cython pure-Python mode).
cimport cython
from cpython.array cimport array
from hanparse._slots_c cimport SlotLayout

cdef SlotLayout _RL, _ML, _IL  # Reading, Message, MeterInfo

cdef object _INT64_MIN, _INT64_MAX
cdef Py_ssize_t _NAME_SLOTS, _NAME_BITS
cdef size_t _FIB, _MASK32

cdef bint _fits(object n)
@cython.locals(n=Py_ssize_t)
cdef int _push_d(array a, double v) except -1
@cython.locals(n=Py_ssize_t)
cdef int _push_q(array a, long long v) except -1
@cython.locals(n=Py_ssize_t)
cdef int _push_i(array a, int v) except -1
@cython.locals(n=Py_ssize_t)
cdef int _push_h(array a, short v) except -1
@cython.locals(n=Py_ssize_t)
cdef int _push_b(array a, signed char v) except -1
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, out=bytearray)
cpdef bytes bitmap(bytearray valid)


cdef class _Exact:
    cdef array ints, scales
    cdef bytearray valid

    cdef int put(self, long long mantissa, int scale) except -1
    cdef int none(self) except -1


cdef int _decimal_parts(object d, _Exact out) except -1
@cython.locals(text=str, mantissa="long long", scale=int, point=bint, ch="Py_UCS4")
cdef int _float_parts(double f, _Exact out) except -1
@cython.locals(s=Py_ssize_t, f=double, r=double, ratio=double, scaled=double)
cdef int _exact(object value, object raw, _Exact out) except -1
cdef object _naive(object ts)
cdef object _text(object value)


cdef class Columns:
    cdef public Py_ssize_t rows
    cdef public Py_ssize_t messages
    cdef public list m_row, m_offset, m_index, m_format, m_meter, m_list, m_time, m_local, m_tzmin, m_encrypted
    cdef array r_msg, r_code, r_unit, r_channel, r_value
    cdef bytearray v_channel, v_value
    cdef _Exact r_exact
    cdef list r_text, r_time, r_local, r_warning, d_obis, d_name, d_unit
    cdef dict _units
    cdef list _obis_codes
    cdef dict _by_obis

    cpdef _clear(self)
    @cython.locals(addr=cython.size_t, slot=Py_ssize_t, hit=tuple, code=int, known=object)
    cdef int _code(self, object obis) except -1
    @cython.locals(code=int)
    cdef int _unit_code(self, object unit) except -1
    @cython.locals(pos=Py_ssize_t, n=Py_ssize_t, fast=bint, exact=_Exact)
    cpdef Py_ssize_t add(self, object row, object offset, Py_ssize_t index, object msg) except -1
    cpdef tuple take(self)
