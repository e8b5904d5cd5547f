# C-only helpers of hanparse/dlms/_axdr.py, cimported when it is compiled (never at run time in pure Python).
#
# What has no pure-Python spelling: reading big-endian numbers and IEEE
# floats straight from the input pointer, filling a new tuple or list in
# place, the pointer behind a bytes object or a memoryview, and the two
# caches of values every frame repeats (C arrays of shared objects).
# Everything else of the A-XDR walk (rules, errors, results) is the one
# source in _dlms.py.

from cpython.buffer cimport PyBuffer_IsContiguous
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.memoryview cimport PyMemoryView_FromObject, PyMemoryView_GET_BUFFER
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy

cdef extern from *:
    """
    /* Values that repeat in every frame, shared instead of rebuilt (both are
       immutable): 6-byte octet-strings (OBIS codes; a direct-mapped cache,
       which also keeps their hash cached for the dict lookups downstream) and
       the scaler_unit structure {integer, enum} of every register. */
    #define HP_OBIS_SLOTS 4096
    static unsigned long long hp_obis_keys[HP_OBIS_SLOTS];
    static PyObject *hp_obis_vals[HP_OBIS_SLOTS];
    static PyObject *hp_scaler_unit[65536];
    """
    uint64_t hp_obis_keys[4096]
    PyObject* hp_obis_vals[4096]
    PyObject* hp_scaler_unit[65536]


# big-endian numbers at b[pos:]
cdef inline uint16_t u16(const unsigned char* b, Py_ssize_t pos) noexcept nogil:
    return (<uint16_t>b[pos] << 8) | b[pos + 1]


cdef inline uint32_t u32(const unsigned char* b, Py_ssize_t pos) noexcept nogil:
    return (<uint32_t>b[pos] << 24) | (<uint32_t>b[pos + 1] << 16) | (<uint32_t>b[pos + 2] << 8) | b[pos + 3]


cdef inline uint64_t u64(const unsigned char* b, Py_ssize_t pos) noexcept nogil:
    return (<uint64_t>u32(b, pos) << 32) | u32(b, pos + 4)


cdef inline double f32(const unsigned char* b, Py_ssize_t pos) noexcept nogil:
    cdef uint32_t bits = u32(b, pos)
    cdef float value
    memcpy(&value, &bits, 4)
    return value


cdef inline double f64(const unsigned char* b, Py_ssize_t pos) noexcept nogil:
    cdef uint64_t bits = u64(b, pos)
    cdef double value
    memcpy(&value, &bits, 8)
    return value


cdef inline object octets6(const unsigned char* b, Py_ssize_t pos):
    """The 6 bytes at ``b[pos:]`` as bytes, the same object as last time when they repeat."""
    cdef const unsigned char* p = b + pos
    cdef uint64_t key = (<uint64_t>u16(p, 0) << 32) | u32(p, 2) | (<uint64_t>1 << 63)
    cdef size_t h = <size_t>((key * <uint64_t>0x9E3779B97F4A7C15) >> 52)
    cdef object v
    if hp_obis_keys[h] == key:
        return <object>hp_obis_vals[h]
    v = PyBytes_FromStringAndSize(<const char*>p, 6)
    Py_INCREF(v)
    Py_XDECREF(hp_obis_vals[h])
    hp_obis_vals[h] = <PyObject*>v
    hp_obis_keys[h] = key
    return v


cdef inline object scaler_unit(int8_t scaler, unsigned char unit):
    """The tuple ``(scaler, unit)``, one shared object per pair."""
    cdef int k = (<unsigned char>scaler << 8) | unit
    cdef object v
    if hp_scaler_unit[k] != NULL:
        return <object>hp_scaler_unit[k]
    v = (scaler, unit)
    Py_INCREF(v)
    hp_scaler_unit[k] = <PyObject*>v
    return v


cdef inline tuple new_tuple(Py_ssize_t n):
    """A tuple of ``n`` empty slots, each filled once by :func:`tuple_put`."""
    return PyTuple_New(n)


cdef inline void tuple_put(tuple t, Py_ssize_t i, object item) noexcept:
    Py_INCREF(item)
    PyTuple_SET_ITEM(t, i, item)


cdef inline list new_list(Py_ssize_t n):
    """A list of ``n`` empty slots, each filled once by :func:`list_put`."""
    return PyList_New(n)


cdef inline void list_put(list items, Py_ssize_t i, object item) noexcept:
    Py_INCREF(item)
    PyList_SET_ITEM(items, i, item)


cdef inline object view_or_copy(object buf):
    """A memoryview reading ``buf`` in place when it is a C-contiguous buffer, else its bytes (a copy)."""
    cdef object view
    try:
        view = PyMemoryView_FromObject(buf)
    except TypeError:  # not a buffer: what bytes() makes of it
        return bytes(buf)
    if PyBuffer_IsContiguous(PyMemoryView_GET_BUFFER(view), b"C"):
        return view
    return view.tobytes()


cdef inline const unsigned char* start_of(object data) noexcept:
    """The first byte of a bytes object or of a C-contiguous memoryview."""
    if type(data) is bytes:
        return <const unsigned char*>PyBytes_AS_STRING(data)
    return <const unsigned char*>PyMemoryView_GET_BUFFER(data).buf


cdef inline Py_ssize_t size_of(object data) noexcept:
    """The length in bytes of a bytes object or of a C-contiguous memoryview."""
    if type(data) is bytes:
        return PyBytes_GET_SIZE(data)
    return PyMemoryView_GET_BUFFER(data).len
