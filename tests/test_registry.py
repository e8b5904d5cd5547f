"""The OBIS registry: names, uniqueness, lookup rules and coverage of the lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hanparse import registry
from hanparse.model import Reading
from hanparse.obis import Obis

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def test_names_are_unique_and_snake_case():
    entries = registry.entries()
    names = [e.name for e in entries]
    assert len(names) == len(set(names))
    for e in entries:
        assert SNAKE.match(e.name), e.name
        assert e.description and e.description[0].isupper()
        assert e.kind in ("number", "text", "datetime", "other")
        assert registry.find(e.name) == e.obis


@pytest.mark.parametrize("code,name,unit", [
    ("1-0:1.7.0.255", "active_power_import", "W"),
    ("1-0:2.7.0.255", "active_power_export", "W"),
    ("1-0:3.7.0", "reactive_power_import", "var"),
    ("1-0:4.7.0", "reactive_power_export", "var"),
    ("1-0:32.7.0.255", "voltage_l1", "V"),
    ("1-0:52.7.0", "voltage_l2", "V"),
    ("1-0:72.7.0", "voltage_l3", "V"),
    ("1-0:31.7.0", "current_l1", "A"),
    ("1-0:71.7.0", "current_l3", "A"),
    ("1-0:91.7.0", "current_neutral", "A"),
    ("1-0:1.8.0", "active_energy_import", "Wh"),
    ("1-0:2.8.0", "active_energy_export", "Wh"),
    ("1-0:3.8.0", "reactive_energy_import", "varh"),
    ("1-0:1.8.1", "active_energy_import_tariff_1", "Wh"),
    ("1-0:2.8.2", "active_energy_export_tariff_2", "Wh"),
    ("1-0:5.8.0", "reactive_energy_q1", "varh"),
    ("1-0:21.7.0", "active_power_import_l1", "W"),
    ("1-0:62.7.0", "active_power_export_l3", "W"),
    ("1-0:21.8.0", "active_energy_import_l1", "Wh"),
    ("1-0:13.7.0", "power_factor", None),
    ("1-0:33.7.0", "power_factor_l1", None),
    ("1-0:14.7.0", "frequency", "Hz"),
    ("1-0:1.4.0", "active_power_import_demand", "W"),
    ("1-0:1.6.0", "active_power_import_max_demand", "W"),
    ("1-0:32.32.0", "voltage_sags_l1", None),
    ("1-0:72.36.0", "voltage_swells_l3", None),
    ("1-0:31.4.0", "current_limit_l1", "A"),
    ("0-0:1.0.0.255", "clock", None),
    ("0-0:96.1.0.255", "meter_id", None),
    ("0-0:96.1.1", "equipment_id", None),
    ("0-0:96.1.7", "meter_type", None),
    ("0-0:42.0.0", "logical_device_name", None),
    ("0-0:96.14.0", "tariff_indicator", None),
    ("0-0:96.7.21", "power_failures", None),
    ("0-0:96.7.9", "long_power_failures", None),
    ("1-0:99.97.0", "power_failure_log", None),
    ("0-0:96.13.0", "text_message", None),
    ("0-0:96.3.10", "breaker_state", None),
    ("1-3:0.2.8", "dsmr_version", None),
    ("1-1:0.2.129.255", "list_version", None),
    ("1-0:0.2.129.255", "list_version", None),
])
def test_known_codes(code, name, unit):
    assert registry.name_of(code) == name
    assert registry.unit_of(code) == unit
    assert registry.lookup(Obis.parse(code)).name == name


def test_f_missing_equals_f_255_and_spellings_agree():
    for spelling in ("1-0:1.8.1", "1-0:1.8.1.255", "1-0:1.8.1*255", "1.0.1.8.1.255", Obis(1, 0, 1, 8, 1),
                     bytes([1, 0, 1, 8, 1, 255])):
        assert registry.name_of(spelling) == "active_energy_import_tariff_1"


def test_billing_periods_are_not_current_values():
    assert registry.name_of("1-0:1.8.0.101") is None


def test_electricity_channels_fall_back_to_channel_0():
    # Kamstrup and L+G put B = 1 on every electricity object
    assert registry.name_of("1-1:1.7.0.255") == "active_power_import"
    assert registry.name_of("1-1:31.7.0") == "current_l1"
    assert registry.name_of("1-1:1.8.0") == "active_energy_import"
    # ... but an exact entry wins: 1-3:0.2.8 is the DSMR version, 1-0:0.2.8 a firmware signature
    assert registry.name_of("1-3:0.2.8") == "dsmr_version"
    assert registry.name_of("1-0:0.2.8") == "firmware_signature"


def test_mbus_channels_match_any_channel():
    for b in (1, 2, 3, 4):
        assert registry.name_of("0-%d:24.2.1" % b) == "mbus_reading"
        assert registry.name_of("0-%d:96.1.0" % b) == "mbus_equipment_id"
        assert registry.name_of("0-%d:24.1.0" % b) == "mbus_device_type"
        assert registry.name_of("0-%d:96.1.1" % b) == "mbus_device_id"
    assert registry.name_of("0-1:24.2.3") == "mbus_reading_uncorrected"
    assert registry.name_of("0-2:24.4.0") == "mbus_valve_state"
    assert registry.name_of("0-1:96.3.10") == "relay_state"
    # the same C.D.E under B = 0 is something else (dlms.md 7.1)
    assert registry.name_of("0-0:96.1.0") == "meter_id"
    assert registry.find("mbus_reading") == Obis(0, 255, 24, 2, 1, 255)


def test_vendor_aliases_share_the_standard_name():
    assert registry.name_of("1-1:0.0.5.255") == "meter_id"  # Kamstrup meter id
    assert registry.name_of("1-1:96.1.1.255") == "meter_type"  # Kamstrup meter type
    assert registry.name_of("0-1:1.0.0.255") == "clock"  # Kamstrup clock
    assert registry.name_of("0-0:1.8.0.255") == "active_energy_import"  # Embriq A = 0
    assert registry.name_of("0-8:25.9.0.255") == "push_setup"  # L+G push setup


def test_unknown_and_bad_input():
    assert registry.lookup("0-0:96.5.134.255") is None  # manufacturer specific
    assert registry.name_of("not an obis") is None
    assert registry.description_of([1, 2]) is None
    assert registry.find("no_such_name") is None


def test_reading_name_comes_from_the_registry():
    r = Reading("1-0:32.7.0", 230.1, "V")
    assert r.name == "voltage_l1"
    assert "L1" in r.description


def _fixture_codes():
    codes = set()
    for p in FIXTURES.glob("*/*.json"):
        data = json.loads(p.read_text(encoding="utf-8"))
        if p.name.endswith(".expected.json"):
            readings = data.get("readings") if isinstance(data, dict) else None
            codes.update(str(r.get("obis")) for r in readings or ()
                         if isinstance(r, dict) and ":" in str(r.get("obis")))
            continue
        codes.update(k for k in ((data.get("expected") or {}).get("obis") or {}) if ":" in k)
        text = data.get("text") or ""
        codes.update(re.findall(r"^(\d+-\d+:\d+\.\d+\.\d+(?:[*.]\d+)?)\(", text, re.M))
    return sorted(codes)


def test_every_code_in_the_fixtures_has_a_name():
    """Norwegian, Swedish, Danish, Austrian, Swiss, Czech lists and every DSMR telegram."""
    missing = []
    for code in _fixture_codes():
        o = Obis.parse(code)
        manufacturer_specific = any(128 <= g <= 254 for g in (o.b, o.c, o.d, o.e)) or o.c in (240,)
        if registry.name_of(o) is None and not manufacturer_specific:
            missing.append(code)
    assert missing == []
