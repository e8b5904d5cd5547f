"""The one dispatcher from frames to messages.

Every door (``parse_frame``, ``StreamDecoder``, the command line) hands the
frames the wire layer found to a :class:`Dispatcher`; nothing else turns a
frame into a :class:`~hanparse.model.Message`::

    frame (HdlcFrame | MbusFrame | DsmrFrame | CipheredApduFrame | CipheredTelegramFrame)
      |  reassembly: HDLC S-bit segments, M-Bus transport segments,
      |              general-block-transfer blocks (per link-layer format)
      v
    APDU  --LLC-->  DB/DC: security (AES-GCM, tag-less CTR) --> plaintext
      |                                                  '/'... -> P1 grammar
      v
    0F data-notification (dlms) --> meters (layouts, profiles) --> Message

    DSMR telegram --> P1 grammar --> Message

One :class:`Options` object carries every choice a frame cannot tell
(keys, meter options, P1 time zone, strictness, CRC check, HDLC stuffing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from . import _impl, security
from . import meters as _meters_api
from ._wire import BODY_TAGS, FILL, llc_length
from .dlms.apdu import GbtReassembler, reassemble_gbt
from .dlms.ciphering import CipheredApduFrame, CipheredTelegramFrame
from .dsmr.framing import DsmrFrame
from .dsmr.grammar import telegram_message
from .dsmr.timestamps import timestamp_parser
from .errors import DecodeError, IncompleteError, UnsupportedError
from .hdlc import HdlcFrame
from .hdlc import Reassembler as HdlcReassembler
from .hdlc import from_core as _hdlc_frame
from .mbus import MbusFrame
from .mbus import Reassembler as MbusReassembler
from .model import Message, MeterInfo, SecurityInfo

if TYPE_CHECKING:
    from .dlms import _axdr as _dlms
    from .meters import _walk as _meters
else:
    _dlms = _impl.select("dlms")
    _meters = _impl.select("meters")

__all__ = ["Options", "Dispatcher", "decode_apdu", "decode_ciphered_telegram", "hdlc_single", "DEFAULT_TZ"]

DEFAULT_TZ = "Europe/Amsterdam"

_TAG_DATA_NOTIFICATION = 0x0F
_TAG_GBT = 0xE0
_GCM_TAG_LENGTH = 12
_CIPHERED = (security.GENERAL_GLO_CIPHERING, security.GENERAL_DED_CIPHERING)


class Options:
    """Every decoding choice a frame cannot tell, normalised once.

    ``keys``: None, :class:`~hanparse.Keys` or :class:`~hanparse.Keyring`;
    ``meters``: :class:`hanparse.meters.Options`; ``tz``: zone of P1
    clocks; ``strict``: values that would become None raise instead;
    ``verify_crc``: check P1 CRCs; ``stuffed``: HDLC octet stuffing.
    """

    __slots__ = ("keys", "meters", "tz", "strict", "verify_crc", "stuffed")

    def __init__(self, keys: Any = None, options: Any = None, *, tz: Any = DEFAULT_TZ, strict: bool = False,
                 verify_crc: bool = True, stuffed: bool = False) -> None:
        self.keys = None if keys is None else security.normalize_keys(keys)
        self.meters = _meters_api.DEFAULT_OPTIONS if options is None else _meters_api.normalize_options(options)
        if tz is not DEFAULT_TZ:
            timestamp_parser(tz)  # an unknown zone fails here, not at the first telegram
        self.tz = tz
        self.strict = bool(strict)
        self.verify_crc = bool(verify_crc)
        self.stuffed = bool(stuffed)



# -- APDU -> Message (stateless) --------------------------------------------------------


def decode_apdu(apdu: bytes, opts: Options, fmt: str = "apdu", raw: Optional[bytes] = None,
                bare: bool = False) -> Message:
    """The message of one complete APDU (LLC optional); ``fmt``/``raw`` describe its envelope.

    ``bare``: the APDU came with no link layer (a payload or a hex line,
    not the content of an HDLC/M-Bus frame); then a data-notification
    *body* sent alone (an A-XDR array or structure, ``01``/``02``, as
    amsreader's raw mode publishes it) decodes like the whole notification,
    without the header's clock.  Inside a frame such bytes are a
    continuation segment, not a body.
    """
    apdu = bytes(apdu)
    raw_bytes = apdu if raw is None else bytes(raw)
    i = llc_length(apdu, 0, len(apdu))
    if i >= len(apdu):
        raise IncompleteError("empty APDU")
    tag = apdu[i]
    if bare and tag in BODY_TAGS:
        body, stop = _dlms.decode_body(apdu, i, len(apdu))
        if stop != len(apdu):
            raise DecodeError("%d bytes after the notification body" % (len(apdu) - stop), offset=stop)
        return _with_readings(_meters.decode_message(fmt, body, None, None, opts.meters, raw_bytes, None), body)
    if tag in _CIPHERED:
        plaintext, info = security.decrypt_apdu(apdu[i:] if i else apdu, opts.keys)
        return _decrypted(plaintext, info, opts, fmt, raw_bytes)
    return _clear(apdu, i, tag, None, opts, fmt, raw_bytes)


def _decrypted(plaintext: bytes, info: SecurityInfo, opts: Options, fmt: str, raw: bytes) -> Message:
    """The message a decrypted APDU holds: a P1 telegram, a data-notification or a GBT block."""
    if plaintext[:1] == b"/":
        return _p1_plaintext(plaintext, fmt, raw, info, opts)
    if not plaintext:
        raise DecodeError("ciphered APDU holds no plaintext")
    tag = plaintext[0]
    if tag == _TAG_DATA_NOTIFICATION:
        return _notification(plaintext, 0, len(plaintext), fmt, raw, info, opts)
    return _clear(plaintext, 0, tag, info, opts, fmt, raw)


def _clear(apdu: bytes, i: int, tag: int, info: Optional[SecurityInfo], opts: Options, fmt: str,
           raw: bytes) -> Message:
    """The message of a clear APDU at ``apdu[i]``: a data-notification, or one complete GBT block."""
    if tag == _TAG_GBT:
        apdu, i = reassemble_gbt([apdu[i:]]), 0
        if not apdu:
            raise DecodeError("general-block-transfer holds no APDU")
        tag = apdu[0]
        if tag in _CIPHERED and info is None:
            return decode_apdu(apdu, opts, fmt, raw)
    if tag != _TAG_DATA_NOTIFICATION:
        raise UnsupportedError("APDU tag 0x%02X is not a data-notification (0F), a ciphered APDU (DB/DC) or a "
                               "notification body (01/02)" % tag, offset=i)
    return _notification(apdu, i, len(apdu), fmt, raw, info, opts)


def _notification(buf: bytes, start: int, end: int, fmt: str, raw: bytes, info: Optional[SecurityInfo],
                  opts: Options) -> Message:
    _invoke, clock, body, stop = _dlms.decode_data_notification(buf, start, end)
    if stop != end:
        raise DecodeError("%d bytes after the data-notification body" % (end - stop), offset=stop)
    title = info.system_title if info is not None else None
    return _with_readings(_meters.decode_message(fmt, body, clock, title, opts.meters, raw, info), body)


def _with_readings(message: Message, body: Any) -> Message:
    """``message``, checked for what a notification with no readings can be.

    A body that is one bare number, boolean or null is no meter data (it is
    what a stray continuation segment or a damaged frame leaves): an
    :class:`~hanparse.errors.UnsupportedError`.  Any other body that gave no
    reading (one opaque octet-string, an empty structure) still makes a
    message, which says so in its warnings.
    """
    if message._readings:
        return message
    if body is None or isinstance(body, (int, float)):
        raise UnsupportedError("the data-notification body is a single %s, not meter data"
                               % ("null" if body is None else type(body).__name__))
    if message._warnings is None:
        kind = ("octet-string of %d bytes" % len(body) if isinstance(body, (bytes, bytearray))
                else "%s of %d elements" % (type(body).__name__, len(body)) if isinstance(body, (tuple, list))
                else type(body).__name__)
        message._warnings = ("no readings: the notification body is one %s without OBIS codes" % kind,)
    return message


def _p1_plaintext(plaintext: bytes, fmt: str, raw: bytes, info: SecurityInfo, opts: Options) -> Message:
    """A P1 telegram that came out of a GCM block.

    The telegram framer delimits it and checks its CRC, and it must fill
    the plaintext (line ends aside, or a stray 12-byte tag): without a GCM
    tag, that CRC is all that vouches for the decryption.
    """
    if opts.verify_crc:
        r = _core.dsmr_parse(plaintext, 0, 0, len(plaintext) + 1024, True)
        if isinstance(r, int):
            raise DecodeError("the ciphered P1 telegram has no end line", offset=len(plaintext))
        tail = plaintext[r[0]:]
        if tail.strip(FILL) and len(tail) != _GCM_TAG_LENGTH:
            # (a tag's worth of bytes is tolerated: some encoders append a GCM tag to SC 20
            # APDUs and count it in the length, see fixture dsmr_parser:T210_D_R-encrypted-sc20)
            raise DecodeError("%d bytes after the end of the ciphered P1 telegram" % (len(plaintext) - r[0]),
                              offset=r[0])
        inner = telegram_message(plaintext[:r[0]], r[1], r[3], tz=opts.tz, strict=opts.strict)
    else:
        from .dsmr.grammar import parse_telegram

        inner = parse_telegram(plaintext, tz=opts.tz, strict=opts.strict, verify_crc=False)
    m = inner.meter
    meter = MeterInfo(m.manufacturer, m.model, m.meter_id, m.list_id, m.identification, info.system_title,
                      m.profile)
    message = Message._make(fmt, meter, inner.timestamp, inner.readings, bytes(raw), True, info)
    message._warnings = inner._warnings
    return message


def decode_ciphered_telegram(frame: CipheredTelegramFrame, opts: Options) -> Message:
    """Decrypt and decode the Polish P1 form (identification line in clear, then a GCM block)."""
    plaintext, info = security.decrypt_ciphered(frame.ciphered, opts.keys)
    return _p1_plaintext(plaintext, "dsmr", frame.raw, info, opts)


def hdlc_single(buf: bytes, i0: int, i1: int, raw: bytes, opts: Options) -> Optional[Message]:
    """The message of one unsegmented HDLC frame whose information field is ``buf[i0:i1]``.

    Handles the common kinds in place: LLC + a data-notification, or LLC +
    a ciphered APDU.  Anything else gives None (the caller then goes
    through :meth:`Dispatcher.apdu`, which reaches the same functions).
    """
    if llc_length(buf, i0, i1) != 3 or i1 - i0 <= 3:
        return None
    tag = buf[i0 + 3]
    if tag == _TAG_DATA_NOTIFICATION:
        return _notification(buf, i0 + 3, i1, "hdlc", raw, None, opts)
    if tag in _CIPHERED:
        plaintext, info = security.decrypt_apdu(buf[i0 + 3:i1], opts.keys)
        return _decrypted(plaintext, info, opts, "hdlc", raw)
    return None


if TYPE_CHECKING:
    from . import _core
else:
    _core = _impl.select("core")


# -- frames -> Message (stateful: reassembly) ------------------------------------------


class Dispatcher:
    """Frames of one source in, messages out: reassembly, then :func:`decode_apdu` or the P1 grammar.

    :meth:`push` takes each frame in stream order and returns the message
    it completes (None while segments or blocks are missing), or raises a
    :class:`~hanparse.errors.HanParseError`.  Reassembly state is per
    link-layer format: HDLC S-bit segments (addresses must match), M-Bus
    transport segments (sequence numbers), general-block-transfer blocks
    (block numbers).
    """

    __slots__ = ("opts", "hdlc", "hdlc_raw", "mbus", "mbus_raw", "gbt", "gbt_raw")

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.hdlc = HdlcReassembler()
        self.hdlc_raw: List[bytes] = []
        self.mbus = MbusReassembler()
        self.mbus_raw: List[bytes] = []
        self.gbt: Dict[str, GbtReassembler] = {}
        self.gbt_raw: Dict[str, List[bytes]] = {}

    # -- state

    def pending(self) -> List[str]:
        """Descriptions of the unfinished multi-frame messages."""
        out = []
        if self.hdlc.pending:
            out.append("HDLC segmented message")
        if self.mbus.pending:
            out.append("M-Bus transport message")
        for fmt, g in sorted(self.gbt.items()):
            if g.in_progress:
                out.append("general-block-transfer message (%s)" % fmt)
        return out

    def drop_hdlc(self) -> None:
        """Drop an unfinished HDLC segmented message (a segment may have been lost: they carry no number)."""
        if self.hdlc.pending:
            self.hdlc.reset()
        self.hdlc_raw = []

    def reset(self) -> None:
        """Drop every unfinished message."""
        self.hdlc.reset()
        self.hdlc_raw = []
        self.mbus.reset()
        self.mbus_raw = []
        for g in self.gbt.values():
            g.reset()
        self.gbt_raw = {}

    # -- frames

    def push(self, frame: Any) -> Optional[Message]:
        """The message ``frame`` completes, or None while parts are missing."""
        kind = frame.__class__
        if kind is tuple:
            return self._hdlc_light(frame)
        if kind is DsmrFrame:
            return telegram_message(frame.raw, frame.ident_end, frame.body_end, tz=self.opts.tz,
                                    strict=self.opts.strict)
        if kind is HdlcFrame:
            return self._hdlc(frame)
        if kind is MbusFrame:
            return self._mbus(frame)
        if kind is CipheredApduFrame:
            return decode_apdu(frame.raw, self.opts, "apdu", frame.raw)
        if kind is CipheredTelegramFrame:
            return decode_ciphered_telegram(frame, self.opts)
        raise UnsupportedError("unexpected frame type %s" % kind.__name__)  # pragma: no cover

    def _hdlc_light(self, frame: Tuple[Any, ...]) -> Optional[Message]:
        """An unsegmented HDLC frame the scanner passed as ``(raw, i0, i1, result, start)``.

        ``raw[i0:i1]`` is its information field and ``result`` the core's
        parse of it at ``start`` in the scanner's buffer.
        """
        raw, i0, i1, r, start = frame
        if self.hdlc.pending:  # it may end a segmented message: the reassembler decides
            return self._hdlc(_hdlc_frame(raw, 0, _shift(r, start)))
        msg = hdlc_single(raw, i0, i1, raw, self.opts)
        if msg is not None:
            return msg
        return self.apdu("hdlc", raw[i0 + llc_length(raw, i0, i1):i1], [raw])

    def _hdlc(self, frame: HdlcFrame) -> Optional[Message]:
        if not self.hdlc.pending or (frame.dst_raw, frame.src_raw) != self.hdlc.address:
            self.hdlc_raw = []  # no message pending, or the reassembler drops it (other addresses)
        self.hdlc_raw.append(frame.raw)
        try:
            apdu = self.hdlc.push(frame)
        except Exception:
            self.hdlc_raw = []
            raise
        if apdu is None:
            return None
        raws, self.hdlc_raw = self.hdlc_raw, []
        return self.apdu("hdlc", apdu, raws)

    def _mbus(self, frame: MbusFrame) -> Optional[Message]:
        if not frame.transport:
            raise UnsupportedError("M-Bus %s frame (CI %s) carries no DLMS data"
                                   % (frame.kind, "%02X" % frame.ci if frame.ci is not None else "-"))
        if frame.sequence == 0 or not self.mbus.pending:
            self.mbus_raw = []
        self.mbus_raw.append(frame.raw)
        try:
            apdu = self.mbus.push(frame)
        except Exception:
            self.mbus_raw = []
            raise
        if apdu is None:
            return None
        raws, self.mbus_raw = self.mbus_raw, []
        return self.apdu("mbus", apdu, raws)

    def apdu(self, fmt: str, apdu: bytes, raws: List[bytes], bare: bool = False) -> Optional[Message]:
        """An APDU a link-layer message carried (``bare``: a payload with no link layer, see
        :func:`decode_apdu`): a GBT block joins its message, anything else decodes."""
        if apdu[:1] == b"\xe0":  # general-block-transfer: one block per link-layer message
            gbt = self.gbt.get(fmt)
            if gbt is None:
                gbt = self.gbt[fmt] = GbtReassembler()
            if not gbt.in_progress:
                self.gbt_raw[fmt] = []
            parts = self.gbt_raw.setdefault(fmt, [])
            parts.extend(raws)
            try:
                inner = gbt.add(apdu)
            except Exception:
                self.gbt_raw[fmt] = []
                raise
            if inner is None:
                return None
            raws, self.gbt_raw[fmt] = parts, []
            apdu = inner
        return decode_apdu(apdu, self.opts, fmt, b"".join(raws), bare)


def _shift(r: Tuple[Any, ...], start: int) -> Tuple[Any, ...]:
    """A core HDLC result for the frame at ``start``, moved to start at 0 (its ``raw``)."""
    return (r[0], r[1], r[2], r[3] - start, r[4] - start, r[5] - start, r[6], r[7], r[8] - start, r[9] - start,
            r[10])
