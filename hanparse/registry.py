"""OBIS registry: stable names, descriptions and units of known OBIS codes.

The registry is a table (built once at import) keyed by :class:`Obis`;
a lookup is one dict access.  It covers the objects of the Norwegian
(NVE/NEK: Aidon, Kaifa, Kamstrup, Embriq), Swedish (branschrekommendation,
Aidon RJ12), Danish (Kamstrup Omnipower), Austrian (Kaifa, Siemens, L+G,
Iskra, Sagemcom), Swiss (L+G, Iskra), Czech (EGD, Sagemcom XT211) lists and
the DSMR P1 companion standards (3.0, 4.0.7, 4.2.2, 5.0.2, e-MUCS Belgium,
Luxembourg Smarty, Lithuania ESO, E.ON Hungary).

Names are snake_case and stable: once released, a code keeps its name.
A code is found the same way whatever transport it came in on:

* F missing and F = 255 are the same code (``Obis.parse`` fills in 255);
* electricity objects on another channel (``1-1:1.7.0`` from Kamstrup and
  L+G) fall back to channel 0 (``1-0:1.7.0`` -> ``active_power_import``),
  unless the exact code has its own entry (``1-3:0.2.8``, the DSMR version);
* abstract objects of a DSMR M-Bus channel (``0-n:24.2.1``, ``0-n:96.1.0``)
  match the channel entries whatever ``n`` is;
* vendor spellings of a standard object are aliases with the same name
  (Kamstrup meter id ``1-1:0.0.5`` = ``meter_id``, Kamstrup clock
  ``0-1:1.0.0`` = ``clock``, Embriq energies ``0-0:1.8.0`` =
  ``active_energy_import``).

Electricity quantities follow OBIS value groups C (quantity) and D
(processing), so every combination the lists use has a name:
``<quantity>[_l1|_l2|_l3][_<processing>][_tariff_<E>]``, e.g.
``active_power_import`` (1.7.0), ``voltage_l1`` (32.7.0),
``active_energy_import_tariff_1`` (1.8.1), ``active_power_import_max_demand``
(1.6.0), ``voltage_sags_l1`` (32.32.0).
"""

from __future__ import annotations

from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple, Union

from ._ha import HaDescription
from ._ha import describe as _describe_ha
from .errors import HanParseError
from .obis import Obis, ObisLike

__all__ = ["RegistryEntry", "lookup", "name_of", "description_of", "unit_of", "kind_of", "find", "entries",
           "ha_description", "HaDescription"]


class RegistryEntry(NamedTuple):
    """One known OBIS code.

    ``obis``: the canonical code; ``name``: stable snake_case name;
    ``description``: human text; ``unit``: the SI unit of the quantity as
    binary meters state it ("W", "Wh", "V", ...; DSMR telegrams may use
    kW/kWh) or None; ``kind``: "number", "text" (identifiers, messages),
    "datetime" (clocks) or "other" (structures, logs, profiles).
    """

    obis: Obis
    name: str
    description: str
    unit: Optional[str]
    kind: str


# ---------------------------------------------------------------------------
# Electricity quantities (A = 1), generated from value groups C and D.

# C (1..16 totals; +20/+40/+60 for L1/L2/L3): (name, description, power unit, energy unit)
_QUANTITY: Dict[int, Tuple[str, str, Optional[str], Optional[str]]] = {
    1: ("active_power_import", "active power import (+P, QI+QIV)", "W", "Wh"),
    2: ("active_power_export", "active power export (-P, QII+QIII)", "W", "Wh"),
    3: ("reactive_power_import", "reactive power import (+Q, QI+QII)", "var", "varh"),
    4: ("reactive_power_export", "reactive power export (-Q, QIII+QIV)", "var", "varh"),
    5: ("reactive_power_q1", "reactive power QI", "var", "varh"),
    6: ("reactive_power_q2", "reactive power QII", "var", "varh"),
    7: ("reactive_power_q3", "reactive power QIII", "var", "varh"),
    8: ("reactive_power_q4", "reactive power QIV", "var", "varh"),
    9: ("apparent_power_import", "apparent power import (+S)", "VA", "VAh"),
    10: ("apparent_power_export", "apparent power export (-S)", "VA", "VAh"),
    11: ("current", "current, any phase", "A", None),
    12: ("voltage", "voltage, any phase", "V", None),
    13: ("power_factor", "power factor", None, None),
    14: ("frequency", "supply frequency", "Hz", None),
    15: ("active_power_abs", "active power |+P| + |-P|", "W", "Wh"),
    16: ("active_power_net", "active power +P - -P", "W", "Wh"),
}
_PHASES = ((0, "", ""), (20, "_l1", " L1"), (40, "_l2", " L2"), (60, "_l3", " L3"))

