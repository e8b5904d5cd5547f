"""StreamDecoder: formats, reassembly, ciphered frames, hex text, replay, flush, iter_messages."""

from __future__ import annotations

import io

import pytest

import hanparse
from _stream_helpers import (
    DANISH,
    DANISH_KEYS,
    DSMR5,
    E450_GBT,
    ISKRA_SEGMENTED,
    KEYRING,
    LU_KEYS,
    LU_SMARTY,
    MBUS,
    NO_AIDON,
    NO_KAMSTRUP,
    TINETZ,
    TINETZ_KEYS,
    decode_all,
    reference,
)
from fixture_files import entry
from hanparse import ReplayError, StreamDecoder, iter_messages
from hanparse.errors import DecryptionError, IncompleteError, reason_of


@pytest.fixture(autouse=True)
def _both(use_core):
    """Every test here runs on both core implementations."""


def test_mixed_formats_in_order_with_stats():
    stream = b"\x00\x01" + NO_KAMSTRUP + b"\r\n" + DANISH + MBUS + DSMR5 + LU_SMARTY + b"\r\n"
    out, dec, errors = decode_all(stream, keys=KEYRING)
    assert out == [reference(NO_KAMSTRUP), reference(DANISH), reference(MBUS), reference(DSMR5),
                   reference(LU_SMARTY)]
    assert errors == []
    st = dec.stats.as_dict()
    assert st["messages"] == 5 and st["frames"] == 6  # M-Bus: two segments
    assert st["messages_by_format"] == {"apdu": 1, "dsmr": 1, "hdlc": 2, "mbus": 1}
    assert st["bytes_in"] == len(stream)
    assert st["bytes_skipped"] == 6  # 00 01 and two CR LF
    assert st["rejected_by_reason"] == {}


def test_values_match_the_fixture_expectations():
    # expected values stated in the fixture entry (from the source's dump), not from our code
    out, _, _ = decode_all(b"garbage" + DANISH, keys=DANISH_KEYS)
    readings = {r["obis"]: r["value"] for r in out[0]["readings"]}
    assert readings["1-1:1.7.0.255"] == 1083
    assert readings["1-1:32.7.0.255"] == 222
    assert out[0]["security"]["invocation_counter"] == 0x010F60A4


def test_hdlc_segments_gbt_and_mbus_segments_reassembled():
    stream = ISKRA_SEGMENTED + b"\r\n" + E450_GBT + TINETZ
    out, dec, errors = decode_all(stream, chunk=5, keys=KEYRING)
    assert errors == []
    assert out == [reference(ISKRA_SEGMENTED), reference(E450_GBT), reference(TINETZ)]
    assert dec.stats.messages == 3
    assert dec.stats.frames > 3  # segments count as frames


def test_missing_key_reports_decryption_and_keeps_going():
    out, dec, errors = decode_all(DANISH + NO_AIDON, keys=None)
    assert out == [reference(NO_AIDON)]
    assert dec.stats.rejected_by_reason == {"decryption": 1}
    assert isinstance(errors[0], DecryptionError)


def test_false_db_candidate_never_swallows_the_frame_behind_it():
    # a DB 08 header claiming 0x1F0 bytes, followed at once by real frames
    fake = bytes.fromhex("db08") + b"SYSTEMID" + bytes.fromhex("8201f030") + b"\x00\x00\x00\x01"
    stream = fake + NO_KAMSTRUP + DSMR5
    for chunk in (0, 1, 13):
        out, dec, errors = decode_all(stream, chunk=chunk, keys=LU_KEYS)
        assert out == [reference(NO_KAMSTRUP), reference(DSMR5)]
        assert dec.stats.rejected_by_reason == {"decryption": 1}


def test_interrupted_segmented_message_is_reported_at_flush():
    first = ISKRA_SEGMENTED[:ISKRA_SEGMENTED.index(b"\x7e\x7e") + 1] if b"\x7e\x7e" in ISKRA_SEGMENTED else None
    frames = list(hanparse._wire.scanner.iter_frames(ISKRA_SEGMENTED))
    assert frames[0].segmented
    out, dec, errors = decode_all(frames[0].raw)
    assert out == []
    assert dec.stats.rejected_by_reason == {"incomplete": 1}
    assert isinstance(errors[0], IncompleteError)
    del first


def test_corrupt_segment_drops_the_unfinished_message():
    frames = [f.raw for f in hanparse._wire.scanner.iter_frames(ISKRA_SEGMENTED)]
    assert len(frames) >= 2
    bad = bytearray(frames[1])
    bad[10] ^= 0x01
    out, dec, _ = decode_all(frames[0] + bytes(bad) + b"".join(frames[2:]) + NO_AIDON)
    assert out == [reference(NO_AIDON)]
    assert dec.stats.rejected_by_reason["checksum"] == 1


