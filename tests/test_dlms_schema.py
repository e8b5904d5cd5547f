"""The construct schemas of hanparse.dlms.schema: parse == object, build == bytes."""

from __future__ import annotations

import pytest
from construct import ConstructError, Container
from hypothesis import given, settings

from hanparse.dlms import schema as S
from hanparse.dlms.types import BitString, DataTag, DateTime
from hanparse.errors import DecodeError
from helpers import data_nodes, same

CLOCK = bytes.fromhex("07e40119060d091eff800000")  # Kaifa NO list 2: 2020-01-25 13:09:30


@pytest.mark.parametrize(
    "n,wire",
    [(0, "00"), (0x7F, "7f"), (0x80, "8180"), (0xFF, "81ff"), (0x100, "820100"), (0x1D0, "8201d0"),
     (0x10000, "83010000"), (0x1000000, "8401000000")],
)
def test_ber_length_round_trip(n, wire):
    assert S.BerLength.build(n) == bytes.fromhex(wire)
    assert S.BerLength.parse(bytes.fromhex(wire)) == n


def test_ber_length_parses_non_minimal_forms():
    assert S.BerLength.parse(b"\x81\x05") == 5
    assert S.BerLength.parse(b"\x84\x00\x00\x00\x05") == 5
    with pytest.raises(ConstructError):
        S.BerLength.parse(b"\x80")
    with pytest.raises(ConstructError):
        S.BerLength.build(2**32)


def test_data_parse_shape_and_round_trip():
    wire = bytes.fromhex("020309060100010700ff060000046202020f00161b")  # Aidon SE: 1-0:1.7.0 = 1122 W
    node = S.Data.parse(wire)
    assert node.tag == "structure"
    assert [c.tag for c in node.value] == ["octet_string", "double_long_unsigned", "structure"]
    assert S.Data.build(node) == wire
    assert S.to_value(node) == (bytes.fromhex("0100010700ff"), 1122, (0, 27))


def test_tags_may_be_given_as_int_name_or_enum():
    for tag in (18, "long_unsigned", "long-unsigned", DataTag.long_unsigned):
        assert S.Data.build(S.typed(tag, 2314)) == b"\x12\x09\x0a"


def test_from_value_infers_tags():
    cases = [
        (None, "00"),
        (True, "0301"),
        (5, "0600000005"),
        (2**40, "150000010000000000"),
        (-5, "05fffffffb"),
        (-(2**40), "14ffffff0000000000"),
        (1.0, "183ff0000000000000"),
        (b"\x01", "090101"),
        ("A", "0a0141"),
        ("\u20ac", "0c03e282ac"),
        ([1], "01010600000001"),
        ((None,), "020100"),
        (BitString(1, b"\x80"), "040180"),
        (DateTime(CLOCK), "19" + CLOCK.hex()),
    ]
    for value, wire in cases:
        assert S.build_data(value).hex() == wire
    with pytest.raises(TypeError):
        S.from_value(object())


@settings(max_examples=200, deadline=None)
@given(node=data_nodes())
def test_round_trip_build_parse_build(node):
    wire = S.Data.build(node)
    parsed = S.Data.parse(wire)
    assert S.Data.build(parsed) == wire
    value = S.to_value(parsed)
    assert same(S.parse_data(wire), (value, len(wire)))


def test_compact_array_declaration():
    node = S.compact_array(("structure", ["unsigned", "octet_string"]), [(5, b"a"), (6, b"b")])
    wire = S.Data.build(node)
    assert wire == bytes.fromhex("13" "02021109" "06" "050161" "060162")
    assert S.to_value(S.Data.parse(wire)) == [(5, b"a"), (6, b"b")]
    for bad in ("1300", "13010000" "1100", "131300"):  # zero-size / nested compact-array types
        with pytest.raises(ConstructError):
            S.Data.parse(bytes.fromhex(bad))


# ---------------------------------------------------------------- data-notification


@pytest.mark.parametrize(
    "form,prefix",
    [("octet-string", "0c"), ("tagged", "090c"), ("date-time", "19")],
)
def test_data_notification_clock_forms(form, prefix):
    wire = S.build_data_notification([1], 0x40000000, clock=CLOCK, clock_form=form)
    assert wire.hex() == "0f40000000" + prefix + CLOCK.hex() + "01010600000001"
    parsed = S.DataNotification.parse(wire)
    assert parsed.date_time.value == CLOCK and parsed.date_time.length == 12
    assert S.DataNotification.build(parsed) == wire
    liip, clock, body, end = S.parse_data_notification(wire)
    assert (liip, clock, body, end) == (0x40000000, CLOCK, [1], len(wire))
    assert type(clock) is DateTime


def test_data_notification_without_clock():
    wire = S.build_data_notification((), 0)
    assert wire == bytes.fromhex("0f" "00000000" "00" "0200")
    assert S.parse_data_notification(wire) == (0, None, (), 8)


def test_data_notification_rejects_other_clock_lengths():
    with pytest.raises(DecodeError):
        S.parse_data_notification(bytes.fromhex("0f4000000003aabbcc00"))
    with pytest.raises(DecodeError):
        S.parse_data_notification(bytes.fromhex("c40000"))


# ---------------------------------------------------------------- general-block-transfer and LLC


def test_gbt_declaration():
    # Landis+Gyr E450 block 3 of 3 header: E0 C0 0003 0000 (esphome-libs/dlms_parser dump, dlms.md 3)
    wire = S.build_gbt(b"\x0f\x01", 3, last=True, streaming=True)
    assert wire == bytes.fromhex("e0c0" "0003" "0000" "02" "0f01")
    c = S.GeneralBlockTransfer.parse(wire)
    assert c.block_control == Container(last=True, streaming=True, window=0)
    assert (c.block_number, c.block_number_ack, c.data) == (3, 0, b"\x0f\x01")
    assert S.parse_gbt(b"\x00" + wire, 1) == (True, 3, 0, 8, 10)


def test_split_gbt_round_trips():
    apdu = bytes(range(200))
    blocks = S.split_gbt(apdu, 64)
    assert len(blocks) == 4
    assert [S.GeneralBlockTransfer.parse(b).block_number for b in blocks] == [1, 2, 3, 4]
    assert [S.GeneralBlockTransfer.parse(b).block_control.last for b in blocks] == [False, False, False, True]
    assert b"".join(S.GeneralBlockTransfer.parse(b).data for b in blocks) == apdu
    assert blocks[0][:7] == bytes.fromhex("e0400001000040")


def test_llc_header():
    assert S.LlcHeader.parse(b"\xe6\xe7\x00").ssap == 0xE7
    assert S.LlcHeader.parse(b"\xe6\xe6\x00").ssap == 0xE6
    with pytest.raises(ConstructError):
        S.LlcHeader.parse(b"\xe6\xe8\x00")
