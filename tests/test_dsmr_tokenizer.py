"""The "dsmr" pair: the P1 data-line tokenizer, compiled and pure twins.

Both twins are run on the same inputs; hypothesis checks that they agree
on arbitrary bytes, errors included.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import implementations
from hanparse.errors import DecodeError
from hanparse.model import Reading

IMPLS = implementations("dsmr")


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in IMPLS])
def tok(request):
    """The tokenizer module, once per implementation."""
    return request.param


def _all(data: bytes):
    return 0, len(data)


def test_both_twins_are_present():
    labels = [label for label, _ in IMPLS]
    assert "python" in labels
    # An install without a compiler has only the pure twin (and passes the suite on it); where the
    # build must compile (HANPARSE_REQUIRE_EXTENSIONS=1, as in CI), the compiled twin must be here.
    if os.environ.get("HANPARSE_REQUIRE_EXTENSIONS", "").strip() not in ("", "0"):
        assert "cython" in labels, "the compiled _dsmr is not built"


def test_single_and_multi_group_lines(tok):
    data = (b"1-0:1.8.1(001581.123*kWh)\r\n"
            b"0-1:24.2.1(101209112500W)(12785.123*m3)\r\n"
            b"0-0:96.13.0()\r\n"
            b"1-1:31.4.0(100*A)(-063*A)\r\n")
    assert tok.tokenize(data, *_all(data)) == [
        ("1-0:1.8.1", "001581.123", "kWh", 2),
        ("0-1:24.2.1", "101209112500W", None, 3, "12785.123", "m3", 2),
        ("0-0:96.13.0", "", None, 0),
        ("1-1:31.4.0", "100", "A", 1, "-063", "A", 1),
    ]


def test_kinds(tok):
    cases = {"": 0, "00004": 1, "-063": 1, "+5": 1, "01.193": 2, "-00.024": 2, "101209113020W": 3,
             "632525252525S": 3, "1.": 4, ".5": 4, "-": 4, "4B38": 4, "0-0:96.7.19": 4, "1e5": 4,
             "101209113020X": 4, "10120911302W": 4, "-00512134558S": 4, "+0051213455W": 4,
             "150701190000s": 3, "151201190000w": 3, "nan": 4, "\u00b2\u00b3": 4}
    for text, kind in cases.items():
        assert tok.value_kind(text) == kind, text


def test_continuation_line_joins_previous_set(tok):
    data = b"0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)\r\n(00001.001)\r\n0-1:24.4.0(1)\r\n"
    lines = tok.tokenize(data, *_all(data))
    assert len(lines) == 2
    assert lines[0][0] == "0-1:24.3.0"
    assert lines[0][-3:] == ("00001.001", None, 2)
    assert len(lines[0]) == 1 + 3 * 7


def test_separators_and_two_sets_on_one_line(tok):
    data = b"\n1-0:1.7.0(00.244*kW)\r\x00 1-0:2.7.0(00.000*kW)0-0:1.0.0(180924132132S)\n"
    assert [t[0] for t in tok.tokenize(data, *_all(data))] == ["1-0:1.7.0", "1-0:2.7.0", "0-0:1.0.0"]


def test_start_stop_window(tok):
    data = b"xx1-0:1.7.0(1*kW)yy"
    assert tok.tokenize(data, 2, len(data) - 2) == [("1-0:1.7.0", "1", "kW", 1)]


def test_latin1_never_raises_unicode_errors(tok):
    data = b"1-0:1.7.0(12\xb3*m\xb3)\r\n"
    assert tok.tokenize(data, *_all(data)) == [("1-0:1.7.0", "12\xb3", "m\xb3", 4)]


def test_empty_unit_is_none(tok):
    data = b"1-0:1.7.0(12*)"
    assert tok.tokenize(data, *_all(data)) == [("1-0:1.7.0", "12", None, 1)]


@pytest.mark.parametrize("data, message, offset", [
    (b"1-0:1.7.0(12.5*kW\r\n", "unclosed value group", 9),
    (b"1-0:1.7.0(1(2)", "unclosed value group", 9),
    (b"(12)\r\n", "value group without an OBIS id", 0),
    (b"1-0:1.7.0\r\n", "data line without a value group", 0),
    (b"1-0:1.7.0(1)\r\ngarbage\r\n", "data line without a value group", 14),
    (b")(1)", "data line without a value group", 0),
])
def test_errors(tok, data, message, offset):
    with pytest.raises(DecodeError) as info:
        tok.tokenize(data, *_all(data))
    assert message in info.value.message
    assert info.value.offset == offset


def test_bad_arguments(tok):
    with pytest.raises(TypeError):
        tok.tokenize(bytearray(b"1-0:1.7.0(1)"), 0, 3)
    with pytest.raises(ValueError):
        tok.tokenize(b"abc", 2, 1)
    with pytest.raises(ValueError):
        tok.tokenize(b"abc", 0, 4)


def test_split_tst(tok):
    assert tok.split_tst("101209113020W") == (10, 12, 9, 11, 30, 20, 10120911 * 3 + 2)
    assert tok.split_tst("090212160000") == (9, 2, 12, 16, 0, 0, 9021216 * 3)
    assert tok.split_tst("101209113020S")[-1] % 3 == 1
    assert tok.split_tst("150701190000s") == tok.split_tst("150701190000S")  # lower-case flags (issue 11)
    assert tok.split_tst("151201190000w") == tok.split_tst("151201190000W")
    for bad in ("10120911302W", "101209113020X", "1012091130a0W", "", "2010-12-09T11:30"):
        assert tok.split_tst(bad) is None


def test_split_tst_key_formula(tok):
    # key = YYMMDDhh * 3 + (0 none, 1 S, 2 W)
    assert tok.split_tst("101209113020W")[-1] == 10120911 * 3 + 2


def _run(mod, data):
    try:
        return ("ok", mod.tokenize(data, 0, len(data)))
    except DecodeError as exc:
        return ("error", exc.message, exc.offset)


LINE_BYTES = st.sampled_from([b"1-0:1.8.1", b"0-1:24.2.1", b"(", b")", b"*", b"kWh", b"00.5", b"-1",
                              b"101209113020W", b"\r\n", b"\n", b"\x00", b" ", b"\xff", b"!", b"/", b":"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.lists(LINE_BYTES, max_size=40).map(b"".join)))
def test_twins_agree_on_arbitrary_bytes(data):
    results = {label: _run(mod, data) for label, mod in IMPLS}
    assert len(set(map(repr, results.values()))) == 1, results


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_twins_agree_on_value_kind_and_split_tst(text):
    kinds = {label: (mod.value_kind(text), mod.split_tst(text)) for label, mod in IMPLS}
    assert len(set(kinds.values())) == 1, kinds


def _slow(obis, channel, t, ts, strict):
    return Reading._make(obis, ("slow",) + t[1:], None, None, channel, None, None)


def test_make_readings_twins_agree():
    from hanparse.obis import Obis

    obis = Obis.parse("1-0:1.8.1")
    clock = Obis.parse("0-0:1.0.0")
    entries = {"a": (obis, None, _slow, None, -1, 1), "id": (obis, 2, _slow, None, 1, 1),
               "clock": (clock, None, _slow, None, 100, 0), "txt": (obis, None, _slow, None, -1, 2),
               "hex": (obis, None, _slow, None, -1, 3)}
    lines = [("a", "1.5", "kWh", 2), ("a", "7", None, 1), ("a", "x", None, 4), ("a", "1", "A", 1, "2", "A", 1),
             ("clock", "t", None, 4), ("id", "9", None, 1), ("new", "3", None, 1), ("txt", "0002", None, 1),
             ("txt", "", None, 0), ("hex", "4142", None, 4), ("hex", "0000", None, 1), ("hex", "4343", None, 4),
             ("hex", "", None, 0)]

    def entry_for(ident):
        return (obis, 4, _slow, None, 0, 1)

    results = []
    for _label, mod in IMPLS:
        out = mod.make_readings(lines, dict(entries), entry_for, None, False, Reading, {"4142": "AB", "0000": None})
        results.append(out)
        readings, clock_at, id_at = out
        assert readings[0] == Reading._make(obis, 1.5, "kWh", None, None, None, None)
        assert readings[1].value == 7 and type(readings[1].value) is int
        assert readings[2].value == ("slow", "x", None, 4)
        assert readings[3].value[0] == "slow"
        assert clock_at == 4 and id_at == 6
        assert readings[6].channel == 4
        assert readings[7].value == "0002" and readings[8].value is None
        assert (readings[9].value, readings[9].raw) == ("AB", "4142")
        assert (readings[10].value, readings[10].raw) == ("0000", None)
        assert readings[11].value == ("slow", "4343", None, 4)  # not cached: the converter decides
        assert readings[12].value is None
    assert results[0] == results[-1]
    for _label, mod in IMPLS:
        with pytest.raises(DecodeError, match="repaired"):
            mod.make_readings([("a", "1", None, 1)], {"a": (obis, None, _slow, "repaired", -1, 0)},
                              entry_for, None, True, Reading, {})


def _telegram_outcome(monkeypatch, mod, data, **kw):
    from hanparse.dsmr import grammar

    monkeypatch.setattr(grammar, "_tok", mod)
    try:
        msg = grammar.parse_telegram(data, **kw)
    except DecodeError as exc:  # noqa: F841 - compared by type, message and offset below
        return ("error", type(exc).__name__, str(exc), exc.offset)
    except Exception as exc:  # HanParseError subclasses other than DecodeError
        assert isinstance(exc, __import__("hanparse").HanParseError), repr(exc)
        return ("error", type(exc).__name__, str(exc), exc.offset)
    return ("ok", msg.meter, msg.timestamp, msg.readings, msg.raw, msg.warnings)


def _p1_fixtures():
    from fixture_files import data, entries

    return [pytest.param(data(e), id=e["id"]) for e in entries("p1_ascii")]


@pytest.mark.parametrize("telegram", _p1_fixtures())
def test_whole_telegram_twins_agree_on_fixtures_and_mutations(monkeypatch, telegram):
    """parse_telegram on both twins (the compiled one parses lines straight from
    the bytes): same readings, meter, clock and raw, or the same error, for every
    P1 fixture, four option sets and seeded random byte mutations; caches warm."""
    import random

    rng = random.Random(telegram[:40])
    inputs = [telegram]
    for _ in range(20):
        b = bytearray(telegram)
        for _k in range(rng.randint(1, 3)):
            j = rng.randrange(len(b))
            b[j] = rng.choice(b"()*!/:.-0123456789SWkWh\r\n\x00\xff ")
        inputs.append(bytes(b))
    for kw in ({}, {"strict": True}, {"tz": None}, {"verify_crc": False}):
        for data in inputs:
            outs = [_telegram_outcome(monkeypatch, mod, data, **kw) for _label, mod in IMPLS for _ in (0, 1)]
            assert all(o == outs[0] for o in outs), (kw, data)


ODD_LINES = [b"1-0:0.2.0((ER11))", b"1-1:31.4.0(100.0*A,-100.0*A)", b"1-0:1.6.0(08.796*kW)(260102010000)",
             b"0-1:24.2.1(150701190000s)(00845.206*m3)", b"0-0:1.0.0(07E8061C050A2B2B00FF8880)", b"1-0:2.8.0()",
             b"0-1:24.2.1(0)", b"hello(1)", b"1-0:1.7.0", b"0-1:24.2.1(0*m3,1*m3)", b"1-0:1.7.0(1*kW,x*kW)"]


@pytest.mark.parametrize("line", ODD_LINES)
def test_twins_agree_on_odd_lines(monkeypatch, line):
    """The tolerant path (one line at a time after a failed pass) gives the same Message on both twins."""
    from hanparse.dsmr import build

    base = [b"/ISk5\\2MT382-1000", b"", b"0-0:1.0.0(101209113020W)", b"1-0:1.8.1(001581.123*kWh)"]
    data = build(b"\r\n".join(base + [line, b"1-0:1.7.0(01.193*kW)"]).decode("latin-1"), crc=True)
    for kw in ({}, {"strict": True}, {"tz": None}):
        outs = [_telegram_outcome(monkeypatch, mod, data, **kw) for _label, mod in IMPLS for _ in (0, 1)]
        assert all(o == outs[0] for o in outs), (kw, outs)
    if b"(" in line and line.count(b"(") == line.count(b")"):
        assert outs[0][0] == "ok"  # readable groups never cost the telegram
