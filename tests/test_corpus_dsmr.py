"""Corpus: every P1 telegram in fixtures/p1_ascii against its .expected.json.

``<name>.expected.json`` lists the outcome (ok / ChecksumError /
IncompleteError / FrameError), the meter info, the clock and ALL readings
(obis, value, unit, timestamp, channel, raw, whether a warning is set).
Each file says where it comes from in ``derived_from``: the independent
line reader ``tests/_p1_oracle.py`` (no hanparse code; regenerate with
``python -m tests._p1_oracle --write``), or, for telegrams their source
declares corrupt, the source's outcome plus the oracle's CRC pair.  This
module checks that the files are what the oracle gives, and that the
oracle reproduces the values each fixture's source states (``expected``
in the fixture entry): spec-example values, amshan's parsed groups,
dsmr_parser's values and UTC instants.

Fixtures whose printed CRC is wrong (spec examples) are checked twice: the
CRC error with its expected/actual values, and the readings with
``verify_crc=False``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List

import pytest

from conftest import implementations
from hanparse.dsmr import DemandPeak, PowerFailureLog, grammar, parse_data_lines, parse_telegram
from hanparse.dsmr import timestamps as tsmod
from hanparse.errors import ChecksumError, FrameError, HanParseError, IncompleteError
from tests import _p1_oracle
from tests.fixture_files import ROOT, data, entries

ERRORS = {"ChecksumError": ChecksumError, "IncompleteError": IncompleteError, "FrameError": FrameError}
ENTRIES = entries("p1_ascii")
IDS = [e["id"] for e in ENTRIES]


def _expected(entry: Dict[str, Any]) -> Dict[str, Any]:
    name = entry["id"].replace(":", "__")
    return json.loads((ROOT / "p1_ascii" / (name + ".expected.json")).read_text(encoding="utf-8"))


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in implementations("dsmr")])
def dsmr(request, monkeypatch):
    monkeypatch.setattr(grammar, "_tok", request.param)
    monkeypatch.setattr(tsmod, "_tok", request.param)
    return request.param


def _plain(value: Any) -> Any:
    """A decoded value in the JSON shape of the expected files."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, PowerFailureLog):
        return {"count": value.count, "buffer_obis": None if value.buffer_obis is None else str(value.buffer_obis),
                "events": [{"end": _plain(e.end), "duration": e.duration, "unit": e.unit, "raw_end": e.raw_end}
                           for e in value.events]}
    if isinstance(value, DemandPeak):
        return {"start": _plain(value.start), "occurred": _plain(value.occurred), "value": value.value,
                "unit": value.unit, "raw_start": value.raw_start, "raw_occurred": value.raw_occurred}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _as_expected(reading) -> Dict[str, Any]:
    return {"obis": str(reading.obis), "value": _plain(reading.value), "unit": reading.unit,
            "timestamp": _plain(reading.timestamp), "channel": reading.channel, "raw": _plain(reading.raw),
            "warning": reading.warning is not None}


def _same(got: Any, want: Any) -> bool:
    """Equal, with int/float kept apart (1 and 1.0 differ)."""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(_same, got, want))
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    return type(got) is type(want) and got == want


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_corpus(dsmr, entry):
    exp = _expected(entry)
    raw = data(entry)
    if exp["outcome"] != "ok":
        with pytest.raises(ERRORS[exp["outcome"]]) as info:
            parse_telegram(raw)
        if exp["outcome"] == "ChecksumError":
            assert (info.value.expected, info.value.actual) == (exp["checksum"]["expected"], exp["checksum"]["actual"])
            assert entry["checks"]["p1_crc"]["computed"] == "%04X" % info.value.expected
        if "readings" not in exp:
            return
    msg = parse_telegram(raw, verify_crc=exp["outcome"] != "ChecksumError")
    assert msg.meter.to_dict() == dict(exp["meter"], list_id=None, system_title=None, profile=None)
    assert _plain(msg.timestamp) == exp["timestamp"]
    got = [_as_expected(r) for r in msg.readings]
    assert len(got) == len(exp["readings"])
    for g, w in zip(got, exp["readings"]):
        assert _same(g, w), (g, w)
    if entry["checks"] and entry["checks"]["p1_crc"]["ok"]:
        assert entry["checks"]["p1_crc"]["in_telegram"] is not None  # the CRC was verified above


# ---------------------------------------------------------------------------
# the expected files against the values the sources state
# ---------------------------------------------------------------------------

AMS = tsmod.ZoneInfo("Europe/Amsterdam")


def _first(exp: Dict[str, Any], obis: str) -> Dict[str, Any]:
    full = obis if obis.count(".") == 3 else obis + ".255"
    for r in exp["readings"]:
        if r["obis"] == full:
            return r
    raise AssertionError("%s missing from the expected file" % obis)


def _num_equal(got: Any, source: Any) -> bool:
    return isinstance(got, (int, float)) and abs(float(got) - float(source)) < 1e-9


