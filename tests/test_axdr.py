"""The A-XDR Data decoders: both twins against the spec bytes and against construct.

Every test runs on the pure-Python twin and on the compiled one.  The
differential tests build random Data trees (tests/helpers.py:data_nodes, on
top of hanparse.strategies.axdr_nodes) with the construct schema
(hanparse.dlms.schema, the declaration of record), then check that both
twins and construct's own parse return exactly the same values, and that on
arbitrary or mutated bytes they agree on success/failure (twins: same error
type, message and offset).
"""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import implementations
from hanparse.dlms import schema as S
from hanparse.dlms.types import BitString, DataTag, Date, DateTime, Time
from hanparse.errors import DecodeError, HanParseError
from helpers import data_nodes, mutate, mutations, same

TWINS = implementations("dlms")


@pytest.fixture(params=[pytest.param(m, id=label) for label, m in TWINS])
def dlms(request):
    """The A-XDR decoder module, once per implementation."""
    return request.param


def outcome(fn, *args):
    """Result of a decoder call, or (error class, message, offset)."""
    try:
        return ("ok", fn(*args))
    except HanParseError as exc:
        return ("error", type(exc), exc.message, exc.offset)


def same_outcome(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "ok":
        return same(a[1], b[1])
    return a[1:] == b[1:]


# ---------------------------------------------------------------- every tag, from spec bytes


SPEC_CASES = [
    # (A-XDR bytes, value); integers are big-endian (dlms.md 4.1)
    ("00", None),
    ("0300", False),
    ("0301", True),
    ("03ff", True),
    ("0403a0", BitString(3, b"\xa0")),
    ("0400", BitString(0, b"")),
    ("0410ffff", BitString(16, b"\xff\xff")),
    ("05fffffffb", -5),
    ("0580000000", -(2**31)),
    ("06ffffffff", 2**32 - 1),
    ("06000004 62".replace(" ", ""), 1122),  # Aidon SE active power import, 1122 W
    ("0906010001070 0ff".replace(" ", ""), bytes.fromhex("0100010700ff")),
    ("0900", b""),
    ("0a0b4149444f4e5f5630303031", "AIDON_V0001"),
    ("0a02e9ff", "\xe9\xff"),  # visible-string is read as Latin-1: never fails
    ("0c05c3a9e282ac", "\xe9\u20ac"),
    ("0d42", 0x42),  # bcd: one octet (DSMR 5.0.2 table 5-2, S2)
    ("0fff", -1),
    ("0f7f", 127),
    ("10ff38", -200),
    ("11c8", 200),
    ("12090a", 2314),
    ("148000000000000000", -(2**63)),
    ("15ffffffffffffffff", 2**64 - 1),
    ("1500000001d1a94a20", 7812500000),  # long64-unsigned energy above 2**32 (L+G E570)
    ("161b", 27),
    ("173fc00000", 1.5),
    ("18400921fb54442d18", math.pi),
    ("1907e30c1001073b28ff8000ff", DateTime(bytes.fromhex("07e30c1001073b28ff8000ff"))),
    ("1a07e30c1001", Date(bytes.fromhex("07e30c1001"))),
    ("1b073b28ff", Time(bytes.fromhex("073b28ff"))),
    ("0100", []),
    ("0200", ()),
    ("0102 1200e6 1200e7".replace(" ", ""), [230, 231]),
    ("0203 0906 0100200700ff 12090a 0202 0fff 1623".replace(" ", ""),
     (bytes.fromhex("0100200700ff"), 2314, (-1, 35))),
    # compact-array of long-unsigned: type 12, 6 content bytes
    ("13 12 06 0001 0002 ffff".replace(" ", ""), [1, 2, 65535]),
]


@pytest.mark.parametrize("hexdata,value", SPEC_CASES, ids=[c[0][:16] for c in SPEC_CASES])
def test_every_tag(dlms, hexdata, value):
    data = bytes.fromhex(hexdata)
    got, end = dlms.decode_data(data)
    assert end == len(data)
    assert same(got, value), (got, value)
    ref, ref_end = S.parse_data(data)
    assert same(ref, value) and ref_end == len(data)


def test_datetime_types_compare_as_raw_bytes(dlms):
    raw = bytes.fromhex("07e30c1001073b28ff8000ff")
    value, _ = dlms.decode_data(b"\x19" + raw)
    assert type(value) is DateTime and value == raw and bytes(value) == raw
    octets, _ = dlms.decode_data(b"\x09\x0c" + raw)
    assert type(octets) is bytes and octets == raw  # an octet-string stays plain bytes


def test_compact_array_of_structures(dlms):
    # 13 | 02 02 11 09 (structure {unsigned, octet-string}) | 06 | 05 01 61 | 06 01 62
    data = bytes.fromhex("13" "02021109" "06" "050161" "060162")
    value, end = dlms.decode_data(data)
    assert value == [(5, b"a"), (6, b"b")] and end == len(data)


def test_compact_array_of_arrays(dlms):
    # type: array of 2 enums; contents 4 bytes -> two elements
    data = bytes.fromhex("1301000216" "04" "01020304")
    assert dlms.decode_data(data) == ([[1, 2], [3, 4]], len(data))


# ---------------------------------------------------------------- lengths


@pytest.mark.parametrize(
    "prefix,n",
    [("05", 5), ("7f", 127), ("8105", 5), ("8180", 128), ("820100", 256), ("83000105", 261), ("8400000106", 262)],
)
def test_long_form_lengths(dlms, prefix, n):
    payload = bytes(range(256)) * 2
    data = b"\x09" + bytes.fromhex(prefix) + payload[:n]
    value, end = dlms.decode_data(data)
    assert value == payload[:n] and end == len(data)


def test_long_form_counts(dlms):
    # array of 130 unsigned: count needs the 0x81 form
    data = b"\x01\x81\x82" + b"\x11\x07" * 130
    value, end = dlms.decode_data(data)
    assert value == [7] * 130 and end == len(data)


@pytest.mark.parametrize("first", [0x80, 0x85, 0xFF])
def test_invalid_length_byte(dlms, first):
    with pytest.raises(DecodeError) as err:
        dlms.decode_data(bytes([0x09, first, 0, 0, 0, 0, 0]))
    assert err.value.offset == 1
    assert "invalid A-XDR length byte 0x%02X" % first in str(err.value)


# ---------------------------------------------------------------- errors and limits


@pytest.mark.parametrize(
    "hexdata,message,offset",
    [
        ("", "truncated A-XDR data: tag expected", 0),
        ("07", "unknown A-XDR tag 0x07", 0),  # DSMR floating-point: not A-XDR
        ("1c", "unknown A-XDR tag 0x1C", 0),
        ("020107", "unknown A-XDR tag 0x07", 2),
        ("060000", "truncated A-XDR double-long-unsigned", 0),
        ("0905010203", "truncated A-XDR octet-string", 0),
        ("0a820100", "truncated A-XDR visible-string", 0),
        ("0982", "truncated A-XDR octet-string", 0),
        ("0c02c328", "invalid UTF-8 in A-XDR utf8-string", 0),
        ("1907e3", "truncated A-XDR date-time", 0),
        ("0410ff", "truncated A-XDR bit-string", 0),
        ("0105000000", "A-XDR array count 5 exceeds the 3 bytes left", 0),
        ("02840fffffff", "A-XDR structure count 268435455 exceeds the 0 bytes left", 0),
        ("1300", "compact-array type description has a zero-size element", 1),
        ("130100000600", "compact-array type description has a zero-size element", 1),
        ("1302001100", "compact-array type description has a zero-size element", 1),
        ("131300", "invalid compact-array type description tag 0x13", 1),
        ("131203000100", "truncated A-XDR long-unsigned", 5),  # 3 content bytes: 1.5 elements
        ("13120500", "truncated A-XDR compact-array", 0),
    ],
)
def test_errors(dlms, hexdata, message, offset):
    data = bytes.fromhex(hexdata)
    with pytest.raises(DecodeError) as err:
        dlms.decode_data(data)
    assert err.value.message == message
    assert err.value.offset == offset
    with pytest.raises(DecodeError):  # the construct reference rejects the same bytes
        S.parse_data(data)


def test_depth_limit(dlms):
    ok = b"\x01\x01" * 32 + b"\x00"
    value, end = dlms.decode_data(ok)
    assert end == len(ok)
    assert S.parse_data(ok)[1] == len(ok)
    deep = b"\x01\x01" * 33 + b"\x00"
    with pytest.raises(DecodeError) as err:
        dlms.decode_data(deep)
    assert err.value.message == "A-XDR data nested deeper than 32 levels" and err.value.offset == 64
    with pytest.raises(DecodeError):
        S.parse_data(deep)


def test_hostile_nesting_does_not_recurse_without_bound(dlms):
    data = b"\x02\x01" * 100000
    with pytest.raises(DecodeError):
        dlms.decode_data(data)
    with pytest.raises(DecodeError):
        S.parse_data(data[:4000])  # construct's own recursion ends in DecodeError too


def test_huge_counts_allocate_nothing(dlms):
    with pytest.raises(DecodeError, match="exceeds"):
        dlms.decode_data(b"\x01\x84\xff\xff\xff\xff\x00\x00")
    # compact-array: an array type of 65535 long64 elements in 8 content bytes
    with pytest.raises(DecodeError, match="exceeds"):
        dlms.decode_data(bytes.fromhex("1301ffff14" "08" "0000000000000000"))


def test_start_and_end(dlms):
    frame = b"\xaa\xbb" + bytes.fromhex("1200e6") + b"\x12\x00"
    assert dlms.decode_data(frame, 2) == (230, 5)
    assert dlms.decode_data(memoryview(frame), 2, 5) == (230, 5)
    assert dlms.decode_data(bytearray(frame), 2, -1) == (230, 5)
    with pytest.raises(DecodeError, match="truncated A-XDR long-unsigned") as err:
        dlms.decode_data(frame, 2, 4)  # end cuts the value
    assert err.value.offset == 2
    with pytest.raises(DecodeError):
        dlms.decode_data(frame, 10)
    with pytest.raises(ValueError):
        dlms.decode_data(frame, -1)


def test_only_hanparse_errors_on_non_bytes_like(dlms):
    with pytest.raises(TypeError):
        dlms.decode_data("0900")  # a str is a programming error, not input


# ---------------------------------------------------------------- differential: construct builds, all decode

SIMPLE_TAGS = [0, 3, 4, 5, 6, 9, 10, 12, 13, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=data_nodes())
def test_twins_agree_with_construct_on_built_trees(node):
    data = S.Data.build(node)
    ref = S.to_value(S.Data.parse(data))
    assert same(S.parse_data(data), (ref, len(data)))
    for _label, mod in TWINS:
        got = mod.decode_data(data)
        assert same(got, (ref, len(data))), (_label, got, ref)
        # bytes after the element are not looked at
        assert mod.decode_data(data + b"\x07\x01")[1] == len(data)


def _check_all_agree(data: bytes) -> None:
    results = [outcome(mod.decode_data, data) for _label, mod in TWINS]
    for r in results[1:]:
        assert same_outcome(results[0], r), (data.hex(), results)
    ref = outcome(S.parse_data, data)
    assert ref[0] == results[0][0], (data.hex(), ref, results[0])
    if ref[0] == "ok":
        assert same(ref[1], results[0][1])
    else:
        assert ref[1] is DecodeError and results[0][1] is DecodeError


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=data_nodes(), ops=mutations(("set", "cut", "insert", "delete")))
def test_twins_and_construct_agree_on_mutated_trees(node, ops):
    _check_all_agree(mutate(S.Data.build(node), ops))


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=64))
def test_twins_and_construct_agree_on_arbitrary_bytes(data):
    _check_all_agree(data)


@settings(max_examples=200, deadline=None)
@given(tag=st.sampled_from(SIMPLE_TAGS + [1, 2, 19]), tail=st.binary(max_size=24))
def test_agree_on_every_tag_with_arbitrary_content(tag, tail):
    _check_all_agree(bytes([tag]) + tail)


def test_float32_is_widened_exactly(dlms):
    raw = struct.pack(">f", 0.1)
    assert dlms.decode_data(b"\x17" + raw)[0] == struct.unpack(">f", raw)[0]


def test_tag_names_cover_every_tag():
    assert sorted(int(t) for t in DataTag) == sorted(SIMPLE_TAGS + [1, 2, 19])
