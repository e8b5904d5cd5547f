"""hanparse.dlms.apdu: decode_apdu / DataNotification, and the unencrypted fixture corpus.

The corpus test takes every unencrypted APDU in fixtures/dlms_apdu and the
information field of every DLMS-carrying frame in fixtures/hdlc (cut out by
tests/helpers.py:fixture_apdus, which trusts the frames' own length fields
and does not check the FCS, so it also reaches frames whose FCS was edited
in the published documents), decodes it under
both twins and compares with the fixture's ``expected`` raw values.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hanparse.dlms.apdu as apdu_mod
from conftest import implementations
from fixture_files import data as fixture_data
from fixture_files import entries
from hanparse.dlms import (
    DataNotification,
    DateTime,
    decode_apdu,
    decode_data_notification,
    strip_llc,
)
from hanparse.dlms import schema as S
from hanparse.errors import DecodeError, DecryptionError, UnsupportedError
from hanparse.obis import Obis
from helpers import data_nodes, decode_outcome, fixture_apdus, hdlc_messages, mutate, mutations, same, twins_agree


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in implementations("dlms")])
def use_dlms(request, monkeypatch):
    """Run hanparse.dlms.apdu on one twin."""
    monkeypatch.setattr(apdu_mod, "_dlms", request.param)
    return request.param


def _carries_dlms(e) -> bool:
    if e.get("encrypted") or e["format"] not in ("dlms_apdu", "hdlc"):
        return False
    if e["format"] == "dlms_apdu":
        return True
    if not (e.get("checks") or {}).get("hdlc"):
        return False  # octet-stuffed framing test: not an unstuffed HAN frame
    return any(strip_llc(m) == 3 for m in hdlc_messages(fixture_data(e)))


CORPUS = [e for fmt in ("dlms_apdu", "hdlc") for e in entries(fmt) if _carries_dlms(e)]

# Vectors that are not valid A-XDR (fixtures/README, dlms.md 2.3 and 4.2): the
# EGD / Sagemcom XT211 untagged class/OBIS/attribute entries and the Embriq
# "06 09" swapped OBIS tag.  A strict walk (and the construct reference) must
# reject them; decode_apdu repairs them (tests/test_axdr_quirks.py has the details).
INVALID_AXDR = {
    "dlms:dlms_parser_raw_egd_example",
    "dlms:dlms_parser_raw_sagecom_xt211",
    "embriq-lg-list2-capture",
    "embriq-lg-list2-edited",
    "embriq-lg-list3-edited",
    "dlms:dlms_parser_hdlc_landis_gyr_zmf100",
}

# expected.element_count counts objects; for this OBIS/value-pair list the
# structure holds two elements per object (fixture note: "structure count
# 0x24 = 2*18").
ELEMENTS_PER_OBJECT = {"amshan:kaifa:se_list": 2}


def test_corpus_is_complete():
    ids = {e["id"] for e in CORPUS}
    assert INVALID_AXDR <= ids
    assert len(ids) >= 40


def obis_values(body) -> Dict[bytes, Any]:
    """OBIS (6-byte octet-string) -> the element after it, anywhere in the tree (first wins)."""
    found: Dict[bytes, Any] = {}

    def walk(node):
        if isinstance(node, (list, tuple)):
            for i, x in enumerate(node):
                if type(x) is bytes and len(x) == 6 and i + 1 < len(node):
                    found.setdefault(x, node[i + 1])
                walk(x)

    walk(body)
    return found


def _raw_bytes(value) -> bytes:
    return value.encode("latin-1") if isinstance(value, str) else bytes(value)


def _iso(raw: bytes) -> str:
    return "%04d-%02d-%02dT%02d:%02d:%02d" % ((raw[0] << 8) | raw[1], raw[2], raw[3], raw[5], raw[6], raw[7])


def _check_expected(e, msg: DataNotification) -> int:
    """Compare what the fixture states as wire facts; return the number of facts checked."""
    expected = e.get("expected") or {}
    checked = 0
    hdr = expected.get("apdu") or {}
    if "long_invoke_id_and_priority" in hdr:
        assert msg.long_invoke_id_and_priority == int(hdr["long_invoke_id_and_priority"], 16)
        checked += 1
    if "date_time" in hdr:
        dt = hdr["date_time"]
        if dt is None:
            assert msg.clock is None
        elif isinstance(dt, dict):
            assert type(msg.clock) is DateTime and msg.clock.hex() == dt["raw_hex"]
        else:
            assert _iso(msg.clock) == dt
        checked += 1
    if "element_count" in expected:
        assert len(msg.body) == expected["element_count"] * ELEMENTS_PER_OBJECT.get(e["id"], 1)
        checked += 1
    for i, item in enumerate(expected.get("items") or []):
        got = msg.body[i]
        if isinstance(item, int):
            assert got == item
        elif isinstance(got, DateTime) or (type(got) is bytes and len(got) == 12 and "T" in item):
            assert _iso(got) == item
        else:
            assert _raw_bytes(got).decode("latin-1") == item
        checked += 1
    found = obis_values(msg.body)
    for key, facts in (expected.get("obis") or {}).items():
        if not isinstance(facts, dict):
            continue  # scaled values only: the meters layer's business
        code = bytes(Obis.parse(key))
        if code not in found:
            assert "without its OBIS" in facts.get("note", ""), key
            continue
        value = found[code]
        if "raw" in facts:
            assert value == facts["raw"], key
            checked += 1
        if "raw_hex" in facts:
            assert _raw_bytes(value).hex() == facts["raw_hex"], key
            checked += 1
        elif (isinstance(facts.get("value"), str) and type(value) is bytes and len(value) == 12
              and "T" in facts["value"]):
            assert facts["value"].startswith(_iso(value)), key  # a clock: the wire's local date and time
            checked += 1
        elif isinstance(facts.get("value"), str) and isinstance(value, (str, bytes)):
            assert _raw_bytes(value).rstrip(b"\x00").decode("latin-1") == facts["value"], key
            checked += 1
    return checked


@pytest.mark.parametrize("e", CORPUS, ids=[e["id"] for e in CORPUS])
def test_corpus(use_dlms, e):
    apdus = fixture_apdus(e)
    assert apdus, "no complete APDU found"
    for apdu in apdus:
        msg = decode_apdu(apdu)
        assert isinstance(msg, DataNotification)
        repairs = use_dlms.decode_data_notification_repaired(apdu)[4]
        if e["id"] in INVALID_AXDR:
            assert repairs
            with pytest.raises(DecodeError):
                use_dlms.decode_data_notification(apdu, 0, None, False)
            with pytest.raises(DecodeError):
                S.parse_data_notification(apdu)
        else:
            assert repairs == ()
            # the construct declaration agrees on every valid APDU
            assert S.parse_data_notification(apdu) == (msg.long_invoke_id_and_priority, msg.clock, msg.body, len(apdu))
        _check_expected(e, msg)


def test_corpus_checks_real_facts(use_dlms):
    total = 0
    repaired = 0
    for e in CORPUS:
        for apdu in fixture_apdus(e):
            n = _check_expected(e, decode_apdu(apdu))
            total += n
            if e["id"] in INVALID_AXDR:
                repaired += n
    assert repaired >= 40  # the Embriq frames' raw facts, including the repaired current OBIS codes
    assert total >= 240  # guards against the checker silently matching nothing


# ---------------------------------------------------------------- quirks, from spec bytes


AIDON_NO_LIST1 = bytes.fromhex("e6e7000f40000000000101020309060100010700ff060000011802020f00161b")


def test_aidon_absent_clock_and_invoke_fields(use_dlms):
    # Aidon-HAN-Interface-Description-v1.1A page 11: 40 00 00 00, date-time 00
    msg = decode_apdu(AIDON_NO_LIST1)
    assert msg.long_invoke_id_and_priority == 0x40000000
    assert msg.invoke_id == 0 and msg.confirmed and not msg.priority_high
    assert not msg.break_on_error and not msg.self_descriptive
    assert msg.clock is None
    assert msg.body == [(bytes.fromhex("0100010700ff"), 280, (0, 27))]


def test_llc_variants_and_bare_apdu(use_dlms):
    bare = AIDON_NO_LIST1[3:]
    assert decode_apdu(bare) == decode_apdu(AIDON_NO_LIST1) == decode_apdu(b"\xe6\xe6\x00" + bare)
    assert decode_apdu(memoryview(AIDON_NO_LIST1)) == decode_apdu(bytearray(AIDON_NO_LIST1))


def test_kaifa_tagged_clock(use_dlms):
    # Kaifa NO list 1 (toreamun/amshan tests): 09 0C + 12 octets, then 02 01 06 ...
    msg = decode_apdu(bytes.fromhex("e6e7000f40000000090c07e3020401173416ff800000020106000016dc"))
    assert type(msg.clock) is DateTime
    assert msg.clock == bytes.fromhex("07e3020401173416ff800000")
    assert msg.body == (5852,)


def test_kamstrup_plain_clock(use_dlms):
    # Kamstrup HAN-NVE rev 3.1 page 13: 0C + 12 octets (no 09 tag since rev 3.0)
    wire = bytes.fromhex("0f000000000c07d0010106162100ff8000010201 0a0e4b616d73747275705f5630303031".replace(" ", ""))
    msg = decode_apdu(wire)
    assert msg.long_invoke_id_and_priority == 0 and not msg.confirmed
    assert msg.clock.hex() == "07d0010106162100ff800001"
    assert msg.body == ("Kamstrup_V0001",)


def test_changing_invoke_id(use_dlms):
    # Salzburg Netz example: long-invoke-id-and-priority 00 17 FA 98
    e = next(x for x in CORPUS if x["id"] == "dlms:dlms_parser_raw_salzburg_netz")
    msg = decode_apdu(fixture_data(e))
    assert msg.invoke_id == 0x17FA98 and not msg.confirmed


def test_null_data_padding_in_kamstrup_single_phase(use_dlms):
    e = next(x for x in CORPUS if x["id"] == "amshan:kamstrup:no_list_2_single_phase_real_sample")
    body = decode_apdu(fixture_data(e)).body
    assert None in body  # null-data placeholders for the missing phases are kept in place
    assert len(body) == 35


def test_long64_unsigned_energy(use_dlms):
    body = (bytes.fromhex("0100010800ff"), S.typed("long64_unsigned", 123456789012), (0, 30))
    wire = S.build_data_notification([body], 0x40000000)
    assert decode_apdu(wire).body == [(bytes.fromhex("0100010800ff"), 123456789012, (0, 30))]


def test_trailing_bytes_are_an_error(use_dlms):
    with pytest.raises(DecodeError, match="1 bytes after the end"):
        decode_apdu(AIDON_NO_LIST1 + b"\x00")


@pytest.mark.parametrize(
    "wire,error,text",
    [
        ("", DecodeError, "empty APDU"),
        ("e6e700", DecodeError, "empty APDU"),
        ("db084b414d4501349000", DecryptionError, "general-glo-ciphering"),
        ("dc00", DecryptionError, "general-ded-ciphering"),
        ("c401c100", UnsupportedError, "0xC4 (get-response)"),
        ("ff", UnsupportedError, "APDU tag 0xFF"),
        ("e040000100000101", UnsupportedError, "GbtReassembler"),
        ("0f4000000003aabbcc00", DecodeError, "date-time length 3"),
        ("0f40", DecodeError, "truncated data-notification header"),
    ],
)
def test_decode_apdu_errors(use_dlms, wire, error, text):
    with pytest.raises(error) as err:
        decode_apdu(bytes.fromhex(wire))
    assert text in str(err.value)


def test_encrypted_message_says_a_key_is_needed(use_dlms):
    with pytest.raises(DecryptionError, match="a key is needed"):
        decode_apdu(bytes.fromhex("e6e700db084b414d4501349000"))


def test_single_block_gbt_is_unwrapped(use_dlms):
    inner = S.build_data_notification([1, 2])
    assert decode_apdu(S.build_gbt(inner, 1, last=True)).body == [1, 2]
    assert decode_apdu(b"\xe6\xe7\x00" + S.build_gbt(inner, 1, last=True)).body == [1, 2]


@pytest.mark.parametrize("clock_form", ["octet-string", "tagged", "date-time"])
def test_decode_data_notification_twins_all_forms(use_dlms, clock_form):
    clock = bytes.fromhex("07e6011801123a32ff800000")
    wire = b"\xaa" + S.build_data_notification(("x", 5), 7, clock=clock, clock_form=clock_form) + b"\xbb"
    liip, got_clock, body, end = decode_data_notification(wire, 1, len(wire) - 1)
    assert (liip, got_clock, body, end) == (7, clock, ("x", 5), len(wire) - 1)
    assert type(got_clock) is DateTime


def test_data_notification_errors_identical_in_twins():
    twins = [m for _l, m in implementations("dlms")]
    for wire in ["", "0e", "0f00", "0f0000000009", "0f000000000c0102", "0f0000000005", "0f00000000", "0f0000000000"]:
        outs = []
        for m in twins:
            try:
                m.decode_data_notification(bytes.fromhex(wire))
                outs.append("ok")
            except DecodeError as exc:
                outs.append((exc.message, exc.offset))
        assert all(o == outs[0] for o in outs) and outs[0] != "ok", (wire, outs)


# ---------------------------------------------------------------- differential: data-notification


@settings(max_examples=200, deadline=None)
@given(
    body=data_nodes(),
    liip=st.integers(0, 2**32 - 1),
    clock=st.one_of(st.none(), st.binary(min_size=12, max_size=12), st.binary(min_size=5, max_size=5)),
    form=st.sampled_from(["octet-string", "tagged", "date-time"]),
    ops=st.one_of(st.just([]), mutations(("set", "cut", "insert", "delete"))),
)
def test_data_notification_twins_and_construct_agree(body, liip, clock, form, ops):
    if form == "date-time" and clock is not None and len(clock) != 12:
        form = "octet-string"  # the 19 form has no length byte: date-time only
    wire = mutate(S.build_data_notification(body, liip, clock=clock, clock_form=form), ops)
    # the twins agree with each other with and without repair; the construct
    # reference is strict, so it is compared with the strict walk
    for repair in (True, False):
        # the lambda runs inside decode_outcome, in this very iteration
        outs = [decode_outcome(lambda w: m.decode_data_notification(w, 0, None, repair), wire)  # noqa: B023
                for _l, m in implementations("dlms")]
        assert twins_agree(outs), (wire.hex(), outs)
    ref = decode_outcome(S.parse_data_notification, wire)
    assert ref[0] == outs[0][0], (wire.hex(), ref, outs[0])
    if ref[0] == "ok":
        assert same(ref[1], outs[0][1])
        if not ops:
            assert ref[1][0] == liip and ref[1][1] == clock and ref[1][3] == len(wire)
