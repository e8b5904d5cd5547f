"""Meter profiles as data: positional lists and implicit scalers.

A :class:`Profile` says what a frame cannot: the OBIS codes of a list that
sends bare values (Kaifa KFM_001 in Norway, Wiener Netze, L+G Burgenland)
and the scalers of lists that send no scaler_unit (Kaifa, Kamstrup,
Landis+Gyr and Iskra push lists).  Sources: meters.md sections 2-6 and 11,
nordic-lists.md sections 2-4 (spec PDFs cited there).

Implicit scalers are given per *quantity* (power, current, voltage,
energy); a quantity is recognised from OBIS value groups C and D of an
electricity object (A = 1):

=========  ===============================================  =======
quantity   C (any phase)                                    D
=========  ===============================================  =======
power      1-10, 15, 16; 21-30, 35, 36 (+20, +40 per phase)  7
current    11, 31, 51, 71, 90, 91                            7
voltage    12, 32, 52, 72, 92                                7
pf         13, 33, 53, 73                                    7
energy     as power                                          8
=========  ===============================================  =======

The positional lists themselves (position -> OBIS, scaler, unit) are rows
of :mod:`._lists`; every row's profile is registered here.
"""

from __future__ import annotations

from typing import Any, Dict, NamedTuple, Optional, Sequence, Tuple

from ..obis import Obis
from . import _lists

__all__ = ["Profile", "quantity_of", "PROFILES", "KAIFA_NO_LISTS", "KAMSTRUP_ORDER", "PAIR_LISTS",
           "landis_gyr_push_profile", "push_list_profile"]

_POWER_BASES = frozenset(range(1, 11)) | {15, 16}
_POWER_UNITS = {1: "W", 2: "W", 3: "var", 4: "var", 5: "var", 6: "var", 7: "var", 8: "var", 9: "VA", 10: "VA",
                15: "W", 16: "W"}
_ENERGY_UNITS = {k: v + "h" for k, v in _POWER_UNITS.items()}


def quantity_of(obis: Obis) -> Optional[Tuple[str, Optional[str]]]:
    """(quantity, SI unit) of an electricity OBIS code, or None.

    quantity is "power", "current", "voltage", "energy" or "power_factor"
    (C = 13, 33, 53, 73; dimensionless: unit None).
    """
    if obis[0] != 1:
        return None
    c, d = obis[2], obis[3]
    if 20 < c <= 80:
        base = (c - 1) % 20 + 1
    elif c <= 16:
        base = c
    elif c in (90, 91):
        base = 11
    elif c == 92:
        base = 12
    else:
        return None
    if d == 7:
        if base == 13:
            return "power_factor", None
        if base in _POWER_BASES:
            return "power", _POWER_UNITS[base]
        if base == 11:
            return "current", "A"
        if base == 12:
            return "voltage", "V"
        return None
    if d == 8 and base in _POWER_BASES:
        return "energy", _ENERGY_UNITS[base]
    return None


class Profile(NamedTuple):
    """How to read one family of lists.

    ``name``: profile id reported in ``MeterInfo.profile``;
    ``manufacturer``: reported when the frame does not say;
    ``scalers``: implicit scalers by quantity ("power", "current",
    "voltage", "energy"); a quantity missing here is left unscaled and
    without unit; ``local_clock``: the list's clock is local time whatever
    its deviation field says (Aidon/Embriq list 3: deviation 0000 but
    "local date and time of Norway"); ``auto_voltage``: an unscaled voltage
    of 1000 or more is in 0.1 V (Landis+Gyr: the E450/E570 send whole
    volts, 236, the E360 tenths, 2357; no low-voltage meter sees 1000 V).
    """

    name: str
    manufacturer: Optional[str]
    scalers: Dict[str, int]
    local_clock: bool = False
    auto_voltage: bool = False


def _o(text: str) -> Obis:
    return Obis.parse(text)


