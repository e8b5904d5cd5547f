"""The fast paths agree with the general ones.

parse_frame and StreamDecoder decode a single unsegmented HDLC frame (LLC +
data-notification or ciphered APDU) straight from the frame's bytes, and
decrypt_apdu takes a shortcut for the common ciphered APDU.  Here every HDLC
fixture goes through both ways, on both implementations, and the results
(message or error) must be identical.
"""

from __future__ import annotations

import pytest

import hanparse
from _stream_helpers import ISKRA_SEGMENTED, NO_KAMSTRUP, reference
from fixture_files import data, entries
from hanparse import StreamDecoder, security
from hanparse._pipeline import Dispatcher, Options
from hanparse.dlms.apdu import reassemble_gbt
from hanparse.errors import DecryptionError, HanParseError, IncompleteError, reason_of
from impl_switch import available, use_implementation

# whole unstuffed frames (the synthetic "append" entries are frames without flags)
HDLC = [e for e in entries("hdlc") if "stuffed" not in e["id"] and data(e)[:1] == b"\x7e"]


@pytest.fixture(params=available())
def impl(request, monkeypatch):
    """Run the whole pipeline on one implementation."""
    use_implementation(request.param, monkeypatch)
    return request.param


def _keys(e):
    return hanparse.Keys(e["key_hex"], e.get("auth_key_hex") or None) if e.get("key_hex") else None


def _outcome(fn, *args):
    try:
        m = fn(*args)
        return ("ok", m.to_dict(), bytes(m.raw))
    except HanParseError as exc:
        return ("err", type(exc), str(exc))


def _general(buf, keys):
    """The general path: HdlcFrame objects from a plain scanner, the dispatcher's reassembly, decode_apdu."""
    dispatch = Dispatcher(Options(keys))
    errors, out = [], []
    scanner = hanparse._wire.scanner.FrameScanner(on_error=errors.append)
    for frame in scanner.feed(buf) + scanner.flush():
        try:
            msg = dispatch.push(frame)
        except HanParseError as exc:
            errors.append(exc)
            continue
        if msg is not None:
            out.append(msg)
    if len(out) == 1:
        return out[0]
    if errors:
        raise errors[0]
    raise IncompleteError("%d messages" % len(out))


def _hdlc_apdu(buf):
    """The APDU the HDLC frames of ``buf`` carry (segments joined, LLC removed)."""
    frames = list(hanparse._wire.scanner.iter_frames(buf))
    if frames[0].information[:1] == b"\xe0":  # block-transfer blocks, one per frame
        return reassemble_gbt([f.information for f in frames])
    return hanparse.hdlc.reassemble(frames)


@pytest.mark.parametrize("e", HDLC, ids=[e["id"] for e in HDLC])
def test_fast_and_general_paths_agree(impl, e):
    buf, keys = data(e), _keys(e)
    general = _outcome(_general, buf, keys)
    assert _outcome(hanparse.parse_frame, buf, keys) == general
    errors = []
    dec = StreamDecoder(keys, on_error=errors.append)
    out = [(m.to_dict(), bytes(m.raw)) for m in dec.feed(buf) + dec.flush()]
    if general[0] == "ok":
        assert out == [general[1:]] and errors == []
    else:
        assert out == []
        assert errors and all(isinstance(x, HanParseError) for x in errors)


def test_stream_fast_path_reports_what_the_general_path_raises(impl):
    # the Danish frame without its key: the fast path must raise the general path's DecryptionError
    e = next(x for x in HDLC if x["id"] == "dlms:dlms_parser_hdlc_kamstrup_omnipower")
    buf = data(e)
    with pytest.raises(DecryptionError) as want:
        _general(buf, None)
    errors = []
    dec = StreamDecoder(on_error=errors.append)
    assert dec.feed(buf) + dec.flush() == []
    assert [str(x) for x in errors] == [str(want.value)]
    assert reason_of(errors[0]) == "decryption" and dec.stats.rejected_by_reason == {"decryption": 1}


def test_foreign_frame_after_an_unfinished_segment_keeps_only_its_own_bytes(impl):
    first = next(iter(hanparse._wire.scanner.iter_frames(ISKRA_SEGMENTED)))
    other = next(iter(hanparse._wire.scanner.iter_frames(NO_KAMSTRUP)))
    assert first.segmented and (first.dst_raw, first.src_raw) != (other.dst_raw, other.src_raw)
    dec = StreamDecoder()
    out = dec.feed(first.raw + NO_KAMSTRUP) + dec.flush()
    # the reassembler drops the unfinished message; the next message's raw is its own frame only
    assert [m.to_dict() for m in out] == [reference(NO_KAMSTRUP)]
    assert bytes(out[0].raw) == NO_KAMSTRUP


# encrypted frames whose framing is sound (a frame_error fixture is covered above)
ENCRYPTED = [e for e in HDLC if e.get("key_hex")
             and not str((e.get("expected") or {}).get("outcome", "")).startswith("frame_error")]


@pytest.mark.parametrize("e", ENCRYPTED, ids=[e["id"] for e in ENCRYPTED])
def test_decrypt_shortcut_equals_the_general_decryption(e):
    apdu = _hdlc_apdu(data(e))
    assert apdu[:1] in (b"\xdb", b"\xdc")
    full, ek_only = _keys(e), hanparse.Keys(e["key_hex"])
    for keys in (full, ek_only):
        general = security.decrypt_ciphered(security._parse(apdu, 0, True, True, None, False), keys)
        assert security.decrypt_apdu(apdu, keys) == general
    # a flipped tag bit: the shortcut steps aside and the general path reports the mismatch
    if security._parse(apdu, 0, True, True, None, False).auth_tag is not None and full.authentication_key:
        bad = apdu[:-1] + bytes((apdu[-1] ^ 1,))
        with pytest.raises(DecryptionError) as err:
            security.decrypt_apdu(bad, full)
        assert err.value.reason == "tag_mismatch"
