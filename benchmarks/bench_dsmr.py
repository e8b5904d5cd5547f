"""DSMR / P1: hanparse (compiled and pure) against dsmr_parser, same telegrams, same run.

Bytes in, parsed telegram out, CRC checked, for:

* the DSMR 5 telegram of dsmr_parser's test suite (``TELEGRAM_V5``);
* E.ON Hungary (``TELEGRAM_V5_EON_HU``), the largest fixture dsmr_parser has a
  specification for;
* the largest P1 fixture, the Lithuanian "maximum" profile
  (``eso-lt-maximum``, 96 lines, 2339 bytes; dsmr_parser has no Lithuanian
  specification, so it runs its ``V5`` one: the objects it knows, CRC checked).

Run::

    python -m pytest benchmarks/bench_dsmr.py --benchmark-enable -p no:cacheprovider
    python benchmarks/bench_dsmr.py          # quick table with ratios
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hanparse.crc  # noqa: E402
from hanparse import _impl  # noqa: E402
from hanparse.dsmr import grammar, parse_telegram  # noqa: E402
from hanparse.dsmr import timestamps as tsmod  # noqa: E402
from tests.fixture_files import data, entry  # noqa: E402

CASES = {
    "dsmr5": ("dsmr_parser:TELEGRAM_V5", "V5"),
    "eon_hu": ("dsmr_parser:TELEGRAM_V5_EON_HU", "EON_HUNGARY"),
    "largest": ("eso-lt-maximum", "V5"),
}


def _telegram(case: str) -> bytes:
    return data(entry(CASES[case][0]))


def _use(label: str) -> None:
    """Point hanparse's DSMR modules (and its CRC) at one implementation."""
    tok = _impl.native("dsmr") if label == "cython" else _impl.pure("dsmr")
    core = _impl.native("core") if label == "cython" else _impl.pure("core")
    grammar._tok = tok
    tsmod._tok = tok
    hanparse.crc._core = core


def _dsmr_parser(case: str):
    from dsmr_parser import telegram_specifications
    from dsmr_parser.parsers import TelegramParser

    parser = TelegramParser(getattr(telegram_specifications, CASES[case][1]), apply_checksum_validation=True)
    text = _telegram(case).decode("ascii")
    return parser, text


def _impls():
    labels = ["python"]
    try:
        _impl.native("dsmr")
        _impl.native("core")
        labels.insert(0, "cython")
    except ImportError:
        pass
    return labels


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("label", _impls())
def test_hanparse(benchmark, case, label):
    _use(label)
    raw = _telegram(case)
    benchmark.group = "dsmr-" + case
    msg = benchmark(parse_telegram, raw)
    assert len(msg.readings) > 10
    _use(_impl.IMPLEMENTATION)


@pytest.mark.parametrize("case", list(CASES))
def test_dsmr_parser(benchmark, case):
    parser, text = _dsmr_parser(case)
    benchmark.group = "dsmr-" + case
    result = benchmark(parser.parse, text)
    assert result


def main() -> None:
    """Print µs per telegram and the speed-up over dsmr_parser."""
    for case in CASES:
        raw = _telegram(case)
        parser, text = _dsmr_parser(case)
        number = 30
        # the lambdas are timed right here, inside their own iteration
        peer = min(timeit.repeat(lambda: parser.parse(text), number=number, repeat=5)) / number * 1e6  # noqa: B023
        row = ["%-8s %5d B  dsmr_parser %8.1f us" % (case, len(raw), peer)]
        for label in _impls():
            _use(label)
            n = 2000 if label == "cython" else 300
            t = min(timeit.repeat(lambda: parse_telegram(raw), number=n, repeat=7)) / n * 1e6  # noqa: B023
            row.append("hanparse-%s %6.1f us (x%.0f)" % (label, t, peer / t))
        _use(_impl.IMPLEMENTATION)
        print("   ".join(row))


if __name__ == "__main__":
    main()
