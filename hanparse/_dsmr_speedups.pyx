# cython: language_level=3
"""Compiled twin of ``_dsmr_purepy``: the DSMR / P1 data-line tokenizer.

Same names, results and errors as the pure-Python module; see its
docstring for the output format and the kind codes.  The loop walks a
``const unsigned char*`` over the bytes object, so the body is read once
with no copies other than the Latin-1 strings it returns.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeLatin1

from hanparse.errors import DecodeError

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


__all__ = ["tokenize", "value_kind", "make_readings", "split_tst"]


cdef inline bint _is_sep(unsigned char c) nogil:
    return c == 13 or c == 10 or c == 0 or c == 32 or c == 9


cdef inline bint _is_digit(unsigned char c) nogil:
    return 48 <= c <= 57


cdef int _kind(const unsigned char* p, Py_ssize_t n) nogil:
    cdef Py_ssize_t i, j, k
    if n == 0:
        return 0
    if n == 13 and (p[12] == 83 or p[12] == 87):  # 'S' 'W'
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
        while pos < stop:
            c = p[pos]
            if c == 40 or c == 13 or c == 10 or c == 41:
                break
            pos += 1
        if pos >= stop or p[pos] != 40:
            end = pos if pos < id_start + 40 else id_start + 40
            raise DecodeError(
                "data line without a value group: %r" % (_latin1(p, id_start, end),),
                offset=id_start)
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
    cdef object r, value, kind, text, decoded
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
                if kind == 2 or kind == 1:
                    try:
                        value = float(t[1]) if kind == 2 else int(t[1])
                    except ValueError:
                        value = None
                    if value is not None:
                        r = _build(R, e[0], value, t[2], None, e[1], None, None)
            elif fast == 2:
                text = t[1]
                r = _build(R, e[0], text if text else None, t[2], None, e[1], None, None)
            else:
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


def split_tst(str text):
    """Fields of a ``YYMMDDhhmmss[S|W]`` text, or None (see ``_dsmr_purepy.split_tst``)."""
    cdef Py_ssize_t n = len(text)
    cdef int code, i
    cdef int v[6]
    cdef Py_UCS4 c
    if n == 13:
        c = text[12]
        if c == u"S":
            code = 1
        elif c == u"W":
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
