# cython: annotation_typing=False
# mypy: disable-error-code="no-any-return"
# (mypy reads the C helpers of _dsmr_c.pxd, cimported when compiled, as Any)
"""The DSMR / P1 data lines: tokenizer, value kinds, numbers, Readings, the telegram frame.

One source for both implementations.  This file runs as plain Python, and
Cython compiles it (pure-Python mode) into the extension module
``hanparse._dsmr``: ``_dsmr.pxd`` beside it gives the C types (the body
is walked as a ``const unsigned char*`` where plain Python indexes the
bytes object), and ``_dsmr_c.pxd`` the C-only pieces (``memchr``, numbers
read in place, the slot layout of the Reading class, two byte-keyed
tables), reached under ``if cython.compiled:``.  :mod:`hanparse._impl`
loads the compiled module, or this file as ``hanparse._dsmr_py``;
``tests/test_dsmr_tokenizer.py`` holds the two together.

One pass over the body of a telegram (the bytes between the identification
line and the ``!`` of the end line) splits it into data sets::

    1-0:1.8.1(001581.123*kWh)\\r\\n           ->  ("1-0:1.8.1", "001581.123", "kWh", 2)
    0-1:24.2.1(101209112500W)(12785.123*m3)  ->  ("0-1:24.2.1", "101209112500W", None, 3,
                                                                "12785.123", "m3", 2)
    0-0:96.13.0()                            ->  ("0-0:96.13.0", "", None, 0)

Each data set is a flat tuple: the id text, then for every ``(...)`` group
its value text, its unit (the text after the first ``*``, or None) and a
*kind* code classifying the value text:

====  =======================================================
kind  value text
====  =======================================================
0     empty
1     integer: optional sign, digits (``00004``, ``-063``)
2     decimal: optional sign, digits ``.`` digits (``01.193``)
3     DSMR timestamp: 12 digits and ``S`` or ``W`` (also lower-case ``s``/``w``)
4     anything else (hex, identifiers, OBIS codes, text)
====  =======================================================

Separators between data sets are CR, LF, NUL, space and tab, so LF-only
line ends and ``\\r\\x00`` gateways work, and two data sets written on one
line (``...(1)0-0:1.0.0(...)``, IEC 62056-21) are split.  A line that starts
with ``(`` continues the previous data set (DSMR 2.2/3.0 put the gas value
of ``0-n:24.3.0`` on the next line).  Text is decoded as Latin-1, so no byte
can raise UnicodeDecodeError.  Malformed input raises
:class:`hanparse.errors.DecodeError` with the byte offset.

:func:`number` is the one rule turning a value text into its number;
:mod:`hanparse.dsmr.grammar` uses it too.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Type, Union

from .errors import DecodeError, FrameError, IncompleteError

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # Cython is a build dependency only: plain Python without it
    from types import SimpleNamespace as _Namespace

    cython = _Namespace(compiled=False)

if cython.compiled:
    from cython.cimports.hanparse._dsmr_c import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        clear_id_entries,
        find,
        float_of,
        id_entry,
        int_of,
        slots_for,
        store_id_entry,
        unit_text,
    )
    from cython.cimports.hanparse._slots_c import build  # type: ignore[import-not-found, import-untyped, unused-ignore]
else:
    _slots = None  # compiled: the C struct of _dsmr.pxd holding the Reading class's slot layout

if TYPE_CHECKING:
    from .model import Reading

#: a hanparse.dsmr.timestamps parser (not imported: that module imports this one)
TimestampParser = Callable[[str], Any]

__all__ = ["tokenize", "value_kind", "number", "make_readings", "parse_lines", "frame", "split_tst"]


# ---------------------------------------------------------------------------
# bytes, kinds, numbers
# ---------------------------------------------------------------------------

def _is_sep(c: int) -> bool:
    """A separator between data sets: CR, LF, NUL, space, tab."""
    return c == 13 or c == 10 or c == 0 or c == 32 or c == 9


def _latin1(p: bytes, a: int, b: int) -> str:
    """The text of ``p[a:b]`` (Latin-1: every byte is a character)."""
    return p[a:b].decode("latin-1")


def _kind(p: bytes, a: int, b: int) -> int:
    """The kind code (0-4, see the module docstring) of the value text ``p[a:b]``."""
    if a == b:
        return 0
    i = a + 1 if (p[a] == 43 or p[a] == 45) else a  # '+' '-'
    if i == b:
        return 4
    j = i
    while j < b and 48 <= p[j] <= 57:
        j += 1
    if j == b:
        return 1
    if i == a and j == a + 12 and b == a + 13:  # 12 digits (no sign) and a letter: a timestamp when S/W
        c = p[j]
        return 3 if (c == 83 or c == 87 or c == 115 or c == 119) else 4
    if j == i or p[j] != 46:  # '.'
        return 4
    k = j + 1
    while k < b and 48 <= p[k] <= 57:
        k += 1
    if k == b and k > j + 1:
        return 2
    return 4


def value_kind(text: str) -> int:
    """The kind code (0-4, see the module docstring) of one value text."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return 4
    return _kind(raw, 0, len(raw))


