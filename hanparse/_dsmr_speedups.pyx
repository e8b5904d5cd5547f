# cython: language_level=3
"""Compiled twin of ``_dsmr_purepy``: the DSMR / P1 data-line tokenizer.

Same names, results and errors as the pure-Python module; see its
docstring for the output format and the kind codes.  The loop walks a
``const unsigned char*`` over the bytes object, so the body is read once
with no copies other than the Latin-1 strings it returns.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_GetItem
from cpython.float cimport PyFloat_FromDouble
from cpython.long cimport PyLong_FromLongLong
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_DecodeLatin1
from cpython.ref cimport Py_INCREF, Py_XDECREF
from libc.string cimport memchr, memcmp, memcpy

from hanparse.errors import DecodeError, FrameError, IncompleteError

cdef extern from "Python.h":
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0

# Readings are filled slot by slot (``_slots.pxi``, shared with
# ``_meters_speedups``).  ``make_readings`` is handed the class; its layout
# is learned on first use and again only if another class is passed.
include "_slots.pxi"

cdef _SlotLayout _R = None


cdef _SlotLayout _layout_for(cls):
    global _R
    if _R is None or _R.cls is not cls:
        _R = _learn_slots(cls)
    return _R


__all__ = ["tokenize", "value_kind", "make_readings", "parse_lines", "frame", "split_tst"]


cdef inline bint _is_sep(unsigned char c) nogil:
    return c == 13 or c == 10 or c == 0 or c == 32 or c == 9


cdef inline bint _is_digit(unsigned char c) nogil:
    return 48 <= c <= 57


cdef int _kind(const unsigned char* p, Py_ssize_t n) nogil:
    cdef Py_ssize_t i, j, k
    if n == 0:
        return 0
    if n == 13 and (p[12] == 83 or p[12] == 87 or p[12] == 115 or p[12] == 119):  # 'S' 'W' 's' 'w'
        for i in range(12):
            if not _is_digit(p[i]):
                break
        else:
            return 3
    i = 1 if (p[0] == 43 or p[0] == 45) else 0
    if i == n:
        return 4
    j = i
    while j < n and _is_digit(p[j]):
        j += 1
    if j == n:
        return 1
    if j == i or p[j] != 46:  # '.'
        return 4
    k = j + 1
    while k < n and _is_digit(p[k]):
        k += 1
    if k == n and k > j + 1:
        return 2
    return 4


def value_kind(str text):
    """The kind code (0-4, see the module docstring) of one value text."""
    cdef bytes b
    try:
        b = text.encode("latin-1")
    except UnicodeEncodeError:
        return 4
    return _kind(<const unsigned char*>PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b))


cdef inline str _latin1(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    return PyUnicode_DecodeLatin1(<const char*>(p + a), b - a, NULL)


cdef Py_ssize_t _id_end(const unsigned char* p, Py_ssize_t pos, Py_ssize_t stop) except -1:
    """End of the OBIS id starting at ``pos``: the ``(`` of its first value group.

    A line that reaches CR, LF, ``)`` or the end first is a DecodeError.
    """
    cdef Py_ssize_t id_start = pos, end
    cdef unsigned char c
    while pos < stop:
        c = p[pos]
        if c == 40 or c == 13 or c == 10 or c == 41:
            break
        pos += 1
    if pos >= stop or p[pos] != 40:
        end = pos if pos < id_start + 40 else id_start + 40
        raise DecodeError("data line without a value group: %r" % (_latin1(p, id_start, end),), offset=id_start)
    return pos


cdef Py_ssize_t _group(const unsigned char* p, Py_ssize_t pos, Py_ssize_t stop, list acc) except -1:
    """Parse the group at p[pos] == '('; append value, unit, kind to acc; return the next position."""
    cdef Py_ssize_t i = pos + 1
    cdef Py_ssize_t close = -1
    cdef Py_ssize_t star = -1
    cdef unsigned char c
    while i < stop:
        c = p[i]
        if c == 41:  # ')'
            close = i
            break
        if c == 42 and star < 0:  # '*'
            star = i
        elif c == 40 or c == 13 or c == 10:
            break
        i += 1
    if close < 0:
        raise DecodeError("unclosed value group", offset=pos)
    if star < 0:
        acc.append(_latin1(p, pos + 1, close))
        acc.append(None)
        acc.append(_kind(p + pos + 1, close - pos - 1))
    else:
        acc.append(_latin1(p, pos + 1, star))
        if close > star + 1:
            acc.append(_latin1(p, star + 1, close))
        else:
            acc.append(None)
        acc.append(_kind(p + pos + 1, star - pos - 1))
    return close + 1


cdef Py_ssize_t _group_end(const unsigned char* p, Py_ssize_t pos, Py_ssize_t stop) except -1:
    """Position of the ')' closing the group at p[pos] == '('."""
    cdef Py_ssize_t i = pos + 1
    cdef unsigned char c
    while i < stop:
        c = p[i]
        if c == 41:
            return i
        if c == 40 or c == 13 or c == 10:
            break
        i += 1
    raise DecodeError("unclosed value group", offset=pos)


cdef tuple _single(const unsigned char* p, str ident, Py_ssize_t pos, Py_ssize_t close):
    """(ident, value, unit, kind) for the group p[pos] == '(' .. p[close] == ')'."""
    cdef Py_ssize_t i = pos + 1
    while i < close and p[i] != 42:
        i += 1
    if i == close:
        return (ident, _latin1(p, pos + 1, close), None, _kind(p + pos + 1, close - pos - 1))
    return (ident, _latin1(p, pos + 1, i), _latin1(p, i + 1, close) if close > i + 1 else None,
            _kind(p + pos + 1, i - pos - 1))


def tokenize(data, Py_ssize_t start, Py_ssize_t stop):
    """Split ``data[start:stop]`` into data-set tuples (see the module docstring).

    ``data`` must be ``bytes``; ``0 <= start <= stop <= len(data)``.
    """
    if type(data) is not bytes:
        raise TypeError("tokenize() needs bytes")
    cdef Py_ssize_t size = PyBytes_GET_SIZE(data)
    if start < 0 or stop > size or start > stop:
        raise ValueError("bad start/stop")
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(data)
    cdef list out = []
    cdef list line
    cdef Py_ssize_t pos = start
    cdef Py_ssize_t id_start, end
    cdef str ident
    cdef unsigned char c
    while pos < stop:
        c = p[pos]
        if _is_sep(c):
            pos += 1
            continue
        if c == 40:  # '(' : continuation of the previous data set
            if not out:
                raise DecodeError("value group without an OBIS id", offset=pos)
            line = []
            while pos < stop and p[pos] == 40:
                pos = _group(p, pos, stop, line)
            end = len(out) - 1
            out[end] = <tuple>out[end] + tuple(line)
            continue
        id_start = pos
        pos = _id_end(p, pos, stop)
        if pos == id_start:
            raise DecodeError("value group without an OBIS id", offset=pos)
        ident = _latin1(p, id_start, pos)
        end = _group_end(p, pos, stop)
        if end + 1 >= stop or p[end + 1] != 40:
            # the common case, one group: build the 4-tuple directly
            out.append(_single(p, ident, pos, end))
            pos = end + 1
            continue
        line = [ident]
        while pos < stop and p[pos] == 40:
            pos = _group(p, pos, stop, line)
        out.append(tuple(line))
    return out


_MISSING = object()


def make_readings(list lines, dict entries, entry_for, ts, bint strict, cls, dict hex_texts):
    """Turn tokenized data sets into Readings: ``(readings_tuple, clock_index, id_index)``.

    Same contract as ``_dsmr_purepy.make_readings``.
    """
    cdef list out = []
    cdef Py_ssize_t clock = -1
    cdef Py_ssize_t ident = -1
    cdef Py_ssize_t best = 100
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t role
    cdef int fast
    cdef tuple t, e
    cdef object r, value, kind, text, decoded, unit
    cdef _SlotLayout R = _layout_for(cls)
    for t in lines:
        e = <tuple>entries.get(t[0])
        if e is None:
            e = <tuple>entry_for(t[0])
        if e[3] is not None and strict:
            raise DecodeError(e[3])
        r = None
        fast = e[5]
        if fast and len(t) == 4:
            if fast == 1:
                kind = t[3]
                unit = t[2]
                if (kind == 2 or kind == 1) and (unit is None or "," not in <str>unit):
                    try:
                        value = float(t[1]) if kind == 2 else int(t[1])
                    except ValueError:
                        value = None
                    if value is not None:
                        r = _build(R, e[0], value, unit, None, e[1], None, None)
            elif fast == 2:
                text = t[1]
                r = _build(R, e[0], text if text else None, t[2], None, e[1], None, None)
            elif fast == 3:
                text = t[1]
                if not text:
                    r = _build(R, e[0], None, t[2], None, e[1], None, None)
                else:
                    decoded = hex_texts.get(text, _MISSING)
                    if decoded is None:
                        r = _build(R, e[0], text, t[2], None, e[1], None, None)
                    elif decoded is not _MISSING:
                        r = _build(R, e[0], decoded, t[2], None, e[1], text, None)
        if r is None:
            r = e[2](e[0], e[1], t, ts, strict)
        role = e[4]
        if role >= 0:
            if role == 100:
                if clock < 0:
                    clock = i
            elif role < best and r._value is not None:
                best = role
                ident = i
        out.append(r)
        i += 1
    return tuple(out), clock, ident

# ---------------------------------------------------------------------------
# small direct-mapped tables: bytes of a unit or an id -> its str / entry
# ---------------------------------------------------------------------------
#
# Each slot holds a copy of the key bytes and a strong reference to the
# value; a colliding key overwrites the slot.  Both map a key to the result
# of a pure function (the Latin-1 text of the bytes; the entry the id has in
# the ``entries`` dict, which only grows and never changes an entry), and
# hold at most _TAB values, so they are bounded caches.  The id table is
# emptied whenever another ``entries`` dict is passed.

cdef enum:
    _TAB = 512
    _KEYMAX = 22


cdef struct _Slot:
    Py_ssize_t n
    unsigned char key[_KEYMAX]
    PyObject* value


cdef _Slot _units[_TAB]
cdef _Slot _ids[_TAB]
cdef object _ids_owner = None

# (bytes of a several-group data set, ts, strict) -> its Reading: such lines
# (power-failure logs, billing/peak histories, M-Bus readings) repeat from
# telegram to telegram and their Reading is a function of exactly these
# (and of the entry, fixed per ``entries`` dict: emptied with the id table).
# Bounded: lines up to _LINE_MAX bytes, emptied when _LINES_MAX are held.
cdef dict _lines = {}
cdef enum:
    _LINE_MAX = 2048
    _LINES_MAX = 256


cdef inline Py_ssize_t _hash(const unsigned char* p, Py_ssize_t a, Py_ssize_t b) nogil:
    cdef size_t h = <size_t>(b - a)
    while a < b:
        h = h * 31 + p[a]
        a += 1
    return <Py_ssize_t>((h ^ (h >> 9)) & (_TAB - 1))


cdef inline PyObject* _lookup(_Slot* table, const unsigned char* p, Py_ssize_t a, Py_ssize_t b) nogil:
    cdef _Slot* s
    if b - a > _KEYMAX:
        return NULL
    s = &table[_hash(p, a, b)]
    if s.value != NULL and s.n == b - a and memcmp(s.key, p + a, b - a) == 0:
        return s.value
    return NULL


cdef inline void _store(_Slot* table, const unsigned char* p, Py_ssize_t a, Py_ssize_t b, object value):
    cdef _Slot* s
    if b - a > _KEYMAX:
        return
    s = &table[_hash(p, a, b)]
    Py_INCREF(value)
    Py_XDECREF(s.value)
    s.value = <PyObject*>value
    s.n = b - a
    memcpy(s.key, p + a, b - a)


cdef void _clear(_Slot* table):
    cdef Py_ssize_t i
    for i in range(_TAB):
        Py_XDECREF(table[i].value)
        table[i].value = NULL


cdef inline str _unit_text(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """The str of unit bytes p[a:b] (one shared object per unit)."""
    cdef PyObject* hit = _lookup(_units, p, a, b)
    if hit != NULL:
        return <str>hit
    text = _latin1(p, a, b)
    _store(_units, p, a, b, text)
    return text


# ---------------------------------------------------------------------------
# parse_lines: tokenize + make_readings in one pass
# ---------------------------------------------------------------------------

cdef object _int_of(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """int of the kind-1 text p[a:b], or None when int() refuses it (too many digits)."""
    cdef Py_ssize_t i = a
    cdef bint neg = False
    cdef long long v = 0
    if p[i] == 45:
        neg = True
        i += 1
    elif p[i] == 43:
        i += 1
    if b - i > 18:
        try:
            return int(_latin1(p, a, b))
        except ValueError:
            return None
    while i < b:
        v = v * 10 + (p[i] - 48)
        i += 1
    return PyLong_FromLongLong(-v if neg else v)


cdef object _float_of(const unsigned char* p, Py_ssize_t a, Py_ssize_t b):
    """float of the kind-2 text p[a:b] (the same conversion float() makes)."""
    cdef char* endp = NULL
    cdef double d = PyOS_string_to_double(<const char*>(p + a), &endp, NULL)
    if endp != <char*>(p + b):
        return float(_latin1(p, a, b))
    return PyFloat_FromDouble(d)


cdef inline tuple _tst(str text, dict cache, ts):
    """``ts(text)`` -> (datetime or None, warning or None), from the parser's text cache when there."""
    cdef PyObject* hit = PyDict_GetItem(cache, text)
    if hit != NULL:
        return <tuple>hit
    return <tuple>ts(text)


