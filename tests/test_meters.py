"""hanparse.meters: layouts, profiles and one test per quirk (meters.md, dlms.md, pitfalls.md).

Trees come from real fixture bytes (decoded by both dlms twins) or are built
by hand from the layouts the references print.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import implementations
from fixture_files import data, entry
from hanparse.errors import DecodeError
from hanparse.meters import KAIFA_NO_LISTS, PROFILES, MeterData, Options, decode_notification
from hanparse.obis import Obis
from helpers import fixture_apdu as apdu_of

CET = dt.timezone(dt.timedelta(hours=1))
CEST = dt.timezone(dt.timedelta(hours=2))


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in implementations("dlms")])
def dlms(request):
    """The A-XDR decoder twin (pure and compiled)."""
    return request.param


def notification(dlms, apdu: bytes):
    """(clock, body) of a data-notification APDU (LLC stripped)."""
    if apdu[:3] == b"\xe6\xe7\x00":
        apdu = apdu[3:]
    _liip, clock, body, end = dlms.decode_data_notification(apdu, 0)
    assert end == len(apdu)
    return clock, body


def fixture_notification(dlms, fid: str):
    e = entry(fid)
    if e["encrypted"]:
        return notification(dlms, bytes.fromhex(e["plaintext_hex"])), bytes.fromhex(e["checks"]["gcm"]["system_title"])
    if e["format"] == "hdlc":
        return notification(dlms, apdu_of(e)), None
    return notification(dlms, data(e)), None


def values(md: MeterData):
    return {str(r.obis): (r.value, r.unit) for r in md.readings}


def o(text):
    return Obis.parse(text).to_bytes()


# --- time -----------------------------------------------------------------------

def test_deviation_sign_ffc4_is_plus_one_hour(dlms):
    (clock, body), _ = fixture_notification(dlms, "dlms:dlms_parser_raw_salzburg_netz")
    md = decode_notification(body, clock)
    assert md.timestamp == dt.datetime(2022, 11, 12, 16, 54, tzinfo=CET)
    assert md.timestamp.utcoffset() == dt.timedelta(hours=1)


def test_deviation_8000_is_naive(dlms):
    (clock, body), _ = fixture_notification(dlms, "kamstrup-no-list2-3phase")
    md = decode_notification(body, clock)
    assert md.timestamp == dt.datetime(2017, 8, 16, 16, 0, 5) and md.timestamp.tzinfo is None


def test_clock_flagged_invalid_gives_no_timestamp(dlms):
    # Kamstrup 10 s example: 2000-01-01 with clock status 01 (not set)
    (clock, body), _ = fixture_notification(dlms, "kamstrup-no-list1-3phase")
    assert clock[11] == 0x01
    assert decode_notification(body, clock).timestamp is None


def test_aidon_list3_clock_is_local_time(dlms):
    # deviation 0000 but "Local date and time of Norway" (Aidon HAN interface description, page 7)
    (clock, body), _ = fixture_notification(dlms, "amshan:aidon:no_list_3")
    assert clock is None
    md = decode_notification(body, clock)
    assert md.meter.profile == "aidon_no"
    assert md.timestamp == dt.datetime(2020, 1, 21, 16, 0) and md.timestamp.tzinfo is None
    assert values(md)["0-0:1.0.0.255"][0] == dt.datetime(2020, 1, 21, 16, 0)
    utc = decode_notification(body, clock, options={"local_clock": False})
    assert utc.timestamp == dt.datetime(2020, 1, 21, 16, 0, tzinfo=dt.timezone.utc)


def test_timestamp_from_body_clock_when_header_has_none(dlms):
    (clock, body), _ = fixture_notification(dlms, "amshan:kaifa:se_list")
    assert clock is None
    assert decode_notification(body, None).timestamp == dt.datetime(2021, 9, 22, 17, 35, 30, tzinfo=CET)


# --- Kamstrup ------------------------------------------------------------------

def test_kamstrup_null_placeholders_in_1_phase_list(dlms):
    # structure count 0x19 kept; 00 00 pairs where IL2, IL3, UL2, UL3 would be
    (clock, body), _ = fixture_notification(dlms, "amshan:kamstrup:no_list_1_single_phase_real_sample")
    assert len(body) == 25 and body.count(None) == 8
    v = values(decode_notification(body, clock))
    assert v["1-1:31.7.0.255"] == (8.96, "A")
    assert v["1-1:32.7.0.255"] == (225, "V")
    for code, unit in (("1-1:51.7.0.255", "A"), ("1-1:71.7.0.255", "A"),
                       ("1-1:52.7.0.255", "V"), ("1-1:72.7.0.255", "V")):
        assert v[code] == (None, unit)
    assert len(v) == 13


def test_kamstrup_energy_10_wh_in_norway_wh_in_sweden(dlms):
    (clock, body), _ = fixture_notification(dlms, "amshan:kamstrup:no_list_2_single_phase_real_sample")
    raw = 7745250  # 1-1:1.8.0 as sent
    no = decode_notification(body, clock)
    assert no.meter.profile == "kamstrup_no"
    assert values(no)["1-1:1.8.0.255"] == (raw * 10, "Wh")
    se = decode_notification(body, clock, options={"country": "SE"})
    assert se.meter.profile == "kamstrup_se"
    assert values(se)["1-1:1.8.0.255"] == (raw, "Wh")
    assert values(se)["1-1:4.8.0.255"] == (1141587, "varh")
    # explicit override beats the country
    forced = decode_notification(body, clock, options=Options(country="SE", kamstrup_energy_scaler=1))
    assert values(forced)["1-1:1.8.0.255"] == (raw * 10, "Wh")
    # power, current, voltage do not depend on the country
    assert values(se)["1-1:31.7.0.255"] == values(no)["1-1:31.7.0.255"] == (45.12, "A")


def test_kamstrup_denmark_omnipower_push_1(dlms):
    (clock, body), st_ = fixture_notification(dlms, "dlms:dlms_parser_hdlc_kamstrup_omnipower")
    md = decode_notification(body, clock, system_title=st_)
    v = values(md)
    assert md.meter.manufacturer == "Kamstrup" and md.meter.list_id == "Kamstrup_V0001"
    assert md.meter.meter_id == "12343400"  # 1-1:0.0.1 sent as an integer
    assert v["1-1:31.7.0.255"] == (0.57, "A")  # not 0.5700000000000001
    assert v["1-1:32.7.0.255"] == (222, "V")
    assert v["1-1:1.8.0.255"] == (63074980, "Wh")  # 10 Wh by default, as in Norway
    # DK "DLMS push 1" (65 elements): power factor x0.01 (positional-lists.md section 7)
    assert md.meter.profile == "kamstrup_dk"
    assert v["1-1:13.7.0.255"] == (0.83, None) and v["1-1:53.7.0.255"] == (0.87, None)
    assert md.timestamp == dt.datetime(2026, 3, 12, 15, 24, 30)
    wh = decode_notification(body, clock, system_title=st_, options={"kamstrup_energy_scaler": 0})
    assert wh.meter.profile == "kamstrup_dk_wh" and values(wh)["1-1:1.8.0.255"] == (6307498, "Wh")


# --- Kaifa ----------------------------------------------------------------------

def _kaifa_values(n):
    """A KFM_001 value list of n elements in the document order."""
    ids = [b"KFM_001", b"6970631402614476", b"MA105H2E" if n in (9, 14) else b"MA304H3E"]
    powers = [1000, 0, 20, 30]
    if n in (9, 14):
        rest = [12345, 2301]
    else:
        rest = [12345, 0, 678, 2301, 0, 2299]
    body = ids + powers + rest
    if n in (14, 18):
        body += [bytes.fromhex("07e40119060e000aff800000"), 79591144, 0, 889389, 3210932]
    return tuple(body)


@pytest.mark.parametrize("n", [1, 9, 13, 14, 18])
def test_kaifa_positional_lists_of_each_length(n):
    body = (4904,) if n == 1 else _kaifa_values(n)
    md = decode_notification(body)
    assert md.meter.profile == "kaifa_no" and md.meter.manufacturer == "Kaifa"
    v = values(md)
    assert [str(c) for c in KAIFA_NO_LISTS[n]] == list(v)
    if n == 1:
        assert v == {"1-0:1.7.0.255": (4904, "W")}
        return
    assert md.meter.list_id == "KFM_001" and md.meter.meter_id == "6970631402614476"
    assert v["1-0:31.7.0.255"] == (12.345, "A")  # mA
    assert v["1-0:32.7.0.255"] == (230.1, "V")  # 0.1 V
    assert v["1-0:3.7.0.255"] == (20, "var")
    if n in (13, 18):
        assert v["1-0:72.7.0.255"] == (229.9, "V") and v["1-0:52.7.0.255"] == (0.0, "V")
    if n in (14, 18):
        assert v["1-0:1.8.0.255"] == (79591144, "Wh")
        assert md.timestamp == dt.datetime(2020, 1, 25, 14, 0, 10)


def test_kaifa_unexpected_count_falls_back_without_error():
    body = _kaifa_values(13)[:10]  # 10 elements: no KFM_001 table
    md = decode_notification(body)
    # positional-lists.md 11 rule 5: raw values under position markers, no units, and a warning
    assert md.meter.profile == "unknown"
    assert [r.value for r in md.readings] == ["KFM_001", "6970631402614476", "MA304H3E", 1000, 0, 20, 30, 12345, 0,
                                              678]
    assert all(r.unit is None for r in md.readings)
    assert md.warnings == ("list not recognised: 10 elements, types 09(7) 09(16) 09(8) int int int int int int int",)


def test_kaifa_se_obis_pairs_use_implicit_scalers(dlms):
    (clock, body), _ = fixture_notification(dlms, "amshan:kaifa:se_list")
    v = values(decode_notification(body, clock))
    assert v["1-0:31.7.0.255"] == (6.781, "A") and v["1-0:32.7.0.255"] == (232.2, "V")


def test_uint64_energy_stays_exact(dlms):
    # L+G E570 and Kaifa MA304T4 send energies as long64-unsigned (tag 15)
    big = 2**64 - 1
    apdu = (bytes.fromhex("0f00000001000204") + bytes.fromhex("0906") + o("1-0:0.2.129")
            + bytes.fromhex("0a074b464d5f303031") + bytes.fromhex("0906") + o("1-0:1.8.0")
            + b"\x15" + big.to_bytes(8, "big"))
    clock, body = notification(dlms, apdu)
    assert body[3] == big
    md = decode_notification(body, clock)
    assert md.meter.profile == "kaifa_se"
    assert values(md)["1-0:1.8.0.255"] == (big, "Wh")
    assert type(md.readings[1].value) is int


# --- Aidon, Iskra, Kaifa AT, Netz NO (scalers in the frame) ------------------------

def test_frame_scalers_win_and_are_exact(dlms):
    (clock, body), _ = fixture_notification(dlms, "aidon-no-list2-1phase")
    v = values(decode_notification(body, clock))
    assert v["1-0:31.7.0.255"] == (9.3, "A") and v["1-0:32.7.0.255"] == (250.0, "V")
    assert type(v["1-0:1.7.0.255"][0]) is int


def test_netz_noe_flat_triplets_with_bare_meter_id(dlms):
    (clock, body), st_ = fixture_notification(dlms, "dlms:dlms_parser_mbus_netz_noe_p1")
    md = decode_notification(body, clock, system_title=st_)
    expected = entry("dlms:dlms_parser_mbus_netz_noe_p1")["expected"]["obis"]
    v = values(md)
    for code, want in expected.items():
        if code == "0-0:96.1.0.255":
            continue
        assert v[code][0] == want, code
    assert v["1-0:13.7.0.255"] == (1.0, None)  # unit FF: no unit
    assert md.meter.meter_id == "181220000009" and md.meter.manufacturer == "Kaifa"
    assert md.timestamp == dt.datetime(2021, 9, 27, 9, 47, 15, tzinfo=CEST)


def test_tinetz_triplets(dlms):
    (clock, body), st_ = fixture_notification(dlms, "dlms:tinetz_example_2seg")
    md = decode_notification(body, clock, system_title=st_)
    v = values(md)
    assert v["1-0:32.7.0.255"] == (230.8, "V")  # 2308 x 10^-1 V (fneur/smart-meter-tirol EXAMPLE.md)
    assert v["1-0:1.8.0.255"] == (9108, "Wh")
    assert md.meter.meter_id == "1KFM0100000035" and md.meter.manufacturer == "Kaifa"


# --- push-object-list -----------------------------------------------------------------

def test_push_list_landis_gyr(dlms):
    e = entry("dlms:scs_lg_e450_unencrypted_valid_data_cfg2026")
    clock, body = notification(dlms, apdu_of(e))
    md = decode_notification(body, clock)
    v = values(md)
    src = e["expected"]["source_fields"]
    assert md.meter.profile == "landis_gyr_e450"  # push setup 0-8:25.9.0 with its attribute 1 listed
    assert v["1-0:1.7.0.255"] == (src["ACTIVE_POWER_P"], "W")
    assert v["1-1:1.8.0.255"] == (src["ACTIVE_ENERGY_P"], "Wh")
    assert v["1-0:32.7.0.255"] == (src["VOLTAGE_L1"], "V")
    assert v["1-0:31.7.0.255"] == (src["CURRENT_L1"], "A")
    assert v["0-0:42.0.0.255"][0] == src["source"]
    # the push setup's own logical name and list are not readings
    assert not any(r.obis.c == 25 for r in md.readings)


def test_push_list_scaler_unit_attribute_applies():
    desc = [(40, o("0-1:25.9.0"), 2, 0), (3, o("1-0:1.7.0"), 2, 0), (3, o("1-0:1.7.0"), 3, 0),
            (3, o("1-0:32.7.0"), 2, 0)]
    body = (desc, 1234, (-1, 27), 2301)
    v = values(decode_notification(body))
    assert v["1-0:1.7.0.255"] == (123.4, "W")
    assert v["1-0:32.7.0.255"] == (2301, None)  # unknown make: no implicit voltage scaler


def test_push_list_capture_time():
    desc = [(40, o("0-1:25.9.0"), 2, 0), (4, o("1-0:1.6.0"), 2, 0), (4, o("1-0:1.6.0"), 5, 0)]
    body = (desc, 4200, bytes.fromhex("07e60b0c0610360000ffc400"))
    r = decode_notification(body).readings[0]
    assert r.value == 4200 and r.timestamp == dt.datetime(2022, 11, 12, 16, 54, tzinfo=CET)


# --- Austrian value lists ----------------------------------------------------------------

@pytest.mark.parametrize("fid", ["dlms:rddl_legacy_sel_2", "dlms:rddl_legacy_sel_3"])
def test_wiener_netze_9_values(dlms, fid):
    (clock, body), st_ = fixture_notification(dlms, fid)
    md = decode_notification(body, clock, system_title=st_)
    assert md.meter.profile == "wiener_netze"
    assert [str(r.obis) for r in md.readings][1:] == [
        "1-0:1.8.0.255", "1-0:2.8.0.255", "1-0:3.8.0.255", "1-0:4.8.0.255",
        "1-0:1.7.0.255", "1-0:2.7.0.255", "1-0:3.7.0.255", "1-0:4.7.0.255"]
    assert [r.unit for r in md.readings][1:] == ["Wh", "Wh", "varh", "varh", "W", "W", "var", "var"]
    assert md.readings[1].value == body[1]


def test_wiener_netze_sel_2_values(dlms):
    (clock, body), st_ = fixture_notification(dlms, "dlms:rddl_legacy_sel_2")
    md = decode_notification(body, clock, system_title=st_)
    # plaintext: 06 00000357, 06 000000F6, 06 00000067, 06 000000A9 ...
    assert values(md)["1-0:1.8.0.255"] == (0x357, "Wh") and values(md)["1-0:4.8.0.255"] == (0xA9, "varh")
    assert md.meter.manufacturer == "Iskraemeco"  # system title ISK...
    assert md.timestamp == dt.datetime(2021, 10, 21, 6, 44, 2, tzinfo=CEST)


def test_siemens_im350_10_values(dlms):
    (clock, body), st_ = fixture_notification(dlms, "dlms:rddl_legacy_sel_0")
    md = decode_notification(body, clock, system_title=st_)
    assert md.meter.manufacturer == "Siemens" and md.meter.meter_id == "SMS1030788000020"
    v = values(md)
    assert v["1-0:1.8.0.255"] == (0x5B9, "Wh") and v["1-0:4.7.0.255"] == (0x12, "var")


@pytest.mark.parametrize("fid,n", [("dlms:shrdzm_im350_0", 12), ("dlms:shrdzm_helmut_0", 10)])
def test_im350_push_setup_time_date_lists(dlms, fid, n):
    (clock, body), st_ = fixture_notification(dlms, fid)
    assert len(body) == n
    md = decode_notification(body, None, system_title=st_)  # without header clock: time + date
    v = values(md)
    assert md.meter.manufacturer == "Siemens"
    assert v["1-0:1.8.0.255"][1] == "Wh" and v["1-0:2.7.0.255"][1] == "W"
    assert "1-0:3.7.0.255" not in v  # no reactive power in these lists (positional-lists.md 3.2, 3.3)
    if n == 12:
        # Kärnten Netz: #11, #12 are the (empty) customer information text and code (KNG sheet)
        assert md.meter.profile == "kaernten_netz"
        assert v["1-0:1.8.0.255"][0] == 0x2CF70E
        assert v["0-0:96.13.0.255"] == (None, None) and v["0-0:96.13.1.255"] == (None, None)
        assert md.meter.meter_id == "2221202033801"
        assert md.timestamp == dt.datetime(2021, 3, 7, 14, 55, 33)
    else:
        assert md.meter.profile == "wels_strom" and md.meter.meter_id == "18037098"


def test_burgenland_positional():
    body = (230, 231, 229, 123, 45, 6, 1500, 0, 5000000, 1000, 7, 8, 9, b"12345678")
    md = decode_notification(body)
    v = values(md)
    assert md.meter.profile == "landis_gyr_burgenland" and md.meter.meter_id == "12345678"
    assert v["1-0:32.7.0.255"] == (230, "V") and v["1-0:31.7.0.255"] == (1.23, "A")
    assert v["1-0:2.8.0.255"] == (1000, "Wh")


def test_landis_gyr_flat_pairs_with_system_title(dlms):
    (clock, body), st_ = fixture_notification(dlms, "dlms:dlms_parser_hdlc_landis_gyr_e450")
    md = decode_notification(body, clock, system_title=st_)
    exp = entry("dlms:dlms_parser_hdlc_landis_gyr_e450")["expected"]["obis"]
    v = values(md)
    assert md.meter.profile == "stromnetz_graz"  # clock + 16 OBIS/value pairs (positional-lists.md 3.5)
    for code, want in exp.items():
        assert v[code][0] == want and v[code][1] is not None
    assert md.timestamp == dt.datetime(2022, 2, 21, 17, 37, 30)


# --- generic walk, determinism, robustness ---------------------------------------------

def test_unknown_nested_layout_still_yields_pairs():
    body = [("x", (o("1-0:1.7.0"), 5, (3, 27)), [o("1-0:14.7.0"), 500, (-1, 44)]), 7]
    v = values(decode_notification(body))
    assert v == {"1-0:1.7.0.255": (5000, "W"), "1-0:14.7.0.255": (50.0, "Hz")}


def test_detection_does_not_depend_on_previous_frames(dlms):
    (kc, kb), _ = fixture_notification(dlms, "kamstrup-no-list2-3phase")
    (fc, fb), _ = fixture_notification(dlms, "amshan:kaifa:no_list_3")
    alone = decode_notification(fb, fc)
    decode_notification(kb, kc)
    after = decode_notification(fb, fc)
    assert alone == after and after.meter.profile == "kaifa_no"


def test_non_tree_body_is_a_decode_error():
    with pytest.raises(DecodeError):
        decode_notification(object())


def test_options_validation():
    with pytest.raises(TypeError):
        decode_notification((), options={"colour": "red"})
    with pytest.raises(ValueError):
        decode_notification((), options={"profile": "nope"})
    assert set(PROFILES) >= {"kaifa_no", "kamstrup_no", "kamstrup_se", "landis_gyr", "iskra", "wiener_netze"}


def test_scaler_override_option():
    body = _kaifa_values(13)
    v = values(decode_notification(body, options={"scalers": {"1-0:32.7.0": 0}}))
    assert v["1-0:32.7.0.255"] == (2301, "V") and v["1-0:31.7.0.255"] == (12.345, "A")


_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**64), st.floats(allow_nan=False),
                  st.binary(max_size=14), st.text(max_size=8),
                  st.sampled_from([o("1-0:1.7.0"), o("0-0:1.0.0"), o("1-1:32.7.0"), b"KFM_001", "Kamstrup_V0001"]))
_tree = st.recursive(_leaf, lambda c: st.one_of(st.lists(c, max_size=6), st.lists(c, max_size=6).map(tuple)),
                     max_leaves=30)


@given(_tree, st.one_of(st.none(), st.binary(min_size=12, max_size=12)))
@settings(max_examples=300, deadline=None)
def test_any_data_tree_decodes_without_error(body, clock):
    md = decode_notification(body, clock)
    assert isinstance(md.readings, tuple)
    for r in md.readings:
        assert isinstance(r.obis, Obis)


def test_landis_gyr_model_from_the_push_list_descriptors():
    """positional-lists.md 4.1: the push setup's logical name and whether its attribute 1 is listed tell
    E360 / E450 / E570 apart; scales follow the model (E360 0.1 V, E450 1 V and 0.01 A, E570 1 A)."""
    ldn = b"LGZ1030655933512"
    rest = [(1, o("0-0:42.0.0"), 2, 0), (3, o("1-0:32.7.0"), 2, 0), (3, o("1-0:31.7.0"), 2, 0)]
    for setup, attr1, profile, volts, amps in (
            ("0-6:25.9.0", False, "landis_gyr_e360", 23.6, 0.09),
            ("0-8:25.9.0", True, "landis_gyr_e450", 236, 0.09),
            ("0-8:25.9.0", False, "landis_gyr_e570", 236, 9),
            ("0-1:25.9.0", False, "landis_gyr", 236, 0.09)):
        desc = [(40, o(setup), 2, 0)] + ([(40, o(setup), 1, 0)] if attr1 else []) + rest
        body = (desc,) + ((o(setup),) if attr1 else ()) + (ldn, 236, 9)
        md = decode_notification(body)
        v = values(md)
        assert md.meter.profile == profile
        assert v["1-0:32.7.0.255"] == (volts, "V") and v["1-0:31.7.0.255"] == (amps, "A")
        forced = decode_notification(body, options={"profile": "landis_gyr_e570"})
        assert values(forced)["1-0:31.7.0.255"] == (9, "A")
