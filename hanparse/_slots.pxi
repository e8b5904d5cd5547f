# Shared by the compiled twins (``include "_slots.pxi"``): build instances of
# the slotted model classes (hanparse.model.Reading, Message, MeterInfo) by
# storing straight into their slots.
#
# A class with ``__slots__`` keeps each slot at a fixed byte offset inside
# the instance; the slot's member descriptor (``cls.__dict__[name]``) tells
# that offset.  A fresh instance from ``PyType_GenericAlloc`` has every slot
# NULL, so filling it is one INCREF and one pointer store per slot -- about
# 40 ns for a Reading instead of ~240 ns for ``Reading._make`` called from C.
#
#     instance:  [ ob_refcnt | ob_type | slot 0 | slot 1 | ... | slot n-1 ]
#                                        ^ offset[0]  (from the descriptors)
#
# The contract with hanparse.model: ``cls._make(a0, ..., a6)`` takes its
# arguments in ``cls.__slots__`` order and sets any slot after them to None
# (Message's ``_index``).  The layout is checked once per class; if anything
# is not as expected (other slot kinds, a ``__dict__``, a different ``_make``
# signature) the builder calls ``cls._make`` instead: slower, same result.

from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF


cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        const char* name
        int type
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member
    object PyType_GenericAlloc(PyTypeObject* t, Py_ssize_t n)

cdef extern from "structmember.h":
    int T_OBJECT_EX


cdef enum:
    _SLOTS_MAX = 9      # most slots a learned class may have
    _SLOTS_ARGS = 7     # arguments of every model ``_make`` built here


cdef class _SlotLayout:
    """Where the slots of one model class are, and its ``_make`` fallback."""
    cdef readonly object cls
    cdef object make
    cdef PyTypeObject* type
    cdef bint ok
    cdef Py_ssize_t n
    cdef Py_ssize_t offset[_SLOTS_MAX]


cdef _SlotLayout _learn_slots(cls):
    """The slot layout of ``cls`` (``ok`` False when direct filling is not safe)."""
    cdef _SlotLayout s = _SlotLayout.__new__(_SlotLayout)
    cdef PyMemberDescrObject* d
    cdef Py_ssize_t i
    s.cls = cls
    s.make = cls._make
    s.type = <PyTypeObject*>cls
    s.ok = False
    names = cls.__dict__.get("__slots__")
    if names is None or "__dict__" in cls.__dict__ or isinstance(names, str):
        return s
    names = tuple(names)
    code = getattr(getattr(s.make, "__func__", None), "__code__", None)
    if code is None or code.co_argcount != _SLOTS_ARGS + 1:
        return s
    params = tuple("_" + p for p in code.co_varnames[1:_SLOTS_ARGS + 1])
    if not _SLOTS_ARGS <= len(names) <= _SLOTS_MAX or names[:_SLOTS_ARGS] != params:
        return s
    for i in range(len(names)):
        desc = cls.__dict__.get(names[i])
        if desc is None or type(desc).__name__ != "member_descriptor":
            return s
        d = <PyMemberDescrObject*>desc
        if d.d_member.type != T_OBJECT_EX or d.d_member.offset <= 0:
            return s
        s.offset[i] = d.d_member.offset
    s.n = len(names)
    s.ok = True
    return s


cdef inline void _put(object obj, Py_ssize_t offset, object value):
    # the slot of a fresh instance is NULL: store a new reference, nothing to release
    Py_INCREF(value)
    (<PyObject**>((<char*><PyObject*>obj) + offset))[0] = <PyObject*>value


cdef inline object _build(_SlotLayout s, object a0, object a1, object a2, object a3, object a4, object a5,
                          object a6):
    """``s.cls._make(a0, ..., a6)``, by direct slot stores when the layout allows."""
    cdef object obj
    cdef Py_ssize_t i
    if not s.ok:
        return s.make(a0, a1, a2, a3, a4, a5, a6)
    obj = PyType_GenericAlloc(s.type, 0)
    _put(obj, s.offset[0], a0)
    _put(obj, s.offset[1], a1)
    _put(obj, s.offset[2], a2)
    _put(obj, s.offset[3], a3)
    _put(obj, s.offset[4], a4)
    _put(obj, s.offset[5], a5)
    _put(obj, s.offset[6], a6)
    for i in range(_SLOTS_ARGS, s.n):
        _put(obj, s.offset[i], None)
    return obj