#: every meter profile by name (the value of ``MeterInfo.profile`` and of the ``profile`` option)
PROFILES: Dict[str, Profile] = {p.name: p for p in (
    # lists that carry {scaler, unit} for every register
    Profile("generic", None, {}),
    Profile("aidon_no", "Aidon", {}, local_clock=True),
    Profile("embriq", "Landis+Gyr", {}, local_clock=True),
    # Kaifa KFM_001 (Norway positional, Sweden OBIS pairs): mA, 0.1 V, W, Wh
    Profile("kaifa_no", "Kaifa", {"power": 0, "current": -3, "voltage": -1, "energy": 0}),
    Profile("kaifa_se", "Kaifa", {"power": 0, "current": -3, "voltage": -1, "energy": 0}),
    # Kamstrup_V0001: 0.01 A, 1 V, W; energy 10 Wh in Norway, Wh in Sweden
    Profile("kamstrup_no", "Kamstrup", {"power": 0, "current": -2, "voltage": 0, "energy": 1}),
    Profile("kamstrup_se", "Kamstrup", {"power": 0, "current": -2, "voltage": 0, "energy": 0}),
    # Landis+Gyr lists of unknown model (flat OBIS/value lists of a system title LGZ...): 1 V (0.1 V
    # when 1000 or more), 0.01 A, W, Wh
    Profile("landis_gyr", "Landis+Gyr", {"power": 0, "current": -2, "voltage": 0, "energy": 0}, auto_voltage=True),
    # Landis+Gyr CH push lists per model (positional-lists.md 4.1 "Implicit scales", from
    # scs/smartmeter-datacollector tests and default register map; model by landis_gyr_push_profile):
    # E450 1 V (236), 0.01 A (9 -> 0.09), power factor 0.001 (941 -> 0.941)
    Profile("landis_gyr_e450", "Landis+Gyr", {"power": 0, "current": -2, "voltage": 0, "energy": 0,
                                              "power_factor": -3}),
    # E360: 0.1 V (2357 -> 235.7), 0.01 A
    Profile("landis_gyr_e360", "Landis+Gyr", {"power": 0, "current": -2, "voltage": -1, "energy": 0,
                                              "power_factor": -3}),
    # E570: 1 V (229), 1 A (400, 200, 601 A at 258.9 kW: lge570.py fix of 2026-06-12)
    Profile("landis_gyr_e570", "Landis+Gyr", {"power": 0, "current": 0, "voltage": 0, "energy": 0,
                                              "power_factor": -3}),
    # push lists of unknown make: only W and Wh are common to every documented list
    Profile("push_list", None, {"power": 0, "energy": 0}),
    # Iskra AM550 push lists: 0.1 V, 0.01 A, W, Wh, power factor 0.001 (positional-lists.md 2.3.1, 10)
    Profile("iskra", "Iskraemeco", {"power": 0, "current": -2, "voltage": -1, "energy": 0, "power_factor": -3}),
    # Wiener Netze / Linz / Wels value lists (E450, AM550, IM350): Wh, varh, W, var
    Profile("wiener_netze", None, {"power": 0, "energy": 0}),
    # Netz Burgenland (L+G E450): 1 V, 0.01 A, W, Wh
    Profile("landis_gyr_burgenland", "Landis+Gyr", {"power": 0, "current": -2, "voltage": 0, "energy": 0}),
    # Kamstrup_V0001 Denmark "DLMS push 1" (65 elements): 0.01 A, 1 V, W, power factor 0.01
    # (positional-lists.md 7: amsreader IEC6205675.cpp lines 1127-1134; consistent with the public
    # DK sample); energy 10 Wh as Norway by default, Wh with kamstrup_energy_scaler=0
    Profile("kamstrup_dk", "Kamstrup", {"power": 0, "current": -2, "voltage": 0, "energy": 1, "power_factor": -2}),
    Profile("kamstrup_dk_wh", "Kamstrup", {"power": 0, "current": -2, "voltage": 0, "energy": 0,
                                           "power_factor": -2}),
    # Stromnetz Graz (L+G E450): clock, then 16 OBIS/value pairs without scaler: Wh, varh, W, var
    # (positional-lists.md 3.5: horfic/esphome-dlms:components/dlms/dlms.cpp lines 254-374)
    Profile("stromnetz_graz", "Landis+Gyr", {"power": 0, "energy": 0}),
    # a value-only list no table row recognises: raw values, no units (positional-lists.md 11 rule 5)
    Profile("unknown", None, {}),
)}

