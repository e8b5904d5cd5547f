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
energy     as power                                          8
=========  ===============================================  =======
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple

from ..obis import Obis

__all__ = ["Profile", "quantity_of", "PROFILES", "KAIFA_NO_LISTS", "KAMSTRUP_ORDER"]

_POWER_BASES = frozenset(range(1, 11)) | {15, 16}
_POWER_UNITS = {1: "W", 2: "W", 3: "var", 4: "var", 5: "var", 6: "var", 7: "var", 8: "var", 9: "VA", 10: "VA",
                15: "W", 16: "W"}
_ENERGY_UNITS = {k: v + "h" for k, v in _POWER_UNITS.items()}


def quantity_of(obis: Obis) -> Optional[Tuple[str, str]]:
    """(quantity, SI unit) of an electricity OBIS code, or None.

    quantity is "power", "current", "voltage" or "energy".
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
    # Landis+Gyr E360/E450/E570 (CH) push lists and flat lists: 1 V, 0.01 A, W, Wh
    Profile("landis_gyr", "Landis+Gyr", {"power": 0, "current": -2, "voltage": 0, "energy": 0}, auto_voltage=True),
    # push lists of unknown make: only W and Wh are common to every documented list
    Profile("push_list", None, {"power": 0, "energy": 0}),
    # Iskra AM550 push lists: 0.1 V, 0.01 A, W, Wh
    Profile("iskra", "Iskraemeco", {"power": 0, "current": -2, "voltage": -1, "energy": 0}),
    # Wiener Netze / Linz / Wels value lists (E450, AM550, IM350): Wh, varh, W, var
    Profile("wiener_netze", None, {"power": 0, "energy": 0}),
    # Netz Burgenland (L+G E450): 1 V, 0.01 A, W, Wh
    Profile("landis_gyr_burgenland", "Landis+Gyr", {"power": 0, "current": -2, "voltage": 0, "energy": 0}),
)}

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