def _flag_contradicts(raw: str) -> bool:
    """True when the S/W flag of ``raw`` disagrees with Amsterdam's rules (hanparse trusts the flag)."""
    yy, mo, d, h, mi, s = (int(raw[i:i + 2]) for i in range(0, 12, 2))
    local = dt.datetime(2000 + yy, mo, d, h, mi, s, tzinfo=AMS)
    return bool(local.dst()) != (raw[12] == "S")


def _check_utc(got_iso: str, raw: str, source_utc: str) -> None:
    got = dt.datetime.fromisoformat(got_iso)
    want = dt.datetime.fromisoformat(source_utc)
    if _flag_contradicts(raw):
        # dsmr_parser applies Amsterdam's rules and ignores the flag; hanparse trusts the flag
        shift = dt.timedelta(hours=1) if raw[12] == "S" else -dt.timedelta(hours=1)
        assert got == want - shift, (raw, got_iso, source_utc)
    else:
        assert got == want, (raw, got_iso, source_utc)


def _check_source_value(r: Dict[str, Any], src: Any, entry_id: str) -> None:
    if isinstance(src, list):  # amshan / spec example: the groups as text
        if isinstance(r["value"], dict) and "events" in r["value"]:  # power-failure log
            log = r["value"]
            assert str(log["count"]) == src[0]["value"].lstrip("0") or log["count"] == int(src[0]["value"])
            assert log["buffer_obis"] == src[1]["value"] + ".255"
            assert [e["raw_end"] for e in log["events"]] == [g["value"] for g in src[2::2]]
            assert [e["duration"] for e in log["events"]] == [int(g["value"]) for g in src[3::2]]
            return None
        texts = r["raw"] if isinstance(r["raw"], list) else None
        if texts is None:
            return _check_groups(r, src)
        assert [t.split("*")[0] for t in texts] == [g["value"] for g in src]
        return None
    value = src.get("value")
    if "dst_active" in src:  # spec example timestamp: naive local text + flag
        if value is None:
            assert r["value"] is None and r["warning"]
        else:
            got = r["value"] if r["value"] is not None else r["timestamp"]
            assert got.startswith(value)
        assert r["raw"] == src["raw"]
        return None
    if "capture_time" in src:
        assert r["timestamp"].startswith(src["capture_time"]["value"])
    if "count" in src:  # power-failure log in the spec-example form
        log = r["value"]
        assert log["count"] == src["count"] and log["buffer_obis"] == src["buffer_obis"] + ".255"
        for ev, sev in zip(log["events"], src["entries"]):
            assert ev["end"].startswith(sev["end_of_failure"]["value"]) and ev["duration"] == sev["duration"]["value"]
        return None
    if "buffer_length" in src:  # dsmr_parser's log
        log = r["value"]
        assert log["count"] == src["buffer_length"] and log["buffer_obis"] == src["buffer_type"] + ".255"
        for ev, sev in zip(log["events"], src.get("buffer", [])):
            assert ev["duration"] == sev["value"] and ev["unit"] == sev["unit"]
            _check_utc(ev["end"], ev["raw_end"], sev["datetime"])
        return None
    if "unit" in src and src["unit"] is not None:
        assert r["unit"] == src["unit"]
    if "raw" in src:
        assert r["raw"] == src["raw"]
    if src.get("dsmr_parser_type") == "datetime":
        _check_utc(r["value"], r["raw"], value)
        return None
    if "datetime" in src and src["datetime"]:
        raw = _raw_stamp(r)
        _check_utc(r["timestamp"], raw, src["datetime"])
    if value is None:
        assert r["value"] in (None, 0, 0.0) or "unit" not in src or r["value"] is None
        return None
    if value == "":
        assert r["value"] is None  # an empty group
        return None
    if src.get("dsmr_parser_type") == "int" and isinstance(r["raw"], str):
        # dsmr_parser reads the hex message code with decimal int() (pitfalls.md section 6)
        assert r["raw"] == str(value), (r, src)
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert _num_equal(r["value"], value), (r, src)
    elif isinstance(value, str):
        got = r["value"]
        if isinstance(got, (int, float)):
            assert _num_equal(got, value.replace(",", ".")), (r, src)
        elif r["raw"] is not None and not isinstance(r["raw"], list) and src.get("dsmr_parser_type") != "datetime":
            assert value in (r["raw"], got), (r, src)  # hex sources give the hex text
        elif got is None and r["raw"] is not None:
            assert r["raw"] == value
        else:
            assert got == value or (r["raw"] == value), (r, src)
    return None


def _raw_stamp(r: Dict[str, Any]) -> str:
    return r.get("_raw_stamp") or r["_line_stamp"]


def _check_groups(r: Dict[str, Any], src: List[Dict[str, Any]]) -> None:
    """amshan / spec-example list of groups for (TST)(value) lines."""
    assert len(src) == 2
    assert _num_equal(r["value"], src[1]["value"]) or (r["value"] is None and src[1]["value"] == "")
    assert r["unit"] == src[1].get("unit")
    if src[0]["value"].startswith("632525252525"):
        assert r["timestamp"] is None and r["warning"]
    else:
        stamp = src[0]["value"]
        want = "20%s-%s-%sT%s:%s:%s" % (stamp[0:2], stamp[2:4], stamp[4:6], stamp[6:8], stamp[8:10], stamp[10:12])
        assert r["timestamp"].startswith(want)


