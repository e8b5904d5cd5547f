# C types for the compiled build of _dlms.py (Cython pure-Python mode).
#
# The walk reads the input through a const unsigned char pointer (bytes, or
# any C-contiguous buffer, in place) with explicit bounds checks; the read
# position is one Py_ssize_t shared by pointer (a one-item C array at the
# entry points).  The C-only helpers (number reads, in-place tuple / list
# filling, the shared-object caches) are in _axdr_c.pxd.
cimport cython

cdef int _MAX_DEPTH
cdef long long _SIZE_CAP

cdef object _open(object buf)
cdef const unsigned char* _start(object data) noexcept
@cython.locals(n=Py_ssize_t, e=Py_ssize_t)
cdef Py_ssize_t _stop(object data, Py_ssize_t start, object end) except -1

cdef object _obis(const unsigned char* b, Py_ssize_t pos)
cdef object _scaler_unit(const unsigned char* b, Py_ssize_t pos)

cdef object _truncated(str name, Py_ssize_t at)
@cython.locals(pos=Py_ssize_t, c=int, n=int, v=Py_ssize_t, i=Py_ssize_t)
cdef Py_ssize_t _length(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, str name, Py_ssize_t at) except -1
@cython.locals(at=Py_ssize_t, count=Py_ssize_t, name=str)
cdef Py_ssize_t _open_container(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth,
                                int tag) except -1
@cython.locals(pos=Py_ssize_t, at=Py_ssize_t, count=Py_ssize_t, i=Py_ssize_t, t=tuple, items=list, n=Py_ssize_t,
               bits=Py_ssize_t, nbytes=Py_ssize_t, raw=bytes)
cdef object _data(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth, int tag)

@cython.locals(pos=Py_ssize_t, tag=int, count=Py_ssize_t, size="long long", total="long long", members=list)
cdef tuple _type_desc(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth)
@cython.locals(pos=Py_ssize_t, count=Py_ssize_t, size="long long")
cdef object _untagged(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, object desc)
@cython.locals(at=Py_ssize_t, n=Py_ssize_t, stop=Py_ssize_t, items=list)
cdef list _compact_array(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth)

@cython.locals(at=Py_ssize_t, pos=Py_ssize_t, tag=int, count=Py_ssize_t, i=Py_ssize_t, first=bint, t=tuple,
               items=list)
cdef object _lenient(const unsigned char* b, Py_ssize_t* ppos, Py_ssize_t end, int depth, list repairs)
@cython.locals(at="Py_ssize_t[1]", repairs=list)
cdef object _repair_body(const unsigned char* b, Py_ssize_t start, Py_ssize_t end)

@cython.locals(stop=Py_ssize_t, at="Py_ssize_t[1]")
cpdef decode_data(buf, Py_ssize_t start=*, end=*)
@cython.locals(stop=Py_ssize_t, at="Py_ssize_t[1]", repairs=list)
cpdef decode_data_lenient(buf, Py_ssize_t start=*, end=*)
@cython.locals(stop=Py_ssize_t, b="const unsigned char*", at="Py_ssize_t[1]")
cpdef decode_body(buf, Py_ssize_t start=*, end=*)
cpdef decode_data_notification(buf, Py_ssize_t start=*, end=*, bint repair=*)
cpdef decode_data_notification_repaired(buf, Py_ssize_t start=*, end=*)
@cython.locals(stop=Py_ssize_t, b="const unsigned char*", pos=Py_ssize_t, liip="unsigned int", form=int,
               dpos=Py_ssize_t, k=Py_ssize_t, at="Py_ssize_t[1]", raw=bytes)
cdef object _notification(object buf, Py_ssize_t start, object end, bint repair, bint with_repairs)
@cython.locals(stop=Py_ssize_t, b="const unsigned char*", pos=Py_ssize_t, n=Py_ssize_t, at="Py_ssize_t[1]",
               number="unsigned int", ack="unsigned int")
cpdef decode_gbt(buf, Py_ssize_t start=*, end=*)
