"""Positional and scaler-less meter lists (issue 11): public captures and frames built from the layouts.

Two kinds of test:

* **public captures** (fixtures copied from the shared collection, each
  with its ``source``): the values asserted are those the source states
  (the entry's ``expected`` block) or, where the entry states none, the
  integers read straight from the entry's published plaintext at the
  positions the layout in positional-lists.md gives (every value of these
  lists is a 5-byte ``06`` item: tag plus big-endian u32);
* **built frames** for lists without a public capture: an HDLC frame
  (LLC ``E6 E7 00``, data-notification ``0F``, invoke id, date-time, body)
  encoded here by hand from the layout table of the cited section, and the
  expected readings computed here from the raw integers put in.

Every test runs on both meters twins (pure and compiled).
"""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hanparse
from conftest import implementations
from fixture_files import entry
from hanparse import _api, _pipeline
from hanparse.meters import _decode
from hanparse.obis import Obis

CET = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in implementations("meters")], autouse=True)
def meters(request, monkeypatch):
    """Run the whole pipeline on one meters twin."""
    for mod in (_pipeline, _api, _decode):
        monkeypatch.setattr(mod, "_meters", request.param)
    return request.param


# --- a small A-XDR / HDLC encoder (independent of hanparse) -----------------------------

def u32(v):
    return b"\x06" + struct.pack(">I", v)


def u16(v):
    return b"\x12" + struct.pack(">H", v)


def octets(b):
    return b"\x09" + bytes([len(b)]) + b


def boolean(v):
    return b"\x03" + (b"\x01" if v else b"\x00")


def array(*items):
    return b"\x01" + bytes([len(items)]) + b"".join(items)


def structure(*items):
    return b"\x02" + bytes([len(items)]) + b"".join(items)


