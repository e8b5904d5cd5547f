r"""Resync table (pymodbus style) over EVERY fixture that parse_frame decodes cleanly.

For each good fixture M -- bytes B, keys K, reference E = parse_frame(B, K).to_dict()
-- in each representation (see ``_resync_cases.variants``: raw binary, P1
telegram as bytes and str, hex-text line as str and bytes, plain and
spaced), a fresh ``StreamDecoder(keys=K, on_error=errors.append)`` is fed
one case and flushed; the exact list of messages is asserted, nothing is
lost (``bytes_dropped == 0``), every rejection is both counted in
``stats.rejected`` and handed to ``on_error`` (same count), and where a
rejection must happen, it did.

Cases (name: input -> messages):

* ``alone``: B -> [E], no rejection (fixtures of the ``stream`` folder may
  carry their own garbage: there only counted == reported).
* ``junk_before``: 1-64 seeded random bytes (no LF/CR, none of 7E 68 2F DB)
  then B -> [E], no rejection.
* ``junk_between``: B + junk + B -> [E, E] (rejections allowed: an HDLC
  closing flag followed by a junk byte ``Ax`` is a fair candidate start).
* ``decoy_*``: ``/``, ``!``, ``7E``, ``7E A0``, ``68 20 20 68``, ``/ABC5``
  right before B -> [E] (P1 fixtures with text before the telegram -- the
  ``stream`` folder's "preceded by an unopened telegram" -- where a ``/``
  opens that text: the last message is E, at most 2).
* ``cut_*``: B[:k] then B, k = 1, len/3, len/2, len-1 -> [E]; the truncated
  part is reported (counted and passed to on_error) except:
  - k = 1 is too short to be a candidate in every format (a lone 7E is a
    fill flag, a lone 68 / '/' / APDU tag byte is no frame), and so is a cut
    that keeps fewer than 2 bytes of E itself (fixtures holding text or an
    abandoned block transfer before E: such a cut is only that);
  - k = len-1 of an HDLC frame/message: B's opening flag closes the cut
    frame, which is then whole, and shares its flag with the next one
    -> [E, E], nothing to report;
  - a cut of a P1 telegram that keeps ``!`` and its CRC (len-1 cuts the LF)
    leaves a complete telegram -> [E, E], nothing to report.
  In multi-frame messages a cut within 2 bytes of a frame boundary is moved
  3 bytes on (HDLC segments carry no sequence number, so a cut exactly
  between two segments is ambiguous, not a resync question).
* ``late_*``: B[k:] (a reader joining late), k = 1, len/3, len/2, len-3, then
  B -> [E] ([E, E] when B[k:] still holds all of E: fixtures with leading
  CR LF, text before the telegram, or an abandoned block transfer before E).
* ``flip``: B with its middle byte (of E's telegram, for P1) XOR 0x01, then
  B -> [E] and a rejection, when the message is protected (HDLC FCS, M-Bus sum, P1 CRC, GCM tag);
  unprotected (P1 without CRC, plain bare APDU, ciphered without
  authentication): the last message is E and at most 2 messages.
* ``b2b``: B*3 -> [E, E, E].
* ``split``: B[:i], B[i:] fed separately, every i (above 600 input bytes:
  every i in the first and last 24 bytes and about 200 evenly spaced
  between) -> [E]; on bin, dsmr-bytes, hex-str and
  spaced-bytes (their str/bytes twins differ only in how each chunk is
  encoded, covered by ``bytewise``).
* ``bytewise``: one byte per feed -> [E].

``decoy_*``, ``cut_*`` and ``late_*`` are grouped: one test per variant runs
every sub-case and lists each failing one.

Hex lines: a hex line is a *line*.  Junk is the tail of a previous line
(junk + LF before the hex line); decoys are hex-encoded inside the same line
(for bare APDUs, which have no delimiter, on a hex line of their own before
it); cuts are the hex text of B[:k] as its own line; flips flip a byte of
the decoded frame; late joins cut the text itself.

The invocation counters of ciphered fixtures repeat across copies: replay
checks stay off (the default).

``test_bad_fixture``: entries that do not decode cleanly must raise a
HanParseError subclass from parse_frame, and a stream over them emits no
message (or, by the one-answer rule, >= 2 messages when parse_frame raised
FrameError) and reports an error or counts skipped bytes.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence

import pytest

import hanparse
from _resync_cases import (
    ALL_VARIANTS,
    BAD,
    Variant,
    describe_errors,
    describe_messages,
    dsmr_span,
    frame_bounds,
    has_crc,
    junk,
    message_start,
    run_stream,
)

_VIDS = [v.pid for v in ALL_VARIANTS]
_BASELINE: Dict[str, int] = {}


def baseline(v: Variant) -> int:
    """Rejections for B alone (0 for every fixture outside the ``stream`` folder)."""
    if v.pid not in _BASELINE:
        _BASELINE[v.pid] = run_stream([v.feedable(v.text)], v.keys).stats.rejected
    return _BASELINE[v.pid]


def _fail(v: Variant, case: str, r, expected: Sequence[Dict[str, Any]], why: str) -> str:
    return "%s [%s]: %s; got %d message(s) %s, expected %d; rejected=%s errors=%s" % (
        v.pid, case, why, len(r.dicts), describe_messages(r.dicts, [v.expected]), len(expected),
        dict(r.stats.rejected_by_reason), describe_errors(r.errors))


def outcome(
    v: Variant,
    case: str,
    chunks: Sequence[bytes],
    expected: Optional[Sequence[Dict[str, Any]]],
    *,
    rejections: Optional[int] = None,
    more_rejections_than: Optional[int] = None,
    last_is_e_of_at_most: Optional[int] = None,
) -> Optional[str]:
    """Feed ``chunks`` (in the variant's type) to a fresh decoder, flush, and check:
    None when the case holds, else a one-line description of what is wrong."""
    r = run_stream([v.feedable(c) for c in chunks], v.keys)
    exp = list(expected or [])
    if last_is_e_of_at_most is not None:
        if not (1 <= len(r.dicts) <= last_is_e_of_at_most and r.dicts[-1] == v.expected):
            return _fail(v, case, r, [v.expected], "the last message must be E, at most %d" % last_is_e_of_at_most)
    elif r.dicts != exp:
        return _fail(v, case, r, exp, "wrong messages")
    st = r.stats
    if st.rejected != len(r.errors):
        return _fail(v, case, r, exp, "rejections counted (%d) != reported to on_error (%d)"
                     % (st.rejected, len(r.errors)))
    if st.bytes_dropped:
        return _fail(v, case, r, exp, "%d bytes dropped" % st.bytes_dropped)
    if st.messages != len(r.messages):
        return _fail(v, case, r, exp, "stats.messages %d" % st.messages)
    if rejections is not None and st.rejected != rejections:
        return _fail(v, case, r, exp, "expected %d rejection(s)" % rejections)
    if more_rejections_than is not None and st.rejected <= more_rejections_than:
        return _fail(v, case, r, exp, "the damaged part must be reported (rejections > %d)" % more_rejections_than)
    return None


def check(*args: Any, **kwargs: Any) -> None:
    """:func:`outcome`, failing the test (one-line summary, no introspection of whole messages)."""
    why = outcome(*args, **kwargs)
    if why:
        pytest.fail(why, pytrace=False)


def check_all(failures: Sequence[Optional[str]]) -> None:
    """Fail with every failing sub-case of a grouped test (decoys, cuts, late joins)."""
    bad = [f for f in failures if f]
    if bad:
        pytest.fail("%d sub-case(s) fail:\n  " % len(bad) + "\n  ".join(bad), pytrace=False)


vparam = pytest.mark.parametrize("v", ALL_VARIANTS, ids=_VIDS)


# ------------------------------------------------------------------ alone, junk, back to back


@vparam
def test_alone(v):
    E = v.expected
    if v.entry.fmt == "stream":
        check(v, "alone", [v.text], [E])
    else:
        check(v, "alone", [v.text], [E], rejections=0)


@vparam
def test_junk_before(v):
    j = junk(v.pid + "/before")
    prefix = j + b"\n" if v.kind == "hexline" else j
    check(v, "junk_before(%d)" % len(j), [prefix + v.text], [v.expected], rejections=baseline(v))


@vparam
def test_junk_between(v):
    j = junk(v.pid + "/between")
    mid = j + b"\n" if v.kind == "hexline" else j
    # no exact count here: an HDLC closing flag followed by a junk byte Ax is a fair candidate start
    check(v, "junk_between(%d)" % len(j), [v.text + mid + v.text], [v.expected] * 2)


@vparam
def test_back_to_back(v):
    check(v, "b2b", [v.text * 3], [v.expected] * 3, rejections=3 * baseline(v))


# ------------------------------------------------------------------ decoys

DECOYS = {
    "slash": b"/",
    "bang": b"!",
    "7E": b"\x7e",
    "7E_A0": b"\x7e\xa0",
    "68LL68": b"\x68\x20\x20\x68",
    "ABC5": b"/ABC5",
}


@vparam
def test_decoys_before(v):
    """Each decoy right before B -> [E] (all decoys run; every failing one is listed)."""
    lenient = _text_before_telegram(v)
    out = []
    for name, d in DECOYS.items():
        if v.kind != "hexline":
            data = d + v.text
        elif v.entry.is_bare_apdu:
            data = v.enc(d) + v.text  # a bare APDU line has no delimiter: the decoy is a line before it
        else:
            data = v.enc(d + v.raw)  # inside the hex line
        if lenient:
            # e.g. a telegram preceded by an unopened one: a '/' decoy opens that one
            out.append(outcome(v, "decoy_" + name, [data], None, last_is_e_of_at_most=2))
        else:
            out.append(outcome(v, "decoy_" + name, [data], [v.expected]))
    check_all(out)


def _text_before_telegram(v: Variant) -> bool:
    """A P1 fixture (``stream`` folder) with more than blanks before E's telegram."""
    if v.kind != "dsmr":
        return False
    return bool(v.raw[:message_start(v.entry)].strip(b" \t\r\n\x00"))


# ------------------------------------------------------------------ truncation


def _cut_points(v: Variant) -> Dict[str, int]:
    n = len(v.raw)
    bounds = frame_bounds(v.entry)
    out = {}
    for name, k in (("1", 1), ("third", n // 3), ("half", n // 2), ("last", n - 1)):
        while bounds and any(abs(k - b) <= 2 for b in bounds) and k < n - 1:
            k += 3
        out[name] = max(1, min(k, n - 1))
    return out


def _cut_complete(v: Variant, k: int) -> bool:
    """Does B[:k] followed by B leave a whole first message?"""
    raw = v.raw
    if v.kind == "dsmr":
        span = dsmr_span(raw)
        return span is not None and k >= span[1]
    return k == len(raw) - 1 and raw[:1] == b"\x7e" and raw[-1:] == b"\x7e"


@vparam
def test_cut_then_whole(v):
    """B[:k] then B for k = 1, len/3, len/2, len-1 (all run; every failing one is listed)."""
    E = v.expected
    r0 = baseline(v)
    out = []
    for cut, k in _cut_points(v).items():
        data = v.enc(v.raw[:k]) + v.text
        case = "cut_%s(k=%d of %d)" % (cut, k, len(v.raw))
        if _cut_complete(v, k):
            out.append(outcome(v, case, [data], [E, E]))
        elif _cut_in_unchecked_tag(v, k):
            # a bare ciphered APDU cut inside a GCM tag nobody can check (no authentication key):
            # its plaintext is whole, so it decodes (borrowing the next byte) -- undetectable
            out.append(outcome(v, case, [data], [E]))
        elif cut == "1" or k - message_start(v.entry) < 2:
            # too short to be a candidate, or only what the fixture holds before E (no start of E)
            out.append(outcome(v, case, [data], [E]))
        else:
            out.append(outcome(v, case, [data], [E], more_rejections_than=r0))
    check_all(out)


def _cut_in_unchecked_tag(v: Variant, k: int) -> bool:
    raw = v.raw
    return (v.kind == "bin" and raw[:2] == b"\xdb\x08" and v.entry.authenticated is False
            and len(raw) - 12 <= k < len(raw))


def _recovered_apdu(v: Variant, off: int) -> Optional[Dict[str, Any]]:
    """The message of the intact ciphered APDU (DB 08 .. before the FCS) of a single HDLC frame
    when a reader joins at ``off``, after the opening flag and before the APDU: the link layer is
    headless (no frame start is left to reject), the APDU is whole, and a stream must not lose it.

    Likewise a hex line of a bare APDU joined exactly where its notification body (an A-XDR
    structure or array, 02/01) starts: the rest of the line is a body-only payload, which
    decodes on its own (as amsreader's raw mode sends it)."""
    raw = v.raw
    if v.kind == "hexline" and v.entry.message_format == "apdu" and 0 < off < len(raw) and raw[off] in (1, 2):
        try:
            return hanparse.parse_frame(raw[off:], v.keys).to_dict()
        except hanparse.HanParseError:
            return None
    db = raw.find(b"\xdb\x08")
    if v.kind != "bin" or raw[:1] != b"\x7e" or raw[-1:] != b"\x7e" or db < 0 or not 1 <= off <= db:
        return None
    if ((raw[1] & 0x07) << 8 | raw[2]) + 2 != len(raw):
        return None  # several frames: not the single-frame case
    return hanparse.parse_frame(raw[db:-3], v.keys).to_dict()


def _late_offset(v: Variant, k: int) -> Optional[int]:
    """The byte offset of the decoded data a late join at text offset ``k`` starts at
    (None when a hex line is cut inside a digit pair: an odd number of digits is no hex line)."""
    if v.kind != "hexline":
        return k
    width = 2 + len(v.sep)
    if k % width == 0:
        return k // width
    if v.sep and k % width == 2:
        return (k + 1) // width
    return None


@vparam
def test_late_join(v):
    """B[k:] then B for k = 1, len/3, len/2, len-3 -> [E]; [E, E] when B[k:] still holds
    all of E's frames / telegram (fixtures that carry something before E: leading
    CR LF, an abandoned block transfer).  All run; every failing one is listed."""
    t = v.text
    n = len(t)
    start = message_start(v.entry)
    out = []
    for late, k in (("1", 1), ("third", n // 3), ("half", n // 2), ("end", max(1, n - 3))):
        off = _late_offset(v, k)
        whole = start > 0 and off is not None and off <= start
        expected = [v.expected] * (2 if whole else 1)
        recovered = _recovered_apdu(v, off) if off is not None and not whole else None
        if recovered is not None:
            expected = [recovered, v.expected]
        out.append(outcome(v, "late_%s(k=%d of %d)" % (late, k, n), [t[k:] + t], expected))
    check_all(out)


# ------------------------------------------------------------------ one byte flipped


def _protected(v: Variant) -> bool:
    fmt = v.entry.message_format
    if fmt in ("hdlc", "mbus"):
        return True
    if fmt == "dsmr":
        return has_crc(v.raw)
    return bool(v.entry.authenticated)


@vparam
def test_flip_then_whole(v):
    raw = v.raw
    span = dsmr_span(raw) if v.kind == "dsmr" else None
    i = (span[0] + span[1]) // 2 if span else len(raw) // 2
    bad = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1:]
    data = v.enc(bad) + v.text
    case = "flip(byte %d: %02X->%02X)" % (i, raw[i], raw[i] ^ 1)
    if _protected(v):
        check(v, case, [data], [v.expected], more_rejections_than=baseline(v))
    else:
        check(v, case, [data], None, last_is_e_of_at_most=2)


# ------------------------------------------------------------------ chunking


def _split_points(n: int) -> List[int]:
    """Every split point below 600 input bytes; above, every point in the first and
    last 24 bytes (headers, trailers) and about 200 evenly spaced ones between."""
    if n < 600:
        return list(range(1, n))
    step = math.ceil(n / 200)
    return sorted(set(range(1, 25)) | set(range(n - 24, n)) | set(range(25, n - 24, step)))


#: split runs on one of each str/bytes twin (the other differs only in the Latin-1 encoding of each chunk,
#: which bytewise and every other case cover)
SPLIT_VARIANTS = [v for v in ALL_VARIANTS if v.form in ("bin", "dsmr-bytes", "hex-str", "spaced-bytes")]


@pytest.mark.parametrize("v", SPLIT_VARIANTS, ids=[v.pid for v in SPLIT_VARIANTS])
def test_split_everywhere(v):
    t = v.text
    E = v.expected
    r0 = baseline(v)
    bad: List[str] = []
    points = _split_points(len(t))
    for i in points:
        r = run_stream([v.feedable(t[:i]), v.feedable(t[i:])], v.keys)
        if r.dicts != [E] or r.stats.rejected != r0 or len(r.errors) != r0 or r.stats.bytes_dropped:
            bad.append("i=%d: %s rejected=%d errors=%s" % (i, describe_messages(r.dicts, [E]), r.stats.rejected,
                                                            describe_errors(r.errors, 2)))
    if bad:
        pytest.fail("%s [split]: %d split point(s) of %d fail, e.g. %s" % (
            v.pid, len(bad), len(points), "; ".join(bad[:3])), pytrace=False)


@vparam
def test_bytewise(v):
    t = v.text
    check(v, "bytewise", [t[i:i + 1] for i in range(len(t))], [v.expected], rejections=baseline(v))


# ------------------------------------------------------------------ fixtures that do not decode


@pytest.mark.parametrize("entry", BAD, ids=[e.pid for e in BAD])
def test_bad_fixture(entry):
    try:
        hanparse.parse_frame(entry.raw, entry.keys)
    except hanparse.HanParseError as exc:
        error: Exception = exc
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail("%s: parse_frame raised %s, not a HanParseError: %s" % (entry.pid, type(exc).__name__, exc))
    else:
        pytest.fail("%s: parse_frame decodes it now (classified bad at import)" % entry.pid)
    r = run_stream([entry.raw], entry.keys)
    detail = "%s: parse_frame raised %s(%s); stream: %d message(s), rejected=%s errors=%s skipped=%d" % (
        entry.pid, type(error).__name__, str(error)[:80], len(r.messages), dict(r.stats.rejected_by_reason),
        describe_errors(r.errors), r.stats.bytes_skipped)
    if r.stats.rejected != len(r.errors):
        pytest.fail("rejections counted != reported; " + detail, pytrace=False)
    if len(r.messages) >= 2:
        # one input, one answer: an input holding several messages -> parse_frame raises FrameError
        if not isinstance(error, hanparse.FrameError):
            pytest.fail("several messages, so parse_frame must raise FrameError; " + detail, pytrace=False)
        return
    if r.messages:
        pytest.fail("the stream decodes a message parse_frame rejects; " + detail, pytrace=False)
    if not (r.errors or r.stats.bytes_skipped > 0):
        pytest.fail("nothing reported and nothing skipped; " + detail, pytrace=False)
