"""Corpus: every unencrypted binary fixture decodes to its .expected.json.

The expected files (fixtures/<format>/<name>.expected.json) hold every
reading (OBIS, value, unit), the meter id, list id and timestamp, taken
from the fixture's ``expected`` / ``document_states`` and the spec text and
scaled by hand (each file says where its values come from in
``values_from``).  Here the A-XDR tree comes from the dlms twins (both
implementations) and the readings from :func:`hanparse.meters.decode_notification`.

The HDLC envelope is removed with a small test-local helper driven by the
fixture's ``checks`` (this test is about content, not framing, so frames
whose FCS was edited in the documents still decode here).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from conftest import implementations
from fixture_files import ROOT, data, entries
from hanparse.dlms import reassemble_gbt
from hanparse.meters import decode_notification

LLC = (b"\xe6\xe7\x00", b"\xe6\xe6\x00")


def _hdlc_information_fields(e: Dict[str, Any]) -> List[bytes]:
    """The information field of each frame, using the fixture's checks."""
    raw = data(e)
    out = []
    pos = 0
    for fr in e["checks"]["hdlc"]:
        start = raw.index(0x7E, pos)
        if raw[start + 1] == 0x7E:  # a shared/closing flag before the next frame
            start += 1
        length = fr["length"]
        header = 2 + len(fr["dst"]) // 2 + len(fr["src"]) // 2 + 1 + 2
        frame = raw[start + 1:start + 1 + length]
        out.append(frame[header:length - 2])
        pos = start + 1 + length
    return out


def apdu_of(e: Dict[str, Any]) -> bytes:
    """The complete APDU (LLC removed, segments and GBT blocks joined)."""
    if e["format"] == "dlms_apdu":
        raw = data(e)
        return raw[3:] if raw[:3] in LLC else raw
    infos = _hdlc_information_fields(e)
    if any(fr["segmented"] for fr in e["checks"]["hdlc"]):
        joined = b"".join(infos)  # S-bit segments: LLC only in the first
        return joined[3:] if joined[:3] in LLC else joined
    apdus = [i[3:] if i[:3] in LLC else i for i in infos]
    if apdus[0][:1] == b"\xe0":
        return reassemble_gbt(apdus)
    return b"".join(apdus)


def _cases():
    out = []
    for fmt in ("hdlc", "dlms_apdu", "mbus"):
        for e in entries(fmt):
            path = ROOT / fmt / (e["id"].replace(":", "__") + ".expected.json")
            if not path.exists():
                continue
            out.append((e, json.loads(path.read_text(encoding="utf-8"))))
    return out


CASES = _cases()
DLMS = implementations("dlms")


def test_every_unencrypted_binary_fixture_has_an_expected_file():
    have = {e["id"] for e, _ in CASES}
    for fmt in ("hdlc", "dlms_apdu", "mbus"):
        for e in entries(fmt):
            if e["encrypted"] or e["id"].startswith("amshan:hdlc:synthetic_"):
                continue  # synthetic_*: framing-only vectors without an APDU
            assert e["id"] in have, e["id"]


def _norm(v: Any) -> Any:
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, (tuple, list)):
        return [_norm(x) for x in v]
    return v


def _decode(mod, e, exp):
    apdu = apdu_of(e)
    assert apdu[0] == 0x0F
    _liip, clock, body, end = mod.decode_data_notification(apdu, 0)
    assert end == len(apdu)
    return decode_notification(body, clock, options=exp.get("options") or None)


def _params():
    out = []
    for e, exp in CASES:
        for label, mod in DLMS:
            out.append(pytest.param(mod, e, exp, id="%s-%s" % (e["id"], label)))
    return out


@pytest.mark.parametrize("mod,e,exp", _params())
def test_corpus(mod, e, exp):
    got = _decode(mod, e, exp)
    by_obis = {}
    for r in got.readings:
        assert str(r.obis) not in by_obis, "duplicate %s" % r.obis
        by_obis[str(r.obis)] = r
    for want in exp["readings"]:
        r = by_obis.get(want["obis"])
        assert r is not None, "missing %s" % want["obis"]
        value = _norm(r.value)
        assert value == want["value"], want["obis"]
        assert type(value) is type(want["value"]), (want["obis"], value, want["value"])
        assert r.unit == want["unit"], want["obis"]
    if exp["complete"]:
        assert len(got.readings) == len(exp["readings"]), sorted(set(by_obis) - {w["obis"] for w in exp["readings"]})
    assert _norm(got.timestamp) == exp["timestamp"]
    for field, want in exp["meter"].items():
        assert getattr(got.meter, field) == want, field
