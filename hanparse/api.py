"""``parse_frame()``: one complete message in, one :class:`~hanparse.model.Message` out.

The input kind is detected from its first byte, and the layers of
DESIGN.md are applied in order::

    bytes / str
      |  str: a P1 telegram ('/' first) or hex text of anything below
      v
    framing    7E -> HDLC (S-bit segments and GBT blocks across frames)
               68 -> M-Bus long frames (DLMS transport segments)
               '/' -> DSMR telegram (or the Polish identification line + GCM block)
               0F E6 DB DC E0 -> a bare APDU (LLC optional)
      v
    security   DB / DC -> AES-GCM with the caller's keys
      v
    dlms       0F data-notification -> A-XDR Data tree
      v
    meters     Data tree -> MeterInfo, clock, Readings
               (a decrypted P1 telegram goes to the DSMR grammar instead)
"""

from __future__ import annotations

import string
from typing import Any, List, Mapping, Optional, Tuple, Union

from . import _impl, hdlc, mbus, security
from .dlms.ciphering import decode_ciphered_telegram_frame
from .dsmr.grammar import parse_telegram
from .errors import DecodeError, FrameError, IncompleteError, UnsupportedError
from .meters import _decode as _meters_api
from .meters import decode_notification
from .model import Message, MeterInfo, SecurityInfo

__all__ = ["parse_frame", "decode_apdu_message", "decode_ciphered_telegram", "hex_to_bytes"]

_core = _impl.select("core")
_dlms = _impl.select("dlms")
_meters = _impl.select("meters")

Data = Union[bytes, bytearray, memoryview, str]

_TAG_DATA_NOTIFICATION = 0x0F
_TAG_GBT = 0xE0
_CIPHERED = (security.GENERAL_GLO_CIPHERING, security.GENERAL_DED_CIPHERING)
_APDU_FIRST_BYTES = frozenset((0x0F, 0xE6, 0xDB, 0xDC, 0xE0))
_HEX_DIGITS = frozenset(string.hexdigits)
_SEPARATORS = str.maketrans("", "", " \t\r\n:-,")
_FILL = b" \t\r\n\x00"  # bytes tolerated around a frame given to parse_frame

#: the most bytes parse_frame accepts (a message of many long frames fits easily)
MAX_INPUT = 1 << 20


def hex_to_bytes(text: str) -> bytes:
    """Bytes of hex text; whitespace, ``:``, ``-`` and ``,`` separators and a ``0x`` prefix are ignored."""
    compact = text.translate(_SEPARATORS)
    if compact[:2] in ("0x", "0X"):
        compact = compact[2:]
    if not compact:
        raise DecodeError("empty input: no hex digits")
    if len(compact) % 2 or not _HEX_DIGITS.issuperset(compact):
        bad = next((i for i, ch in enumerate(compact) if ch not in _HEX_DIGITS), len(compact))
        raise DecodeError(
            "input text is neither a P1 telegram (starting '/') nor hex text"
            + (" (odd number of hex digits)" if bad == len(compact) else " (non-hex character %r)" % compact[bad])
        )
    return bytes.fromhex(compact)


