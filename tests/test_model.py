"""Behaviour of the public model: Reading, Message, MeterInfo (the selected implementation).

The model classes are one plain slotted implementation for both the
Cython and the pure-Python build; the compiled meters twin only fills
their slots faster.  These tests pin the public behaviour, and check that
objects built by parse_frame (compiled slot filling) behave exactly like
objects built by the constructors.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle

import pytest

import hanparse
from fixture_files import data, entry
from hanparse import model
from hanparse.model import Message, MeterInfo, Reading, jsonable
from hanparse.obis import Obis

P_IMPORT = Obis(1, 0, 1, 7, 0)
U_L1 = Obis(1, 0, 32, 7, 0)


def _msg() -> Message:
    meter = MeterInfo("Aidon", "6525", "7359992890941742", "AIDON_V0001", None, None, "aidon_no")
    readings = (
        Reading(P_IMPORT, 1122, "W"),
        Reading(U_L1, 230.7, "V", raw=2307),
        Reading("1-0:32.7.0.255", 231.0, "V"),  # a second reading of the same code: the first one wins
    )
    return Message("hdlc", meter, dt.datetime(2019, 12, 16, 7, 59, 40), readings, b"\x7e\x7e")


def test_public_names_are_the_model_classes():
    assert hanparse.Reading is Reading is model.Reading
    assert hanparse.Message is Message and hanparse.MeterInfo is MeterInfo


def test_reading_attributes_and_defaults():
    r = Reading("1-0:1.7.0", 280, "W")
    assert r.obis == P_IMPORT and type(r.obis) is Obis
    assert (r.value, r.unit, r.timestamp, r.channel, r.raw, r.warning) == (280, "W", None, None, None, None)
    assert r.name == "active_power_import"
    assert r.description
    assert Reading(Obis(7, 0, 99, 99, 0), 1).name is None


@pytest.mark.parametrize("attr", ["obis", "value", "unit", "timestamp", "channel", "raw", "warning", "name"])
def test_reading_is_read_only(attr):
    r = Reading(P_IMPORT, 1, "W")
    with pytest.raises(AttributeError):
        setattr(r, attr, 2)
    with pytest.raises(AttributeError):
        r.new_attribute = 1  # type: ignore[attr-defined]


def test_reading_make_equals_constructor():
    a = Reading._make(P_IMPORT, 1.5, "kW", None, None, 1500, None)
    b = Reading(P_IMPORT, 1.5, "kW", raw=1500)
    assert a == b and hash(a) == hash(b) and repr(a) == repr(b)
    assert a != Reading(P_IMPORT, 1.5, "W", raw=1500)
    assert a != (P_IMPORT, 1.5)


def test_reading_to_dict_and_repr():
    ts = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    r = Reading(Obis(0, 1, 24, 2, 1), 12.5, "m3", timestamp=ts, channel=1, raw="00012.500")
    d = r.to_dict()
    assert d == {"obis": "0-1:24.2.1.255", "name": r.name, "value": 12.5, "unit": "m3",
                 "timestamp": "2020-01-01T00:00:00+00:00", "channel": 1, "raw": "00012.500"}
    json.dumps(d)
    assert Reading(P_IMPORT, None, warning="bad").to_dict()["warning"] == "bad"
    assert repr(Reading(P_IMPORT, 280, "W")) == "Reading(1-0:1.7.0.255, 280, 'W')"


def test_reading_pickle_and_copy():
    r = Reading(U_L1, 230.7, "V", raw=2307)
    for clone in (pickle.loads(pickle.dumps(r, protocol=p)) for p in range(2, pickle.HIGHEST_PROTOCOL + 1)):
        assert clone == r and type(clone) is Reading
    assert copy.copy(r) == r and copy.deepcopy(r) == r


@pytest.mark.parametrize("key", ["1-0:1.7.0", "1-0:1.7.0.255", "1.0.1.7.0.255", P_IMPORT, "active_power_import"])
def test_message_lookup_by_any_spelling(key):
    m = _msg()
    assert m[key].value == 1122
    assert key in m
    assert m.get(key).unit == "W"


def test_message_lookup_misses_and_first_wins():
    m = _msg()
    assert m["voltage_l1"].value == 230.7
    assert "1-0:2.7.0" not in m and m.get("1-0:2.7.0", 0) == 0 and m.get("not an obis") is None
    with pytest.raises(KeyError):
        m["1-0:99.99.0"]
    assert len(m) == 3 and list(m) == list(m.readings)
    assert m.values() == {"active_power_import": 1122, "voltage_l1": 230.7}


def test_message_is_read_only_and_json_ready():
    m = _msg()
    for attr in ("format", "meter", "timestamp", "readings", "raw", "encrypted", "security"):
        with pytest.raises(AttributeError):
            setattr(m, attr, None)
    d = m.to_dict()
    json.dumps(d)
    assert d["format"] == "hdlc" and d["timestamp"] == "2019-12-16T07:59:40" and d["encrypted"] is False
    assert d["meter"]["list_id"] == "AIDON_V0001"
    assert m.authenticated is None


def test_meter_info():
    a = MeterInfo("Kamstrup", None, "5706567000000000", "Kamstrup_V0001", profile="kamstrup_no")
    b = MeterInfo("Kamstrup", None, "5706567000000000", "Kamstrup_V0001", None, None, "kamstrup_no")
    assert a == b and hash(a) == hash(b)
    assert a != MeterInfo("Kaifa")
    with pytest.raises(AttributeError):
        a.meter_id = "x"  # type: ignore[misc]
    assert a.to_dict() == {"manufacturer": "Kamstrup", "model": None, "meter_id": "5706567000000000",
                           "list_id": "Kamstrup_V0001", "identification": None, "system_title": None,
                           "profile": "kamstrup_no"}
    assert "Kamstrup_V0001" in repr(a)


def test_jsonable():
    assert jsonable(b"\x01\xab") == "01ab"
    assert jsonable((P_IMPORT, [1, 2.5])) == ["1-0:1.7.0.255", [1, 2.5]]
    assert jsonable(dt.date(2020, 2, 29)) == "2020-02-29"


def test_parse_frame_objects_behave_like_constructed_ones():
    # Aidon 3-phase EFS list (AIDONFD_RJ12_HAN_Interface_SV.pdf page 11): built by the fast path
    msg = hanparse.parse_frame(data(entry("aidon-se-efs-3phase")))
    assert type(msg) is Message and all(type(r) is Reading for r in msg.readings)
    v1 = msg["voltage_l1"]
    assert (v1.value, v1.unit, v1.raw) == (230.7, "V", 2307)  # 2307 with scaler -1 (page 11)
    assert v1 == Reading(U_L1, 230.7, "V", raw=2307) and hash(v1) == hash(Reading(U_L1, 230.7, "V", raw=2307))
    assert msg["1-0:1.7.0"].value == 1122 and msg["1-0:1.7.0"].unit == "W"
    with pytest.raises(AttributeError):
        v1.value = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        msg.readings = ()  # type: ignore[misc]
    clone = pickle.loads(pickle.dumps(msg))
    assert clone.to_dict() == msg.to_dict() and clone.readings == msg.readings
    assert msg.meter == MeterInfo(msg.meter.manufacturer, msg.meter.model, msg.meter.meter_id, msg.meter.list_id,
                                  None, None, msg.meter.profile)
    json.dumps(msg.to_dict())