cdef object _number_text(str text, object kind):
    """grammar._number for kinds 0-3 and for kind-4 text without a comma; _MISSING otherwise."""
    if kind == 2:
        return float(text)
    if kind == 1:
        try:
            return int(text)
        except ValueError:
            return text
    if kind == 0:
        return None
    if kind == 4 and "," in text:
        return _MISSING
    return text


cdef object _one_group(_SlotLayout R, tuple e, int fast, const unsigned char* p, Py_ssize_t pos,
                       Py_ssize_t close, ts, dict ts_cache, dict hex_texts):
    """The Reading of a one-group line p[pos] == '(' .. p[close] == ')', or None for the converter."""
    cdef Py_ssize_t star = pos + 1
    cdef Py_ssize_t ve
    cdef int kind
    cdef object unit = None
    cdef object value, decoded
    cdef str text
    cdef tuple hit
    while star < close and p[star] != 42:
        star += 1
    ve = star
    if star < close and close > star + 1:
        unit = _unit_text(p, star + 1, close)
    kind = _kind(p + pos + 1, ve - pos - 1)
    if fast == 1 or fast == 5:  # generic (a one-group 0-0:98.1.0 is generic too)
        if unit is not None and memchr(p + star + 1, 44, close - star - 1) != NULL:
            return None  # ``(v*u,v*u)``: two values in one group, for the converter
        if kind == 2:
            value = _float_of(p, pos + 1, ve)
        elif kind == 1:
            value = _int_of(p, pos + 1, ve)
            if value is None:
                return None
        elif kind == 0:
            value = None
        elif kind == 3:
            text = _latin1(p, pos + 1, ve)
            hit = _tst(text, ts_cache, ts)
            if hit[1] is not None:
                return None
            return _build(R, e[0], hit[0], unit, None, e[1], text, None)
        else:
            return None
        return _build(R, e[0], value, unit, None, e[1], None, None)
    if fast == 4:  # the clock
        if kind == 0:
            return _build(R, e[0], None, unit, None, e[1], None, None)
        text = _latin1(p, pos + 1, ve)
        hit = _tst(text, ts_cache, ts)
        if hit[1] is not None:
            return None
        return _build(R, e[0], hit[0], unit, None, e[1], text, None)
    if fast == 2:
        return _build(R, e[0], _latin1(p, pos + 1, ve) if kind else None, unit, None, e[1], None, None)
    if fast == 3:
        if kind == 0:
            return _build(R, e[0], None, unit, None, e[1], None, None)
        text = _latin1(p, pos + 1, ve)
        decoded = hex_texts.get(text, _MISSING)
        if decoded is None:
            return _build(R, e[0], text, unit, None, e[1], None, None)
        if decoded is not _MISSING:
            return _build(R, e[0], decoded, unit, None, e[1], text, None)
    return None


