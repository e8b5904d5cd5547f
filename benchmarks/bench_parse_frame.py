"""End to end, bytes in -> decoded message out: hanparse (Cython, pure Python) vs amshan.

Run (one table per meter, the three decoders side by side)::

    python -m pytest benchmarks/bench_parse_frame.py --benchmark-enable -p no:cacheprovider \\
        --benchmark-columns=min,median,mean,ops --benchmark-group-by=group --benchmark-sort=mean

Every decoder gets the same complete HDLC frame (flags, header, HCS, LLC,
data-notification, FCS) and returns its full result:

* ``hanparse-cython``: ``hanparse.parse_frame(frame)`` -> ``Message``;
* ``hanparse-pure``: the same call with every twin switched to pure Python
  (what ``HANPARSE_PURE_PYTHON=1`` selects);
* ``amshan``: ``HdlcFrameReader().read(frame)`` then
  ``AutoDecoder().decode_message_payload(frame.payload)`` -> dict
  (amshan 2.1.1; a fresh reader per call, one decoder for the run, as a
  long-running reader would use it).

Frames (fixtures/): the Aidon 3-phase list of 27 registers with clock, the
Kaifa NO list 3 (3-phase, 18 positional values) and the Kamstrup NO hourly
list (3-phase, 17 OBIS/value pairs).  amshan-only fixtures (information
fields) are wrapped with :func:`hanparse.hdlc.build`.
"""

from __future__ import annotations

import pytest

import hanparse
from benchmarks._common import fixture_bytes
from hanparse import hdlc
from tests.impl_switch import use_implementation


def _frame(path: str) -> bytes:
    data = fixture_bytes(path)
    if data[0] == 0x7E:
        return data
    return hdlc.build(data, llc=False)  # information field with its LLC: put an HDLC envelope around it


FRAMES = {
    # Aidon 3-phase EFS list, 27 registers + clock (AIDONFD_RJ12_HAN_Interface_SV.pdf p. 11)
    "aidon-3phase": _frame("hdlc/aidon-se-efs-3phase.json"),
    # Kaifa KFM_001 NO list 3, 3-phase, 18 positional values (toreamun/amshan tests)
    "kaifa-list3-3phase": _frame("dlms_apdu/amshan__kaifa__no_list_3.json"),
    # Kamstrup_V0001 NO hourly list, 3-phase, 17 OBIS/value pairs (HAN-NVE rev 3.1 p. 13)
    "kamstrup-list2-3phase": _frame("hdlc/kamstrup-no-list2-3phase.json"),
}

try:
    from han.autodecoder import AutoDecoder
    from han.hdlc import HdlcFrameReader
except ImportError:  # amshan is a benchmark-only dependency
    AutoDecoder = HdlcFrameReader = None


@pytest.fixture
def pure_twins(monkeypatch):
    """Run parse_frame on the pure-Python twins for this benchmark."""
    use_implementation("python", monkeypatch)


def _amshan(frame: bytes, decoder):
    (f,) = HdlcFrameReader(False).read(frame)
    return decoder.decode_message_payload(f.payload)


@pytest.mark.parametrize("name", list(FRAMES))
def test_hanparse_cython(benchmark, name):
    if hanparse.IMPLEMENTATION != "cython":
        pytest.fail("the compiled extensions are not built (IMPLEMENTATION=%r)" % hanparse.IMPLEMENTATION)
    benchmark.group = name
    benchmark.name = "hanparse-cython"
    frame = FRAMES[name]
    msg = benchmark(hanparse.parse_frame, frame)
    assert len(msg.readings) >= 17


@pytest.mark.parametrize("name", list(FRAMES))
def test_hanparse_pure(benchmark, name, pure_twins):
    benchmark.group = name
    benchmark.name = "hanparse-pure"
    frame = FRAMES[name]
    msg = benchmark(hanparse.parse_frame, frame)
    assert len(msg.readings) >= 17


@pytest.mark.parametrize("name", list(FRAMES))
def test_amshan(benchmark, name):
    if AutoDecoder is None:
        pytest.fail("amshan is not installed (pip install amshan)")
    benchmark.group = name
    benchmark.name = "amshan"
    frame = FRAMES[name]
    result = benchmark(_amshan, frame, AutoDecoder())
    assert len(result) >= 10
