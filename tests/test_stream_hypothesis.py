"""Properties of StreamDecoder: chunking invariance, no intact frame lost to garbage, bounded memory."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _stream_helpers import CHECKED, DSMR5, KEYRING, LU_SMARTY, NO_AIDON, decode_all, reference
from hanparse._stream import StreamDecoder

_REFS = {}


def ref(frame):
    if frame not in _REFS:
        _REFS[frame] = reference(frame)
    return _REFS[frame]


STREAM = (b"\x00" + b"\r\n".join(CHECKED) + b"\r\n" + NO_AIDON.hex().encode() + b"\n" + LU_SMARTY + b"\xff"
          + DSMR5[:100])
WHOLE = decode_all(STREAM)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=40))
def test_any_split_gives_identical_messages_and_counters(cuts):
    bounds = [0] + sorted(cuts) + [len(STREAM)]
    errors = []
    dec = StreamDecoder(KEYRING, on_error=errors.append)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        out += dec.feed(STREAM[a:b])
    out += dec.flush()
    want_out, want_dec, want_errors = WHOLE
    assert [m.to_dict() for m in out] == want_out
    assert dec.stats.as_dict() == want_dec.stats.as_dict()
    assert [str(e) for e in errors] == [str(e) for e in want_errors]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(range(len(CHECKED))), st.binary(max_size=40)), min_size=1, max_size=6),
       st.sampled_from([0, 1, 17]))
def test_injected_garbage_never_loses_an_intact_frame(items, chunk):
    parts = []
    for k, garbage in items:
        # a telegram starts at a line start: garbage before it ends with LF (as on a real P1 line)
        parts.append(garbage + (b"\r\n" if CHECKED[k] is DSMR5 else b"") + CHECKED[k])
    out, _, _ = decode_all(b"".join(parts), chunk=chunk)
    want = [ref(CHECKED[k]) for k, _ in items]
    it = iter(out)
    # every intact frame comes out, in order (garbage may add nothing valid: it has no valid checksum)
    assert all(any(m == w for m in it) for w in want), (len(out), len(want))


HOSTILE = [b"\x7e\xa7\xff", b"\x68\xff\xff\x68", b"/ABC5 id\r\n", b"\xdb\x08" + b"T" * 8 + b"\x82\x0f\xa0\x30",
           b"0123456789abcdef", b"\n", b"\x00" * 7]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.binary(min_size=1, max_size=900), st.sampled_from(HOSTILE)), min_size=20, max_size=80))
def test_memory_bounded_on_endless_garbage(chunks):
    dec = StreamDecoder(KEYRING, max_buffer_size=16384)
    for _ in range(3):
        for c in chunks:
            dec.feed(c * 3)
            assert dec.buffered <= 16384
    dec.flush()
    assert dec.buffered == 0
