# C-only helpers of hanparse/_dsmr.py, cimported when it is compiled (never at run time in pure Python).
#
# What has no pure-Python spelling: memchr, numbers read straight from the
# bytes (no str made first), the Reading class's slot layout kept per class,
# and two small direct-mapped tables with C keys.  The P1 rules (tokens,
# kinds, numbers, fast paths, errors) are the one source in _dsmr.py.

from cpython.long cimport PyLong_FromLongLong
from cpython.float cimport PyFloat_FromDouble
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.unicode cimport PyUnicode_DecodeLatin1
from libc.string cimport memchr, memcmp, memcpy

from hanparse._slots_c cimport SlotLayout, learn_slots

cdef extern from "Python.h":
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0

# The tables: bytes of a unit or of an OBIS id -> its str / its entry.
# Each slot holds a copy of the key bytes and a strong reference to the
# value; a colliding key overwrites the slot.  Both map a key to the result
# of a pure function (the Latin-1 text of the bytes; the entry the id has in
# the ``entries`` dict, which only grows and never changes an entry), and
# hold at most HP_DSMR_TAB values each, so they are bounded caches.  C
# statics: this file is inline functions only, and needs no module of its own.
cdef extern from *:
    """
    #define HP_DSMR_TAB 512
    #define HP_DSMR_KEYMAX 22
    typedef struct { Py_ssize_t n; unsigned char key[HP_DSMR_KEYMAX]; PyObject *value; } hp_dsmr_slot;
    static hp_dsmr_slot hp_dsmr_units[HP_DSMR_TAB];
    static hp_dsmr_slot hp_dsmr_ids[HP_DSMR_TAB];
    """
    enum:
        HP_DSMR_TAB
        HP_DSMR_KEYMAX
    ctypedef struct hp_dsmr_slot:
        Py_ssize_t n
        unsigned char key[1]
        PyObject* value
    hp_dsmr_slot hp_dsmr_units[1]
    hp_dsmr_slot hp_dsmr_ids[1]


cdef inline Py_ssize_t find(const unsigned char* p, int c, Py_ssize_t a, Py_ssize_t b) noexcept:
    """Index of the first byte ``c`` in ``p[a:b]``, or -1."""
    cdef const void* hit
    if b <= a:
        return -1
    hit = memchr(p + a, c, b - a)
    if hit == NULL:
        return -1
    return <const unsigned char*>hit - p


cdef inline object float_of(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """float() of the decimal text ``p[a:b]`` read in place (the same conversion), or None if it needs the text."""
    cdef char* endp = NULL
    cdef double d = PyOS_string_to_double(<const char*>(p + a), &endp, NULL)
    if endp != <char*>(p + b):
        return None
    return PyFloat_FromDouble(d)


cdef inline object int_of(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """int() of the integer text ``p[a:b]`` when it has at most 18 digits (fits a C long long), else None."""
    cdef Py_ssize_t i = a
    cdef bint neg = False
    cdef long long v = 0
    if p[i] == 45:  # '-'
        neg = True
        i += 1
    elif p[i] == 43:  # '+'
        i += 1
    if b - i > 18:
        return None
    while i < b:
        v = v * 10 + (p[i] - 48)
        i += 1
    return PyLong_FromLongLong(-v if neg else v)


cdef inline SlotLayout* slots_for(object cls, SlotLayout* s) except NULL:
    """``s``, holding the slot layout of ``cls`` (learned again only when another class comes)."""
    if s.cls != <PyObject*>cls:
        learn_slots(cls, s)
    return s


cdef inline Py_ssize_t _slot(const unsigned char* p, Py_ssize_t a, Py_ssize_t b) noexcept:
    cdef size_t h = <size_t>(b - a)
    while a < b:
        h = h * 31 + p[a]
        a += 1
    return <Py_ssize_t>((h ^ (h >> 9)) & (HP_DSMR_TAB - 1))


cdef inline object _lookup(hp_dsmr_slot* table, const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    cdef hp_dsmr_slot* s
    if b - a > HP_DSMR_KEYMAX:
        return None
    s = &table[_slot(p, a, b)]
    if s.value != NULL and s.n == b - a and memcmp(s.key, p + a, b - a) == 0:
        return <object>s.value
    return None


cdef inline void _store(hp_dsmr_slot* table, const unsigned char* p, Py_ssize_t a, Py_ssize_t b, object value):
    cdef hp_dsmr_slot* s
    if b - a > HP_DSMR_KEYMAX:
        return
    s = &table[_slot(p, a, b)]
    Py_INCREF(value)
    Py_XDECREF(s.value)
    s.value = <PyObject*>value
    s.n = b - a
    memcpy(s.key, p + a, b - a)


cdef inline object unit_text(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """The str of unit bytes ``p[a:b]`` (one shared object per unit)."""
    text = _lookup(hp_dsmr_units, p, a, b)
    if text is None:
        text = PyUnicode_DecodeLatin1(<const char*>(p + a), b - a, NULL)
        _store(hp_dsmr_units, p, a, b, text)
    return text


cdef inline object id_entry(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """The entry stored for the id bytes ``p[a:b]``, or None."""
    return _lookup(hp_dsmr_ids, p, a, b)


cdef inline void store_id_entry(const unsigned char* p, Py_ssize_t a, Py_ssize_t b, object entry):
    _store(hp_dsmr_ids, p, a, b, entry)


cdef inline void clear_id_entries():
    cdef Py_ssize_t i
    for i in range(HP_DSMR_TAB):
        Py_XDECREF(hp_dsmr_ids[i].value)
        hp_dsmr_ids[i].value = NULL