cdef object _groups(_SlotLayout R, tuple e, int fast, tuple t, ts, dict ts_cache):
    """The Reading of a several-group generic line (grammar._c_generic), or None for the converter."""
    cdef Py_ssize_t n = len(t)
    cdef Py_ssize_t i
    cdef int units = 0
    cdef tuple hit
    cdef list values, raws
    cdef object v, u, k, value, unit = None
    if fast == 5:
        if not (n < 10 or t[3] != 1 or ":" not in <str>t[4]):
            return None  # the Belgian peak history: its converter
    elif fast != 1 and fast != 6:
        return None
    if n == 4:
        return None
    if n == 7:
        if t[3] == 3 and (t[6] == 1 or t[6] == 2 or t[6] == 0):
            hit = _tst(<str>t[1], ts_cache, ts)
            if hit[1] is not None:
                return None
            value = _number_text(<str>t[4], t[6])
            return _build(R, e[0], value, t[5], hit[0], e[1], None, None)
        return None  # other two-group shapes (value first, TST12, ...): the converter decides
    values = []
    raws = []
    for i in range(1, n, 3):
        v = t[i]
        u = t[i + 1]
        k = t[i + 2]
        if k == 3:
            hit = _tst(<str>v, ts_cache, ts)
            if hit[1] is not None:
                return None
            value = hit[0]
        else:
            value = _number_text(<str>v, k)
            if value is _MISSING:
                return None
        values.append(value)
        if u is None:
            raws.append(v)
        else:
            raws.append(<str>v + "*" + <str>u)
            if units == 0:
                unit = u
                units = 1
            elif units == 1 and u != unit:
                units = 2
    return _build(R, e[0], tuple(values), unit if units == 1 else None, None, e[1], tuple(raws), None)