# D: (suffix, description) for the processing of power-like quantities
_PROCESSING: Dict[int, Tuple[str, str]] = {
    7: ("", "instantaneous value"),
    4: ("_demand", "current average (demand)"),
    5: ("_last_demand", "last average (demand)"),
    6: ("_max_demand", "maximum demand"),
    3: ("_minimum", "minimum"),
    24: ("_average", "current average"),
}

# D = 31..38 for voltages: thresholds, counters, durations and magnitudes of sags/swells
_QUALITY: Dict[int, Tuple[str, str, Optional[str]]] = {
    31: ("voltage_sag_threshold", "under-limit (sag) threshold", "V"),
    32: ("voltage_sags", "number of voltage sags", None),
    33: ("voltage_sag_duration", "duration of the last voltage sag", "s"),
    34: ("voltage_sag_magnitude", "magnitude of the last voltage sag", "V"),
    35: ("voltage_swell_threshold", "over-limit (swell) threshold", "V"),
    36: ("voltage_swells", "number of voltage swells", None),
    37: ("voltage_swell_duration", "duration of the last voltage swell", "s"),
    38: ("voltage_swell_magnitude", "magnitude of the last voltage swell", "V"),
}

_TARIFFS = range(1, 10)


def _energy_name(power_name: str) -> str:
    return power_name.replace("_power", "_energy")


def _electricity() -> Iterator[Tuple[Tuple[int, ...], str, str, Optional[str], str]]:
    for base, (qname, qdesc, punit, eunit) in _QUANTITY.items():
        for offset, nsuf, dsuf in _PHASES:
            c = base + offset
            name = qname + nsuf
            desc = qdesc[0].upper() + qdesc[1:] + dsuf
            if offset and base in (11, 12):
                desc = ("Current" if base == 11 else "Voltage") + dsuf
            for d, (psuf, pdesc) in _PROCESSING.items():
                if d == 4 and c in (31, 51, 71):
                    continue  # current thresholds, below
                yield (1, 0, c, d, 0, 255), name + psuf, "%s, %s" % (desc, pdesc), punit, "number"
            if eunit is not None:
                ename = _energy_name(name)
                edesc = desc.replace("power", "energy")
                yield (1, 0, c, 8, 0, 255), ename, edesc, eunit, "number"
                if offset == 0:
                    for e in _TARIFFS:
                        yield ((1, 0, c, 8, e, 255), "%s_tariff_%d" % (ename, e), "%s, tariff %d" % (edesc, e),
                               eunit, "number")
                    for e in (1, 2, 3, 4):
                        yield ((1, 0, c, 6, e, 255), "%s_max_demand_tariff_%d" % (name, e),
                               "%s, maximum demand, tariff %d" % (desc, e), punit, "number")
            if base == 12:
                for d, (vname, vdesc, vunit) in _QUALITY.items():
                    yield ((1, 0, c, d, 0, 255), vname + nsuf, "%s%s" % (vdesc[0].upper() + vdesc[1:], dsuf), vunit,
                           "number")
    # neutral and sums
    yield (1, 0, 90, 7, 0, 255), "current_sum", "Sum of the phase currents", "A", "number"
    yield (1, 0, 91, 7, 0, 255), "current_neutral", "Neutral current", "A", "number"
    yield (1, 0, 92, 7, 0, 255), "voltage_neutral", "Neutral voltage", "V", "number"
    for c, fuse in ((31, "l1"), (51, "l2"), (71, "l3")):
        # e-MUCS, E.ON HU and Luxembourg use x1.4.0 for the current (fuse) threshold
        yield ((1, 0, c, 4, 0, 255), "current_limit_" + fuse, "Current (fuse supervision) threshold " + fuse.upper(),
               "A", "number")


