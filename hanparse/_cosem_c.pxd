# C-only helpers of hanparse/_cosem.py, cimported when it is compiled (never at run time in pure Python):
# the octets of a bytes object in place, and a datetime built through the datetime C API.

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.datetime cimport datetime_new, import_datetime


cdef inline int init_datetime() except -1:
    import_datetime()
    return 0


cdef inline object new_datetime(int year, int month, int day, int hour, int minute, int second, int microsecond,
                                object tz):
    """``datetime(...)`` without the call: ValueError for an impossible date or time, as the constructor."""
    return datetime_new(year, month, day, hour, minute, second, microsecond, tz)


cdef inline const unsigned char* bytes_data(object b) noexcept:
    """The octets of ``b``, a bytes object (or a subclass), in place."""
    return <const unsigned char*>PyBytes_AS_STRING(b)
