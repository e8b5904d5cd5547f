# C types for the compiled build of _cosem.py (Cython pure-Python mode).
# The octets read in place and the datetime C API are in _cosem_c.pxd.
cimport cython

cdef dict _TZ_CACHE
cdef tuple _POW10

cpdef object timezone_for_deviation(object deviation)
cpdef object _garbage(bint strict, str why, object raw)
@cython.locals(year=int, month=int, day=int, hour=int, minute=int, second=int, hundredths=int, dev=int, tz=object)
cdef object _datetime12(const unsigned char* b, bint ignore_deviation, bint strict, object raw)
cpdef object decode_datetime(object raw, bint strict=*, bint ignore_deviation=*)
@cython.locals(s=object, t=object)
cpdef object apply_scaler(object raw, object scaler)
