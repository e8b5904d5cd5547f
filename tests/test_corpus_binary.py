"""Corpus: every unencrypted binary fixture decodes to its .expected.json.

The expected files (fixtures/<format>/<name>.expected.json) hold every
reading (OBIS, value, unit), the meter id, list id and timestamp, taken
from the fixture's ``expected`` / ``document_states`` and the spec text and
scaled by hand (each file says where its values come from in
``values_from``).  Here the A-XDR tree comes from the dlms twins (both
implementations) and the readings from :func:`hanparse.meters.decode_notification`.

The HDLC envelope is removed with tests/helpers.py:fixture_apdu, which does
not check the FCS (this test is about content, not framing, so frames
whose FCS was edited in the documents still decode here).
"""

from __future__ import annotations

import json

import pytest

from conftest import implementations
from fixture_files import ROOT, entries
from hanparse.meters import decode_notification
from helpers import fixture_apdu, norm


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


def _decode(mod, e, exp):
    apdu = fixture_apdu(e)
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
        value = norm(r.value)
        assert value == want["value"], want["obis"]
        assert type(value) is type(want["value"]), (want["obis"], value, want["value"])
        assert r.unit == want["unit"], want["obis"]
    if exp["complete"]:
        assert len(got.readings) == len(exp["readings"]), sorted(set(by_obis) - {w["obis"] for w in exp["readings"]})
    assert norm(got.timestamp) == exp["timestamp"]
    for field, want in exp["meter"].items():
        assert getattr(got.meter, field) == want, field
