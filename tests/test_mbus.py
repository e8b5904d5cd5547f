"""M-Bus framer: bundled frames, transport reassembly, the Sagemcom length quirk."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_files import data, entries, entry
from hanparse import mbus
from hanparse.errors import ChecksumError, FrameError, IncompleteError

HYP = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def frames_of(buf: bytes):
    out = []
    pos = 0
    while pos < len(buf):
        consumed, frame = mbus.decode(buf, pos)
        assert frame is not None
        out.append(frame)
        pos += consumed
    return out


def _ber_length(b: bytes):
    """(value, size) of a BER length at the start of ``b``."""
    if b[0] < 0x80:
        return b[0], 1
    n = b[0] & 0x7F
    return int.from_bytes(b[1 : 1 + n], "big"), 1 + n


@pytest.mark.parametrize("e", [pytest.param(e, id=e["id"]) for e in entries("mbus")])
def test_fixture_frames_match_recorded_checks(use_core, e):
    frames = frames_of(data(e))
    records = e["checks"]["mbus"]
    assert len(frames) == len(records)
    for f, rec in zip(frames, records):
        assert rec["checksum"] == "ok" and rec["stop"] == "ok"
        assert f.kind == "long"
        assert f.length == rec["l"]
        assert (f.c, f.a, f.ci) == (int(rec["c"], 16), int(rec["a"], 16), int(rec["ci"], 16))
        assert len(f.raw) == rec["l"] + 6
        assert f.transport and f.stsap == 0x01 and f.dtsap == 0x67  # TINETZ / Netz NÖ push SAPs
        assert f.fin == bool(int(rec["ci"], 16) & 0x10)
    # the reassembled APDU is one general-glo-ciphering whose BER length the
    # fixture records (and says matches the data)
    apdu = mbus.reassemble(frames)
    gcm = e["checks"]["gcm"]
    assert apdu[0] == int(gcm["tag_byte"], 16)
    assert apdu[2:10].hex() == gcm["system_title"]
    length, size = _ber_length(apdu[10:])
    assert apdu[10 : 10 + size].hex() == gcm["length_field"]
    assert len(apdu) == 10 + size + length


def test_two_segment_sequence(use_core):
    frames = frames_of(data(entry("dlms:tinetz_example_2seg")))
    assert [(f.sequence, f.fin) for f in frames] == [(0, False), (1, True)]
    r = mbus.Reassembler()
    assert r.push(frames[0]) is None and r.pending
    assert r.push(frames[1]) == frames[0].apdu + frames[1].apdu


def test_corrupt_checksum(use_core):
    raw = bytearray(data(entry("dlms:dlms_parser_mbus_kmswest")))
    raw[20] ^= 0x40
    with pytest.raises(ChecksumError) as info:
        mbus.decode(bytes(raw))
    exc = info.value
    assert exc.field == "mbus" and exc.actual == raw[-2] and exc.expected == (raw[-2] + 0x40) & 0xFF
    assert exc.skip == 1


@pytest.mark.parametrize(
    "raw, message",
    [
        (bytes.fromhex("6805066853ff1016"), "length bytes differ"),
        (bytes.fromhex("68050569"), "second start byte"),
        (bytes.fromhex("680505685301100067cb0f"), "stop byte"),
        (b"\x42", "does not start an M-Bus frame"),
    ],
)
def test_structure_errors(use_core, raw, message):
    with pytest.raises(FrameError, match=message):
        mbus.decode(raw)


def test_short_and_ack_frames(use_core):
    assert mbus.decode(b"\xe5")[1].kind == "ack"
    consumed, f = mbus.decode(mbus.build_short(0x5B, 0xFE) + b"\x00")
    assert consumed == 5 and f.kind == "short" and (f.c, f.a, f.checksum) == (0x5B, 0xFE, 0x59)
    with pytest.raises(ChecksumError):
        mbus.decode(bytes.fromhex("105bfe0016"))


def test_sagemcom_length_quirk(use_core):
    apdu = bytes(range(256))[:252]  # 5 header bytes + 252 = 257 bytes from C on
    raw = mbus.build(apdu, ci=0x00, sagemcom_length=True)
    assert raw[1:3] == b"\x01\x01" and len(raw) == 257 + 6
    for n in (4, 9, 100, len(raw) - 1):
        assert mbus.decode(raw[:n]) == (0, None)
    consumed, f = mbus.decode(raw)
    assert consumed == len(raw) and f.length == 257 and f.apdu == apdu and not f.fin
    # only when checksum and stop byte confirm it
    bad = bytearray(raw)
    bad[-2] ^= 1
    with pytest.raises(ChecksumError):
        mbus.decode(bytes(bad))
    bad = bytearray(raw)
    bad[-1] = 0x00
    with pytest.raises(FrameError, match="stop byte"):
        mbus.decode(bytes(bad))


def test_length_three_is_a_plain_frame_first(use_core):
    raw = mbus.build(b"", ci=0x72)
    assert raw[1] == 3
    consumed, f = mbus.decode(raw + bytes(300))
    assert consumed == 9 and f.payload == b"" and f.apdu is None


@pytest.mark.parametrize("name", [e["id"] for e in entries("mbus")])
def test_fed_three_ways(use_core, name):
    raw = data(entry(name))
    whole = frames_of(raw)
    # one byte at a time
    got = []
    buf = b""
    pos = 0
    for b in raw:
        buf += bytes([b])
        consumed, frame = mbus.decode(buf, pos)
        if frame is not None:
            got.append(frame)
            pos += consumed
    assert got == whole
    # trailing garbage does not touch the frames
    consumed, first = mbus.decode(raw + b"\x68\x00garbage")
    assert first == whole[0] and consumed == len(whole[0].raw)


@HYP
@given(
    data_=st.binary(max_size=250),
    c=st.integers(0, 255),
    a=st.integers(0, 255),
    ci=st.integers(0, 255),
)
def test_round_trip(use_core, data_, c, a, ci):
    transport = ci <= 0x1F
    if transport:
        data_ = data_[:250]
    else:
        data_ = data_[:252]
    raw = mbus.build(data_, c=c, a=a, ci=ci)
    consumed, f = mbus.decode(raw)
    assert consumed == len(raw) and f.raw == raw
    assert (f.c, f.a, f.ci) == (c, a, ci)
    if transport:
        assert f.apdu == data_ and f.sequence == ci & 0x0F and f.fin == bool(ci & 0x10)
        assert (f.stsap, f.dtsap) == (0x01, 0x67)
    else:
        assert f.payload == data_ and f.apdu is None


@HYP
@given(apdu=st.binary(min_size=1, max_size=2000), size=st.integers(1, 250))
def test_segments_round_trip(use_core, apdu, size):
    size = max(size, -(-len(apdu) // 16))  # 16 segments at most (4-bit sequence)
    raws = mbus.build_segments(apdu, max_apdu=size)
    frames = [mbus.decode(r)[1] for r in raws]
    assert mbus.reassemble(frames) == apdu


def test_reassembly_restart_gap_and_errors(use_core):
    seg = [mbus.decode(r)[1] for r in mbus.build_segments(b"A" * 600, max_apdu=250)]
    other = [mbus.decode(r)[1] for r in mbus.build_segments(b"B" * 300, max_apdu=250)]
    # a capture that starts mid-message: restart at sequence 0
    assert mbus.reassemble(seg[1:2] + other) == b"B" * 300
    with pytest.raises(FrameError, match="out of order"):
        mbus.reassemble([seg[0], seg[2]])
    with pytest.raises(IncompleteError):
        mbus.reassemble(seg[:2])
    with pytest.raises(FrameError, match="follow"):
        mbus.reassemble(seg + seg[:1])
    with pytest.raises(FrameError, match="16 at most"):
        mbus.build_segments(bytes(17), max_apdu=1)
    with pytest.raises(FrameError, match="out of order"):
        mbus.Reassembler().push(seg[1])
    with pytest.raises(FrameError, match="not a DLMS transport"):
        mbus.Reassembler().push(mbus.decode(mbus.build(b"x", ci=0x72))[1])


def test_build_limits():
    with pytest.raises(FrameError):
        mbus.build(bytes(251))
    with pytest.raises(FrameError):
        mbus.build(b"", c=256)