# ---------------------------------------------------------------------------
# Abstract and service objects, listed one by one:
# (code, name, description, unit, kind)
_PLAIN: List[Tuple[str, str, str, Optional[str], str]] = [
    ("0-0:1.0.0", "clock", "Meter clock (date and time)", None, "datetime"),
    ("1-0:0.9.1", "local_time", "Local time", None, "other"),
    ("1-0:0.9.2", "local_date", "Local date", None, "other"),
    ("1-0:0.2.129", "list_version", "OBIS list version identifier (AIDON_V0001, KFM_001, Kamstrup_V0001 ...)", None,
     "text"),
    ("1-3:0.2.8", "dsmr_version", "DSMR P1 output version", None, "text"),
    ("1-0:0.2.0", "firmware_id", "Active firmware identifier", None, "text"),
    ("1-0:0.2.8", "firmware_signature", "Active firmware signature", None, "text"),
    ("0-0:96.1.0", "meter_id", "Meter identification (serial number / GIAI)", None, "text"),
    ("0-0:96.1.1", "equipment_id", "Equipment identifier", None, "text"),
    ("0-0:96.1.4", "emucs_version", "Version of the e-MUCS specification (Belgium)", None, "text"),
    ("0-0:96.1.7", "meter_type", "Meter type / model", None, "text"),
    ("1-0:0.0.0", "device_id", "Device identification number", None, "text"),
    ("0-0:42.0.0", "logical_device_name", "COSEM logical device name", None, "text"),
    ("0-0:96.14.0", "tariff_indicator", "Tariff currently active (an identifier: \"0002\", \"T3\")", None, "text"),
    ("0-0:96.7.21", "power_failures", "Number of power failures in any phase", None, "number"),
    ("0-0:96.7.9", "long_power_failures", "Number of long power failures in any phase", None, "number"),
    ("1-0:99.97.0", "power_failure_log", "Power failure event log (long power failures)", None, "other"),
    ("0-0:96.13.0", "text_message", "Text message (consumer message)", None, "text"),
    ("0-0:96.13.1", "text_message_code", "Text message code (DSMR 3/4)", None, "text"),
    ("0-0:96.3.10", "breaker_state", "Disconnect control (breaker) state", None, "number"),
    ("0-0:17.0.0", "limiter_threshold", "Limiter threshold", None, "number"),
    ("0-0:98.1.0", "billing_history", "Billing period values (monthly maximum demand / last-month registers)", None,
     "other"),
    ("0-0:96.5.0", "internal_status", "Internal operating status", None, "number"),
    ("1-0:96.5.5", "meter_status", "Meter status word (EasyMeter)", None, "number"),
    ("0-0:97.97.0", "error_register", "Error register", None, "number"),
    ("0-0:97.98.0", "alarm_register", "Alarm register 1", None, "number"),
    ("0-0:97.98.10", "alarm_filter", "Alarm filter 1", None, "number"),
    ("0-0:25.9.0", "push_setup", "Push setup (push object list)", None, "other"),
    ("1-0:0.4.2", "current_transformer_ratio", "Current transformer ratio (numerator)", None, "number"),
    ("1-0:0.4.3", "voltage_transformer_ratio", "Voltage transformer ratio (numerator)", None, "number"),
    ("1-0:0.8.2", "measurement_period_instantaneous", "Measurement period for instantaneous values", "s", "number"),
    ("1-0:0.8.0", "measurement_period_demand", "Measurement period for demand values", "s", "number"),
]
# Luxembourg Smarty: one long message per M-Bus channel, 0-0:96.13.x
_PLAIN += [("0-0:96.13.%d" % e, "text_message_channel_%d" % e, "Long text message for M-Bus channel %d" % e, None,
            "text") for e in (2, 3, 4, 5)]

