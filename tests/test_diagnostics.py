"""The stream's one-line hint when nothing decodes (``StreamStats.hint``, ``hanparse decode --stats``).

Each case feeds what a misconfigured reader really receives, made from
real fixtures: a ciphered frame without its key or with a wrong one, a
P1 telegram sent as 7E1 and read as 8 data bits (the parity bit lands in
bit 7), frames whose bytes were changed on the line, frames cut off, and
bytes with no frame in them.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

import hanparse
from fixture_files import data, entry

ROOT = Path(__file__).resolve().parent.parent
DANISH = entry("dlms:dlms_parser_hdlc_kamstrup_omnipower")
V5 = data(entry("dsmr_parser:TELEGRAM_V5"))
AIDON = data(entry("aidon-no-list2-1phase"))


def hint_of(blob: bytes, keys=None) -> str:
    dec = hanparse.StreamDecoder(keys)
    assert dec.feed(blob) + dec.flush() == []
    return dec.stats.hint


def with_even_parity(text: bytes) -> bytes:
    """Each 7-bit character with its even parity bit in bit 7, as a 7E1 line reads on an 8N1 port."""
    return bytes(b | (0x80 if bin(b).count("1") % 2 else 0) for b in text)


def test_no_hint_once_a_message_decoded():
    dec = hanparse.StreamDecoder()
    assert dec.feed(AIDON + b"noise")
    assert dec.stats.hint is None


def test_missing_and_wrong_key():
    frame = data(DANISH)
    assert hint_of(frame).startswith("missing key: 1 ciphered frame")
    wrong = hanparse.Keys(bytes(16), bytes(range(16)))
    assert hint_of(frame, wrong).startswith("wrong key: 1 ciphered frame(s) fail their authentication tag")


def test_p1_with_a_parity_bit():
    assert hint_of(with_even_parity(V5 * 2)).startswith("the bytes carry a parity bit in bit 7")
    # the same telegrams read correctly decode
    dec = hanparse.StreamDecoder()
    assert len(dec.feed(V5 * 2) + dec.flush()) == 2


def test_every_checksum_fails():
    damaged = bytearray(AIDON)
    damaged[40] ^= 0x01  # a changed byte inside the information field: the FCS catches it
    assert hint_of(bytes(damaged) * 3).startswith("every frame fails its checksum (3)")


def test_frames_that_never_complete():
    assert hint_of(AIDON[:60]).startswith("frames start but never complete")


def test_noise_and_silence():
    rng = random.Random(7)
    noise = bytes(rng.choice(b"\x00\x11\x22\x33\x44\x55\x99\xaa\xbb\xcc\xf0") for _ in range(500))
    assert hint_of(noise) == ("no frame in 500 bytes: noise only; check the baud rate and, for P1, that the "
                              "data line is inverted")
    assert hint_of(b"").startswith("no bytes arrived")


@pytest.mark.parametrize("blob, want", [
    (b"", "no bytes arrived"),
    (None, "the bytes carry a parity bit in bit 7"),
])
def test_cli_prints_the_hint(tmp_path, blob, want):
    path = tmp_path / "capture.bin"
    path.write_bytes(with_even_parity(V5 * 2) if blob is None else blob)
    r = subprocess.run([sys.executable, "-m", "hanparse", "decode", str(path), "--stats"], cwd=ROOT,
                       capture_output=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.decode().splitlines()
    assert [line for line in lines if line.startswith("hint: " + want)], lines
