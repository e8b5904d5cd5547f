"""hanparse.explain: layer-by-layer annotation of one frame."""

from __future__ import annotations

from _stream_helpers import DANISH, DANISH_KEYS, DSMR5, MBUS, NO_AIDON
from fixture_files import data, entry
from hanparse.explain import explain, render


def texts(lines):
    return [line.text for line in lines]


def test_hdlc_plain_frame_layers():
    lines = explain(NO_AIDON)
    t = texts(lines)
    assert t[1] == "opening flag" and lines[1].offset == 0
    assert lines[2].raw == NO_AIDON[1:3] and "length %d" % (len(NO_AIDON) - 2) in t[2]
    assert any(x.startswith("HCS") and x.endswith("ok") for x in t)
    assert any(x.startswith("FCS") and x.endswith("ok") for x in t)
    assert "LLC server -> client" in t
    assert "APDU data-notification (0x0F)" in t
    # Aidon list 2 carries {OBIS, value, {scaler, unit}}: voltage 2500 with scaler -1 -> 250.0 V
    # (Aidon HAN Interface Description v1.1A example)
    assert any("=> 1-0:32.7.0 = 250.0 V" in x for x in t)
    assert all(line.status != "bad" for line in lines)


def test_bad_checksums_are_flagged():
    bad = bytearray(NO_AIDON)
    bad[30] ^= 0x01
    lines = explain(bytes(bad))
    flagged = [x.text.split()[0] for x in lines if x.status == "bad"]
    assert "FCS" in flagged and "HCS" not in flagged
    bad[5] ^= 0x01
    assert "HCS" in [x.text.split()[0] for x in explain(bytes(bad)) if x.status == "bad"]


def test_ciphered_frame_with_and_without_key():
    t = texts(explain(DANISH, DANISH_KEYS))
    assert "general-glo-ciphering (0xDB)" in t
    assert any(x.startswith("system title 4B414D4501349083") for x in t)
    assert "security control 0x30: authenticated encrypted, suite 0" in t
    # invocation counter 01 0F 60 A4 as stated by the fixture's checks
    assert "invocation counter %d" % 0x010F60A4 in t
    assert "decryption ok: authenticated (tag ok)" in t
    assert any(x.startswith("plaintext (") for x in t)
    lines = explain(DANISH)
    assert any(x.status == "bad" and x.text.startswith("decryption failed") for x in lines)


def test_mbus_and_dsmr():
    t = texts(explain(MBUS))
    assert any(x.startswith("start 68, L=") for x in t)
    assert any(x.startswith("checksum") and x.endswith("ok") for x in t)
    assert any("sequence 0" in x for x in t)
    t = texts(explain(DSMR5))
    assert t[1].startswith("identification")
    assert any(x.startswith("end, CRC") and x.endswith("ok") for x in t)
    e = entry("dsmr_parser:V5-crc-invalid")
    assert any(x.status == "bad" for x in explain(data(e)))


def test_text_inputs_and_truncation_never_raise():
    assert explain(NO_AIDON.hex())[1].text == "opening flag"
    for cut in range(0, len(NO_AIDON), 7):
        explain(NO_AIDON[:cut])
    for cut in range(0, len(DANISH), 23):
        explain(DANISH[:cut], DANISH_KEYS)


def test_render_plain_and_colour():
    lines = explain(NO_AIDON)
    plain = render(lines)
    assert plain.splitlines()[1].split()[:2] == ["0", "7E"]
    assert "\x1b[" not in plain
    assert "\x1b[32m" in render(lines, color=True)