#: logical names of the Landis+Gyr push setups (positional-lists.md 4.1): 0-6:25.9.0 on the
#: E360, 0-8:25.9.0 on the E450 and E570
_PUSH_SETUP_E360 = bytes((0, 6, 25, 9, 0, 255))
_PUSH_SETUP_E450_E570 = bytes((0, 8, 25, 9, 0, 255))


def landis_gyr_push_profile(descriptors: Sequence[Any]) -> str:
    """The profile of a Landis+Gyr push-object-list, told by its descriptors (all three models send
    ``LGZ1030...`` logical device names, so the name does not tell).

    Descriptor 0 is the push setup itself (class 40): 0-6:25.9.0 -> E360.
    0-8:25.9.0 -> E450 when the list also carries the push setup's
    attribute 1 (every E450 configuration of positional-lists.md 4.1 and
    3.6 does), else E570 (its VSE 2026 list starts with the logical device
    name).  Anything else -> ``landis_gyr`` (model unknown).  Users whose
    meter is configured otherwise force the profile (``options={"profile":
    ...}``).
    """
    first = descriptors[0] if descriptors else None
    if type(first) is not tuple or len(first) < 3 or first[0] != 40:
        return "landis_gyr"
    if first[1] == _PUSH_SETUP_E360:
        return "landis_gyr_e360"
    if first[1] == _PUSH_SETUP_E450_E570:
        for d in descriptors[1:]:
            if type(d) is tuple and len(d) >= 3 and d[0] == 40 and d[2] == 1:
                return "landis_gyr_e450"
        return "landis_gyr_e570"
    return "landis_gyr"


def push_list_profile(maker: Optional[str], descriptors: Sequence[Any]) -> str:
    """The profile of a push-object-list body whose maker (from the logical device name or system
    title) is ``maker``: per model for Landis+Gyr, ``iskra``, else ``push_list``."""
    if maker == "Landis+Gyr":
        return landis_gyr_push_profile(descriptors)
    if maker == "Iskraemeco":
        return "iskra"
    return "push_list"


# --- positional lists -------------------------------------------------------

_KFM_ID = ("1-1:0.2.129", "0-0:96.1.0", "0-0:96.1.7")
_KFM_P = ("1-0:1.7.0", "1-0:2.7.0", "1-0:3.7.0", "1-0:4.7.0")
_KFM_E = ("0-0:1.0.0", "1-0:1.8.0", "1-0:2.8.0", "1-0:3.8.0", "1-0:4.8.0")
_KFM_1P = _KFM_ID + _KFM_P + ("1-0:31.7.0", "1-0:32.7.0")
_KFM_3P = _KFM_ID + _KFM_P + ("1-0:31.7.0", "1-0:51.7.0", "1-0:71.7.0", "1-0:32.7.0", "1-0:52.7.0", "1-0:72.7.0")

#: Kaifa KFM_001 (Norway): element count -> OBIS code of each element
#: (Kaifa HAN OBIS codes KFM_001.pdf, page 2-4; meters.md 2.1)
KAIFA_NO_LISTS: Dict[int, Tuple[Obis, ...]] = {
    1: (_o("1-0:1.7.0"),),
    9: tuple(map(_o, _KFM_1P)),
    13: tuple(map(_o, _KFM_3P)),
    14: tuple(map(_o, _KFM_1P + _KFM_E)),
    18: tuple(map(_o, _KFM_3P + _KFM_E)),
}

#: Kamstrup_V0001 3-phase list 2 order after the list id (list 1 = the first 12):
#: used to name the null-data pairs 1-phase meters send in place of L2/L3
#: (Kamstrup HAN-NVE interface description_rev_3_1.pdf, page 9-11)
KAMSTRUP_ORDER: Tuple[Obis, ...] = tuple(map(_o, (
    "1-1:0.0.5", "1-1:96.1.1", "1-1:1.7.0", "1-1:2.7.0", "1-1:3.7.0", "1-1:4.7.0",
    "1-1:31.7.0", "1-1:51.7.0", "1-1:71.7.0", "1-1:32.7.0", "1-1:52.7.0", "1-1:72.7.0",
    "0-1:1.0.0", "1-1:1.8.0", "1-1:2.8.0", "1-1:3.8.0", "1-1:4.8.0")))
KAMSTRUP_LIST_ID = _o("1-1:0.2.129")

