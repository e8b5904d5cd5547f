"""Pure-Python twin of ``_meters_speedups``: the hot walks of the meters layer.

The meters layer (:mod:`hanparse.meters`) picks a layout and a profile for
a data-notification body, then hands the body to one of these walks, which
append one :class:`~hanparse.model.Reading` per value to ``ctx.out``:

* :func:`walk` -- generic: in any structure/array, ``OBIS, value [, {scaler,
  unit}]`` runs and ``{OBIS, value [, {scaler, unit}]}`` entries are
  readings; other containers are searched (depth-limited); top-level values
  that are neither go to ``ctx.loose``;
* :func:`walk_kamstrup` -- Kamstrup_V0001: list id, then OBIS/value pairs,
  null-data pairs named by their 3-phase position;
* :func:`walk_positional` -- value-only lists, OBIS code by position.

Integer values are scaled here (frame scaler-unit first, else the profile's
implicit scaler from ``ctx.table``/``ctx.scaling``); every other value type
goes through ``ctx.emit`` so text, clocks and odd types are handled in one
place (:class:`hanparse.meters._decode._Ctx`).

``ctx`` is duck-typed: ``out`` (list), ``table`` (dict Obis -> (scaler,
unit)), ``scaling`` (``.get(obis)`` fills ``table``), ``auto_voltage``
(bool), ``loose`` (list), ``emit(obis, value, su=None)`` and
``_emit_other(obis, value, su, type(value))`` (``emit`` for non-integers).

The model objects stay plain slotted classes (see :mod:`hanparse.model`);
:func:`new_message` and :func:`new_meter_info` build them without running
``__init__``.  The compiled twin fills their slots directly.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .cosem import UNITS, apply_scaler
from .model import Message, MeterInfo, Reading
from .obis import Obis, _by_bytes

__all__ = ["MAX_DEPTH", "is_scaler_unit", "walk", "walk_kamstrup", "walk_positional", "new_message",
           "new_meter_info"]

#: containers nested deeper than this below the body are not searched
MAX_DEPTH = 8

_new = object.__new__
_make = Reading._make
_from_bytes = Obis.from_bytes


def is_scaler_unit(v: Any) -> bool:
    """True for a ``{scaler, unit}`` structure: two ints, the scaler an A-XDR integer (-128..127).

    The range check keeps hostile trees (``{long64, long64}``) from asking
    for ``10 ** (2 ** 63)``.
    """
    return (type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int
            and -128 <= v[0] <= 127)


def _obis(raw: bytes) -> Obis:
    hit = _by_bytes.get(raw)
    return hit if hit is not None else _from_bytes(raw)


def _emit(ctx: Any, obis: Obis, value: Any, su: Any) -> None:
    """One reading; integers inline, everything else through ``ctx.emit``."""
    t = type(value)
    if t is not int:
        ctx._emit_other(obis, value, su, t)  # what ctx.emit does for anything but an int
        return
    if su is not None:
        scaler = su[0]
        code = su[1]
        unit = UNITS[code] if 0 <= code < 256 else None
    else:
        hit = ctx.table.get(obis)
        scaler, unit = hit if hit is not None else ctx.scaling.get(obis)
        if ctx.auto_voltage and unit == "V" and scaler == 0 and value >= 1000:
            scaler = -1
    if scaler:
        ctx.out.append(_make(obis, apply_scaler(value, scaler), unit, None, None, value, None))
    else:
        ctx.out.append(_make(obis, value, unit, None, None, None, None))


def walk(ctx: Any, node: Sequence[Any], depth: int) -> None:
    """Generic walk of ``node`` (a tuple or list) at nesting ``depth`` (0 = the body)."""
    if depth > MAX_DEPTH:
        return
    n = len(node)
    i = 0
    while i < n:
        el = node[i]
        t = type(el)
        if t is bytes and len(el) == 6 and i + 1 < n:
            obis = _obis(el)
            value = node[i + 1]
            i += 2
            if i < n and is_scaler_unit(node[i]):
                _emit(ctx, obis, value, node[i])
                i += 1
            else:
                _emit(ctx, obis, value, None)
            continue
        i += 1
        if t is tuple or t is list:
            m = len(el)
            if m == 0:
                continue
            head = el[0]
            if (m == 2 or m == 3) and type(head) is bytes and len(head) == 6:
                if m == 3:
                    if is_scaler_unit(el[2]):
                        _emit(ctx, _obis(head), el[1], el[2])
                    else:
                        walk(ctx, el, depth + 1)
                    continue
                _emit(ctx, _obis(head), el[1], None)
                continue
            walk(ctx, el, depth + 1)
        elif depth == 0:
            ctx.loose.append(el)


def walk_kamstrup(ctx: Any, body: Sequence[Any], list_id_obis: Obis, order: Sequence[Obis]) -> None:
    """Kamstrup_V0001: ``list id, OBIS, value, OBIS, value ...``.

    The list id (no OBIS code) is reported as ``list_id_obis``.  1-phase
    meters keep the 3-phase element count (25 or 35) and send ``00 00``
    (null OBIS, null value) for the missing phases: those pairs are named
    by their position in ``order`` and reported with value None.  Nested
    containers are walked generically.
    """
    ctx.emit(list_id_obis, body[0])
    n = len(body)
    positional = n == 25 or n == 35
    k = 0
    i = 1
    while i < n:
        el = body[i]
        if type(el) is bytes and len(el) == 6 and i + 1 < n:
            _emit(ctx, _obis(el), body[i + 1], None)
            i += 2
        elif el is None and i + 1 < n and body[i + 1] is None:
            if positional and k < len(order):
                ctx.emit(order[k], None)
            i += 2
        else:
            if (type(el) is tuple or type(el) is list) and el:
                walk(ctx, el, 1)
            i += 1
            continue
        k += 1


def walk_positional(ctx: Any, body: Sequence[Any], start: int, codes: Sequence[Obis]) -> None:
    """Values by position from ``body[start]`` on, OBIS codes from ``codes``.

    Stops at the shorter of the two; an empty octet-string is a placeholder
    (value None).
    """
    n = len(body)
    for k, obis in enumerate(codes):
        i = start + k
        if i >= n:
            break
        value = body[i]
        if isinstance(value, bytes) and len(value) == 0:
            value = None
        _emit(ctx, obis, value, None)


def new_message(format: str, meter: MeterInfo, timestamp: Any, readings: tuple, raw: bytes, encrypted: bool,
                security: Any) -> Message:
    """A :class:`Message` from ready parts (``readings`` a tuple, ``raw`` bytes); no checks."""
    return Message._make(format, meter, timestamp, readings, raw, encrypted, security)


def new_meter_info(manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str],
                   list_id: Optional[str], identification: Optional[str], system_title: Optional[bytes],
                   profile: Optional[str]) -> MeterInfo:
    """A :class:`MeterInfo` from ready parts; no checks."""
    m = _new(MeterInfo)
    m._manufacturer = manufacturer
    m._model = model
    m._meter_id = meter_id
    m._list_id = list_id
    m._identification = identification
    m._system_title = system_title
    m._profile = profile
    return m
