"""hanparse.dlms.ciphering: construct schemas of record and the ciphered-P1 framers.

Header facts come from the fixtures' ``checks.gcm`` and from
reference/security.md.  No public capture of the Polish form (identification
line + GCM block, security.md 6.2) exists among the fixtures: those frames
are built here with ``encrypt_apdu`` in the layout security.md documents for
the Elgama G35 sample (``00 82 02 30 30 00000000`` + 543 bytes of ciphertext
+ 12-byte tag + ``!FE0C`` CR LF).
"""

from __future__ import annotations

import construct
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanparse.dlms import ciphering
from hanparse.dlms.ciphering import (
    CipheredApduFrame,
    CipheredTelegramFrame,
    decode_ciphered_apdu_frame,
    decode_ciphered_telegram_frame,
)
from hanparse.errors import FrameError, IncompleteError
from hanparse.security import (
    Keyring,
    Keys,
    decrypt_apdu,
    decrypt_ciphered,
    encrypt_apdu,
    parse_ciphered_apdu,
)
from tests.fixture_files import data, entries, entry

BARE = [e for fmt in ("dlms_apdu", "p1_encrypted") for e in entries(fmt)
        if e.get("encrypted") and e["id"] != "dlms:greenbook_gcm_example"]
P1 = entries("p1_encrypted")


def _ids(es):
    return [e["id"] for e in es]


# ---------------------------------------------------------------- schemas of record


@pytest.mark.parametrize("encoded, value", [
    ("4f", 0x4F), ("3b", 0x3B), ("81f8", 0xF8), ("8201d0", 0x1D0), ("820103", 0x103), ("8201ff", 0x1FF),
    ("83011181", 0x11181), ("8401000000", 0x1000000),
])
def test_ber_length_parse_and_build(encoded, value):
    raw = bytes.fromhex(encoded)
    assert ciphering.BerLength.parse(raw) == value
    assert ciphering.BerLength.build(value) == raw


def test_ber_length_rejects_indefinite_and_long_forms():
    for bad in ("80", "85" + "00" * 5, "8201"):
        with pytest.raises(construct.ConstructError):
            ciphering.BerLength.parse(bytes.fromhex(bad))
    assert ciphering.BerLength.parse(bytes.fromhex("820010")) == 16  # non-minimal parses
    with pytest.raises(construct.ConstructError):
        ciphering.BerLength.build(-1)


@pytest.mark.parametrize("e", BARE, ids=_ids(BARE))
def test_envelope_schema_parses_fixture_headers(e):
    raw = data(e)
    g = e["checks"]["gcm"]
    parsed = ciphering.CipheredApduEnvelope.parse(raw)
    assert parsed.tag == int(g["tag_byte"], 16)
    assert parsed.system_title == bytes.fromhex(g["system_title"])
    assert parsed.security_control == int(g["security_control"], 16)
    assert parsed.invocation_counter == int(g["invocation_counter"], 16)
    length_field = bytes.fromhex(g["length_field"])
    assert raw[10:10 + len(length_field)] == length_field
    assert parsed.length == ciphering.BerLength.parse(length_field)
    assert (parsed.auth_tag is not None) == bool(parsed.security_control & 0x10)
    total = 10 + len(length_field) + parsed.length
    assert (total == len(raw)) is g["length_matches"]
    # build is the exact inverse over the envelope's bytes
    assert ciphering.CipheredApduEnvelope.build(parsed) == raw[:total]
    # the fast parser agrees field by field
    fast = parse_ciphered_apdu(raw)
    assert (fast.apdu_tag, fast.system_title, fast.security_control, fast.invocation_counter,
            fast.payload, fast.auth_tag, fast.size) == (
        parsed.tag, parsed.system_title, parsed.security_control, parsed.invocation_counter,
        parsed.payload, parsed.auth_tag, total)


def test_block_schema_polish_header():
    """security.md 6.2: 00 | 82 02 30 | 30 | 00000000 | 543 + 12 bytes."""
    block = ciphering.CipheredBlock.build(dict(system_title=b"", security_control=0x30, invocation_counter=0,
                                               payload=bytes(543), auth_tag=bytes(12)))
    assert block[:9] == bytes.fromhex("00820230" "30" "00000000")
    assert len(block) == 4 + 0x230
    parsed = ciphering.CipheredBlock.parse(block)
    assert parsed.system_title == b"" and parsed.length == 0x230 and len(parsed.payload) == 543
    fast = parse_ciphered_apdu(block, apdu_tag=False)
    assert fast.system_title == bytes(8) and fast.apdu_tag is None and fast.size == len(block)


