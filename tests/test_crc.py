"""Known-answer and property tests of the checksums, on both implementations."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_files import data, entries, entry
from hanparse import crc
from helpers import crc_reflected


def test_known_answers(use_core):
    # check values of the CRC catalogue: CRC of "123456789"
    assert crc.crc16_x25(b"123456789") == 0x906E
    assert crc.crc16_arc(b"123456789") == 0xBB3D
    assert crc.crc16_x25(b"") == 0x0000
    assert crc.crc16_arc(b"") == 0x0000
    assert crc.mbus_checksum(b"") == 0
    assert crc.mbus_checksum(bytes([0x53, 0xFF, 0x10])) == (0x53 + 0xFF + 0x10) & 0xFF


def test_kamstrup_example_fcs(use_core):
    # Kamstrup HAN-NVE rev 3.1 p. 13: the example frame ends 5B E5 7E, FCS 0xE55B
    frame = data(entry("kamstrup-no-list1-3phase"))
    assert frame[-3:] == b"\x5b\xe5\x7e"
    assert crc.crc16_x25(frame, 1, len(frame) - 3) == 0xE55B


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_buffer_types_and_ranges(use_core, kind):
    raw = b"xx123456789yy"
    buf = kind(raw)
    assert crc.crc16_x25(buf, 2, 11) == 0x906E
    assert crc.crc16_arc(buf, 2, 11) == 0xBB3D
    assert crc.crc16_arc(buf, 2, -1) == crc.crc16_arc(raw[2:])
    assert crc.mbus_checksum(buf, 2, 4) == (ord("1") + ord("2"))


@pytest.mark.parametrize("rng", [(-1, 3), (0, 99), (5, 2)])
def test_bad_range(use_core, rng):
    with pytest.raises(ValueError, match="outside"):
        crc.crc16_x25(b"12345", *rng)


def test_dsmr_crcs_recorded_in_fixtures(use_core):
    """Every P1 telegram's recorded CRC (computed over '/' .. '!') is what crc16_arc gives."""
    checked = 0
    for e in entries("p1_ascii"):
        rec = (e.get("checks") or {}).get("p1_crc")
        if not rec or not rec.get("computed"):
            continue
        text = data(e)
        start = text.index(b"/")
        bang = text.index(b"!", start)
        assert crc.crc16_arc(text, start, bang + 1) == int(rec["computed"], 16), e["id"]
        checked += 1
    assert checked >= 30


def test_hdlc_fcs_recorded_in_fixtures(use_core):
    """Frames whose FCS the fixtures record as bad: the computed value matches the record."""
    for name in ("embriq-lg-list1-edited", "embriq-lg-list2-edited", "embriq-lg-list3-edited"):
        frame = data(entry(name))
        rec = entry(name)["checks"]["hdlc"][0]
        assert crc.crc16_x25(frame, 1, len(frame) - 3) == int(rec["fcs_computed"], 16)
        assert frame[-3] | frame[-2] << 8 == int(rec["fcs_in_frame"], 16)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_table_matches_bitwise_reference(core, payload):
    assert core.crc16_x25(payload) == crc_reflected(payload, 0x8408, 0xFFFF, 0xFFFF)
    assert core.crc16_arc(payload) == crc_reflected(payload, 0xA001, 0x0000, 0x0000)
    assert core.mbus_checksum(payload) == sum(payload) % 256
