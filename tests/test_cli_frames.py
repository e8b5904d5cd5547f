"""``python -m hanparse frames``: output, hex input, exit codes (run as a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fixture_files import data, entry

ROOT = Path(__file__).resolve().parent.parent
CAPTURE = ROOT / "fixtures" / "capture" / "mixed-norway-dsmr.bin"


def hanparse(*args, stdin: bytes = b""):
    return subprocess.run(
        [sys.executable, "-m", "hanparse", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def test_lists_the_bundled_capture():
    r = hanparse("frames", str(CAPTURE))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    rows = [line.split() for line in lines[1:-1]]
    assert [row[2] for row in rows] == ["hdlc", "hdlc", "hdlc", "mbus", "dsmr"]
    assert [int(row[3]) for row in rows] == [302, 212, 41, 99, 890]
    assert [int(row[1]) for row in rows] == [4, 309, 520, 562, 663]
    assert all(row[4] == "ok" for row in rows)
    assert lines[-1].startswith("summary: 5 frames (dsmr 1, hdlc 3, mbus 1); 0 rejected;")
    assert " 1553 bytes in, 10 skipped" in lines[-1]


def test_hex_text_from_stdin(tmp_path):
    text = data(entry("kamstrup-no-list2-3phase")).hex()
    spaced = " ".join(text[k : k + 2] for k in range(0, len(text), 2)).encode() + b"\n"
    r = hanparse("frames", "-", stdin=spaced)
    assert r.returncode == 0, r.stderr
    assert "hdlc    302  ok (HCS ok, FCS ok)" in r.stdout.decode()


def test_checksum_errors_exit_3(tmp_path):
    f = tmp_path / "bad.bin"
    f.write_bytes(data(entry("embriq-lg-list1-edited")) + data(entry("aidon-no-list2-1phase")))
    r = hanparse("frames", str(f))
    assert r.returncode == 3
    out = r.stdout.decode()
    assert "BAD FCS" in out and "computed 0xFA8B, frame has 0x27AE" in out
    assert "1 rejected (checksum 1)" in out


@pytest.mark.parametrize(
    "args, content, code, message",
    [
        (["frames", "{missing}"], None, 4, "cannot read"),
        (["frames", "{file}"], b"abc", 2, "odd number of digits"),
        (["frames", "{file}"], b"no frames in here\n", 2, "no frame found"),
        (["frames"], None, 2, "usage"),
        (["nonsense"], None, 2, "invalid choice"),
    ],
)
def test_errors_and_exit_codes(tmp_path, args, content, code, message):
    f = tmp_path / "input"
    if content is not None:
        f.write_bytes(content)
    args = [a.format(file=f, missing=tmp_path / "missing.bin") for a in args]
    r = hanparse(*args)
    assert r.returncode == code
    err = r.stderr.decode()
    assert message in err
    if code != 2 or "usage" not in message:
        assert len(err.strip().splitlines()) == 1 or "usage" in err


def test_main_is_importable_and_returns_codes(capsys):
    from hanparse.__main__ import main

    assert main(["frames", str(CAPTURE), "-q"]) == 0
    assert capsys.readouterr().out.startswith("summary: 5 frames")
    assert main(["--version"]) == 0


def test_each_frame_shows_what_the_pipeline_made_of_it():
    # the mixed capture: Kamstrup and Aidon (NO), a Danish Kamstrup frame encrypted with its
    # published key, a DSMR 5 telegram, noise and a cut frame
    capture = ROOT / "fixtures" / "capture" / "mixed-decode.bin"
    key = "00112233445566778899aabbccddeeff"
    blob = capture.read_bytes()
    import hanparse as hp

    def decoded_column(args):
        r = hanparse("frames", str(capture), *args)
        rows = [line for line in r.stdout.decode().splitlines() if "=>" in line]
        return [(int(line.split()[1]), int(line.split()[3]), line.split("=> ", 1)[1]) for line in rows]

    with_key = decoded_column(["--key", key])
    assert len(with_key) == 4
    for offset, length, shown in with_key:
        # the same bytes through parse_frame: the frames command reports the same pipeline's answer
        msg = hp.parse_frame(blob[offset:offset + length], hp.Keys(key))
        assert shown == "message, %d readings" % len(msg.readings)
    without = decoded_column([])
    # without the key, only the Danish frame (the third) changes: it is rejected for decryption
    assert without[2][2].startswith("DecryptionError") and "key" in without[2][2]
    assert [row for k, row in enumerate(without) if k != 2] == [row for k, row in enumerate(with_key) if k != 2]
