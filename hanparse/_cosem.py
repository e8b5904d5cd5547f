# cython: annotation_typing=False
# mypy: disable-error-code="no-any-return"
# (mypy reads the C helpers of _cosem_c.pxd, cimported when compiled, as Any)
"""The COSEM value rules that the meters engine runs on every reading: date-time and scaler.

One source for both implementations, like the other compiled modules: this
file runs as plain Python (``hanparse._cosem_py``) and Cython compiles it
in pure-Python mode into ``hanparse._cosem`` (C types in ``_cosem.pxd``,
the octets read in place and the datetime C API in ``_cosem_c.pxd``).

It sits below both of its users and imports none of them:
:mod:`hanparse.cosem` (the public functions, with their documentation)
calls the implementation :mod:`hanparse._impl` chose, and the meters engine
calls it directly (a C call when compiled; the pure-Python engine uses the
pure-Python module).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, NoReturn, Optional

from .errors import DecodeError

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # Cython is a build dependency only: plain Python without it
    from types import SimpleNamespace as _Namespace

    cython = _Namespace(compiled=False)

if cython.compiled:
    from cython.cimports.hanparse._cosem_c import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
        bytes_data,
        init_datetime,
        new_datetime,
    )

    init_datetime()

__all__ = ["timezone_for_deviation", "decode_datetime", "apply_scaler"]

# One tzinfo per deviation, shared: deviations repeat in every frame (16 bits: bounded).
_TZ_CACHE: Dict[int, _dt.timezone] = {}
_POW10 = tuple(10 ** i for i in range(40))


def timezone_for_deviation(deviation: int) -> _dt.timezone:
    """:func:`hanparse.cosem.timezone_for_deviation` (see there)."""
    tz = _TZ_CACHE.get(deviation)
    if tz is None:
        tz = _dt.timezone.utc if deviation == 0 else _dt.timezone(_dt.timedelta(minutes=-deviation))
        _TZ_CACHE[deviation] = tz
    return tz


def _garbage(strict: bool, why: str, raw: Any) -> Optional[NoReturn]:
    # raises or returns None; typed Optional[NoReturn] (not None) so that the
    # date, time and date-time decoders can all ``return _garbage(...)``
    if strict:
        raise DecodeError("invalid COSEM date-time %s: %s" % (bytes(raw).hex(), why))
    return None


def _datetime12(b: Any, ignore_deviation: bool, strict: bool, raw: Any) -> Optional[_dt.datetime]:
    """The date-time of the 12 octets ``b`` (a C pointer when compiled); ``raw`` names them in errors."""
    year = (b[0] << 8) | b[1]
    month = b[2]
    day = b[3]
    hour = b[5]
    minute = b[6]
    if year == 0xFFFF or month >= 0xFD or day >= 0xFD:
        # a recurring date (wildcards), not an instant
        if month < 0xFD and not 1 <= month <= 12:
            return _garbage(strict, "month %d" % month, raw)
        return None
    if hour == 0xFF or minute == 0xFF:
        return _garbage(strict, "date given but time not specified", raw)
    second = b[7]
    if second == 0xFF:
        second = 0
    hundredths = b[8]
    if hundredths == 0xFF:
        hundredths = 0
    elif hundredths > 99:
        return _garbage(strict, "hundredths %d" % hundredths, raw)
    dev = (b[9] << 8) | b[10]
    tz = None
    if dev != 0x8000 and not ignore_deviation:
        if dev > 0x7FFF:
            dev -= 0x10000
        if not -900 <= dev <= 900:
            return _garbage(strict, "deviation %d min" % dev, raw)
        tz = timezone_for_deviation(dev)
    try:
        if cython.compiled:
            return new_datetime(year, month, day, hour, minute, second, hundredths * 10000, tz)
        else:
            return _dt.datetime(year, month, day, hour, minute, second, hundredths * 10000, tz)
    except ValueError as exc:
        return _garbage(strict, str(exc), raw)


def decode_datetime(raw: Any, strict: bool = False, ignore_deviation: bool = False) -> Optional[_dt.datetime]:
    """:func:`hanparse.cosem.decode_datetime` (see there): a 12-byte COSEM date-time as a datetime, or None."""
    if len(raw) != 12:
        if strict:
            raise DecodeError("a COSEM date-time has 12 bytes, got %d" % len(raw))
        return None
    if cython.compiled:  # the octets in place
        if not isinstance(raw, bytes):
            raw = bytes(raw)
        return _datetime12(bytes_data(raw), ignore_deviation, strict, raw)
    else:
        return _datetime12(raw, ignore_deviation, strict, raw)


def apply_scaler(raw: Any, scaler: Any) -> Any:
    """:func:`hanparse.cosem.apply_scaler` (see there): ``raw * 10**scaler``, exact where it can be."""
    if scaler == 0:
        return raw
    t = type(raw)
    if t is int or t is float:
        if scaler > 0:
            return raw * (_POW10[scaler] if scaler < 40 else 10 ** scaler)
        s = -scaler
        return raw / (_POW10[s] if s < 40 else 10 ** s)
    return raw
