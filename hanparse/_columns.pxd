# Types for the compiled build of _columns.py (Cython pure-Python mode).
cimport cython
from hanparse._slots_c cimport SlotLayout

cdef SlotLayout _RL, _ML, _IL  # Reading, Message, MeterInfo

cdef object _INT64_MIN, _INT64_MAX
cdef Py_ssize_t _NAME_SLOTS

cdef bint _fits(object n)
cdef int _decimal_parts(object d, list ints, list scales) except -1
@cython.locals(text=str, mantissa="long long", scale=int, point=bint, ch="Py_UCS4")
cdef int _float_parts(double f, list ints, list scales) except -1
@cython.locals(s=Py_ssize_t, f=double, r=double, ratio=double, scaled=double)
cdef int _exact(object value, object raw, list ints, list scales) except -1
cdef object _naive(object ts)
cdef object _text(object value)


cdef class Columns:
    cdef list _obis_text
    cdef public Py_ssize_t rows
    cdef public Py_ssize_t messages
    cdef public list m_row, m_offset, m_index, m_format, m_meter, m_list, m_time, m_local, m_tzmin, m_encrypted
    cdef public list r_msg, r_obis, r_name, r_channel, r_value, r_int, r_scale, r_text, r_unit, r_time, r_local
    cdef public list r_warning

    cpdef _clear(self)
    @cython.locals(addr=cython.size_t, slot=Py_ssize_t, hit=tuple)
    cdef tuple _names(self, object obis)
    @cython.locals(pos=Py_ssize_t, n=Py_ssize_t, fast=bint, names=tuple)
    cpdef Py_ssize_t add(self, object row, object offset, Py_ssize_t index, object msg) except -1
    cpdef tuple take(self)
