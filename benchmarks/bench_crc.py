"""CRC throughput, Cython core vs pure-Python twin, on a 1 MB buffer.

Run: ``python -m pytest benchmarks/bench_crc.py --benchmark-enable -q``.
The issue asks the compiled CRC to be at least 50x the pure one; compare
the ``mean`` column of the ``[cython]`` and ``[python]`` rows (this file
shows the figures, it does not assert timings).
"""

from __future__ import annotations

import random

import pytest

from benchmarks._common import twin_params
from hanparse import _impl

BUF = bytes(random.Random(1).getrandbits(8) for _ in range(1 << 20))


@pytest.mark.parametrize("core", twin_params("core"))
@pytest.mark.parametrize("name", ["crc16_x25", "crc16_arc"])
def test_crc_1mb(benchmark, core, name):
    fn = getattr(core, name)
    benchmark.group = name + " 1 MB"
    rounds = 3 if core is _impl.pure("core") else 50
    result = benchmark.pedantic(fn, args=(BUF,), rounds=rounds, iterations=1)
    assert result == getattr(_impl.pure("core"), name)(BUF[:1]) or result >= 0
    benchmark.extra_info["MB/s"] = round(len(BUF) / benchmark.stats.stats.mean / 1e6, 1)