def parse_lines(data, Py_ssize_t start, Py_ssize_t stop, dict entries, entry_for, ts, dict ts_cache,
                bint strict, cls, dict hex_texts):
    """``make_readings(tokenize(data, start, stop), ...)`` in one pass.

    Same contract as ``_dsmr_purepy.parse_lines``.  One-group lines are
    converted straight from the bytes (no token tuple); timestamps come
    from ``ts_cache`` (``ts(text)`` on a miss); anything unusual goes to
    the entry's converter with the same tuple ``tokenize`` would make.
    """
    if type(data) is not bytes:
        raise TypeError("tokenize() needs bytes")
    cdef Py_ssize_t size = PyBytes_GET_SIZE(data)
    if start < 0 or stop > size or start > stop:
        raise ValueError("bad start/stop")
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(data)
    cdef list out = []
    cdef list line
    cdef Py_ssize_t pos = start
    cdef Py_ssize_t id_start, id_end, end, nxt, q
    cdef Py_ssize_t clock = -1
    cdef Py_ssize_t ident_at = -1
    cdef Py_ssize_t best = 100
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t role
    cdef int fast
    cdef bint single
    cdef object ident
    cdef unsigned char c
    cdef tuple e, t
    cdef object r
    cdef PyObject* found
    cdef _SlotLayout R = _layout_for(cls)
    global _ids_owner
    if entries is not _ids_owner:
        _clear(_ids)
        _lines.clear()
        _ids_owner = entries
    while pos < stop:
        c = p[pos]
        if _is_sep(c):
            pos += 1
            continue
        if c == 40:  # continuations are read with their data set: this one has none
            raise DecodeError("value group without an OBIS id", offset=pos)
        id_start = pos
        pos = _id_end(p, pos, stop)
        ident = None
        id_end = pos
        end = _group_end(p, pos, stop)
        nxt = end + 1
        while nxt < stop and _is_sep(p[nxt]):
            nxt += 1
        single = not (nxt < stop and p[nxt] == 40)
        t = None
        ckey = None
        r = None
        if single:
            nxt = end + 1
        else:
            # the end of the data set: its groups, then any continuation lines
            q = end + 1
            while True:
                while q < stop and p[q] == 40:
                    q = _group_end(p, q, stop) + 1
                nxt = q
                while nxt < stop and _is_sep(p[nxt]):
                    nxt += 1
                if nxt >= stop or p[nxt] != 40:
                    break
                q = nxt
            nxt = q
            if nxt - id_start <= _LINE_MAX:
                ckey = (PyBytes_FromStringAndSize(<const char*>(p + id_start), nxt - id_start), ts, strict)
                found = PyDict_GetItem(_lines, ckey)
                if found != NULL:
                    r = <object>found
        if r is None and not single:  # (r is not None: a repeated several-group line)
            ident = _latin1(p, id_start, id_end)
            line = [ident]
            while pos < stop and p[pos] == 40:
                pos = _group(p, pos, stop, line)
            while True:  # continuation lines: '(' first after the line end
                q = pos
                while q < stop and _is_sep(p[q]):
                    q += 1
                if q >= stop or p[q] != 40:
                    break
                pos = q
                while pos < stop and p[pos] == 40:
                    pos = _group(p, pos, stop, line)
            t = tuple(line)
            nxt = pos
        try:
            found = _lookup(_ids, p, id_start, id_end)
            if found != NULL:
                e = <tuple>found
            else:
                if ident is None:
                    ident = _latin1(p, id_start, id_end)
                found = PyDict_GetItem(entries, ident)
                if found != NULL:
                    e = <tuple>found
                    _store(_ids, p, id_start, id_end, e)
                else:
                    e = <tuple>entry_for(ident)
            if e[3] is not None and strict:
                raise DecodeError(e[3])
            if r is None:
                fast = e[5]
                if fast:
                    if single:
                        r = _one_group(R, e, fast, p, pos, end, ts, ts_cache, hex_texts)
                    else:
                        r = _groups(R, e, fast, t, ts, ts_cache)
                if r is None:
                    if t is None:
                        if ident is None:
                            ident = _latin1(p, id_start, id_end)
                        t = _single(p, ident, pos, end)
                    r = e[2](e[0], e[1], t, ts, strict)
                if ckey is not None:
                    if len(_lines) >= _LINES_MAX:
                        _lines.clear()
                    _lines[ckey] = r
        except BaseException:
            # a malformed data set later in the body is reported first, as
            # tokenize() then make_readings() would
            tokenize(data, nxt, stop)
            raise
        role = e[4]
        if role >= 0:
            if role == 100:
                if clock < 0:
                    clock = i
            elif role < best and r._value is not None:
                best = role
                ident_at = i
        out.append(r)
        i += 1
        pos = nxt
    return tuple(out), clock, ident_at


