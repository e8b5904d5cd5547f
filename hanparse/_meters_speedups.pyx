# cython: language_level=3
"""Compiled twin of ``_meters_purepy``: the hot walks of the meters layer.

Same names, results and errors as the pure-Python module; see its
docstring for what each walk does and what ``ctx`` provides.

Where the time goes, and what this module does about it (CPython 3.11):

* A Reading per value.  :class:`hanparse.model.Reading` stays one plain
  slotted class for both implementations (so equality, pickling, repr and
  read-only properties are the same object model whichever twin runs).
  ``Reading._make`` called from Python costs about 240 ns; here the slots
  are filled directly: the member descriptors of the class give each
  slot's byte offset (learned once at import, checked for the expected
  kind), the instance comes from ``PyType_GenericAlloc`` and the seven
  references are stored in place -- about 40 ns.  If the layout is not
  what is expected, the walks fall back to ``Reading._make``.
  ``Message`` and ``MeterInfo`` are built the same way.
* Integer values (nearly every value of a list) are scaled inline: frame
  ``{scaler, unit}`` or the profile table, with the same arithmetic as
  :func:`hanparse.cosem.apply_scaler` (``value * 10**s`` or one correctly
  rounded ``value / 10**-s``).
* Everything else (text, clocks, floats, dates) goes to ``ctx.emit`` in
  Python: a handful per frame.
"""

from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF
from cpython.dict cimport PyDict_GetItem
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.list cimport PyList_Append

import types as _types

from hanparse.cosem import UNITS as _UNITS_T, apply_scaler
from hanparse.model import Message, MeterInfo, Reading
from hanparse.obis import Obis, _by_bytes

__all__ = ["MAX_DEPTH", "is_scaler_unit", "walk", "walk_kamstrup", "walk_positional", "new_message",
           "new_meter_info"]


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


#: containers nested deeper than this below the body are not searched
MAX_DEPTH = 8
cdef enum:
    _MAX_DEPTH = 8

cdef object _make = Reading._make
cdef object _from_bytes = Obis.from_bytes
cdef dict _interned = _by_bytes
cdef tuple _UNITS = tuple(_UNITS_T)
cdef tuple _POW10 = tuple(10 ** i for i in range(40))


# ---------------------------------------------------------------------------
# Direct slot filling of the model classes

cdef Py_ssize_t _r_off[7]
cdef Py_ssize_t _m_off[8]
cdef Py_ssize_t _i_off[7]
cdef bint _r_ok = False
cdef bint _m_ok = False
cdef bint _i_ok = False
cdef PyTypeObject* _r_type = <PyTypeObject*>Reading
cdef PyTypeObject* _m_type = <PyTypeObject*>Message
cdef PyTypeObject* _i_type = <PyTypeObject*>MeterInfo


cdef bint _learn(cls, tuple slots, Py_ssize_t* out):
    """Byte offsets of ``slots`` in instances of ``cls``; False if any is not a plain object slot."""
    cdef PyMemberDescrObject* d
    cdef Py_ssize_t i
    if cls.__dict__.get("__slots__") is None or "__dict__" in cls.__dict__:
        return False
    for i in range(len(slots)):
        desc = cls.__dict__.get(slots[i])
        if desc is None or type(desc) is not _types.MemberDescriptorType:
            return False
        d = <PyMemberDescrObject*>desc
        if d.d_member.type != T_OBJECT_EX or d.d_member.offset <= 0:
            return False
        out[i] = d.d_member.offset
    return True


_r_ok = _learn(Reading, ("_obis", "_value", "_unit", "_timestamp", "_channel", "_raw", "_warning"), _r_off)
_m_ok = _learn(Message, ("_format", "_meter", "_timestamp", "_readings", "_raw", "_encrypted", "_security",
                         "_index"), _m_off)
_i_ok = _learn(MeterInfo, ("_manufacturer", "_model", "_meter_id", "_list_id", "_identification",
                           "_system_title", "_profile"), _i_off)


