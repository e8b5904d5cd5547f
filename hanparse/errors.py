"""The exceptions hanparse raises on bad input.

Every error derives from :class:`HanParseError`, itself a :class:`ValueError`,
so ``except hanparse.HanParseError`` (or ``except ValueError``) catches
everything the library raises about its input.  Nothing else escapes a
parser on bad input.

Framing errors carry ``skip``: how many bytes, counted from the candidate
start the framer was given, a stream reader may drop before it looks for
the next candidate.  ``skip`` is always at least 1, so a reader that obeys
it always makes progress.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

__all__ = [
    "HanParseError",
    "FrameError",
    "ChecksumError",
    "IncompleteError",
    "DecodeError",
    "DecryptionError",
    "UnsupportedError",
    "ReplayError",
    "REASONS",
    "reason_of",
]


class HanParseError(ValueError):
    """Root of every error hanparse raises about its input.

    Fields: ``message``; ``offset`` (byte offset of the problem, when
    known); ``skip`` (see the module docstring).  Errors a stream reports
    also carry ``frame_offset`` (stream offset of the rejected candidate or
    frame), ``frame_format`` (``"hdlc"``, ``"mbus"``, ``"dsmr"``,
    ``"ciphered"``, when the wire layer rejected it) and ``source``
    (``"binary"`` or ``"hex"``: which byte source of the stream) and, while
    the stream has decoded nothing yet, ``hint`` (its guess at the fault,
    e.g. a missing key or the wrong baud rate); they are None otherwise.
    """

    #: stream offset of the rejected candidate or frame (streams only)
    frame_offset: Optional[int] = None
    #: format of a candidate the wire layer rejected (streams only)
    frame_format: Optional[str] = None
    #: "binary" or "hex": the byte source of a stream it came from
    source: Optional[str] = None
    #: a stream's one-line guess at the fault (``StreamStats.hint``), set on
    #: errors reported while nothing has decoded yet
    hint: Optional[str] = None

    def __init__(self, message: str, *, offset: Optional[int] = None, skip: int = 1) -> None:
        super().__init__(message)
        self.message = message
        #: byte offset in the input where the problem was found, when known
        self.offset = offset
        #: bytes a stream reader may drop from the candidate start (>= 1)
        self.skip = max(1, skip)

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return "%s (at byte %d)" % (self.message, self.offset)

    def __reduce__(self) -> Tuple[Any, ...]:  # keep the keyword-only data through pickling
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls: Type[HanParseError], message: str, state: Dict[str, Any]) -> HanParseError:
    exc = cls.__new__(cls)
    ValueError.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class FrameError(HanParseError):
    """The bytes do not form a valid frame: bad flag, length, structure."""


class ChecksumError(FrameError):
    """A frame checksum (HCS, FCS, M-Bus sum, DSMR CRC) does not match.

    ``expected`` is the value computed over the bytes, ``actual`` the value
    the frame carries; ``field`` names the checksum ("hcs", "fcs",
    "mbus", "crc").
    """

    def __init__(
        self,
        message: str,
        *,
        expected: int,
        actual: int,
        field: str = "",
        offset: Optional[int] = None,
        skip: int = 1,
    ) -> None:
        super().__init__(message, offset=offset, skip=skip)
        self.expected = expected
        self.actual = actual
        self.field = field


class IncompleteError(FrameError):
    """The input ends before the frame or message does."""


class DecodeError(HanParseError):
    """The frame is intact but its content cannot be decoded."""


class DecryptionError(HanParseError):
    """A ciphered message cannot be decrypted: no key, wrong key, bad tag.

    ``reason`` names the fault for programs (``"missing_key"``,
    ``"tag_mismatch"``, ``"truncated"``, ...) and ``system_title`` the
    sender, when known.
    """

    #: what went wrong, for programs to inspect (None when not classified)
    reason: Optional[str] = None
    #: the 8-byte system title of the message, when known
    system_title: Optional[bytes] = None


class UnsupportedError(HanParseError):
    """Valid input using a feature hanparse does not implement."""


class ReplayError(DecryptionError):
    """A ciphered message whose invocation counter did not increase for its system title.

    Reported through ``on_error`` (reason ``replay``) when a
    :class:`~hanparse.StreamDecoder` runs with ``check_replay=True``; the
    message itself is still returned.  ``system_title`` and
    ``invocation_counter`` describe the message, ``previous`` is the
    highest counter seen before from that title.
    """

    reason: Optional[str] = "replay"

    def __init__(self, message: str, *, system_title: bytes, invocation_counter: int, previous: int) -> None:
        super().__init__(message)
        self.system_title: Optional[bytes] = system_title
        self.invocation_counter = invocation_counter
        self.previous = previous


#: every reason a stream counts a rejected frame or message under (``StreamStats.rejected_by_reason``)
REASONS = ("checksum", "frame", "incomplete", "decode", "decryption", "unsupported", "replay")


def reason_of(exc: HanParseError) -> str:
    """The reason (one of :data:`REASONS`) a stream counts a rejection under."""
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
