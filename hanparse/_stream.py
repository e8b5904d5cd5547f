r"""Decode a live byte stream into messages (sans-IO): :class:`StreamDecoder`.

Feed it whatever a serial port, a TCP gateway, an MQTT payload or a capture
file delivers -- in any chunking -- and get :class:`~hanparse.model.Message`
objects back::

    bytes ──► binary source: wire layer (FrameScanner: HDLC 7E, M-Bus 68, P1 '/',
    │                        ciphered DB 08 / Polish P1) ─► pipeline (Dispatcher) ─┐
    │                                                                               ├─► messages
    └─► hex-text lines ─► hex source: its own scanner and dispatcher ───────────────┘
                          (a line holding a bare APDU goes to its dispatcher whole)

The decoder owns the buffers only.  Where frames are is the wire layer's
decision (:mod:`hanparse._wire.scanner` and the framers it drives); what a frame
means is the pipeline's (:class:`hanparse._pipeline.Dispatcher`, the same
one :func:`hanparse.parse_frame` and the command line use).  A frame
without a checksum (a bare ``DB 08`` APDU, the Polish P1 form) is
*tentative*: the scanner pauses on it, the dispatcher tries it, and if it
yields no message the scanner rejects it and hunts on one byte after its
start, so it can never hide a frame behind it.

Rules (all of them independent of how the stream is chunked):

* **Hex text.**  Gateways publish frames as hex text (``"7ea0...7e\n"``).  A
  *hex line* is a line (bytes up to LF) made only of hex digits and the
  separators space, tab, CR, ``:``, ``-`` and ``,``, holding an even
  number (at least 2) of hex digits, that is not inside a DSMR telegram.  A DSMR telegram starts at a line beginning
  with ``/`` and three letters and ends at a line beginning with ``!``
  (or after :data:`TELEGRAM_MAX_LINES` lines); "beginning" is after any
  leading space, tab, CR or NUL.  Every DSMR line other than
  those continuation lines holds ``:``, ``(``, ``/`` or ``!``, so no DSMR
  line is ever taken for hex.  A hex line is decoded and fed to a second
  source with its own scanner and reassembly, so binary frames and hex
  frames can share one stream; the hex digits themselves are skipped by
  the binary scanner (they contain no frame start).  The hex lines feed
  one continuous source, so a hex dump wrapped over lines decodes.  A line counts when
  its LF arrives (or at :meth:`StreamDecoder.flush`); a line longer than
  the hex budget (a quarter of ``max_buffer_size`` digits) is not hex,
  and the budget + 1 digits are counted as dropped when a line still hex
  exceeds it.  The rule runs in the compiled core (``hex_lines``), a
  byte-level state machine carried across chunks.
* **Reassembly** is per source (binary / hex) and per format: HDLC S-bit
  segments (addresses must match; an HDLC candidate rejected between two
  segments drops the unfinished message, as HDLC segments carry no
  sequence number), M-Bus transport segments (sequence numbers; restart on
  0), general-block-transfer blocks (block numbers; restart on 1).  A
  message still unfinished at :meth:`StreamDecoder.flush` is reported as
  ``incomplete``.
* **Bare APDUs.**  A hex line that holds an APDU with no link layer
  (``0F`` data-notification, ``E0`` block, ``DB``/``DC`` ciphered, each
  optionally after the LLC ``E6 E7 00``) is decoded as one APDU: the line
  is its delimiter.  While a frame of the hex source waits for more bytes,
  such a line counts as an APDU only when it decodes as one (the waiting
  frame is then reported as cut off); otherwise it continues that frame.  In binary, a
  bare APDU has neither delimiter nor checksum and is not looked for
  (except ``DB 08``, framed by its length and tried as above).
* **Errors** never stop the decoder.  Each rejected frame or message is
  counted in :attr:`StreamDecoder.stats` under one reason and handed to
  ``on_error(exc)``: ``checksum`` (HCS, FCS, M-Bus sum, DSMR CRC),
  ``frame`` (length, flags, structure, segment order), ``incomplete``
  (cut off by the end of the stream or by a gap), ``decode`` (content),
  ``decryption`` (missing/wrong key, tag mismatch), ``unsupported`` (no
  meter data, e.g. an M-Bus frame that is not DLMS transport), and
  ``replay`` (with ``check_replay=True``: the invocation counter did not
  increase for a system title; the message is still returned).
* **Text lines.**  Bridges publish frames inside text: a JSON object
  (``{"data":"7ea0...7e"}``, amsreader's raw MQTT publish) or a labelled
  line (``Debug: 7ea0...``).  A *text line* is a line outside a telegram
  whose head starts with ``{`` or a letter and whose bytes (at most the hex
  budget) are printable ASCII, tab, CR or NUL.  What it carries
  (:func:`hanparse._wire.text.text_line_payload`) goes to the hex source
  like a hex line's bytes; a text line that carries nothing (log text) is
  ignored and counted in ``StreamStats.text_lines``.
* **Bare bodies.**  A hex (or text) line whose bytes start with an A-XDR
  array or structure (``01``/``02``) is a data-notification body sent
  without its header (amsreader's raw mode) and decodes like the whole
  notification, clock aside; it follows the bare-APDU rule above.
* **Memory.**  The binary buffer, the current line (hex digits and text)
  and the hex source's buffer together never exceed ``max_buffer_size``
  (:attr:`StreamDecoder.buffered`); bytes that would overflow are dropped
  and counted (``bytes_dropped``), which cannot happen while frames fit.
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Tuple, Union

from . import _impl
from ._pipeline import Dispatcher, Options
from ._wire import BARE_TAGS, as_bytes, llc_length, text_line_payload
from ._wire.scanner import ALL_FORMATS, MIN_BUFFER_SIZE, FrameScanner, frame_size
from .errors import REASONS, DecryptionError, HanParseError, IncompleteError, ReplayError, reason_of
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

if TYPE_CHECKING:
    from . import _core
else:
    _core = _impl.select("core")

Chunk = Union[bytes, bytearray, memoryview, str]

#: smallest ``max_buffer_size`` a StreamDecoder accepts
MIN_STREAM_BUFFER = 4 * MIN_BUFFER_SIZE
#: a DSMR telegram (for the hex-line rule) ends after this many lines at most
TELEGRAM_MAX_LINES = 256
#: system titles remembered by the replay check
REPLAY_TITLES = 1024


class StreamStats:
    """Counters of a :class:`StreamDecoder` (cumulative).

    * ``messages``: messages returned; ``messages_by_format``: per format;
    * ``frames``: frames found (an S-bit or M-Bus segment counts as one);
    * ``bytes_in``: bytes fed (a str chunk counts its Latin-1 bytes);
    * ``bytes_skipped``: input bytes in no frame (garbage, CR LF, fill
      flags, rejected candidates, and the text of hex lines);
    * ``bytes_dropped``: bytes dropped because a buffer was full;
    * ``hex_lines`` / ``hex_bytes``: hex-text lines and bridges' text lines
      that carried a payload, and the bytes they decoded to;
    * ``text_lines``: text lines that carried no payload (gateway log text),
      ignored;
    * ``warnings``: warnings of the messages returned (lines kept raw,
      unrecognised lists, invalid values: :attr:`Message.warnings`), and
      ``messages_with_warnings``;
    * ``rejected_by_reason``: rejections per reason (:data:`REASONS`);
    * ``decryption_by_reason``: decryption rejections per
      :attr:`~hanparse.errors.DecryptionError.reason` (``missing_key``,
      ``tag_mismatch``, ...);
    * :attr:`hint`: one line naming the likely fault when nothing decodes.
    """

    __slots__ = ("messages", "messages_by_format", "frames", "bytes_in", "bytes_skipped", "bytes_dropped",
                 "hex_lines", "hex_bytes", "text_lines", "warnings", "messages_with_warnings", "rejected_by_reason",
                 "decryption_by_reason", "_sample", "_line_fault")

    def __init__(self) -> None:
        self.messages = 0
        self.messages_by_format: Dict[str, int] = {}
        self.frames = 0
        self.bytes_in = 0
        self.bytes_skipped = 0
        self.bytes_dropped = 0
        self.hex_lines = 0
        self.hex_bytes = 0
        self.text_lines = 0
        self.warnings = 0
        self.messages_with_warnings = 0
        self.rejected_by_reason: Dict[str, int] = {}
        self.decryption_by_reason: Dict[str, int] = {}
        self._sample = bytearray()  # the first bytes of the stream, for the line-settings hint
        self._line_fault: Tuple[int, Optional[str]] = (-1, None)  # (sample length, its line-settings finding)

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
            "text_lines": self.text_lines,
            "warnings": self.warnings,
            "messages_with_warnings": self.messages_with_warnings,
            "rejected": self.rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
        }

    def __repr__(self) -> str:
        return "StreamStats(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())

    def _line_settings(self) -> Optional[str]:
        """What the first bytes say of the line settings (parity, baud rate), or None; kept per sample size."""
        n, found = self._line_fault
        if n == len(self._sample):
            return found
        sample = bytes(self._sample)
        found = None
        if _parity_in_bit7(sample):
            found = ("the bytes carry a parity bit in bit 7 and read as P1 text without it: the port sends 7 data "
                     "bits with even parity (7E1); open it so, or clear bit 7")
        elif _runs_of_bits(sample):
            found = ("the bytes are runs of 0 and 1 bits (00, 80, C0 ... FF): the line is slower than the port "
                     "reads it; lower the baud rate (DSMR 2.2/3: 9600, HAN: 2400)")
        self._line_fault = (len(sample), found)
        return found

    def _see(self, chunk: bytes) -> None:
        room = _SAMPLE - len(self._sample)
        if room > 0:
            self._sample += chunk[:room]

    @property
    def hint(self) -> Optional[str]:
        """One line naming the likely fault when nothing decoded (None once a message did).

        Read from the counters and the first bytes: a missing or wrong key
        (what the ciphered frames' rejections say), a parity bit in bit 7 of
        P1 text (a 7E1 port read as 8N1), bytes that are runs of 0 and 1
        bits (a slower line read at a higher baud rate), frames that all
        fail their checksum (parity or a gateway that rewrites bytes), frames that
        start but never end (bytes dropped), or bytes with no frame in them
        at all (baud rate, inversion, noise).
        """
        if self.messages:
            return None
        dec = self.decryption_by_reason
        if dec.get("tag_mismatch"):
            return ("wrong key: %d ciphered frame(s) fail their authentication tag; check the encryption key "
                    "(GUEK) and the authentication key (GAK)" % dec["tag_mismatch"])
        if dec.get("missing_key"):
            return ("missing key: %d ciphered frame(s) arrived and no key matches their system title; pass the "
                    "meter's encryption key (--key, keys=...)" % dec["missing_key"])
        if dec:
            reason, n = max(dec.items(), key=lambda kv: kv[1])
            return "%d ciphered frame(s) cannot be decrypted (%s)" % (n, reason.replace("_", " "))
        if not self.bytes_in:
            return "no bytes arrived: check the port, the wiring and that the meter's customer port is enabled"
        line = self._line_settings()
        if line is not None:
            return line
        by = self.rejected_by_reason
        if by.get("checksum"):
            return ("every frame fails its checksum (%d): bytes change on the line; check the parity (8E1 vs 8N1), "
                    "the baud rate, and any gateway that rewrites bytes (LF to CR LF)" % by["checksum"])
        if by.get("frame") or by.get("incomplete"):
            return ("frames start but never complete: bytes are dropped or the baud rate is wrong (HAN: 2400; "
                    "P1: 115200, DSMR 2.2/3: 9600)")
        return ("no frame in %d bytes: noise only; check the baud rate and, for P1, that the data line is "
                "inverted" % self.bytes_in)


class _Source:
    """One byte source (binary, or decoded hex text): a scanner (the wire layer) and a dispatcher (the pipeline)."""

    __slots__ = ("name", "scanner", "dispatch", "hdlc_cuts")

    def __init__(self, name: str, scanner: FrameScanner, dispatch: Dispatcher) -> None:
        self.name = name
        self.scanner = scanner
        self.dispatch = dispatch
        #: stream offsets of HDLC candidates the scanner rejected during the
        #: current scan; each cuts a pending segmented message, applied in
        #: stream order among the frames of that scan
        self.hdlc_cuts: List[int] = []


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
        self._setup(Options(keys, options, tz=tz, strict=strict, stuffed=stuffed), max_buffer_size, on_error,
                    check_replay)

    def _setup(self, opts: Options, max_buffer_size: int, on_error: Optional[Callable[[HanParseError], None]],
               check_replay: bool) -> None:
        if max_buffer_size < MIN_STREAM_BUFFER:
            raise ValueError("max_buffer_size must be at least %d bytes" % MIN_STREAM_BUFFER)
        self._opts = opts
        self.max_buffer_size = max_buffer_size
        self.on_error = on_error
        self.check_replay = check_replay
        self.stats = StreamStats()
        quarter = max_buffer_size // 4
        self._hex_cap = quarter  # hex digits of one line, and text bytes of one line
        self._binary = self._new_source("binary", max_buffer_size - 3 * quarter)
        self._hex = self._new_source("hex", quarter)
        self._last_ic: Dict[bytes, int] = {}
        self._offset = 0  # stream offset of the next input byte
        # the line rule's state (see _core.hex_lines): [lines left in the current DSMR
        # telegram, current line may be hex, its head, its hex digits, digits dropped,
        # current line may be text, its text bytes]
        self._line_state: List[Any] = _core.hex_line_state()

    # the decoding choices, read-only views of the options object
    keys = property(lambda self: self._opts.keys, doc="The keys (None, Keys or Keyring).")
    options = property(lambda self: self._opts.meters, doc="The meter options (hanparse.meters.Options).")
    tz = property(lambda self: self._opts.tz, doc="Time zone of P1 telegram clocks.")
    strict = property(lambda self: self._opts.strict, doc="Whether unreadable values raise.")
    stuffed = property(lambda self: self._opts.stuffed, doc="Whether HDLC frames are octet-stuffed.")

    # ------------------------------------------------------------ public API

    def feed(self, data: Chunk) -> List[Message]:
        """Add bytes (or text); return the messages they completed, in stream order."""
        chunk = as_bytes(data)
        n = len(chunk)
        if not n:
            return []
        base = self._offset
        self._offset += n
        self.stats.bytes_in += n
        self.stats._see(chunk)
        done: List[Tuple[int, int, Message]] = []
        source = self._binary
        self._handle_frames(source, source.scanner.scan(chunk), done)
        self._lines(chunk, base, False, done)
        self._sync_stats()
        return self._ordered(done)

    def flush(self) -> List[Message]:
        """End of stream: decode what can be, report truncated frames and unfinished messages.

        A pending hex line counts as ended; truncated frames are reported
        as ``incomplete`` (see :class:`hanparse.FrameScanner.flush`),
        as is every unfinished multi-frame message.  The decoder then starts
        afresh (counters and the replay memory are kept).
        """
        done: List[Tuple[int, int, Message]] = []
        self._lines(b"", self._offset, True, done)
        self._line_state[0] = 0  # outside any telegram
        for source in (self._binary, self._hex):
            key = None if source is self._binary else self._offset
            self._handle_frames(source, source.scanner.scan_flush(), done, key)
            for what in source.dispatch.pending():
                self._reject(source, IncompleteError("the stream ended inside a %s" % what), None)
            source.dispatch.reset()
        self._sync_stats()
        return self._ordered(done)

    @property
    def buffered(self) -> int:
        """Bytes held right now (binary buffer + current line's hex digits and text + hex source buffer)."""
        line = self._line_state
        return self._binary.scanner.buffered + len(line[3]) + len(line[6]) + self._hex.scanner.buffered

    def reset(self) -> None:
        """Forget buffered bytes and unfinished messages (after a reconnect); counters are kept."""
        for source in (self._binary, self._hex):
            source.scanner.reset()
            source.dispatch.reset()
        self._reset_line()

    # ------------------------------------------------------------- internals

    def _new_source(self, name: str, size: int) -> _Source:
        holder: List[_Source] = []
        scanner = FrameScanner(
            size,
            self._opts.stuffed,
            formats=ALL_FORMATS,
            on_error=lambda exc: self._scan_reject(holder[0], exc),
            light=True,  # unsegmented HDLC frames come as (raw, i0, i1, result, start)
        )
        source = _Source(name, scanner, Dispatcher(self._opts))
        holder.append(source)
        return source

    def _sync_stats(self) -> None:
        st = self.stats
        b = self._binary.scanner.stats
        h = self._hex.scanner.stats
        st.bytes_skipped = b.bytes_skipped
        st.bytes_dropped = b.bytes_dropped + h.bytes_dropped + self._line_state[4]

    @staticmethod
    def _ordered(done: List[Tuple[int, int, Message]]) -> List[Message]:
        if len(done) > 1:
            done.sort(key=lambda t: (t[0], t[1]))
        return [m for _, _, m in done]

    def _scan_reject(self, source: _Source, exc: HanParseError) -> None:
        """A candidate the scanner rejected.  Frames found in the same scan are
        handled after it returns, so a rejected HDLC candidate only marks where
        it cuts a pending segmented message (see :meth:`_handle_frames`)."""
        fmt = exc.frame_format
        if fmt == "hdlc":
            source.hdlc_cuts.append(exc.frame_offset if exc.frame_offset is not None else -1)
            fmt = None
        self._reject(source, exc, fmt)

    def _cut_hdlc(self, source: _Source, before: Optional[int]) -> None:
        """Apply the rejected-candidate cuts at stream offsets below ``before`` (all when None)."""
        cuts = source.hdlc_cuts
        keep = [c for c in cuts if before is not None and c >= before]
        if len(keep) != len(cuts):
            source.dispatch.drop_hdlc()
            source.hdlc_cuts = keep

    def _reject(self, source: Optional[_Source], exc: HanParseError, fmt: Optional[str]) -> None:
        reason = reason_of(exc)
        by = self.stats.rejected_by_reason
        by[reason] = by.get(reason, 0) + 1
        if reason == "decryption" and isinstance(exc, DecryptionError) and exc.reason:
            dec = self.stats.decryption_by_reason
            dec[exc.reason] = dec.get(exc.reason, 0) + 1
        if source is not None:
            if exc.source is None:
                exc.source = source.name
            if fmt == "hdlc":
                source.dispatch.drop_hdlc()
        if self.on_error is not None:
            if not self.stats.messages and exc.hint is None:
                exc.hint = self.stats.hint
            self.on_error(exc)

    def _handle_frames(self, source: _Source, found: List[Tuple[int, Any]],
                       done: List[Tuple[int, int, Message]], key: Optional[int] = None) -> None:
        """Hand the frames the wire layer found to the pipeline, settling tentative frames as they come."""
        stats = self.stats
        scanner = source.scanner
        dispatch = source.dispatch
        while True:
            tentative = scanner.tentative
            last = len(found) - 1
            for k, (offset, frame) in enumerate(found):
                if k == last and tentative is not None:
                    break
                stats.frames += 1
                if source.hdlc_cuts:
                    self._cut_hdlc(source, offset)
                try:
                    msg = dispatch.push(frame)
                except HanParseError as exc:
                    exc.frame_offset = offset
                    self._reject(source, exc, None)
                    continue
                if msg is not None:
                    self._done(msg, offset + frame_size(frame) if key is None else key, done)
            if tentative is None:
                break
            # a checksum-less frame: it is a frame only if the pipeline makes a message of it
            offset = found[last][0]
            try:
                msg = dispatch.push(tentative)
                if scanner.inside_rejected and msg is not None and not _vouched(msg):
                    raise DecryptionError("ciphered APDU inside a damaged frame has no authentication tag "
                                          "or P1 CRC to vouch for its content: not trusted")
            except HanParseError as exc:
                found = scanner.resolve(exc)
                continue
            stats.frames += 1
            if msg is not None:
                self._done(msg, offset + frame_size(tentative) if key is None else key, done)
            found = scanner.resolve(None)
        if source.hdlc_cuts:
            self._cut_hdlc(source, None)

    def _done(self, msg: Message, where: int, done: List[Tuple[int, int, Message]]) -> None:
        """Count a message and queue it by where it ends in the stream."""
        stats = self.stats
        stats.messages += 1
        by = stats.messages_by_format
        fmt = msg.format
        by[fmt] = by.get(fmt, 0) + 1
        if msg._warnings is not None or any(map(_reading_warning, msg._readings)):
            stats.messages_with_warnings += 1
            stats.warnings += len(msg.warnings)
        done.append((where, len(done), msg))
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

    # -- hex text lines

    def _reset_line(self) -> None:
        dropped = self._line_state[4]
        self._line_state = _core.hex_line_state()
        self._line_state[4] = dropped

    def _lines(self, chunk: bytes, base: int, final: bool, done: List[Tuple[int, int, Message]]) -> None:
        """Find the hex-text lines ``chunk`` ends (all of the pending one when ``final``) and decode them."""
        lines = _core.hex_lines(chunk, self._line_state, self._hex_cap, TELEGRAM_MAX_LINES, final)
        if not lines:
            return
        stats = self.stats
        source = self._hex
        for end, line in lines:
            if isinstance(line, str):  # a text line: what it carries, if anything
                carried = text_line_payload(line)
                if carried is None:
                    stats.text_lines += 1
                    continue
                decoded = carried
            else:
                decoded = line
            stats.hex_lines += 1
            stats.hex_bytes += len(decoded)
            llc = llc_length(decoded, 0, len(decoded))
            if llc < len(decoded) and decoded[llc] in BARE_TAGS and self._bare_apdu(source, decoded, llc, base + end,
                                                                                     done):
                continue
            self._handle_frames(source, source.scanner.scan(decoded), done, key=base + end)

    def _bare_apdu(self, source: _Source, line: bytes, llc: int, where: int,
                   done: List[Tuple[int, int, Message]]) -> bool:
        """Decode a hex line that starts like a bare APDU; False when it is rather the next part of a frame.

        With no frame under way in the hex source, the line is the APDU (a
        failure is reported).  While a frame waits for more bytes (a hex
        dump wrapped over lines, or a false start), the line is the APDU
        only if it decodes as one; the waiting candidate is then reported
        as cut off.
        """
        scanner = source.scanner
        idle = scanner.idle
        try:
            msg = source.dispatch.apdu("apdu", line[llc:], [line], bare=True)
        except HanParseError as exc:
            if not idle:
                return False
            exc.frame_offset = where
            self.stats.frames += 1
            self._reject(source, exc, None)
            return True
        if not idle:
            self._handle_frames(source, scanner.scan_flush(), done, key=where)
        self.stats.frames += 1
        if msg is not None:
            self._done(msg, where, done)
        return True


_reading_warning = attrgetter("_warning")

#: bytes of the stream start kept for the hint
_SAMPLE = 2048


def _parity_in_bit7(sample: bytes) -> bool:
    """P1 text whose bytes carry an even parity bit in bit 7 (7E1 read as 8 data bits)."""
    if len(sample) < 64:
        return False
    high = sum(1 for b in sample if b & 0x80)
    if high * 5 < len(sample):  # 7E1 text sets bit 7 on about half its bytes
        return False
    odd = sum(1 for b in sample if bin(b).count("1") % 2)
    if odd * 20 > len(sample):
        return False  # more than a few odd-parity bytes: not an even-parity line
    text = bytes(b & 0x7F for b in sample)
    return _P1_TEXT.search(text) is not None


#: what a UART sees of a slower line: one run of 0 bits then 1 bits per character (LSB first)
_RUNS = frozenset((0x00, 0x80, 0xC0, 0xE0, 0xF0, 0xF8, 0xFC, 0xFE, 0xFF))


def _runs_of_bits(sample: bytes) -> bool:
    """Bytes that are mostly one run of 0 bits then 1 bits: a line read faster than it is sent."""
    return len(sample) >= 64 and sum(1 for b in sample if b in _RUNS) * 10 >= len(sample) * 7


_P1_TEXT = re.compile(rb"/[A-Za-z]{3}|\d-\d:\d+\.\d+\.\d+\(")


def decoder_for(opts: Options, max_buffer_size: int = 65536,
                on_error: Optional[Callable[[HanParseError], None]] = None) -> StreamDecoder:
    """A decoder over an existing pipeline :class:`~hanparse._pipeline.Options` (parse_frame's door)."""
    dec = StreamDecoder.__new__(StreamDecoder)
    dec._setup(opts, max_buffer_size, on_error, False)
    return dec


def _vouched(msg: Message) -> bool:
    """Whether a message's content checks itself: a verified GCM tag, or a P1 telegram (its CRC)."""
    security = msg.security
    return (security is not None and security.authenticated is True) or msg.meter.identification is not None


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