def _schema_parse(raw: bytes):
    try:
        p = ciphering.CipheredApduEnvelope.parse(raw)
    except construct.ConstructError:
        return None
    return p


def _fast_parse(raw: bytes):
    try:
        return parse_ciphered_apdu(raw)
    except (FrameError, IncompleteError):
        return None


def _same(fast, slow) -> bool:
    return (fast.apdu_tag, fast.system_title if slow.system_title else b"", fast.security_control,
            fast.invocation_counter, fast.payload, fast.auth_tag) == (
        slow.tag, slow.system_title, slow.security_control, slow.invocation_counter, slow.payload, slow.auth_tag)


@settings(max_examples=300, deadline=None)
@given(
    tag=st.sampled_from([0xDB, 0xDC]),
    title=st.one_of(st.binary(min_size=8, max_size=8), st.just(b"")),
    sc=st.integers(0, 255),
    counter=st.integers(0, 0xFFFFFFFF),
    payload=st.binary(max_size=400),
    trailing=st.binary(max_size=4),
)
def test_fast_parser_agrees_with_schema_on_built_envelopes(tag, title, sc, counter, payload, trailing):
    fields = dict(tag=tag, system_title=title, security_control=sc, invocation_counter=counter,
                  payload=payload, auth_tag=bytes(range(12)) if sc & 0x10 else None)
    raw = ciphering.CipheredApduEnvelope.build(fields)
    fast = parse_ciphered_apdu(raw + trailing)
    slow = ciphering.CipheredApduEnvelope.parse(raw + trailing)
    assert _same(fast, slow) and fast.size == len(raw)


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.binary(max_size=40),
    st.binary(max_size=40).map(lambda b: b"\xdb\x08" + b),
    st.binary(max_size=40).map(lambda b: b"\xdc\x00" + b),
    st.tuples(st.binary(min_size=8, max_size=8), st.integers(0, 40), st.binary(max_size=40)).map(
        lambda t: b"\xdb\x08" + t[0] + bytes((t[1],)) + t[2]),
))
def test_fast_parser_agrees_with_schema_on_arbitrary_bytes(raw):
    fast, slow = _fast_parse(raw), _schema_parse(raw)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert _same(fast, slow)


# ---------------------------------------------------------------- bare ciphered APDU framer


@pytest.mark.parametrize("e", P1, ids=_ids(P1))
def test_apdu_framer_on_p1_fixtures(e):
    raw = data(e)
    consumed, frame = decode_ciphered_apdu_frame(raw)
    assert consumed == len(raw)
    assert isinstance(frame, CipheredApduFrame) and frame.raw == raw and frame.apdu == raw
    g = e["checks"]["gcm"]
    assert frame.ciphered.system_title == bytes.fromhex(g["system_title"])
    assert frame.ciphered.invocation_counter == int(g["invocation_counter"], 16)
    if e.get("plaintext_hex") and e["id"] != "dsmr_parser:T210_D_R-encrypted-sc10":
        keys = Keys(e["key_hex"], e.get("auth_key_hex"))
        assert decrypt_ciphered(frame.ciphered, keys)[0] == bytes.fromhex(e["plaintext_hex"])


def test_apdu_framer_needs_more_data_on_every_prefix():
    raw = data(entry("dlms:lu_smarty_synthetic"))
    for cut in range(len(raw)):
        assert decode_ciphered_apdu_frame(raw[:cut]) == (0, None), cut
        assert decode_ciphered_apdu_frame(b"xx" + raw[:cut], 2) == (0, None), cut


def test_apdu_framer_with_garbage_around_and_buffer_types():
    raw = data(entry("dlms:shrdzm_sagemcom_0"))
    buf = b"\x00garbage\r\n" + raw + b"/ISK5 trailing"
    start = buf.index(b"\xdb")
    for kind in (bytes, bytearray, memoryview):
        consumed, frame = decode_ciphered_apdu_frame(kind(buf), start)
        assert consumed == len(raw) and frame.raw == raw and type(frame.raw) is bytes
    with pytest.raises(FrameError) as info:
        decode_ciphered_apdu_frame(buf, 0)
    assert info.value.skip == 1


