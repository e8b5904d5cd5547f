"""The Cython core and its pure-Python twin agree: results and errors (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import implementations
from hanparse import _impl, hdlc, mbus
from hanparse.dsmr import framing as dsmr_framing
from hanparse.errors import HanParseError

TWINS = implementations("core")
pytestmark = pytest.mark.skipif(len(TWINS) < 2, reason="compiled core not built")  # CI asserts it is

PURE = _impl.pure("core")
NATIVE = TWINS[-1][1]
SETTINGS = settings(max_examples=400, deadline=None)


def outcome(fn, *args):
    """What a call did: ("ok", result) or ("err", type, message, offset, skip, checksum fields)."""
    try:
        return ("ok", fn(*args))
    except HanParseError as exc:
        return (
            "err",
            type(exc),
            exc.message,
            exc.offset,
            exc.skip,
            getattr(exc, "expected", None),
            getattr(exc, "actual", None),
            getattr(exc, "field", None),
        )
    except ValueError as exc:  # bad arguments (ranges), same message both ways
        return ("valueerror", str(exc))


def same(name, *args):
    a = outcome(getattr(PURE, name), *args)
    b = outcome(getattr(NATIVE, name), *args)
    assert a == b, (name, args, a, b)
    return a


# bytes with many meaningful values so the framers get past their first checks
interesting = st.lists(
    st.one_of(
        st.sampled_from([0x7E, 0x7D, 0xA0, 0xA8, 0x68, 0x16, 0x10, 0xE5, 0x2F, 0x21, 0x0A, 0x0D, 0x29, 0x41, 0x00]),
        st.integers(0, 255),
    ),
    max_size=400,
).map(bytes)


def built_frames():
    hd = st.builds(
        lambda info, stuffed, seg: hdlc.build(info, stuffed=stuffed, segmented=seg),
        st.binary(max_size=200), st.booleans(), st.booleans(),
    )
    mb = st.builds(lambda d, ci: mbus.build(d, ci=ci), st.binary(max_size=240), st.integers(0, 255))
    ds = st.builds(
        lambda lines, crc: dsmr_framing.build("/ABC5 x\r\n\r\n" + "\r\n".join(lines), crc=crc),
        st.lists(st.text(alphabet="0123456789-:.()*kWh ", max_size=30), max_size=10), st.booleans(),
    )
    return st.one_of(hd, mb, ds)


def mutated(raw_strategy):
    @st.composite
    def strat(draw):
        raw = bytearray(draw(raw_strategy))
        for _ in range(draw(st.integers(0, 3))):
            if raw:
                raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        cut = draw(st.integers(0, len(raw)))
        return bytes(raw[: cut if draw(st.booleans()) else len(raw)])

    return strat()


inputs = st.one_of(interesting, built_frames(), mutated(built_frames()))


@SETTINGS
@given(buf=inputs, data=st.data())
def test_framers_agree(buf, data):
    start = data.draw(st.integers(0, max(0, len(buf) - 1)))
    if buf:
        same("hdlc_parse", buf, start)
        same("mbus_parse", buf, start)
        max_size = data.draw(st.sampled_from([1024, 65536]))
        scan_from = data.draw(st.integers(start, len(buf)))
        for final in (False, True):
            same("dsmr_parse", buf, start, start, max_size, final)
            same("dsmr_parse", buf, start, scan_from, max_size, final)
    anchor = data.draw(st.integers(-1, len(buf)))
    for mask in (1, 2, 4, 8, 15):
        same("find_candidate", buf, start, anchor, mask)
    end = data.draw(st.integers(start, len(buf)))
    same("hdlc_unstuff", buf, start, end)
    same("find_byte", buf, 0x7E, start, end)
    same("hdlc_stuff", buf)
    for name in ("crc16_x25", "crc16_arc", "mbus_checksum"):
        same(name, buf)
        same(name, buf, start, end)


@SETTINGS
@given(buf=inputs)
def test_buffer_types_agree(buf):
    for kind in (bytes, bytearray, memoryview):
        for name in ("crc16_x25", "crc16_arc", "mbus_checksum", "hdlc_stuff"):
            assert getattr(PURE, name)(kind(buf)) == getattr(NATIVE, name)(kind(buf))
        if buf:
            assert outcome(PURE.hdlc_parse, kind(buf), 0) == outcome(NATIVE.hdlc_parse, kind(buf), 0)
            assert outcome(PURE.dsmr_parse, kind(buf), 0, 0, 4096, True) == outcome(
                NATIVE.dsmr_parse, kind(buf), 0, 0, 4096, True
            )


def test_bad_ranges_agree():
    for args in ((b"abc", -1, 2), (b"abc", 0, 9), (b"abc", 2, 1)):
        assert same("crc16_x25", *args)[0] == "valueerror"
    assert same("hdlc_parse", b"", 0)[0] == "valueerror"
    assert same("find_candidate", b"ab", 5, 0, 15)[0] == "valueerror"


@settings(max_examples=300, deadline=None)
@given(buf=inputs, step=st.integers(1, 64))
def test_only_hanparse_errors_escape(buf, step):
    """The public framers on arbitrary bytes: a frame, "need more", or a HanParseError."""
    for pos in range(0, len(buf), step):
        for decode in (hdlc.decode, mbus.decode, dsmr_framing.decode):
            try:
                decode(buf, pos)
            except HanParseError:
                pass
        try:
            hdlc.decode(buf, pos, stuffed=True)
        except HanParseError:
            pass


# -- DSMR / P1: candidates anywhere, the CRC decides, results independent of chunking

p1_telegrams = st.builds(
    lambda ident, lines, crc, end: dsmr_framing.build(ident + b"\r\n\r\n" + b"\r\n".join(lines), crc=crc)[:-2] + end,
    st.sampled_from([b"/ABC5 x", b"/ISk5\\2MT382-1000", b"/ISk5\x99MT382", b"/KFM5\x00X", b"/Abc"]),
    st.lists(st.sampled_from([b"1-0:1.8.1(000123.456*kWh)", b"0-0:96.13.0()", b"/XYZ5", b"(a/b)", b"1-0:2.8.0(1)!",
                              b"", b"\x00"]), max_size=5),
    st.booleans(),
    st.sampled_from([b"\r\n", b"", b"\r", b"\n", b"\r\x00\n", b"\r\r\r\r\r\n", b"XYZ", b"5\r\n", b"\r\x00"]),
)
p1_streams = st.lists(
    st.one_of(
        p1_telegrams,
        p1_telegrams.flatmap(lambda t: st.integers(0, len(t)).map(lambda k: t[:k])),  # cut telegrams
        st.sampled_from([b"/", b"!", b"\r\n", b"\r", b"\x00", b"/ABC5", b"/xx", b"\x99", b"XYZ", b")!", b"\n!",
                         b"!B9F", b"6EEE", b"\n/ABC"]),
        st.binary(max_size=8),
    ),
    max_size=6,
).map(b"".join)


@SETTINGS
@given(buf=p1_streams, data=st.data())
def test_dsmr_twins_agree_and_never_depend_on_chunking(buf, data):
    starts = [i for i in range(len(buf)) if buf[i] == 0x2F][:6]
    for mask in (4, 15):
        same("find_candidate", buf, 0, -1, mask)
    for i in starts:
        for final in (False, True):
            whole = same("dsmr_parse", buf, i, i, 1024, final)
        waiting = same("dsmr_parse", buf, i, i, 1024, False)
        if not (waiting[0] == "ok" and waiting[1].__class__ is int):
            assert whole == waiting  # final only settles what would wait
        for k in sorted(set(data.draw(st.lists(st.integers(i + 1, len(buf)), max_size=4)))):
            part = same("dsmr_parse", buf[:k], i, i, 1024, False)
            if part[0] == "ok" and part[1].__class__ is int:
                # a prefix waits; resuming from the position it gave changes nothing
                assert same("dsmr_parse", buf, i, max(i, part[1]), 1024, False) == waiting
            else:
                assert part == waiting, k  # the prefix already gives the answer of the whole input
            if part[0] == "err":
                assert part[4] == 1  # every DSMR rejection skips 1


def test_dsmr_examples_agree():
    v = dsmr_framing.build("/ISk5\\2MT382-1000\r\n\r\n1-0:1.8.1(1)")
    for buf in (b"\x12\x99abc" + v, v[:-2] + b"XYZ", v[:-2], v[:-1], v.replace(b"\\", b"\x99"),
                v[:40] + v, b"/ABC5" + v, v[:-2] + b"\r" * 6 + b"\n", b"/ABC5\x99\r\n\r\n!\r\n"):
        for i in [k for k in range(len(buf)) if buf[k] == 0x2F]:
            for final in (False, True):
                same("dsmr_parse", buf, i, i, 1024, final)
        assert same("find_candidate", buf, 0, -1, 4)[1] == buf.index(b"/")


# -- hex-text lines: the stream decoder's line rule

line_bytes = st.lists(
    st.one_of(
        st.sampled_from(list(b"0123456789abcdefABCDEF \t\r\n\x00/!:(-,") + [0x7E, 0xFF]),
        st.sampled_from([b"/ISK5", b"/ABC", b"!1234", b"\r\n", b"7ea0", b"  0F", b"\n/Ab", b"7e:a0:", b"7E-A0",
                         b", 0f", b'{"data":"', b"Debug: ", b"\nxyz", b"}"]).map(list),
        st.integers(0, 255),
    ),
    max_size=300,
).map(lambda items: bytes(b for it in items for b in (it if isinstance(it, list) else [it])))


def _run_lines(mod, data, cuts, cap, max_lines):
    """hex_lines over ``data`` split at ``cuts``: [(stream end offset, bytes)], final state."""
    state = mod.hex_line_state()
    out = []
    bounds = [0] + sorted(cuts) + [len(data)]
    for a, b in zip(bounds, bounds[1:]):
        out += [(a + end, dec) for end, dec in mod.hex_lines(data[a:b], state, cap, max_lines, False)]
    out += [(len(data) + end, dec) for end, dec in mod.hex_lines(b"", state, cap, max_lines, True)]
    return out, state


def _line_model(data, cap, max_lines):
    """The line rule written plainly, one whole line at a time (the specification)."""
    out, in_tel, dropped, pos = [], 0, 0, 0
    for line in data.split(b"\n"):
        pos += len(line) + 1
        head = line.lstrip(b" \t\r\x00")[:4]
        digits = b""
        ok = True
        for c in line:
            if chr(c) in "0123456789abcdefABCDEF":
                if len(digits) == cap:
                    ok, dropped = False, dropped + cap + 1
                    break
                digits += bytes((c,))
            elif c not in b" \t\r:-,":  # blanks and the dump separators
                ok = False
                break
        emit = ok and digits and len(digits) % 2 == 0
        # a text line: "{" or a letter first, printable ASCII (tab, CR, NUL) throughout, cap bytes at most
        text = (not emit and bool(head) and (head[:1] == b"{" or (head[:1].isalpha() and head[:1].isascii()))
                and len(line) <= cap and all(0x20 <= c <= 0x7E or c in b"\t\r\x00" for c in line))
        if len(head) == 4 and head[:1] == b"/" and head[1:].isalpha() and head[1:].isascii():
            in_tel = max_lines
        elif in_tel:
            in_tel = 0 if head[:1] == b"!" else in_tel - 1
            emit = text = False
        if emit:
            out.append((min(pos, len(data)), bytes.fromhex(digits.decode())))
        elif text:
            out.append((min(pos, len(data)), line.decode("latin-1")))
    return out, dropped


@SETTINGS
@given(line_bytes, st.lists(st.integers(0, 300), max_size=6), st.sampled_from([4, 8, 64]), st.sampled_from([1, 3, 256]))
def test_hex_lines_twins_agree_and_match_the_rule(data, cuts, cap, max_lines):
    cuts = [c for c in cuts if c <= len(data)]
    want, dropped = _line_model(data, cap, max_lines)
    for _, mod in TWINS:
        whole = _run_lines(mod, data, [], cap, max_lines)
        split = _run_lines(mod, data, cuts, cap, max_lines)
        assert whole == split
        assert whole[0] == want
        assert whole[1][4] == dropped
    if len(TWINS) == 2:
        state_p, state_n = PURE.hex_line_state(), NATIVE.hex_line_state()
        for a, b in zip([0] + sorted(cuts), sorted(cuts) + [len(data)]):
            assert PURE.hex_lines(data[a:b], state_p, cap, max_lines, False) == \
                NATIVE.hex_lines(data[a:b], state_n, cap, max_lines, False)
            assert state_p == state_n


def test_hex_lines_examples():
    # a hex dump line, a DSMR telegram with a hex-only continuation line, a spaced dump at the end
    data = (b"7ea0 12\r\n/ISK5\\2M550T\r\n\r\n0-0:96.13.0(\r\n7EA0\r\n)\r\n!1234\r\n"
            b"  7E A0\n0f")
    for _, mod in TWINS:
        out, state = _run_lines(mod, data, [3, 30, 60], 64, 256)
        assert out == [(9, b"\x7e\xa0\x12"), (len(data) - 2, b"\x7e\xa0"), (len(data), b"\x0f")]
        assert state == [0, 1, b"", bytearray(), 0, 1, bytearray()]


def test_hex_lines_separators():
    # ':', '-' and ',' separate hex digits like blanks; the rest of the rule is unchanged
    lines = [b"7e:a0:2a\n", b"7E-A0-2A\r\n", b"7e,a0, 2a\n", b":7e:a0:\n", b"1-0:1.8.0(1)\n", b"--\n",
             b"7e:a\n", b"7e;a0\n", b"/ISK5\n", b"7e:a0\n", b"!\n", b" 0f-1e\t,2d"]
    data = b"".join(lines)
    ends = [sum(len(x) for x in lines[: k + 1]) for k in range(len(lines))]
    want = [(ends[0], b"\x7e\xa0\x2a"), (ends[1], b"\x7e\xa0\x2a"), (ends[2], b"\x7e\xa0\x2a"),
            (ends[3], b"\x7e\xa0"), (ends[11], b"\x0f\x1e\x2d")]
    for _, mod in TWINS:
        for cuts in ([], [1, 2, 3], list(range(0, len(data), 5)), [20, 41]):
            out, state = _run_lines(mod, data, cuts, 64, 256)
            assert out == want, (mod.__name__, cuts)
            assert state == [0, 1, b"", bytearray(), 0, 1, bytearray()]
        out, state = _run_lines(mod, b"7e:a0:2a:7e:a0:2a\n", [], 8, 256)  # 12 digits > cap 8: dropped
        assert out == [] and state[4] == 9
