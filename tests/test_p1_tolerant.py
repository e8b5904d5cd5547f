"""Tolerant P1 lines: odd lines seen on real meters, inside a real telegram.

Each case of ``fixtures/p1_ascii/odd/odd_lines.json`` inserts (or
replaces) lines in the Fluvius V171 telegram of dsmr_parser's tests; the
CRC-16/ARC is recomputed here with the independent ``helpers.crc16_arc``.
The expected values in the fixture were written by hand from the line texts
and the documents each case names.  Every case is decoded by
``hanparse.parse_frame``, by ``hanparse.StreamDecoder`` and by the CLI
``hanparse decode``, on both implementations, and checked for:

* the other readings: exactly those of the unmodified telegram;
* the odd line: its value, unit, timestamp, channel and raw text, or its
  warning (a Reading's ``warning`` or a message-level warning).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import hanparse
from hanparse import Message, StreamDecoder
from hanparse.dsmr import mbus_devices
from hanparse.errors import DecodeError
from tests.fixture_files import ROOT, data, entry
from tests.helpers import crc16_arc
from tests.impl_switch import available, use_implementation

ODD = json.loads((ROOT / "p1_ascii" / "odd" / "odd_lines.json").read_text(encoding="utf-8"))
BASE = entry(ODD["base"])
CASES = ODD["cases"]
IMPLS = available()


def _with_crc(body: str) -> bytes:
    """``body`` up to and including ``!`` plus its CRC-16/ARC line."""
    raw = body.encode("latin-1")
    return raw + b"%04X\r\n" % crc16_arc(raw)


def build_case(case: Dict[str, Any]) -> Tuple[bytes, int, int]:
    """(telegram, index of the first odd data line, number of base lines it replaced)."""
    text = data(BASE).decode("latin-1")
    lines = text[:text.index("!")].split("\r\n")
    key = case.get("after") or case["replace"]
    at = next(i for i, line in enumerate(lines) if line.startswith(key + "("))
    if "after" in case:
        at += 1
        lines[at:at] = case["lines"]
        replaced = 0
    else:
        lines[at:at + 1] = case["lines"]
        replaced = 1
    return _with_crc("\r\n".join(lines) + "!"), at - 2, replaced  # two lines before the data: ident, blank


def test_cases_change_the_telegram():
    for case in CASES:
        telegram, _at, _n = build_case(case)
        assert telegram != data(BASE)
        assert telegram.endswith(b"\r\n") and telegram[:1] == b"/"


@pytest.fixture(params=IMPLS)
def impl(request, monkeypatch):
    use_implementation(request.param, monkeypatch)
    return request.param


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def _same(got: Any, want: Any) -> bool:
    """Equal, with int and float kept apart."""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(_same, got, want))
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    return type(got) is type(want) and got == want


def check_reading(reading: hanparse.Reading, want: Dict[str, Any]) -> None:
    got = {"obis": str(reading.obis), "value": _plain(reading.value), "unit": reading.unit,
           "timestamp": _plain(reading.timestamp), "channel": reading.channel, "raw": _plain(reading.raw)}
    for field in got:
        assert _same(got[field], want[field]), (field, got, want)
    if want["warning"] is None:
        assert reading.warning is None, reading
    else:
        assert reading.warning is not None and want["warning"] in reading.warning, reading


def check_message(case: Dict[str, Any], msg: Message, base: Message) -> None:
    telegram, at, replaced = build_case(case)
    want = case["expect"]
    readings = list(msg.readings)
    odd = readings[at:at + len(want)]
    others = readings[:at] + readings[at + len(want):]
    kept = list(base.readings)
    del kept[at:at + replaced]
    assert others == kept  # every other reading exactly as in the unmodified telegram
    for r, w in zip(odd, want):
        check_reading(r, w)
    line_no = at + 3  # 1-based: identification line, blank line, then data
    if "message_warning" in case:
        assert len(readings) == len(base.readings) - replaced
        own = [w for w in msg.warnings if w.startswith("line ")]
        assert own == ["line %d `%s`: %s" % (line_no, case["lines"][0], own[0].split(": ", 1)[1])]
        assert case["message_warning"] in own[0]
    else:
        assert not any(w.startswith("line ") for w in msg.warnings)
        reading_warnings = [w for w in want if w["warning"]]
        assert len(msg.warnings) == len(reading_warnings) + len(base.warnings)
    if "clock" in case:
        assert _plain(msg.timestamp) == case["clock"]
    else:
        assert msg.timestamp == base.timestamp
    if "devices" in case:
        devices = mbus_devices(msg)
        assert sorted(devices) == [int(k) for k in case["devices"]]
        for key, w in case["devices"].items():
            d = devices[int(key)]
            got = {"device_type": d.device_type, "equipment_id": d.equipment_id, "value": d.value, "unit": d.unit,
                   "timestamp": _plain(d.timestamp)}
            assert _same(got, w), (key, got, w)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_parse_frame(impl, case):
    telegram, _at, _n = build_case(case)
    base = hanparse.parse_frame(data(BASE))
    assert base.warnings == ()
    msg = hanparse.parse_frame(telegram)
    check_message(case, msg, base)
    # str input too, and the same through parse_telegram
    assert hanparse.parse_frame(telegram.decode("latin-1")) == msg
    assert hanparse.dsmr.parse_telegram(telegram).readings == msg.readings


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_stream_decoder(impl, case):
    telegram, _at, _n = build_case(case)
    base = hanparse.parse_frame(data(BASE))
    for step in (1, 7, len(telegram)):
        decoder = StreamDecoder()
        out: List[Message] = []
        for i in range(0, len(telegram), step):
            out += decoder.feed(telegram[i:i + step])
        out += decoder.flush()
        assert len(out) == 1
        check_message(case, out[0], base)
        stats = decoder.stats.as_dict()
        assert stats["warnings"] == len(out[0].warnings)
        assert stats["messages_with_warnings"] == (1 if out[0].warnings else 0)


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] and c["expect"][0]["warning"]
                                  or "message_warning" in c], ids=lambda c: c["name"])
def test_strict_mode_still_rejects_what_it_rejected(impl, case):
    """strict=True: unreadable lines raise DecodeError as before (placeholders and capture-time notes do not)."""
    telegram, _at, _n = build_case(case)
    unreadable = "message_warning" in case or "unclosed" in (case["expect"][0]["warning"] or "")
    if unreadable:
        with pytest.raises(DecodeError):
            hanparse.parse_frame(telegram, strict=True)
    else:
        hanparse.parse_frame(telegram, strict=True)


def _cli(label: str, path: Path) -> List[Dict[str, Any]]:
    env = dict(os.environ)
    env.pop("HANPARSE_PURE_PYTHON", None)
    if label == "python":
        env["HANPARSE_PURE_PYTHON"] = "1"
    out = subprocess.run([sys.executable, "-m", "hanparse", "decode", str(path), "--format", "json"],
                         capture_output=True, env=env, timeout=120, cwd=str(ROOT.parent))
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.decode("utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("label", IMPLS)
def test_cli_decode(label, tmp_path):
    """All cases in one capture file through ``hanparse decode``, once per implementation."""
    path = tmp_path / "odd.txt"
    path.write_bytes(b"".join(build_case(c)[0] for c in CASES))
    messages = _cli(label, path)
    assert len(messages) == len(CASES)
    base = _cli(label, _write(tmp_path / "base.txt", data(BASE)))[0]
    for case, msg in zip(CASES, messages):
        _telegram, at, replaced = build_case(case)
        want = case["expect"]
        readings = msg["readings"]
        kept = list(base["readings"])
        del kept[at:at + replaced]
        assert readings[:at] + readings[at + len(want):] == kept, case["name"]
        for r, w in zip(readings[at:at + len(want)], want):
            assert r["obis"] == w["obis"] and _same(r["value"], w["value"]) and r["unit"] == w["unit"], (r, w)
            assert r.get("timestamp") == w["timestamp"] and r.get("raw") == w["raw"], (r, w)
            if w["warning"]:
                assert w["warning"] in r["warning"]
            else:
                assert "warning" not in r
        if "message_warning" in case:
            assert any(case["message_warning"] in w and w.startswith("line %d " % (at + 3)) for w in msg["warnings"])


def _write(path: Path, blob: bytes) -> Path:
    path.write_bytes(blob)
    return path
