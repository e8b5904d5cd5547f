"""Where the binary expected files' values come from (issue 11, part 5).

(a) every ``fixtures/{hdlc,dlms_apdu,mbus}/*.expected.json`` names its origin
    in ``derived_from``;
(b) the oracle-derived ones are exactly what tests/_axdr_oracle.py computes
    from the bytes today (so nobody can hand-edit or paste decoder output
    into them);
(c) the oracle agrees with every value the fixture entries' ``expected``
    blocks state (the sources' own assertions), so the oracle is checked
    against the sources wherever they say something.

The oracle shares no code with hanparse; this file does not import hanparse
either.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import _axdr_oracle as O

PAIRS = [(O.load(ep), O.load(xp), xp) for ep, xp in O.expected_paths()]
IDS = [e["id"] for e, _x, _p in PAIRS]


def test_oracle_imports_nothing_from_hanparse() -> None:
    tree = ast.parse(Path(O.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not any(n.split(".")[0] == "hanparse" for n in names), names


@pytest.mark.parametrize("e,exp,path", PAIRS, ids=IDS)
def test_every_binary_expected_file_names_its_origin(e: Dict[str, Any], exp: Dict[str, Any], path: Path) -> None:
    origin = exp.get("derived_from")
    assert isinstance(origin, str) and origin.strip(), path.name
    assert origin.startswith(("source", "oracle: tests/_axdr_oracle.py", "values: ")), origin
    assert "throwaway" not in exp.get("values_from", ""), path.name


ORACLE_PAIRS = [p for p in PAIRS if O.is_oracle_file(p[1])]


def test_the_push_list_fixtures_are_oracle_derived() -> None:
    # every push-object-list body with an expected file and no stated readings is derived by the oracle
    ids = {e["id"] for e, _x, _p in ORACLE_PAIRS}
    for e, _x, _p in PAIRS:
        body = O.entry_notification(e).body
        if O.push_list_objects(body) is not None:
            assert e["id"] in ids, e["id"]
    assert len(ids) >= 10


@pytest.mark.parametrize("e,exp,path", ORACLE_PAIRS, ids=[p[0]["id"] for p in ORACLE_PAIRS])
def test_oracle_reproduces_the_file(e: Dict[str, Any], exp: Dict[str, Any], path: Path) -> None:
    assert O.rendered(e, exp) == exp, "re-run: python tests/_axdr_oracle.py --write"


# ---------------------------------------------------------------- (c) stated values

#: stated values the oracle must NOT reproduce, each with the reason (taken from the entry's notes /
#: the expected file): these are the source's artefacts, not meter values
NOT_READINGS: Dict[str, str] = {
    # entry notes: "The values asserted by the source (all 0.0, keyed by the descriptor OBIS codes) are what
    # dlms_parser's pattern extracts from the descriptors, not meter readings."
    "dlms:dlms_parser_raw_energomera": "not meter readings",
}

#: esphome dlms_parser renders an entry's value per its own pattern; where the wire disagrees, the wire wins:
#: {(entry, obis): reason}
WIRE_WINS: Dict[Tuple[str, str], str] = {
    # class 40 attribute 1 of the push setup: the value on the wire is its logical name 09 06 00 02 19 09 00 FF
    # (dlms.md 2.3); dlms_parser reports an empty string
    ("dlms:dlms_parser_raw_egd_example", "0-2:25.9.0.255"): "push setup logical name",
    ("dlms:dlms_parser_raw_sagecom_xt211", "0-2:25.9.0.255"): "push setup logical name",
}

AXDR_TYPE_TAGS = {"null_data": 0x00, "array": 0x01, "structure": 0x02, "boolean": 0x03, "bit_string": 0x04,
                  "double_long": 0x05, "double_long_unsigned": 0x06, "octet_string": 0x09,
                  "visible_string": 0x0A, "utf8_string": 0x0C, "integer": 0x0F, "long": 0x10,
                  "unsigned": 0x11, "long_unsigned": 0x12, "long64": 0x14, "long64_unsigned": 0x15,
                  "enum": 0x16, "float32": 0x17, "float64": 0x18}

#: scs/smartmeter-datacollector's own names in source_fields -> OBIS code of the value it asserts
#: (tests/test_lge450.py compares them with the reader's 1-0:1.7.0, 1-1:1.8.0, 1-0:32.7.0, 1-0:31.7.0 objects)
SOURCE_FIELD_OBIS = {"ACTIVE_POWER_P": "1-0:1.7.0.255", "ACTIVE_ENERGY_P": "1-1:1.8.0.255",
                     "VOLTAGE_L1": "1-0:32.7.0.255", "CURRENT_L1": "1-0:31.7.0.255",
                     "source": "0-0:42.0.0.255"}


def _iso_naive(text: str) -> str:
    """A stated clock as naive ISO text ("2019-12-16 07:59:40" / "07/06/21 14:58:18" / "04.05.2026 11:39:21")."""
    text = text.split(" (")[0]
    if text[-6:-5] in "+-" and text[-3:-2] == ":":  # stated with an offset: the local part
        text = text[:-6]
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%y %H:%M:%S", "%d.%m.%Y %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).isoformat()
        except ValueError:
            pass
    raise ValueError(text)


def _clock_naive(raw: bytes) -> str:
    d = O.datetime_of(raw, check_status=False)
    assert d is not None
    return d.replace(tzinfo=None).isoformat()


def _same_number(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool) and float(a) == float(b)


def _check_value(o: O.Obj, stated: Any, where: str) -> None:
    """One stated value (a scalar or a {value, raw, raw_hex, scaler, unit} record) against the oracle's object."""
    rec = stated if isinstance(stated, dict) else {"value": stated}
    raw = o.value.value
    if "raw_hex" in rec:
        assert isinstance(raw, bytes) and raw.hex() == rec["raw_hex"], where
    if "raw" in rec:
        assert raw == rec["raw"], where
    scaler = o.scaler
    if o.scaler is None and "scaler" in rec:
        # no scaler_unit on the wire (Kamstrup): the record's scaler and unit are the document's implicit
        # ones; check the stated value is the raw integer scaled by them
        scaler = rec["scaler"]
    else:
        if "scaler" in rec:
            assert (o.scaler or 0) == rec["scaler"], where
        if "unit" in rec:
            assert O.UNITS.get(o.unit if o.unit is not None else 255) == rec["unit"], where
    if "value" not in rec:
        return
    want = rec["value"]
    if O.is_clock(o.obis) and isinstance(raw, bytes) and len(raw) == 12:
        assert _clock_naive(raw) == _iso_naive(want), where
    elif isinstance(want, str):
        assert O.value_of(o) == want, where
    else:
        got = O.scaled(raw, scaler) if scaler is not None else raw
        assert _same_number(got, want), (where, got, want)