def parse_frame(
    data: Data,
    keys: Any = None,
    *,
    options: Any = None,
    tz: Any = "Europe/Amsterdam",
    strict: bool = False,
    verify_crc: bool = True,
    stuffed: bool = False,
) -> Message:
    """Decode one complete message from a meter.

    ``data``: bytes of an HDLC frame (or the consecutive frames of one
    segmented message), M-Bus long frame(s), a DSMR telegram, or a bare
    APDU (``0F``/``E6 E7 00``/``DB``/``DC``/``E0``); or str: a P1 telegram,
    or hex text of any of these (whitespace ignored).

    ``keys``: :class:`hanparse.Keys`, a bare 16-byte/32-hex-digit
    encryption key, or a mapping system title -> Keys, for ciphered
    messages.  ``options``: meter options (:class:`hanparse.meters.Options`
    or a mapping: ``country``, ``kamstrup_energy_scaler``, ``scalers``,
    ``profile``, ``local_clock``).  ``tz``: time zone of P1 telegram clocks
    (default Europe/Amsterdam).  ``strict``: raise DecodeError for values
    that otherwise become None with a warning.  ``verify_crc``: check P1
    CRCs.  ``stuffed``: HDLC frames use ISO/IEC 13239 octet stuffing.

    Raises a :class:`hanparse.HanParseError` subclass on any bad input.
    """
    if keys is None and options is None and not stuffed:
        # Fast path, the same calls as the general one: exactly one
        # unsegmented HDLC frame holding LLC + a clear data-notification.
        msg = _meters_api._meters.decode_hdlc_frame(data, _core.hdlc_parse, _dlms.decode_data_notification,
                                                    _meters_api._DEFAULT_OPTIONS)
        if msg is not None:
            return msg
    buf = _as_bytes(data)
    keys = security.normalize_keys(keys)
    if len(buf) > MAX_INPUT:
        raise FrameError("input of %d bytes is larger than one message can be (%d)" % (len(buf), MAX_INPUT))
    start = _skip_fill(buf, 0)
    if start >= len(buf):
        raise IncompleteError("empty input: no frame")
    first = buf[start]
    if first == 0x7E:
        return _parse_hdlc(buf, start, keys, options, stuffed, tz, strict, verify_crc)
    if first == 0x68:
        return _parse_mbus(buf, start, keys, options)
    if first == 0x2F:  # '/'
        return _parse_p1(buf, start, keys, tz, strict, verify_crc)
    if first in _APDU_FIRST_BYTES:
        # An APDU has no delimiter: every byte to the end belongs to it (a
        # trailing 00 is often a value), so nothing is trimmed here.
        apdu = buf[start:] if start else buf
        return decode_apdu_message(apdu, keys, fmt="apdu", raw=apdu, options=options,
                                   tz=tz, strict=strict, verify_crc=verify_crc)
    if first in (0x10, 0xE5):
        raise UnsupportedError("M-Bus short/ack frame: it carries no meter data")
    raise FrameError(
        "not a meter message: starts with byte 0x%02X (expected 7E HDLC, 68 M-Bus, '/' P1, "
        "or an APDU tag 0F/E6/DB/DC/E0)" % first,
        offset=start,
    )


# -- input handling ------------------------------------------------------

def _as_bytes(data: Data) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        lead = data.lstrip()
        if lead.startswith("/"):
            return data.encode("latin-1", "replace")
        return hex_to_bytes(data)
    raise TypeError("parse_frame() takes bytes or str, not %s" % type(data).__name__)


def _skip_fill(buf: bytes, i: int) -> int:
    n = len(buf)
    while i < n and buf[i] in _FILL:
        i += 1
    return i


def _only_fill_after(buf: bytes, i: int, what: str, extra: bytes = b"") -> None:
    n = len(buf)
    while i < n and (buf[i] in _FILL or buf[i] in extra):
        i += 1
    if i < n:
        raise FrameError(
            "%d unexpected bytes after the %s message; parse_frame takes one message "
            "(use StreamDecoder for a stream)" % (n - i, what),
            offset=i,
        )


# -- HDLC ----------------------------------------------------------------

