"""general-block-transfer (0xE0): header decoding in both twins, reassembly, the L+G fixtures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hanparse.dlms.apdu as apdu_mod
from conftest import implementations
from fixture_files import data as fixture_data
from fixture_files import entries
from hanparse import hdlc
from hanparse.dlms import GbtReassembler, decode_apdu, decode_gbt_block, reassemble_gbt
from hanparse.dlms import schema as S
from hanparse.errors import DecodeError, HanParseError, IncompleteError

TWINS = implementations("dlms")


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in TWINS])
def dlms(request, monkeypatch):
    monkeypatch.setattr(apdu_mod, "_dlms", request.param)
    return request.param


GBT_FIXTURES = [e for e in entries("hdlc") if (e.get("checks") or {}).get("gbt_blocks")]


def _blocks(e):
    """The information field of each frame (cut out by hanparse.hdlc, FCS checked): one GBT block per frame."""
    raw = fixture_data(e)
    fields, pos = [], 0
    while pos < len(raw):
        consumed, frame = hdlc.decode(raw, pos)
        if consumed == 0:  # the last closing flag
            break
        if frame is not None:
            assert not frame.segmented  # GBT blocks travel one per unsegmented frame here
            fields.append(frame.information_field)
        pos += consumed
    return fields


def test_header_fields(dlms):
    # Landis+Gyr E450 (dlms.md 3): E0 40 0001 0000 70 ... = block 1, streaming, not last, 0x70 bytes
    wire = bytes.fromhex("e0400001000070") + bytes(0x70)
    assert dlms.decode_gbt(wire) == (False, 1, 0, 7, 7 + 0x70)
    block = decode_gbt_block(wire)
    assert (block.last, block.streaming, block.window, block.block_number, block.block_number_ack) == (
        False, True, 0, 1, 0,
    )
    # last block 4, window 5, ack 2, length in the 0x81 form
    last = bytes.fromhex("e0c5" "0004" "0002" "8181") + bytes(0x81)
    assert dlms.decode_gbt(last) == (True, 4, 2, 8, 8 + 0x81)
    assert decode_gbt_block(last).window == 5


@pytest.mark.parametrize(
    "wire,message",
    [
        ("", "truncated general-block-transfer"),
        ("0f00", "not a general-block-transfer: APDU tag 0x0F"),
        ("e04000010000", "truncated general-block-transfer header"),
        ("e0400001000082", "truncated A-XDR general-block-transfer header"),
        ("e0400001000080", "invalid A-XDR length byte 0x80"),
        ("e040000100000501", "general-block-transfer block data truncated: 5 bytes announced, 1 present"),
    ],
)
def test_header_errors(dlms, wire, message):
    with pytest.raises(DecodeError) as err:
        dlms.decode_gbt(bytes.fromhex(wire))
    assert err.value.message == message


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=16).map(lambda b: b"\xe0" + b))
def test_twins_and_construct_agree(data):
    outs = []
    for _l, m in TWINS:
        try:
            outs.append(m.decode_gbt(data))
        except HanParseError as exc:
            outs.append((type(exc), exc.message, exc.offset))
    assert all(o == outs[0] for o in outs)
    try:
        ref = S.parse_gbt(data)
    except DecodeError:
        ref = None
    assert (ref is None) == (outs[0][0] is DecodeError)
    if ref is not None:
        assert ref == outs[0]


@pytest.mark.parametrize("e", GBT_FIXTURES, ids=[e["id"] for e in GBT_FIXTURES])
def test_fixture_blocks_match_checks(dlms, e):
    infos = _blocks(e)
    declared = e["checks"]["gbt_blocks"]
    assert len(infos) == len(declared)
    for info, want in zip(infos, declared):
        block = decode_gbt_block(info)  # the first frame carries the LLC, the others do not
        assert (block.block_number, block.last, len(block.data)) == (want["block"], want["last"], want["length"])


def test_capture_starting_mid_message_restarts_on_block_1(dlms):
    # scs/smartmeter-datacollector lg_e450: blocks 1-2 of one message, then blocks 1-4 of the next
    e = next(x for x in GBT_FIXTURES if x["id"] == "dlms:scs_lg_e450_unencrypted_valid_data")
    blocks = _blocks(e)
    r = GbtReassembler()
    results = [r.add(b) for b in blocks]
    assert results[:-1] == [None] * 5
    apdu = results[-1]
    assert apdu[0] == 0x0F and not r.in_progress
    assert len(apdu) == 112 + 108 + 122 + 70
    msg = decode_apdu(apdu)
    # the meter id the source states (LGZ1030655933512) and its timestamp 2021-07-06 14:58:18,
    # carried as a clock octet-string in the body (the notification header says 14:58:16)
    octets = [x for x in msg.body if type(x) is bytes]
    assert b"LGZ1030655933512" in octets
    assert any(x.hex().startswith("07e50706020e3a12") for x in octets)
    assert msg.clock.hex().startswith("07e50706020e3a10")
    assert reassemble_gbt(blocks) == apdu


def test_out_of_sequence_block_resets(dlms):
    blocks = S.split_gbt(S.build_data_notification(list(range(40))), 50)
    assert len(blocks) >= 3
    r = GbtReassembler()
    assert r.add(blocks[0]) is None
    with pytest.raises(DecodeError, match="block 3 out of sequence \\(expected 2\\)"):
        r.add(blocks[2])
    assert not r.in_progress
    with pytest.raises(DecodeError, match="block 2 without block 1"):
        r.add(blocks[1])
    assert [r.add(b) for b in blocks][-1] == S.build_data_notification(list(range(40)))


def test_duplicate_block_is_out_of_sequence(dlms):
    blocks = S.split_gbt(bytes(100), 40)
    r = GbtReassembler()
    r.add(blocks[0])
    r.add(blocks[1])
    with pytest.raises(DecodeError):
        r.add(blocks[1])


def test_size_bound(dlms):
    blocks = S.split_gbt(bytes(5000), 1000)
    r = GbtReassembler(max_size=4096)
    for b in blocks[:4]:
        assert r.add(b) is None
    with pytest.raises(DecodeError, match="larger than 4096 bytes"):
        r.add(blocks[4])
    assert not r.in_progress
    assert GbtReassembler().add(blocks[0]) is None  # the default bound (64 KiB) takes it


def test_corrupt_block_resets(dlms):
    blocks = S.split_gbt(bytes(100), 40)
    r = GbtReassembler()
    r.add(blocks[0])
    with pytest.raises(DecodeError):
        r.add(blocks[1][:-3])  # announced length longer than the block
    assert not r.in_progress


def test_reassemble_gbt_errors(dlms):
    blocks = S.split_gbt(bytes(100), 40)
    with pytest.raises(IncompleteError):
        reassemble_gbt(blocks[:-1])
    with pytest.raises(DecodeError, match="after the last block"):
        reassemble_gbt(blocks + blocks[:1])
    with pytest.raises(IncompleteError):
        reassemble_gbt([])


@settings(max_examples=200, deadline=None)
@given(apdu=st.binary(min_size=0, max_size=600), size=st.integers(1, 200), junk=st.integers(0, 3))
def test_split_and_reassemble(apdu, size, junk):
    blocks = S.split_gbt(apdu, size)
    leading = S.split_gbt(b"\xaa" * 1000, 300)[:junk]  # an interrupted earlier message
    for _l, m in TWINS:
        apdu_mod._dlms, saved = m, apdu_mod._dlms
        try:
            assert reassemble_gbt(leading + blocks) == apdu
        finally:
            apdu_mod._dlms = saved
