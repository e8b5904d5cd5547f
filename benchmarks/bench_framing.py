"""Framing throughput per framer (MB/s), Cython core vs pure-Python twin.

Run: ``python -m pytest benchmarks/bench_framing.py --benchmark-enable -q``.
Each case scans ~1 MB made of one kind of frame with a little garbage
between, through :class:`hanparse._wire.scanner.FrameScanner` (hunt, validate,
build frame objects); ``extra_info`` carries MB/s.
"""

from __future__ import annotations

import pytest

from benchmarks._common import fixture_bytes as _load
from hanparse import _impl
from hanparse._wire import scanner as framing

SAMPLES = {
    "hdlc": _load("hdlc/kamstrup-no-list2-3phase.json") + b"\r\n",
    "mbus": _load("mbus/dlms__tinetz_example_2seg.json") + b"\x00",
    "dsmr": _load("p1_ascii/dsmr_parser__TELEGRAM_V5.json"),
}
STREAMS = {k: v * (1_000_000 // len(v)) for k, v in SAMPLES.items()}


def _twins():
    out = [pytest.param("python", id="python")]
    try:
        _impl.native("core")
        out.append(pytest.param("cython", id="cython"))
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("impl", _twins())
@pytest.mark.parametrize("fmt", sorted(STREAMS))
def test_scan_1mb(benchmark, monkeypatch, impl, fmt):
    core = _impl.pure("core") if impl == "python" else _impl.native("core")
    for mod in ("hanparse._wire.scanner", "hanparse.hdlc", "hanparse.mbus", "hanparse.dsmr.framing"):
        monkeypatch.setattr(mod + "._core", core)
    stream = STREAMS[fmt]
    expected = len(stream) // len(SAMPLES[fmt]) * (2 if fmt == "mbus" else 1)

    def scan():
        scanner = framing.FrameScanner()
        frames = scanner.feed(stream)
        frames += scanner.flush()
        return len(frames)

    benchmark.group = "framing " + fmt
    n = benchmark.pedantic(scan, rounds=3 if impl == "python" else 10, iterations=1)
    assert n == expected
    benchmark.extra_info["MB/s"] = round(len(stream) / benchmark.stats.stats.mean / 1e6, 1)


@pytest.mark.parametrize("impl", _twins())
@pytest.mark.parametrize("fmt", ["hdlc", "mbus"])
def test_index_1mb(benchmark, impl, fmt):
    """Whole-capture validation without frame objects (``hanparse.index_frames``), beside a plain CRC pass."""
    core = _impl.pure("core") if impl == "python" else _impl.native("core")
    stream = STREAMS[fmt]
    expected = len(stream) // len(SAMPLES[fmt]) * (2 if fmt == "mbus" else 1)
    benchmark.group = "index " + fmt
    starts, _sizes = benchmark.pedantic(core.frame_index, args=(stream, 3), rounds=3 if impl == "python" else 20,
                                        iterations=1)
    assert len(starts) == expected
    benchmark.extra_info["MB/s"] = round(len(stream) / benchmark.stats.stats.mean / 1e6, 1)


@pytest.mark.parametrize("fmt", ["hdlc"])
def test_crc_pass_1mb(benchmark, fmt):
    """The limit: one CRC-16/X.25 over the same bytes (compiled core)."""
    try:
        core = _impl.native("core")
    except ImportError:
        pytest.skip("no compiled core")
    stream = STREAMS[fmt]
    benchmark.group = "index " + fmt
    benchmark.pedantic(core.crc16_x25, args=(stream,), rounds=20, iterations=1)
    benchmark.extra_info["MB/s"] = round(len(stream) / benchmark.stats.stats.mean / 1e6, 1)