def test_hex_text_lines_decoded_next_to_binary():
    hex_line = NO_AIDON.hex().encode() + b"\r\n"
    spaced = " ".join("%02X" % b for b in NO_KAMSTRUP).encode() + b"\n"
    stream = MBUS + b"\n" + hex_line + DSMR5 + spaced  # a hex line starts after LF
    for chunk in (0, 1, 64):
        out, dec, errors = decode_all(stream, chunk=chunk)
        assert out == [reference(MBUS), reference(NO_AIDON), reference(DSMR5), reference(NO_KAMSTRUP)]
        assert dec.stats.hex_lines == 2
        assert dec.stats.hex_bytes == len(NO_AIDON) + len(NO_KAMSTRUP)
        assert errors == []


def test_hex_dump_wrapped_over_lines():
    h = NO_KAMSTRUP.hex()
    text = "\n".join(h[i:i + 32] for i in range(0, len(h), 32)) + "\n"
    dec = StreamDecoder()
    assert [m.to_dict() for m in dec.feed(text) + dec.flush()] == [reference(NO_KAMSTRUP)]


def test_dsmr_lines_are_never_hex():
    # DSMR 5.0.2 prints 96.13.0 wrapped; a continuation line of only hex digits inside a telegram
    body = DSMR5.replace(b"0-0:96.13.0()", b"0-0:96.13.0(\r\n7EA0\r\n)")
    out, dec, _ = decode_all(body)
    assert dec.stats.hex_lines == 0


def test_unterminated_hex_line_counts_at_flush():
    dec = StreamDecoder()
    assert dec.feed(NO_AIDON.hex()) == []
    assert [m.to_dict() for m in dec.flush()] == [reference(NO_AIDON)]


def test_replay_check_reports_but_keeps_the_message():
    errors = []
    dec = StreamDecoder(DANISH_KEYS, check_replay=True, on_error=errors.append)
    out = dec.feed(DANISH + DANISH) + dec.flush()
    assert len(out) == 2
    assert dec.stats.rejected_by_reason == {"replay": 1}
    assert isinstance(errors[0], ReplayError) and isinstance(errors[0], DecryptionError)
    assert errors[0].invocation_counter == errors[0].previous == 0x010F60A4


def test_str_input_and_iter_messages():
    dec = StreamDecoder()
    text = DSMR5.decode("latin-1")
    assert [m.to_dict() for m in dec.feed(text) + dec.flush()] == [reference(DSMR5)]
    msgs = list(iter_messages(io.BytesIO(NO_KAMSTRUP + NO_AIDON), chunk_size=7))
    assert [m.to_dict() for m in msgs] == [reference(NO_KAMSTRUP), reference(NO_AIDON)]


def test_buffer_bound_and_reset():
    with pytest.raises(ValueError):
        StreamDecoder(max_buffer_size=1000)
    dec = StreamDecoder(max_buffer_size=16384)
    dec.feed(NO_KAMSTRUP[:50])
    assert dec.buffered > 0
    dec.reset()
    assert dec.buffered == 0
    assert [m.to_dict() for m in dec.feed(NO_AIDON)] == [reference(NO_AIDON)]


def test_bad_keys_raise_hanparse_error():
    with pytest.raises(hanparse.HanParseError):
        StreamDecoder("not a key")


def test_tinetz_fixture_decodes_in_stream():
    e = entry("dlms:tinetz_example_2seg")
    out, _, errors = decode_all(b"\xff" * 3 + TINETZ + b"\xff", keys=TINETZ_KEYS)
    assert errors == [] and len(out) == 1
    assert out[0]["format"] == "mbus" and e["encrypted"]


def test_rejected_candidate_after_the_last_segment_does_not_cut_the_message():
    # A false frame start (7E A0 7E ...: a closing flag, a stray A0, the next
    # opening flag) right after the last S-bit segment is rejected by the
    # scanner in the same scan that finds that segment; the cut it implies must
    # apply after the segment, whatever the chunking (found by the fuzz run).
    from hanparse import hdlc
    from hanparse.dlms import schema

    apdu = schema.build_data_notification([(bytes([1, 0, 1, 7, 0, 255]), 0, (0, 27))], 0)
    segmented = b"".join(hdlc.build_segments(apdu, max_information=4, dst=b"\x01", src=b"\x01", control=0))
    single = hdlc.build(apdu, dst=b"\x01", src=b"\x01", control=0)
    stream_bytes = segmented + b"\xa0" + single
    for size in range(1, len(stream_bytes) + 1):
        errors = []
        dec = StreamDecoder(on_error=errors.append)
        msgs = []
        for i in range(0, len(stream_bytes), size):
            msgs += dec.feed(stream_bytes[i:i + size])
        msgs += dec.flush()
        assert [m["1-0:1.7.0"].value for m in msgs] == [0, 0], size
        assert [reason_of(e) for e in errors] == ["checksum"], size
