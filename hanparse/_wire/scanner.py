"""Find HDLC, M-Bus and DSMR frames in a byte stream (sans-IO).

:class:`FrameScanner` owns a bounded buffer; you :meth:`~FrameScanner.feed`
it bytes as they arrive (any chunking) and get back the frames completed so
far, as :class:`~hanparse.hdlc.HdlcFrame`, :class:`~hanparse.mbus.MbusFrame`
or :class:`~hanparse.dsmr.framing.DsmrFrame`.  It stands on the stateless
framers and is the base of the stream decoder.

How it hunts::

    ... garbage ..| 7E Ax ...... 7E |CR LF| 68 L L 68 ... 16 | 2F 'I' 'S' ... !CRC LF
                    ^ candidate       skipped ^ candidate       ^ candidate ('/' at a line start)

* A candidate start is ``7E`` followed by a type-3 format byte (``Ax``),
  ``68 L L 68``, or ``/`` + letter at a line start (after a control or
  non-ASCII byte, at the start of the stream, or right after a frame);
  with ``mbus_short=True`` also ``10 C A CS 16`` and ``E5`` (off by
  default: ``E5`` and ``10`` are common bytes inside other frames).
* With the ``"ciphered"`` format (off by default) also ``DB 08``: a bare
  general-glo-ciphering APDU framed by its BER length (Luxembourg Smarty,
  Sagemcom T210-D P1), and a ``/`` identification line followed by a GCM
  block (the Polish P1 form) -- tried before the plain DSMR framer.  These
  frames carry no checksum, so they are *tentative*: :meth:`FrameScanner.scan`
  returns such a frame last and pauses (:attr:`FrameScanner.tentative`);
  the caller decides whether it holds a message and calls
  :meth:`FrameScanner.resolve` -- with None to accept it, or with the error
  to reject it, after which hunting resumes one byte after its start, so a
  false ``DB 08`` whose claimed length covers real frames never swallows
  them.  The scanner itself never decrypts or decodes.  A ``DB 08`` inside
  a rejected HDLC or M-Bus frame is a candidate like any other
  (:attr:`FrameScanner.inside_rejected` tells the caller): when the link
  layer is damaged but the APDU is intact and vouches for itself (a reader
  that joined late, a bit flip in a header), its message is recovered, not
  lost.
* Each candidate goes to its framer.  A complete frame is returned and
  hunting resumes after it (for HDLC at its closing flag, which may open
  the next frame).  A corrupt candidate is counted, handed to ``on_error``
  and hunting resumes ``skip`` bytes after its start -- never beyond a byte
  that could start a valid frame, so a good frame after garbage, after a
  truncated frame or after a corrupt one is never lost.
* A candidate cut off by the end of the buffer waits for more bytes; the
  framer is called again only when enough bytes have arrived (HDLC and
  M-Bus know the frame size from its header; DSMR resumes its scan where it
  stopped), so the cost per byte stays constant however the stream is
  chunked.
* Every framer decides within ``max_buffer_size`` bytes of a candidate's
  start, so the buffer (unconsumed bytes plus one byte of history) never
  exceeds ``max_buffer_size``.

Chunking never changes the frames found, the errors reported or the
counters.  Errors handed to ``on_error`` have ``offset`` converted to a
stream offset and two extra attributes: ``frame_offset`` (stream offset of
the rejected candidate) and ``frame_format`` (``"hdlc"``, ``"mbus"``,
``"dsmr"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .. import _impl, hdlc, mbus
from ..dlms import ciphering
from ..dsmr import framing as dsmr_framing
from ..errors import ChecksumError, FrameError, HanParseError, IncompleteError

__all__ = ["FrameScanner", "ScannerStats", "Tail", "Frame", "iter_frames", "index_frames", "FORMATS", "ALL_FORMATS"]

if TYPE_CHECKING:
    from .. import _core
else:
    _core = _impl.select("core")

#: any frame a framer returns: HdlcFrame, MbusFrame, DsmrFrame or a ciphered frame
Frame = Union[
    hdlc.HdlcFrame,
    mbus.MbusFrame,
    dsmr_framing.DsmrFrame,
    ciphering.CipheredApduFrame,
    ciphering.CipheredTelegramFrame,
]
Buffer = Union[bytes, bytearray, memoryview]

#: the formats a scanner looks for by default
FORMATS = ("hdlc", "mbus", "dsmr")
#: every format a scanner can look for ("ciphered": bare DB APDUs and the Polish P1 form)
ALL_FORMATS = ("hdlc", "mbus", "dsmr", "ciphered")

_HDLC = 1
_MBUS = 2
_DSMR = 4
_MBUS_SHORT = 8
_CIPHERED = 16  # scanner-side only: never passed to the core
_DB_PATTERN = b"\xdb\x08"

_IDENT_SPAN = ciphering.MAX_IDENTIFICATION_LENGTH + 2  # where the Polish framer looks for the first LF

#: smallest buffer that lets every framer decide (HDLC frames reach 2049 bytes)
MIN_BUFFER_SIZE = 4096
_DSMR_SLACK = 16


class ScannerStats:
    """Counters of a :class:`FrameScanner` (all cumulative).

    * ``bytes_in``: bytes fed;
    * ``bytes_skipped``: bytes outside every returned frame (garbage, CR LF,
      inter-frame flags, rejected candidates, a truncated tail at flush);
    * ``bytes_dropped``: bytes dropped because the buffer was full (stays 0
      as long as ``max_buffer_size`` >= the largest frame);
    * ``frames``: frames returned; ``frames_by_format``: per format;
    * ``rejected``: rejected candidates by reason: ``"checksum"``
      (HCS/FCS/M-Bus sum/DSMR CRC), ``"frame"`` (length, flag, structure),
      ``"truncated"`` (cut off by the end of the stream).
    """

    __slots__ = ("bytes_in", "bytes_skipped", "bytes_dropped", "frames", "frames_by_format", "rejected")

    def __init__(self) -> None:
        self.bytes_in = 0
        self.bytes_skipped = 0
        self.bytes_dropped = 0
        self.frames = 0
        self.frames_by_format: Dict[str, int] = {}
        self.rejected: Dict[str, int] = {}

    @property
    def rejected_total(self) -> int:
        """All rejected candidates."""
        return sum(self.rejected.values())

    def as_dict(self) -> Dict[str, object]:
        """The counters as a JSON-ready dict."""
        return {
            "bytes_in": self.bytes_in,
            "bytes_skipped": self.bytes_skipped,
            "bytes_dropped": self.bytes_dropped,
            "frames": self.frames,
            "frames_by_format": dict(self.frames_by_format),
            "rejected": dict(self.rejected),
        }

    def __repr__(self) -> str:
        return "ScannerStats(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items())


@dataclass(frozen=True)
class Tail:
    """The truncated tail found by :meth:`FrameScanner.flush`.

    ``data`` runs from the first candidate the end of the stream cut off
    (``format`` is its format) to the end of the stream; ``offset`` is its
    stream offset.
    """

    offset: int
    data: bytes
    format: Optional[str]


def _reason(exc: HanParseError) -> str:
    if isinstance(exc, ChecksumError):
        return "checksum"
    if isinstance(exc, IncompleteError):
        return "truncated"
    return "frame"


def _format_of(byte: int) -> str:
    if byte == 0x7E:
        return "hdlc"
    if byte == 0x2F:
        return "dsmr"
    if byte == 0xDB:
        return "ciphered"
    return "mbus"


class FrameScanner:
    """Sans-IO multi-format frame finder with a bounded buffer.

    ``formats`` selects what to look for (default all three); ``stuffed``
    switches HDLC to ISO/IEC 13239 octet-stuffed mode; ``mbus_short`` also
    reports M-Bus short frames and ``E5`` acknowledges; ``on_error(exc)`` is
    called for each rejected candidate.  ``light``: an unsegmented HDLC
    frame comes as the tuple ``(raw, info_start, info_end, core result,
    start)`` instead of an :class:`~hanparse.hdlc.HdlcFrame` (what the
    stream decoder's dispatcher takes).  Frames without a checksum (the
    ``"ciphered"`` format) are tentative: see :meth:`scan` and
    :meth:`resolve` (:meth:`feed` accepts them unchecked).
    """

    def __init__(
        self,
        max_buffer_size: int = 65536,
        stuffed: bool = False,
        *,
        formats: Iterable[str] = FORMATS,
        mbus_short: bool = False,
        on_error: Optional[Callable[[HanParseError], None]] = None,
        light: bool = False,
    ) -> None:
        if max_buffer_size < MIN_BUFFER_SIZE:
            raise ValueError("max_buffer_size must be at least %d bytes" % MIN_BUFFER_SIZE)
        mask = 0
        for name in formats:
            if name == "hdlc":
                mask |= _HDLC
            elif name == "mbus":
                mask |= _MBUS | (_MBUS_SHORT if mbus_short else 0)
            elif name == "dsmr":
                mask |= _DSMR
            elif name == "ciphered":
                mask |= _CIPHERED
            else:
                raise ValueError("unknown frame format %r (expected one of %s)" % (name, ", ".join(ALL_FORMATS)))
        self.max_buffer_size = max_buffer_size
        self.stuffed = stuffed
        self.on_error = on_error
        self.stats = ScannerStats()
        #: the truncated tail the last :meth:`flush` found, or None
        self.tail: Optional[Tail] = None
        self._ciphered = bool(mask & _CIPHERED)
        self._plain_dsmr = bool(mask & _DSMR)
        # the core knows nothing of DB: '/' candidates are needed for the Polish form
        self._mask = (mask & ~_CIPHERED) | (_DSMR if mask & _CIPHERED else 0)
        # light: an unsegmented HDLC frame is returned as the tuple (raw, info_start,
        # info_end, core result, start in the buffer), not an HdlcFrame (the stream's form)
        self._light = bool(light)
        self._cipher_max = min(ciphering.MAX_CIPHERED_P1_LENGTH, max_buffer_size - 64)
        self._dsmr_max = min(dsmr_framing.MAX_TELEGRAM, max_buffer_size - _DSMR_SLACK)
        self._reset_stream()

    def _reset_stream(self) -> None:
        self._buf = bytearray()
        self._base = self.stats.bytes_in  # stream offset of _buf[0]
        self._pos = 0  # where hunting resumes
        self._covered = 0  # bytes before this belong to returned frames...
        self._acc = 0  # ... and skipped bytes are counted up to here
        # waiting candidate: (index, kind byte, hint, buffer length when it waited)
        self._pending: Optional[Tuple[int, int, int, int]] = None
        self._shadow = 0  # bytes before this index lie in a rejected HDLC/M-Bus frame's claimed span
        # a checksum-less frame awaiting resolve(): (index, consumed, frame, format)
        self._tentative: Optional[Tuple[int, int, Frame, str]] = None
        self._rest: bytes = b""  # input not yet appended to the buffer (while paused)
        self._final = False  # the pending work is a flush

    # ------------------------------------------------------------ public API

    def feed(self, data: Buffer) -> List[Frame]:
        """Add bytes; return the frames they completed, in stream order (tentative frames accepted unchecked)."""
        return [f for _, f in self._accept_all(self.scan(data))]

    def scan_all(self, data: Buffer) -> List[Tuple[int, Frame]]:
        """A whole capture at once: :meth:`scan` then :meth:`scan_flush`, tentative frames accepted unchecked."""
        found = self._accept_all(self.scan(data))
        return found + self._accept_all(self.scan_flush())

    def _accept_all(self, found: List[Tuple[int, Frame]]) -> List[Tuple[int, Frame]]:
        while self._tentative is not None:
            found += self.resolve(None)
        return found

    @property
    def buffered(self) -> int:
        """Bytes held in the buffer right now."""
        return len(self._buf)

    def reset(self) -> None:
        """Forget the buffered bytes and any waiting candidate (counters are kept)."""
        self._reset_stream()

    @property
    def idle(self) -> bool:
        """True when no candidate waits for more bytes (everything fed so far is resolved)."""
        return self._pending is None and self._tentative is None and self._pos >= len(self._buf)

    @property
    def inside_rejected(self) -> bool:
        """Whether the tentative frame starts inside the span a rejected HDLC or M-Bus frame claimed.

        Such a frame is what is left of a damaged link layer: only content
        that vouches for itself (a verified GCM tag, a P1 CRC) should be
        trusted from it.
        """
        return self._tentative is not None and self._tentative[0] < self._shadow

    @property
    def tentative(self) -> Optional[Frame]:
        """The checksum-less frame the scanner paused on (the last one :meth:`scan` returned), or None."""
        return None if self._tentative is None else self._tentative[2]

    def scan(self, data: Buffer) -> List[Tuple[int, Frame]]:
        """Like :meth:`feed`, with each frame's stream offset: ``[(offset, frame)]``.

        When the last frame returned is checksum-less (:attr:`tentative` is
        not None), the scanner has paused there: call :meth:`resolve` before
        anything else; it goes on with the rest of ``data``.
        """
        self._check_idle()
        with memoryview(data) as view:
            if view.ndim != 1 or view.itemsize != 1:
                view = view.cast("B")
            self.stats.bytes_in += view.nbytes
            # held only while paused on a tentative frame: a copy unless the caller cannot change it
            self._rest = data if data.__class__ is bytes else view.tobytes()
        return self._drive([])

    def resolve(self, error: Optional[HanParseError] = None) -> List[Tuple[int, Frame]]:
        """Settle the tentative frame and go on scanning; returns the frames found after it.

        ``error`` None accepts the frame; an error rejects it (counted,
        passed to ``on_error``) and hunting resumes one byte after its start.
        """
        if self._tentative is None:
            raise ValueError("no tentative frame to resolve")
        i, consumed, frame, fmt = self._tentative
        self._tentative = None
        if error is None:
            self._pos = self._settle(i, frame, fmt) + consumed
        else:
            error.skip = 1
            self._reject(error, i)
            self._pos = i + 1
        return self._drive([])

    def _check_idle(self) -> None:
        if self._tentative is not None:
            raise ValueError("the scanner is paused on a tentative frame: call resolve() first")

    def _drive(self, out: List[Tuple[int, Frame]]) -> List[Tuple[int, Frame]]:
        """Append the held input chunk by chunk and hunt; stop early on a tentative frame."""
        rest = self._rest
        n = len(rest)
        k = 0
        while True:
            if k < n:
                self._compact()
                room = self.max_buffer_size - len(self._buf)
                if room <= 0:  # cannot happen while every framer decides in time
                    self._drop(len(self._buf) - self.max_buffer_size + 1)
                    room = 1
                self._buf += memoryview(rest)[k : k + room]
                k += room
            self._run(out, self._final and k >= n)
            if self._tentative is not None:
                self._rest = rest[k:]
                return out
            if k >= n:
                break
        self._rest = b""
        if self._final:
            self._account(len(self._buf))
            self._reset_stream()
        return out

    def flush(self) -> List[Frame]:
        """End of stream: resolve what waits in the buffer and start afresh.

        A telegram cut after ``!`` and its CRC digits is accepted; every
        other waiting candidate is reported as truncated
        (:class:`~hanparse.errors.IncompleteError` to ``on_error``, counted
        under ``"truncated"``) and hunting goes on past it, so complete
        frames inside its span are still found.  :attr:`tail` describes
        the truncated tail (None when there is none).  Counters are kept.
        """
        return [f for _, f in self._accept_all(self.scan_flush())]

    def scan_flush(self) -> List[Tuple[int, Frame]]:
        """Like :meth:`flush`, with stream offsets (it may pause on a tentative frame like :meth:`scan`)."""
        self._check_idle()
        self.tail = None
        self._rest = b""
        self._final = True
        return self._drive([])

    # ------------------------------------------------------------- internals

    def _compact(self) -> None:
        keep_from = self._pos - 1  # one byte of history before where hunting resumes
        if keep_from <= 0:
            return
        self._account(keep_from)  # bytes before pos are resolved: count them now
        del self._buf[:keep_from]
        self._base += keep_from
        self._pos -= keep_from
        self._covered = max(0, self._covered - keep_from)
        self._acc = max(0, self._acc - keep_from)
        self._shadow = max(0, self._shadow - keep_from)
        if self._pending is not None:
            i, kind, hint, seen = self._pending
            shift = -keep_from
            if kind == 0x2F:  # DSMR hint is a position
                hint += shift
            elif hint >= 0:  # HDLC / M-Bus hint is a buffer length
                hint += shift
            self._pending = (i + shift, kind, hint, seen + shift)

    def _drop(self, n: int) -> None:
        del self._buf[:n]
        self.stats.bytes_dropped += n
        self._base += n
        self._pending = None
        self._tentative = None
        self._shadow = 0
        self._pos = 0
        self._covered = 0
        self._acc = 0

    def _account(self, upto: int) -> None:
        """Count bytes before ``upto`` that are in no frame as skipped."""
        if upto > self._acc:
            lo = self._acc if self._acc > self._covered else self._covered
            if upto > lo:
                self.stats.bytes_skipped += upto - lo
            self._acc = upto

    def _reject(self, exc: HanParseError, i: int) -> None:
        base = self._base
        exc.frame_offset = base + i
        exc.frame_format = _format_of(self._buf[i])
        if exc.offset is not None:
            exc.offset += base
        kind = self._buf[i]
        if (kind == 0x7E or kind == 0x68) and i + 2 < len(self._buf):
            # the span the rejected frame claims: a checksum-less frame found inside it is
            # tentative twice over (see inside_rejected)
            b1, b2 = self._buf[i + 1], self._buf[i + 2]
            span = ((b1 & 0x07) << 8 | b2) + 2 if kind == 0x7E else b1 + 6
            if i + span > self._shadow:
                self._shadow = i + span
        reason = _reason(exc)
        rejected = self.stats.rejected
        rejected[reason] = rejected.get(reason, 0) + 1
        if self.on_error is not None:
            self.on_error(exc)

    def _emit(self, out: List[Tuple[int, Frame]], i: int, consumed: int, frame: Any, fmt: str) -> int:
        self._settle(i, frame, fmt)
        out.append((self._base + i, frame))
        return i + consumed

    def _settle(self, i: int, frame: Any, fmt: str) -> int:
        """Count an accepted frame at ``i``; returns ``i``."""
        self._account(i)
        fend = i + frame_size(frame)
        if fend > self._covered:
            self._covered = fend
        stats = self.stats
        stats.frames += 1
        stats.frames_by_format[fmt] = stats.frames_by_format.get(fmt, 0) + 1
        return i

    def _find(self, buf: bytearray, pos: int, end: int) -> int:
        """The core's candidate search, plus ``DB 08`` when ciphered frames are enabled."""
        r = _core.find_candidate(buf, pos, 0, self._mask)  # (the anchor argument is unused)
        if not self._ciphered:
            return r
        limit = r if 0 <= r < end else (-r - 1 if r < 0 else end)
        db = buf.find(_DB_PATTERN, pos, limit + 1 if limit < end else end)
        if 0 <= db < limit:
            return db
        if r >= end and end > pos and buf[end - 1] == 0xDB:
            return -end  # a DB as the last byte: wait for the next one
        return r

    def _try_ciphered_telegram(self, buf: bytearray, i: int, final: bool) -> Tuple[int, object]:
        """Polish P1 form at ``i``: (consumed, frame), (0, None) to wait, or (-1, None) if not one."""
        # a plain telegram goes on with text after its identification line (and an empty
        # line): seen here, that is the framer's own rejection without building its error
        n = len(buf)
        lf = buf.find(b"\n", i, min(n, i + _IDENT_SPAN))
        if lf >= 0:
            pos = lf + 1
            if pos < n and buf[pos] == 0x0D:
                if pos + 1 < n and buf[pos + 1] == 0x0A:
                    pos += 2
                elif pos + 1 >= n:
                    pos = n  # the framer waits: let it
            elif pos < n and buf[pos] == 0x0A:
                pos += 1
            if pos < n and buf[pos] != 0 and buf[pos] != 8:
                return -1, None
        try:
            consumed, frame = ciphering.decode_ciphered_telegram_frame(buf, i, max_length=self._cipher_max)
        except FrameError:
            return -1, None
        if frame is None and final:
            return -1, None
        return consumed, frame

    def _run(self, out: List[Tuple[int, Frame]], final: bool) -> None:
        frame: Any  # a Frame, or the light tuple form of an HDLC frame
        buf = self._buf
        end = len(buf)
        pos = self._pos
        core = _core
        while True:
            pending = self._pending
            if pending is not None:
                i, kind, hint, seen = pending
                if not final and (end < hint if kind != 0x2F and hint >= 0 else end <= seen):
                    break
                self._pending = None
            else:
                if pos >= end:
                    break
                r = self._find(buf, pos, end)
                if r >= end:
                    pos = end
                    break
                if r < 0:
                    i = -r - 1
                    self._account(i)
                    if not final:
                        pos = i
                        break
                    pos = i + 1  # the stream ended: cannot be a frame start
                    continue
                i = r
                self._account(i)
                kind = buf[i]
                hint = i
            try:
                if kind == 0x7E:
                    if self.stuffed:
                        consumed, frame = hdlc.decode(buf, i, stuffed=True)
                        result: object = -1 if frame is None else None
                    else:
                        result = core.hdlc_parse(buf, i)
                        if result.__class__ is not int:
                            consumed = result[0]  # type: ignore[index]
                            if self._light and result[1] and not result[2]:  # type: ignore[index]
                                raw = bytes(buf[i:i + result[1] + 2])  # type: ignore[index]
                                frame = (raw, result[8] - i, result[9] - i, result, i)  # type: ignore
                            else:
                                frame = hdlc.from_core(buf, i, result)  # type: ignore[arg-type]
                            result = None
                    fmt = "hdlc"
                elif kind == 0x2F:
                    consumed = -1
                    if self._ciphered:
                        consumed, frame = self._try_ciphered_telegram(buf, i, final)
                    if consumed == 0:
                        result = hint  # wait for more bytes (DSMR resume hint unchanged)
                    elif consumed > 0:
                        result = None
                        fmt = "tentative"
                    elif not self._plain_dsmr:
                        pos = i + 1
                        continue
                    else:
                        result = core.dsmr_parse(buf, i, hint, self._dsmr_max, final)
                        if result.__class__ is not int:
                            consumed = result[0]  # type: ignore[index]
                            frame = dsmr_framing.from_core(buf, i, result)  # type: ignore[arg-type]
                            result = None
                        fmt = "dsmr"
                elif kind == 0xDB:
                    consumed, frame = ciphering.decode_ciphered_apdu_frame(buf, i, max_length=self._cipher_max)
                    if frame is None:
                        result = -1
                    else:
                        result = None
                    fmt = "tentative"
                else:
                    result = core.mbus_parse(buf, i)
                    if result.__class__ is not int:
                        consumed = result[0]  # type: ignore[index]
                        frame = mbus.from_core(buf, i, result)  # type: ignore[arg-type]
                        result = None
                    fmt = "mbus"
            except HanParseError as exc:
                self._reject(exc, i)
                pos = i + exc.skip
                continue
            if result is not None:  # incomplete
                if final:
                    if self.tail is None:
                        fmt = _format_of(kind)
                        self.tail = Tail(self._base + i, bytes(buf[i:]), fmt)
                    self._reject(
                        IncompleteError(
                            "truncated %s frame: the stream ended %d bytes into it" % (_format_of(kind), end - i),
                            offset=i,
                            skip=1,
                        ),
                        i,
                    )
                    pos = i + 1
                    continue
                self._pending = (i, kind, result, end)  # type: ignore[assignment]
                pos = i
                break
            if fmt == "tentative":  # no checksum: the caller decides (resolve)
                self._tentative = (i, consumed, frame, "ciphered")
                out.append((self._base + i, frame))
                pos = i
                break
            pos = self._emit(out, i, consumed, frame, fmt)
        self._pos = pos


