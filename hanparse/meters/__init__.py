"""Meters layer: from a data-notification's Data tree to typed, scaled Readings.

::

    from hanparse.meters import decode_notification
    data = decode_notification(body, clock, system_title=None, options={"country": "SE"})
    data.meter.list_id, data.timestamp, data.readings

Generic layouts (register triplets, flat OBIS/value pairs, push-object-list
then values) decode for any meter; profiles (:data:`PROFILES`) add what a
list does not carry: OBIS codes of value-only lists and implicit scalers.
Detection looks only at the frame (list id, system title, element count and
shape), never at earlier frames.  See ``_decode`` for the layouts and
``_profiles`` for the tables and their sources.
"""

from __future__ import annotations

from ._decode import DEFAULT_OPTIONS, MeterData, Options, decode_notification, normalize_options
from ._profiles import KAIFA_NO_LISTS, KAMSTRUP_ORDER, PROFILES, Profile, quantity_of

__all__ = [
    "MeterData",
    "Options",
    "Profile",
    "PROFILES",
    "KAIFA_NO_LISTS",
    "KAMSTRUP_ORDER",
    "decode_notification",
    "normalize_options",
    "DEFAULT_OPTIONS",
    "quantity_of",
]
