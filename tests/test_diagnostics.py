"""The stream's one-line hint when nothing decodes (``StreamStats.hint``, ``hanparse decode --stats``).

Each case feeds what a misconfigured reader really receives, made from
real fixtures: a ciphered frame without its key or with a wrong one, a
P1 telegram sent as 7E1 and read as 8 data bits (the parity bit lands in
bit 7), frames whose bytes were changed on the line, frames cut off, and
bytes with no frame in them.
"""

from __future__ import annotations

import bisect
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


# ------------------------------------------------------------------ a UART at the wrong speed


def uart_line(data: bytes, baud: int) -> list:
    """The line level over time of ``data`` sent 8N1 at ``baud``: [(start, end, level)], idle high between."""
    t, out = 0.0, []
    bit = 1.0 / baud
    for b in data:
        levels = [0] + [(b >> k) & 1 for k in range(8)] + [1]
        for level in levels:
            out.append((t, t + bit, level))
            t += bit
        out.append((t, t + bit, 1))  # a little idle time between characters
        t += bit
    return out


def uart_read(line: list, baud: int) -> bytes:
    """What a UART reading 8N1 at ``baud`` makes of ``line``: falling edge, then mid-bit samples."""
    starts = [start for start, _, _ in line]

    def level_at(t):
        i = bisect.bisect_right(starts, t) - 1
        return line[i][2] if 0 <= i and t < line[i][1] else 1

    bit = 1.0 / baud
    end_time = line[-1][1]
    step = bit / 16  # the receiver's oversampling clock
    out = bytearray()
    t = 0.0
    while t < end_time:
        if level_at(t) == 0:  # a start bit
            value = 0
            for k in range(8):
                value |= level_at(t + (k + 1.5) * bit) << k
            out.append(value)
            t += 9.5 * bit  # the stop bit's middle: look for the next start from there
        else:
            t += step
    return bytes(out)


def test_a_slow_line_read_fast():
    telegram = data(entry("dsmr_parser:TELEGRAM_V2_2"))[:120]
    read = uart_read(uart_line(telegram, 9600), 115200)  # DSMR 2.2 speed read as DSMR 5 speed
    assert len(read) > 100
    assert hint_of(read).startswith("the bytes are runs of 0 and 1 bits")
    # the same line read at its own speed gives the bytes back (the emulation is sound)
    assert uart_read(uart_line(telegram[:40], 9600), 9600) == telegram[:40]


def test_a_fast_line_read_slow():
    read = uart_read(uart_line(V5[:400], 115200), 9600)  # DSMR 5 speed read as DSMR 2.2 speed
    assert read
    assert "baud rate" in hint_of(read)


def test_errors_reported_before_any_message_carry_the_hint():
    """on_error sees the hint on every error while nothing has decoded, and none after."""
    errors: list = []
    dec = hanparse.StreamDecoder(on_error=errors.append)
    assert dec.feed(data(DANISH)) == []  # ciphered, no key
    assert [e.reason for e in errors] == ["missing_key"]
    assert errors[0].hint.startswith("missing key: 1 ciphered frame(s)")
    assert len(dec.feed(AIDON)) == 1
    dec.feed(data(DANISH))
    assert len(errors) == 2 and errors[1].hint is None
