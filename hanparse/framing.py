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
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import _impl, hdlc, mbus
from .dsmr import framing as dsmr_framing
from .errors import ChecksumError, HanParseError, IncompleteError

__all__ = ["FrameScanner", "ScannerStats", "Tail", "Frame", "iter_frames", "FORMATS"]

_core = _impl.select("core")

Frame = Union[hdlc.HdlcFrame, mbus.MbusFrame, dsmr_framing.DsmrFrame]
Buffer = Union[bytes, bytearray, memoryview]

#: the formats a scanner can look for
FORMATS = ("hdlc", "mbus", "dsmr")

_HDLC = 1
_MBUS = 2
_DSMR = 4
_MBUS_SHORT = 8

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
    return "mbus"


class FrameScanner:
    """Sans-IO multi-format frame finder with a bounded buffer.

    ``formats`` selects what to look for (default all three); ``stuffed``
    switches HDLC to ISO/IEC 13239 octet-stuffed mode; ``mbus_short`` also
    reports M-Bus short frames and ``E5`` acknowledges; ``on_error(exc)`` is
    called for each rejected candidate.
    """

    def __init__(
        self,
        max_buffer_size: int = 65536,
        stuffed: bool = False,
        *,
        formats: Iterable[str] = FORMATS,
        mbus_short: bool = False,
        on_error: Optional[Callable[[HanParseError], None]] = None,
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
            else:
                raise ValueError("unknown frame format %r (expected one of %s)" % (name, ", ".join(FORMATS)))
        self.max_buffer_size = max_buffer_size
        self.stuffed = stuffed
        self.on_error = on_error
        self.stats = ScannerStats()
        #: the truncated tail the last :meth:`flush` found, or None
        self.tail: Optional[Tail] = None
        self._mask = mask
        self._dsmr_max = min(dsmr_framing.MAX_TELEGRAM, max_buffer_size - _DSMR_SLACK)
        self._reset_stream()

    def _reset_stream(self) -> None:
        self._buf = bytearray()
        self._base = self.stats.bytes_in  # stream offset of _buf[0]
        self._pos = 0  # where hunting resumes
        self._anchor = 0  # a '/' here starts a telegram whatever precedes it
        self._covered = 0  # bytes before this belong to returned frames...
        self._acc = 0  # ... and skipped bytes are counted up to here
        # waiting candidate: (index, kind byte, hint, buffer length when it waited)
        self._pending: Optional[Tuple[int, int, int, int]] = None

    # ------------------------------------------------------------ public API

    def feed(self, data: Buffer) -> List[Frame]:
        """Add bytes; return the frames they completed, in stream order."""
        return [f for _, f in self.scan(data)]

    def scan(self, data: Buffer) -> List[Tuple[int, Frame]]:
        """Like :meth:`feed`, with each frame's stream offset: ``[(offset, frame)]``."""
        out: List[Tuple[int, Frame]] = []
        with memoryview(data) as view:
            if view.ndim != 1 or view.itemsize != 1:
                view = view.cast("B")
            n = view.nbytes
            self.stats.bytes_in += n
            k = 0
            while k < n:
                self._compact()
                room = self.max_buffer_size - len(self._buf)
                if room <= 0:  # cannot happen while every framer decides in time
                    self._drop(len(self._buf) - self.max_buffer_size + 1)
                    room = 1
                self._buf += view[k : k + room]
                k += room
                self._run(out, False)
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
        return [f for _, f in self.scan_flush()]

    def scan_flush(self) -> List[Tuple[int, Frame]]:
        """Like :meth:`flush`, with stream offsets."""
        out: List[Tuple[int, Frame]] = []
        buf = self._buf
        self.tail = None
        self._run(out, True)
        self._account(len(buf))
        self._reset_stream()
        return out

    # ------------------------------------------------------------- internals

    def _compact(self) -> None:
        keep_from = self._pos - 1  # one byte of history for the DSMR line-start rule
        if keep_from <= 0:
            return
        self._account(keep_from)  # bytes before pos are resolved: count them now
        del self._buf[:keep_from]
        self._base += keep_from
        self._pos -= keep_from
        self._anchor -= keep_from
        self._covered = max(0, self._covered - keep_from)
        self._acc = max(0, self._acc - keep_from)
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
        self._pos = 0
        self._anchor = -1
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
        exc.frame_offset = base + i  # type: ignore[attr-defined]
        exc.frame_format = _format_of(self._buf[i])  # type: ignore[attr-defined]
        if exc.offset is not None:
            exc.offset += base
        reason = _reason(exc)
        rejected = self.stats.rejected
        rejected[reason] = rejected.get(reason, 0) + 1
        if self.on_error is not None:
            self.on_error(exc)

    def _emit(self, out: list, i: int, consumed: int, frame: Frame, fmt: str) -> int:
        self._account(i)
        fend = i + len(frame.raw)
        if fend > self._covered:
            self._covered = fend
        self._anchor = fend
        stats = self.stats
        stats.frames += 1
        stats.frames_by_format[fmt] = stats.frames_by_format.get(fmt, 0) + 1
        out.append((self._base + i, frame))
        return i + consumed

    def _run(self, out: list, final: bool) -> None:
        buf = self._buf
        end = len(buf)
        pos = self._pos
        find = _core.find_candidate
        mask = self._mask
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
                r = find(buf, pos, self._anchor, mask)
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
                            frame = hdlc._frame(buf, i, result)  # type: ignore[arg-type]
                            result = None
                    fmt = "hdlc"
                elif kind == 0x2F:
                    result = core.dsmr_parse(buf, i, hint, self._dsmr_max, final)
                    if result.__class__ is not int:
                        consumed = result[0]  # type: ignore[index]
                        frame = dsmr_framing._frame(buf, i, result)  # type: ignore[arg-type]
                        result = None
                    fmt = "dsmr"
                else:
                    result = core.mbus_parse(buf, i)
                    if result.__class__ is not int:
                        consumed = result[0]  # type: ignore[index]
                        frame = mbus._frame(buf, i, result)  # type: ignore[arg-type]
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
            pos = self._emit(out, i, consumed, frame, fmt)
        self._pos = pos


def iter_frames(data: Buffer, **options) -> Iterator[Frame]:
    """Every frame in a complete buffer (a capture file), in order.

    Keywords are those of :class:`FrameScanner`.
    """
    scanner = FrameScanner(**options)
    yield from scanner.feed(data)
    yield from scanner.flush()
