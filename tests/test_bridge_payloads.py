"""What MQTT bridges and gateways publish, through every door.

Users feed hanparse the payloads their bridge publishes (issue 11, item 3):

* hex inside a JSON object, ``{"data": "7ea0...7e"}`` (amsreader's raw MQTT
  publish);
* hex of a data-notification *body* alone, starting with the A-XDR
  structure/array tag ``02``/``01`` and no ``0F`` header (amsreader's raw
  mode);
* hex text sent as bytes, and the same frame as binary;
* Tibber Pulse: several HDLC frames behind a short binary prefix starting
  ``08 dc d9 02`` (hdlc-mbus.md section 7, toreamun/amshan-homeassistant#91,
  #101), and its ``Debug:`` text lines (#53, #60).

The Tibber prefix bytes after ``08 dc d9 02`` and the wording of its debug
lines are not documented in what we have: the batches and debug lines here
are *built* from that description, around real frames from the fixtures.

Each shape goes through :func:`hanparse.parse_frame`,
:func:`hanparse.parse_payload`, :class:`hanparse.StreamDecoder` and
``hanparse decode``.  The expected answer is what the plain binary frame
decodes to: a bridge's wrapping must not change a single reading.  The
notification body is cut out of the frame by this module's own reading of
the HDLC and APDU headers, not by hanparse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

import hanparse
from tests.fixture_files import data, entries

ROOT = Path(__file__).resolve().parent.parent


def _clear_single_hdlc() -> List[Tuple[str, bytes]]:
    """(id, frame) of every fixture that is one unsegmented clear HDLC frame holding a data-notification."""
    out = []
    for e in entries("hdlc"):
        checks = (e.get("checks") or {}).get("hdlc") or []
        if e.get("encrypted") or "hex" not in e or len(checks) != 1 or checks[0].get("fcs") != "ok":
            continue  # ciphered, several frames, or a negative vector (the source's checks say the FCS fails)
        frame = bytes.fromhex(e["hex"])
        if len(frame) < 12 or frame[0] != 0x7E or frame[-1] != 0x7E or frame[1] & 0x08:
            continue  # not a frame, or segmented (S bit)
        if ((frame[1] & 0x07) << 8 | frame[2]) + 2 != len(frame):
            continue  # several frames
        info = _information(frame)
        if info[:4] not in (b"\xe6\xe7\x00\x0f", b"\xe6\xe6\x00\x0f"):
            continue
        out.append((e["id"], frame))
    return out


def _information(frame: bytes) -> bytes:
    """The information field of one HDLC frame: after the addresses (LSB 1 ends each), control and HCS."""
    i = 3
    for _ in range(2):  # destination, source address
        while not frame[i] & 1:
            i += 1
        i += 1
    i += 1 + 2  # control, HCS
    return frame[i:-3]  # FCS and closing flag


def _body(frame: bytes) -> bytes:
    """The data-notification body: after LLC, tag 0F, the 4-byte invoke id and the date-time (0C + 12 or 00)."""
    apdu = _information(frame)[3:]
    assert apdu[0] == 0x0F
    i = 5
    if apdu[i] == 0x09:  # date-time sent as an octet-string: 09 0C + 12 bytes
        i += 2 + 12
    elif apdu[i] == 0x0C:
        i += 1 + 12
    else:
        assert apdu[i] == 0x00  # no date-time
        i += 1
    return apdu[i:]


FRAMES = _clear_single_hdlc()
IDS = [fid for fid, _ in FRAMES]


def test_there_are_frames_to_wrap():
    assert len(FRAMES) >= 5


def _same_content(got: hanparse.Message, want: hanparse.Message) -> None:
    assert got.readings == want.readings
    assert got.meter == want.meter
    assert got.timestamp == want.timestamp


def _wrappings(frame: bytes) -> List[Tuple[str, object]]:
    h = frame.hex()
    return [
        ("binary", frame),
        ("hex str", h),
        ("hex bytes", h.encode()),
        ("upper spaced hex", " ".join("%02X" % b for b in frame)),
        ("json data", json.dumps({"data": h})),
        ("json bytes with other keys", json.dumps({"id": "ams-1a2b", "rssi": -61, "data": h}).encode()),
        ("json Payload key, upper hex", '{"Payload": "%s"}\r\n' % h.upper()),
        ("labelled line", "Debug: " + h),
        ("labelled line with colons", "RX frame: " + ":".join("%02x" % b for b in frame)),
    ]


@pytest.mark.parametrize("fid,frame", FRAMES, ids=IDS)
def test_every_wrapping_decodes_like_the_frame(fid, frame):
    want = hanparse.parse_frame(frame)
    for label, payload in _wrappings(frame):
        got = hanparse.parse_frame(payload)  # type: ignore[arg-type]
        _same_content(got, want)
        assert got.format == "hdlc", label
        assert hanparse.parse_payload(payload) == [got], label  # type: ignore[arg-type]
        dec = hanparse.StreamDecoder()
        out = dec.feed(payload) + dec.flush()  # type: ignore[arg-type]
        assert out == [got], label
        assert dec.stats.rejected == 0, label


@pytest.mark.parametrize("fid,frame", FRAMES, ids=IDS)
def test_a_body_alone_decodes_like_the_whole_notification(fid, frame):
    want = hanparse.parse_frame(frame)
    body = _body(frame)
    assert body[0] in (0x01, 0x02)
    for payload in (body, body.hex(), " ".join("%02x" % b for b in body), json.dumps({"data": body.hex()})):
        got = hanparse.parse_frame(payload)
        assert got.format == "apdu"
        assert got.readings == want.readings
        assert got.meter == want.meter
        # the header's clock is not in a body; a clock inside the body still is
        assert got.timestamp in (want.timestamp, None)
        dec = hanparse.StreamDecoder()
        text = payload if isinstance(payload, str) else payload.hex()
        out = dec.feed(text + "\n") + dec.flush()
        assert [m.readings for m in out] == [want.readings]


def test_a_body_line_between_frames_of_a_stream():
    (_, a), (_, b) = FRAMES[0], FRAMES[1]
    want = [hanparse.parse_frame(a), hanparse.parse_frame(b), hanparse.parse_frame(a)]
    feed = a + b"\r\n" + _body(b).hex().encode() + b"\r\n" + a
    for step in (1, 7, len(feed)):
        dec = hanparse.StreamDecoder()
        out = []
        for i in range(0, len(feed), step):
            out += dec.feed(feed[i:i + step])
        out += dec.flush()
        assert [m.readings for m in out] == [w.readings for w in want]
        assert [m.format for m in out] == ["hdlc", "apdu", "hdlc"]


def test_a_body_with_bytes_after_it_is_a_decode_error():
    body = _body(FRAMES[0][1])
    with pytest.raises(hanparse.DecodeError, match="after the notification body"):
        hanparse.parse_frame(body + b"\x00\x00")


# ---------------------------------------------------------------- Tibber Pulse

#: built: a batch prefix beginning 08 dc d9 02 (the rest of a real prefix is not documented here)
TIBBER_PREFIX = bytes.fromhex("08dcd902") + bytes.fromhex("0001e0")


def _batch(frames: List[bytes]) -> bytes:
    return TIBBER_PREFIX + b"".join(frames)


def test_a_tibber_batch_gives_every_frame_in_order():
    frames = [f for _, f in FRAMES[:3]]
    want = [hanparse.parse_frame(f) for f in frames]
    batch = _batch(frames)
    for payload in (batch, batch.hex()):
        assert hanparse.parse_payload(payload) == want
        dec = hanparse.StreamDecoder()
        assert dec.feed(payload) + dec.flush() == want
        with pytest.raises(hanparse.FrameError, match="parse_payload"):
            hanparse.parse_frame(payload)
    # one frame in a batch is also one message for parse_frame
    assert hanparse.parse_frame(_batch(frames[:1])) == want[0]


def test_tibber_debug_lines_are_ignored_not_reported():
    frames = [f for _, f in FRAMES[:2]]
    want = [hanparse.parse_frame(f) for f in frames]
    debug = [b"Debug: Connected to broker\r\n", b"Debug: free heap 81234, uptime 3600 s\r\n",
             b"Warning: RSSI low\n"]
    # each publish on its own line (a binary batch ends where the next line starts)
    feed = debug[0] + _batch(frames[:1]) + b"\n" + debug[1] + _batch(frames[1:]) + b"\n" + debug[2]
    errors: List[hanparse.HanParseError] = []
    dec = hanparse.StreamDecoder(on_error=errors.append)
    assert dec.feed(feed) + dec.flush() == want
    assert errors == []
    assert dec.stats.text_lines == 3
    with pytest.raises(hanparse.FrameError, match="JSON"):
        hanparse.parse_frame(debug[0])


def test_a_p1_telegram_inside_json():
    entry = next(e for e in entries("p1_ascii") if e["id"] == "dsmr_parser:TELEGRAM_V5")
    text = data(entry).decode("latin-1")
    want = hanparse.parse_frame(text)
    payload = json.dumps({"telegram": text})
    assert "\n" not in payload  # one line: the line ends are escaped
    assert hanparse.parse_frame(payload) == want
    dec = hanparse.StreamDecoder()
    assert dec.feed(payload + "\n") + dec.flush() == [want]


def test_json_without_a_payload_is_text_not_an_error():
    errors: List[hanparse.HanParseError] = []
    dec = hanparse.StreamDecoder(on_error=errors.append)
    frame = FRAMES[0][1]
    out = dec.feed(b'{"status": "online", "data": 42}\n{"data": "not hex"}\n' + frame) + dec.flush()
    assert out == [hanparse.parse_frame(frame)]
    assert errors == [] and dec.stats.text_lines == 2


def test_a_text_line_is_bounded_like_a_hex_line():
    dec = hanparse.StreamDecoder(max_buffer_size=16384)
    for _ in range(50):
        dec.feed(b'{"data": "' + b"ab" * 400)
        assert dec.buffered <= 16384
    assert dec.feed(b'"}\n' + FRAMES[0][1]) + dec.flush() == [hanparse.parse_frame(FRAMES[0][1])]


# ---------------------------------------------------------------- command line


def _cli(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "hanparse", "decode", str(path), "--stats"], capture_output=True,
                          cwd=ROOT, env=env, timeout=60)


def test_hanparse_decode_reads_a_file_of_bridge_payloads(tmp_path):
    frames = [f for _, f in FRAMES[:3]]
    want = [hanparse.parse_frame(f) for f in frames]
    lines = [json.dumps({"data": frames[0].hex()}), "Debug: uptime 12 s", "RX: " + frames[1].hex(),
             _body(frames[2]).hex()]
    path = tmp_path / "mqtt.log"
    path.write_text("\n".join(lines) + "\n")
    r = _cli(path)
    assert r.returncode == 0, r.stderr
    got = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [g["readings"] for g in got] == [[rd.to_dict() for rd in w.readings] for w in want]
    stats = json.loads(r.stderr.decode().splitlines()[0])
    assert stats["messages"] == 3 and stats["text_lines"] == 1 and stats["rejected"] == 0


def test_a_body_is_only_read_from_a_bare_payload_not_from_a_frame():
    """Inside an HDLC frame, bytes starting 02 are a continuation segment, not a body: a segmented
    message whose first segment is lost (its opening flag damaged) gives no message from the rest.
    Found by tests/test_strategies.py::test_near_valid_input_is_rejected (hypothesis)."""
    data = (b'\xfe\xa85\x01\x01\x002\x1e\xe6\xe7\x00\x0f\x00\x00\x00\x00\x00\x01\x02\x02\x03\t\x06\x01\x00\x01'
            b'\x07\x00\xff\x05\x00\x00\x00\x00\x02\x02\x0f\x00\x16\x1b\x02\x03\t\x06\x01\x00\x01\x07\x01\xff\x0f'
            b'\x00\xac\xad~~\xa0\x0f\x01\x01\x00N\xd4\x02\x02\x0f\x00\x16\x1bG@~')
    with pytest.raises(hanparse.HanParseError):
        hanparse.parse_frame(data)
    # a notification whose body is one bare number is no meter data either (a stray continuation
    # segment 0F 00 02 02 0F | 00 | 16 1B read as a notification)
    stray = bytes.fromhex("7ea011010100adb90f0002020f00161bfe117e")
    with pytest.raises(hanparse.UnsupportedError, match="single int"):
        hanparse.parse_frame(stray)


def test_a_notification_without_readings_says_so():
    """dlms-cosem's example notification carries one opaque octet-string: a message, with a warning."""
    entry = next(e for e in entries("dlms_apdu") if e["id"] == "dlms:dlms_cosem_dn_plain")
    msg = hanparse.parse_frame(bytes.fromhex(entry["hex"]))
    assert msg.readings == ()
    assert msg.warnings == ("no readings: the notification body is one octet-string of 34 bytes without OBIS codes",)
