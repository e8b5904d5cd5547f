"""End to end: ``hanparse.parse_frame`` on every bundled fixture, bytes in, Message out.

* Fixtures with an ``.expected.json`` (values from the specifications and
  the sources, see each file) must decode through the whole stack --
  framing, reassembly, A-XDR, meters or the P1 grammar -- to exactly those
  readings, meter fields and timestamp.
* Encrypted fixtures with a published key must decode to the same readings
  as their published plaintext, with ``encrypted`` and ``security`` set.
* Negative vectors (``expected.outcome``) raise the error class their
  outcome names; fixtures without their key raise DecryptionError.
"""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

import hanparse
from fixture_files import ROOT, data, entries
from hanparse import (
    ChecksumError,
    DecryptionError,
    FrameError,
    HanParseError,
    IncompleteError,
    Keys,
    StreamDecoder,
    parse_frame,
)
from helpers import norm

FORMATS = ("hdlc", "mbus", "dlms_apdu", "p1_ascii", "p1_encrypted")
ALL = [e for fmt in FORMATS for e in entries(fmt)]


def _expected(e: Dict[str, Any]):
    path = ROOT / e["format"] / (e["id"].replace(":", "__") + ".expected.json")
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _keys(e: Dict[str, Any]):
    return Keys(e["key_hex"], e.get("auth_key_hex")) if e.get("key_hex") else None


def _outcome_error(outcome: str):
    if outcome.startswith("checksum_error"):
        return ChecksumError
    if outcome.startswith("incomplete"):
        return IncompleteError
    if outcome.startswith("frame_error"):
        return FrameError
    if outcome.startswith("decryption_error") or outcome.startswith("non-conformant"):
        return DecryptionError
    return None


POSITIVE = [e for e in ALL if _expected(e) is not None and (_expected(e).get("outcome") in (None, "ok"))
            and not (e["expected"].get("outcome") or "").startswith(("checksum", "incomplete", "frame"))]
NEGATIVE = [e for e in ALL if _outcome_error(e["expected"].get("outcome") or "")]
def _is_message(e: Dict[str, Any]) -> bool:
    """False for vectors that are only a fragment (the Green Book GCM example: ciphertext + tag)."""
    return "text" in e or e["hex"][:2] in ("7e", "68", "db", "dc", "e6", "0f", "e0")


ENCRYPTED_WITH_KEY = [e for e in ALL if e["encrypted"] and e.get("key_hex") and e.get("plaintext_hex")
                      and _is_message(e) and not _outcome_error(e["expected"].get("outcome") or "")]


@pytest.mark.parametrize("e", POSITIVE, ids=lambda e: e["id"])
def test_fixture_decodes_to_expected_readings(e):
    exp = _expected(e)
    kwargs = {}
    if exp.get("options"):
        kwargs["options"] = exp["options"]
    if "tz" in exp:
        kwargs["tz"] = exp["tz"]
    msg = parse_frame(data(e), _keys(e), **kwargs)
    assert isinstance(msg, hanparse.Message)
    assert msg.raw  # the frame bytes are kept
    got = {}
    for r in msg.readings:
        got.setdefault(str(r.obis), r)
    for want in exp["readings"]:
        r = got.get(want["obis"])
        assert r is not None, "missing %s" % want["obis"]
        if want.get("warning") is True:
            assert r.warning, want["obis"]
        elif want.get("warning") is False:
            assert r.warning is None, want["obis"]
        assert r.unit == want["unit"], want["obis"]
        if isinstance(r.value, (tuple, list)) or hasattr(r.value, "to_dict"):
            continue  # structured multi-value lines: compared field by field in test_corpus_dsmr
        value = norm(r.value)
        if isinstance(want["value"], float) or isinstance(value, float):
            assert value == pytest.approx(want["value"], rel=1e-12, abs=0), want["obis"]
        else:
            assert value == want["value"], want["obis"]
    if "timestamp" in exp:
        assert norm(msg.timestamp) == exp["timestamp"]
    for field, want in (exp.get("meter") or {}).items():
        assert getattr(msg.meter, field) == want, field


@pytest.mark.parametrize("e", NEGATIVE, ids=lambda e: e["id"])
def test_negative_fixture_raises_its_error(e):
    err = _outcome_error(e["expected"]["outcome"])
    errors = []
    dec = StreamDecoder(_keys(e), on_error=errors.append)
    recovered = dec.feed(data(e)) + dec.flush()
    # the stream reports the source's error first, whatever else it finds
    assert errors and isinstance(errors[0], err), errors
    if recovered:
        # A broken link layer around an intact ciphered APDU: the APDU is found on its own (a
        # stream must not lose it) and parse_frame gives the same answer.  Its content is the
        # source's plaintext (checked by the GCM tag where there is one, and here against the
        # published plaintext).
        (msg,) = recovered
        assert msg.format == "apdu" and msg.security.authenticated is not False
        assert bytes(msg.raw) in data(e)
        if e.get("plaintext_hex"):
            plain = hanparse._api.decode_apdu_message(bytes.fromhex(e["plaintext_hex"]))
            assert plain.readings == msg.readings
        assert parse_frame(data(e), _keys(e)).to_dict() == msg.to_dict()
        return
    with pytest.raises(err) as info:
        parse_frame(data(e), _keys(e))
    assert str(info.value)  # a clear, non-empty message
    if err is ChecksumError:
        assert info.value.expected != info.value.actual


