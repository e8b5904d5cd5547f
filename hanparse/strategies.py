r"""Hypothesis strategies that generate valid and near-valid meter frames.

For property tests of hanparse itself and of any project that consumes
meter data (a Home Assistant integration, an MQTT bridge, a logger)::

    from hypothesis import given
    from hanparse import strategies as hs

    @given(hs.hdlc_frames())
    def test_my_pipeline_accepts_every_hdlc_frame(sample):
        my_pipeline.handle(sample.data)             # the wire bytes
        assert my_pipeline.last_readings == sample.payload.readings

Every strategy builds its bytes with hanparse's own builders -- the
construct schemas of :mod:`hanparse.dlms.schema` for A-XDR data and
data-notifications, :func:`hanparse.hdlc.build`, :func:`hanparse.mbus.build`,
:func:`hanparse.dsmr.framing.build` and :func:`hanparse.security.encrypt_apdu`
-- so what they generate is what the parsers accept.  Each sample is a
small named tuple holding the bytes *and* what a correct decoder must get
out of them (the A-XDR value, the readings, the plaintext and keys, the
frames of a stream).

What you get::

    strategy                      sample             what it claims
    ----------------------------  -----------------  ------------------------------------------
    axdr_nodes()                  construct node     a build-ready A-XDR Data tree (every tag)
    axdr_data()                   AxdrSample         data bytes + reference value
    cosem_datetimes()             bytes (12)         a valid COSEM date-time
    data_notifications()          NotificationSample random Data tree body (any tags, nested)
    reading_notifications()       NotificationSample {obis, value, {scaler, unit}} body + readings
    hdlc_frames(payloads)         FrameSample        1-4 byte addresses, any control, S-bit
                                                     segments or GBT blocks
    mbus_frames(payloads)         FrameSample        long frames, transport segments (FIN/seq)
    encrypted_apdus(plaintexts)   EncryptedSample    DB/DC, every supported security control,
                                                     the Keys to decrypt it
    encrypted_frames(framing)     EncryptedSample    the same inside HDLC / M-Bus frames
    dsmr_telegrams(variants)      TelegramSample     DSMR 2.2 / 4 / 5 / LF-only / Belgian /
                                                     Luxembourg telegrams, valid CRCs
    mixed_streams()               StreamSample       frames of all kinds mixed with garbage
    near_valid(samples)           MutatedSample      one flipped bit, truncation, wrong length,
                                                     wrong CRC (:func:`flip_bit` & co.)

Importing this module needs ``hypothesis`` (``pip install hypothesis``);
the rest of hanparse does not.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

try:
    from hypothesis import strategies as st
except ImportError as _exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "hanparse.strategies needs the 'hypothesis' package: pip install hypothesis "
        "(or pip install 'hanparse[test]')"
    ) from _exc

from . import hdlc as _hdlc
from . import mbus as _mbus
from .cosem import encode_datetime
from .dlms import schema as _schema
from .dlms.types import BitString, Date, DateTime, Time
from .dsmr import framing as _dsmr_framing
from .errors import FrameError
from .security import Keys, encrypt_apdu

__all__ = [
    "ExpectedReading",
    "AxdrSample",
    "NotificationSample",
    "FrameSample",
    "EncryptedSample",
    "TelegramSample",
    "StreamSample",
    "MutatedSample",
    "SECURITY_CONTROLS",
    "DSMR_VARIANTS",
    "MUTATIONS",
    "axdr_nodes",
    "axdr_data",
    "cosem_datetimes",
    "data_notifications",
    "reading_notifications",
    "hdlc_addresses",
    "hdlc_frames",
    "mbus_frames",
    "encrypted_apdus",
    "encrypted_frames",
    "dsmr_telegrams",
    "garbage",
    "mixed_streams",
    "flip_bit",
    "truncate",
    "with_wrong_length",
    "with_wrong_crc",
    "near_valid",
]

SearchStrategy = st.SearchStrategy


# ====================================================================== samples


class ExpectedReading(NamedTuple):
    """A reading a decoder must produce: OBIS as ``"1-0:1.7.0.255"``, scaled value, unit text (or None)."""

    obis: str
    value: Any
    unit: Optional[str]


class AxdrSample(NamedTuple):
    """One encoded A-XDR ``Data`` element and its value as hanparse decodes it.

    ``value`` is the reference decoding (:func:`hanparse.dlms.schema.to_value`
    of the construct parse): ints, floats, bytes, str, bool, None,
    :class:`~hanparse.dlms.BitString`, ``DateTime``/``Date``/``Time``, lists
    (arrays, compact-arrays) and tuples (structures).
    """

    data: bytes
    value: Any


class NotificationSample(NamedTuple):
    """A data-notification APDU (``0F ...``, no LLC) and what it carries.

    ``clock`` is the 12/5/4 clock octets or None; ``body`` the reference
    value of the body; ``readings`` the readings the meters layer must give
    for a generic ``{obis, value, {scaler, unit}}`` body (None for random
    bodies, which carry no readings); ``timestamp`` the message time for
    such bodies (from ``clock``; None without one).
    """

    apdu: bytes
    long_invoke_id_and_priority: int
    clock: Optional[bytes]
    body: Any
    readings: Optional[Tuple[ExpectedReading, ...]]
    timestamp: Optional[_dt.datetime]


class FrameSample(NamedTuple):
    """One message on the wire.

    ``data``: all its frames concatenated; ``frames``: each frame's bytes
    (what :class:`hanparse.FrameScanner` returns as ``frame.raw``);
    ``format``: ``"hdlc"``, ``"mbus"`` or ``"dsmr"``; ``apdu``: the APDU the
    frames carry, LLC stripped; ``payload``: the sample the APDU came from
    (a :class:`NotificationSample`, or None when raw bytes were given).
    """

    data: bytes
    frames: Tuple[bytes, ...]
    format: str
    apdu: bytes
    payload: Any


class EncryptedSample(NamedTuple):
    """A ciphered message and everything needed to check its decryption.

    ``data``: the wire bytes (a bare ``DB``/``DC`` APDU, or HDLC / M-Bus
    frames carrying it, per ``format``: ``"apdu"``, ``"hdlc"``, ``"mbus"``);
    ``keys``: the :class:`hanparse.Keys` that decrypt it (with the
    authentication key whenever the security control authenticates);
    ``plaintext``: the APDU inside; ``payload``: the
    :class:`NotificationSample` of the plaintext (or None).
    """

    data: bytes
    keys: Keys
    plaintext: bytes
    security_control: int
    system_title: bytes
    invocation_counter: int
    tag: int
    format: str
    frames: Tuple[bytes, ...]
    payload: Any


class TelegramSample(NamedTuple):
    """A DSMR/P1 telegram.

    ``variant`` is one of :data:`DSMR_VARIANTS`; ``readings`` the register
    readings it carries (value as float, unit text); ``timestamp`` the
    telegram time (aware, CET/CEST per the ``S``/``W`` flag) or None (DSMR
    2.2 has none); ``crc`` whether it ends in a CRC.
    """

    data: bytes
    variant: str
    readings: Tuple[ExpectedReading, ...]
    timestamp: Optional[_dt.datetime]
    crc: bool
    format: str = "dsmr"

    @property
    def frames(self) -> Tuple[bytes, ...]:
        """The telegram as the single frame it is."""
        return (self.data,)


class StreamSample(NamedTuple):
    """A byte stream of messages separated by garbage.

    ``frames``: every frame a correct framer must find, in order (HDLC
    segments separately); ``formats``: the format of each of those frames;
    ``messages``: the samples (:class:`FrameSample` / :class:`TelegramSample`)
    in order, one per message a stream decoder must emit.
    """

    data: bytes
    frames: Tuple[bytes, ...]
    formats: Tuple[str, ...]
    messages: Tuple[Any, ...]


class MutatedSample(NamedTuple):
    """A near-valid input: ``original`` broken by ``mutation`` (see :data:`MUTATIONS`) into ``data``."""

    data: bytes
    mutation: str
    original: Any


# ====================================================================== A-XDR

_INT_RANGES = {
    5: (-(2**31), 2**31 - 1),
    6: (0, 2**32 - 1),
    13: (0, 255),
    15: (-128, 127),
    16: (-(2**15), 2**15 - 1),
    17: (0, 255),
    18: (0, 2**16 - 1),
    20: (-(2**63), 2**63 - 1),
    21: (0, 2**64 - 1),
    22: (0, 255),
}
_SIMPLE_TAGS = (0, 3, 4, 5, 6, 9, 10, 12, 13, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27)
_ELEMENT_TAGS = tuple(t for t in _SIMPLE_TAGS if t != 0)  # null-data is no compact-array element type


def _bit_strings() -> SearchStrategy:
    return st.integers(0, 40).flatmap(
        lambda n: st.binary(min_size=(n + 7) // 8, max_size=(n + 7) // 8).map(lambda d: BitString(n, d))
    )


def _simple_values(tag: int) -> SearchStrategy:
    if tag in _INT_RANGES:
        lo, hi = _INT_RANGES[tag]
        return st.integers(lo, hi)
    return {
        0: st.none(),
        3: st.booleans(),
        4: _bit_strings(),
        9: st.binary(max_size=64),
        10: st.text(st.characters(max_codepoint=255), max_size=24),
        12: st.text(max_size=24),
        23: st.floats(width=32),
        24: st.floats(),
        25: st.binary(min_size=12, max_size=12).map(DateTime),
        26: st.binary(min_size=5, max_size=5).map(Date),
        27: st.binary(min_size=4, max_size=4).map(Time),
    }[tag]


def _simple_nodes() -> SearchStrategy:
    return st.sampled_from(_SIMPLE_TAGS).flatmap(lambda t: _simple_values(t).map(lambda v: _schema.typed(t, v)))


def _type_specs() -> SearchStrategy:
    return st.recursive(
        st.sampled_from(_ELEMENT_TAGS),
        lambda inner: st.one_of(
            st.tuples(st.just("array"), st.integers(1, 3), inner),
            st.tuples(st.just("structure"), st.lists(inner, min_size=1, max_size=3)),
        ),
        max_leaves=4,
    )


def _values_of(spec: Any) -> SearchStrategy:
    if isinstance(spec, tuple):
        if spec[0] == "array":
            return st.lists(_values_of(spec[2]), min_size=spec[1], max_size=spec[1])
        return st.tuples(*[_values_of(s) for s in spec[1]])
    return _simple_values(spec)


def _compact_nodes() -> SearchStrategy:
    return _type_specs().flatmap(
        lambda spec: st.lists(_values_of(spec), max_size=4).map(lambda els: _schema.compact_array(spec, els))
    )


def axdr_nodes(max_leaves: int = 20) -> SearchStrategy:
    """Build-ready A-XDR ``Data`` trees (construct containers) over every tag.

    Leaves are all simple tags and compact-arrays (with array/structure
    element types); inner nodes are arrays and structures.  Trees stay
    within :data:`hanparse.dlms.schema.MAX_DEPTH`.  Build one with
    ``hanparse.dlms.schema.Data.build(node)``::

        >>> from hanparse.dlms import schema
        >>> node = axdr_nodes().example()
        >>> data = schema.Data.build(node)
        >>> repr(schema.parse_data(data)[0]) == repr(schema.to_value(schema.Data.parse(data)))  # NaN-safe
        True
    """
    return st.recursive(
        st.one_of(_simple_nodes(), _compact_nodes()),
        lambda children: st.one_of(
            st.lists(children, max_size=5).map(lambda xs: _schema.typed("array", xs)),
            st.lists(children, max_size=5).map(lambda xs: _schema.typed("structure", xs)),
        ),
        max_leaves=max_leaves,
    ).filter(lambda node: _schema.data_depth(node) <= _schema.MAX_DEPTH)


def _axdr_sample(node: Any) -> AxdrSample:
    data = _schema.Data.build(node)
    return AxdrSample(data, _schema.to_value(_schema.Data.parse(data)))


def axdr_data(max_leaves: int = 20) -> SearchStrategy:
    """:class:`AxdrSample`: encoded A-XDR ``Data`` bytes and their value.

    ``hanparse.dlms.decode_data(sample.data) == (sample.value, len(sample.data))``
    (NaN floats compare unequal, as always in Python).
    """
    return axdr_nodes(max_leaves).map(_axdr_sample)


# ====================================================================== COSEM date-time, notifications

_DEVIATIONS = (None, -120, -60, 0, 60, 120, 330)


def _datetimes() -> SearchStrategy:
    return st.datetimes(min_value=_dt.datetime(2000, 1, 1), max_value=_dt.datetime(2099, 12, 31, 23, 59, 59))


def _clock_and_time(dt: _dt.datetime, offset_minutes: Optional[int]) -> Tuple[bytes, _dt.datetime]:
    dt = dt.replace(microsecond=(dt.microsecond // 10000) * 10000)
    if offset_minutes is None:
        return encode_datetime(dt), dt
    aware = dt.replace(tzinfo=_dt.timezone(_dt.timedelta(minutes=offset_minutes)))
    return encode_datetime(aware), aware


def cosem_datetimes() -> SearchStrategy:
    """12-byte COSEM date-times of real instants (2000-2099), deviation unknown or a real UTC offset.

    Built with :func:`hanparse.cosem.encode_datetime` (deviation =
    -UTC offset in minutes, ``8000`` when unknown, hundredths set).
    """
    return st.builds(_clock_and_time, _datetimes(), st.sampled_from(_DEVIATIONS)).map(lambda ct: ct[0])


_INVOKE_IDS = st.integers(0, 2**32 - 1)


def _notification(body_node: Any, invoke: int, clock: Optional[bytes], form: str, readings: Any,
                  timestamp: Any) -> NotificationSample:
    apdu = _schema.build_data_notification(body_node, invoke, clock, form)
    body = _schema.to_value(_schema.Data.parse(_schema.Data.build(_schema.from_value(body_node))))
    return NotificationSample(apdu, invoke, clock, body, readings, timestamp)


def data_notifications(bodies: Optional[SearchStrategy] = None) -> SearchStrategy:
    """:class:`NotificationSample` with a random A-XDR body (default :func:`axdr_nodes`).

    The date-time is drawn in each wire form: absent (``00``), ``0C`` + 12
    octets, ``09 0C`` + 12 (Kaifa) or ``19`` + 12.  Such bodies carry no
    readings (``readings`` is None); decode them with
    :func:`hanparse.dlms.decode_apdu`::

        >>> from hanparse import dlms
        >>> s = data_notifications().example()
        >>> repr(dlms.decode_apdu(s.apdu).body) == repr(s.body)  # repr: a float may be NaN
        True
    """
    bodies = axdr_nodes() if bodies is None else bodies
    clocks = st.one_of(st.none(), cosem_datetimes())
    forms = st.sampled_from(("octet-string", "tagged", "date-time"))
    return st.builds(_notification, bodies, _INVOKE_IDS, clocks, forms, st.none(), st.none())


# DLMS unit codes (IEC 62056-6-2 / Blue Book "unit" enumeration) and their symbols
_UNITS = {27: "W", 28: "VA", 29: "var", 30: "Wh", 31: "VAh", 32: "varh", 33: "A", 35: "V", 44: "Hz"}
# value tags meters use for registers, with their ranges
_REGISTER_TAGS = (5, 6, 16, 18, 15, 17)
# OBIS C and D groups of ordinary electricity registers (no clock / id / list-id codes)
_REGISTER_C = (1, 2, 3, 4, 13, 14, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62, 71, 72)
_REGISTER_D = (7, 8)


def _scaled(raw: int, scaler: int) -> Any:
    # value x 10**scaler (Blue Book 4.3.2 register scaler_unit); a negative
    # scaler gives the float nearest to the exact quotient
    if scaler >= 0:
        return raw * 10**scaler
    return raw / 10 ** (-scaler)


@st.composite
def _register_entry(draw: Any) -> Tuple[Any, ExpectedReading]:
    c = draw(st.sampled_from(_REGISTER_C))
    d = draw(st.sampled_from(_REGISTER_D))
    e = draw(st.integers(0, 4))
    obis = bytes((1, 0, c, d, e, 255))
    tag = draw(st.sampled_from(_REGISTER_TAGS))
    raw = draw(st.integers(*_INT_RANGES[tag]))
    scaler = draw(st.integers(-3, 3))
    unit = draw(st.sampled_from(sorted(_UNITS)))
    node = (obis, _schema.typed(tag, raw), (_schema.typed(15, scaler), _schema.typed(22, unit)))
    return node, ExpectedReading("1-0:%d.%d.%d.255" % (c, d, e), _scaled(raw, scaler), _UNITS[unit])


@st.composite
def _reading_notification(draw: Any, max_readings: int) -> NotificationSample:
    entries = draw(st.lists(_register_entry(), min_size=1, max_size=max_readings,
                            unique_by=lambda en: en[1].obis))
    body = [node for node, _ in entries]
    readings = tuple(r for _, r in entries)
    clock: Optional[bytes] = None
    timestamp: Optional[_dt.datetime] = None
    if draw(st.booleans()):
        clock, timestamp = _clock_and_time(draw(_datetimes()), draw(st.sampled_from(_DEVIATIONS)))
    form = draw(st.sampled_from(("octet-string", "tagged")))
    return _notification(body, draw(_INVOKE_IDS), clock, form, readings, timestamp)


def reading_notifications(max_readings: int = 12) -> SearchStrategy:
    """:class:`NotificationSample` whose body is the generic register layout, with its readings.

    The body is an array of ``{octet-string OBIS, value, {scaler, unit}}``
    structures (Norwegian Kamstrup/Aidon style) over electricity register
    OBIS codes ``1-0:C.D.E.255``, integer values of the register tags and
    scalers -3..3, so ``readings`` lists exactly what
    :func:`hanparse.parse_frame` must report: ``value * 10**scaler`` and the
    unit symbol.  ``timestamp`` is the notification clock (aware when the
    deviation is known)::

        >>> import hanparse
        >>> from hanparse import hdlc
        >>> s = reading_notifications().example()
        >>> msg = hanparse.parse_frame(hdlc.build(s.apdu))
        >>> repr([(str(r.obis), r.value, r.unit) for r in msg.readings]) == repr([tuple(r) for r in s.readings])
        True
    """
    return _reading_notification(max_readings)


# ====================================================================== HDLC and M-Bus


def hdlc_addresses() -> SearchStrategy:
    """HDLC address fields of 1-4 bytes (7 bits per byte, bit 0 set on the last only)."""
    return st.integers(1, 4).flatmap(
        lambda n: st.lists(st.integers(0, 127), min_size=n, max_size=n).map(
            lambda groups: bytes((g << 1) for g in groups[:-1]) + bytes(((groups[-1] << 1) | 1,))
        )
    )


def _apdu_of(payload: Any) -> Tuple[bytes, Any]:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload), None
    return payload.apdu, payload


@st.composite
def _hdlc_sample(draw: Any, payloads: SearchStrategy, split: Sequence[str]) -> FrameSample:
    apdu, payload = _apdu_of(draw(payloads))
    dst = draw(hdlc_addresses())
    src = draw(hdlc_addresses())
    control = draw(st.integers(0, 255))
    kwargs = dict(dst=dst, src=src, control=control)
    header = 2 + len(dst) + len(src) + 1 + 2 + 2  # format..control, HCS, FCS
    room = _hdlc.MAX_LENGTH - header
    mode = draw(st.sampled_from(tuple(split)))
    if len(apdu) + 3 > room and mode == "single":
        mode = "segments"
    if mode == "segments":
        size = draw(st.integers(max(4, -(-(len(apdu) + 3) // 64)), room))
        frames = _hdlc.build_segments(apdu, max_information=size, **kwargs)
    elif mode == "gbt":
        block = draw(st.integers(max(1, -(-len(apdu) // 64)), min(room - 16, max(1, len(apdu)))))
        frames = [_hdlc.build(b, **kwargs) for b in _schema.split_gbt(apdu, block)]
    else:
        frames = [_hdlc.build(apdu, **kwargs)]
    return FrameSample(b"".join(frames), tuple(frames), "hdlc", apdu, payload)


def hdlc_frames(payloads: Optional[SearchStrategy] = None, *,
                split: Sequence[str] = ("single", "segments", "gbt")) -> SearchStrategy:
    """:class:`FrameSample` of HDLC type-3 frames (IEC 62056-46) carrying one APDU.

    ``payloads``: a strategy of :class:`NotificationSample` (default
    :func:`reading_notifications`) or of raw APDU bytes.  Destination and
    source addresses are 1, 2 or 4 bytes, the control byte any value, and
    the message goes in one frame (``"single"``), in S-bit segments with
    the LLC in the first only (``"segments"``), or as general-block-transfer
    blocks one per frame (``"gbt"``) -- drawn from ``split``.  APDUs too long
    for one frame are always segmented::

        >>> import hanparse
        >>> s = hdlc_frames().example()
        >>> msg = hanparse.parse_frame(s.data)
        >>> repr([(str(r.obis), r.value, r.unit) for r in msg.readings]) == repr([tuple(r) for r in s.payload.readings])
        True
    """
    return _hdlc_sample(reading_notifications() if payloads is None else payloads, split)


@st.composite
def _mbus_sample(draw: Any, payloads: SearchStrategy) -> FrameSample:
    apdu, payload = _apdu_of(draw(payloads))
    if len(apdu) > 16 * 250:
        raise FrameError("APDU of %d bytes does not fit 16 M-Bus segments" % len(apdu))
    size = draw(st.integers(max(1, -(-len(apdu) // 16)), 250))
    c = draw(st.sampled_from((0x53, 0x73, 0x08, 0x44)))
    a = draw(st.integers(0, 255))
    frames = _mbus.build_segments(apdu, max_apdu=size, c=c, a=a)
    return FrameSample(b"".join(frames), tuple(frames), "mbus", apdu, payload)


def mbus_frames(payloads: Optional[SearchStrategy] = None) -> SearchStrategy:
    """:class:`FrameSample` of M-Bus long frames (EN 13757-2) with DLMS transport segments.

    The APDU is cut into 1-16 segments (CI = FIN bit | sequence number,
    STSAP 01, DTSAP 67 as Austrian meters send), with a random address
    and C field.  ``payloads`` as for :func:`hdlc_frames`.
    """
    return _mbus_sample(reading_notifications(max_readings=8) if payloads is None else payloads)


# ====================================================================== encryption

#: every security control byte hanparse decrypts: authenticated and/or encrypted, suites 0 and 1, broadcast bit
SECURITY_CONTROLS = tuple(sc | bc for sc in (0x00, 0x01, 0x10, 0x11, 0x20, 0x21, 0x30, 0x31) for bc in (0, 0x40))


@st.composite
def _encrypted(draw: Any, plaintexts: SearchStrategy, security_controls: Sequence[int], framing: Sequence[str],
               tags: Sequence[int]) -> EncryptedSample:
    plaintext, payload = _apdu_of(draw(plaintexts))
    sc = draw(st.sampled_from(tuple(security_controls)))
    ek = draw(st.binary(min_size=16, max_size=16))
    needs_ak = bool(sc & 0x10)
    ak = draw(st.binary(min_size=16, max_size=16)) if needs_ak or draw(st.booleans()) else None
    keys = Keys(ek, ak)
    title = draw(st.binary(min_size=8, max_size=8))
    counter = draw(st.integers(0, 2**32 - 1))
    tag = draw(st.sampled_from(tuple(tags)))
    apdu = encrypt_apdu(plaintext, keys=keys, system_title=title, invocation_counter=counter,
                        security_control=sc, tag=tag)
    fmt = draw(st.sampled_from(tuple(framing)))
    if fmt == "hdlc":
        frames = tuple(draw(hdlc_frames(st.just(apdu), split=("single", "segments"))).frames)
    elif fmt == "mbus":
        frames = tuple(draw(mbus_frames(st.just(apdu))).frames)
    else:
        frames = (apdu,)
    return EncryptedSample(b"".join(frames), keys, plaintext, sc, title, counter, tag, fmt, frames, payload)


def encrypted_apdus(plaintexts: Optional[SearchStrategy] = None, *,
                    security_controls: Sequence[int] = SECURITY_CONTROLS,
                    tags: Sequence[int] = (0xDB, 0xDC)) -> SearchStrategy:
    """:class:`EncryptedSample` of bare general-glo/ded-ciphering APDUs (``format="apdu"``).

    Random keys, 8-byte system title and invocation counter; the security
    control is drawn from ``security_controls`` (default: all of
    :data:`SECURITY_CONTROLS` -- GCM with tag, CTR without tag, GMAC only,
    plain), built with :func:`hanparse.security.encrypt_apdu`.
    ``plaintexts``: strategy of :class:`NotificationSample` (default
    :func:`reading_notifications`) or of APDU bytes::

        >>> import hanparse
        >>> s = encrypted_apdus().example()
        >>> hanparse.security.decrypt_apdu(s.data, s.keys)[0] == s.plaintext
        True
    """
    plaintexts = reading_notifications() if plaintexts is None else plaintexts
    return _encrypted(plaintexts, security_controls, ("apdu",), tags)


def encrypted_frames(plaintexts: Optional[SearchStrategy] = None, *,
                     framing: Sequence[str] = ("hdlc", "mbus", "apdu"),
                     security_controls: Sequence[int] = SECURITY_CONTROLS,
                     tags: Sequence[int] = (0xDB, 0xDC)) -> SearchStrategy:
    """:class:`EncryptedSample` of ciphered APDUs inside HDLC frames, M-Bus segments or bare.

    ``sample.data`` is what a meter sends (Kamstrup DK: HDLC; Austria:
    M-Bus), ``sample.keys`` what the user configures, and
    ``hanparse.parse_frame(sample.data, keys=sample.keys)`` must give the
    readings of ``sample.payload``.
    """
    plaintexts = reading_notifications(max_readings=8) if plaintexts is None else plaintexts
    return _encrypted(plaintexts, security_controls, framing, tags)


# ====================================================================== DSMR

#: telegram variants of :func:`dsmr_telegrams`
DSMR_VARIANTS = ("2.2", "4", "5", "5-lf", "be", "lu")

# variant -> (identification lines, version line or None, CRC, newline, timestamp line)
_DSMR_HEADERS = {
    "2.2": (("/ISk5\\2MT382-1004",), None, False, "\r\n", False),
    "4": (("/KFM5KAIFA-METER", "/ISk5\\2M550T-1012"), "1-3:0.2.8(42)", True, "\r\n", True),
    "5": (("/Ene5\\T210-D ESMR5.0", "/ISK5\\2M550E-1011"), "1-3:0.2.8(50)", True, "\r\n", True),
    "5-lf": (("/Ene5\\XS210 ESMR 5.0",), "1-3:0.2.8(50)", True, "\n", True),
    "be": (("/FLU5\\253769484_A",), "0-0:96.1.4(50217)", True, "\r\n", True),
    "lu": (("/Lux5\\253694471_M",), "1-3:0.2.8(42)", True, "\r\n", True),
}

# (OBIS, unit, integer digits, decimals) of register lines (DSMR 5.0.2 table 6-1 value formats)
_DSMR_REGISTERS = {
    "common": (
        ("1-0:1.8.1", "kWh", 6, 3), ("1-0:1.8.2", "kWh", 6, 3), ("1-0:2.8.1", "kWh", 6, 3),
        ("1-0:2.8.2", "kWh", 6, 3), ("1-0:1.7.0", "kW", 2, 3), ("1-0:2.7.0", "kW", 2, 3),
    ),
    "poly": (
        ("1-0:21.7.0", "kW", 2, 3), ("1-0:41.7.0", "kW", 2, 3), ("1-0:61.7.0", "kW", 2, 3),
        ("1-0:32.7.0", "V", 3, 1), ("1-0:52.7.0", "V", 3, 1), ("1-0:72.7.0", "V", 3, 1),
    ),
    "be": (("1-0:1.4.0", "kW", 2, 3),),
    "lu": (("1-0:1.8.0", "kWh", 6, 3), ("1-0:2.8.0", "kWh", 6, 3), ("1-0:3.8.0", "kvarh", 6, 3),
           ("1-0:4.8.0", "kvarh", 6, 3), ("1-0:3.7.0", "kvar", 2, 3)),
}


def _register_pool(variant: str) -> Tuple[Tuple[str, str, int, int], ...]:
    pool = _DSMR_REGISTERS["common"]
    if variant != "2.2":
        pool = pool + _DSMR_REGISTERS["poly"]
    if variant in ("be", "lu"):
        pool = pool + _DSMR_REGISTERS[variant]
    return pool


_CET = _dt.timezone(_dt.timedelta(hours=1))
_CEST = _dt.timezone(_dt.timedelta(hours=2))


@st.composite
def _telegram_time(draw: Any) -> Tuple[str, _dt.datetime]:
    # Well away from the DST switches: January/February are CET (W), June-August CEST (S).
    summer = draw(st.booleans())
    month = draw(st.integers(6, 8) if summer else st.integers(1, 2))
    when = _dt.datetime(draw(st.integers(2010, 2049)), month, draw(st.integers(1, 28)),
                        draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59)))
    text = when.strftime("%y%m%d%H%M%S") + ("S" if summer else "W")
    return text, when.replace(tzinfo=_CEST if summer else _CET)


@st.composite
def _telegram(draw: Any, variants: Sequence[str]) -> TelegramSample:
    variant = draw(st.sampled_from(tuple(variants)))
    idents, version, with_crc, newline, with_time = _DSMR_HEADERS[variant]
    lines: List[str] = [draw(st.sampled_from(idents)), ""]
    if version:
        lines.append(version)
    timestamp = None
    if with_time:
        text, timestamp = draw(_telegram_time())
        lines.append("0-0:1.0.0(%s)" % text)
    pool = _register_pool(variant)
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    readings = []
    for obis, unit, ints, decs in sorted(chosen, key=pool.index):
        raw = draw(st.integers(0, 10 ** (ints + decs) - 1))
        digits = "%0*d" % (ints + decs, raw)
        text = digits[:ints] + "." + digits[ints:]
        lines.append("%s(%s*%s)" % (obis, text, unit))
        readings.append(ExpectedReading(obis + ".255", float(text), unit))
    data = _dsmr_framing.build("\n".join(lines), crc=with_crc, newline=newline)
    return TelegramSample(data, variant, tuple(readings), timestamp, with_crc)


def dsmr_telegrams(variants: Sequence[str] = DSMR_VARIANTS) -> SearchStrategy:
    """:class:`TelegramSample` of DSMR/P1 telegrams built with :func:`hanparse.dsmr.framing.build`.

    Variants (:data:`DSMR_VARIANTS`): ``"2.2"`` (no CRC, no timestamp),
    ``"4"`` and ``"5"`` (version line, timestamp, CRC-16/ARC), ``"5-lf"``
    (LF-only line ends), ``"be"`` (Fluvius: ``0-0:96.1.4`` version line,
    ``1-0:1.4.0`` demand), ``"lu"`` (Luxembourg Smarty: reactive
    energy registers).  A random subset of register lines with random
    values in their fixed formats (``000123.456*kWh``)::

        >>> import hanparse
        >>> s = dsmr_telegrams(["5"]).example()
        >>> msg = hanparse.parse_frame(s.data)
        >>> all(repr(msg[r.obis].value) == repr(r.value) for r in s.readings)
        True
    """
    for v in variants:
        if v not in _DSMR_HEADERS:
            raise ValueError("unknown DSMR variant %r (expected one of %s)" % (v, ", ".join(DSMR_VARIANTS)))
    return _telegram(variants)


# ====================================================================== streams

# bytes that could start a frame candidate: HDLC flag, M-Bus long/short start and ACK, '/'
_FRAME_STARTS = frozenset((0x7E, 0x68, 0x10, 0xE5, 0x2F))


def garbage(max_size: int = 64) -> SearchStrategy:
    """Bytes that cannot start a frame (no ``7E``, ``68``, ``10``, ``E5``, ``/``): line noise between frames."""
    return st.binary(max_size=max_size).map(lambda b: bytes(x for x in b if x not in _FRAME_STARTS))


@st.composite
def _stream(draw: Any, messages: SearchStrategy, max_messages: int, max_garbage: int) -> StreamSample:
    samples = draw(st.lists(messages, min_size=1, max_size=max_messages))
    parts: List[bytes] = []
    frames: List[bytes] = []
    formats: List[str] = []
    for s in samples:
        junk = draw(garbage(max_garbage))
        if s.format == "dsmr":
            junk += b"\r\n"  # a telegram starts at a line start
        parts.append(junk)
        parts.append(s.data)
        frames.extend(s.frames)
        formats.extend([s.format] * len(s.frames))
    parts.append(draw(garbage(max_garbage)))
    return StreamSample(b"".join(parts), tuple(frames), tuple(formats), tuple(samples))


def mixed_streams(messages: Optional[SearchStrategy] = None, *, max_messages: int = 5,
                  max_garbage: int = 64) -> SearchStrategy:
    """:class:`StreamSample`: messages one after another with :func:`garbage` before, between and after.

    ``messages`` defaults to plain HDLC, M-Bus and DSMR samples
    (:func:`hdlc_frames`, :func:`mbus_frames`, :func:`dsmr_telegrams`).
    A :class:`~hanparse.FrameScanner` fed ``sample.data`` in any
    chunks returns exactly ``sample.frames``; a stream decoder emits one
    message per ``sample.messages`` entry::

        >>> from hanparse import FrameScanner
        >>> s = mixed_streams().example()                                    # doctest: +SKIP
        >>> sc = FrameScanner(); got = sc.feed(s.data) + sc.flush()          # doctest: +SKIP
        >>> [f.raw for f in got] == list(s.frames)                           # doctest: +SKIP
        True
    """
    if messages is None:
        messages = st.one_of(hdlc_frames(reading_notifications(max_readings=6)),
                             mbus_frames(reading_notifications(max_readings=6)), dsmr_telegrams())
    return _stream(messages, max_messages, max_garbage)


# ====================================================================== near-valid mutators

#: mutations of :func:`near_valid`
MUTATIONS = ("flip_bit", "truncate", "wrong_length", "wrong_crc")


def flip_bit(data: bytes, bit: int) -> bytes:
    """``data`` with bit ``bit`` (0 = most significant bit of byte 0) inverted."""
    if not 0 <= bit < 8 * len(data):
        raise ValueError("bit %d is outside the %d bits of data" % (bit, 8 * len(data)))
    out = bytearray(data)
    out[bit >> 3] ^= 0x80 >> (bit & 7)
    return bytes(out)


def truncate(data: bytes, length: int) -> bytes:
    """The first ``length`` bytes of ``data`` (``0 <= length < len(data)``)."""
    if not 0 <= length < len(data):
        raise ValueError("truncation length must be below %d" % len(data))
    return data[:length]


def with_wrong_length(frame: bytes, fmt: str, delta: int) -> bytes:
    """An HDLC or M-Bus frame whose length field is off by ``delta`` (checksums left as they were).

    HDLC: the 11-bit length in the format field (kept in 1 .. 2047); M-Bus:
    both L bytes of a long frame.  The result is never a valid frame: the
    HCS (HDLC) or the stop byte / checksum position (M-Bus) no longer fit.
    """
    if delta == 0:
        raise ValueError("delta must not be 0")
    out = bytearray(frame)
    if fmt == "hdlc":
        length = ((out[1] & 0x07) << 8) | out[2]
        new = min(max(1, length + delta), _hdlc.MAX_LENGTH)
        if new == length:
            new = length - 1 if length > 1 else length + 1
        out[1] = (out[1] & 0xF8) | (new >> 8)
        out[2] = new & 0xFF
    elif fmt == "mbus":
        new = (out[1] + delta) % 256
        if new == out[1]:
            new = (new + 1) % 256
        out[1] = out[2] = new
    else:
        raise ValueError("wrong length applies to 'hdlc' and 'mbus' frames, not %r" % fmt)
    return bytes(out)


def with_wrong_crc(frame: bytes, fmt: str, xor: int = 0x0001) -> bytes:
    """A frame whose final checksum is changed by XOR-ing ``xor`` (non-zero) into it.

    HDLC: the FCS (the 2 bytes before the closing flag); M-Bus: CS;
    DSMR: the 4 CRC hex digits after ``!`` (telegrams without a CRC raise
    ValueError).  The parser must report a
    :class:`~hanparse.errors.ChecksumError`.
    """
    if fmt == "hdlc":
        x = xor & 0xFFFF or 1
        out = bytearray(frame)
        out[-3] ^= x & 0xFF
        out[-2] ^= x >> 8
        return bytes(out)
    if fmt == "mbus":
        out = bytearray(frame)
        out[-2] ^= xor & 0xFF or 1
        return bytes(out)
    if fmt == "dsmr":
        bang = frame.rfind(b"!")
        digits = frame[bang + 1 : bang + 5]
        if bang < 0 or len(digits) != 4 or not all(chr(c) in "0123456789ABCDEFabcdef" for c in digits):
            raise ValueError("the telegram has no 4-digit CRC")
        value = int(digits, 16) ^ (xor & 0xFFFF or 1)
        return frame[: bang + 1] + b"%04X" % value + frame[bang + 5 :]
    raise ValueError("unknown format %r" % fmt)


def _dsmr_crc_region(data: bytes) -> int:
    """Bytes a single-bit flip is guaranteed to be caught in: '/' .. '!' (CRC-16/ARC covers them)."""
    return data.rfind(b"!") + 1


@st.composite
def _mutated(draw: Any, samples: SearchStrategy, mutations: Sequence[str]) -> MutatedSample:
    s = draw(samples)
    fmt = s.format
    crc = getattr(s, "crc", True)
    allowed = [m for m in mutations
               if not (m == "wrong_length" and fmt in ("dsmr", "apdu"))
               and not (m == "wrong_crc" and fmt == "apdu")
               and not (m in ("wrong_crc", "flip_bit") and not crc)]
    if not allowed:
        allowed = ["truncate"]
    mutation = draw(st.sampled_from(allowed))
    data = s.data
    frames = list(s.frames)
    if mutation == "flip_bit":
        span = _dsmr_crc_region(data) if fmt == "dsmr" else len(data)
        out = flip_bit(data, draw(st.integers(0, 8 * span - 1)))
    elif mutation == "truncate":
        # DSMR: cut before the end line's '!' (a cut within the line end still leaves a whole telegram)
        top = data.rfind(b"!") if fmt == "dsmr" else len(data) - 1
        out = truncate(data, draw(st.integers(0, top)))
    else:
        k = draw(st.integers(0, len(frames) - 1))
        if mutation == "wrong_length":
            delta = draw(st.integers(-8, 8).filter(bool))
            frames[k] = with_wrong_length(frames[k], fmt, delta)
        else:
            frames[k] = with_wrong_crc(frames[k], fmt, draw(st.integers(1, 0xFFFF)))
        out = b"".join(frames)
    return MutatedSample(out, mutation, s)


def near_valid(samples: Optional[SearchStrategy] = None, *, mutations: Sequence[str] = MUTATIONS) -> SearchStrategy:
    """:class:`MutatedSample`: a valid message broken in exactly one way.

    ``samples``: a strategy of :class:`FrameSample`, :class:`TelegramSample`
    or :class:`EncryptedSample` with framing (default: HDLC, M-Bus and DSMR
    with CRC).  Mutations (from ``mutations``, see :data:`MUTATIONS`):

    ``"flip_bit"``
        one bit inverted anywhere in an HDLC / M-Bus message, or in the
        CRC-covered ``/`` .. ``!`` part of a telegram (not applied to
        telegrams without CRC: a flip there is undetectable by design);
    ``"truncate"``
        the message cut short (a telegram before its ``!``);
    ``"wrong_length"``
        one frame's length field changed (:func:`with_wrong_length`;
        HDLC and M-Bus);
    ``"wrong_crc"``
        one frame's checksum changed (:func:`with_wrong_crc`).

    :func:`hanparse.parse_frame` (with the sample's keys) raises a
    :class:`~hanparse.HanParseError` for every one of them on HDLC, M-Bus
    and DSMR samples: HDLC FCS/HCS, the M-Bus sum and the DSMR CRC-16 catch
    every single-bit error, and a truncated or mis-sized frame never
    verifies.  A stream decoder must drop the message without losing the
    next one.  Bare ciphered APDUs (``EncryptedSample`` with
    ``format="apdu"``) get only ``"flip_bit"`` and ``"truncate"``; there the
    GCM tag catches a flip when the security control authenticates (0x10,
    0x30 bits), while a flip in an unauthenticated CTR payload (SC 0x20)
    may decode to different values -- never to anything but a Message or a
    HanParseError.
    """
    if samples is None:
        samples = st.one_of(hdlc_frames(reading_notifications(max_readings=6)),
                            mbus_frames(reading_notifications(max_readings=6)),
                            dsmr_telegrams([v for v in DSMR_VARIANTS if v != "2.2"]))
    return _mutated(samples, tuple(mutations))