def number(text: str, kind: int) -> Union[int, float, str, None]:
    """The value of a value text of kind ``kind``: int for 1, float for 2, None for 0, else the text.

    An integer beyond int()'s digit limit stays text.  A kind-4 text that
    is a decimal with a comma (DSMR 3.0 printed F7(0,3) as ``0,3``) is
    read as that decimal.
    """
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
        dotted = text.replace(",", ".", 1)
        if value_kind(dotted) == 2:
            return float(dotted)
    return text


def _find(p: bytes, c: int, a: int, b: int) -> int:
    """Index of the first byte ``c`` in ``p[a:b]``, or -1."""
    if cython.compiled:
        return find(p, c, a, b)
    return p.find(c, a, b)


# ---------------------------------------------------------------------------
# tokenize
# ---------------------------------------------------------------------------

def _check(data: bytes, start: int, stop: int) -> None:
    if type(data) is not bytes:
        raise TypeError("tokenize() needs bytes")
    if start < 0 or stop > len(data) or start > stop:
        raise ValueError("bad start/stop")


def _id_end(p: bytes, pos: int, stop: int) -> int:
    """End of the OBIS id starting at ``pos``: the ``(`` of its first value group.

    A line that reaches CR, LF, ``)`` or the end first is a DecodeError.
    """
    id_start = pos
    while pos < stop:
        c = p[pos]
        if c == 0x28 or c == 0x0D or c == 0x0A or c == 0x29:  # '(' CR LF ')'
            break
        pos += 1
    if pos >= stop or p[pos] != 0x28:
        raise DecodeError("data line without a value group: %r" % (_latin1(p, id_start, min(pos, id_start + 40)),),
                          offset=id_start)
    return pos


def _group_end(p: bytes, pos: int, stop: int) -> int:
    """Position of the ``)`` closing the group at ``p[pos] == '('``."""
    i = pos + 1
    while i < stop:
        c = p[i]
        if c == 0x29:
            return i
        if c == 0x28 or c == 0x0D or c == 0x0A:
            break
        i += 1
    raise DecodeError("unclosed value group", offset=pos)


def _group(p: bytes, pos: int, stop: int, acc: List[Any]) -> int:
    """Append value, unit and kind of the group at ``p[pos] == '('`` to ``acc``; return the position after it."""
    close = _group_end(p, pos, stop)
    star = _find(p, 0x2A, pos + 1, close)  # '*'
    if star < 0:
        star = close
    acc.append(_latin1(p, pos + 1, star))
    acc.append(_latin1(p, star + 1, close) if close > star + 1 else None)
    acc.append(_kind(p, pos + 1, star))
    return close + 1