cdef inline void _put(object r, Py_ssize_t offset, object value):
    # the slot of a fresh instance is NULL: store a new reference, nothing to release
    Py_INCREF(value)
    (<PyObject**>((<char*><PyObject*>r) + offset))[0] = <PyObject*>value


cdef inline object _reading(object obis, object value, object unit, object raw):
    cdef object r
    if not _r_ok:
        return _make(obis, value, unit, None, None, raw, None)
    r = PyType_GenericAlloc(_r_type, 0)
    _put(r, _r_off[0], obis)
    _put(r, _r_off[1], value)
    _put(r, _r_off[2], unit)
    _put(r, _r_off[3], None)
    _put(r, _r_off[4], None)
    _put(r, _r_off[5], raw)
    _put(r, _r_off[6], None)
    return r


def new_message(format, meter, timestamp, readings, raw, encrypted, security):
    """A :class:`Message` from ready parts (``readings`` a tuple, ``raw`` bytes); no checks."""
    cdef object m
    if not _m_ok:
        return Message._make(format, meter, timestamp, readings, raw, encrypted, security)
    m = PyType_GenericAlloc(_m_type, 0)
    _put(m, _m_off[0], format)
    _put(m, _m_off[1], meter)
    _put(m, _m_off[2], timestamp)
    _put(m, _m_off[3], readings)
    _put(m, _m_off[4], raw)
    _put(m, _m_off[5], encrypted)
    _put(m, _m_off[6], security)
    _put(m, _m_off[7], None)
    return m


def new_meter_info(manufacturer, model, meter_id, list_id, identification, system_title, profile):
    """A :class:`MeterInfo` from ready parts; no checks."""
    cdef object m
    if not _i_ok:
        m = MeterInfo.__new__(MeterInfo)
        m._manufacturer = manufacturer
        m._model = model
        m._meter_id = meter_id
        m._list_id = list_id
        m._identification = identification
        m._system_title = system_title
        m._profile = profile
        return m
    m = PyType_GenericAlloc(_i_type, 0)
    _put(m, _i_off[0], manufacturer)
    _put(m, _i_off[1], model)
    _put(m, _i_off[2], meter_id)
    _put(m, _i_off[3], list_id)
    _put(m, _i_off[4], identification)
    _put(m, _i_off[5], system_title)
    _put(m, _i_off[6], profile)
    return m


# ---------------------------------------------------------------------------
# Values

cdef inline bint _su(object v):
    """{scaler, unit}: two ints, the scaler an A-XDR integer (-128..127)."""
    if type(v) is not tuple or len(<tuple>v) != 2:
        return False
    s = (<tuple>v)[0]
    return type(s) is int and type((<tuple>v)[1]) is int and -128 <= s <= 127


def is_scaler_unit(v):
    """True for a ``{scaler, unit}`` structure: two ints, the scaler an A-XDR integer (-128..127)."""
    return _su(v)


cdef inline object _obis(object raw):
    cdef PyObject* hit = PyDict_GetItem(_interned, raw)
    if hit != NULL:
        return <object>hit
    return _from_bytes(raw)


cdef inline bint _is_obis(object v):
    return type(v) is bytes and PyBytes_GET_SIZE(v) == 6


cdef inline object _scale(object value, object scaler):
    """apply_scaler(value, scaler) for an int ``value``; ``scaler`` is a non-zero int."""
    cdef long s
    if type(scaler) is int and -40 < scaler < 40:
        s = scaler
        if s > 0:
            return value * _POW10[s]
        return value / _POW10[-s]
    return apply_scaler(value, scaler)


