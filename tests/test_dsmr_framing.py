"""DSMR/P1 telegram framing: every bundled telegram, CRC handling, stream rules."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_files import data, entries, entry
from hanparse._wire.scanner import FrameScanner
from hanparse.crc import crc16_arc
from hanparse.dsmr import framing as dsmr
from hanparse.errors import ChecksumError, FrameError
from helpers import crc16_arc as _crc16_arc

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
        assert exc.skip == 1  # hunting resumes right after the '/'
        assert exc.offset == text.index(b"!", start) + 1
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
    # dsmr_parser stream case: a telegram missing its final LF ("!6796\r"), then a
    # new one.  The CRC verifies: the first telegram ends before the '/', both decode.
    e = entry("dsmr_parser:stream-buffer-v42_telegram_preceded_with_unclosed_telegram")
    text = data(e)
    v42 = data(entry("dsmr_parser:TELEGRAM_V4_2"))
    consumed, f = dsmr.decode(text)
    assert f.raw == v42[:-1] and f.crc == 0x6796  # up to and with the CR
    assert text[consumed : consumed + 1] == b"/"
    assert dsmr.decode(text, consumed)[1].raw == v42


def test_cut_telegram_without_crc_holding_a_new_one_is_rejected(use_core):
    cut = V22[:300]  # telegram cut in the middle of a line
    joined = cut + b"\r\n" + V22
    with pytest.raises(FrameError, match="without CRC holds '/' \\+ 3 letters") as info:
        dsmr.decode(joined)
    assert info.value.skip == 1 and info.value.offset == len(cut) + 2
    assert FrameScanner(formats=("dsmr",)).feed(joined) == [dsmr.decode(V22)[1]]


def test_cut_telegram_with_crc_is_caught_by_its_crc(use_core):
    joined = V5[:400] + b"\r\n" + V5
    with pytest.raises(ChecksumError) as info:
        dsmr.decode(joined)
    assert info.value.skip == 1 and info.value.offset == joined.rindex(b"!") + 1


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
        (b"/XYZ5\x01\r\n\r\n!\r\n", "not printable, and no 4-digit CRC"),
        (b"/XYZ5\x99\r\n\r\n!\r\n", "not printable, and no 4-digit CRC"),
        (b"/XYZ5\r\n1-0:1.8.0(1\xff)\r\n!\r\n", "not P1 text"),
        (b"/XYZ5\r\n!12X\r\n", "after '!'"),
        (b"/XYZ5\r\n!1\r\n", "CRC mismatch"),
        (b"/XYZ5\r\n\r\n/ABC5\r\n!\r\n", "'/' \\+ 3 letters"),
        (b"/XYZ5\rX", "CR followed by"),
        (b"#XYZ5\r\n", "must start with '/'"),
    ],
)
def test_structure_errors(use_core, telegram, message):
    with pytest.raises(FrameError, match=message) as info:
        dsmr.decode(telegram)
    assert info.value.skip == 1  # every DSMR rejection: hunting resumes after the '/'
    assert 0 < info.value.offset < len(telegram) or telegram[0] != 0x2F


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
    if e["id"].endswith("preceded_with_unclosed_telegram"):
        # dsmr_parser drops the first telegram ("!6796" CR, then '/'); its CRC verifies,
        # so here it is kept and ends before the '/' (what follows !CRC is not its problem)
        expected = [text[: text.index(b"!6796\r") + 6]] + expected
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


# ------------------------------------------- hunting and end-line rules (both cores)


def _telegram(ident: bytes, lines=(b"1-0:1.8.1(000123.456*kWh)", b"0-0:96.13.0()"), crc=True, end=b"\r\n"):
    text = ident + b"\r\n\r\n" + b"".join(line + b"\r\n" for line in lines) + b"!"
    return text + (b"%04X" % _crc16_arc(text) if crc else b"") + end


def _frames(stream: bytes, chunk: int = 0):
    """Raw telegrams a DSMR-only scanner finds in ``stream`` (fed whole or ``chunk`` bytes at a time), flushed."""
    scanner = FrameScanner(formats=("dsmr",))
    step = chunk or max(1, len(stream))
    frames = []
    for k in range(0, len(stream), step):
        frames += scanner.feed(stream[k : k + step])
    return [f.raw for f in frames + scanner.flush()]


def _hunt(core, buf: bytes):
    """find_candidate + dsmr_parse in a loop, as a stream reader does (whole buffer, final)."""
    out, pos = [], 0
    while True:
        i = core.find_candidate(buf, pos, -1, core.KIND_DSMR)
        if i >= len(buf):
            return out
        if i < 0:
            i = -i - 1
            pos = i + 1
            continue
        try:
            r = core.dsmr_parse(buf, i, i, 65536, True)
        except FrameError as exc:
            assert exc.skip == 1
            pos = i + 1
            continue
        if r.__class__ is int:
            pos = i + 1
            continue
        out.append(buf[i : i + r[0]])
        pos = i + r[0]


def test_independent_crc_matches_build():
    assert _telegram(b"/ABC5 x") == dsmr.build(b"/ABC5 x\r\n\r\n1-0:1.8.1(000123.456*kWh)\r\n0-0:96.13.0()")
    assert _crc16_arc(V5[: V5.index(b"!") + 1]) == 0x6EEE


def test_candidate_after_noise_on_the_same_line(use_core):
    noisy = b"\x12\x99abc" + V5
    assert use_core.find_candidate(noisy, 0, 0, use_core.KIND_DSMR) == 5
    assert use_core.find_candidate(noisy, 0, -1, use_core.KIND_DSMR) == 5  # anchor is not used
    assert use_core.find_candidate(b"xx/a", 0, 0, use_core.KIND_DSMR) == 2  # '/' + letter anywhere
    assert use_core.find_candidate(b"xx/1/", 0, 0, use_core.KIND_DSMR) == -5  # needs the next byte
    assert use_core.find_candidate(b"a/b/(", 2, 0, use_core.KIND_DSMR) == 5
    assert _frames(noisy) == [V5]
    assert _frames(b"1-0:1.8.1(0001.2*kWh)" + V22 + b"garbage" + V5) == [V22, V5]
    assert _hunt(use_core, noisy) == [V5]


@pytest.mark.parametrize("prefix", [b"/", b"!", b"/xx", b"/ABC5", b"/ABC5\r\n", b"!\r\n", b"/ABC5\r\n\r\n!12",
                                    b"/a", b"//", b"/AB\x99", b"/ABC\x00\x99\r\n"])
@pytest.mark.parametrize("telegram", [V5, _telegram(b"/KFM5KAIFA-METER")])
def test_fragments_right_before_a_telegram(use_core, prefix, telegram):
    stream = prefix + telegram
    assert _frames(stream) == [telegram]
    assert _hunt(use_core, stream) == [telegram]


@pytest.mark.parametrize("prefix", [b"/", b"!", b"/xx", b"!\r\n", b"/ABC5\r\n\r\n!12"])
def test_fragments_right_before_a_telegram_without_crc(use_core, prefix):
    assert _frames(prefix + V22) == [V22]


@pytest.mark.parametrize("cut", [1, 5, 30, 300, 500, 850])
def test_cut_telegram_then_the_whole_one(use_core, cut):
    assert _frames(V5[:cut] + V5) == [V5]
    assert _hunt(use_core, V5[:cut] + V5) == [V5]
    v42 = _telegram(b"/KFM5KAIFA-METER")
    assert _frames(v42[: cut % len(v42)] + v42) == [v42]


def test_cut_telegram_without_crc_then_the_whole_one_at_a_line_start(use_core):
    for cut in (30, 300, 400):
        assert _frames(V22[:cut] + b"\r\n" + V22) == [V22]
        assert _frames(V22[:cut] + b"\n\x00" + V22) == [V22]


def test_non_printable_identification_byte_the_crc_decides(use_core):
    good = _telegram(b"/ISk5\x99MT382-1000")
    consumed, f = dsmr.decode(good)
    assert consumed == len(good) and f.crc_ok and f.identification == "/ISk5\x99MT382-1000"
    assert _frames(b"\xff" + good) == [good]
    bare = _telegram(b"/ISk5\x99MT382-1000", crc=False)
    with pytest.raises(FrameError, match="not printable") as info:
        dsmr.decode(bare)
    assert info.value.skip == 1 and info.value.offset == 5
    assert _frames(bare) == []
    # a short (1-3 digit) CRC does not vouch for it
    text = next(t for t in (_telegram(b"/ISk5\x99MT382", [b"0-0:96.1.1(%d)" % n], crc=False)[:-2]
                            for n in range(1000)) if _crc16_arc(t) < 0x1000)
    short = text + b"%X\r\n" % _crc16_arc(text)
    with pytest.raises(FrameError, match="no 4-digit CRC"):
        dsmr.decode(short)
    consumed, f = dsmr.decode(text + b"%04X\r\n" % _crc16_arc(text))  # the same CRC with 4 digits does
    assert f.crc == _crc16_arc(text) and f.crc_ok
    # a wrong CRC is a checksum error as always
    wrong = good.replace(b"MT382", b"MT383")
    with pytest.raises(ChecksumError) as info:
        dsmr.decode(wrong)
    assert info.value.skip == 1


@pytest.mark.parametrize("after", [b"XYZ", b"/ISk5", b"\x7e\xa0", b"\r\rX", b"\r\x00\r\x00\rX", b"5", b"!"])
def test_trailing_bytes_after_the_crc_end_the_telegram(use_core, after):
    body = V5[:-2]  # "...!6EEE"
    consumed, f = dsmr.decode(body + after)
    eol = len(after) - len(after.lstrip(b"\r\x00"))
    assert consumed == len(body) + min(eol, 4) and f.crc == 0x6EEE
    assert f.raw == (body + after)[:consumed]
    assert _frames(body + after + V5) == [f.raw, V5]


def test_end_line_tail_is_bounded(use_core):
    body = V5[:-2]
    consumed, f = dsmr.decode(body + b"\r" * 6 + b"\n")
    assert consumed == len(body) + 4  # four CR/NUL bytes are the line end; the rest is after the telegram
    assert dsmr.decode(body + b"\r\x00\r\x00\n")[0] == len(body) + 5


def test_no_crc_end_must_end_its_line(use_core):
    # without a CRC nothing vouches for the telegram: '!' must end the line (or meet the next '/'),
    # so a damaged line that turned into '!' + text is not taken for the end
    text = V22[:-2]  # "...!"
    with pytest.raises(FrameError, match="neither a CRC digit") as info:
        dsmr.decode(text + b"XYZ")
    assert info.value.skip == 1 and info.value.offset == len(text)
    assert _frames(text + V22) == [text, V22]
    consumed, f = dsmr.decode(text, final=True)
    assert consumed == len(text) and f.crc is None


def test_short_crc_must_end_its_line(use_core):
    unpadded = data(entry("dsmr_parser:TELEGRAM_UNPADDED_CRC"))
    bang = unpadded.index(b"!")
    assert unpadded[bang + 1 : bang + 4] == b"B9F"
    with pytest.raises(FrameError, match="after '!'") as info:
        dsmr.decode(unpadded[: bang + 4] + b"X\r\n")
    assert info.value.skip == 1 and info.value.offset == bang + 4
    assert dsmr.decode(unpadded[: bang + 4]) == (0, None)  # more digits may come
    consumed, f = dsmr.decode(unpadded[: bang + 4], final=True)
    assert consumed == bang + 4 and f.crc == 0xB9F


def test_waits_while_inside_the_line_end(use_core):
    for tail in (b"", b"\r", b"\r\x00", b"\r\r\r\r"):
        assert dsmr.decode(V5[:-2] + tail) == (0, None)
        consumed, f = dsmr.decode(V5[:-2] + tail, final=True)
        assert consumed == len(V5) - 2 + len(tail) and f.crc == 0x6EEE
    assert dsmr.decode(V22[:-2]) == (0, None)  # "!" alone: CRC digits may follow
    assert dsmr.decode(V22[:-2], final=True)[1].crc is None


@pytest.mark.parametrize("telegram", [V5, V22])
def test_last_telegram_without_line_end_is_accepted_on_flush(use_core, telegram):
    scanner = FrameScanner(formats=("dsmr",))
    assert scanner.feed(telegram + telegram[:-2]) == [dsmr.decode(telegram)[1]]
    (f,) = scanner.flush()
    assert f.raw == telegram[:-2]


def test_byte_at_a_time_gives_the_same_frames(use_core):
    v42 = _telegram(b"/KFM5KAIFA-METER")
    stream = (b"\x12\x99abc" + V5 + b"/ABC5" + v42 + V5[:300] + V5 + V5[:-2] + b"XYZ" + V22[:200] + b"\r\n"
              + V22 + b"/xx" + _telegram(b"/ISk5\x99MT382", end=b"") + b"!" + V5[:-2])
    whole = _frames(stream)
    assert whole == [V5, v42, V5, V5[:-2], V22, _telegram(b"/ISk5\x99MT382", end=b""), V5[:-2]]
    assert _frames(stream, chunk=1) == whole
    assert _frames(stream, chunk=7) == whole
    assert _hunt(use_core, stream) == whole


def test_rejections_all_skip_one(use_core):
    for bad in (
        V5.replace(b"6EEE", b"6EEF"),
        V5[:400] + b"\xff" + V5[400:],
        b"/AB1",
        b"/ABC5\rX",
        b"/ABC5" + b"x" * 300,
        b"/ABC5\r\n\r\n/DEF5\r\n!\r\n",
    ):
        with pytest.raises(FrameError) as info:
            dsmr.decode(bad)
        assert info.value.skip == 1, bad
