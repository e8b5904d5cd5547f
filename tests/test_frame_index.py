"""``hanparse.index_frames``: the frames of a whole capture, without frame objects.

The index must be exactly what :class:`hanparse.FrameScanner` (formats HDLC
and M-Bus) finds in the same bytes fed whole and flushed: same starts, same
sizes, whatever garbage, cut frames or damaged bytes surround them.  Both
core twins are checked against the scanner and against each other.
"""

from __future__ import annotations

import random
from typing import List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hanparse
from conftest import implementations
from hanparse._wire import scanner as scanner_mod
from tests.fixture_files import entries

CORES = [m for _, m in implementations("core")]


def _frames_of(fmt: str) -> List[bytes]:
    out = []
    for e in entries(fmt):
        if "hex" in e:
            out.append(bytes.fromhex(e["hex"]))
    return out


BINARY = _frames_of("hdlc") + _frames_of("mbus") + _frames_of("stream")
assert len(BINARY) > 20


def _by_scanner(data: bytes) -> List[Tuple[int, int]]:
    sc = hanparse.FrameScanner(max_buffer_size=max(4096, 2 * len(data) + 4096), formats=("hdlc", "mbus"))
    found = sc.scan(data) + sc.scan_flush()
    return [(off, scanner_mod.frame_size(f)) for off, f in found]


def _by_index(core, data: bytes) -> List[Tuple[int, int]]:
    starts, sizes = core.frame_index(data, 3)
    assert len(starts) == len(sizes)
    return list(zip(starts, sizes))


@pytest.mark.parametrize("k", range(len(BINARY)))
def test_every_fixture_alone_and_framed_by_garbage(k):
    frame = BINARY[k]
    rnd = random.Random(k)
    for data in (frame, b"\x00\x7e\x68" + frame + bytes(rnd.randrange(256) for _ in range(40)) + frame,
                 frame[: len(frame) // 2] + frame, frame + frame[:-1]):
        want = _by_scanner(data)
        for core in CORES:
            assert _by_index(core, data) == want
        assert [tuple(x) for x in zip(*hanparse.index_frames(data))] == want


pieces = st.one_of(
    st.sampled_from(BINARY),
    st.sampled_from(BINARY).flatmap(lambda f: st.integers(1, max(1, len(f) - 1)).map(lambda n: f[:n])),  # cut
    st.sampled_from(BINARY).flatmap(
        lambda f: st.tuples(st.integers(0, len(f) - 1), st.integers(1, 255)).map(
            lambda t: f[: t[0]] + bytes(((f[t[0]] ^ t[1]),)) + f[t[0] + 1:])),  # one byte changed
    st.binary(max_size=30),
    st.sampled_from([b"\x7e", b"\x7e\xa0", b"\x68\x05\x05\x68", b"\x68\x03\x03\x68", b"\x7e\x7e"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=8))
def test_random_mixes_agree_with_the_scanner(parts):
    data = b"".join(parts)
    want = _by_scanner(data)
    for core in CORES:
        assert _by_index(core, data) == want


def test_formats_and_errors():
    frame = next(f for f in BINARY if f[:1] == b"\x7e")
    mb = next(f for f in BINARY if f[:1] == b"\x68")
    data = frame + mb
    assert list(hanparse.index_frames(data, ("hdlc",))[0]) == [0]
    assert list(hanparse.index_frames(data, ("mbus",))[0]) == [len(frame)]
    assert [len(a) for a in hanparse.index_frames(b"")] == [0, 0]
    with pytest.raises(ValueError):
        hanparse.index_frames(data, ("dsmr",))
