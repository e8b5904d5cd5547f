"""DSMR/P1 telegram framing: every bundled telegram, CRC handling, stream rules."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanparse.crc import crc16_arc
from hanparse.dsmr import framing as dsmr
from hanparse.errors import ChecksumError, FrameError
from hanparse.framing import FrameScanner
from fixture_files import data, entries, entry

HYP = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

V5 = data(entry("dsmr_parser:TELEGRAM_V5"))
V22 = data(entry("dsmr_parser:TELEGRAM_V2_2"))


def _p1_entries():
    return [
        pytest.param(e, id=e["id"])
        for e in entries("p1_ascii")
        if (e.get("checks") or {}).get("p1_crc") is not None
    ]


@pytest.mark.parametrize("e", _p1_entries())
def test_fixture_telegrams_match_recorded_crc(use_core, e):
    rec = e["checks"]["p1_crc"]
    text = data(e)
    start = text.index(b"/")
    if rec["computed"] is None:  # the '!' line was removed: never complete
        assert dsmr.decode(text, start) == (0, None)
        assert dsmr.decode(text, start, final=True) == (0, None)
        return
    if rec["ok"] is False:
        with pytest.raises(ChecksumError) as info:
            dsmr.decode(text, start, final=True)
        exc = info.value
        assert exc.field == "crc"
        assert exc.expected == int(rec["computed"], 16)
        assert exc.actual == int(rec["in_telegram"], 16)
        assert exc.skip > text.index(b"!", start) - start
        return
    consumed, frame = dsmr.decode(text, start, final=True)
    assert frame is not None and frame.raw == text[start : start + consumed]
    assert frame.raw[frame.body_end : frame.body_end + 1] == b"!"
    assert crc16_arc(frame.raw, 0, frame.body_end + 1) == int(rec["computed"], 16)
    if rec["in_telegram"] is None:
        assert frame.crc is None and frame.crc_ok is None
    else:
        assert frame.crc == int(rec["in_telegram"], 16) and frame.crc_ok is True
    assert frame.identification.startswith("/") and "\n" not in frame.identification
    assert frame.raw[frame.ident_end : frame.body_start].strip(b"\r") == b"\n"


def test_identification_and_body_offsets(use_core):
    _, f = dsmr.decode(V5)
    assert f.identification == "/ISk5\\2MT382-1000"
    assert f.body.startswith(b"\r\n1-3:0.2.8(50)\r\n")
    assert f.raw.endswith(b"!6EEE\r\n") and f.crc == 0x6EEE


def test_line_end_variants(use_core):
    lf_only = V5.replace(b"\r\n", b"\n")
    body = lf_only[: lf_only.index(b"!") + 1]
    lf_only = body + b"%04x\n" % crc16_arc(body)  # lower-case hex, LF only
    consumed, f = dsmr.decode(lf_only)
    assert consumed == len(lf_only) and f.crc_ok
    # NUL after CR (ESP32 gateways)
    nul = V5[:-2] + b"\r\x00\n"
    assert dsmr.decode(nul)[1].crc == 0x6EEE
    # unpadded 3-digit CRC
    unpadded = data(entry("dsmr_parser:TELEGRAM_UNPADDED_CRC"))
    assert dsmr.decode(unpadded)[1].crc == 0x0B9F


def test_end_line_needs_its_lf(use_core):
    assert dsmr.decode(V5[:-1]) == (0, None)  # "!6EEE\r": wait for LF
    assert dsmr.decode(V5[:-2]) == (0, None)
    consumed, f = dsmr.decode(V5[:-2], final=True)  # end of stream: accept
    assert consumed == len(V5) - 2 and f.crc == 0x6EEE


def test_unclosed_then_new_telegram_is_not_spliced(use_core):
    # dsmr_parser stream case: a telegram missing its final LF, then a new one
    e = entry("dsmr_parser:stream-buffer-v42_telegram_preceded_with_unclosed_telegram")
    text = data(e)
    with pytest.raises(FrameError, match="after '!'") as info:
        dsmr.decode(text)
    second = info.value.skip
    assert text[second : second + 1] == b"/"
    consumed, f = dsmr.decode(text, second)
    assert f.raw == data(entry("dsmr_parser:TELEGRAM_V4_2"))


def test_new_telegram_at_line_start_interrupts(use_core):
    cut = V5[:400]  # telegram cut in the middle of a line
    joined = cut + b"\r\n" + V22
    with pytest.raises(FrameError, match="interrupted") as info:
        dsmr.decode(joined)
    assert joined[info.value.skip :] == V22


def test_slash_inside_a_value_is_text(use_core):
    body = b"/XYZ5 test\r\n\r\n0-0:96.13.0(a/b)\r\n0-0:96.13.1( /KFM5)\r\n"
    telegram = dsmr.build(body)
    consumed, f = dsmr.decode(telegram)
    assert consumed == len(telegram) and f.crc_ok
    scanner = FrameScanner()
    assert scanner.feed(telegram) == [f] and scanner.stats.rejected == {}


def test_no_crc_telegrams(use_core):
    consumed, f = dsmr.decode(V22)
    assert consumed == len(V22) and f.crc is None and f.crc_ok is None


def test_iec_data_block_end_after_value(use_core):
    # Aidon EFS2 ASCII: '!' directly after the last value, no CRC
    text = data(entry("aidon-se-efs2-6511"))
    consumed, f = dsmr.decode(text)
    assert f.raw.endswith(b"(123.1*A)!\r\n") and f.crc is None


@pytest.mark.parametrize(
    "telegram, message",
    [
        (b"/X1Z5\r\n", "3 letters"),
        (b"/XYZ\r\n!\r\n", "too short"),
        (b"/XYZ5\x01\r\n", "not printable"),
        (b"/XYZ5\r\n1-0:1.8.0(1\xff)\r\n!\r\n", "not P1 text"),
        (b"/XYZ5\r\n!12345\r\n", "more than 4"),
        (b"/XYZ5\r\n!12X\r\n", "after '!'"),
        (b"/XYZ5\rX", "CR followed by"),
        (b"#XYZ5\r\n", "must start with '/'"),
    ],
)
def test_structure_errors(use_core, telegram, message):
    with pytest.raises(FrameError, match=message) as info:
        dsmr.decode(telegram)
    assert info.value.skip >= 1


def test_identification_line_too_long(use_core):
    with pytest.raises(FrameError, match="longer than 256"):
        dsmr.decode(b"/XYZ5" + b"a" * 300)


def test_telegram_size_bound(use_core):
    big = b"/XYZ5\r\n" + b"1-0:1.8.0(000001.000*kWh)\r\n" * 100
    assert dsmr.decode(big, max_size=4096) == (0, None)
    with pytest.raises(FrameError, match="longer than 2048"):
        dsmr.decode(big + b"!\r\n", max_size=2048)


@pytest.mark.parametrize("name", ["dsmr_parser:TELEGRAM_V5", "dsmr_parser:TELEGRAM_V2_2", "eso-lt-maximum"])
def test_fed_three_ways(use_core, name):
    raw = data(entry(name))
    whole = dsmr.decode(raw)
    assert whole[1] is not None
    for n in range(len(raw)):
        assert dsmr.decode(raw[:n]) == (0, None)
    assert dsmr.decode(raw + b"garbage\xff\x00/XYZ") == whole


# ----------------------------------------------------- dsmr_parser streams


def _stream_cases():
    return [
        pytest.param(e, id=e["id"])
        for e in entries("stream")
        if e["id"].startswith("dsmr_parser:stream-buffer")
    ]


@pytest.mark.parametrize("e", _stream_cases())
@pytest.mark.parametrize("how", ["whole", "bytes", "lines"])
def test_dsmr_parser_stream_buffer_cases(use_core, e, how):
    text = data(e)
    scanner = FrameScanner(formats=("dsmr",))
    if how == "whole":
        chunks = [text]
    elif how == "bytes":
        chunks = [text[k : k + 1] for k in range(len(text))]
    else:
        chunks = text.splitlines(keepends=True)
    frames = []
    for chunk in chunks:
        frames += scanner.feed(chunk)
    expected = [data(entry(t)) for t in e["expected"]["telegrams"]]
    assert [f.raw for f in frames] == expected
    remaining = e["expected"]["remaining"].encode("latin-1")
    if remaining.startswith(b"/"):  # a telegram still waiting for its end
        assert bytes(scanner._buf[scanner._pos :]) == remaining


def test_rfxtrx_packets_are_not_spliced_into_a_telegram(use_core):
    # The RFXtrx stream wraps every line in a packet header; unwrapping it is
    # the transport's job.  The raw framer must not glue headers into a telegram.
    e = entry("dsmr_parser:stream-rfxtrx-packets-V2_2")
    scanner = FrameScanner()
    frames = scanner.feed(data(e)) + scanner.flush()
    assert frames == []


# ------------------------------------------------------------ round trips

lines = st.lists(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters="!/"), max_size=60),
    max_size=30,
)


@HYP
@given(ident=st.from_regex(r"\A[A-Za-z]{3}[0-9A-Za-z\\ .-]{1,40}\Z"), body=lines, crc=st.booleans(),
       newline=st.sampled_from(["\r\n", "\n"]))  # fmt: skip
def test_round_trip(use_core, ident, body, crc, newline):
    text = "/" + ident + "\n\n" + "\n".join(body)
    telegram = dsmr.build(text, crc=crc, newline=newline)
    consumed, f = dsmr.decode(telegram)
    assert consumed == len(telegram) and f.raw == telegram
    assert f.identification == "/" + ident
    assert (f.crc is not None) == crc
    if crc:
        assert f.crc == crc16_arc(telegram, 0, f.body_end + 1)


def test_build_requires_slash():
    with pytest.raises(FrameError):
        dsmr.build("XYZ5\r\n")
