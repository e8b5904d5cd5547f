"""Pure-Python twin of ``_dsmr_speedups``: the DSMR / P1 data-line tokenizer.

One pass over the body of a telegram (the bytes between the identification
line and the ``!`` of the end line) that splits it into data sets::

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
:class:`hanparse.errors.DecodeError` with the byte offset; the compiled twin
raises the same errors with the same messages.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Type

from .errors import DecodeError, FrameError, IncompleteError

if TYPE_CHECKING:
    from .model import Reading

#: a hanparse.dsmr.timestamps parser (not imported: that module imports this one)
TimestampParser = Callable[[str], Any]

__all__ = ["tokenize", "value_kind", "make_readings", "parse_lines", "frame", "split_tst"]

_SEPARATORS = frozenset(b"\r\n\x00 \t")
_DIGITS = frozenset(b"0123456789")


def value_kind(text: str) -> int:
    """The kind code (0-4, see the module docstring) of one value text."""
    n = len(text)
    if n == 0:
        return 0
    if n == 13 and text[12] in "SWsw" and text[:12].isdigit() and text[:12].isascii():
        return 3
    i = 1 if text[0] in "+-" else 0
    if i == n:
        return 4
    j = i
    while j < n and "0" <= text[j] <= "9":
        j += 1
    if j == n:
        return 1
    if j == i or text[j] != ".":
        return 4
    k = j + 1
    while k < n and "0" <= text[k] <= "9":
        k += 1
    if k == n and k > j + 1:
        return 2
    return 4


def _group(data: bytes, pos: int, stop: int) -> Tuple[str, Optional[str], int, int]:
    """Parse one ``(value*unit)`` group starting at ``data[pos] == '('``.

    Returns (value, unit, kind, position after ``)``).
    """
    close = -1
    star = -1
    i = pos + 1
    while i < stop:
        c = data[i]
        if c == 0x29:  # ')'
            close = i
            break
        if c == 0x2A and star < 0:  # '*'
            star = i
        elif c == 0x28 or c == 0x0D or c == 0x0A:  # '(' CR LF
            break
        i += 1
    if close < 0:
        raise DecodeError("unclosed value group", offset=pos)
    if star < 0:
        value = data[pos + 1:close].decode("latin-1")
        unit = None
    else:
        value = data[pos + 1:star].decode("latin-1")
        unit = data[star + 1:close].decode("latin-1") if close > star + 1 else None
    return value, unit, value_kind(value), close + 1


def tokenize(data: bytes, start: int, stop: int) -> List[Tuple[Any, ...]]:
    """Split ``data[start:stop]`` into data-set tuples (see the module docstring).

    ``data`` must be ``bytes``; ``0 <= start <= stop <= len(data)``.
    """
    if not isinstance(data, bytes):
        raise TypeError("tokenize() needs bytes")
    if start < 0 or stop > len(data) or start > stop:
        raise ValueError("bad start/stop")
    out: List[Tuple[Any, ...]] = []
    pos = start
    while pos < stop:
        c = data[pos]
        if c in _SEPARATORS:
            pos += 1
            continue
        if c == 0x28:  # '(' : continuation of the previous data set
            if not out:
                raise DecodeError("value group without an OBIS id", offset=pos)
            groups: List[Any] = []
            while pos < stop and data[pos] == 0x28:
                value, unit, kind, pos = _group(data, pos, stop)
                groups += (value, unit, kind)
            out[-1] = out[-1] + tuple(groups)
            continue
        # the id: everything up to '('
        id_start = pos
        while pos < stop:
            c = data[pos]
            if c == 0x28 or c == 0x0D or c == 0x0A or c == 0x29:
                break
            pos += 1
        if pos >= stop or data[pos] != 0x28:
            raise DecodeError(
                "data line without a value group: %r" % (data[id_start:min(pos, id_start + 40)].decode("latin-1"),),
                offset=id_start)
        if pos == id_start:
            raise DecodeError("value group without an OBIS id", offset=pos)
        line: List[Any] = [data[id_start:pos].decode("latin-1")]
        while pos < stop and data[pos] == 0x28:
            value, unit, kind, pos = _group(data, pos, stop)
            line += (value, unit, kind)
        out.append(tuple(line))
    return out


_MISSING = object()


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
    reading, which only ``parse_lines`` of the compiled twin uses) is handed to
    ``converter(obis, channel, tokens, ts, strict)``.
    Readings are built with ``cls._make`` (``cls`` is the Reading class).
    ``note`` (a repaired OBIS id) is an error when ``strict``.  ``role`` is
    100 for the clock line, 0..99 for a meter-id line (lower wins), -1
    otherwise; ``clock_index``/``id_index`` point at the first clock line
    and the best non-empty id line (-1 when absent).
    """
    make = cls._make
    out: List[Reading] = []
    append = out.append
    clock = -1
    ident = -1
    best = 100
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
                    try:
                        value = float(t[1]) if kind == 2 else int(t[1])
                    except ValueError:
                        value = None
                    if value is not None:
                        r = make(e[0], value, unit, None, e[1])
            elif fast == 2:
                text = t[1]
                r = make(e[0], text if text else None, t[2], None, e[1])
            elif fast == 3:
                text = t[1]
                if not text:
                    r = make(e[0], None, t[2], None, e[1])
                else:
                    decoded = hex_texts.get(text, _MISSING)
                    if decoded is None:
                        r = make(e[0], text, t[2], None, e[1])
                    elif decoded is not _MISSING:
                        r = make(e[0], decoded, t[2], None, e[1], text)
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
        append(r)
        i += 1
    return tuple(out), clock, ident


