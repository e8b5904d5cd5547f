# C-only helper of the compiled modules (cimported under ``if cython.compiled:``):
# build instances of the slotted model classes (hanparse.model.Reading,
# Message, MeterInfo) by storing straight into their slots.
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
#
# A layout is a plain C struct (no extension type, so this file is only
# inline functions and needs no module of its own).  It holds the class as a
# borrowed pointer: the model classes live as long as the interpreter, and
# the module holding the layout keeps a reference to the class anyway.

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
    SLOTS_MAX = 9      # most slots a learned class may have
    SLOTS_ARGS = 7     # arguments of every model ``_make`` built here


ctypedef struct SlotLayout:
    PyObject* cls        # borrowed (see above); NULL before learn_slots
    bint ok              # direct filling is safe
    Py_ssize_t n         # number of slots
    Py_ssize_t offset[SLOTS_MAX]


cdef inline int learn_slots(object cls, SlotLayout* s) except -1:
    """Fill ``s`` with the slot layout of ``cls`` (``s.ok`` False when direct filling is not safe)."""
    cdef PyMemberDescrObject* d
    cdef Py_ssize_t i
    s.cls = <PyObject*>cls
    s.ok = False
    s.n = 0
    names = cls.__dict__.get("__slots__")
    if names is None or "__dict__" in cls.__dict__ or isinstance(names, str):
        return 0
    names = tuple(names)
    code = getattr(getattr(cls._make, "__func__", None), "__code__", None)
    if code is None or code.co_argcount != SLOTS_ARGS + 1:
        return 0
    if not SLOTS_ARGS <= len(names) <= SLOTS_MAX:
        return 0
    for i in range(SLOTS_ARGS):  # _make's parameters are the slots without their "_"
        if names[i] != "_" + code.co_varnames[i + 1]:
            return 0
    for i in range(len(names)):
        desc = cls.__dict__.get(names[i])
        if desc is None or type(desc).__name__ != "member_descriptor":
            return 0
        d = <PyMemberDescrObject*>desc
        if d.d_member.type != T_OBJECT_EX or d.d_member.offset <= 0:
            return 0
        s.offset[i] = d.d_member.offset
    s.n = len(names)
    s.ok = True
    return 0


cdef inline void _put(object obj, Py_ssize_t offset, object value):
    # the slot of a fresh instance is NULL: store a new reference, nothing to release
    Py_INCREF(value)
    (<PyObject**>((<char*><PyObject*>obj) + offset))[0] = <PyObject*>value


cdef inline object build(SlotLayout* s, object a0, object a1, object a2, object a3, object a4, object a5,
                         object a6):
    """``cls._make(a0, ..., a6)`` for the class of ``s``, by direct slot stores when the layout allows."""
    cdef object obj
    cdef Py_ssize_t i
    if not s.ok:
        return (<object>s.cls)._make(a0, a1, a2, a3, a4, a5, a6)
    obj = PyType_GenericAlloc(<PyTypeObject*>s.cls, 0)
    _put(obj, s.offset[0], a0)
    _put(obj, s.offset[1], a1)
    _put(obj, s.offset[2], a2)
    _put(obj, s.offset[3], a3)
    _put(obj, s.offset[4], a4)
    _put(obj, s.offset[5], a5)
    _put(obj, s.offset[6], a6)
    for i in range(SLOTS_ARGS, s.n):
        _put(obj, s.offset[i], None)
    return obj


cdef inline object read_slot(object obj, SlotLayout* s, Py_ssize_t i):
    """Slot ``i`` of ``obj``, read at its offset (None when unset).

    Only for an ``obj`` whose type is exactly the class of ``s``, with ``s.ok``
    true: the caller checks both.
    """
    cdef PyObject* p = (<PyObject**>((<char*><PyObject*>obj) + s.offset[i]))[0]
    if p == NULL:
        return None
    return <object>p