_WN_VALUES = tuple(map(_o, ("1-0:1.8.0", "1-0:2.8.0", "1-0:3.8.0", "1-0:4.8.0",
                             "1-0:1.7.0", "1-0:2.7.0", "1-0:3.7.0", "1-0:4.7.0")))
CLOCK = _o("0-0:1.0.0")
METER_ID = _o("0-0:96.1.0")
#: Wiener Netze (E450, AM550): {clock, A+, A-, R+, R-, P+, P-, Q+, Q-}
WIENER_NETZE_9: Tuple[Obis, ...] = (CLOCK,) + _WN_VALUES
#: Siemens IM350 10 values: {meter id, clock, A+ ... Q-}
IM350_10: Tuple[Obis, ...] = (METER_ID, CLOCK) + _WN_VALUES
#: values after {push-setup OBIS, meter id, time, date} in the 10/12-element
#: lists of IM350 / AM550 (Wiener Netze, Wels): A+, A-, R+, R-, P+, P- [, Q+, Q-]
WN_VALUES: Tuple[Obis, ...] = _WN_VALUES
#: Netz Burgenland (L+G E450): U1-U3, I1-I3, P+, P-, A+, A- [3 unknown] meter id
BURGENLAND_10: Tuple[Obis, ...] = tuple(map(_o, (
    "1-0:32.7.0", "1-0:52.7.0", "1-0:72.7.0", "1-0:31.7.0", "1-0:51.7.0", "1-0:71.7.0",
    "1-0:1.7.0", "1-0:2.7.0", "1-0:1.8.0", "1-0:2.8.0")))

#: 3-letter FLAG manufacturer ids seen in system titles and device names
FLAG_IDS: Dict[str, str] = {
    "KFM": "Kaifa",
    "KAM": "Kamstrup",
    "LGZ": "Landis+Gyr",
    "ISK": "Iskraemeco",
    "SMS": "Siemens",
    "SAG": "Sagemcom",
    "ELS": "Elster",
    "EMR": "Energomera",
    "AID": "Aidon",
    "ADN": "Aidon",
}

#: list version identifier prefix -> (manufacturer, profile for OBIS-coded lists)
LIST_IDS: Tuple[Tuple[str, str, str], ...] = (
    ("AIDON_", "Aidon", "aidon_no"),
    ("EMBRIQ_", "Landis+Gyr", "embriq"),
    ("KFM_", "Kaifa", "kaifa_se"),
    ("Kamstrup_", "Kamstrup", "kamstrup_no"),
)


def _row_scalers(row: _lists.ListLayout) -> Dict[str, int]:
    """Implicit scalers by quantity of a positional list's integer values (for a forced profile)."""
    out: Dict[str, int] = {}
    for f in row.fields:
        if f.role == _lists.R_VALUE and f.kind == _lists.K_INT and f.obis is not None:
            q = quantity_of(f.obis)
            if q is not None:
                out.setdefault(q[0], f.scaler)
    return out


# every positional list's profile (rows that share a profile share its scalers)
for _row in _lists.LISTS:
    if _row.profile not in PROFILES:
        PROFILES[_row.profile] = Profile(_row.profile, _row.manufacturer, _row_scalers(_row))
del _row


class PairList(NamedTuple):
    """A scaler-less list of bare OBIS/value pairs after a fixed head.

    ``size``: exact element count; ``head``: the leading elements (fields
    of :mod:`._lists`); then ``OBIS (09(6)), value (06)`` pairs to the end
    (recognised by ``hanparse.meters._walk.match_pairs``).  The pairs are decoded
    by the generic walk with ``profile``'s implicit scalers.
    """

    name: str
    profile: str
    size: int
    head: Tuple[_lists.Field, ...]
    section: str
    source: str


#: scaler-less OBIS/value pair lists recognised by shape (positional-lists.md 3.5)
PAIR_LISTS: Tuple[PairList, ...] = (
    PairList("stromnetz_graz_33", "stromnetz_graz", 33, (_lists.CLOCK,), "3.5",
             "horfic/esphome-dlms:payloads/lgz_e450_stromnetz_graz/decrypted_payload.txt; "
             "scs/smartmeter-datacollector:smartmeter_datacollector/smartmeter/hdlc_dlms_parser.py lines 173-198"),
)