def _parse_hdlc(buf: bytes, start: int, keys: Any, options: Any, stuffed: bool, tz: Any = "Europe/Amsterdam",
                strict: bool = False, verify_crc: bool = True) -> Message:
    if not stuffed:
        # Fast path: one unsegmented frame holding LLC + a data-notification or a ciphered APDU.
        r = _core.hdlc_parse(buf, start)
        if type(r) is tuple and r[1] and not r[2]:
            after = start + r[0] + 1
            if after >= len(buf) or _skip_fill(buf, after) >= len(buf):
                raw = buf[start:after] if (start or after != len(buf)) else buf
                msg = _hdlc_single(buf, r[8], r[9], raw, keys, options, tz, strict, verify_crc)
                if msg is not None:
                    return msg
    frames = _hdlc_frames(buf, start, stuffed)
    apdu = _join_hdlc(frames)
    raw = b"".join(f.raw for f in frames)
    return decode_apdu_message(apdu, keys, fmt="hdlc", raw=raw, options=options, tz=tz, strict=strict,
                               verify_crc=verify_crc)


def _has_llc(buf: bytes, i0: int, i1: int) -> bool:
    """Whether the information field ``buf[i0:i1]`` starts with an LLC header (E6 E7 00 / E6 E6 00)."""
    return i1 - i0 >= 3 and buf[i0] == 0xE6 and (buf[i0 + 1] == 0xE7 or buf[i0 + 1] == 0xE6) and buf[i0 + 2] == 0


def _hdlc_single(buf: bytes, i0: int, i1: int, raw: bytes, keys: Any, options: Any, tz: Any, strict: bool,
                 verify_crc: bool) -> Optional[Message]:
    """The message of one unsegmented HDLC frame, decoded in place; None when it is not the simple kind.

    The simple kind: the information field ``buf[i0:i1]`` holds LLC +
    a data-notification (0F) or a ciphered APDU (DB/DC), which is decrypted
    straight from the frame.  Anything else (no LLC, a GBT block, ...)
    gives None and takes the general path.  ``keys`` is normalized.
    """
    if i1 - i0 <= 3 or buf[i0] != 0xE6 or buf[i0 + 2] != 0 or (buf[i0 + 1] != 0xE7 and buf[i0 + 1] != 0xE6):
        return None
    tag = buf[i0 + 3]
    if tag == _TAG_DATA_NOTIFICATION:
        return _notification_message(buf, i0 + 3, i1, "hdlc", raw, None, None, options)
    if tag == 0xDB or tag == 0xDC:
        plaintext, info = security.decrypt_apdu(buf[i0 + 3:i1], keys)
        return _decrypted_message(plaintext, info, keys, "hdlc", raw, options, tz, strict, verify_crc)
    return None


def _hdlc_frames(buf: bytes, start: int, stuffed: bool) -> List[hdlc.HdlcFrame]:
    frames: List[hdlc.HdlcFrame] = []
    i = start
    n = len(buf)
    while i < n:
        if buf[i] != 0x7E:
            if buf[i] in _FILL:
                i += 1
                continue
            raise FrameError("%d unexpected bytes after HDLC frame %d; parse_frame takes one message "
                             "(use StreamDecoder for a stream)" % (n - i, len(frames)), offset=i)
        if frames and i + 1 < n and buf[i + 1] != 0x7E and buf[i + 1] & 0xF0 != 0xA0:
            i += 1  # the closing flag of the previous frame opens nothing
            continue
        consumed, frame = hdlc.decode(buf, i, stuffed=stuffed)
        if consumed == 0:
            if i + 1 >= n:  # a lone closing flag
                break
            raise IncompleteError("HDLC frame %d is truncated" % (len(frames) + 1), offset=i)
        i += consumed
        if frame is not None:
            frames.append(frame)
    if not frames:
        raise IncompleteError("no complete HDLC frame in the input", offset=start)
    return frames


