"""Differential tests of the meters layer's two builds (``hanparse.meters._walk`` compiled / ``_meters_py``).

The meters layer (hanparse.meters) runs its hot walks on whichever twin is
selected.  Both must give identical MeterData on every binary fixture and
on generated notification bodies; the results must also equal those of
the plain Python path (the pure twin), errors included.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import implementations
from fixture_files import data, entries
from hanparse import _api as api
from hanparse import _impl, hdlc
from hanparse.dlms import schema
from hanparse.dlms.types import DateTime
from hanparse.meters import _decode
from hanparse.model import Message, MeterInfo, Reading
from hanparse.obis import Obis
from helpers import fixture_apdus

METERS = implementations("meters")
_dlms = _impl.pure("dlms")


def _bodies():
    """(id, body, clock, system title) of every unencrypted binary fixture's data-notification."""
    out = []
    for fmt in ("hdlc", "dlms_apdu"):
        for e in entries(fmt):
            if e.get("encrypted") or e["id"].startswith("amshan:hdlc:synthetic_"):
                continue  # synthetic_*: framing-only vectors without an APDU
            for k, apdu in enumerate(fixture_apdus(e)):
                if apdu[:1] != b"\x0f":
                    continue
                _liip, clock, body, _end = _dlms.decode_data_notification(apdu, 0)
                out.append(pytest.param(body, clock, None, id="%s-%d" % (e["id"], k)))
    return out


BODIES = _bodies()


def _decode_with(mod, monkeypatch, body, clock, system_title=None, options=None):
    monkeypatch.setattr(_decode, "_meters", mod)
    try:
        return _decode.decode_notification(body, clock, system_title=system_title, options=options)
    except Exception as exc:  # noqa: BLE001 - errors must agree too
        return ("error", type(exc), str(exc))


def test_both_twins_present():
    assert [label for label, _ in METERS][0] == "python"
    assert _impl.PAIRS["meters"] == ("meters._walk", "meters._walk_py")


def test_enough_fixture_bodies():
    # Aidon, Kaifa, Kamstrup, L+G, Iskra, Siemens ... lists: the corpus is not empty
    assert len(BODIES) >= 30


@pytest.mark.parametrize("body,clock,system_title", BODIES)
@pytest.mark.parametrize("options", [None, {"country": "SE"}, {"kamstrup_energy_scaler": 1}])
def test_twins_agree_on_fixtures(monkeypatch, body, clock, system_title, options):
    results = [_decode_with(mod, monkeypatch, body, clock, system_title, options) for _, mod in METERS]
    for r in results[1:]:
        assert r == results[0]
        assert repr(r) == repr(results[0])
    assert type(results[0]) is _decode.MeterData
    assert all(type(x) is Reading for x in results[0].readings)


# -- generated bodies ------------------------------------------------------

_CODES = [bytes(o) for o in (
    (1, 0, 1, 7, 0, 255), (1, 0, 2, 8, 0, 255), (1, 0, 31, 7, 0, 255), (1, 0, 32, 7, 0, 255),
    (1, 1, 1, 8, 0, 255), (0, 0, 1, 0, 0, 255), (1, 1, 0, 2, 129, 255), (0, 0, 96, 1, 0, 255),
    (0, 0, 42, 0, 0, 255), (1, 0, 52, 7, 0, 255), (7, 0, 99, 99, 0, 255),
)]
_obis_bytes = st.sampled_from(_CODES) | st.binary(min_size=6, max_size=6)
_clock = st.builds(
    lambda y, mo, d, h, mi, s, dev, status: bytes([y >> 8, y & 255, mo, d, 0xFF, h, mi, s, 0xFF])
    + dev.to_bytes(2, "big") + bytes([status]),
    st.integers(1990, 2100), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23), st.integers(0, 59),
    st.integers(0, 59), st.sampled_from([0x8000, 0xFFC4, 0xFF88, 0, 60]), st.sampled_from([0, 0x80, 0x01, 0xFF]),
)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2**63, 2**64 - 1),
    st.integers(0, 70000),
    st.floats(allow_nan=False, width=64),
    st.text(alphabet="AIDON_KFMamstrup0123456789V", max_size=20),
    st.binary(max_size=20),
    _clock,
    _clock.map(DateTime),
    st.sampled_from(["KFM_001", "AIDON_V0001", "Kamstrup_V0001"]),
)
_scaler_unit = st.tuples(st.integers(-128, 127), st.integers(0, 255))
_register = st.one_of(
    st.tuples(_obis_bytes, _scalar, _scaler_unit),
    st.tuples(_obis_bytes, _scalar),
)
_tree = st.recursive(
    st.one_of(_scalar, _register, _scaler_unit, _obis_bytes),
    lambda kids: st.lists(kids, max_size=6) | st.lists(kids, max_size=6).map(tuple),
    max_leaves=40,
)
_body = st.one_of(
    st.lists(_register, max_size=30),  # Aidon-like arrays of registers
    st.lists(st.one_of(_obis_bytes, _scalar, _scaler_unit), max_size=40).map(tuple),  # flat pairs
    st.lists(_scalar, min_size=1, max_size=19).map(tuple),  # positional lists
    st.builds(lambda first, rest: (first,) + tuple(rest), st.just("Kamstrup_V0001"),
              st.lists(st.one_of(_obis_bytes, _scalar), max_size=36)),  # Kamstrup
    _tree,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_body, clock=st.none() | _clock,
       options=st.sampled_from([None, {"country": "SE"}, {"profile": "kaifa_no"}]))