cdef class _Walker:
    """Per-call view of ``ctx``: its attributes fetched once."""

    cdef list out
    cdef dict table
    cdef object scaling_get
    cdef object emit
    cdef object ctx
    cdef bint auto_voltage

    def __cinit__(self, ctx):
        self.ctx = ctx
        self.out = ctx.out
        self.table = ctx.table
        self.scaling_get = ctx.scaling.get
        self.emit = ctx._emit_other  # non-integer values: ctx.emit minus its int branch
        self.auto_voltage = ctx.auto_voltage

    cdef int value(self, object obis, object value, object su) except -1:
        cdef PyObject* hit
        cdef object scaler, unit
        cdef long code
        if type(value) is not int:
            self.emit(obis, value, su, type(value))
            return 0
        if su is not None:
            scaler = (<tuple>su)[0]
            c = (<tuple>su)[1]
            unit = _UNITS[<long>c] if 0 <= c < 256 else None
        else:
            hit = PyDict_GetItem(self.table, obis)
            pair = <object>hit if hit != NULL else self.scaling_get(obis)
            scaler, unit = pair
            if self.auto_voltage and unit == "V" and scaler == 0 and value >= 1000:
                scaler = -1
        if scaler:
            PyList_Append(self.out, _reading(obis, _scale(value, scaler), unit, value))
        else:
            PyList_Append(self.out, _reading(obis, value, unit, None))
        return 0

    cdef int walk(self, object node, Py_ssize_t depth) except -1:
        cdef Py_ssize_t n, m, i
        cdef object el, head, nxt
        if depth > _MAX_DEPTH:
            return 0
        n = len(node)
        i = 0
        while i < n:
            el = node[i]
            if _is_obis(el) and i + 1 < n:
                obis = _obis(el)
                value = node[i + 1]
                i += 2
                if i < n:
                    nxt = node[i]
                    if _su(nxt):
                        self.value(obis, value, nxt)
                        i += 1
                        continue
                self.value(obis, value, None)
                continue
            i += 1
            if type(el) is tuple or type(el) is list:
                m = len(el)
                if m == 0:
                    continue
                head = el[0]
                if (m == 2 or m == 3) and _is_obis(head):
                    if m == 3:
                        nxt = el[2]
                        if _su(nxt):
                            self.value(_obis(head), el[1], nxt)
                        else:
                            self.walk(el, depth + 1)
                        continue
                    self.value(_obis(head), el[1], None)
                    continue
                self.walk(el, depth + 1)
            elif depth == 0:
                self.ctx.loose.append(el)
        return 0


def walk(ctx, node, Py_ssize_t depth):
    """Generic walk of ``node`` (a tuple or list) at nesting ``depth`` (0 = the body)."""
    _Walker(ctx).walk(node, depth)


def walk_kamstrup(ctx, body, list_id_obis, order):
    """Kamstrup_V0001: ``list id, OBIS, value, OBIS, value ...`` (see the pure twin)."""
    cdef _Walker w = _Walker(ctx)
    cdef Py_ssize_t n, i, k, n_order
    cdef bint positional
    n = len(body)
    if n == 0:
        return
    ctx.emit(list_id_obis, body[0])
    n_order = len(order)
    positional = n == 25 or n == 35
    k = 0
    i = 1
    while i < n:
        el = body[i]
        if _is_obis(el) and i + 1 < n:
            w.value(_obis(el), body[i + 1], None)
            i += 2
        elif el is None and i + 1 < n and body[i + 1] is None:
            if positional and k < n_order:
                ctx.emit(order[k], None)
            i += 2
        else:
            if (type(el) is tuple or type(el) is list) and len(el):
                w.walk(el, 1)
            i += 1
            continue
        k += 1


def walk_positional(ctx, body, Py_ssize_t start, codes):
    """Values by position from ``body[start]`` on, OBIS codes from ``codes`` (see the pure twin)."""
    cdef _Walker w = _Walker(ctx)
    cdef Py_ssize_t n = len(body)
    cdef Py_ssize_t k, i
    cdef Py_ssize_t m = len(codes)
    for k in range(m):
        i = start + k
        if i >= n:
            break
        value = body[i]
        if isinstance(value, bytes) and len(value) == 0:
            value = None
        w.value(codes[k], value, None)
