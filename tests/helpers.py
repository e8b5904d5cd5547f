r"""Helpers shared by several test files (one definition each, imported where needed).

* :func:`same`, :func:`norm` -- comparing decoded values exactly / as JSON;
* :func:`decode_outcome`, :func:`twins_agree` -- differential checks of the A-XDR twins;
* :func:`data_nodes`, :func:`mutations`, :func:`mutate` -- hypothesis inputs;
* :func:`hdlc_information_fields`, :func:`hdlc_messages`, :func:`fixture_apdus`,
  :func:`fixture_apdu` -- the unencrypted APDUs of a fixture entry, cut out
  of their HDLC envelope *without* checking HCS/FCS.

Why a test-local HDLC splitter next to :func:`hanparse.hdlc.decode` and
:func:`hanparse.hdlc.reassemble`: the content tests (A-XDR, meters, quirks)
run on every DLMS-carrying fixture, and several of them are published
documents whose frame bytes were edited without fixing the FCS
(``embriq-lg-list1/2/3-edited``, ``dlms:dlms_parser_hdlc_landis_gyr_zmf100``).
The public decoder rightly rejects those with ChecksumError; these tests
are about what the information field holds, not about framing (framing is
tested on the same fixtures in test_hdlc.py / test_parse_frame.py, which do
expect the checksum errors).  So the split here trusts the 11-bit length
field and the address extension bits and nothing else::

    7E | A? LL | DST 1-4 | SRC 1-4 | CTRL | HCS 2 | information | FCS 2 | 7E
         format: 1010 S LLL LLLLLLLL   (S = segmented, L = length without the flags)

Segment joining and general-block-transfer reassembly use hanparse's own
public :func:`hanparse.dlms.strip_llc` and :class:`hanparse.dlms.GbtReassembler`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable, Dict, List, Sequence, Tuple

from hypothesis import strategies as st

from fixture_files import data as fixture_data
from hanparse import strategies as hs
from hanparse.dlms import GbtReassembler, strip_llc
from hanparse.dlms import schema as S
from hanparse.errors import DecodeError

# ---------------------------------------------------------------- comparing values


def crc_reflected(data: bytes, poly: int, init: int, xorout: int) -> int:
    """A reflected CRC straight from its parameters, bit by bit: an oracle sharing no code with hanparse."""
    reg = init
    for b in data:
        reg ^= b
        for _ in range(8):
            reg = (reg >> 1) ^ poly if reg & 1 else reg >> 1
    return reg ^ xorout


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0, no final xor): the P1 telegram CRC."""
    return crc_reflected(data, 0xA001, 0x0000, 0x0000)