def test_twins_agree_on_generated_trees(body, clock, options):
    # through the real encoder and decoder, so the trees are exactly what parse_frame sees
    apdu = schema.build_data_notification(body, clock=clock)
    _liip, dclock, dbody, _end = _dlms.decode_data_notification(apdu, 0)
    results = []
    for _label, mod in METERS:
        saved = _decode._meters
        _decode._meters = mod
        try:
            results.append(_decode.decode_notification(dbody, dclock, options=options))
        except Exception as exc:  # noqa: BLE001
            results.append(("error", type(exc), str(exc)))
        finally:
            _decode._meters = saved
    for r in results[1:]:
        assert r == results[0]
        assert repr(r) == repr(results[0])
    assert results[0][0] != "error", results[0]


@pytest.mark.parametrize("label,mod", METERS, ids=[label for label, _ in METERS])
def test_huge_scaler_is_not_a_scaler_unit(label, mod, monkeypatch):
    # {long64, long64} after a value is not a {scaler, unit}: no 10 ** (2 ** 63), no hang
    body = [(bytes((1, 0, 1, 7, 0, 255)), 5, (2**62, 27))]
    got = _decode_with(mod, monkeypatch, body, None)
    assert got[0] != "error"
    assert mod.is_scaler_unit((-128, 255)) and mod.is_scaler_unit((127, 0))
    assert not mod.is_scaler_unit((128, 27)) and not mod.is_scaler_unit((2**62, 27))
    assert not mod.is_scaler_unit((True, 27)) and not mod.is_scaler_unit((0, 27, 0))


@pytest.mark.parametrize("label,mod", METERS, ids=[label for label, _ in METERS])
def test_builders_make_the_model_classes(label, mod):
    info = mod.new_meter_info("Aidon", "6525", "7359992890941742", "AIDON_V0001", None, None, "aidon_no")
    assert type(info) is MeterInfo
    assert info == MeterInfo("Aidon", "6525", "7359992890941742", "AIDON_V0001", None, None, "aidon_no")
    r = Reading(Obis(1, 0, 1, 7, 0), 280, "W")
    msg = mod.new_message("hdlc", info, None, (r,), b"\x7e\x7e", False, None)
    assert type(msg) is Message
    assert msg.readings == (r,) and msg.raw == b"\x7e\x7e" and msg.format == "hdlc" and not msg.encrypted
    assert msg["1-0:1.7.0"] is r and msg.get("active_power_import") is r
    with pytest.raises(AttributeError):
        msg.format = "mbus"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(msg)).to_dict() == msg.to_dict()


@pytest.mark.parametrize("fid", ["aidon-se-efs-3phase", "kamstrup-no-list2-3phase"])
def test_parse_frame_fast_path_equals_general_path(fid, monkeypatch):
    # the single-frame fast path of parse_frame and decode_apdu_message give the same Message
    from fixture_files import entry

    frame = data(entry(fid))
    fast = api.parse_frame(frame)
    (only,) = [f for f in [hdlc.decode(frame, 0)[1]] if f is not None]
    slow = api.decode_apdu_message(only.information_field, fmt="hdlc", raw=frame)
    assert fast.to_dict() == slow.to_dict()
    assert fast.readings == slow.readings


# Values and scalers around the limits of the compiled twin's exact
# floating-point shortcut (|value| <= 2**53, 10**k <= 10**22): every scaled
# value must equal Python's correctly rounded int / int (negative scalers)
# or the exact int product (positive ones), in both twins.
_LIMIT_VALUES = [0, 1, 7, 2**53 - 1, 2**53, 2**53 + 1, 2**62 + 12345, 2**64 - 1, -(2**53) - 1, -(2**63)]
_LIMIT_SCALERS = [-1, -3, -21, -22, -23, -40, 1, 5, 19, 20]


@pytest.mark.parametrize("label,mod", [pytest.param(label, mod, id=label) for label, mod in METERS])
@pytest.mark.parametrize("scaler", _LIMIT_SCALERS)
def test_scaling_is_exact_at_the_float_limits(label, mod, monkeypatch, scaler):
    energy = Obis.parse("1-0:1.8.0").to_bytes()
    body = [(energy, schema.typed("long64-unsigned" if v >= 0 else "long64", v),
             (schema.typed("integer", scaler), schema.typed("enum", 30))) for v in _LIMIT_VALUES]
    tree, _end = _dlms.decode_data(schema.build_data(body))
    got = _decode_with(mod, monkeypatch, tree, None)
    assert [r.value for r in got.readings] == [v / 10 ** -scaler if scaler < 0 else v * 10 ** scaler
                                               for v in _LIMIT_VALUES]
    assert all(r.unit == "Wh" for r in got.readings)