@pytest.mark.parametrize("candidate, message", [
    ("db07", "system title length 7"),
    ("db00", "system title length 0"),
    ("db08" + "53595354454d4944" + "80", "bad BER length"),
    ("db08" + "53595354454d4944" + "8400010000", "exceeds the limit"),
    ("db08" + "53595354454d4944" + "821001", "exceeds the limit"),
    ("db08" + "53595354454d4944" + "04", "shorter than"),
    ("db08" + "53595354454d4944" + "0a30", "12-byte"),
    ("db08" + "53595354454d4944" + "8201f2" + "b0", "unsupported security control"),
    ("db08" + "53595354454d4944" + "8201f2" + "32", "unsupported security control"),
    ("0f", "expected DB or DC"),
])
def test_apdu_framer_rejects_false_candidates_without_waiting(candidate, message):
    """A false DB in a stream is refused from its header alone (no checksum protects the frame)."""
    buf = bytes.fromhex(candidate)
    with pytest.raises(FrameError, match=message) as info:
        decode_ciphered_apdu_frame(buf)
    assert info.value.skip == 1


def test_apdu_framer_max_length_is_configurable():
    keys = Keys(bytes(16), bytes(16))
    big = encrypt_apdu(bytes(5000), keys=keys, system_title=b"SYSTEMID", invocation_counter=1)
    with pytest.raises(FrameError, match="exceeds the limit of 4096"):
        decode_ciphered_apdu_frame(big)
    consumed, frame = decode_ciphered_apdu_frame(big, max_length=8192)
    assert consumed == len(big) and decrypt_ciphered(frame.ciphered, keys)[0] == bytes(5000)


def _drive(framer, buf: bytes):
    """Minimal stream loop over the framer contract: frames found, bytes skipped."""
    frames, pos, skipped = [], 0, 0
    while pos < len(buf):
        try:
            consumed, frame = framer(buf, pos)
        except FrameError as exc:
            pos += exc.skip
            skipped += exc.skip
            continue
        if frame is None:
            break
        frames.append(frame)
        pos += consumed
    return frames, pos


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\xdb", b"").replace(b"\xdc", b"")),
                min_size=3, max_size=3))
def test_apdu_framer_finds_every_frame_between_garbage(garbage):
    a = data(entry("dlms:lu_smarty_synthetic"))
    b = data(entry("dlms:shrdzm_sagemcom_0"))
    buf = garbage[0] + a + garbage[1] + b + garbage[2]
    frames, _ = _drive(decode_ciphered_apdu_frame, buf)
    assert [f.raw for f in frames] == [a, b]


# ---------------------------------------------------------------- Polish form framer


EK = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
AK = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf")
TELEGRAM = entry("dsmr-5.0.2-example")["text"].encode("latin-1")


def polish_frame(ident: bytes = b"/EGM5G35", telegram: bytes = TELEGRAM, counter: int = 0, sc: int = 0x30,
                 trailer: bytes = b"!FE0C\r\n", keys: Keys = Keys(EK, AK)) -> bytes:  # noqa: B008 (Keys is immutable)
    block = encrypt_apdu(telegram, keys=keys, system_title=b"", invocation_counter=counter,
                         security_control=sc, tag=None)
    return ident + b"\r\n\r\n" + block + trailer


def test_polish_frame_decodes_and_decrypts():
    telegram = TELEGRAM[:543]  # the size of the Elgama sample's plaintext
    raw = polish_frame(telegram=telegram)
    assert raw[12:21] == bytes.fromhex("00820230" "30" "00000000")  # security.md 6.2 layout
    consumed, frame = decode_ciphered_telegram_frame(raw)
    assert consumed == len(raw)
    assert isinstance(frame, CipheredTelegramFrame)
    assert frame.raw == raw and frame.identification == "/EGM5G35" and frame.trailer == "FE0C"
    assert frame.ciphered.apdu_tag is None and frame.ciphered.system_title == bytes(8)
    plaintext, info = decrypt_ciphered(frame.ciphered, Keyring({"0000000000000000": Keys(EK, AK)}))
    assert plaintext == telegram and info.authenticated is True and info.system_title == bytes(8)


def test_polish_frame_is_framed_by_length_not_by_bang():
    """Find counters whose ciphertext holds '!' and LF bytes, as in the Elgama sample."""
    found = 0
    for counter in range(200):
        raw = polish_frame(counter=counter)
        body = raw[12 + 4 + 5:-7 - 12]
        if b"!" in body and b"\n" in body:
            consumed, frame = decode_ciphered_telegram_frame(raw)
            assert consumed == len(raw) and frame.trailer == "FE0C"
            assert decrypt_ciphered(frame.ciphered, Keys(EK, AK))[0] == TELEGRAM
            found += 1
    assert found >= 10


