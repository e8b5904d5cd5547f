r"""Decode a live byte stream into messages (sans-IO): :class:`StreamDecoder`.

Feed it whatever a serial port, a TCP gateway, an MQTT payload or a capture
file delivers -- in any chunking -- and get :class:`~hanparse.model.Message`
objects back::

    bytes ──► binary source: FrameScanner (HDLC 7E, M-Bus 68, DSMR '/',
    │                       ciphered DB 08 / Polish P1) ─► reassembly ─► decode ─┐
    │                                                                            ├─► messages
    └─► line splitter ─► hex-text lines ─► hex source (its own scanner and       │
                                            reassembly) ─────────────────────────┘

Rules (all of them independent of how the stream is chunked):

* **Hex text.**  Gateways publish frames as hex text (``"7ea0...7e\n"``).  A
  *hex line* is a line (bytes up to LF) made only of hex digits, spaces,
  tabs and CR, holding an even number (at least 2) of hex digits, that is
  not inside a DSMR telegram.  A DSMR telegram starts at a line beginning
  with ``/`` and three letters and ends at a line beginning with ``!``
  (or after :data:`TELEGRAM_MAX_LINES` lines); every DSMR line other than
  those continuation lines holds ``:``, ``(``, ``/`` or ``!``, so no DSMR
  line is ever taken for hex.  A hex line is decoded and fed to a second
  source with its own scanner and reassembly, so binary frames and hex
  frames can share one stream; the hex digits themselves are skipped by
  the binary scanner (they contain no frame start).  A line counts when
  its LF arrives (or at :meth:`StreamDecoder.flush`); a line longer than
  the hex budget (a quarter of ``max_buffer_size`` digits) is not hex.
* **Reassembly** is per source (binary / hex) and per format: HDLC S-bit
  segments (addresses must match; an HDLC candidate rejected between two
  segments drops the unfinished message, as HDLC segments carry no
  sequence number), M-Bus transport segments (sequence numbers; restart on
  0), general-block-transfer blocks (block numbers; restart on 1).  A
  message still unfinished at :meth:`StreamDecoder.flush` is reported as
  ``incomplete``.
* **Errors** never stop the decoder.  Each rejected frame or message is
  counted in :attr:`StreamDecoder.stats` under one reason and handed to
  ``on_error(exc)``: ``checksum`` (HCS, FCS, M-Bus sum, DSMR CRC),
  ``frame`` (length, flags, structure, segment order), ``incomplete``
  (cut off by the end of the stream or by a gap), ``decode`` (content),
  ``decryption`` (missing/wrong key, tag mismatch), ``unsupported`` (no
  meter data, e.g. an M-Bus frame that is not DLMS transport), and
  ``replay`` (with ``check_replay=True``: the invocation counter did not
  increase for a system title; the message is still returned).
* **Memory.**  The binary buffer, the current hex line and the hex
  source's buffer together never exceed ``max_buffer_size``
  (:attr:`StreamDecoder.buffered`); bytes that would overflow are dropped
  and counted (``bytes_dropped``), which cannot happen while frames fit.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Tuple, Union

from . import security
from .api import decode_apdu_message, decode_ciphered_telegram
from .dlms.apdu import GbtReassembler
from .dlms.ciphering import CipheredApduFrame, CipheredTelegramFrame
from .dsmr.framing import DsmrFrame
from .dsmr.grammar import parse_telegram
from .errors import (
    ChecksumError,
    DecodeError,
    DecryptionError,
    FrameError,
    HanParseError,
    IncompleteError,
    UnsupportedError,
)
from .framing import ALL_FORMATS, FrameScanner, MIN_BUFFER_SIZE
from .hdlc import HdlcFrame
from .hdlc import Reassembler as HdlcReassembler
from .mbus import MbusFrame
from .mbus import Reassembler as MbusReassembler
from .model import Message

__all__ = [
    "StreamDecoder",
    "StreamStats",
    "ReplayError",
    "iter_messages",
    "REASONS",
    "MIN_STREAM_BUFFER",
    "TELEGRAM_MAX_LINES",
]

Chunk = Union[bytes, bytearray, memoryview, str]

#: every reason a frame or message can be rejected for
REASONS = ("checksum", "frame", "incomplete", "decode", "decryption", "unsupported", "replay")
#: smallest ``max_buffer_size`` a StreamDecoder accepts
MIN_STREAM_BUFFER = 4 * MIN_BUFFER_SIZE
#: a DSMR telegram (for the hex-line rule) ends after this many lines at most
TELEGRAM_MAX_LINES = 256
#: system titles remembered by the replay check
REPLAY_TITLES = 1024

_HEX_AND_SPACE = b"0123456789abcdefABCDEF \t\r"
_SPACE = b" \t\r"
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class ReplayError(DecryptionError):
    """A ciphered message whose invocation counter did not increase for its system title.

    Reported through ``on_error`` (reason ``replay``) when the decoder runs
    with ``check_replay=True``; the message itself is still returned.
    ``system_title`` and ``invocation_counter`` describe the message,
    ``previous`` is the highest counter seen before from that title.
    """

    reason = "replay"

    def __init__(self, message: str, *, system_title: bytes, invocation_counter: int, previous: int) -> None:
        super().__init__(message)
        self.system_title = system_title
        self.invocation_counter = invocation_counter
        self.previous = previous


def reason_of(exc: HanParseError) -> str:
    """The stats reason (one of :data:`REASONS`) for a rejection."""
    if isinstance(exc, ReplayError):
        return "replay"
    if isinstance(exc, ChecksumError):
        return "checksum"
    if isinstance(exc, IncompleteError):
        return "incomplete"
    if isinstance(exc, FrameError):
        return "frame"
    if isinstance(exc, DecryptionError):
        return "decryption"
    if isinstance(exc, UnsupportedError):
        return "unsupported"
    return "decode"


class StreamStats:
    """Counters of a :class:`StreamDecoder` (cumulative).

    * ``messages``: messages returned; ``messages_by_format``: per format;
    * ``frames``: frames found (an S-bit or M-Bus segment counts as one);
    * ``bytes_in``: bytes fed (a str chunk counts its Latin-1 bytes);
    * ``bytes_skipped``: input bytes in no frame (garbage, CR LF, fill
      flags, rejected candidates, and the text of hex lines);
    * ``bytes_dropped``: bytes dropped because a buffer was full;
    * ``hex_lines`` / ``hex_bytes``: hex-text lines decoded, and the bytes
      they decoded to;
    * ``rejected_by_reason``: rejections per reason (:data:`REASONS`).
    """

    __slots__ = ("messages", "messages_by_format", "frames", "bytes_in", "bytes_skipped", "bytes_dropped",
                 "hex_lines", "hex_bytes", "rejected_by_reason")

    def __init__(self) -> None:
        self.messages = 0
        self.messages_by_format: Dict[str, int] = {}
        self.frames = 0
        self.bytes_in = 0
        self.bytes_skipped = 0
        self.bytes_dropped = 0
        self.hex_lines = 0
        self.hex_bytes = 0
        self.rejected_by_reason: Dict[str, int] = {}

    @property
    def rejected(self) -> int:
        """All rejections."""
        return sum(self.rejected_by_reason.values())

    def as_dict(self) -> Dict[str, Any]:
        """The counters as a JSON-ready dict (stable keys)."""
        return {
            "messages": self.messages,
            "messages_by_format": dict(sorted(self.messages_by_format.items())),
            "frames": self.frames,
            "bytes_in": self.bytes_in,
            "bytes_skipped": self.bytes_skipped,
            "bytes_dropped": self.bytes_dropped,
            "hex_lines": self.hex_lines,
            "hex_bytes": self.hex_bytes,
            "rejected": self.rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
        }

    def __repr__(self) -> str:
        return "StreamStats(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())


class _Source:
    """One byte source (binary, or decoded hex text): a scanner plus reassembly state."""

    __slots__ = ("name", "scanner", "hdlc", "hdlc_raw", "mbus", "mbus_raw", "gbt", "gbt_raw")

    def __init__(self, name: str, scanner: FrameScanner) -> None:
        self.name = name
        self.scanner = scanner
        self.hdlc = HdlcReassembler()
        self.hdlc_raw: List[bytes] = []
        self.mbus = MbusReassembler()
        self.mbus_raw: List[bytes] = []
        self.gbt: Dict[str, GbtReassembler] = {}
        self.gbt_raw: Dict[str, List[bytes]] = {}

    def pending(self) -> List[str]:
        """Formats with an unfinished multi-frame message."""
        out = []
        if self.hdlc.pending:
            out.append("HDLC segmented message")
        if self.mbus.pending:
            out.append("M-Bus transport message")
        for fmt, g in sorted(self.gbt.items()):
            if g.in_progress:
                out.append("general-block-transfer message (%s)" % fmt)
        return out

    def reset(self) -> None:
        """Drop every unfinished message."""
        self.hdlc.reset()
        self.hdlc_raw = []
        self.mbus.reset()
        self.mbus_raw = []
        for g in self.gbt.values():
            g.reset()
        self.gbt_raw = {}


class StreamDecoder:
    """Sans-IO stream decoder: feed bytes (any chunking), get :class:`~hanparse.model.Message` objects.

    ``keys``: as for :func:`hanparse.parse_frame` (``Keys``, a bare key, or
    a mapping system title -> Keys).  ``max_buffer_size``: bound on all
    buffered bytes (at least :data:`MIN_STREAM_BUFFER`).  ``on_error(exc)``:
    called with every rejected frame or message (a
    :class:`~hanparse.errors.HanParseError`; scanner rejections carry
    ``frame_offset`` and ``frame_format``).  ``options``, ``tz``,
    ``strict``: as for ``parse_frame``.  ``stuffed``: HDLC uses ISO/IEC
    13239 octet stuffing.  ``check_replay``: report (not drop) ciphered
    messages whose invocation counter did not increase.

    See the module docstring for the rules.  No threads, no I/O.
    """

    def __init__(
        self,
        keys: Any = None,
        *,
        max_buffer_size: int = 65536,
        on_error: Optional[Callable[[HanParseError], None]] = None,
        options: Any = None,
        tz: Any = "Europe/Amsterdam",
        strict: bool = False,
        stuffed: bool = False,
        check_replay: bool = False,
    ) -> None:
        if max_buffer_size < MIN_STREAM_BUFFER:
            raise ValueError("max_buffer_size must be at least %d bytes" % MIN_STREAM_BUFFER)
        self.keys = security.normalize_keys(keys)
        self.max_buffer_size = max_buffer_size
        self.on_error = on_error
        self.options = options
        self.tz = tz
        self.strict = strict
        self.stuffed = stuffed
        self.check_replay = check_replay
        self.stats = StreamStats()
        quarter = max_buffer_size // 4
        self._hex_cap = quarter  # hex digits of one line
        self._binary = self._new_source("binary", max_buffer_size - 2 * quarter)
        self._hex = self._new_source("hex", quarter)
        self._validated: Dict[int, Message] = {}
        self._last_ic: Dict[bytes, int] = {}
        self._offset = 0  # stream offset of the next input byte
        self._reset_line()
        self._in_telegram = 0  # lines left in the current DSMR telegram (0: outside)

    # ------------------------------------------------------------ public API

    def feed(self, data: Chunk) -> List[Message]:
        """Add bytes (or text); return the messages they completed, in stream order."""
        if isinstance(data, str):
            data = data.encode("latin-1", "replace")
        with memoryview(data) as view:
            if view.ndim != 1 or view.itemsize != 1:
                view = view.cast("B")
            n = view.nbytes
            if not n:
                return []
            chunk = bytes(view) if not isinstance(data, (bytes, bytearray)) else data
        base = self._offset
        self._offset += n
        self.stats.bytes_in += n
        done: List[Tuple[int, int, Message]] = []
        self._scan_binary(chunk, done)
        self._split_lines(chunk, base, done)
        self._sync_stats()
        return self._ordered(done)

    def flush(self) -> List[Message]:
        """End of stream: decode what can be, report truncated frames and unfinished messages.

        A pending hex line counts as ended; truncated frames are reported
        as ``incomplete`` (see :class:`hanparse.framing.FrameScanner.flush`),
        as is every unfinished multi-frame message.  The decoder then starts
        afresh (counters and the replay memory are kept).
        """
        done: List[Tuple[int, int, Message]] = []
        self._end_line(self._offset, done)
        self._in_telegram = 0
        for source in (self._binary, self._hex):
            key = None if source is self._binary else self._offset
            self._handle_frames(source, source.scanner.scan_flush(), done, key)
            for what in source.pending():
                self._reject(source, IncompleteError("the stream ended inside a %s" % what), None)
            source.reset()
        self._sync_stats()
        return self._ordered(done)

    @property
    def buffered(self) -> int:
        """Bytes held right now (binary buffer + current hex line + hex source buffer)."""
        return len(self._binary.scanner._buf) + len(self._line) + len(self._hex.scanner._buf)

    def reset(self) -> None:
        """Forget buffered bytes and unfinished messages (after a reconnect); counters are kept."""
        for source in (self._binary, self._hex):
            source.scanner._reset_stream()
            source.reset()
        self._reset_line()
        self._in_telegram = 0

    # ------------------------------------------------------------- internals

    def _new_source(self, name: str, size: int) -> _Source:
        holder: List[_Source] = []
        scanner = FrameScanner(
            size,
            self.stuffed,
            formats=ALL_FORMATS,
            on_error=lambda exc: self._reject(holder[0], exc, getattr(exc, "frame_format", None)),
            validate=self._validate,
        )
        source = _Source(name, scanner)
        holder.append(source)
        return source

    def _sync_stats(self) -> None:
        st = self.stats
        b = self._binary.scanner.stats
        h = self._hex.scanner.stats
        st.bytes_skipped = b.bytes_skipped
        st.bytes_dropped = b.bytes_dropped + h.bytes_dropped + self._line_dropped

    @staticmethod
    def _ordered(done: List[Tuple[int, int, Message]]) -> List[Message]:
        if len(done) > 1:
            done.sort(key=lambda t: (t[0], t[1]))
        return [m for _, _, m in done]

    def _reject(self, source: Optional[_Source], exc: HanParseError, fmt: Optional[str]) -> None:
        reason = reason_of(exc)
        by = self.stats.rejected_by_reason
        by[reason] = by.get(reason, 0) + 1
        if source is not None:
            if not hasattr(exc, "source"):
                exc.source = source.name  # type: ignore[attr-defined]
            if fmt == "hdlc" and source.hdlc.pending:
                source.hdlc.reset()  # a segment may be lost: HDLC segments have no sequence number
                source.hdlc_raw = []
        if self.on_error is not None:
            self.on_error(exc)

    def _validate(self, frame: Any) -> None:
        """Decode a checksum-less ciphered frame inside the scanner (a failure rejects it)."""
        if isinstance(frame, CipheredApduFrame):
            msg = decode_apdu_message(frame.raw, self.keys, fmt="apdu", raw=frame.raw, options=self.options,
                                      tz=self.tz, strict=self.strict)
        else:
            msg = decode_ciphered_telegram(frame, self.keys, tz=self.tz, strict=self.strict)
        self._validated[id(frame)] = msg

    # -- binary and hex sources

    def _scan_binary(self, chunk: bytes, done: List[Tuple[int, int, Message]]) -> None:
        source = self._binary
        self._handle_frames(source, source.scanner.scan(chunk), done)

    def _handle_frames(self, source: _Source, found: List[Tuple[int, Any]],
                       done: List[Tuple[int, int, Message]], key: Optional[int] = None) -> None:
        for offset, frame in found:
            self.stats.frames += 1
            try:
                msg = self._message(source, frame)
            except HanParseError as exc:
                exc.frame_offset = offset  # type: ignore[attr-defined]
                self._reject(source, exc, None)
                continue
            if msg is None:
                continue
            end = offset + len(frame.raw) if key is None else key
            self._emit(msg, end, done)

    def _emit(self, msg: Message, end: int, done: List[Tuple[int, int, Message]]) -> None:
        st = self.stats
        st.messages += 1
        st.messages_by_format[msg.format] = st.messages_by_format.get(msg.format, 0) + 1
        done.append((end, len(done), msg))
        if self.check_replay and msg.security is not None:
            self._check_replay(msg)

    def _check_replay(self, msg: Message) -> None:
        info = msg.security
        title, ic = bytes(info.system_title), info.invocation_counter
        last = self._last_ic.get(title)
        if last is not None and ic <= last:
            self._reject(None, ReplayError(
                "replayed or stale message from system title %s: invocation counter %d, already saw %d"
                % (title.hex().upper(), ic, last),
                system_title=title, invocation_counter=ic, previous=last), None)
            return
        if last is None and len(self._last_ic) >= REPLAY_TITLES:
            self._last_ic.pop(next(iter(self._last_ic)))
        self._last_ic[title] = ic

    def _message(self, source: _Source, frame: Any) -> Optional[Message]:
        """The message a frame completes (None while segments are missing)."""
        if isinstance(frame, HdlcFrame):
            return self._hdlc(source, frame)
        if isinstance(frame, DsmrFrame):
            return parse_telegram(frame.raw, tz=self.tz, strict=self.strict)
        if isinstance(frame, MbusFrame):
            return self._mbus(source, frame)
        if isinstance(frame, (CipheredApduFrame, CipheredTelegramFrame)):
            return self._validated.pop(id(frame))
        raise UnsupportedError("unexpected frame type %s" % type(frame).__name__)  # pragma: no cover

    def _hdlc(self, source: _Source, frame: HdlcFrame) -> Optional[Message]:
        if not source.hdlc.pending:
            source.hdlc_raw = []
        source.hdlc_raw.append(frame.raw)
        try:
            apdu = source.hdlc.push(frame)
        except HanParseError:
            source.hdlc_raw = []
            raise
        if apdu is None:
            return None
        raws, source.hdlc_raw = source.hdlc_raw, []
        return self._apdu(source, "hdlc", apdu, raws)

    def _mbus(self, source: _Source, frame: MbusFrame) -> Optional[Message]:
        if not frame.transport:
            raise UnsupportedError("M-Bus %s frame (CI %s) carries no DLMS data"
                                   % (frame.kind, "%02X" % frame.ci if frame.ci is not None else "-"))
        if frame.sequence == 0 or not source.mbus.pending:
            source.mbus_raw = []
        source.mbus_raw.append(frame.raw)
        try:
            apdu = source.mbus.push(frame)
        except HanParseError:
            source.mbus_raw = []
            raise
        if apdu is None:
            return None
        raws, source.mbus_raw = source.mbus_raw, []
        return self._apdu(source, "mbus", apdu, raws)

    def _apdu(self, source: _Source, fmt: str, apdu: bytes, raws: List[bytes]) -> Optional[Message]:
        if apdu[:1] == b"\xe0":  # general-block-transfer: one block per link-layer message
            gbt = source.gbt.get(fmt)
            if gbt is None:
                gbt = source.gbt[fmt] = GbtReassembler()
            if not gbt.in_progress:
                source.gbt_raw[fmt] = []
            parts = source.gbt_raw.setdefault(fmt, [])
            parts.extend(raws)
            try:
                inner = gbt.add(apdu)
            except HanParseError:
                source.gbt_raw[fmt] = []
                raise
            if inner is None:
                return None
            raws, source.gbt_raw[fmt] = parts, []
            apdu = inner
        return decode_apdu_message(apdu, self.keys, fmt=fmt, raw=b"".join(raws), options=self.options,
                                   tz=self.tz, strict=self.strict)

    # -- hex text lines

    def _reset_line(self) -> None:
        self._line = bytearray()  # hex digits of the current line
        self._line_hex = True  # the current line may still be a hex line
        self._line_first = -1  # first printable byte of the line (-1: none yet)
        self._line_head = b""  # its first 4 printable bytes, for the telegram rule
        if not hasattr(self, "_line_dropped"):
            self._line_dropped = 0

    def _split_lines(self, chunk: bytes, base: int, done: List[Tuple[int, int, Message]]) -> None:
        find = chunk.find
        i = 0
        n = len(chunk)
        while i < n:
            lf = find(b"\n", i)
            stop = n if lf < 0 else lf
            if stop > i:
                self._line_part(chunk, i, stop)
            if lf < 0:
                break
            self._end_line(base + lf + 1, done)
            i = lf + 1

    def _line_part(self, chunk: bytes, i: int, stop: int) -> None:
        if len(self._line_head) < 4:
            part = chunk[i:min(stop, i + 64)].lstrip(b" \t\r\x00")
            self._line_head = (self._line_head + part)[:4]
        if not self._line_hex:
            return
        part = chunk[i:stop]
        if part.translate(None, _HEX_AND_SPACE):
            self._line_hex = False
            self._line = bytearray()
            return
        digits = part.translate(None, _SPACE)
        if len(self._line) + len(digits) > self._hex_cap:
            self._line_hex = False
            self._line_dropped += len(self._line) + len(digits)
            self._line = bytearray()
            return
        self._line += digits

    def _end_line(self, end: int, done: List[Tuple[int, int, Message]]) -> None:
        head = self._line_head
        digits = self._line
        is_hex = self._line_hex and digits and not len(digits) % 2
        if head[:1] == b"/" and len(head) >= 4 and all(b in _LETTERS for b in head[1:4]):
            self._in_telegram = TELEGRAM_MAX_LINES
        elif self._in_telegram:
            if head[:1] == b"!":
                self._in_telegram = 0
            else:
                self._in_telegram -= 1
            is_hex = False
        self._reset_line()
        if not is_hex:
            return
        decoded = bytes.fromhex(digits.decode("ascii"))
        self.stats.hex_lines += 1
        self.stats.hex_bytes += len(decoded)
        source = self._hex
        self._handle_frames(source, source.scanner.scan(decoded), done, key=end)


def iter_messages(fileobj: Union[BinaryIO, Any], decoder: Optional[StreamDecoder] = None, chunk_size: int = 4096,
                  **kwargs: Any) -> Iterator[Message]:
    """Messages from a file or pipe opened in binary mode (read to EOF, then flushed).

    ``decoder`` is used when given (else one is made from ``kwargs``, the
    :class:`StreamDecoder` keywords).  Text-mode files are read through
    their ``buffer``.
    """
    if decoder is None:
        decoder = StreamDecoder(**kwargs)
    elif kwargs:
        raise TypeError("pass either a decoder or StreamDecoder keywords, not both")
    read = getattr(fileobj, "buffer", fileobj).read
    while True:
        chunk = read(chunk_size)
        if not chunk:
            break
        yield from decoder.feed(chunk)
    yield from decoder.flush()