def _join_hdlc(frames: List[hdlc.HdlcFrame]) -> bytes:
    """The APDU carried by the frames: S-bit segments and GBT blocks joined."""
    # S-bit segmentation first: it joins information fields into messages.
    messages: List[bytes] = []
    pending: List[hdlc.HdlcFrame] = []
    for f in frames:
        pending.append(f)
        if not f.segmented:
            messages.append(hdlc.reassemble(pending))
            pending = []
    if pending:
        raise IncompleteError("the last HDLC segment has the segmentation bit set: message incomplete")
    if len(messages) == 1 and not (messages[0][:1] == b"\xe0"):
        return messages[0]
    # Several frames: general-block-transfer blocks, one per frame.
    if all(m[:1] == b"\xe0" for m in messages):
        from .dlms.apdu import GbtReassembler

        gbt = GbtReassembler()
        complete: Optional[bytes] = None
        for m in messages:
            if complete is not None:
                raise FrameError("HDLC frames after the last general-block-transfer block")
            complete = gbt.add(m)
        if complete is None:
            raise IncompleteError("general-block-transfer message incomplete: last block missing")
        return complete
    raise FrameError("%d HDLC frames do not form one message (no segmentation bit or block transfer)"
                     % len(messages))


# -- M-Bus ---------------------------------------------------------------

def _parse_mbus(buf: bytes, start: int, keys: Any, options: Any) -> Message:
    frames: List[mbus.MbusFrame] = []
    i = start
    n = len(buf)
    while i < n:
        if buf[i] in _FILL:
            i += 1
            continue
        consumed, frame = mbus.decode(buf, i)
        if consumed == 0:
            raise IncompleteError("M-Bus frame %d is truncated" % (len(frames) + 1), offset=i)
        i += consumed
        if frame is not None and frame.transport:
            frames.append(frame)
    if not frames:
        raise UnsupportedError("no M-Bus long frame with DLMS transport data (CI 00-1F) in the input")
    apdu = mbus.reassemble(frames)
    raw = b"".join(f.raw for f in frames)
    return decode_apdu_message(apdu, keys, fmt="mbus", raw=raw, options=options)


# -- P1 ------------------------------------------------------------------

def _parse_p1(buf: bytes, start: int, keys: Any, tz: Any, strict: bool, verify_crc: bool) -> Message:
    # Identification line in clear, then (after an optional blank line) a GCM
    # block whose system-title length byte is 00 or 08 (Poland: Elgama, Kaifa
    # MA309M).  A plain telegram's next line starts with an OBIS digit.
    n = len(buf)
    nxt = buf.find(b"\n", start) + 1
    while 0 < nxt < n and (buf[nxt] == 0x0D or buf[nxt] == 0x0A):
        nxt += 1
    if 0 < nxt < n and (buf[nxt] == 0x00 or buf[nxt] == 0x08):
        consumed, frame = decode_ciphered_telegram_frame(buf, start)
        if frame is None:
            raise IncompleteError("ciphered P1 block is truncated", offset=start)
        _only_fill_after(buf, start + consumed, "P1")
        return decode_ciphered_telegram(frame, keys, tz=tz, strict=strict, verify_crc=verify_crc)
    return parse_telegram(buf[start:] if start else buf, tz=tz, strict=strict, verify_crc=verify_crc)


def decode_ciphered_telegram(frame: Any, keys: Any = None, *, tz: Any = "Europe/Amsterdam", strict: bool = False,
                             verify_crc: bool = True) -> Message:
    """Decrypt and decode a :class:`~hanparse.dlms.ciphering.CipheredTelegramFrame`
    (identification line in clear, then a GCM block holding the whole telegram)."""
    plaintext, info = security.decrypt_ciphered(frame.ciphered, security.normalize_keys(keys))
    return _p1_plaintext_message(plaintext, "dsmr", frame.raw, info, tz, strict, verify_crc)


def _p1_plaintext_message(plaintext: bytes, fmt: str, raw: bytes, info: SecurityInfo, tz: Any, strict: bool,
                          verify_crc: bool) -> Message:
    inner = parse_telegram(plaintext, tz=tz, strict=strict, verify_crc=verify_crc)
    m = inner.meter
    meter = MeterInfo(m.manufacturer, m.model, m.meter_id, m.list_id, m.identification, info.system_title,
                      m.profile)
    return Message._make(fmt, meter, inner.timestamp, inner.readings, bytes(raw), True, info)


