"""Home Assistant conventions for the registry's quantities, as data.

:func:`hanparse.registry.ha_description` (which looks the entry up and calls
:func:`describe` here) tells an integration (or :mod:`hanparse.mqtt`) how
Home Assistant should show a reading: its sensor ``device_class``,
``state_class`` and native unit, and how to turn the value hanparse decoded
into that unit.  An integration needs no table of its own::

    desc = ha_description(reading.obis, unit=reading.unit)
    if desc is not None:
        value, unit = desc.convert(reading.value), desc.native_unit

Sources (Home Assistant developer documentation):

* sensor device classes, their accepted units and state classes:
  https://developers.home-assistant.io/docs/core/entity/sensor/
* the unit constants (``m³``, ``var``, ``kvarh`` ...):
  https://developers.home-assistant.io/docs/core/entity/sensor/#available-device-classes
* the entity naming rules (``has_entity_name``, the name of a sensor is
  the quantity, the device name comes first):
  https://developers.home-assistant.io/docs/core/entity/#entity-naming

Choices made here (``docs/homeassistant.md`` has the full table):

* Values keep the unit the meter sends whenever Home Assistant accepts it
  for the device class: W, kW, Wh, kWh, var, varh, kvarh, V, A, Hz, m³ ...
  Nothing is rounded and nothing is scaled by a float multiplication.
* Converted, because Home Assistant has no unit for them or wants another
  one: the power factor (a ratio, 0.98) becomes a percentage (98.0);
  ``m3`` (DSMR spelling) is written ``m³``; kVA and MVA become VA, Mvar
  kvar, Mvarh kvarh.  Conversions multiply by a power of ten in decimal
  arithmetic on the value's shortest text, so 0.57 becomes 57.0, not
  56.99999999999999.
* Energy registers are ``total_increasing`` (Home Assistant treats a
  decrease as a meter reset); the net energy register 16.8.0 can go down
  and is ``total``.  Instantaneous values, averages, demands, thresholds and
  durations are ``measurement``.  Event counters (sags, swells, power
  failures) are ``total_increasing`` without a device class.
* Apparent energy (VAh) has no Home Assistant device class; it keeps its
  unit and state class and gets no device class.
* The disconnect control state (breaker, relay, valve; COSEM class 70
  ``control_state``: 0 disconnected, 1 connected, 2 ready for reconnection)
  is an ``enum`` sensor with those three options.
* Identifiers, versions and status words are diagnostic entities
  (``entity_category: diagnostic``); free text (tariff indicator, text
  messages) is a plain text sensor.

Object ids are the registry names (``active_power_import``); the objects
of a DSMR M-Bus channel get the channel number appended
(``mbus_reading_1``) when the OBIS code names the channel.  Both are
stable: ``tests/test_ha.py`` freezes them.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Dict, Mapping, Optional, Tuple

from .obis import Obis

__all__ = ["HaDescription", "describe", "HA_UNITS", "normalize_unit"]

#: Home Assistant device class -> {unit as hanparse may report it (normalized
#: by :func:`normalize_unit`): (Home Assistant unit, factor)}.  The value in
#: the Home Assistant unit is ``value * factor``.  Every Home Assistant unit
#: here is one the sensor documentation lists for that device class.
HA_UNITS: Mapping[str, Mapping[Optional[str], Tuple[Optional[str], int]]] = {
    "power": {"W": ("W", 1), "kW": ("kW", 1), "MW": ("MW", 1)},
    "reactive_power": {"var": ("var", 1), "kvar": ("kvar", 1), "Mvar": ("kvar", 1000)},
    "apparent_power": {"VA": ("VA", 1), "kVA": ("VA", 1000), "MVA": ("VA", 1000000)},
    "energy": {"Wh": ("Wh", 1), "kWh": ("kWh", 1), "MWh": ("MWh", 1), "GWh": ("GWh", 1),
               "J": ("J", 1), "kJ": ("kJ", 1), "MJ": ("MJ", 1), "GJ": ("GJ", 1)},
    "reactive_energy": {"varh": ("varh", 1), "kvarh": ("kvarh", 1), "Mvarh": ("kvarh", 1000)},
    "voltage": {"V": ("V", 1), "kV": ("kV", 1), "mV": ("mV", 1)},
    "current": {"A": ("A", 1), "mA": ("mA", 1), "kA": ("A", 1000)},
    "frequency": {"Hz": ("Hz", 1), "kHz": ("kHz", 1)},
    "power_factor": {None: ("%", 100), "%": ("%", 1)},
    "duration": {"s": ("s", 1), "min": ("min", 1), "h": ("h", 1), "d": ("d", 1)},
    "gas": {"m³": ("m³", 1), "ft³": ("ft³", 1)},
    "water": {"m³": ("m³", 1), "L": ("L", 1), "ft³": ("ft³", 1)},
}

# spellings meters use -> the spelling above (DSMR sends "m3", "kVArh", "GJ" ...)
_SPELLINGS: Dict[str, str] = {
    "m3": "m³", "l": "L", "ft3": "ft³", "dm3": "L",
    "var": "var", "kvar": "kvar", "mvar": "Mvar",
    "varh": "varh", "kvarh": "kvarh", "mvarh": "Mvarh",
    "va": "VA", "kva": "kVA", "mva": "MVA",
    "vah": "VAh", "kvah": "kVAh", "mvah": "MVAh",
    "w": "W", "kw": "kW", "wh": "Wh", "kwh": "kWh", "mwh": "MWh", "gwh": "GWh",
    "gj": "GJ", "mj": "MJ", "kj": "kJ", "j": "J",
    "v": "V", "kv": "kV", "a": "A", "ma": "mA", "ka": "kA", "hz": "Hz", "khz": "kHz",
    "s": "s", "min": "min", "h": "h", "d": "d", "%": "%",
}
# "mV"/"MW" differ from "MV"/"mW" only by case: keep those as sent
_CASE_SENSITIVE = frozenset(("mV", "MV", "mW", "MW", "mA", "MA"))

# disconnect control (COSEM class 70) control_state, IEC 62056-6-2
_CONTROL_STATES = ("disconnected", "connected", "ready_for_reconnection")

# M-Bus device types (EN 13757-3 table "device type", DSMR 0-n:24.1.0) of the
# channel reading 0-n:24.2.1: gas, water, heat/cooling
_MBUS_GAS = frozenset((0x03,))
_MBUS_WATER = frozenset((0x06, 0x07, 0x15, 0x16))
_MBUS_HEAT = frozenset((0x04, 0x0A, 0x0B, 0x0C, 0x0D))

_DIAGNOSTIC_TEXT = frozenset((
    "list_version", "dsmr_version", "firmware_id", "firmware_signature", "meter_id", "equipment_id",
    "emucs_version", "meter_type", "device_id", "logical_device_name", "mbus_equipment_id", "mbus_device_id",
))
_DIAGNOSTIC_NUMBER = frozenset((
    "internal_status", "meter_status", "error_register", "alarm_register", "alarm_filter",
    "current_transformer_ratio", "voltage_transformer_ratio", "mbus_device_type",
))
_COUNTERS = frozenset(("power_failures", "long_power_failures"))
_ENUMS = frozenset(("breaker_state", "relay_state", "mbus_valve_state"))

# registry unit -> device class
_CLASS_OF_UNIT: Dict[str, Optional[str]] = {
    "W": "power", "var": "reactive_power", "VA": "apparent_power",
    "Wh": "energy", "varh": "reactive_energy", "VAh": None,
    "V": "voltage", "A": "current", "Hz": "frequency", "s": "duration",
}
_CUMULATIVE_UNITS = frozenset(("Wh", "varh", "VAh"))


def normalize_unit(unit: Optional[str]) -> Optional[str]:
    """The spelling of ``unit`` used by :data:`HA_UNITS` (``"m3"`` -> ``"m³"``, ``"kVArh"`` -> ``"kvarh"``)."""
    if unit is None or unit in _CASE_SENSITIVE:
        return unit
    return _SPELLINGS.get(unit.lower(), unit)


@dataclass(frozen=True)
class HaDescription:
    """How Home Assistant should show one quantity.

    ``object_id``: the stable id (the registry name, plus ``_<n>`` for an
    M-Bus channel object of channel n); ``name``: short human name ("Active
    power import L1"); ``obis``: the code (canonical, or the channel's);
    ``kind``: the registry kind ("number", "text", "datetime");
    ``device_class``, ``state_class``: Home Assistant sensor classes or
    None; ``native_unit``: the Home Assistant unit of the converted value or
    None; ``wire_unit``: the unit hanparse reports that this description
    converts from; ``factor``: multiply a wire value by it to get the native
    value (a power of ten, applied in decimal arithmetic by
    :meth:`convert`); ``options``: the states of an ``enum`` sensor, indexed
    by the wire value; ``entity_category``: "diagnostic" or None;
    ``icon``: an ``mdi:`` icon where no device class gives one, or None.
    """

    object_id: str
    name: str
    obis: Obis
    kind: str
    device_class: Optional[str]
    state_class: Optional[str]
    native_unit: Optional[str]
    wire_unit: Optional[str] = None
    factor: int = 1
    options: Tuple[str, ...] = ()
    entity_category: Optional[str] = None
    icon: Optional[str] = None

    def convert(self, value: Any, tz: Optional[_dt.tzinfo] = None) -> Any:
        """``value`` (as hanparse decoded it, in :attr:`wire_unit`) as Home Assistant wants it.

        Numbers are multiplied by :attr:`factor` exactly (ints stay ints,
        floats are scaled in decimal on their shortest text); enum values
        become their option text (None when out of range); datetimes become
        ISO 8601 text, a naive one first given the zone ``tz`` when that is
        not None; bytes become hex; None stays None.
        """
        if value is None or isinstance(value, bool):
            return value
        if self.options:
            if isinstance(value, int) and 0 <= value < len(self.options):
                return self.options[value]
            return None
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None and tz is not None:
                value = value.replace(tzinfo=tz)
            return value.isoformat()
        if isinstance(value, (_dt.date, _dt.time)):
            return value.isoformat()
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).hex()
        if isinstance(value, Decimal):
            value = value * self.factor
            return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 \
                else float(value)
        if not isinstance(value, (int, float)):
            # a structure or text where a number is expected (a multi-value line): not a state
            return None if self.state_class is not None or self.native_unit is not None else value
        if self.factor == 1:
            return value
        if isinstance(value, int):
            return value * self.factor
        return float(Decimal(repr(value)) * self.factor)


def describe(entry: Any, channel: Optional[int], unit: Optional[str],
             mbus_device_type: Optional[int]) -> Optional[HaDescription]:
    """The :class:`HaDescription` of a registry entry (see :func:`hanparse.registry.ha_description`).

    ``entry``: the :class:`~hanparse.registry.RegistryEntry`; ``channel``:
    the M-Bus channel a channel-less entry (B = 255) was looked up for, else
    None.  This module holds the Home Assistant conventions as data; the
    registry looks the entry up and calls it, so the conventions import
    nothing of the registry.
    """
    return _describe(entry, channel, unit, mbus_device_type)


@lru_cache(maxsize=4096)
def _describe(entry: Any, channel: Optional[int], unit: Optional[str],
              mbus_device_type: Optional[int]) -> Optional[HaDescription]:
    if entry is None or entry.kind not in ("number", "text", "datetime"):
        return None
    obis = entry.obis
    object_id = entry.name
    name = _human(entry.name)
    if channel is not None:
        obis = Obis(obis[0], channel, obis[2], obis[3], obis[4], obis[5])
        object_id = "%s_%d" % (entry.name, channel)
        name = "%s %d" % (name, channel)
    base: Dict[str, Any] = {"object_id": object_id, "name": name, "obis": obis, "kind": entry.kind}
    wire = normalize_unit(unit if unit is not None else entry.unit)
    if entry.kind == "text":
        diagnostic = entry.name in _DIAGNOSTIC_TEXT
        return HaDescription(device_class=None, state_class=None, native_unit=None,
                             entity_category="diagnostic" if diagnostic else None,
                             icon=None if diagnostic else "mdi:message-text-outline" if "message" in entry.name
                             else "mdi:tag-outline" if entry.name == "tariff_indicator" else None, **base)
    if entry.kind == "datetime":
        return HaDescription(device_class="timestamp", state_class=None, native_unit=None,
                             entity_category="diagnostic", **base)
    # numbers
    if entry.name in _ENUMS:
        return HaDescription(device_class="enum", state_class=None, native_unit=None, options=_CONTROL_STATES,
                             icon="mdi:electric-switch" if "valve" not in entry.name else "mdi:valve", **base)
    if entry.name in _DIAGNOSTIC_NUMBER:
        return HaDescription(device_class=None, state_class=None, native_unit=wire, wire_unit=wire,
                             entity_category="diagnostic", **base)
    if entry.name in _COUNTERS or entry.name.startswith(("voltage_sags", "voltage_swells")):
        return HaDescription(device_class=None, state_class="total_increasing", native_unit=wire, wire_unit=wire,
                             icon="mdi:counter", **base)
    state_class = "measurement"
    if entry.name.startswith("power_factor"):
        device_class: Optional[str] = "power_factor"
    elif entry.name == "limiter_threshold":
        # DSMR 4/5 state it in kW, DSMR 3 in A, Luxembourg in kVA
        if wire is None:
            wire = "kW"
        device_class = next((dc for dc in ("power", "current", "apparent_power") if wire in HA_UNITS[dc]), None)
        base["entity_category"] = "diagnostic"
    elif entry.name.startswith("mbus_reading"):
        state_class = "total_increasing"
        if mbus_device_type in _MBUS_WATER:
            device_class = "water"
        elif mbus_device_type in _MBUS_HEAT or (mbus_device_type is None and wire in HA_UNITS["energy"]):
            device_class = "energy"
        elif mbus_device_type is None or mbus_device_type in _MBUS_GAS:
            device_class = "gas"
        else:
            device_class = None
        if device_class in ("gas", "water") and wire is None:
            wire = "m³"  # DSMR sends the unit; a bare number is m³ in every companion standard
        if channel is not None and device_class is not None:
            base["name"] = "%s %d" % ({"gas": "Gas", "water": "Water", "energy": "Heat"}[device_class], channel)
    else:
        device_class = _CLASS_OF_UNIT.get(entry.unit or "")
        if entry.unit in _CUMULATIVE_UNITS:
            state_class = "total" if entry.name.startswith("active_energy_net") else "total_increasing"
    if device_class is None:
        return HaDescription(device_class=None, state_class=state_class, native_unit=wire, wire_unit=wire, **base)
    accepted = HA_UNITS.get(device_class, {})
    if wire not in accepted:
        # a unit Home Assistant does not take for this class: keep the value, drop the class
        return HaDescription(device_class=None, state_class=state_class, native_unit=wire, wire_unit=wire, **base)
    ha_unit, factor = accepted[wire]
    return HaDescription(device_class=device_class, state_class=state_class, native_unit=ha_unit, wire_unit=wire,
                         factor=factor, **base)


_WORDS = {"l1": "L1", "l2": "L2", "l3": "L3", "q1": "QI", "q2": "QII", "q3": "QIII", "q4": "QIV",
          "mbus": "M-Bus", "dsmr": "DSMR", "id": "ID", "emucs": "e-MUCS", "abs": "absolute"}


def _human(name: str) -> str:
    words = [_WORDS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]
