"""CI-sized run of the fuzz invariants (tests/fuzz/targets.py) on both implementations.

The atheris harnesses in tests/fuzz/ run the same checks for hours; here
hypothesis drives them for a few seconds per implementation:

* only HanParseError escapes parse_frame, on arbitrary bytes and text, on
  fixture bytes with random damage, and on near-valid frames;
* StreamDecoder raises nothing, returns Messages and never holds more than
  max_buffer_size bytes, on arbitrary and on damaged streams; on a clean
  mixed stream it emits every message;
* no hang: inputs are bounded (4 KiB here) and every example has a deadline.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanparse import strategies as hs
from helpers import mutate, mutations
from impl_switch import available, use_implementation
from tests.fixture_files import data, entries
from tests.fuzz.targets import check_parse_frame, check_stream

SETTINGS = settings(
    max_examples=100,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

FIXTURE_INPUTS = [data(e) for fmt in ("hdlc", "mbus", "dlms_apdu", "p1_ascii", "p1_encrypted", "stream")
                  for e in entries(fmt)]


@pytest.fixture(params=available())
def impl(request, monkeypatch):
    use_implementation(request.param, monkeypatch)
    return request.param


# prefixes that steer arbitrary bytes into each parser quickly
_LEADS = [b"", b"\x7e\xa0", b"\x7e\xa8", b"\x68", b"/ABC5", b"\x0f", b"\xe6\xe7\x00\x0f", b"\xdb\x08", b"\xe0"]


def _damage():
    """A fixture input with 1-4 random byte edits (tests/helpers.py:mutate)."""
    return st.tuples(st.sampled_from(FIXTURE_INPUTS), mutations(max_ops=4)).map(lambda t: mutate(*t))


@SETTINGS
@given(lead=st.sampled_from(_LEADS), tail=st.binary(max_size=4096))
def test_parse_frame_on_arbitrary_bytes(impl, lead, tail):
    check_parse_frame(lead + tail)


@SETTINGS
@given(text=st.text(max_size=512))
def test_parse_frame_on_arbitrary_text(impl, text):
    import hanparse

    try:
        hanparse.parse_frame(text)
    except hanparse.HanParseError:
        pass


@SETTINGS
@given(raw=_damage())
def test_parse_frame_on_damaged_fixtures(impl, raw):
    check_parse_frame(raw)


@SETTINGS
@given(sample=hs.near_valid(hs.encrypted_frames(framing=("hdlc", "mbus", "apdu"))))
def test_parse_frame_on_near_valid_encrypted(impl, sample):
    import hanparse

    try:
        hanparse.parse_frame(sample.data, keys=sample.original.keys)
    except hanparse.HanParseError:
        pass


@SETTINGS
@given(head=st.integers(0, 255), tail=st.binary(max_size=4096))
def test_stream_on_arbitrary_bytes(impl, head, tail):
    check_stream(bytes((head,)) + tail)


@SETTINGS
@given(head=st.integers(0, 255), parts=st.lists(st.sampled_from(FIXTURE_INPUTS) | _damage(), max_size=4))
def test_stream_on_damaged_fixture_streams(impl, head, parts):
    check_stream(bytes((head,)) + b"".join(parts))


@SETTINGS
@given(head=st.integers(0, 255), sample=hs.mixed_streams())
def test_stream_emits_every_message_of_a_clean_stream(impl, head, sample):
    assert check_stream(bytes((head,)) + sample.data, max_buffer_size=65536) == len(sample.messages)


@SETTINGS
@given(head=st.integers(0, 255), sample=hs.near_valid(),
       tail=hs.mixed_streams(hs.dsmr_telegrams() | hs.mbus_frames(hs.reading_notifications(4)), max_messages=2))
def test_stream_keeps_the_message_after_a_broken_one(impl, head, sample, tail):
    # The messages after a broken one must still come out.  (Not HDLC after a cut S-bit
    # segment: a frame from the same addresses legitimately continues the cut message.)
    got = check_stream(bytes((head,)) + sample.data + b"\r\n" + tail.data, max_buffer_size=65536)
    assert got >= len(tail.messages)
