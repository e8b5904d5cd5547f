r"""One input, one answer: parse_frame, StreamDecoder and ``hanparse decode`` agree.

For any input X (bytes, or str) and keys K, with S = the messages a fresh
``StreamDecoder(K, on_error=errors.append)`` emits for X then flush:

* len(S) == 1  ->  ``parse_frame(X, K)`` returns a message equal to S[0] (``to_dict()``);
* len(S) == 0  ->  ``parse_frame(X, K)`` raises a HanParseError, and when the
  stream reported errors, of exactly the class of the FIRST error it passed
  to on_error;
* len(S) >= 2  ->  ``parse_frame(X, K)`` raises FrameError (one message only).

parse_frame never raises anything but a HanParseError.  And the command
line (``hanparse decode FILE``, X written to a file) prints exactly S, one
JSON object per message, as ``json.dumps(m.to_dict(), default=str)``.

One documented exception: a *bare APDU as raw bytes* (no delimiter, no
checksum) is a message for parse_frame, while a stream only decodes bare
APDUs as hex-text lines.  When the stream emits nothing for an input that
is not hex text and starts (after fill) with an APDU tag, parse_frame gives
the APDU decoder's answer: an ``apdu`` message or that decoder's error
(when the stream emits one message, the rule above still applies).

Inputs: every fixture entry in every form (bytes, str, hex text as str and
bytes with separators '', ' ', ':', '-', ','), hypothesis over valid forms,
near-valid inputs (junk prefix/suffix, truncation, one byte flipped, two
fixtures concatenated) and random bytes, the explicit examples of the bug
report, and the library's own strategies (``hanparse.strategies``: valid and
near-valid HDLC, M-Bus, P1 and encrypted frames).  The CLI runs in-process
on the explicit examples and a small sample.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hanparse
from _resync_cases import (
    BASE_LINES,
    ENTRIES,
    GOOD,
    Entry,
    Run,
    build_telegram,
    cli_messages,
    crc16_arc,
    describe_errors,
    describe_messages,
    hex_text,
    jsonish,
    run_stream,
)
from hanparse import strategies as hs

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

Input = Any  # bytes or str

_HEXTEXT = re.compile(r"[\s0-9A-Fa-f:,\-]*")


def _looks_hex(x: Input) -> bool:
    s = x.decode("latin-1") if isinstance(x, (bytes, bytearray)) else x
    return bool(s.strip()) and _HEXTEXT.fullmatch(s) is not None


def _short(x: Input, n: int = 60) -> str:
    r = repr(x)
    return r if len(r) <= n else r[: n - 15] + "..." + r[-12:]


def three_doors(x: Input, keys: Any = None) -> Tuple[Optional[Any], Optional[BaseException], Run]:
    """parse_frame's answer (message or exception) and the stream's, checked against each other."""
    r = run_stream([x], keys)
    msg: Optional[Any] = None
    exc: Optional[BaseException] = None
    try:
        msg = hanparse.parse_frame(x, keys)
    except hanparse.HanParseError as e:
        exc = e
    except Exception as e:  # noqa: BLE001 - the point of the check
        pytest.fail("parse_frame(%s) raised %s, not a HanParseError: %s" % (_short(x), type(e).__name__, e),
                    pytrace=False)
    pf = ("returned %s/%d readings" % (msg.format, len(msg.readings)) if msg is not None
          else "raised %s(%s)" % (type(exc).__name__, str(exc)[:100]))
    detail = "input %s (%d bytes): parse_frame %s; stream emitted %d message(s) %s, errors=%s" % (
        _short(x), len(x), pf, len(r.messages),
        describe_messages(r.dicts, [msg.to_dict()] if msg else [], "parse_frame"), describe_errors(r.errors, 3))
    n = len(r.messages)
    if n == 1:
        if msg is None:
            pytest.fail("stream emits one message, parse_frame must return it; " + detail, pytrace=False)
        if msg.to_dict() != r.dicts[0]:
            pytest.fail("stream and parse_frame decode different messages; " + detail, pytrace=False)
    elif n == 0:
        bare = _starts_like_apdu(x) and not _looks_hex(x)  # raw bare APDU: see the module docstring
        if msg is not None:
            if not (msg.format == "apdu" and bare):
                pytest.fail("stream emits nothing, parse_frame must raise; " + detail, pytrace=False)
        elif r.errors and type(exc) is not type(r.errors[0]) and not bare:
            pytest.fail("parse_frame must raise the class of the stream's first error (%s); %s"
                        % (type(r.errors[0]).__name__, detail), pytrace=False)
    else:
        if not isinstance(exc, hanparse.FrameError):
            pytest.fail("stream emits %d messages, parse_frame must raise FrameError; %s" % (n, detail),
                        pytrace=False)
    if r.stats.rejected != len(r.errors):
        pytest.fail("stream: rejections counted (%d) != reported (%d); %s" % (r.stats.rejected, len(r.errors),
                                                                           detail), pytrace=False)
    return msg, exc, r


def _starts_like_apdu(x: Input) -> bool:
    """The input's first byte after fill is an APDU tag (0F data-notification, E6 LLC, E0, DB, DC) or the
    first tag of a notification body sent alone (01 array, 02 structure: amsreader's raw mode)."""
    raw = x.encode("latin-1", "replace") if isinstance(x, str) else bytes(x)
    raw = raw.lstrip(b" \t\r\n\x00")
    return raw[:1] in (b"\x0f", b"\xe6", b"\xe0", b"\xdb", b"\xdc", b"\x01", b"\x02")


def check_cli(x: Input, entry_keys: Tuple[Optional[str], Optional[str]], r: Run) -> None:
    code, objs = cli_messages(x, entry_keys)
    want = [jsonish(d) for d in r.dicts]
    if objs != want:
        pytest.fail("CLI printed %d message(s), the stream emitted %d (exit %d) for %s; equal: %s" % (
            len(objs), len(want), code, _short(x), [o in want for o in objs]), pytrace=False)


# ------------------------------------------------------------------ forms of an entry

HEX_FORMS = [  # (name, separator, upper case)
    ("hex", "", False),
    ("spaced", " ", False),
    ("colon", ":", True),
    ("dash", "-", False),
    ("comma", ",", True),
]


def forms(e: Entry) -> List[Tuple[str, Input]]:
    out: List[Tuple[str, Input]] = [("bytes", e.raw), ("str", e.raw.decode("latin-1"))]
    for name, sep, upper in HEX_FORMS:
        text = hex_text(e.raw, sep, upper) + "\n"
        out.append((name + "-str", text))
        out.append((name + "-bytes", text.encode("ascii")))
    return out


_FORM_CASES = [(e, name) for e in ENTRIES for name, _ in forms(e)]


def _entry_form(e: Entry, name: str) -> Input:
    return dict(forms(e))[name]


@pytest.mark.parametrize("e,form", _FORM_CASES, ids=["%s/%s" % (e.pid, f) for e, f in _FORM_CASES])
def test_every_fixture_form(e, form):
    """Every fixture entry (good or bad) in every form: one answer."""
    three_doors(_entry_form(e, form), e.keys)


# ------------------------------------------------------------------ hypothesis: valid, near-valid, random

good_entries = st.sampled_from(GOOD)


@st.composite
def valid_forms(draw) -> Tuple[Input, Entry]:
    e = draw(good_entries)
    kind = draw(st.sampled_from(["bytes", "str", "hex"]))
    if kind == "bytes":
        return e.raw, e
    if kind == "str":
        return e.raw.decode("latin-1"), e
    sep = draw(st.sampled_from(["", " ", ":", "-", ","]))
    upper = draw(st.booleans())
    end = draw(st.sampled_from(["", "\n", "\r\n"]))
    text = hex_text(e.raw, sep, upper) + end
    return (text if draw(st.booleans()) else text.encode("ascii")), e


@st.composite
def base_bytes(draw) -> Tuple[bytes, Entry]:
    """A good fixture as bytes: raw, or as one hex line."""
    e = draw(good_entries)
    if draw(st.booleans()) and not e.is_bare_apdu:
        return e.raw, e
    sep = draw(st.sampled_from(["", " "]))
    return (hex_text(e.raw, sep) + "\n").encode("ascii"), e


@st.composite
def near_valid(draw) -> Tuple[bytes, Any]:
    b, e = draw(base_bytes())
    keys = e.keys
    how = draw(st.sampled_from(["prefix", "suffix", "truncate", "flip", "concat"]))
    if how == "prefix":
        b = draw(st.binary(min_size=1, max_size=24)) + b
    elif how == "suffix":
        b = b + draw(st.binary(min_size=1, max_size=24))
    elif how == "truncate":
        b = b[: draw(st.integers(1, max(1, len(b) - 1)))]
    elif how == "flip":
        i = draw(st.integers(0, len(b) - 1))
        b = b[:i] + bytes([b[i] ^ draw(st.integers(1, 255))]) + b[i + 1:]
    else:
        b2, e2 = draw(base_bytes())
        b = b + b2
        keys = keys if keys is not None else e2.keys
    return b, keys


#: bytes that start or end frames, hex digits and line ends: random inputs that reach the framers
FRAMEISH = st.binary(max_size=120) | st.lists(
    st.sampled_from([b"\x7e", b"\xa0", b"\x68", b"/", b"!", b"\r\n", b"\n", b"\xdb\x08", b"ISK5", b"0f",
                     b"7e", b" ", b"\x00", b"\xe6\xe7\x00", b"\x0f", b"(", b")", b":"]),
    max_size=40).map(b"".join)


@SETTINGS
@given(valid_forms())
def test_valid_forms(xe):
    x, e = xe
    three_doors(x, e.keys)


def _fixture_raw(entry_id: str) -> bytes:
    return next(e.raw for e in ENTRIES if e.id == entry_id)


@settings(SETTINGS, max_examples=200)
@given(near_valid())
@example((b"\x0f" + _fixture_raw("aidon-no-list2-1phase"), None))  # an APDU tag byte as junk before a frame
@example((b"\xff\xff" + _fixture_raw("dsmr_parser:TELEGRAM_V5"), None))
# a body tag (01, array) before a cut HDLC head and a frame as hex text: bare-body input (hypothesis found it)
@example((b"\x01\x7e\xa0" + _fixture_raw("aidon-no-list2-1phase").hex().encode() + b"\n", None))
def test_near_valid(xk):
    x, keys = xk
    three_doors(x, keys)


@settings(SETTINGS, max_examples=200)
@given(FRAMEISH)
@example(b"")
@example(b"\x7e\x7e")
@example(b"!\r\n")
@example(b"\xe6\xdb\x08")  # APDU tag, then a cut ciphered frame
@example(b"\xe6\x7e\xa0")  # APDU tag, then a cut HDLC frame
def test_random_bytes(x):
    three_doors(x, None)


# ------------------------------------------------------------------ explicit examples (all three doors)

README_FRAME = "7ea02a410883130413e6e7000f40000000000101020309060100010700ff060000067d02020f00161b1c057e"
TELEGRAM = build_telegram()


def test_own_crc():
    """The CRC used below is CRC-16/ARC over '/' .. '!' (own bitwise implementation)."""
    assert crc16_arc(b"123456789") == 0xBB3D
    body = TELEGRAM[: TELEGRAM.index(b"!") + 1]
    assert TELEGRAM.endswith(b"!%04X\r\n" % crc16_arc(body))


def _ref(data: bytes) -> Dict[str, Any]:
    return hanparse.parse_frame(data).to_dict()


def _explicit_cases() -> List[Tuple[str, bytes, Optional[bytes]]]:
    """(name, input, clean input whose parse_frame message it must equal, or None)."""
    return [
        ("ff_ff_then_telegram", b"\xff\xff" + TELEGRAM, TELEGRAM),
        ("hex_text_bytes_spaced", hex_text(bytes.fromhex(README_FRAME), " ").encode() + b"\n",
         bytes.fromhex(README_FRAME)),
        ("hex_text_bytes_spaced_no_lf", hex_text(bytes.fromhex(README_FRAME), " ").encode(),
         bytes.fromhex(README_FRAME)),
        ("ident_with_0x99", build_telegram(ident=b"ISK5\\2M550T\x99-1012"), None),
        ("bang_inside_value", build_telegram(lines=BASE_LINES + [b"0-0:96.13.0(Hi!there)"]), None),
        ("crc_then_XYZ", build_telegram(tail=b"XYZ"), TELEGRAM),
        ("at_end_without_crlf", build_telegram(tail=b""), TELEGRAM),
    ]


_EXPLICIT = _explicit_cases()


@pytest.mark.parametrize("name,x,clean", _EXPLICIT, ids=[c[0] for c in _EXPLICIT])
@pytest.mark.parametrize("as_str", [False, True], ids=["bytes", "str"])
def test_explicit_example(name, x, clean, as_str):
    """Each decodes to exactly one message, the same through parse_frame, the stream and the CLI."""
    inp = x.decode("latin-1") if as_str else x
    msg, exc, r = three_doors(inp)
    if len(r.messages) != 1 or msg is None:
        pytest.fail("%s: expected exactly one message through every door; parse_frame %s, stream %d message(s) "
                    "errors=%s" % (name, "raised %r" % exc if exc else "ok", len(r.messages),
                                   describe_errors(r.errors)), pytrace=False)
    d = msg.to_dict()
    if clean is not None:
        assert d == _ref(clean), "%s: not the message of the clean input" % name
    else:
        by = {x["obis"]: x for x in d["readings"]}
        assert by["1-0:1.8.1.255"]["value"] == 4.426 and by["1-0:1.8.1.255"]["unit"] == "kWh", name
        assert len(d["readings"]) >= len(BASE_LINES), name
        if name == "bang_inside_value":
            assert "0-0:96.13.0.255" in by, name
    check_cli(inp, (None, None), r)


# ------------------------------------------------------------------ the CLI on a small sample


def _pick(fmt: str, good: bool = True, n: int = 2) -> List[Entry]:
    return [e for e in ENTRIES if e.fmt == fmt and e.good == good][:n]


def _cli_sample() -> List[Tuple[str, Input, Entry]]:
    out: List[Tuple[str, Input, Entry]] = []
    for fmt in ("hdlc", "mbus", "p1_ascii", "p1_encrypted", "stream"):
        for e in _pick(fmt, True, 2):
            out.append((e.pid + "/bytes", e.raw, e))
    for e in _pick("dlms_apdu", True, 2) + _pick("hdlc", True, 1):
        out.append((e.pid + "/spaced-str", hex_text(e.raw, " ") + "\n", e))
        out.append((e.pid + "/colon-bytes", (hex_text(e.raw, ":") + "\n").encode(), e))
    for fmt in ("hdlc", "p1_ascii", "p1_encrypted"):
        for e in _pick(fmt, False, 1):
            out.append((e.pid + "/bad", e.raw, e))
    a, b = _pick("hdlc", True, 2)
    out.append(("two-hdlc", a.raw + b.raw, a))
    t = _pick("p1_ascii", True, 1)[0]
    out.append(("junk+telegram+truncated", b"\x01\x02junk" + t.raw + t.raw[: len(t.raw) // 2], t))
    out.append(("telegram+hdlc-hexline", t.raw + (hex_text(a.raw, " ") + "\n").encode(), a))
    return out


_CLI = _cli_sample()


@pytest.mark.parametrize("name,x,e", _CLI, ids=[c[0] for c in _CLI])
def test_cli_sample(name, x, e):
    msg, exc, r = three_doors(x, e.keys)
    check_cli(x, (e.key_hex, e.auth_key_hex), r)


# ------------------------------------------------------------------ the library's own strategies

LIBRARY_SAMPLES = st.one_of(
    hs.hdlc_frames(), hs.mbus_frames(), hs.dsmr_telegrams(), hs.encrypted_frames(),
    hs.near_valid(), hs.near_valid(hs.encrypted_frames(framing=("hdlc", "mbus"))),
)


@settings(SETTINGS, max_examples=200)
@given(LIBRARY_SAMPLES)
def test_library_strategies(sample):
    """Valid and near-valid frames from ``hanparse.strategies``: the three doors agree."""
    original = getattr(sample, "original", None)
    keys = getattr(sample, "keys", None) or getattr(original, "keys", None)
    msg, exc, r = three_doors(sample.data, keys)
    if original is None:  # a valid sample: it is one message
        assert msg is not None, exc