def test_polish_kaifa_form_and_tagless_variant():
    raw = polish_frame(ident=b"/KFM5KAIFA-METER", sc=0x20, counter=77, trailer=b"!D770\r\n")
    consumed, frame = decode_ciphered_telegram_frame(raw)
    assert consumed == len(raw) and frame.identification == "/KFM5KAIFA-METER"
    plaintext, info = decrypt_ciphered(frame.ciphered, Keys(EK))
    assert plaintext == TELEGRAM and info.authenticated is None and info.invocation_counter == 77


def test_polish_frame_needs_more_data_on_every_prefix():
    raw = polish_frame(telegram=TELEGRAM[:300])
    for cut in range(len(raw)):
        assert decode_ciphered_telegram_frame(raw[:cut]) == (0, None), cut


def test_polish_frame_without_trailer_and_followed_by_next():
    raw = polish_frame(trailer=b"")
    nxt = polish_frame(counter=1)
    consumed, frame = decode_ciphered_telegram_frame(raw + nxt)
    assert consumed == len(raw) and frame.trailer is None
    consumed2, frame2 = decode_ciphered_telegram_frame(raw + nxt, consumed)
    assert consumed2 == len(nxt) and frame2.ciphered.invocation_counter == 1
    frames, _ = _drive(decode_ciphered_telegram_frame, b"junk!\n" + raw + nxt + b"/EGM")
    assert [f.raw for f in frames] == [raw, nxt]


@pytest.mark.parametrize("buf, message", [
    (b"1-0:1.8.0", "expected '/'"),
    (TELEGRAM, "no GCM block"),
    (b"/" + b"A" * 200, "longer than"),
    (b"/EGM\x015G35\r\n\r\n\x00", "printable"),
    (b"/EGM5G35\r\n\r\n\x00\x80", "bad BER length"),
    (b"/EGM5G35\r\n\r\n\x00\x83\x01\x00\x00", "exceeds the limit"),
    (b"/EGM5G35\r\n\r\n\x00\x82\x02\x30\xb0", "unsupported security control"),
])
def test_polish_framer_rejects(buf, message):
    with pytest.raises(FrameError, match=message) as info:
        decode_ciphered_telegram_frame(buf)
    assert info.value.skip == 1


def test_plain_p1_fixtures_are_not_polish_frames():
    """Every plain DSMR telegram fixture is refused (or incomplete), never framed as ciphered."""
    for e in entries("p1_ascii"):
        raw = data(e)
        if not raw.startswith(b"/"):
            continue
        try:
            consumed, frame = decode_ciphered_telegram_frame(raw)
        except FrameError:
            continue
        assert frame is None, e["id"]


def test_decrypt_apdu_refuses_polish_block():
    """The tag-less block is not an APDU: decrypt it through its frame's ``ciphered``."""
    raw = polish_frame()
    from hanparse.errors import DecodeError

    with pytest.raises(DecodeError, match="not a ciphered APDU"):
        decrypt_apdu(raw[12:-7], Keys(EK, AK))


def test_polish_framer_accepts_memoryview_and_bytearray():
    raw = polish_frame(telegram=TELEGRAM[:200])
    for kind in (bytearray, memoryview):
        consumed, frame = decode_ciphered_telegram_frame(kind(b"xx" + raw), 2)
        assert consumed == len(raw) and frame.raw == raw and frame.trailer == "FE0C"


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=60),
    st.binary(max_size=60).map(lambda b: b"\xdb\x08" + b),
    st.binary(max_size=60).map(lambda b: b"/" + b),
    st.binary(max_size=60).map(lambda b: b"/EGM5G35\r\n\r\n" + b),
    st.binary(max_size=60).map(lambda b: b"/EGM5G35\r\n\r\n\x00" + b),
))
def test_framers_on_arbitrary_bytes_raise_only_frame_errors(buf):
    for framer in (decode_ciphered_apdu_frame, decode_ciphered_telegram_frame):
        try:
            consumed, frame = framer(buf)
        except FrameError as exc:
            assert exc.skip >= 1
            continue
        if frame is None:
            assert consumed == 0
        else:
            assert 0 < consumed <= len(buf) and frame.raw == buf[:consumed]