def _single(p: bytes, ident: str, pos: int, close: int) -> Tuple[Any, ...]:
    """``(ident, value, unit, kind)`` of the group ``p[pos] == '('`` .. ``p[close] == ')'``."""
    star = _find(p, 0x2A, pos + 1, close)
    if star < 0:
        star = close
    return (ident, _latin1(p, pos + 1, star), _latin1(p, star + 1, close) if close > star + 1 else None,
            _kind(p, pos + 1, star))


def tokenize(data: bytes, start: int, stop: int) -> List[Tuple[Any, ...]]:
    """Split ``data[start:stop]`` into data-set tuples (see the module docstring).

    ``data`` must be ``bytes``; ``0 <= start <= stop <= len(data)``.
    """
    _check(data, start, stop)
    p = data
    out: List[Tuple[Any, ...]] = []
    pos = start
    while pos < stop:
        c = p[pos]
        if _is_sep(c):
            pos += 1
            continue
        if c == 0x28:  # '(' : continuation of the previous data set
            if not out:
                raise DecodeError("value group without an OBIS id", offset=pos)
            line: List[Any] = []
            while pos < stop and p[pos] == 0x28:
                pos = _group(p, pos, stop, line)
            last = len(out) - 1
            out[last] = out[last] + tuple(line)
            continue
        id_start = pos
        pos = _id_end(p, pos, stop)
        if pos == id_start:
            raise DecodeError("value group without an OBIS id", offset=pos)
        ident = _latin1(p, id_start, pos)
        end = _group_end(p, pos, stop)
        if end + 1 >= stop or p[end + 1] != 0x28:  # the common case, one group: the 4-tuple directly
            out.append(_single(p, ident, pos, end))
            pos = end + 1
            continue
        line = [ident]
        while pos < stop and p[pos] == 0x28:
            pos = _group(p, pos, stop, line)
        out.append(tuple(line))
    return out


# ---------------------------------------------------------------------------
# Readings
# ---------------------------------------------------------------------------

_MISSING = object()


def _layout(cls: Type[Reading]) -> Any:
    """How Readings of ``cls`` are made: compiled, its slot layout (filled in place); pure, ``cls._make``."""
    if cython.compiled:
        return slots_for(cls, cython.address(_slots))
    return cls._make


def _reading(R: Any, a0: Any, a1: Any, a2: Any, a3: Any, a4: Any, a5: Any, a6: Any) -> Reading:
    """``cls._make(a0, ..., a6)`` for the ``cls`` of ``R = _layout(cls)``."""
    if cython.compiled:
        return build(R, a0, a1, a2, a3, a4, a5, a6)
    return R(a0, a1, a2, a3, a4, a5, a6)


def _text_reading(R: Any, e: Tuple[Any, ...], fast: int, text: str, unit: Optional[str],
                  hex_texts: Dict[str, Optional[str]]) -> Optional[Reading]:
    """The Reading of a one-group text line (``fast`` 2: as sent; 3: hex text), or None for the converter.

    Empty text is None.  ``hex_texts`` maps a hex string to its decoded
    text or None (not text: kept as sent); a string not in it goes to the
    converter, which fills it.
    """
    if not text:
        return _reading(R, e[0], None, unit, None, e[1], None, None)
    if fast == 2:
        return _reading(R, e[0], text, unit, None, e[1], None, None)
    decoded = hex_texts.get(text, _MISSING)
    if decoded is None:
        return _reading(R, e[0], text, unit, None, e[1], None, None)
    if decoded is not _MISSING:
        return _reading(R, e[0], decoded, unit, None, e[1], text, None)
    return None


def _note_role(role: int, r: Reading, i: int, found: Any) -> int:
    """Note line ``i`` in ``found``: ``[clock line, best id role, id line]``.

    ``role`` 100 is the clock (the first one counts), 0..99 a meter-id line
    (the lowest role with a value wins), -1 anything else.
    """
    if role == 100:
        if found[0] < 0:
            found[0] = i
    elif 0 <= role < found[1] and r._value is not None:
        found[1] = role
        found[2] = i
    return 0