def frame_size(frame: Any) -> int:
    """Bytes a frame spans in its stream (an HDLC frame's light tuple form included)."""
    return len(frame[0]) if frame.__class__ is tuple else len(frame.raw)


def iter_frames(data: Buffer, **options: Any) -> Iterator[Frame]:
    """Every frame in a complete buffer (a capture file), in order.

    Keywords are those of :class:`FrameScanner`.
    """
    scanner = FrameScanner(**options)
    yield from scanner.feed(data)
    yield from scanner.flush()


def index_frames(data: Buffer, formats: Iterable[str] = ("hdlc", "mbus")) -> Tuple[Any, Any]:
    """Where the valid frames of a complete capture are, without building frame objects.

    ``data``: the whole capture (bytes-like); ``formats``: any of
    ``"hdlc"`` and ``"mbus"`` (long frames).  Returns ``(starts, sizes)``,
    two ``array('q')`` of the same length: frame *k* is
    ``data[starts[k]:starts[k] + sizes[k]]`` (an HDLC frame with both
    flags).  These are exactly the frames :func:`iter_frames` gives for the
    same formats -- the same framers decide, a rejected or cut-off candidate
    resumes one byte after its start -- at the speed of the checksum loop in
    the compiled core.  Use it to validate or split an archive before
    decoding (hanparse.arrow, Dask byte ranges).
    """
    mask = 0
    for name in formats:
        if name == "hdlc":
            mask |= _HDLC
        elif name == "mbus":
            mask |= _MBUS
        else:
            raise ValueError("index_frames covers 'hdlc' and 'mbus' frames, not %r" % (name,))
    return _core.frame_index(data, mask)