cdef inline Py_ssize_t _line_end_c(const unsigned char* p, Py_ssize_t pos, Py_ssize_t n) nogil:
    while pos < n and p[pos] != 13 and p[pos] != 10:
        pos += 1
    return pos


cdef inline int _hexval(unsigned char c) nogil:
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


cdef inline bint _ascii_alpha(unsigned char c) nogil:
    return (65 <= c <= 90) or (97 <= c <= 122)


def frame(buf):
    """Find the parts of the P1 telegram in ``buf`` (see ``_dsmr_purepy.frame``)."""
    if type(buf) is not bytes:
        raise TypeError("frame() needs bytes")
    cdef Py_ssize_t n = PyBytes_GET_SIZE(buf)
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(buf)
    cdef const unsigned char* hit = <const unsigned char*>memchr(p, 47, n)
    cdef Py_ssize_t start, i, header_end, bang, he, eol, a, b, end
    cdef int crc, d
    cdef unsigned char c
    if hit == NULL:
        raise FrameError("no '/' starting a P1 telegram", offset=0)
    start = hit - p
    for i in range(start):
        c = p[i]
        if not (c == 13 or c == 10 or c == 0 or c == 32 or c == 9 or c == 255):
            raise FrameError("data before the '/' of the telegram", offset=0, skip=start)
    header_end = _line_end_c(p, start, n)
    if header_end >= n:
        raise IncompleteError("identification line not terminated", offset=start)
    hit = <const unsigned char*>memchr(p + header_end, 33, n - header_end)
    if hit == NULL:
        raise IncompleteError("no end line '!': telegram incomplete", offset=n)
    bang = hit - p
    he = header_end
    while he > start and (p[he - 1] == 13 or p[he - 1] == 0 or p[he - 1] == 32 or p[he - 1] == 9):
        he -= 1
    header = _latin1(p, start, he)
    if he - start < 5 or not (_ascii_alpha(p[start + 1]) and _ascii_alpha(p[start + 2])
                              and _ascii_alpha(p[start + 3])):
        raise FrameError("bad identification line %r" % (header[:40],), offset=start)
    eol = _line_end_c(p, bang, n)
    a = bang + 1
    b = eol
    while a < b and (p[a] == 0 or p[a] == 32 or p[a] == 9):
        a += 1
    while b > a and (p[b - 1] == 0 or p[b - 1] == 32 or p[b - 1] == 9):
        b -= 1
    crc_value = None
    if b > a:
        crc = 0
        if b - a <= 4:
            for i in range(a, b):
                d = _hexval(p[i])
                if d < 0:
                    crc = -1
                    break
                crc = crc * 16 + d
        else:
            crc = -1
        if crc < 0:
            raise FrameError("malformed CRC %r after '!'" % (_latin1(p, a, b if b < a + 16 else a + 16),),
                             offset=bang + 1)
        crc_value = crc
    if eol + 2 <= n and p[eol] == 13 and (p[eol + 1] == 10 or p[eol + 1] == 0):
        end = eol + 2
    else:
        end = eol + 1 if eol + 1 < n else n
    return start, header_end, bang, end, crc_value, header


def split_tst(str text):
    """Fields of a ``YYMMDDhhmmss[S|W]`` text, or None (see ``_dsmr_purepy.split_tst``)."""
    cdef Py_ssize_t n = len(text)
    cdef int code, i
    cdef int v[6]
    cdef Py_UCS4 c
    if n == 13:
        c = text[12]
        if c == u"S" or c == u"s":
            code = 1
        elif c == u"W" or c == u"w":
            code = 2
        else:
            return None
    elif n == 12:
        code = 0
    else:
        return None
    for i in range(6):
        c = text[2 * i]
        if c < u"0" or c > u"9":
            return None
        v[i] = (<int>c - 48) * 10
        c = text[2 * i + 1]
        if c < u"0" or c > u"9":
            return None
        v[i] += <int>c - 48
    cdef long key = ((v[0] * 100 + v[1]) * 100 + v[2]) * 100 + v[3]
    return (v[0], v[1], v[2], v[3], v[4], v[5], key * 3 + code)