def parse_lines(data: bytes, start: int, stop: int, entries: Dict[str, Tuple[Any, ...]],
                entry_for: Callable[[str], Tuple[Any, ...]], ts: TimestampParser,
                ts_cache: Dict[str, Tuple[Optional[_dt.datetime], Optional[str]]], strict: bool, cls: Type[Reading],
                hex_texts: Dict[str, Optional[str]]) -> Tuple[Tuple[Reading, ...], int, int]:
    """``make_readings(tokenize(data, start, stop), ...)`` in one call.

    ``ts_cache`` is the text -> ``ts(text)`` cache of the timestamp parser
    (the compiled twin reads it directly and calls ``ts`` on a miss; the
    converters, which this twin uses, go through ``ts``).  Errors are the
    same as those two calls in sequence: a malformed data set anywhere in
    the body is reported before a bad value.
    """
    return make_readings(tokenize(data, start, stop), entries, entry_for, ts, strict, cls, hex_texts)


_LEAD = b"\r\n\x00 \t\xff"
_HEX = b"0123456789abcdefABCDEF"


def _line_end(buf: bytes, pos: int) -> int:
    """Index of the first CR or LF at or after ``pos`` (``len(buf)`` when none)."""
    cr = buf.find(b"\r", pos)
    lf = buf.find(b"\n", pos)
    if cr < 0:
        return len(buf) if lf < 0 else lf
    return cr if lf < 0 or cr < lf else lf


def _parse_crc(text: bytes, offset: int) -> Optional[int]:
    text = text.strip(b"\x00 \t")
    if not text:
        return None
    if len(text) > 4 or text.translate(None, _HEX):
        raise FrameError("malformed CRC %r after '!'" % (text[:16].decode("latin-1"),), offset=offset)
    return int(text, 16)


def frame(buf: bytes) -> Tuple[int, int, int, int, Optional[int], str]:
    """Find the parts of the P1 telegram in ``buf``: ``(start, header_end, bang, end, crc, header)``.

    ``buf[start]`` is the ``/``, ``buf[start:header_end]`` the identification
    line (``header`` is its text without trailing NUL/space/tab), ``buf[bang]``
    the ``!`` and ``end`` the position after the end line (its CR LF or
    CR NUL, or LF).  ``crc`` is the CRC the telegram states (None when it has
    none); it is not checked here.  Before the ``/`` only CR, LF, NUL,
    space, tab and 0xFF may come.  Raises FrameError or IncompleteError.
    """
    start = buf.find(b"/")
    if start < 0:
        raise FrameError("no '/' starting a P1 telegram", offset=0)
    if buf[:start].strip(_LEAD):
        raise FrameError("data before the '/' of the telegram", offset=0, skip=start)
    header_end = _line_end(buf, start)
    if header_end >= len(buf):
        raise IncompleteError("identification line not terminated", offset=start)
    bang = buf.find(b"!", header_end)
    if bang < 0:
        raise IncompleteError("no end line '!': telegram incomplete", offset=len(buf))
    header = buf[start:header_end].rstrip(b"\r\x00 \t").decode("latin-1")
    if len(header) < 5 or not header[1:4].isalpha() or not header[1:4].isascii():
        raise FrameError("bad identification line %r" % (header[:40],), offset=start)
    eol = _line_end(buf, bang)
    crc = _parse_crc(buf[bang + 1:eol], bang + 1)
    end = eol + 2 if buf[eol:eol + 2] in (b"\r\n", b"\r\x00") else min(eol + 1, len(buf))
    return start, header_end, bang, end, crc, header


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
        flag = text[12]
        if flag == "S" or flag == "s":
            code = 1
        elif flag == "W" or flag == "w":
            code = 2
        else:
            return None
    elif n == 12:
        code = 0
    else:
        return None
    digits = text[:12]
    if not (digits.isdigit() and digits.isascii()):
        return None
    v = [int(digits[i:i + 2]) for i in range(0, 12, 2)]
    key = ((v[0] * 100 + v[1]) * 100 + v[2]) * 100 + v[3]
    return (v[0], v[1], v[2], v[3], v[4], v[5], key * 3 + code)