@pytest.mark.parametrize("e", ENCRYPTED_WITH_KEY, ids=lambda e: e["id"])
def test_encrypted_fixture_decodes_like_its_plaintext(e):
    msg = parse_frame(data(e), _keys(e))
    assert msg.encrypted is True
    assert msg.security is not None
    assert msg.security.system_title == bytes.fromhex(e["checks"]["gcm"]["system_title"])
    assert msg.security.invocation_counter == int(str(e["checks"]["gcm"]["invocation_counter"]), 16) \
        if isinstance(e["checks"]["gcm"]["invocation_counter"], str) else e["checks"]["gcm"]["invocation_counter"]
    plain = bytes.fromhex(e["plaintext_hex"])
    if plain[:1] == b"/":
        # SC 20 fixtures: the CTR plaintext may carry trailing bytes after the telegram
        end = plain.find(b"!")
        eol = plain.find(b"\n", end)
        plain = plain[: eol + 1] if eol > 0 else plain
    reference = parse_frame(plain)
    # The system title of the envelope can name the maker (and so add units
    # to lists that carry none); without it the same plaintext has the same
    # OBIS codes and values.
    assert [(r.obis, r.value) for r in msg.readings] == [(r.obis, r.value) for r in reference.readings]
    for r, ref in zip(msg.readings, reference.readings):
        if ref.unit is not None:
            assert r.unit == ref.unit
    assert msg.timestamp == reference.timestamp


@pytest.mark.parametrize("e", [e for e in ALL if e["encrypted"] and not _outcome_error(
    e["expected"].get("outcome") or "") and e["format"] != "dlms_apdu" or e["id"] == "dlms:dlms_parser_mbus_kmswest"],
    ids=lambda e: e["id"])
def test_encrypted_fixture_without_key_names_what_is_missing(e):
    with pytest.raises(DecryptionError) as info:
        parse_frame(data(e))
    msg = str(info.value)
    assert "key" in msg
    st = e["checks"]["gcm"]["system_title"] if e.get("checks") and e["checks"].get("gcm") else None
    if st and st != "0000000000000000":
        assert st.upper() in msg.upper()


def test_hex_text_input_is_accepted():
    e = next(x for x in ALL if x["id"] == "kamstrup-no-list2-3phase")
    spaced = " ".join(e["hex"][i:i + 2] for i in range(0, len(e["hex"]), 2))
    assert parse_frame(spaced) == parse_frame(data(e))
    assert parse_frame(e["hex"].upper() + "\n") == parse_frame(data(e))


def test_telegram_text_input_is_accepted():
    e = next(x for x in ALL if x["id"] == "dsmr_parser:TELEGRAM_V5")
    assert parse_frame(e["text"]).readings == parse_frame(data(e)).readings


@pytest.mark.parametrize("bad", [b"", b"\x00\x00", b"\x12\x34", "zz", "0x", "7e a0", b"\x7e", b"\x68\x04",
                                 b"\x10\x53\xff\x52\x16", b"\xe5", b"/ABC5", b"\x0f\x00", b"\xdb\x08"])
def test_bad_input_raises_hanparse_errors_only(bad):
    with pytest.raises(HanParseError):
        parse_frame(bad)


def test_bytes_around_one_message_are_skipped_as_in_a_stream():
    e = next(x for x in ALL if x["id"] == "kamstrup-no-list2-3phase")
    clean = parse_frame(data(e))
    for noisy in (data(e) + b"garbage", b"\xff\xff" + data(e), b"junk" + data(e) + b"\r\n"):
        assert parse_frame(noisy).to_dict() == clean.to_dict()
    # two messages are not one: a stream's job
    with pytest.raises(FrameError, match="StreamDecoder"):
        parse_frame(data(e) + data(e))


def test_segmented_and_block_transfer_messages_join_across_frames():
    # S-bit segments (Iskra AM550) and general-block-transfer blocks in
    # separate frames, the capture starting with two blocks of an interrupted
    # message (L+G E450): one message each, the whole one, as its source states.
    iskra = next(x for x in ALL if x["id"] == "dlms:dlms_parser_hdlc_iskra550")
    e450 = next(x for x in ALL if x["id"] == "dlms:scs_lg_e450_unencrypted_valid_data")
    assert sum(f["segmented"] for f in iskra["checks"]["hdlc"]) >= 2
    assert [b["block"] for b in e450["checks"]["gbt_blocks"]][:3] == [1, 2, 1]  # restarts on block 1
    for e in (iskra, e450):
        exp = _expected(e)
        msg = parse_frame(data(e))
        assert msg.format == "hdlc"
        assert msg.meter.meter_id == exp["meter"]["meter_id"]
        assert len(msg.readings) == len(exp["readings"])
        assert norm(msg.timestamp) == exp["timestamp"]