def make_readings(lines: List[Tuple[Any, ...]], entries: Dict[str, Tuple[Any, ...]],
                  entry_for: Callable[[str], Tuple[Any, ...]], ts: TimestampParser, strict: bool, cls: Type[Reading],
                  hex_texts: Dict[str, Optional[str]]) -> Tuple[Tuple[Reading, ...], int, int]:
    """Turn tokenized data sets into Readings: ``(readings_tuple, clock_index, id_index)``.

    ``entries`` maps an id text to ``(obis, channel, converter, note, role,
    fast)`` and ``entry_for(id)`` makes a missing entry.  Single-group
    lines are built here directly (the hot path) when ``fast`` is 1 (one
    number: int or float; a unit holding a comma, ``(v*u,v*u)``, goes to
    the converter), 2 (text kept as sent, None when empty) or 3
    (hex text: ``hex_texts`` maps a hex string to its decoded text or None;
    a string not in it goes to the converter, which fills it).  Every other
    line (and every line with another ``fast`` code: 4 clock, 5 peaks, 6 M-Bus
    reading, which only the compiled ``parse_lines`` uses) is handed to
    ``converter(obis, channel, tokens, ts, strict)``.
    Readings are built as ``cls._make`` builds them (``cls`` is the Reading class).
    ``note`` (a repaired OBIS id) is an error when ``strict``.  ``role`` is
    100 for the clock line, 0..99 for a meter-id line (lower wins), -1
    otherwise; ``clock_index``/``id_index`` point at the first clock line
    and the best non-empty id line (-1 when absent).
    """
    R = _layout(cls)
    out: List[Reading] = []
    found = [-1, 100, -1]  # clock line, best id role, id line (see _note_role)
    i = 0
    for t in lines:
        e = entries.get(t[0])
        if e is None:
            e = entry_for(t[0])
        if e[3] is not None and strict:
            raise DecodeError(e[3])
        r: Optional[Reading] = None
        fast = e[5]
        if fast and len(t) == 4:
            if fast == 1:
                kind = t[3]
                unit = t[2]
                if (kind == 2 or kind == 1) and (unit is None or "," not in unit):
                    r = _reading(R, e[0], number(t[1], kind), unit, None, e[1], None, None)
            elif fast == 2 or fast == 3:
                r = _text_reading(R, e, fast, t[1], t[2], hex_texts)
        if r is None:
            r = e[2](e[0], e[1], t, ts, strict)
        _note_role(e[4], r, i, found)
        out.append(r)
        i += 1
    return tuple(out), found[0], found[2]


def parse_lines(data: bytes, start: int, stop: int, entries: Dict[str, Tuple[Any, ...]],
                entry_for: Callable[[str], Tuple[Any, ...]], ts: TimestampParser,
                ts_cache: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]], strict: bool, cls: Type[Reading],
                hex_texts: Dict[str, Optional[str]]) -> Tuple[Tuple[Reading, ...], int, int]:
    """``make_readings(tokenize(data, start, stop), ...)``, in one pass when compiled.

    ``ts_cache`` is the text -> ``ts(text)`` cache of the timestamp parser
    (the compiled pass reads it directly and calls ``ts`` on a miss; the
    converters go through ``ts``).  Errors are the same as those two calls
    in sequence: a malformed data set anywhere in the body is reported
    before a bad value.  Pure Python runs the two calls: the one pass
    gains only where its line and id tables are C.
    """
    if cython.compiled:
        return _parse_lines_pass(data, start, stop, entries, entry_for, ts, ts_cache, strict, cls, hex_texts)
    return make_readings(tokenize(data, start, stop), entries, entry_for, ts, strict, cls, hex_texts)


