# C-only helpers of hanparse/meters/_walk.py, cimported when it is compiled (never at run time in pure Python).
#
# What has no pure-Python spelling: the range check of an int of any size and
# the scaler arithmetic on C numbers.  The rules themselves are in _walk.py
# and hanparse/_cosem.py.

from cpython.float cimport PyFloat_FromDouble
from cpython.long cimport PyLong_AsLongAndOverflow, PyLong_FromLongLong

cdef extern from *:
    """
    /* powers of ten that are exact as a double (to 10**22) and as a long long factor (to 10**9) */
    static const double hp_p10d[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
                                       1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    static const long long hp_p10l[10] = {1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
                                          100000000LL, 1000000000LL};
    """
    const double hp_p10d[23]
    const long long hp_p10l[10]


cdef inline bint int_in(object v, long lo, long hi) noexcept:
    """``lo <= v <= hi`` for an int ``v`` of any size, in C."""
    cdef int overflow
    cdef long x = PyLong_AsLongAndOverflow(v, &overflow)
    return overflow == 0 and lo <= x <= hi


cdef inline object scale_exact(object value, long s):
    """``value * 10**s`` of an int ``value`` in C, or None when C cannot give the exact Python result.

    With ``|v| <= 2**53`` and ``10**-s <= 10**22`` both operands are exact
    doubles, so one IEEE division is the correctly rounded quotient: the
    very float ``value / 10**-s`` gives in Python.  Products that fit in 64
    bits are exact too.
    """
    cdef int overflow
    cdef long v = PyLong_AsLongAndOverflow(value, &overflow)
    if overflow != 0:
        return None
    if s < 0:
        if s >= -22 and -9007199254740992 <= v <= 9007199254740992:
            return PyFloat_FromDouble(<double>v / hp_p10d[-s])
    elif s <= 9 and -2147483648 < v < 2147483648:
        return PyLong_FromLongLong(<long long>v * hp_p10l[s])
    return None
