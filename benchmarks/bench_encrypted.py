"""Encrypted vs plain, end to end: the Kamstrup Omnipower (DK) AES-GCM HDLC frame.

Run: ``python -m pytest benchmarks/bench_encrypted.py --benchmark-enable -p no:cacheprovider``.

The encrypted frame is the fixture ``dlms:dlms_parser_hdlc_kamstrup_omnipower``
(489-byte HDLC frame, general-glo-ciphering, SC 0x30, key and
authentication key from the esphome-libs/dlms_parser test dump).  The plain
frame carries the *same* data-notification (the fixture's ``plaintext_hex``)
in an HDLC frame built with :func:`hanparse.hdlc.build`, so the difference
is exactly decryption + tag check.  Issue 4's target: on the Cython path the
encrypted decode costs at most 2x the plain one (``role`` in ``extra_info``
lets benchmarks/run.py print the ratio).  Both implementations run in the
same process (tests/impl_switch.py swaps the twins).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hanparse
from hanparse import hdlc
from tests.impl_switch import available, use_implementation

FIXTURE = json.loads(
    (Path(__file__).resolve().parent.parent / "fixtures/hdlc/dlms__dlms_parser_hdlc_kamstrup_omnipower.json")
    .read_text(encoding="utf-8")
)
ENCRYPTED = bytes.fromhex(FIXTURE["hex"])
KEYS = hanparse.Keys(FIXTURE["key_hex"], FIXTURE["auth_key_hex"])
PLAIN = hdlc.build(bytes.fromhex(FIXTURE["plaintext_hex"]), dst=0x20, src=0x01)


@pytest.mark.parametrize("impl", available())
@pytest.mark.parametrize("role", ["encrypted", "plain"])
def test_kamstrup_dk(benchmark, monkeypatch, impl, role):
    use_implementation(impl, monkeypatch)
    frame, keys = (ENCRYPTED, KEYS) if role == "encrypted" else (PLAIN, None)
    benchmark.group = "encrypted vs plain: Kamstrup Omnipower DK"
    benchmark.extra_info["role"] = role
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["bytes"] = len(frame)
    msg = benchmark(hanparse.parse_frame, frame, keys)
    assert msg.encrypted is (role == "encrypted")
    assert len(msg.readings) >= 20
