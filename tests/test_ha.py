"""Home Assistant descriptions of the registry's quantities (issue 13, item 3).

The table of what Home Assistant accepts is written here from its
documentation, independently of ``hanparse/_ha.py``:

* units per sensor device class: "Available device classes",
  https://developers.home-assistant.io/docs/core/entity/sensor/#available-device-classes
  (the ``DEVICE_CLASS_UNITS`` map of homeassistant/components/sensor/const.py);
* state classes per device class: the ``DEVICE_CLASS_STATE_CLASSES`` map of
  the same file (Home Assistant logs a warning for other combinations);
  ``enum`` and ``timestamp`` sensors take no state class and no unit.

Only units that have been valid for several releases are listed, so a unit
hanparse emits is one every current Home Assistant accepts.
"""

from __future__ import annotations

import datetime as _dt
from typing import Dict, Optional, Set, Tuple

import pytest

import hanparse
from hanparse import registry
from hanparse._ha import HA_UNITS, normalize_unit
from hanparse.registry import HaDescription, ha_description
from tests.fixture_files import data, entries

# device class -> units Home Assistant accepts (None: no unit)
HA_ACCEPTED_UNITS: Dict[str, Set[Optional[str]]] = {
    "apparent_power": {"VA"},
    "current": {"A", "mA"},
    "duration": {"d", "h", "min", "s", "ms"},
    "energy": {"J", "kJ", "MJ", "GJ", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"},
    "frequency": {"Hz", "kHz", "MHz", "GHz"},
    "gas": {"m³", "ft³", "CCF"},
    "power": {"W", "kW", "MW", "GW", "TW", "BTU/h"},
    "power_factor": {"%", None},
    "reactive_power": {"var", "kvar"},
    "reactive_energy": {"varh", "kvarh"},
    "voltage": {"mV", "V", "kV"},
    "water": {"L", "gal", "m³", "ft³", "CCF"},
    "enum": {None},
    "timestamp": {None},
}

# device class -> state classes Home Assistant accepts for it
HA_STATE_CLASSES: Dict[str, Set[Optional[str]]] = {
    "apparent_power": {"measurement"},
    "current": {"measurement"},
    "duration": {"measurement", "total", "total_increasing"},
    "energy": {"total", "total_increasing"},
    "frequency": {"measurement"},
    "gas": {"total", "total_increasing"},
    "power": {"measurement"},
    "power_factor": {"measurement"},
    "reactive_power": {"measurement"},
    "reactive_energy": {"total", "total_increasing"},
    "voltage": {"measurement"},
    "water": {"total", "total_increasing"},
    "enum": {None},
    "timestamp": {None},
}

# The object ids and classes of every registry quantity, frozen: Home
# Assistant keys long-term statistics on them, so an id never changes or
# disappears, and its device class, state class and unit stay.  A new
# registry name is added here in its group.
# (device class, state class, unit of the registry's default wire unit) -> ids
FROZEN: Dict[Tuple[Optional[str], Optional[str], Optional[str]], str] = {
    ('power', 'measurement', 'W'): """
        active_power_import active_power_import_demand active_power_import_last_demand active_power_import_max_demand
        active_power_import_minimum active_power_import_average active_power_import_max_demand_tariff_1
        active_power_import_max_demand_tariff_2 active_power_import_max_demand_tariff_3
        active_power_import_max_demand_tariff_4 active_power_import_l1 active_power_import_l1_demand
        active_power_import_l1_last_demand active_power_import_l1_max_demand active_power_import_l1_minimum
        active_power_import_l1_average active_power_import_l2 active_power_import_l2_demand
        active_power_import_l2_last_demand active_power_import_l2_max_demand active_power_import_l2_minimum
        active_power_import_l2_average active_power_import_l3 active_power_import_l3_demand
        active_power_import_l3_last_demand active_power_import_l3_max_demand active_power_import_l3_minimum
        active_power_import_l3_average active_power_export active_power_export_demand active_power_export_last_demand
        active_power_export_max_demand active_power_export_minimum active_power_export_average
        active_power_export_max_demand_tariff_1 active_power_export_max_demand_tariff_2
        active_power_export_max_demand_tariff_3 active_power_export_max_demand_tariff_4 active_power_export_l1
        active_power_export_l1_demand active_power_export_l1_last_demand active_power_export_l1_max_demand
        active_power_export_l1_minimum active_power_export_l1_average active_power_export_l2
        active_power_export_l2_demand active_power_export_l2_last_demand active_power_export_l2_max_demand
        active_power_export_l2_minimum active_power_export_l2_average active_power_export_l3
        active_power_export_l3_demand active_power_export_l3_last_demand active_power_export_l3_max_demand
        active_power_export_l3_minimum active_power_export_l3_average active_power_abs active_power_abs_demand
        active_power_abs_last_demand active_power_abs_max_demand active_power_abs_minimum active_power_abs_average
        active_power_abs_max_demand_tariff_1 active_power_abs_max_demand_tariff_2 active_power_abs_max_demand_tariff_3
        active_power_abs_max_demand_tariff_4 active_power_abs_l1 active_power_abs_l1_demand
        active_power_abs_l1_last_demand active_power_abs_l1_max_demand active_power_abs_l1_minimum
        active_power_abs_l1_average active_power_abs_l2 active_power_abs_l2_demand active_power_abs_l2_last_demand
        active_power_abs_l2_max_demand active_power_abs_l2_minimum active_power_abs_l2_average active_power_abs_l3
        active_power_abs_l3_demand active_power_abs_l3_last_demand active_power_abs_l3_max_demand
        active_power_abs_l3_minimum active_power_abs_l3_average active_power_net active_power_net_demand
        active_power_net_last_demand active_power_net_max_demand active_power_net_minimum active_power_net_average
        active_power_net_max_demand_tariff_1 active_power_net_max_demand_tariff_2 active_power_net_max_demand_tariff_3
        active_power_net_max_demand_tariff_4 active_power_net_l1 active_power_net_l1_demand
        active_power_net_l1_last_demand active_power_net_l1_max_demand active_power_net_l1_minimum
        active_power_net_l1_average active_power_net_l2 active_power_net_l2_demand active_power_net_l2_last_demand
        active_power_net_l2_max_demand active_power_net_l2_minimum active_power_net_l2_average active_power_net_l3
        active_power_net_l3_demand active_power_net_l3_last_demand active_power_net_l3_max_demand
        active_power_net_l3_minimum active_power_net_l3_average
    """,
    ('energy', 'total_increasing', 'Wh'): """
        active_energy_import active_energy_import_tariff_1 active_energy_import_tariff_2 active_energy_import_tariff_3
        active_energy_import_tariff_4 active_energy_import_tariff_5 active_energy_import_tariff_6
        active_energy_import_tariff_7 active_energy_import_tariff_8 active_energy_import_tariff_9
        active_energy_import_l1 active_energy_import_l2 active_energy_import_l3 active_energy_export
        active_energy_export_tariff_1 active_energy_export_tariff_2 active_energy_export_tariff_3
        active_energy_export_tariff_4 active_energy_export_tariff_5 active_energy_export_tariff_6
        active_energy_export_tariff_7 active_energy_export_tariff_8 active_energy_export_tariff_9
        active_energy_export_l1 active_energy_export_l2 active_energy_export_l3 active_energy_abs
        active_energy_abs_tariff_1 active_energy_abs_tariff_2 active_energy_abs_tariff_3 active_energy_abs_tariff_4
        active_energy_abs_tariff_5 active_energy_abs_tariff_6 active_energy_abs_tariff_7 active_energy_abs_tariff_8
        active_energy_abs_tariff_9 active_energy_abs_l1 active_energy_abs_l2 active_energy_abs_l3
    """,
    ('reactive_power', 'measurement', 'var'): """
        reactive_power_import reactive_power_import_demand reactive_power_import_last_demand
        reactive_power_import_max_demand reactive_power_import_minimum reactive_power_import_average
        reactive_power_import_max_demand_tariff_1 reactive_power_import_max_demand_tariff_2
        reactive_power_import_max_demand_tariff_3 reactive_power_import_max_demand_tariff_4 reactive_power_import_l1
        reactive_power_import_l1_demand reactive_power_import_l1_last_demand reactive_power_import_l1_max_demand
        reactive_power_import_l1_minimum reactive_power_import_l1_average reactive_power_import_l2
        reactive_power_import_l2_demand reactive_power_import_l2_last_demand reactive_power_import_l2_max_demand
        reactive_power_import_l2_minimum reactive_power_import_l2_average reactive_power_import_l3
        reactive_power_import_l3_demand reactive_power_import_l3_last_demand reactive_power_import_l3_max_demand
        reactive_power_import_l3_minimum reactive_power_import_l3_average reactive_power_export
        reactive_power_export_demand reactive_power_export_last_demand reactive_power_export_max_demand
        reactive_power_export_minimum reactive_power_export_average reactive_power_export_max_demand_tariff_1
        reactive_power_export_max_demand_tariff_2 reactive_power_export_max_demand_tariff_3
        reactive_power_export_max_demand_tariff_4 reactive_power_export_l1 reactive_power_export_l1_demand
        reactive_power_export_l1_last_demand reactive_power_export_l1_max_demand reactive_power_export_l1_minimum
        reactive_power_export_l1_average reactive_power_export_l2 reactive_power_export_l2_demand
        reactive_power_export_l2_last_demand reactive_power_export_l2_max_demand reactive_power_export_l2_minimum
        reactive_power_export_l2_average reactive_power_export_l3 reactive_power_export_l3_demand
        reactive_power_export_l3_last_demand reactive_power_export_l3_max_demand reactive_power_export_l3_minimum
        reactive_power_export_l3_average reactive_power_q1 reactive_power_q1_demand reactive_power_q1_last_demand
        reactive_power_q1_max_demand reactive_power_q1_minimum reactive_power_q1_average
        reactive_power_q1_max_demand_tariff_1 reactive_power_q1_max_demand_tariff_2
        reactive_power_q1_max_demand_tariff_3 reactive_power_q1_max_demand_tariff_4 reactive_power_q1_l1
        reactive_power_q1_l1_demand reactive_power_q1_l1_last_demand reactive_power_q1_l1_max_demand
        reactive_power_q1_l1_minimum reactive_power_q1_l1_average reactive_power_q1_l2 reactive_power_q1_l2_demand
        reactive_power_q1_l2_last_demand reactive_power_q1_l2_max_demand reactive_power_q1_l2_minimum
        reactive_power_q1_l2_average reactive_power_q1_l3 reactive_power_q1_l3_demand reactive_power_q1_l3_last_demand
        reactive_power_q1_l3_max_demand reactive_power_q1_l3_minimum reactive_power_q1_l3_average reactive_power_q2
        reactive_power_q2_demand reactive_power_q2_last_demand reactive_power_q2_max_demand reactive_power_q2_minimum
        reactive_power_q2_average reactive_power_q2_max_demand_tariff_1 reactive_power_q2_max_demand_tariff_2
        reactive_power_q2_max_demand_tariff_3 reactive_power_q2_max_demand_tariff_4 reactive_power_q2_l1
        reactive_power_q2_l1_demand reactive_power_q2_l1_last_demand reactive_power_q2_l1_max_demand
        reactive_power_q2_l1_minimum reactive_power_q2_l1_average reactive_power_q2_l2 reactive_power_q2_l2_demand
        reactive_power_q2_l2_last_demand reactive_power_q2_l2_max_demand reactive_power_q2_l2_minimum
        reactive_power_q2_l2_average reactive_power_q2_l3 reactive_power_q2_l3_demand reactive_power_q2_l3_last_demand
        reactive_power_q2_l3_max_demand reactive_power_q2_l3_minimum reactive_power_q2_l3_average reactive_power_q3
        reactive_power_q3_demand reactive_power_q3_last_demand reactive_power_q3_max_demand reactive_power_q3_minimum
        reactive_power_q3_average reactive_power_q3_max_demand_tariff_1 reactive_power_q3_max_demand_tariff_2
        reactive_power_q3_max_demand_tariff_3 reactive_power_q3_max_demand_tariff_4 reactive_power_q3_l1
        reactive_power_q3_l1_demand reactive_power_q3_l1_last_demand reactive_power_q3_l1_max_demand
        reactive_power_q3_l1_minimum reactive_power_q3_l1_average reactive_power_q3_l2 reactive_power_q3_l2_demand
        reactive_power_q3_l2_last_demand reactive_power_q3_l2_max_demand reactive_power_q3_l2_minimum
        reactive_power_q3_l2_average reactive_power_q3_l3 reactive_power_q3_l3_demand reactive_power_q3_l3_last_demand
        reactive_power_q3_l3_max_demand reactive_power_q3_l3_minimum reactive_power_q3_l3_average reactive_power_q4
        reactive_power_q4_demand reactive_power_q4_last_demand reactive_power_q4_max_demand reactive_power_q4_minimum
        reactive_power_q4_average reactive_power_q4_max_demand_tariff_1 reactive_power_q4_max_demand_tariff_2
        reactive_power_q4_max_demand_tariff_3 reactive_power_q4_max_demand_tariff_4 reactive_power_q4_l1
        reactive_power_q4_l1_demand reactive_power_q4_l1_last_demand reactive_power_q4_l1_max_demand
        reactive_power_q4_l1_minimum reactive_power_q4_l1_average reactive_power_q4_l2 reactive_power_q4_l2_demand
        reactive_power_q4_l2_last_demand reactive_power_q4_l2_max_demand reactive_power_q4_l2_minimum
        reactive_power_q4_l2_average reactive_power_q4_l3 reactive_power_q4_l3_demand reactive_power_q4_l3_last_demand
        reactive_power_q4_l3_max_demand reactive_power_q4_l3_minimum reactive_power_q4_l3_average
    """,
    ('reactive_energy', 'total_increasing', 'varh'): """
        reactive_energy_import reactive_energy_import_tariff_1 reactive_energy_import_tariff_2
        reactive_energy_import_tariff_3 reactive_energy_import_tariff_4 reactive_energy_import_tariff_5
        reactive_energy_import_tariff_6 reactive_energy_import_tariff_7 reactive_energy_import_tariff_8
        reactive_energy_import_tariff_9 reactive_energy_import_l1 reactive_energy_import_l2 reactive_energy_import_l3
        reactive_energy_export reactive_energy_export_tariff_1 reactive_energy_export_tariff_2
        reactive_energy_export_tariff_3 reactive_energy_export_tariff_4 reactive_energy_export_tariff_5
        reactive_energy_export_tariff_6 reactive_energy_export_tariff_7 reactive_energy_export_tariff_8
        reactive_energy_export_tariff_9 reactive_energy_export_l1 reactive_energy_export_l2 reactive_energy_export_l3
        reactive_energy_q1 reactive_energy_q1_tariff_1 reactive_energy_q1_tariff_2 reactive_energy_q1_tariff_3
        reactive_energy_q1_tariff_4 reactive_energy_q1_tariff_5 reactive_energy_q1_tariff_6 reactive_energy_q1_tariff_7
        reactive_energy_q1_tariff_8 reactive_energy_q1_tariff_9 reactive_energy_q1_l1 reactive_energy_q1_l2
        reactive_energy_q1_l3 reactive_energy_q2 reactive_energy_q2_tariff_1 reactive_energy_q2_tariff_2
        reactive_energy_q2_tariff_3 reactive_energy_q2_tariff_4 reactive_energy_q2_tariff_5 reactive_energy_q2_tariff_6
        reactive_energy_q2_tariff_7 reactive_energy_q2_tariff_8 reactive_energy_q2_tariff_9 reactive_energy_q2_l1
        reactive_energy_q2_l2 reactive_energy_q2_l3 reactive_energy_q3 reactive_energy_q3_tariff_1
        reactive_energy_q3_tariff_2 reactive_energy_q3_tariff_3 reactive_energy_q3_tariff_4 reactive_energy_q3_tariff_5
        reactive_energy_q3_tariff_6 reactive_energy_q3_tariff_7 reactive_energy_q3_tariff_8 reactive_energy_q3_tariff_9
        reactive_energy_q3_l1 reactive_energy_q3_l2 reactive_energy_q3_l3 reactive_energy_q4 reactive_energy_q4_tariff_1
        reactive_energy_q4_tariff_2 reactive_energy_q4_tariff_3 reactive_energy_q4_tariff_4 reactive_energy_q4_tariff_5
        reactive_energy_q4_tariff_6 reactive_energy_q4_tariff_7 reactive_energy_q4_tariff_8 reactive_energy_q4_tariff_9
        reactive_energy_q4_l1 reactive_energy_q4_l2 reactive_energy_q4_l3
    """,
    ('apparent_power', 'measurement', 'VA'): """
        apparent_power_import apparent_power_import_demand apparent_power_import_last_demand
        apparent_power_import_max_demand apparent_power_import_minimum apparent_power_import_average
        apparent_power_import_max_demand_tariff_1 apparent_power_import_max_demand_tariff_2
        apparent_power_import_max_demand_tariff_3 apparent_power_import_max_demand_tariff_4 apparent_power_import_l1
        apparent_power_import_l1_demand apparent_power_import_l1_last_demand apparent_power_import_l1_max_demand
        apparent_power_import_l1_minimum apparent_power_import_l1_average apparent_power_import_l2
        apparent_power_import_l2_demand apparent_power_import_l2_last_demand apparent_power_import_l2_max_demand
        apparent_power_import_l2_minimum apparent_power_import_l2_average apparent_power_import_l3
        apparent_power_import_l3_demand apparent_power_import_l3_last_demand apparent_power_import_l3_max_demand
        apparent_power_import_l3_minimum apparent_power_import_l3_average apparent_power_export
        apparent_power_export_demand apparent_power_export_last_demand apparent_power_export_max_demand
        apparent_power_export_minimum apparent_power_export_average apparent_power_export_max_demand_tariff_1
        apparent_power_export_max_demand_tariff_2 apparent_power_export_max_demand_tariff_3
        apparent_power_export_max_demand_tariff_4 apparent_power_export_l1 apparent_power_export_l1_demand
        apparent_power_export_l1_last_demand apparent_power_export_l1_max_demand apparent_power_export_l1_minimum
        apparent_power_export_l1_average apparent_power_export_l2 apparent_power_export_l2_demand
        apparent_power_export_l2_last_demand apparent_power_export_l2_max_demand apparent_power_export_l2_minimum
        apparent_power_export_l2_average apparent_power_export_l3 apparent_power_export_l3_demand
        apparent_power_export_l3_last_demand apparent_power_export_l3_max_demand apparent_power_export_l3_minimum
        apparent_power_export_l3_average
    """,
    (None, 'total_increasing', 'VAh'): """
        apparent_energy_import apparent_energy_import_tariff_1 apparent_energy_import_tariff_2
        apparent_energy_import_tariff_3 apparent_energy_import_tariff_4 apparent_energy_import_tariff_5
        apparent_energy_import_tariff_6 apparent_energy_import_tariff_7 apparent_energy_import_tariff_8
        apparent_energy_import_tariff_9 apparent_energy_import_l1 apparent_energy_import_l2 apparent_energy_import_l3
        apparent_energy_export apparent_energy_export_tariff_1 apparent_energy_export_tariff_2
        apparent_energy_export_tariff_3 apparent_energy_export_tariff_4 apparent_energy_export_tariff_5
        apparent_energy_export_tariff_6 apparent_energy_export_tariff_7 apparent_energy_export_tariff_8
        apparent_energy_export_tariff_9 apparent_energy_export_l1 apparent_energy_export_l2 apparent_energy_export_l3
    """,
    ('current', 'measurement', 'A'): """
        current current_demand current_last_demand current_max_demand current_minimum current_average current_l1
        current_l1_last_demand current_l1_max_demand current_l1_minimum current_l1_average current_l2
        current_l2_last_demand current_l2_max_demand current_l2_minimum current_l2_average current_l3
        current_l3_last_demand current_l3_max_demand current_l3_minimum current_l3_average current_sum current_neutral
        current_limit_l1 current_limit_l2 current_limit_l3
    """,
    ('voltage', 'measurement', 'V'): """
        voltage voltage_demand voltage_last_demand voltage_max_demand voltage_minimum voltage_average
        voltage_sag_threshold voltage_sag_magnitude voltage_swell_threshold voltage_swell_magnitude voltage_l1
        voltage_l1_demand voltage_l1_last_demand voltage_l1_max_demand voltage_l1_minimum voltage_l1_average
        voltage_sag_threshold_l1 voltage_sag_magnitude_l1 voltage_swell_threshold_l1 voltage_swell_magnitude_l1
        voltage_l2 voltage_l2_demand voltage_l2_last_demand voltage_l2_max_demand voltage_l2_minimum voltage_l2_average
        voltage_sag_threshold_l2 voltage_sag_magnitude_l2 voltage_swell_threshold_l2 voltage_swell_magnitude_l2
        voltage_l3 voltage_l3_demand voltage_l3_last_demand voltage_l3_max_demand voltage_l3_minimum voltage_l3_average
        voltage_sag_threshold_l3 voltage_sag_magnitude_l3 voltage_swell_threshold_l3 voltage_swell_magnitude_l3
        voltage_neutral
    """,
    (None, 'total_increasing', None): """
        voltage_sags voltage_swells voltage_sags_l1 voltage_swells_l1 voltage_sags_l2 voltage_swells_l2 voltage_sags_l3
        voltage_swells_l3 power_failures long_power_failures
    """,
    ('duration', 'measurement', 's'): """
        voltage_sag_duration voltage_swell_duration voltage_sag_duration_l1 voltage_swell_duration_l1
        voltage_sag_duration_l2 voltage_swell_duration_l2 voltage_sag_duration_l3 voltage_swell_duration_l3
        measurement_period_instantaneous measurement_period_demand
    """,
    ('power_factor', 'measurement', '%'): """
        power_factor power_factor_demand power_factor_last_demand power_factor_max_demand power_factor_minimum
        power_factor_average power_factor_l1 power_factor_l1_demand power_factor_l1_last_demand
        power_factor_l1_max_demand power_factor_l1_minimum power_factor_l1_average power_factor_l2
        power_factor_l2_demand power_factor_l2_last_demand power_factor_l2_max_demand power_factor_l2_minimum
        power_factor_l2_average power_factor_l3 power_factor_l3_demand power_factor_l3_last_demand
        power_factor_l3_max_demand power_factor_l3_minimum power_factor_l3_average
    """,
    ('frequency', 'measurement', 'Hz'): """
        frequency frequency_demand frequency_last_demand frequency_max_demand frequency_minimum frequency_average
        frequency_l1 frequency_l1_demand frequency_l1_last_demand frequency_l1_max_demand frequency_l1_minimum
        frequency_l1_average frequency_l2 frequency_l2_demand frequency_l2_last_demand frequency_l2_max_demand
        frequency_l2_minimum frequency_l2_average frequency_l3 frequency_l3_demand frequency_l3_last_demand
        frequency_l3_max_demand frequency_l3_minimum frequency_l3_average
    """,
    ('energy', 'total', 'Wh'): """
        active_energy_net active_energy_net_tariff_1 active_energy_net_tariff_2 active_energy_net_tariff_3
        active_energy_net_tariff_4 active_energy_net_tariff_5 active_energy_net_tariff_6 active_energy_net_tariff_7
        active_energy_net_tariff_8 active_energy_net_tariff_9 active_energy_net_l1 active_energy_net_l2
        active_energy_net_l3
    """,
    ('timestamp', None, None): """
        clock
    """,
    (None, None, None): """
        list_version dsmr_version firmware_id firmware_signature meter_id equipment_id emucs_version meter_type
        device_id logical_device_name tariff_indicator text_message text_message_code internal_status meter_status
        error_register alarm_register alarm_filter current_transformer_ratio voltage_transformer_ratio
        text_message_channel_2 text_message_channel_3 text_message_channel_4 text_message_channel_5 mbus_device_type
        mbus_equipment_id mbus_device_id mbus_text_message
    """,
    ('enum', None, None): """
        breaker_state mbus_valve_state relay_state
    """,
    ('power', 'measurement', 'kW'): """
        limiter_threshold
    """,
    ('gas', 'total_increasing', 'm³'): """
        mbus_reading mbus_reading_uncorrected
    """,
}


def _described():
    out = {}
    for e in registry.entries():
        d = ha_description(e.name)
        if d is not None:
            out[d.object_id] = d
    return out


def test_frozen_object_ids_and_classes():
    frozen = {oid: key for key, ids in FROZEN.items() for oid in ids.split()}
    now = _described()
    missing = sorted(set(frozen) - set(now))
    assert not missing, "object ids must stay stable; gone: %s" % missing
    changed = {oid: ((now[oid].device_class, now[oid].state_class, now[oid].native_unit), key)
               for oid, key in frozen.items() if (now[oid].device_class, now[oid].state_class,
                                                  now[oid].native_unit) != key}
    assert not changed, "device class / state class / unit changed (now, frozen): %s" % changed
    new = sorted(set(now) - set(frozen))
    assert not new, "new object ids: add them to FROZEN: %s" % new


def test_every_number_with_a_unit_has_a_description():
    for e in registry.entries():
        if e.kind == "number" and e.unit is not None:
            d = ha_description(e.name)
            assert d is not None, e.name
            assert d.object_id == e.name
            assert d.state_class is not None, e.name


def test_every_named_quantity_but_structures_is_described():
    for e in registry.entries():
        d = ha_description(e.name)
        if e.kind in ("number", "text", "datetime"):
            assert d is not None and d.kind == e.kind, e.name
        else:
            assert d is None, e.name  # logs, profiles, push setups are no sensor


@pytest.mark.parametrize("device_class", sorted(HA_ACCEPTED_UNITS))
def test_device_class_table(device_class):
    """Every quantity with a device class has a state class and a unit Home Assistant accepts for it."""
    for oid, d in _described().items():
        if d.device_class != device_class:
            continue
        assert d.native_unit in HA_ACCEPTED_UNITS[device_class], (oid, d.native_unit)
        assert d.state_class in HA_STATE_CLASSES[device_class], (oid, d.state_class)
        if device_class not in ("enum", "timestamp"):
            assert d.state_class is not None, oid


def test_every_device_class_used_is_in_the_table():
    used = {d.device_class for d in _described().values()} - {None}
    assert used <= set(HA_ACCEPTED_UNITS)
    assert set(HA_UNITS) <= set(HA_ACCEPTED_UNITS)


@pytest.mark.parametrize("device_class", sorted(HA_UNITS))
def test_every_conversion_lands_on_an_accepted_unit(device_class):
    for wire, (unit, factor) in HA_UNITS[device_class].items():
        assert unit in HA_ACCEPTED_UNITS[device_class], (device_class, wire, unit)
        assert factor >= 1 and str(factor).strip("0") == "1"  # a power of ten


def test_lookup_by_obis_spelling_or_name():
    by_name = ha_description("active_power_import")
    assert by_name is not None
    assert ha_description("1-0:1.7.0") == by_name
    assert ha_description("1-0:1.7.0.255") == by_name
    assert ha_description(hanparse.Obis(1, 0, 1, 7, 0)) == by_name
    assert ha_description("1-1:1.7.0") == by_name  # Kamstrup's channel 1 spelling
    assert by_name.device_class == "power" and by_name.state_class == "measurement"
    assert by_name.native_unit == "W" and by_name.name == "Active power import"
    assert ha_description("9-9:9.9.9") is None
    assert ha_description("no_such_name") is None
    assert ha_description("power_failure_log") is None


def test_units_as_sent_are_kept_when_home_assistant_takes_them():
    d = ha_description("1-0:1.8.1", unit="kWh")
    assert (d.device_class, d.state_class, d.native_unit, d.factor) == ("energy", "total_increasing", "kWh", 1)
    assert d.convert(4.426) == 4.426
    d = ha_description("1-0:3.8.0", unit="kVArh")
    assert (d.device_class, d.native_unit) == ("reactive_energy", "kvarh")
    d = ha_description("1-0:3.7.0", unit="VAr")
    assert (d.device_class, d.native_unit) == ("reactive_power", "var")
    assert ha_description("active_energy_net").state_class == "total"


def test_conversions_are_exact():
    pf = ha_description("power_factor_l1")
    assert (pf.device_class, pf.native_unit, pf.factor) == ("power_factor", "%", 100)
    assert pf.convert(0.57) == 57.0  # a float multiplication gives 56.99999999999999
    assert pf.convert(1) == 100 and pf.convert(0.999) == 99.9
    assert ha_description("power_factor", unit="%").convert(98.5) == 98.5
    kva = ha_description("apparent_power_import", unit="kVA")
    assert (kva.native_unit, kva.convert(1.234)) == ("VA", 1234.0)
    assert kva.convert(None) is None
    assert kva.convert((100, -63)) is None  # not a number: no state


def test_mbus_channel_objects():
    gas = ha_description("0-1:24.2.1", unit="m3")
    assert (gas.object_id, gas.device_class, gas.state_class, gas.native_unit) == \
        ("mbus_reading_1", "gas", "total_increasing", "m³")
    assert normalize_unit("m3") == "m³"
    water = ha_description("0-2:24.2.1", unit="m3", mbus_device_type=7)
    assert (water.object_id, water.device_class, water.native_unit) == ("mbus_reading_2", "water", "m³")
    heat = ha_description("0-3:24.2.1", unit="GJ", mbus_device_type=4)
    assert (heat.device_class, heat.native_unit) == ("energy", "GJ")
    assert ha_description("0-4:24.2.1", unit="m3", mbus_device_type=0x42).device_class is None


def test_enum_text_and_timestamp():
    breaker = ha_description("0-0:96.3.10")
    assert breaker.device_class == "enum" and breaker.state_class is None
    assert breaker.convert(1) == "connected" and breaker.convert(7) is None
    clock = ha_description("clock")
    assert (clock.device_class, clock.entity_category) == ("timestamp", "diagnostic")
    cet = _dt.timezone(_dt.timedelta(hours=1))
    assert clock.convert(_dt.datetime(2017, 8, 16, 16, 0, 5), cet) == "2017-08-16T16:00:05+01:00"
    meter_id = ha_description("meter_id")
    assert (meter_id.device_class, meter_id.entity_category) == (None, "diagnostic")
    assert ha_description("tariff_indicator").entity_category is None


def test_description_is_frozen():
    d = ha_description("voltage_l1")
    assert isinstance(d, HaDescription)
    with pytest.raises(AttributeError):
        d.native_unit = "kV"  # type: ignore[misc]


def _fixture_readings():
    for fmt in ("hdlc", "mbus", "p1_ascii", "p1_encrypted"):
        for e in entries(fmt):
            keys = hanparse.Keys(e["key_hex"], e.get("auth_key_hex") or None) if e.get("key_hex") else None
            try:
                messages = hanparse.parse_payload(data(e), keys=keys)
            except hanparse.HanParseError:
                continue  # negative vectors
            for msg in messages:
                for r in msg.readings:
                    yield e["id"], r


def test_real_readings_get_accepted_units():
    """What the bundled frames decode to, described: the unit is accepted, the value a state."""
    counted = 0
    for fixture_id, r in _fixture_readings():
        d = ha_description(r.obis, unit=r.unit)
        if d is None:
            continue
        value = d.convert(r.value, _dt.timezone.utc)
        if d.device_class is not None:
            counted += 1
            assert d.native_unit in HA_ACCEPTED_UNITS[d.device_class], (fixture_id, r)
        if d.state_class is not None and value is not None:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), (fixture_id, r, value)
        if d.device_class is not None and d.device_class not in ("enum", "timestamp") and value is not None:
            # same number in the accepted unit, exactly
            assert value == r.value * d.factor or abs(value - r.value * d.factor) < 1e-9 * abs(value), (fixture_id, r)
    assert counted > 1000