# The compiled one pass.  One-group lines become Readings straight from the
# bytes (no token tuple, numbers read in place); a several-group data set
# (power-failure logs, billing/peak histories, M-Bus readings) repeats from
# telegram to telegram, and its Reading is a function of its bytes, ts and
# strict (and of its entry, fixed per ``entries`` dict): _lines keeps it.
# Bounded: lines up to _LINE_MAX bytes, emptied when _LINES_MAX are held.
# The id table of _dsmr_c and _lines are emptied whenever another
# ``entries`` dict comes.
_lines: Dict[Tuple[bytes, Any, bool], Reading] = {}
_ids_owner: Any = None
_LINE_MAX = 2048
_LINES_MAX = 256


def _tst(text: str, cache: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]],
         ts: TimestampParser) -> Tuple[Optional[_dt.datetime], Optional[str]]:
    """``ts(text)``: (datetime or None, warning or None), from the parser's text cache when there."""
    hit = cache.get(text)
    if hit is None:
        hit = ts(text)
    return hit


def _one_group(R: Any, e: Tuple[Any, ...], fast: int, p: bytes, pos: int, close: int, ts: TimestampParser,
               ts_cache: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]],
               hex_texts: Dict[str, Optional[str]]) -> Optional[Reading]:
    """The Reading of a one-group line ``p[pos] == '('`` .. ``p[close] == ')'``, or None for the converter."""
    star = _find(p, 0x2A, pos + 1, close)
    if star < 0:
        star = close
    unit = None
    if close > star + 1:
        unit = unit_text(p, star + 1, close)
    kind = _kind(p, pos + 1, star)
    if fast == 1 or fast == 5:  # generic (a one-group 0-0:98.1.0 is generic too)
        if unit is not None and _find(p, 0x2C, star + 1, close) >= 0:
            return None  # ``(v*u,v*u)``: two values in one group, for the converter
        if kind == 2 or kind == 1:
            value = float_of(p, pos + 1, star) if kind == 2 else int_of(p, pos + 1, star)
            if value is None:
                value = number(_latin1(p, pos + 1, star), kind)
            return _reading(R, e[0], value, unit, None, e[1], None, None)
        if kind == 0:
            return _reading(R, e[0], None, unit, None, e[1], None, None)
        if kind != 3:
            return None
    elif fast == 4:  # the clock
        if kind == 0:
            return _reading(R, e[0], None, unit, None, e[1], None, None)
    elif fast == 2 or fast == 3:
        return _text_reading(R, e, fast, _latin1(p, pos + 1, star) if kind else "", unit, hex_texts)
    else:
        return None
    text = _latin1(p, pos + 1, star)  # a timestamp
    hit = _tst(text, ts_cache, ts)
    if hit[1] is not None:
        return None
    return _reading(R, e[0], hit[0], unit, None, e[1], text, None)


def _groups(R: Any, e: Tuple[Any, ...], fast: int, t: Tuple[Any, ...], ts: TimestampParser,
            ts_cache: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]]) -> Optional[Reading]:
    """The Reading of a several-group generic line (``grammar._c_generic``), or None for the converter."""
    n = len(t)
    if fast == 5:
        if not (n < 10 or t[3] != 1 or ":" not in t[4]):
            return None  # the Belgian peak history: its converter
    elif fast != 1 and fast != 6:
        return None
    if n == 4:
        return None
    if n == 7:
        if t[3] == 3 and (t[6] == 1 or t[6] == 2 or t[6] == 0):
            hit = _tst(t[1], ts_cache, ts)
            if hit[1] is not None:
                return None
            return _reading(R, e[0], number(t[4], t[6]), t[5], hit[0], e[1], None, None)
        return None  # other two-group shapes (value first, TST12, ...): the converter decides
    values: List[Any] = []
    raws: List[str] = []
    units = 0
    unit = None
    for i in range(1, n, 3):
        v = t[i]
        u = t[i + 1]
        k = t[i + 2]
        value: Any
        if k == 3:
            hit = _tst(v, ts_cache, ts)
            if hit[1] is not None:
                return None
            value = hit[0]
        else:
            value = number(v, k)
        values.append(value)
        if u is None:
            raws.append(v)
        else:
            raws.append(v + "*" + u)
            if units == 0:
                unit = u
                units = 1
            elif units == 1 and u != unit:
                units = 2
    return _reading(R, e[0], tuple(values), unit if units == 1 else None, None, e[1], tuple(raws), None)