STATED = [p for p in PAIRS if p[0].get("expected")]


@pytest.mark.parametrize("e,exp,path", STATED, ids=[p[0]["id"] for p in STATED])
def test_oracle_reproduces_the_stated_values(e: Dict[str, Any], exp: Dict[str, Any], path: Path) -> None:
    stated = e["expected"]
    n = O.entry_notification(e)
    objs = O.objects(n) or []
    by_obis: Dict[str, O.Obj] = {o.obis: o for o in objs}
    checked = 0
    if e["id"] in NOT_READINGS:
        assert NOT_READINGS[e["id"]] in e["notes"]
        # the oracle reads real values there, so it does not reproduce the source's zeros
        assert any(O.value_of(by_obis[k]) != v for k, v in stated["obis"].items() if k in by_obis)
        return
    for obis, want in (stated.get("obis") or {}).items():
        if (e["id"], obis) in WIRE_WINS:
            assert O.value_of(by_obis[obis]) != want
            continue
        assert obis in by_obis, obis
        _check_value(by_obis[obis], want, obis)
        checked += 1
    for obis, name in (stated.get("axdr_types") or {}).items():
        if obis.startswith("item["):
            node = [m for m in O.self_described(n.body)[1] if m.tag != 0x00][int(obis[5:-1])]
        else:
            node = by_obis[obis].value
        assert node.tag == AXDR_TYPE_TAGS[name], obis
        checked += 1
    if "element_count" in stated:
        # amshan's tests count the top-level members (Aidon, Kaifa NO, Kamstrup) or, for the Swedish Kaifa
        # flat list, its OBIS/value pairs (toreamun/amshan:tests/test_kaifa.py, se_list: 18 = 0x24 / 2)
        assert stated["element_count"] in (len(n.body.value), len(objs))
        checked += 1
    if "items" in stated:  # the members without an OBIS code, in order (all of them for Kaifa NO)
        members = [m for m in O.self_described(n.body)[1] if m.tag != 0x00]  # null padding is not an item
        assert len(members) == len(stated["items"])
        for i, (m, want) in enumerate(zip(members, stated["items"])):
            if m.tag == 9 and len(m.value) == 12 and isinstance(want, str) and want[:2] == "20":
                assert _clock_naive(m.value) == _iso_naive(want), i
            else:
                assert O.plain(m) == want, i
            checked += 1
    apdu = stated.get("apdu") or {}
    if "date_time" in apdu:
        want_dt = apdu["date_time"]
        if want_dt is None:
            assert n.clock is None
        else:
            rec = want_dt if isinstance(want_dt, dict) else {"value": want_dt}
            assert n.clock is not None
            if "raw_hex" in rec:
                assert n.clock.hex() == rec["raw_hex"]
            assert _clock_naive(n.clock) == _iso_naive(rec["value"])
        checked += 1
    if "long_invoke_id_and_priority" in apdu:
        assert O.entry_apdus(e)[0][1:5].hex() == apdu["long_invoke_id_and_priority"]
        checked += 1
    info = (stated.get("hdlc") or {}).get("information_hex")
    if info:
        assert b"".join(f.information for f in O.hdlc_frames(bytes.fromhex(e["hex"]))).hex() == info
        checked += 1
    for name, want in (stated.get("source_fields") or {}).items():
        if name == "timestamp":
            o = by_obis["0-0:1.0.0.255"]
            assert _clock_naive(o.value.value) == _iso_naive(want)
        else:
            r = _oracle_reading(e, SOURCE_FIELD_OBIS[name])
            assert r["value"] == want and type(r["value"]) is type(want), (name, r, want)
        checked += 1
    assert checked or set(stated) <= {"amshan_fields", "amshan_field_count", "outcome", "document_states"}


