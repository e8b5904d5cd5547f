"""StreamDecoder on a long mixed capture: MB/s and messages/s, Cython vs pure Python.

Run: ``python -m pytest benchmarks/bench_stream.py --benchmark-enable -p no:cacheprovider``.

The capture (~256 KB, built once at import from fixtures/) repeats a block
of what a busy shared serial log holds: Kamstrup, Aidon and Kaifa HDLC
frames (fixtures hdlc/kamstrup-no-list2-3phase, hdlc/aidon-se-efs-3phase,
hdlc/amshan__hdlc__kaifa_list1_with_7e_in_info), the encrypted Kamstrup
Omnipower frame (decrypted with its keys), two M-Bus segments
(mbus/dlms__tinetz_example_2seg, encrypted), DSMR 5 and Fluvius telegrams
(p1_ascii/dsmr_parser__TELEGRAM_V5, ...FLUVIUS_V171), with line noise, CR LF and
doubled flags between them.  It is fed in 4 KiB chunks, as a serial
reader delivers it.  Both implementations run in the same process
(tests/impl_switch.py swaps the twins).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hanparse
from hanparse._stream import StreamDecoder
from tests.impl_switch import available, use_implementation

FIX = Path(__file__).resolve().parent.parent / "fixtures"


def _entry(rel: str) -> dict:
    return json.loads((FIX / rel).read_text(encoding="utf-8"))


def _bytes(e: dict) -> bytes:
    return bytes.fromhex(e["hex"]) if e.get("hex") else e["text"].encode("latin-1")


OMNIPOWER = _entry("hdlc/dlms__dlms_parser_hdlc_kamstrup_omnipower.json")
TINETZ = _entry("mbus/dlms__tinetz_example_2seg.json")
KEYS = {
    bytes.fromhex("4b414d4501349083"): hanparse.Keys(OMNIPOWER["key_hex"], OMNIPOWER["auth_key_hex"]),
}
PARTS = [
    _bytes(_entry("hdlc/kamstrup-no-list2-3phase.json")),
    b"\r\n",
    _bytes(_entry("hdlc/aidon-se-efs-3phase.json")),
    b"\x7e",  # a doubled flag
    _bytes(_entry("hdlc/amshan__hdlc__kaifa_list1_with_7e_in_info.json")),
    b"\x00\x13\x8a noise",
    _bytes(OMNIPOWER),
    _bytes(TINETZ),
    b"\r\n",
    _bytes(_entry("p1_ascii/dsmr_parser__TELEGRAM_V5.json")),
    _bytes(_entry("p1_ascii/dsmr_parser__TELEGRAM_FLUVIUS_V171.json")),
]
BLOCK = b"".join(PARTS)
REPEAT = 256_000 // len(BLOCK)
CAPTURE = BLOCK * REPEAT
CHUNK = 4096


def _keys():
    # the TINETZ frame needs its own key, under its system title (read from the frame)
    from hanparse import mbus

    frames = []
    i = 0
    raw = _bytes(TINETZ)
    while i < len(raw):
        used, f = mbus.decode(raw, i)
        frames.append(f)
        i += used
    apdu = mbus.reassemble(frames)
    title = apdu[2:10]
    keys = dict(KEYS)
    keys[title] = hanparse.Keys(TINETZ["key_hex"], TINETZ.get("auth_key_hex") or None)
    return keys


def _decode_capture(keys) -> int:
    dec = StreamDecoder(keys=keys)
    n = 0
    for k in range(0, len(CAPTURE), CHUNK):
        n += len(dec.feed(CAPTURE[k : k + CHUNK]))
    return n + len(dec.flush())


@pytest.mark.parametrize("impl", available())
def test_stream_mixed_capture(benchmark, monkeypatch, impl):
    use_implementation(impl, monkeypatch)
    keys = _keys()
    expected = _decode_capture(keys)
    benchmark.group = "StreamDecoder: mixed capture %d KB" % (len(CAPTURE) // 1000)
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["bytes"] = len(CAPTURE)
    benchmark.extra_info["messages"] = expected
    n = benchmark.pedantic(_decode_capture, args=(keys,), rounds=3 if impl == "python" else 8, iterations=1)
    assert n == expected == 7 * REPEAT, (n, expected)  # 7 messages per block
