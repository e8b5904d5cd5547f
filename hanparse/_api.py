"""``parse_frame()``: one complete message in, one :class:`~hanparse.model.Message` out.

parse_frame is a door into the same pipeline as :class:`~hanparse.StreamDecoder`
and the command line, and gives the same answer::

    parse_frame(x) returns M   exactly when   a fresh StreamDecoder fed x
                                              and flushed emits [M]

When the stream emits nothing, parse_frame raises the first error the
stream reported (or a :class:`~hanparse.errors.FrameError` when nothing in
the input looked like a frame); when it emits several messages, it raises
:class:`~hanparse.errors.FrameError`.  Two shortcuts make the common cases
fast without changing any answer: a single HDLC frame or a single P1
telegram that covers the whole input (fill bytes aside) goes straight to
the dispatcher; anything else, and any error on the way, takes the stream.

The one input a stream cannot delimit is a bare APDU (``0F``, ``E6 E7 00``,
``E0``, ``DC``... with no link layer) or a bare notification body (``01``/
``02``): it has neither a delimiter nor a checksum.  When the stream finds
no message in an input that starts with such a tag, parse_frame's answer is
the APDU decoder's over the whole input (its message, or its error); a
stream decodes a bare APDU or body when it arrives as a hex-text line.

:func:`parse_payload` is the door for a payload that may hold several
messages (a bridge's MQTT publish, a Tibber Pulse batch): every message a
fresh stream finds in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Tuple

from . import _impl
from ._pipeline import DEFAULT_TZ, Options, decode_apdu, hdlc_single
from ._stream import decoder_for
from ._wire import BARE_TAGS, FILL, Data, as_bytes, hex_payload, hex_to_bytes
from .dsmr.grammar import parse_telegram, telegram_message
from .errors import FrameError, HanParseError, IncompleteError
from .model import Message
from .security import Keys

__all__ = ["parse_frame", "parse_payload", "decode_apdu_message", "hex_to_bytes", "hex_payload", "MAX_INPUT"]

if TYPE_CHECKING:
    from . import _core
    from .dlms import _axdr as _dlms
    from .meters import _walk as _meters
else:
    _core = _impl.select("core")
    _dlms = _impl.select("dlms")
    _meters = _impl.select("meters")

#: the most bytes parse_frame accepts (a message of many long frames fits easily)
MAX_INPUT = 1 << 20

_DEFAULTS = Options()
_METERS = _DEFAULTS.meters
#: (Options, Keys): the options of the last Keys object parse_frame saw (a meter's keys repeat)
_KEYED: Tuple[Any, Any] = (None, None)
_STREAM_BUFFER = 65536


def parse_frame(
    data: Data,
    keys: Any = None,
    *,
    options: Any = None,
    tz: Any = DEFAULT_TZ,
    strict: bool = False,
    verify_crc: bool = True,
    stuffed: bool = False,
) -> Message:
    """Decode one complete message from a meter.

    ``data``: bytes or str holding an HDLC frame (or the consecutive frames
    of one segmented message), M-Bus long frame(s), a DSMR telegram, a
    ciphered P1 envelope, a bare APDU (``0F``/``E6 E7 00``/``DB``/``DC``/
    ``E0``), or hex text of any of these (separators space, ``:``, ``-``,
    ``,``); bytes before and after the message that belong to no frame are
    skipped, as in a stream.

    ``keys``: :class:`hanparse.Keys`, a bare 16-byte/32-hex-digit
    encryption key, or a mapping system title -> Keys, for ciphered
    messages.  ``options``: meter options (:class:`hanparse.meters.Options`
    or a mapping: ``country``, ``kamstrup_energy_scaler``, ``scalers``,
    ``profile``, ``local_clock``).  ``tz``: time zone of P1 telegram clocks
    (default Europe/Amsterdam).  ``strict``: raise DecodeError for values
    that otherwise become None with a warning.  ``verify_crc``: check P1
    CRCs (False decodes a lone telegram whatever its CRC says).
    ``stuffed``: HDLC frames use ISO/IEC 13239 octet stuffing.

    Returns the message exactly when a fresh :class:`~hanparse.StreamDecoder`
    with the same options, fed ``data`` and flushed, emits that one message.
    Raises a :class:`hanparse.HanParseError` subclass otherwise.
    """
    if keys is None and options is None and not stuffed and data.__class__ is bytes and data and data[0] == 0x7E:
        # the pipeline compiled for the commonest input: one clear HDLC frame, decoded in one call
        # into the meters core, which is handed the framer and the A-XDR decoder it composes
        try:
            msg = _meters.decode_hdlc_frame(data, _core.hdlc_parse, _dlms.decode_data_notification, _METERS)
        except HanParseError:
            msg = None  # the general path reports it as a stream would
        if msg is not None and msg._readings:  # no readings: the general path reports it
            return msg
    buf = data if data.__class__ is bytes else as_bytes(data)
    n = len(buf)
    if n > MAX_INPUT:
        raise FrameError("input of %d bytes is larger than one message can be (%d)" % (n, MAX_INPUT))
    if options is None and tz is DEFAULT_TZ and not strict and verify_crc and not stuffed:
        if keys is None:
            opts = _DEFAULTS
        elif keys.__class__ is Keys:  # immutable: the options made for it last time still hold
            cached = _KEYED  # one read: another thread may replace it meanwhile
            opts = cached[0] if cached[1] is keys else _keyed(keys)
        else:
            opts = Options(keys)
    else:
        opts = Options(keys, options, tz=tz, strict=strict, verify_crc=verify_crc, stuffed=stuffed)
    # where the message starts and ends once fill (blanks, line ends, NUL) is set aside
    start = n - len(buf.lstrip(FILL)) if n and buf[0] in FILL else 0
    end = n
    while end > start and buf[end - 1] in FILL:
        end -= 1
    if start >= end:
        raise IncompleteError("empty input: no frame")
    first = buf[start]
    if first == 0x7E and not opts.stuffed:
        # shortcut: one unsegmented HDLC frame spanning the input goes straight to the dispatcher
        # (framing errors take the stream, which reports them and finds whatever follows)
        try:
            r = _core.hdlc_parse(buf, start)
        except FrameError:
            r = None
        if r.__class__ is tuple and r[1] and not r[2] and start + r[0] + 1 == end:
            raw = buf[start:end] if (start or end != n) else buf
            msg = hdlc_single(raw, r[8] - start, r[9] - start, raw, opts)
            if msg is not None:
                return msg
    elif first == 0x2F:
        if not verify_crc:
            return parse_telegram(buf[start:end], tz=opts.tz, strict=opts.strict, verify_crc=False)
        msg = _whole_telegram(buf, start, end, opts)
        if msg is not None:
            return msg
    bare = first in BARE_TAGS
    return _through_stream(buf, opts, start if bare else -1)


def parse_payload(
    data: Data,
    keys: Any = None,
    *,
    options: Any = None,
    tz: Any = DEFAULT_TZ,
    strict: bool = False,
    stuffed: bool = False,
) -> List[Message]:
    """Every message in one payload, in order: what a fresh :class:`~hanparse.StreamDecoder` fed ``data`` and
    flushed returns.

    For what a bridge publishes in one go: several frames behind a prefix
    (a Tibber Pulse batch), lines of hex or JSON (``{"data": "7ea0..."}``),
    binary and hex mixed.  A payload that is one bare APDU or notification
    body decodes as in :func:`parse_frame`.  Arguments as for
    :func:`parse_frame`.  Raises the first error the stream reported when
    it found no message (a :class:`~hanparse.errors.FrameError` when
    nothing looked like a frame); errors beside decoded messages are not
    raised (use a StreamDecoder with ``on_error`` to see them).
    """
    buf = as_bytes(data)
    if len(buf) > MAX_INPUT:
        raise FrameError("input of %d bytes is larger than one payload can be (%d)" % (len(buf), MAX_INPUT))
    opts = Options(keys, options, tz=tz, strict=strict, stuffed=stuffed)
    messages, errors = _stream_messages(buf, opts)
    if messages:
        return messages
    stripped = buf.strip(FILL)
    if stripped and stripped[0] in BARE_TAGS:
        return [decode_apdu(stripped, opts, "apdu", bare=True)]
    if errors:
        raise errors[0]
    if not stripped:
        raise IncompleteError("empty input: no frame")
    raise _not_a_message(len(buf))


def _stream_messages(buf: bytes, opts: Options) -> Tuple[List[Message], List[HanParseError]]:
    """The messages and errors of a fresh stream decoder fed ``buf`` and flushed."""
    errors: List[HanParseError] = []
    size = _STREAM_BUFFER if len(buf) <= _STREAM_BUFFER // 4 else 4 * len(buf) + 4096
    dec = decoder_for(opts, size, errors.append)
    messages = dec.feed(buf)
    messages += dec.flush()
    return messages, errors


def _not_a_message(n: int) -> FrameError:
    return FrameError("not a meter message: no HDLC (7E), M-Bus (68), P1 ('/'), ciphered (DB 08) frame, "
                      "APDU (0F/E6/DB/DC/E0), notification body (01/02), or hex or JSON text of one in %d bytes "
                      "of input" % n, offset=0)


def _keyed(keys: Keys) -> Options:
    """Options for ``keys`` with every other choice at its default, remembered for the next call."""
    global _KEYED
    opts = Options(keys)
    _KEYED = (opts, keys)
    return opts


def _whole_telegram(buf: bytes, start: int, end: int, opts: Options) -> Optional[Message]:
    """The message of a single P1 telegram spanning ``buf[start:end]``, else None (the stream decides).

    A shortcut only: it answers when the stream would find exactly this
    telegram and nothing else, and leaves every other case (and every
    framing error) to the stream.
    """
    try:
        r = _core.dsmr_parse(buf, start, start, MAX_INPUT, True)
    except FrameError:
        return None  # the stream reports it (and finds whatever follows)
    if isinstance(r, tuple) and start + r[0] >= end:  # nothing but fill after it
        raw = buf if start == 0 and r[0] == len(buf) else buf[start:start + r[0]]
        return telegram_message(raw, r[1] - start, r[3] - start, tz=opts.tz, strict=opts.strict)
    return None


def _through_stream(buf: bytes, opts: Options, bare: int = -1) -> Message:
    """The answer of a fresh stream decoder over ``buf``: its one message, or its first error.

    ``bare`` >= 0: where a bare APDU would start; decoded as the whole input
    when the stream finds no message (the one input a stream cannot frame).
    """
    messages, errors = _stream_messages(buf, opts)
    if len(messages) == 1:
        return messages[0]
    if messages:
        raise FrameError("the input holds %d messages; parse_frame takes one (use parse_payload for a batch, "
                         "StreamDecoder for a stream)" % len(messages))
    if bare >= 0:
        # a bare APDU: no delimiter, so every byte to the end is part of it, and its decoder
        # knows better than the false candidates a stream met inside it
        return decode_apdu(buf[bare:] if bare else buf, opts, "apdu", bare=True)
    if errors:
        raise errors[0]
    raise _not_a_message(len(buf))


def decode_apdu_message(
    apdu: bytes,
    keys: Any = None,
    *,
    fmt: str = "apdu",
    raw: Optional[bytes] = None,
    options: Any = None,
    tz: Any = DEFAULT_TZ,
    strict: bool = False,
    verify_crc: bool = True,
) -> Message:
    """Decode a complete APDU (LLC optional) into a Message; ``fmt``/``raw`` describe its envelope."""
    opts = Options(keys, options, tz=tz, strict=strict, verify_crc=verify_crc)
    return decode_apdu(apdu, opts, fmt, raw)

