"""FrameScanner: resync table, chunking invariance, bounded buffer, linear cost."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_files import data, entries, entry
from hanparse import hdlc, mbus
from hanparse._wire import scanner as framing
from hanparse._wire.scanner import FrameScanner, iter_frames
from hanparse.errors import HanParseError, IncompleteError

HYP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CAPTURE = Path(__file__).resolve().parent.parent / "fixtures" / "capture"

KAMSTRUP = data(entry("kamstrup-no-list2-3phase"))
AIDON = data(entry("aidon-no-list2-1phase"))
KAIFA_7E = data(entry("amshan:hdlc:kaifa_list1_with_7e_in_info"))
BAD_FCS = data(entry("embriq-lg-list1-edited"))
MBUS = data(entry("dlms:dlms_parser_mbus_kmswest"))
V5 = data(entry("dsmr_parser:TELEGRAM_V5"))


def run(chunks, **options):
    """Feed chunks then flush: (frame raws, rejected reasons, stats dict, error offsets)."""
    errors = []
    scanner = FrameScanner(on_error=errors.append, **options)
    frames = []
    for chunk in chunks:
        frames += scanner.feed(chunk)
    frames += scanner.flush()
    return (
        [f.raw for f in frames],
        [framing._reason(e) for e in errors],
        scanner.stats.as_dict(),
        [(e.frame_offset, e.frame_format) for e in errors],
    )


def split_ways(raw: bytes, seed: int = 0):
    """The same bytes whole, one byte at a time, and in random chunks."""
    rnd = random.Random(seed)
    chunks, k = [], 0
    while k < len(raw):
        n = rnd.randint(1, 40)
        chunks.append(raw[k : k + n])
        k += n
    return {"whole": [raw], "bytes": [raw[k : k + 1] for k in range(len(raw))], "random": chunks}


# name, stream, expected frame raws, expected rejection reasons
RESYNC = [
    ("garbage before", b"\x00\x13\xa0garbage" + KAMSTRUP, [KAMSTRUP], []),
    ("garbage between", AIDON + b"\x11\x22\x7e\x33" + KAMSTRUP, [AIDON, KAMSTRUP], []),
    ("shared flag", AIDON + KAIFA_7E[1:], [AIDON, KAIFA_7E], []),
    ("doubled flags", AIDON + KAIFA_7E, [AIDON, KAIFA_7E], []),
    ("many flags", AIDON + b"\x7e" * 5 + KAIFA_7E, [AIDON, KAIFA_7E], []),
    ("CR LF between", AIDON + b"\r\n" + KAIFA_7E + b"\r\n" + MBUS + b"\r\n" + V5, [AIDON, KAIFA_7E, MBUS, V5], []),
    ("truncated then good", KAMSTRUP[:120] + AIDON, [AIDON], ["frame"]),
    ("corrupt FCS then good", BAD_FCS + AIDON, [AIDON], ["checksum"]),
    ("corrupt FCS shares flag", BAD_FCS + AIDON[1:], [AIDON], ["checksum"]),
    ("raw 7E inside a frame", KAIFA_7E + KAIFA_7E, [KAIFA_7E, KAIFA_7E], []),
    ("abort sequence", data(entry("amshan:hdlc:synthetic_abort_sequence")) + AIDON[1:], [AIDON], ["frame"]),
    ("truncated at the end", AIDON + KAMSTRUP[:100], [AIDON], ["truncated"]),
    ("m-bus after garbage", b"\x68\x01\x02" + MBUS + MBUS, [MBUS, MBUS], []),
    ("telegram after binary", b"\xff\xfe" + V5 + V5, [V5, V5], []),
    ("telegram right after a frame", AIDON + V5, [AIDON, V5], []),
    ("frames inside a truncated frame", KAMSTRUP[:20] + AIDON + AIDON, [AIDON, AIDON], ["frame"]),
    ("telegram after noise on its line", b"\x12\x99abc" + V5 + b"xyz" + V5, [V5, V5], []),
    ("cut telegram then whole", V5[:300] + V5, [V5], ["checksum"]),
    ("fragments before a telegram", b"/!/xx/ABC5" + V5, [V5], ["frame", "checksum"]),
    ("telegram ended by junk", V5[:-2] + b"XYZ" + AIDON, [V5[:-2], AIDON], []),
    ("telegram ended by a frame", V5[:-2] + AIDON, [V5[:-2], AIDON], []),
]


@pytest.mark.parametrize("name, stream, frames, reasons", RESYNC, ids=[r[0] for r in RESYNC])
def test_resync_table(use_core, name, stream, frames, reasons):
    results = {how: run(chunks) for how, chunks in split_ways(stream).items()}
    raws, got_reasons, stats, _ = results["whole"]
    assert raws == frames
    assert got_reasons == reasons
    assert stats["frames"] == len(frames)
    assert stats["bytes_in"] == len(stream)
    # every byte is either in a returned frame or counted as skipped
    covered = len(set().union(*[set(range(s, s + len(f))) for s, f in _offsets(stream)])) if frames else 0
    assert stats["bytes_skipped"] == len(stream) - covered
    for how, result in results.items():
        assert result == results["whole"], how


def _offsets(stream):
    scanner = FrameScanner()
    return [(off, f.raw) for off, f in scanner.scan(stream) + scanner.scan_flush()]


@pytest.mark.parametrize(
    "e",
    [pytest.param(e, id=e["id"]) for e in entries("stream") if "hdlc" in (e.get("expected") or {})],
)
def test_amshan_stream_fixtures(use_core, e):
    exp = e["expected"]["hdlc"]
    for how, chunks in split_ways(data(e)).items():
        scanner = FrameScanner()
        frames = []
        for chunk in chunks:
            frames += scanner.feed(chunk)
        frames += scanner.flush()
        assert len(frames) == exp["frame_count"], how
        for k, f in enumerate(frames):
            key = "frame%d_information_hex" % k if "frame0_information_hex" in exp else "information_hex"
            info = exp.get(key)
            assert f.information_field == (bytes.fromhex(info) if info else b"")


def test_error_hook_and_offsets(use_core):
    stream = b"xx" + BAD_FCS + AIDON
    seen = []
    scanner = FrameScanner(on_error=seen.append)
    pairs = scanner.scan(stream) + scanner.scan_flush()
    assert [off for off, _ in pairs] == [2 + len(BAD_FCS)]
    (exc,) = seen
    assert exc.frame_offset == 2 and exc.frame_format == "hdlc"
    assert exc.offset == 2 + len(BAD_FCS) - 3  # the FCS bytes, as a stream offset
    assert exc.expected == 0xFA8B and exc.actual == 0x27AE


def test_flush_reports_truncated_tail(use_core):
    scanner = FrameScanner()
    assert scanner.feed(AIDON + KAMSTRUP[:50]) == [hdlc.decode(AIDON)[1]]
    assert scanner.flush() == []
    assert scanner.tail == framing.Tail(len(AIDON), KAMSTRUP[:50], "hdlc")
    assert scanner.stats.rejected == {"truncated": 1}
    # a new stream starts after flush
    assert scanner.feed(AIDON) == [hdlc.decode(AIDON)[1]]
    assert scanner.flush() == [] and scanner.tail is None


def test_flush_accepts_telegram_without_final_line_end(use_core):
    scanner = FrameScanner()
    assert scanner.feed(V5[:-2]) == []
    (f,) = scanner.flush()
    assert f.crc == 0x6EEE and scanner.tail is None


def test_short_frames_only_when_asked(use_core):
    stream = b"\xe5" + mbus.build_short(0x40, 0x01) + MBUS
    assert run([stream])[0] == [MBUS]
    assert run([stream], mbus_short=True)[0] == [b"\xe5", mbus.build_short(0x40, 0x01), MBUS]


def test_format_selection_and_stuffed_mode(use_core):
    stream = AIDON + MBUS + V5
    assert run([stream], formats=("mbus",))[0] == [MBUS]
    stuffed = hdlc.build(b"\x7e\x7d" * 10, stuffed=True)
    assert run([b"\x00" + stuffed + stuffed], stuffed=True)[0] == [stuffed, stuffed]
    with pytest.raises(ValueError):
        FrameScanner(formats=("xml",))
    with pytest.raises(ValueError):
        FrameScanner(max_buffer_size=100)


def test_buffer_stays_bounded(use_core):
    rnd = random.Random(7)
    junk = bytes(rnd.choice(b"\x7e\xa0\xa8\x68\x2f\x0a\x00AB!") for _ in range(200_000))
    scanner = FrameScanner(max_buffer_size=4096)
    longest = 0
    for k in range(0, len(junk), 997):
        scanner.feed(junk[k : k + 997])
        longest = max(longest, len(scanner._buf))
    assert longest <= 4096
    assert scanner.stats.bytes_dropped == 0
    # the buffer never held back a good frame: one after the junk comes out
    assert hdlc.decode(AIDON)[1] in scanner.feed(b"\x00" + AIDON) + scanner.flush()


def test_pending_frame_is_not_rescanned(use_core, monkeypatch):
    """Fed one byte at a time, a 2 KiB frame is parsed a bounded number of times."""
    calls = []
    real = framing._core.hdlc_parse

    def counting(buf, start):
        calls.append(len(buf))
        return real(buf, start)

    core = type("Core", (), {})()
    for name in dir(framing._core):
        if not name.startswith("__"):
            setattr(core, name, getattr(framing._core, name))
    core.hdlc_parse = counting
    monkeypatch.setattr(framing, "_core", core)
    big = hdlc.build(bytes(range(256)) * 7)
    scanner = FrameScanner()
    frames = []
    for k in range(len(big)):
        frames += scanner.feed(big[k : k + 1])
    assert [f.raw for f in frames] == [big]
    assert len(calls) <= 8


def test_dsmr_scan_resumes(use_core, monkeypatch):
    starts = []
    real = framing._core.dsmr_parse

    def recording(buf, start, scan_from, max_size, final):
        starts.append((len(buf), scan_from - start))
        return real(buf, start, scan_from, max_size, final)

    core = type("Core", (), {})()
    for name in dir(framing._core):
        if not name.startswith("__"):
            setattr(core, name, getattr(framing._core, name))
    core.dsmr_parse = recording
    monkeypatch.setattr(framing, "_core", core)
    scanner = FrameScanner()
    frames = []
    for k in range(len(V5)):
        frames += scanner.feed(V5[k : k + 1])
    assert [f.raw for f in frames] == [V5]
    # once past the identification line, each call resumes where the last stopped
    resumes = [r for _, r in starts if r > 0]
    assert resumes == sorted(resumes) and len(resumes) > len(V5) // 2


def test_capture_file(use_core):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_capture", CAPTURE / "make_capture.py")
    make_capture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_capture)
    raw = (CAPTURE / "mixed-norway-dsmr.bin").read_bytes()
    assert make_capture.build() == raw  # the bundled file is what the script makes
    frames = list(iter_frames(raw))
    assert [type(f).__name__ for f in frames] == ["HdlcFrame"] * 3 + ["MbusFrame", "DsmrFrame"]
    assert [f.raw for f in frames] == [KAMSTRUP, AIDON, KAIFA_7E, MBUS, V5]


# ------------------------------------------------------------- properties

pieces = st.lists(
    st.one_of(
        st.sampled_from([KAMSTRUP, AIDON, KAIFA_7E, BAD_FCS, MBUS, V5, b"\r\n", b"\x7e", b"\x7e\xa0", b"/"]),
        st.binary(max_size=20),
    ),
    max_size=12,
)


@HYP
@given(parts=pieces, cuts=st.lists(st.integers(1, 64), min_size=1, max_size=30))
def test_chunking_never_changes_the_result(use_core, parts, cuts):
    stream = b"".join(parts)
    chunks, k, c = [], 0, 0
    while k < len(stream):
        n = cuts[c % len(cuts)]
        chunks.append(stream[k : k + n])
        k += n
        c += 1
    whole = run([stream])
    assert run(chunks) == whole


@HYP
@given(st.binary(max_size=3000), st.integers(1, 50))
def test_arbitrary_bytes_never_raise(use_core, blob, step):
    scanner = FrameScanner(mbus_short=True)
    for k in range(0, len(blob), step):
        scanner.feed(blob[k : k + step])
    scanner.flush()
    s = scanner.stats
    assert s.bytes_in == len(blob)
    assert s.bytes_skipped <= len(blob)


def test_iter_frames_and_errors_type(use_core):
    seen = []
    frames = list(iter_frames(b"\x00" + AIDON + BAD_FCS, on_error=seen.append))
    assert [f.raw for f in frames] == [AIDON]
    assert all(isinstance(e, HanParseError) for e in seen)
    assert not any(isinstance(e, IncompleteError) for e in seen)


quiet_garbage = st.binary(max_size=30).map(lambda b: bytes(x for x in b if x not in (0x7E, 0x68, 0x2F)))


@HYP
@given(st.lists(st.tuples(quiet_garbage, st.sampled_from([KAMSTRUP, AIDON, KAIFA_7E, MBUS, V5])), max_size=8))
def test_good_frames_after_garbage_are_never_lost(use_core, items):
    stream = b"".join(g + f for g, f in items)
    raws, reasons, _, _ = run(split_ways(stream, seed=len(stream))["random"])
    # a telegram's '/' + letter is a candidate wherever it is, after printable garbage too
    assert raws == [f for _, f in items]