def _line_stamps(entry: Dict[str, Any]) -> Dict[str, str]:
    """The first TST group of each (TST)(value) line of the telegram text, by OBIS id."""
    out = {}
    for line in data(entry).decode("latin-1").splitlines():
        if line[:1].isdigit() and ")(" in line:
            ident, _, rest = line.partition("(")
            out.setdefault(ident, rest.split(")")[0])
    return out


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_expected_files_are_the_oracles_output(entry):
    """Every expected file is exactly what the independent reader derives, and says so."""
    exp = _expected(entry)
    assert exp == _p1_oracle.derive(entry)
    assert exp["derived_from"].startswith(("oracle: tests/_p1_oracle.py", "source (outcome"))


SOURCED = [e for e in ENTRIES if (e.get("expected") or {}).get("obis")]


@pytest.mark.parametrize("origin", ["expected file", "oracle"])
@pytest.mark.parametrize("entry", SOURCED, ids=[e["id"] for e in SOURCED])
def test_expected_files_agree_with_the_sources(entry, origin):
    exp = _expected(entry) if origin == "expected file" else _p1_oracle.derive(entry)
    if "readings" not in exp:  # non-telegram fixtures: checked by the data-line test below
        return
    stamps = _line_stamps(entry)
    for key, src in entry["expected"]["obis"].items():
        if ":" not in key:
            continue  # "dsmr_version" and similar notes
        if key == "0-0:98.1.0" and isinstance(src, list) and src and "occurred" in src[0]:
            rows = _first(exp, key)["value"]
            assert len(rows) == len(src)
            for row, srow in zip(rows, src):
                assert _num_equal(row["value"], srow["value"]) and row["unit"] == srow["unit"]
                _check_utc(row["start"], row["raw_start"], srow["datetime"])
                if srow["occurred"] is None:
                    assert row["occurred"] is None
                else:
                    _check_utc(row["occurred"], row["raw_occurred"], srow["occurred"])
            continue
        r = dict(_first(exp, key))
        r["_line_stamp"] = stamps.get(key, "")
        _check_source_value(r, src, entry["id"])
    ident = entry["expected"].get("identification") or (entry["expected"].get("readout") or {}).get("identification")
    if ident:
        assert "/" + exp["meter"]["identification"] == ident


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["id"].startswith("amshan:p1:synthetic_multi")],
                         ids=lambda e: e["id"])
def test_bare_data_lines(dsmr, entry):
    """amshan's synthetic line fixtures are data lines without a telegram around them."""
    exp = _expected(entry)
    assert exp["outcome"] == "FrameError"
    with pytest.raises(FrameError):
        parse_telegram(data(entry))
    readings = parse_data_lines(data(entry))
    src = entry["expected"]["obis"]
    log = readings[0].value
    assert isinstance(log, PowerFailureLog) and log.count == 5 and str(log.buffer_obis) == "0-0:96.7.19.255"
    assert [e.duration for e in log.events] == [5627, 43178677]
    assert [e.raw_end for e in log.events] == ["170520130938S", "170325044014W"]
    if "0-0:1.0.0" in src:
        assert readings[1].raw == src["0-0:1.0.0"]["value"]
        assert readings[1].value == dt.datetime(2018, 9, 24, 13, 21, 32, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    else:
        assert [g["value"] for g in src["1-0:99.97.0"]][2:] == ["170520130938S", "0000005627", "170325044014W",
                                                                "0043178677"]


def test_junk_is_rejected(dsmr):
    with pytest.raises(HanParseError):
        parse_telegram(data(next(e for e in ENTRIES if e["id"] == "amshan:p1:synthetic_junk")))


def test_every_fixture_has_an_expected_file():
    names = {p.name for p in (ROOT / "p1_ascii").glob("*.expected.json")}
    for e in ENTRIES:
        assert e["id"].replace(":", "__") + ".expected.json" in names


STREAM = [e for e in entries("stream") if e["id"].startswith("dsmr_parser:stream-buffer-v42_telegram")]


@pytest.mark.parametrize("entry", STREAM[:1], ids=lambda e: e["id"])
def test_stream_fixture_telegram(dsmr, entry):
    """The V4.2 telegram inside dsmr_parser's stream fixtures decodes like TELEGRAM_V4_2."""
    blob = data(entry)
    start = blob.index(b"/KFM5")
    end = blob.index(b"\n", blob.index(b"!", start)) + 1
    msg = parse_telegram(blob[start:end])
    v42 = parse_telegram(data(next(e for e in ENTRIES if e["id"] == "dsmr_parser:TELEGRAM_V4_2")))
    assert msg.readings == v42.readings