def _parse_lines_pass(data: bytes, start: int, stop: int, entries: Dict[str, Tuple[Any, ...]],
                      entry_for: Callable[[str], Tuple[Any, ...]], ts: TimestampParser,
                      ts_cache: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]], strict: bool,
                      cls: Type[Reading], hex_texts: Dict[str, Optional[str]]) -> Tuple[Tuple[Reading, ...], int, int]:
    """:func:`parse_lines` compiled: tokenize and convert in one pass over the bytes."""
    global _ids_owner
    _check(data, start, stop)
    p = data
    R = _layout(cls)
    out = []
    pos = start
    found = [-1, 100, -1]  # clock line, best id role, id line (see _note_role)
    i = 0
    if entries is not _ids_owner:
        clear_id_entries()
        _lines.clear()
        _ids_owner = entries
    while pos < stop:
        c = p[pos]
        if _is_sep(c):
            pos += 1
            continue
        if c == 0x28:  # continuations are read with their data set: this one has none
            raise DecodeError("value group without an OBIS id", offset=pos)
        id_start = pos
        pos = _id_end(p, pos, stop)
        ident = None
        id_end = pos
        end = _group_end(p, pos, stop)
        nxt = end + 1
        while nxt < stop and _is_sep(p[nxt]):
            nxt += 1
        single = not (nxt < stop and p[nxt] == 0x28)
        t: Any = None  # the token tuple, made only when a converter or _groups needs it
        ckey = None
        r = None
        if single:
            nxt = end + 1
        else:
            # the end of the data set: its groups, then any continuation lines
            q = end + 1
            while True:
                while q < stop and p[q] == 0x28:
                    q = _group_end(p, q, stop) + 1
                nxt = q
                while nxt < stop and _is_sep(p[nxt]):
                    nxt += 1
                if nxt >= stop or p[nxt] != 0x28:
                    break
                q = nxt
            nxt = q
            if nxt - id_start <= _LINE_MAX:
                ckey = (p[id_start:nxt], ts, strict)
                r = _lines.get(ckey)
        if r is None and not single:  # (r is not None: a repeated several-group line)
            ident = _latin1(p, id_start, id_end)
            line = [ident]
            while pos < stop and p[pos] == 0x28:
                pos = _group(p, pos, stop, line)
            while True:  # continuation lines: '(' first after the line end
                q = pos
                while q < stop and _is_sep(p[q]):
                    q += 1
                if q >= stop or p[q] != 0x28:
                    break
                pos = q
                while pos < stop and p[pos] == 0x28:
                    pos = _group(p, pos, stop, line)
            t = tuple(line)
            nxt = pos
        try:
            e = id_entry(p, id_start, id_end)
            if e is None:
                if ident is None:
                    ident = _latin1(p, id_start, id_end)
                e = entries.get(ident)
                if e is not None:
                    store_id_entry(p, id_start, id_end, e)
                else:
                    e = entry_for(ident)
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
        _note_role(e[4], r, i, found)
        out.append(r)
        i += 1
        pos = nxt
    return tuple(out), found[0], found[2]


# ---------------------------------------------------------------------------
# the telegram frame, timestamps
# ---------------------------------------------------------------------------

def _line_end(p: bytes, pos: int, n: int) -> int:
    """Index of the first CR or LF at or after ``pos`` (``n`` when none)."""
    while pos < n and p[pos] != 13 and p[pos] != 10:
        pos += 1
    return pos


def _hexval(c: int) -> int:
    """The value of the hex digit byte ``c``, or -1."""
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


def _ascii_alpha(c: int) -> bool:
    return (65 <= c <= 90) or (97 <= c <= 122)