# Objects of a DSMR M-Bus channel or relay channel n >= 1: 0-n:C.D.E, matched for any n.
_CHANNEL: List[Tuple[str, str, str, Optional[str], str]] = [
    ("24.1.0", "mbus_device_type", "M-Bus device type of channel n", None, "number"),
    ("96.1.0", "mbus_equipment_id", "M-Bus equipment identifier of channel n", None, "text"),
    ("96.1.1", "mbus_device_id", "M-Bus device identifier of channel n (Belgium)", None, "text"),
    ("24.2.1", "mbus_reading",
     "Last M-Bus reading of channel n (gas temperature corrected, heat, water, slave meter)", None, "number"),
    ("24.2.3", "mbus_reading_uncorrected",
     "Last M-Bus gas reading of channel n, not temperature corrected (Belgium)", None, "number"),
    ("24.3.0", "mbus_profile", "M-Bus profile of channel n (DSMR 2.2/3.0)", None, "other"),
    ("24.3.1", "mbus_profile_cold", "M-Bus cold profile of channel n (DSMR 3.0)", None, "other"),
    ("24.4.0", "mbus_valve_state", "Valve position of M-Bus channel n", None, "number"),
    ("96.3.10", "relay_state", "Relay n control state", None, "number"),
    ("96.13.0", "mbus_text_message", "Text message of channel n", None, "text"),
]

# Vendor spellings -> canonical code (same name as the canonical entry).
_ALIASES: Dict[str, str] = {
    "1-1:0.0.5": "0-0:96.1.0",  # Kamstrup meter id (GS1)
    "1-1:0.0.1": "0-0:96.1.0",  # Kamstrup Omnipower "meter number 1"
    "1-1:96.1.1": "0-0:96.1.7",  # Kamstrup meter type
    "1-0:96.1.1": "0-0:96.1.7",
    "0-1:1.0.0": "0-0:1.0.0",  # Kamstrup clock
    "0-0:96.1.255": "0-0:96.1.1",  # EasyMeter serial number
    "1-0:1.4.2": "1-0:0.4.2",  # Aidon SE transformer constants (VT meters)
    "1-0:1.4.3": "1-0:0.4.3",
    "0-0:1.8.0": "1-0:1.8.0",  # Embriq energies with A = 0
    "0-0:2.8.0": "1-0:2.8.0",
    "0-0:3.8.0": "1-0:3.8.0",
    "0-0:4.8.0": "1-0:4.8.0",
    "0-0:32.32.0": "1-0:32.32.0",  # Luxembourg table prints A = 0 for sags/swells
    "0-0:52.32.0": "1-0:52.32.0",
    "0-0:72.32.0": "1-0:72.32.0",
    "0-0:32.36.0": "1-0:32.36.0",
    "0-0:52.36.0": "1-0:52.36.0",
    "0-0:72.36.0": "1-0:72.36.0",
}


def _build() -> Tuple[Dict[Obis, RegistryEntry], Dict[Tuple[int, int, int, int], RegistryEntry],
                      Dict[str, RegistryEntry]]:
    table: Dict[Obis, RegistryEntry] = {}
    names: Dict[str, RegistryEntry] = {}

    def add(obis: Obis, name: str, desc: str, unit: Optional[str], kind: str) -> RegistryEntry:
        if obis in table or name in names:  # pragma: no cover - guarded by tests
            raise RuntimeError("duplicate registry entry %s %s" % (obis, name))
        entry = RegistryEntry(obis, name, desc, unit, kind)
        table[obis] = entry
        names[name] = entry
        return entry

    for groups, name, desc, unit, kind in _electricity():
        add(Obis(*groups), name, desc, unit, kind)
    for code, name, desc, unit, kind in _PLAIN:
        add(Obis.parse(code), name, desc, unit, kind)
    channel: Dict[Tuple[int, int, int, int], RegistryEntry] = {}
    for cde, name, desc, unit, kind in _CHANNEL:
        c, d, e = (int(x) for x in cde.split("."))
        entry = RegistryEntry(Obis(0, 255, c, d, e, 255), name, desc, unit, kind)  # B = 255: "any channel"
        if name in names:  # pragma: no cover
            raise RuntimeError("duplicate registry name %s" % name)
        names[name] = entry
        channel[(c, d, e, 255)] = entry
    for alias, canonical in _ALIASES.items():
        table[Obis.parse(alias)] = table[Obis.parse(canonical)]
    # the Kamstrup clock on channel 1 is the meter clock, not an M-Bus object
    channel[(1, 0, 0, 255)] = table[Obis.parse("0-0:1.0.0")]
    # push setups 0-n:25.9.0 (L+G 0-8, Iskra 0-6, Kamstrup 0-1/0-2, EGD 0-2)
    channel[(25, 9, 0, 255)] = table[Obis.parse("0-0:25.9.0")]
    return table, channel, names


