"""DSMR / P1 telegrams: the telegram grammar and (from ``framing``) stream framing.

``parse_telegram(data, *, tz="Europe/Amsterdam", strict=False, verify_crc=True)``
turns one telegram into a :class:`hanparse.Message`; see
:mod:`hanparse.dsmr.grammar` for the rules and :mod:`hanparse.dsmr.values`
for the multi-value line types; :func:`mbus_devices` groups the M-Bus
readings of a message per channel.  Unreadable lines never cost the
telegram: see ``docs/p1.md`` and :mod:`hanparse.dsmr.grammar`.  ``decode``, ``build`` and ``DsmrFrame``
(framing ``/`` ... ``!CRC`` in byte streams) come from
:mod:`hanparse.dsmr.framing`.
"""

from __future__ import annotations

from .grammar import MANUFACTURERS, manufacturer_name, parse_data_lines, parse_telegram
from .timestamps import timestamp_parser
from .values import MBUS_DEVICE_TYPES, DemandPeak, MbusDevice, PowerFailure, PowerFailureLog, mbus_devices

__all__ = [
    "parse_telegram",
    "parse_data_lines",
    "timestamp_parser",
    "manufacturer_name",
    "MANUFACTURERS",
    "PowerFailure",
    "PowerFailureLog",
    "DemandPeak",
    "MbusDevice",
    "mbus_devices",
    "MBUS_DEVICE_TYPES",
]

import importlib.util as _importlib_util

if _importlib_util.find_spec(__name__ + ".framing") is not None:  # written separately (framing)
    from .framing import DsmrFrame, build, decode  # noqa: F401

    __all__ += ["decode", "build", "DsmrFrame"]
