"""``hanparse decode`` / ``explain`` run as ``python -m hanparse`` in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _stream_helpers import DANISH, NO_AIDON, NO_KAMSTRUP, reference

ROOT = Path(__file__).resolve().parent.parent
CAPTURE = ROOT / "fixtures" / "capture" / "mixed-decode.bin"
KEY = "00112233445566778899aabbccddeeff"
AUTH = "ffeeddccbbaa99887766554433221100"


def hanparse(*args, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "hanparse", *map(str, args)], input=stdin, capture_output=True,
                          cwd=ROOT, env=env, timeout=60)


def test_bundled_capture_is_what_the_script_makes():
    sys.path.insert(0, str(CAPTURE.parent))
    try:
        import make_mixed_decode
    finally:
        sys.path.pop(0)
    assert make_mixed_decode.build() == CAPTURE.read_bytes()


def test_decode_capture_json():
    r = hanparse("decode", CAPTURE, "--key", KEY, "--auth-key", AUTH, "--stats")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert [m["format"] for m in lines] == ["hdlc", "hdlc", "hdlc", "dsmr"]
    assert lines[0] == reference(NO_KAMSTRUP)
    assert lines[2] == reference(DANISH)
    assert lines[2]["security"]["authenticated"] is True
    stats = json.loads(r.stderr.decode().strip().splitlines()[-1])
    # the capture ends inside a frame, and holds one false HDLC start in its garbage
    assert stats["messages"] == 4
    assert stats["rejected_by_reason"] == {"frame": 1, "incomplete": 1}


def test_decode_csv_and_table():
    r = hanparse("decode", CAPTURE, "--key", KEY, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    assert list(rows[0]) == ["timestamp", "meter_id", "obis", "name", "value", "unit"]
    aidon = [x for x in rows if x["meter_id"] == "7359992890941742"]
    assert {"obis": "1-0:32.7.0.255", "value": "250.0", "unit": "V"}.items() <= next(
        x for x in aidon if x["name"] == "voltage_l1").items()
    t = hanparse("decode", CAPTURE, "--key", KEY, "--format", "table")
    assert t.returncode == 0 and b"voltage_l1" in t.stdout and b"(encrypted)" in t.stdout


def test_decode_stdin_hex_text():
    r = hanparse("decode", "-", stdin=NO_AIDON.hex().encode() + b"\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == reference(NO_AIDON)


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["decode", CAPTURE], 5, "could not be decrypted"),
        (["decode", CAPTURE, "--key", "ff" * 16, "--auth-key", "ff" * 16], 5, "could not be decrypted"),
        (["decode", CAPTURE, "--key", "12zz"], 2, "bad key"),
        (["decode", "/nonexistent/capture.bin"], 4, "cannot read"),
        (["decode"], 2, "exactly one input"),
        (["explain", "7e a0 zz"], 2, "neither a file nor hex"),
    ],
)
def test_errors_and_exit_codes(args, code, message):
    r = hanparse(*args)
    assert r.returncode == code
    err = r.stderr.decode()
    assert message in err
    assert err.startswith("hanparse: error: ")
    assert len(err.strip().splitlines()) == 1


def test_checksum_exit_code(tmp_path):
    bad = bytearray(NO_AIDON)
    bad[40] ^= 0x10
    f = tmp_path / "bad.bin"
    f.write_bytes(bytes(bad) + NO_KAMSTRUP)
    r = hanparse("decode", f)
    assert r.returncode == 3
    assert len(r.stdout.decode().splitlines()) == 1  # the good frame is still printed


def test_no_message_is_bad_input(tmp_path):
    f = tmp_path / "noise.bin"
    f.write_bytes(b"just some text\n")
    r = hanparse("decode", f)
    assert r.returncode == 2 and b"no message decoded" in r.stderr


def test_explain_hex_and_file(tmp_path):
    r = hanparse("explain", NO_AIDON.hex())
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "HCS" in out and "FCS" in out and "ok" in out and "\x1b[" not in out
    f = tmp_path / "frame.bin"
    f.write_bytes(DANISH)
    r = hanparse("explain", f, "--key", KEY, "--auth-key", AUTH)
    assert r.returncode == 0, r.stderr
    assert "authenticated (tag ok)" in r.stdout.decode()
    r = hanparse("explain", f, "--key", "ff" * 16, "--auth-key", "ff" * 16)
    assert r.returncode == 5 and "decryption failed" in r.stdout.decode()
    r = hanparse("explain", f, "--color", "always")
    assert "\x1b[" in r.stdout.decode()


def test_help_lists_exit_codes():
    r = hanparse("--help")
    assert r.returncode == 0
    text = r.stdout.decode()
    assert "exit codes" in text and "5 decryption" in text and "decode" in text and "explain" in text