def _fcs(data: bytes) -> int:
    """CRC-16/X-25 (HDLC FCS and HCS)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


#: notification date-time 2024-03-05 12:00:10, deviation FF C4 (UTC+1), status 00
HEADER_CLOCK = bytes.fromhex("07e80305020c000a00ffc400")
HEADER_TIME = dt.datetime(2024, 3, 5, 12, 0, 10, tzinfo=CET)


def hdlc_frame(body: bytes, clock: bytes = HEADER_CLOCK) -> bytes:
    """Slovenian envelope (positional-lists.md 2.1): dst CF, src 02 23, control 13, LLC E6 E7 00."""
    apdu = b"\x0f" + b"\x00\x00\x12\x9b" + b"\x0c" + clock + body
    header_rest = b"\xcf\x02\x23\x13"
    length = 2 + len(header_rest) + 2 + 3 + len(apdu) + 2
    head = bytes([0xA0 | (length >> 8), length & 0xFF]) + header_rest
    head += struct.pack("<H", _fcs(head))
    content = head + b"\xe6\xe7\x00" + apdu
    return b"\x7e" + content + struct.pack("<H", _fcs(content)) + b"\x7e"


def by_obis(msg):
    return {str(r.obis): (r.value, r.unit) for r in msg.readings}


def pos(n):
    """The position marker of element n of a list without OBIS codes (docs/profiles.md)."""
    return str(Obis(0, 0, 128, 0, n, 255))


ISK_LDN = b"ISK1030775213859"
ISK_DEV = b"ISK75213859"


# --- Iskraemeco Slovenia (section 2.1), built from the layout tables ----------------------

@settings(max_examples=40, deadline=None)
@given(p=st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=4),
       u=st.lists(st.integers(0, 65535), min_size=3, max_size=3),
       i=st.lists(st.integers(0, 65535), min_size=3, max_size=3),
       pp=st.lists(st.integers(0, 2**32 - 1), min_size=6, max_size=6))
def test_iskra_si_18_three_phase_instantaneous(p, u, i, pp):
    # built from positional-lists.md section 2.1.1: LDN, device id, P+ P- Q+ Q-, U1-3 (x0.1 V), I1-3 (x0.01 A),
    # P+ L1-L3, P- L1-L3
    body = structure(octets(ISK_LDN), octets(ISK_DEV), *map(u32, p), *map(u16, u), *map(u16, i), *map(u32, pp))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_si_18" and msg.meter.manufacturer == "Iskraemeco"
    assert msg.meter.meter_id == ISK_LDN.decode()  # the logical device name is the stable id
    assert msg.timestamp == HEADER_TIME and msg.warnings == ()
    assert v["0-0:42.0.0.255"] == (ISK_LDN.decode(), None)
    for code, raw, unit in zip(("1.7.0", "2.7.0", "3.7.0", "4.7.0"), p, ("W", "W", "var", "var")):
        assert v["1-0:" + code + ".255"] == (raw, unit)
    for c, raw in zip((32, 52, 72), u):
        assert v["1-0:%d.7.0.255" % c] == (raw / 10, "V")
    for c, raw in zip((31, 51, 71), i):
        assert v["1-0:%d.7.0.255" % c] == (raw / 100, "A")
    for c, raw in zip((21, 41, 61, 22, 42, 62), pp):
        assert v["1-0:%d.7.0.255" % c] == (raw, "W")
    assert len(msg.readings) == 18


def test_iskra_si_12_energy_list():
    # built from positional-lists.md section 2.1.2 (the device id may be empty)
    energies = [1234567, 1000000, 234567, 5000, 4000, 1000, 777, 888]
    body = structure(octets(ISK_LDN), octets(b""), boolean(True), octets(b"\x00\x02"), *map(u32, energies))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_si_12_energy"
    assert v["0-0:96.3.10.255"] == (True, None)
    assert v["0-0:96.14.0.255"] == (2, None)  # 2-byte big-endian tariff number
    assert v["0-0:96.1.3.255"] == (None, None)  # empty device id
    codes = ["1-0:1.8.0", "1-0:1.8.1", "1-0:1.8.2", "1-0:2.8.0", "1-0:2.8.1", "1-0:2.8.2", "1-0:3.8.0", "1-0:4.8.0"]
    units = ["Wh"] * 6 + ["varh", "varh"]
    assert [v[c + ".255"] for c in codes] == list(zip(energies, units))


def test_iskra_si_12_instantaneous_without_phase_power():
    # built from positional-lists.md section 2.1.3, row "12, #3 is 12"
    body = structure(octets(ISK_LDN), octets(ISK_DEV), u16(2301), u16(2299), u16(2310), u16(125), u16(0), u16(7),
                     u32(2900), u32(0), u32(120), u32(0))
    v = by_obis(hanparse.parse_frame(hdlc_frame(body)))
    assert v["1-0:32.7.0.255"] == (2301 / 10, "V") and v["1-0:72.7.0.255"] == (2310 / 10, "V")
    assert v["1-0:31.7.0.255"] == (125 / 100, "A") and v["1-0:71.7.0.255"] == (7 / 100, "A")
    assert v["1-0:1.7.0.255"] == (2900, "W") and v["1-0:3.7.0.255"] == (120, "var")


def test_iskra_si_8_short_list():
    # built from positional-lists.md section 2.1.3, row "8"
    body = structure(octets(ISK_LDN), octets(ISK_DEV), u16(2345), u16(512), u32(1200), u32(0), u32(50), u32(0))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_si_8"
    assert v["1-0:32.7.0.255"] == (234.5, "V") and v["1-0:31.7.0.255"] == (5.12, "A")
    assert v["1-0:1.7.0.255"] == (1200, "W") and v["1-0:3.7.0.255"] == (50, "var")


def test_iskra_si_9_one_phase_with_unverified_members_raw():
    # built from positional-lists.md section 2.1.3, row "9, #7 is 12": #8, #9 unverified -> raw, no OBIS guessed
    body = structure(octets(ISK_LDN), octets(ISK_DEV), u32(800), u32(0), u32(40), u32(0), u16(2333), u32(11), u32(12))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_si_9_l1"
    assert v["1-0:32.7.0.255"] == (233.3, "V") and v["1-0:1.7.0.255"] == (800, "W")
    assert v[pos(8)] == (11, None) and v[pos(9)] == (12, None)
    assert "1-0:2.8.1.255" not in v


def test_iskra_si_9_unknown_meaning_is_raw():
    # built from positional-lists.md section 2.1.3, row "9, #7 is 06" (meaning unknown in both decoders)
    raws = [10, 20, 30, 40, 50, 60, 70, 80]
    msg = hanparse.parse_frame(hdlc_frame(structure(octets(ISK_LDN), *map(u32, raws))))
    assert msg.meter.profile == "iskra_si_9_raw" and msg.meter.meter_id == ISK_LDN.decode()
    v = by_obis(msg)
    assert [v[pos(n)] for n in range(2, 10)] == [(r, None) for r in raws]


def test_iskra_si_10_variants_are_ambiguous_without_integer_widths():
    # built from positional-lists.md section 2.1.3: the two 10-element lists differ only by the width of #7
    one_phase = structure(octets(ISK_LDN), octets(ISK_DEV), u32(500), u32(0), u32(10), u32(0), u16(2310), u16(218),
                          u32(500), u32(0))
    msg = hanparse.parse_frame(hdlc_frame(one_phase))
    assert msg.meter.profile == "unknown"
    assert msg.warnings[0].startswith("list not recognised: 10 elements fit several lists "
                                      "(iskra_si_10_l1, iskra_si_10_energy)")
    assert [r.unit for r in msg.readings] == [None] * 10
    assert by_obis(msg)[pos(7)] == (2310, None)
    # the user picks the layout
    forced = hanparse.parse_frame(hdlc_frame(one_phase), options={"profile": "iskra_si_10_l1"})
    v = by_obis(forced)
    assert forced.warnings == () and forced.meter.profile == "iskra_si_10_l1"
    assert v["1-0:32.7.0.255"] == (231.0, "V") and v["1-0:31.7.0.255"] == (2.18, "A")
    assert v["1-0:21.7.0.255"] == (500, "W")
    energy = hanparse.parse_frame(hdlc_frame(one_phase), options={"profile": "iskra_si_10_energy"})
    assert by_obis(energy)["1-0:1.8.1.255"] == (500, "Wh")


# --- Iskraemeco Croatia (2.2) and Switzerland (2.3.3) ----------------------------------------

def test_iskra_hr_33():
    # built from positional-lists.md section 2.2.1 (element types of the maintainer's sample)
    energies = [9000, 6000, 3000, 100, 60, 40, 11, 12, 13, 14]
    phase_p = [100, 200, 300, 0, 0, 0]
    body = structure(octets(b"12345678"), octets(bytes([14, 30, 5, 0])), octets(bytes([0x07, 0xE8, 3, 5, 2])),
                     *map(u32, energies), u32(600), u32(0), u16(987), *map(u32, phase_p),
                     u16(2300), u16(2310), u16(2320), u16(100), u16(150), u16(200),
                     u32(42), array(u16(1)), array(u16(2)), array(u16(3)), boolean(False))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_hr" and msg.meter.meter_id == "12345678"
    assert v["1-0:1.8.0.255"] == (9000, "Wh") and v["1-0:5.8.0.255"] == (11, "varh")
    assert v["1-0:13.7.0.255"] == (987 / 1000, None)
    assert v["1-0:52.7.0.255"] == (231.0, "V") and v["1-0:71.7.0.255"] == (2.0, "A")
    assert v[pos(29)] == (42, None) and v[pos(30)] == ((1,), None) and v[pos(33)] == (False, None)
    assert msg.timestamp == HEADER_TIME  # header first; local time + date only without it
    assert v["1-0:0.9.1.255"] == (dt.time(14, 30, 5), None)
    assert v["1-0:0.9.2.255"] == (dt.date(2024, 3, 5), None)


def test_iskra_hr_28():
    # built from positional-lists.md section 2.2.2: #1-#3 and #24-#28 not decoded by the source -> raw
    body = structure(octets(b"12345678"), octets(bytes(4)), octets(bytes(5)),
                     *map(u32, [1, 2, 3, 4, 5, 6]), u32(700), u32(0), *map(u32, [7, 8, 9, 0, 0, 0]),
                     u16(2300), u16(2300), u16(2300), u16(300), u16(300), u16(300),
                     u32(1), array(u16(1)), array(u16(2)), array(u16(3)), boolean(True))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_hr"
    assert v[pos(1)] == ("12345678", None) and v["1-0:2.8.2.255"] == (6, "Wh") and v["1-0:1.7.0.255"] == (700, "W")
    assert v["1-0:72.7.0.255"] == (230.0, "V") and v["1-0:31.7.0.255"] == (3.0, "A")


def test_iskra_ch_15():
    # built from positional-lists.md section 2.3.3 (meanings as the single source gives them)
    clock = bytes.fromhex("07e80305020c000a00800000")
    body = structure(*map(u32, [5000, 3000, 2000, 100, 60, 40]), octets(b""), octets(clock), u32(0), u32(1500),
                     u16(650), u16(0), u16(12), u16(2315), u16(2298))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "iskra_ch_15"
    assert v["1-0:1.8.0.255"] == (5000, "Wh") and v["1-0:2.7.0.255"] == (0, "W") and v["1-0:1.7.0.255"] == (1500, "W")
    assert v["1-0:31.7.0.255"] == (6.5, "A") and v["1-0:72.7.0.255"] == (229.8, "V")
    assert v[pos(7)] == (b"", None)
    assert v["0-0:1.0.0.255"][0] == dt.datetime(2024, 3, 5, 12, 0, 10)


# --- Netz Burgenland (3.4) -----------------------------------------------------------------

def test_burgenland_11_tasmota_values():
    # built from the values positional-lists.md 3.4 quotes from arendst/Tasmota#23027:
    # U 228/226/230 V, I 7.81/14.82/6.43 A, P+ 5432 W, id 30052002 (P-, A+, A- not quoted: made up here)
    body = structure(u16(228), u16(226), u16(230), u16(781), u16(1482), u16(643), u32(5432), u32(0),
                     u32(12345678), u32(0), octets(b"30052002"))
    msg = hanparse.parse_frame(hdlc_frame(body))
    v = by_obis(msg)
    assert msg.meter.profile == "landis_gyr_burgenland" and msg.meter.meter_id == "30052002"
    assert [v["1-0:%d.7.0.255" % c] for c in (32, 52, 72)] == [(228, "V"), (226, "V"), (230, "V")]
    assert [v["1-0:%d.7.0.255" % c] for c in (31, 51, 71)] == [(7.81, "A"), (14.82, "A"), (6.43, "A")]
    assert v["1-0:1.7.0.255"] == (5432, "W") and v["1-0:1.8.0.255"] == (12345678, "Wh")


def test_burgenland_14_unknown_members_raw():
    # built from positional-lists.md section 3.4 (14-element form: #11-#13 meaning unknown)
    body = structure(u16(230), u16(231), u16(229), u16(100), u16(0), u16(0), u32(230), u32(0), u32(1), u32(2),
                     u16(7), u16(8), u16(9), octets(b"30052002"))
    v = by_obis(hanparse.parse_frame(hdlc_frame(body)))
    assert v[pos(11)] == (7, None) and v[pos(13)] == (9, None) and v["1-0:31.7.0.255"] == (1.0, "A")


# --- unknown lists ---------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(0, 2**32 - 1), min_size=2, max_size=7))
def test_unknown_value_list_is_raw_with_a_warning(values):
    body = structure(octets(b"XYZ"), *map(u32, values))
    msg = hanparse.parse_frame(hdlc_frame(body))
    n = len(values) + 1
    assert msg.meter.profile == "unknown"
    assert msg.warnings == ("list not recognised: %d elements, types 09(3) %s" % (n, " ".join(["int"] * (n - 1))),)
    assert [(str(r.obis), r.value, r.unit) for r in msg.readings] == (
        [(pos(1), "XYZ", None)] + [(pos(k + 2), x, None) for k, x in enumerate(values)])


def test_self_describing_list_has_no_warning():
    body = structure(octets(bytes((1, 0, 1, 7, 0, 255))), u32(5))
    msg = hanparse.parse_frame(hdlc_frame(body))
    assert msg.meter.profile == "generic" and msg.warnings == () and msg["1-0:1.7.0"].value == 5


# --- public captures ---------------------------------------------------------------------

def _capture(fid, **options):
    e = entry(fid)
    keys = hanparse.Keys(e["key_hex"], e.get("auth_key_hex")) if e.get("key_hex") else None
    return e, hanparse.parse_frame(bytes.fromhex(e["hex"]), keys=keys, options=options or None)


def _u32s(plaintext: bytes, count: int):
    """The last ``count`` ``06`` values of a plaintext whose list ends with them (5-byte stride)."""
    tail = plaintext[len(plaintext) - 5 * count:]
    assert all(tail[k * 5] == 0x06 for k in range(count))
    return [int.from_bytes(tail[k * 5 + 1:k * 5 + 5], "big") for k in range(count)]


_WN = ["1-0:1.8.0", "1-0:2.8.0", "1-0:3.8.0", "1-0:4.8.0", "1-0:1.7.0", "1-0:2.7.0", "1-0:3.7.0", "1-0:4.7.0"]
_WN_UNITS = ["Wh", "Wh", "varh", "varh", "W", "W", "var", "var"]


@pytest.mark.parametrize("fid,count", [("dlms:rddl_legacy_sel_2", 9), ("dlms:rddl_legacy_sel_3", 9),
                                       ("dlms:rddl_legacy_sel_0", 10)])
def test_wiener_netze_captures(fid, count):
    # positional-lists.md 3.1: clock (or id + clock), then eight 06 values A+ A- R+ R- P+ P- Q+ Q-
    e, msg = _capture(fid)
    raw = _u32s(bytes.fromhex(e["plaintext_hex"]), 8)
    v = by_obis(msg)
    assert msg.meter.profile == "wiener_netze" and msg.warnings == ()
    assert [v[c + ".255"] for c in _WN] == list(zip(raw, _WN_UNITS))
    if count == 10:
        assert msg.meter.meter_id == "SMS1030788000020"  # positional-lists.md 10.1


@pytest.mark.parametrize("fid,profile,meter_id", [("dlms:shrdzm_am550_0", "kaernten_netz", "1121273201353"),
                                                  ("dlms:shrdzm_im350_0", "kaernten_netz", "2221202033801"),
                                                  ("dlms:shrdzm_im350_1", "kaernten_netz", "2221202033801"),
                                                  ("dlms:shrdzm_helmut_0", "wels_strom", "18037098"),
                                                  ("dlms:shrdzm_helmut_2", "wels_strom", "18037098")])
def test_kaernten_and_wels_captures(fid, profile, meter_id):
    # positional-lists.md 3.2 / 3.3: push setup OBIS, meter number, time, date, A+ A- R+ R- P+ P- (06),
    # Kärnten: then two empty octet-strings (customer information text and code)
    e, msg = _capture(fid)
    plain = bytes.fromhex(e["plaintext_hex"])
    if profile == "kaernten_netz":
        assert plain.endswith(b"\x09\x00\x09\x00")
        plain = plain[:-4]
    raw = _u32s(plain, 6)
    v = by_obis(msg)
    assert msg.meter.profile == profile and msg.meter.meter_id == meter_id and msg.warnings == ()
    assert [v[c + ".255"] for c in _WN[:6]] == list(zip(raw, _WN_UNITS[:6]))
    assert "1-0:3.7.0.255" not in v


def test_kamstrup_dk_capture():
    # esphome-libs/dlms_parser:tests/expected/hdlc_kamstrup_omnipower.h as copied into the entry's expected block:
    # raw integers; positional-lists.md 7: I x0.01 A, U x1 V, power factor x0.01, energy Wh or 10 Wh (option)
    e, msg = _capture("dlms:dlms_parser_hdlc_kamstrup_omnipower", kamstrup_energy_scaler=0)
    exp = e["expected"]["obis"]
    v = by_obis(msg)
    assert msg.meter.profile == "kamstrup_dk_wh" and msg.meter.list_id == "Kamstrup_V0001"
    for code, raw in exp.items():
        if code.startswith("0-1:1.0.0"):
            assert str(v[code][0]) == raw
            continue
        value, unit = v[code]
        c, d = Obis.parse(code)[2], Obis.parse(code)[3]
        if c in (31, 51, 71):
            assert (value, unit) == (raw / 100, "A")
        elif c in (13, 33, 53, 73):
            assert (value, unit) == (raw / 100, None)
        elif c in (32, 52, 72) or d == 8 or (d == 7 and c not in (13, 33, 53, 73)):
            assert value == raw and unit is not None
        else:
            assert value == raw
    default = by_obis(_capture("dlms:dlms_parser_hdlc_kamstrup_omnipower")[1])
    assert default["1-1:1.8.0.255"] == (exp["1-1:1.8.0.255"] * 10, "Wh")


@pytest.mark.parametrize("fid", ["dlms:dlms_parser_hdlc_landis_gyr_e450", "dlms:dlms_parser_hdlc_lgz_e450_2",
                                 "dlms:scs_lg_e450_encrypted_data_no_pushlist"])
def test_stromnetz_graz_captures(fid):
    # positional-lists.md 3.5: clock, then 16 OBIS/value pairs without scaler: Wh, varh, W, var
    e, msg = _capture(fid)
    v = by_obis(msg)
    assert msg.meter.profile == "stromnetz_graz" and msg.warnings == ()
    exp = e["expected"].get("obis")
    if not exp:  # no stated values: the pairs of the published plaintext
        plain = bytes.fromhex(e["plaintext_hex"])
        i = plain.index(b"\x09\x06\x01\x00\x01\x08\x00\xff")
        exp = {}
        while i < len(plain):
            code = ".".join(str(b) for b in plain[i + 2:i + 8])
            exp["%s-%s:%s.%s.%s.%s" % tuple(code.split("."))] = int.from_bytes(plain[i + 9:i + 13], "big")
            i += 13
    assert len(exp) == 16
    for code, raw in exp.items():
        c, d = Obis.parse(code)[2], Obis.parse(code)[3]
        unit = {(1, 8): "Wh", (2, 8): "Wh", (3, 8): "varh", (4, 8): "varh",
                (1, 7): "W", (2, 7): "W", (3, 7): "var", (4, 7): "var"}[(c, d)]
        assert v[code] == (raw, unit)