def frame(buf: bytes) -> Tuple[int, int, int, int, Optional[int], str]:
    """Find the parts of the P1 telegram in ``buf``: ``(start, header_end, bang, end, crc, header)``.

    ``buf[start]`` is the ``/``, ``buf[start:header_end]`` the identification
    line (``header`` is its text without trailing NUL/space/tab), ``buf[bang]``
    the ``!`` and ``end`` the position after the end line (its CR LF or
    CR NUL, or LF).  ``crc`` is the CRC the telegram states (None when it has
    none); it is not checked here.  Before the ``/`` only CR, LF, NUL,
    space, tab and 0xFF may come.  Raises FrameError or IncompleteError.
    """
    if type(buf) is not bytes:
        raise TypeError("frame() needs bytes")
    p = buf
    n = len(buf)
    start = _find(p, 0x2F, 0, n)  # '/'
    if start < 0:
        raise FrameError("no '/' starting a P1 telegram", offset=0)
    for i in range(start):
        c = p[i]
        if not (_is_sep(c) or c == 255):
            raise FrameError("data before the '/' of the telegram", offset=0, skip=start)
    header_end = _line_end(p, start, n)
    if header_end >= n:
        raise IncompleteError("identification line not terminated", offset=start)
    bang = _find(p, 0x21, header_end, n)  # '!'
    if bang < 0:
        raise IncompleteError("no end line '!': telegram incomplete", offset=n)
    he = header_end
    while he > start and (p[he - 1] == 13 or p[he - 1] == 0 or p[he - 1] == 32 or p[he - 1] == 9):
        he -= 1
    header = _latin1(p, start, he)
    if he - start < 5 or not (_ascii_alpha(p[start + 1]) and _ascii_alpha(p[start + 2])
                              and _ascii_alpha(p[start + 3])):
        raise FrameError("bad identification line %r" % (header[:40],), offset=start)
    eol = _line_end(p, bang, n)
    a = bang + 1
    b = eol
    while a < b and (p[a] == 0 or p[a] == 32 or p[a] == 9):
        a += 1
    while b > a and (p[b - 1] == 0 or p[b - 1] == 32 or p[b - 1] == 9):
        b -= 1
    crc_value = None
    if b > a:
        crc = 0 if b - a <= 4 else -1
        k = a
        while crc >= 0 and k < b:
            d = _hexval(p[k])
            crc = crc * 16 + d if d >= 0 else -1
            k += 1
        if crc < 0:
            raise FrameError("malformed CRC %r after '!'" % (_latin1(p, a, min(b, a + 16)),), offset=bang + 1)
        crc_value = crc
    if eol + 2 <= n and p[eol] == 13 and (p[eol + 1] == 10 or p[eol + 1] == 0):
        end = eol + 2
    else:
        end = min(eol + 1, n)
    return start, header_end, bang, end, crc_value, header


def split_tst(text: str) -> Optional[Tuple[int, int, int, int, int, int, int]]:
    """Fields of a ``YYMMDDhhmmss[S|W]`` text, or None when it is not that shape.

    The flag may be lower case (``s``/``w``, sent by some meters).

    Returns ``(yy, month, day, hour, minute, second, key)`` with
    ``key = YYMMDDhh * 3 + (0 no flag, 1 S, 2 W)``, an int naming the hour
    and flag (the UTC offset is the same for every time with one key in
    European zones).  Field ranges are not checked.
    """
    n = len(text)
    if n == 13:
        c = text[12]
        if c == "S" or c == "s":
            code = 1
        elif c == "W" or c == "w":
            code = 2
        else:
            return None
    elif n == 12:
        code = 0
    else:
        return None
    digits = 0  # the 12 digits as one number, YYMMDDhhmmss
    for i in range(12):
        c = text[i]
        if c < "0" or c > "9":
            return None
        digits = digits * 10 + (ord(c) - 48)
    hour = digits // 10000  # YYMMDDhh
    return (hour // 1000000, hour // 10000 % 100, hour // 100 % 100, hour % 100, digits // 100 % 100,
            digits % 100, hour * 3 + code)
