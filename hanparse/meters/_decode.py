"""Turn the Data tree of a data-notification into Readings.

Layouts recognised (dlms.md 2.3), tried in this order, by content only:

1. push-object-list then values: ``structure{ array of descriptors
   {class-id, OBIS, attribute, data-index, ...}, value 1, value 2 ... }``;
   descriptor i describes structure element i (descriptor 0 is the list
   itself).  Landis+Gyr E360/E450/E570, Iskra AM550 (CH), Energomera.
2. positional value lists without OBIS codes, recognised by their exact
   element count and the kind of every element (the rows of
   :mod:`._lists`): Kaifa KFM_001 (Norway), Iskraemeco Slovenia, Croatia
   and Switzerland, Wiener Netze, Kärnten Netz, Wels, Netz Burgenland.
3. everything else is walked generically: in any structure or array,
   ``OBIS (6-byte octet-string), value [, {scaler, unit}]`` runs are
   readings, other containers are searched (bounded depth).  This covers
   register triplets (Aidon, Embriq, Iskra, Kaifa AT, Salzburg), flat
   OBIS/value pairs (Kamstrup, Kaifa SE, L+G) and flat OBIS/value/
   scaler-unit lists (Netz NO, Sagemcom T210-D).

A structure in which the walk finds nothing (a value list no row knows,
or one that two rows fit) is reported value by value under position
markers (``_lists.position_obis``), unscaled and without units, with
profile "unknown" and a warning naming its element count and types.

Scalers carried in the frame always win; otherwise the profile's implicit
scaler for the quantity applies (see :mod:`._profiles`), or the value is
left as sent with no unit.

This module holds the public API (options, result type); the detection and
walks themselves are :mod:`hanparse.meters._walk`, one source that runs compiled
(the extension ``hanparse.meters._walk``) or as plain Python
(``hanparse.meters._walk_py``), as :mod:`hanparse._impl` selects.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional, Tuple, Union

from .. import _impl
from ..model import MeterInfo, Reading
from ._options import Options

__all__ = ["MeterData", "Options", "decode_notification", "decode_parts"]

#: the decoding engine (hanparse.meters._walk), compiled or as plain Python
if TYPE_CHECKING:
    from . import _walk as _meters
else:
    _meters = _impl.select("meters")


#: the options used when none are given
DEFAULT_OPTIONS = Options()


def normalize_options(options: Union[None, Options, Mapping[str, Any]]) -> Options:
    """An :class:`Options` from None (the defaults), an Options, or a mapping of its fields (TypeError otherwise)."""
    if options is None:
        return DEFAULT_OPTIONS
    if isinstance(options, Options):
        return options
    if isinstance(options, Mapping):
        unknown = set(options) - set(Options._fields)
        if unknown:
            raise TypeError("unknown meter option(s): %s" % ", ".join(sorted(map(str, unknown))))
        return Options(**options)
    raise TypeError("options must be a hanparse.meters.Options or a mapping, not %s" % type(options).__name__)


class _MeterData(NamedTuple):
    meter: MeterInfo
    timestamp: Optional[_dt.datetime]
    readings: Tuple[Reading, ...]


class MeterData(_MeterData):
    """What the meters layer makes of one notification body.

    ``meter``: :class:`~hanparse.model.MeterInfo`; ``timestamp``: the meter
    clock (notification header, else the clock object in the body; None
    when absent or flagged invalid); ``readings``: tuple of Readings in
    frame order; ``warnings``: tuple of message-level warnings (empty when
    all is well), e.g. ``"list not recognised: 9 elements, types ..."``.

    A 3-tuple ``(meter, timestamp, readings)``: ``warnings`` is an attribute
    beside the tuple (so ``meter, timestamp, readings = data`` keeps
    working) and is not part of ``==``.
    """

    warnings: Tuple[str, ...] = ()


def decode_notification(
    body: Any,
    clock: Any = None,
    *,
    system_title: Optional[bytes] = None,
    options: Union[None, Options, Mapping[str, Any]] = None,
) -> MeterData:
    """Decode the body (and header clock) of a data-notification into :class:`MeterData`.

    ``body``: the A-XDR Data tree (tuples for structures, lists for arrays,
    bytes for octet-strings ...); ``clock``: the notification date-time
    (12 raw bytes, a :class:`~hanparse.dlms.types.DateTime`, or None);
    ``system_title``: the 8-byte system title of a ciphered APDU (helps to
    pick the profile); ``options``: :class:`Options` or a mapping of its
    fields.

    Detection is by content only and deterministic.  Unknown layouts still
    give every OBIS/value pair found.  Raises :class:`DecodeError` only when
    ``body`` is not a Data tree at all.
    """
    meter, timestamp, readings, warnings = _meters.decode_parts(
        body, clock, system_title, DEFAULT_OPTIONS if options is None else normalize_options(options))
    data = MeterData(meter, timestamp, readings)
    if warnings:
        data.warnings = warnings
    return data


def decode_parts(body: Any, clock: Any, system_title: Optional[bytes],
                 options: Union[None, Options, Mapping[str, Any]]) -> Tuple[MeterInfo, Any, Tuple[Reading, ...]]:
    """:func:`decode_notification` as a plain ``(meter, timestamp, readings)`` tuple (warnings dropped)."""
    return _meters.decode_parts(body, clock, system_title,
                                DEFAULT_OPTIONS if options is None else normalize_options(options))[:3]