# -- APDU ----------------------------------------------------------------

def decode_apdu_message(
    apdu: bytes,
    keys: Any = None,
    *,
    fmt: str = "apdu",
    raw: Optional[bytes] = None,
    options: Any = None,
    tz: Any = "Europe/Amsterdam",
    strict: bool = False,
    verify_crc: bool = True,
) -> Message:
    """Decode a complete APDU (LLC optional) into a Message; ``fmt``/``raw`` describe its envelope."""
    raw_bytes = bytes(apdu) if raw is None else bytes(raw)
    apdu = bytes(apdu)
    i = 3 if (len(apdu) >= 3 and apdu[0] == 0xE6 and apdu[1] in (0xE6, 0xE7) and apdu[2] == 0) else 0
    if i >= len(apdu):
        raise IncompleteError("empty APDU")
    tag = apdu[i]
    if tag in _CIPHERED:
        plaintext, info = security.decrypt_apdu(apdu[i:] if i else apdu, keys)
        return _decrypted_message(plaintext, info, keys, fmt, raw_bytes, options, tz, strict, verify_crc)
    return _apdu_message(apdu, i, tag, None, keys, fmt, raw_bytes, options, tz, strict, verify_crc)


def _decrypted_message(plaintext: bytes, info: SecurityInfo, keys: Any, fmt: str, raw_bytes: bytes, options: Any,
                       tz: Any, strict: bool, verify_crc: bool) -> Message:
    """The message a decrypted APDU holds: a P1 telegram, a data-notification or a GBT block."""
    if plaintext[:1] == b"/":
        return _p1_plaintext_message(plaintext, fmt, raw_bytes, info, tz, strict, verify_crc)
    if not plaintext:
        raise DecodeError("ciphered APDU holds no plaintext")
    tag = plaintext[0]
    if tag == _TAG_DATA_NOTIFICATION:
        return _notification_message(plaintext, 0, len(plaintext), fmt, raw_bytes, info, info.system_title, options)
    return _apdu_message(plaintext, 0, tag, info, keys, fmt, raw_bytes, options, tz, strict, verify_crc)


def _apdu_message(apdu: bytes, i: int, tag: int, info: Optional[SecurityInfo], keys: Any, fmt: str, raw_bytes: bytes,
                  options: Any, tz: Any, strict: bool, verify_crc: bool) -> Message:
    """The message of a clear APDU at ``apdu[i]`` (tag ``tag``): a data-notification or a GBT block."""
    if tag == _TAG_GBT:
        from .dlms.apdu import reassemble_gbt

        apdu, i = reassemble_gbt([apdu[i:]]), 0
        if not apdu:
            raise DecodeError("general-block-transfer holds no APDU")
        tag = apdu[0]
        if tag in _CIPHERED and info is None:
            return decode_apdu_message(apdu, keys, fmt=fmt, raw=raw_bytes, options=options, tz=tz, strict=strict,
                                       verify_crc=verify_crc)
    if tag != _TAG_DATA_NOTIFICATION:
        raise UnsupportedError("APDU tag 0x%02X is not a data-notification (0F) or a ciphered one (DB/DC)" % tag,
                               offset=i)
    return _notification_message(apdu, i, len(apdu), fmt, raw_bytes, info, info.system_title if info else None,
                                 options)


def _notification_message(buf: bytes, start: int, end: int, fmt: str, raw: bytes, info: Optional[SecurityInfo],
                          system_title: Optional[bytes], options: Any) -> Message:
    _invoke, clock, body, stop = _dlms.decode_data_notification(buf, start, end)
    if stop != end:
        raise DecodeError("%d bytes after the data-notification body" % (end - stop), offset=stop)
    opts = _meters_api._DEFAULT_OPTIONS if options is None else _meters_api._options(options)
    return _meters_api._meters.decode_message(fmt, body, clock, system_title, opts, raw, info)
