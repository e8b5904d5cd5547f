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

from typing import Optional

__all__ = [
    "HanParseError",
    "FrameError",
    "ChecksumError",
    "IncompleteError",
    "DecodeError",
    "DecryptionError",
    "UnsupportedError",
]


class HanParseError(ValueError):
    """Root of every error hanparse raises about its input."""

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

    def __reduce__(self):  # keep the keyword-only data through pickling
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls, message, state):
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
    """A ciphered message cannot be decrypted: no key, wrong key, bad tag."""


class UnsupportedError(HanParseError):
    """Valid input using a feature hanparse does not implement."""
