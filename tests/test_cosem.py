"""COSEM date-time, date, time, clock status, units and scalers (hanparse.cosem).

Byte values come from the spec examples and fixtures cited in
reference/dlms.md sections 5 and 6.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanparse.cosem import (
    UNITS,
    ClockStatus,
    apply_scaler,
    datetime_fields,
    decode_clock_status,
    decode_date,
    decode_datetime,
    decode_time,
    encode_datetime,
    unit_text,
)
from hanparse.errors import DecodeError


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# --- deviation sign and unknown deviation -----------------------------------

def test_deviation_ffc4_is_utc_plus_one():
    # Salzburg Netz header: 2022-11-12 16:54:00, deviation FFC4 (-60) = CET
    t = decode_datetime(h("07e60b0c0610360000ffc400"))
    assert t == dt.datetime(2022, 11, 12, 16, 54, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert t.utcoffset() == dt.timedelta(hours=1)
    assert t.astimezone(dt.timezone.utc).hour == 15


def test_deviation_ff88_is_utc_plus_two_with_dst_status():
    # Iskra AM550 header: FF88 = -120 -> +02:00, status 80 (DST active)
    raw = h("07e704010615202300ff8880")
    t = decode_datetime(raw)
    assert t.utcoffset() == dt.timedelta(hours=2)
    assert (t.hour, t.minute, t.second) == (21, 32, 35)
    assert decode_clock_status(raw[11]) == ClockStatus.DAYLIGHT_SAVING_ACTIVE


def test_deviation_ff4c_is_utc_plus_three():
    # Energomera: FF4C = -180; day-of-week and hundredths FF
    t = decode_datetime(h("07e60b03ff0f2619ffff4cff"))
    assert t == dt.datetime(2022, 11, 3, 15, 38, 25, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def test_deviation_8000_gives_naive_datetime():
    # Kamstrup list 2 header: 2017-08-16 16:00:05, deviation 8000
    t = decode_datetime(h("07e1081003100005ff800000"))
    assert t == dt.datetime(2017, 8, 16, 16, 0, 5)
    assert t.tzinfo is None


def test_deviation_zero_is_utc_unless_ignored():
    raw = h("07e30401000d0006ff000000")  # Embriq list 3: day-of-week 0, deviation 0000
    assert decode_datetime(raw).tzinfo is dt.timezone.utc
    assert decode_datetime(raw, ignore_deviation=True) == dt.datetime(2019, 4, 1, 13, 0, 6)


def test_positive_deviation_is_west_of_utc():
    assert decode_datetime(h("07e601010600000000003cff")).utcoffset() == dt.timedelta(hours=-1)


def test_hundredths_become_microseconds():
    assert decode_datetime(h("07e7060602111f1412ff8880")).microsecond == 180000


# --- not specified and garbage ----------------------------------------------

@pytest.mark.parametrize("raw", [
    "ffffffffffffffffff8000ff",  # everything unspecified
    "ffff0101ff000000ff8000ff",  # year unspecified
    "07e6ff01ff000000ff8000ff",  # every month
    "07e6fe01ff000000ff8000ff",  # DST begin month
    "07e601fdff000000ff8000ff",  # second-last day
])
def test_unspecified_dates_are_none_even_when_strict(raw):
    assert decode_datetime(h(raw)) is None
    assert decode_datetime(h(raw), strict=True) is None


@pytest.mark.parametrize("raw", [
    "07e60d01ff000000ff8000ff",  # month 13
    "07e6011fff000000ff8000ff" .replace("1f", "20"),  # day 32
    "07e60101ff180000ff8000ff",  # hour 24
    "07e60101ffff0000ff8000ff",  # hour FF with a date
    "07e60101ff0aff00ff8000ff",  # minute FF with a date
    "07e60101ff0a003cff8000ff",  # second 60
    "07e60101ff0a000064800000",  # hundredths 100
    "07e60101ff0a0000007fffff",  # deviation +32767 min
    "07e6021eff0a000000800000",  # 30 February
])
def test_garbage_is_none_or_decode_error_in_strict_mode(raw):
    assert decode_datetime(h(raw)) is None
    with pytest.raises(DecodeError):
        decode_datetime(h(raw), strict=True)


@pytest.mark.parametrize("n", [0, 5, 11, 13])
def test_wrong_length(n):
    assert decode_datetime(bytes(n)) is None
    with pytest.raises(DecodeError):
        decode_datetime(bytes(n), strict=True)


@given(st.binary(min_size=12, max_size=12))
@settings(max_examples=400)
def test_any_12_bytes_never_raise_unless_strict(raw):
    t = decode_datetime(raw)
    assert t is None or isinstance(t, dt.datetime)
    try:
        decode_datetime(raw, strict=True)
    except DecodeError:
        pass


def test_fields():
    f = datetime_fields(h("07e1081003100005ff800000"))
    assert (f.year, f.month, f.day, f.weekday, f.hour, f.minute, f.second) == (2017, 8, 16, 3, 16, 0, 5)
    assert f.hundredths is None and f.deviation is None and f.status == 0
    assert datetime_fields(h("07e60b0c0610360000ffc400")).deviation == -60


# --- clock status --------------------------------------------------------------

def test_clock_status_bits():
    assert decode_clock_status(0xFF) is None
    assert decode_clock_status(0x01) == ClockStatus.INVALID_VALUE  # Kamstrup clock not set
    s = decode_clock_status(0x81)
    assert ClockStatus.INVALID_VALUE in s and ClockStatus.DAYLIGHT_SAVING_ACTIVE in s
    assert decode_clock_status(0x00) == ClockStatus(0)


# --- date and time ---------------------------------------------------------------

def test_date_and_time():
    assert decode_date(h("07e60b0c06")) == dt.date(2022, 11, 12)
    assert decode_date(h("ffff0b0c06")) is None
    assert decode_date(h("07e60d0c06")) is None
    with pytest.raises(DecodeError):
        decode_date(h("07e60d0c06"), strict=True)
    assert decode_time(h("10360000")) == dt.time(16, 54)
    assert decode_time(h("1036ffff")) == dt.time(16, 54)
    assert decode_time(h("ff36ffff")) is None
    assert decode_time(h("18000000")) is None
    with pytest.raises(DecodeError):
        decode_time(h("18000000"), strict=True)


# --- encode ------------------------------------------------------------------------

def test_encode_matches_spec_bytes():
    cet = dt.timezone(dt.timedelta(hours=1))
    assert encode_datetime(dt.datetime(2022, 11, 12, 16, 54, tzinfo=cet), status=0) == h("07e60b0c0610360000ffc400")
    assert (encode_datetime(dt.datetime(2017, 8, 16, 16, 0, 5), status=0, hundredths=False)
            == h("07e1081003100005ff800000"))


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2150, 1, 1)),
       st.one_of(st.none(), st.integers(-720, 840)))
@settings(max_examples=300)
def test_encode_decode_round_trip(naive, offset):
    naive = naive.replace(microsecond=naive.microsecond // 10000 * 10000)
    value = naive if offset is None else naive.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
    raw = encode_datetime(value)
    assert len(raw) == 12
    back = decode_datetime(raw, strict=True)
    assert back == value
    assert (back.utcoffset() is None) == (offset is None)


# --- units and scalers -------------------------------------------------------------

@pytest.mark.parametrize("code,symbol", [
    (1, "a"), (2, "mo"), (3, "wk"), (4, "d"), (5, "h"), (6, "min"), (7, "s"), (8, "\u00b0"), (9, "\u00b0C"),
    (10, "currency"), (11, "m"), (12, "m/s"), (13, "m\u00b3"), (14, "m\u00b3"), (19, "l"), (20, "kg"),
    (27, "W"), (28, "VA"), (29, "var"), (30, "Wh"), (31, "VAh"), (32, "varh"), (33, "A"), (34, "C"),
    (35, "V"), (44, "Hz"), (56, "%"), (57, "Ah"), (72, "dB"),
])
def test_unit_table(code, symbol):
    assert UNITS[code] == symbol
    assert unit_text(code) == symbol


def test_units_without_symbol():
    assert unit_text(255) is None  # count / no unit (power factor on Netz NO)
    assert unit_text(254) is None
    assert unit_text(0) is None
    assert unit_text(200) is None
    assert unit_text(-1) is None
    assert unit_text("W") is None
    assert len(UNITS) == 256


def test_apply_scaler_exact():
    assert apply_scaler(57, -2) == 0.57  # amshan gives 0.5700000000000001
    assert apply_scaler(2308, -1) == 230.8
    assert apply_scaler(10955225, 1) == 109552250  # amsreader gives 109552.248 kWh via float32
    assert type(apply_scaler(10955225, 1)) is int
    assert type(apply_scaler(5, 0)) is int
    assert type(apply_scaler(0, -2)) is float
    assert apply_scaler(1000, -3) == 1.0
    assert apply_scaler(-24, -3) == -0.024
    assert apply_scaler(2**64 - 1, 0) == 2**64 - 1  # uint64 energy stays exact
    assert apply_scaler(2**64 - 1, 2) == (2**64 - 1) * 100
    assert apply_scaler("x", -1) == "x"
    assert apply_scaler(None, -1) is None
    assert apply_scaler(2.5, 1) == 25.0


@given(st.integers(-(2**63), 2**64), st.integers(-9, 9))
@settings(max_examples=400)
def test_apply_scaler_is_correctly_rounded(raw, scaler):
    got = apply_scaler(raw, scaler)
    if scaler >= 0:
        assert type(got) is int and got == raw * 10**scaler
    else:
        assert type(got) is float and got == float(Fraction(raw, 10**-scaler))