def same(a: Any, b: Any) -> bool:
    """Exact equality of decoded values: same types all the way down, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def norm(v: Any) -> Any:
    """A reading value as the .expected.json files write it (ISO text, hex text, lists)."""
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, (tuple, list)):
        return [norm(x) for x in v]
    return v


# ---------------------------------------------------------------- differential outcomes


def decode_outcome(fn: Callable[..., Any], *args: Any) -> tuple:
    """``("ok", result)`` or ``("error", message, offset)`` of a call that may raise DecodeError.

    Any other exception propagates (and fails the test).
    """
    try:
        return ("ok", fn(*args))
    except DecodeError as exc:
        return ("error", exc.message, exc.offset)


def twins_agree(outs: Sequence[tuple]) -> bool:
    """True when every :func:`decode_outcome` equals the first (results compared with :func:`same`)."""
    first = outs[0]
    return all(o[0] == first[0] and (same(o[1], first[1]) if o[0] == "ok" else o == first) for o in outs)


# ---------------------------------------------------------------- hypothesis inputs


def _long_string_nodes() -> st.SearchStrategy:
    """Octet-/visible-strings of 128-300 bytes: their lengths take the 0x81 / 0x82 A-XDR forms."""
    return st.one_of(
        st.binary(min_size=128, max_size=300).map(lambda b: S.typed(9, b)),
        st.text(st.characters(max_codepoint=255), min_size=128, max_size=160).map(lambda t: S.typed(10, t)),
    )


def data_nodes() -> st.SearchStrategy:
    """Build-ready A-XDR Data trees for the differential tests.

    :func:`hanparse.strategies.axdr_nodes` (every tag, compact-arrays,
    nested arrays/structures), plus structures that also hold a long string,
    so multi-byte length forms are among the drawn trees too.
    """
    with_long = st.tuples(hs.axdr_nodes(max_leaves=8), _long_string_nodes(), st.booleans()).map(
        lambda t: S.typed("structure", [t[0], t[1]] if t[2] else [t[1], t[0]])
    )
    return st.one_of(hs.axdr_nodes(max_leaves=25), with_long)


#: byte-level damage: ``flip`` XORs one bit (bit number = byte & 7), ``set`` overwrites a byte,
#: ``cut`` truncates, ``insert`` / ``delete`` shift the rest
MUTATION_OPS = ("flip", "set", "cut", "insert", "delete")


def mutations(ops: Sequence[str] = MUTATION_OPS, max_ops: int = 3) -> st.SearchStrategy:
    """Lists of 1..max_ops ``(op, position, byte)`` for :func:`mutate` (position taken modulo the length)."""
    return st.lists(
        st.tuples(st.sampled_from(tuple(ops)), st.integers(0, 1 << 20), st.integers(0, 255)),
        min_size=1,
        max_size=max_ops,
    )


def mutate(raw: bytes, ops: Sequence[Tuple[str, int, int]]) -> bytes:
    """``raw`` with each ``(op, position, byte)`` of :func:`mutations` applied in turn."""
    b = bytearray(raw)
    for op, where, byte in ops:
        i = where % (len(b) + 1)
        if op == "flip" and i < len(b):
            b[i] ^= 1 << (byte & 7)
        elif op == "set" and i < len(b):
            b[i] = byte
        elif op == "cut":
            del b[i:]
        elif op == "insert":
            b.insert(i, byte)
        elif op == "delete" and i < len(b):
            del b[i]
    return bytes(b)


# ---------------------------------------------------------------- fixture APDUs (HCS/FCS not checked)


def hdlc_information_fields(raw: bytes) -> List[Tuple[bool, bytes]]:
    """(segmented, information field) of each HDLC type-3 frame in ``raw``; HCS/FCS are NOT checked.

    Frames are delimited by their length field; doubled flags and a closing
    flag shared with the next frame's opening flag are both accepted.
    Input that does not start with a flag (framing-only fixtures holding
    frame bodies) gives ``[]``.  See the module docstring for why.
    """
    out: List[Tuple[bool, bytes]] = []
    if not raw.startswith(b"\x7e"):
        return out
    pos = 0
    while pos < len(raw):
        assert raw[pos] == 0x7E, "not a flag at %d" % pos
        if pos + 1 == len(raw):  # the last closing flag
            break
        if raw[pos + 1] == 0x7E:  # doubled flag (inter-frame fill)
            pos += 1
            continue
        fmt = raw[pos + 1]
        length = ((fmt & 0x07) << 8) | raw[pos + 2]
        frame = raw[pos + 1 : pos + 1 + length]
        i = 2
        for _address in range(2):  # destination, then source: octets up to one with bit 0 set
            while not frame[i] & 1:
                i += 1
            i += 1
        info = frame[i + 1 + 2 : length - 2] if length > i + 3 else b""  # after CTRL + HCS, before FCS
        out.append((bool(fmt & 0x08), info))
        pos += length + 1  # the closing flag, which may also open the next frame
    return out


def hdlc_messages(raw: bytes) -> List[bytes]:
    """Information fields with S-bit segments joined (the LLC stays at the start of the first)."""
    messages, current = [], b""
    for segmented, info in hdlc_information_fields(raw):
        current += info
        if not segmented:
            messages.append(current)
            current = b""
    return messages


def fixture_apdus(e: Dict[str, Any]) -> List[bytes]:
    """The complete unencrypted APDUs of a fixture entry (LLC stripped, GBT blocks reassembled).

    ``hdlc`` entries are split with :func:`hdlc_messages` (no FCS check);
    a ``dlms_apdu`` entry is one APDU, with or without LLC.
    """
    if e["format"] not in ("hdlc", "dlms_apdu"):
        raise ValueError("fixture_apdus reads hdlc and dlms_apdu entries, not %r" % e["format"])
    raw = fixture_data(e)
    infos = hdlc_messages(raw) if e["format"] == "hdlc" else [raw]
    out, gbt = [], GbtReassembler()
    for info in infos:
        start = strip_llc(info)
        if start >= len(info):
            continue
        if info[start] == 0xE0:
            done = gbt.add(info)
            if done is not None:
                out.append(done)
        else:
            out.append(info[start:])
    return out


def fixture_apdu(e: Dict[str, Any]) -> bytes:
    """The one complete APDU of a fixture entry (see :func:`fixture_apdus`)."""
    apdus = fixture_apdus(e)
    assert len(apdus) == 1, "%s carries %d APDUs" % (e["id"], len(apdus))
    return apdus[0]