_TABLE, _CHANNEL_TABLE, _BY_NAME = _build()
_CACHE: Dict[Obis, Optional[RegistryEntry]] = {}
_CACHE_LIMIT = 4096
_MISS = object()


def _resolve(obis: Obis) -> Optional[RegistryEntry]:
    hit = _TABLE.get(obis)
    if hit is not None:
        return hit
    a, b = obis[0], obis[1]
    if b != 0:
        if a == 1:
            return _TABLE.get(Obis(1, 0, obis[2], obis[3], obis[4], obis[5]))
        if a == 0:
            return _CHANNEL_TABLE.get((obis[2], obis[3], obis[4], obis[5]))
    return None


def lookup(obis: ObisLike) -> Optional[RegistryEntry]:
    """The :class:`RegistryEntry` of ``obis`` (any spelling), or None when unknown."""
    if type(obis) is Obis:
        hit = _CACHE.get(obis, _MISS)
        if hit is not _MISS:
            return hit  # type: ignore[return-value]
        code = obis
    else:
        try:
            code = Obis.coerce(obis)
        except (HanParseError, TypeError):
            return None
    entry = _resolve(code)
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[code] = entry
    return entry


def name_of(obis: ObisLike) -> Optional[str]:
    """Stable snake_case name of ``obis``, e.g. ``active_power_import``; None when unknown."""
    entry = lookup(obis)
    return None if entry is None else entry.name


def description_of(obis: ObisLike) -> Optional[str]:
    """Human description of ``obis``, or None when unknown."""
    entry = lookup(obis)
    return None if entry is None else entry.description


def unit_of(obis: ObisLike) -> Optional[str]:
    """The SI unit of the quantity ``obis`` measures ("W", "Wh", "A", ...), or None."""
    entry = lookup(obis)
    return None if entry is None else entry.unit


def kind_of(obis: ObisLike) -> Optional[str]:
    """"number", "text", "datetime" or "other" for known codes; None when unknown."""
    entry = lookup(obis)
    return None if entry is None else entry.kind


def find(name: str) -> Optional[Obis]:
    """The canonical OBIS code of a registry name (``find("voltage_l1")``), or None.

    Channel objects (``mbus_reading`` ...) have B = 255 in the returned
    code, meaning "any channel".
    """
    entry = _BY_NAME.get(name)
    return None if entry is None else entry.obis


def entries() -> List[RegistryEntry]:
    """Every canonical entry (one per name), in table order."""
    return list(_BY_NAME.values())


def ha_description(obis_or_name: Union[ObisLike, str], *, unit: Optional[str] = None,
                   mbus_device_type: Optional[int] = None) -> Optional[HaDescription]:
    """How Home Assistant shows a quantity: its :class:`HaDescription` (device class, state class,
    native unit, conversion, stable object id), or None.

    ``obis_or_name``: an OBIS code in any spelling, or a registry name
    (``"voltage_l1"``).  ``unit``: the unit the reading came with
    (``reading.unit``); without it the registry's unit is assumed.  A unit
    Home Assistant does not accept for the device class keeps the value
    unconverted and drops the device class.  ``mbus_device_type``: the
    channel's M-Bus device type (reading ``0-n:24.1.0``), which tells a gas
    reading (3) from water (6, 7, 0x15, 0x16) and heat (4, 0x0A-0x0D);
    without it, an M-Bus reading in m³ is taken as gas.  None for unknown
    codes and for structures (logs, profiles, push setups), which are no
    sensor.  The conventions themselves are data in ``hanparse/_ha.py``;
    docs/homeassistant.md has the table::

        desc = ha_description(reading.obis, unit=reading.unit)
        if desc is not None:
            value, unit = desc.convert(reading.value), desc.native_unit
    """
    channel: Optional[int] = None
    named = find(obis_or_name) if isinstance(obis_or_name, str) else None
    if named is not None:
        entry = lookup(named)
    else:
        try:
            code = Obis.coerce(obis_or_name)
        except (ValueError, TypeError):
            return None
        entry = lookup(code)
        if entry is not None and entry.obis[1] == 255 and 1 <= code[1] <= 254:
            channel = code[1]
    if entry is None:
        return None
    return _describe_ha(entry, channel, unit, mbus_device_type)