def _oracle_reading(e: Dict[str, Any], obis: str) -> Dict[str, Any]:
    return next(r for r in O.derive(e)["readings"] if r["obis"] == obis)


# ---------------------------------------------------------------- the oracle's own building blocks


def test_axdr_length_forms() -> None:
    for raw, want in ((b"\x05", 5), (b"\x81\x80", 128), (b"\x82\x01\x09", 265), (b"\x84\x00\x00\x01\x00", 256)):
        assert O.AXDR_LENGTH.parse(raw) == want


def test_data_tags_and_signs() -> None:
    cases: List[Tuple[str, int, Any]] = [
        ("0fff", 0x0F, -1), ("10fffe", 0x10, -2), ("05ffffffff", 0x05, -1), ("1100ff"[:4], 0x11, 0),
        ("1203e8", 0x12, 1000), ("060000157e", 0x06, 5502), ("1500000000000000ff", 0x15, 255),
        ("140000000000000001", 0x14, 1), ("1601", 0x16, 1), ("0301", 0x03, True), ("00", 0x00, None),
    ]
    for hx, tag, want in cases:
        n = O._node(O.DATA.parse(bytes.fromhex(hx)))
        assert n.tag == tag and n.value == want, hx


def test_header_clock_forms() -> None:
    body = "0201" + "1100"
    clock = "07e4020f06011922ff800000"
    for form in ("0c", "090c", "19"):
        n = O.notification(bytes.fromhex("0f40000000" + form + clock + body))
        assert n.clock is not None and n.clock.hex() == clock
    assert O.notification(bytes.fromhex("0f4000000000" + body)).clock is None


def test_deviation_sign() -> None:
    # dlms.md 5.1: FF88 = -120 minutes = UTC+02:00; 8000 = unspecified, naive
    d = O.datetime_of(bytes.fromhex("07e4080f0606132d00ff8880"))
    assert d is not None and d.utcoffset() == dt.timedelta(hours=2)
    d2: Optional[dt.datetime] = O.datetime_of(bytes.fromhex("07d0010106162100ff800001"))
    assert d2 is None  # status 01: invalid (Kamstrup 10 s list, dlms.md 5.2)
