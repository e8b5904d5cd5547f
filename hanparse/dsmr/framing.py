"""Framing of DSMR / P1 telegrams (NTA 8130, DSMR 2.2 - 5.0.2, and the P1 variants).

::

    /ISk5\\2MT382-1000 CR LF       identification: '/', 3 letters, text
    CR LF
    1-3:0.2.8(50) CR LF            data lines
    ...
    !EF2F CR LF                    '!' at a line start, CRC-16/ARC over '/' .. '!'
                                   as 4 hex digits (none in DSMR 2.2 / 3.0)

What a telegram is, for :func:`decode` (and for the stream scanner, which
looks for ``/`` + letter wherever it is, after noise on the same line too):

* It starts at ``/`` followed by three ASCII letters; its identification
  line runs to CR LF or LF (at most 256 bytes from ``/``).  A byte there
  that is not printable (STX is) does not reject it at once: the telegram
  is then accepted only when it ends with a 4-digit CRC that verifies.
* Its body is P1 text (printable ASCII, TAB, CR, LF, NUL, STX); a byte that
  is not P1 text rejects it there.  A ``/`` in the body is just text.
* Its body ends at the first ``!`` at the start of a line -- or right
  after a value's ``)``, as IEC 62056-21 data blocks end (Aidon EFS2 ASCII:
  ``1-0:31.7.0(123.1*A)!``).  Up to 4 hex digits follow (either case):

  - 4 digits: the CRC-16/ARC over ``/`` .. ``!``, which must match;
  - 1-3 digits: a CRC with its leading zeros dropped (``B9F`` is ``0B9F``),
    which must match and be followed by CR, NUL, LF or the end of the
    stream;
  - none: no CRC (``crc`` is None).  Such a telegram is rejected when its
    identification line held a non-printable byte, or when a line of its
    body (after LF or another control byte) starts with ``/`` + letter: a
    cut telegram spliced to the next one, which only a CRC could tell.

* Up to 4 CR / NUL bytes and one LF after the CRC (or after ``!``) belong
  to the telegram; any other byte there is simply the first byte after it
  (``!6EEE`` followed by ``/ISk5...`` or noise is a complete telegram).
  While the bytes seen so far could still be that CR / NUL / LF tail, a
  stream waits for more; at its end (``final``) what is there is accepted,
  so the result never depends on how the stream is chunked.
* A telegram longer than ``max_size`` bytes is rejected.

A bad CRC raises :class:`~hanparse.errors.ChecksumError` with
``expected`` = computed, ``actual`` = the telegram's, ``field="crc"``.
Every rejection (:class:`~hanparse.errors.FrameError` or
:class:`~hanparse.errors.ChecksumError`) has ``skip=1``: hunting resumes
right after the rejected ``/``, so a telegram starting inside the rejected
span (a cut telegram followed by a whole one) is still found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Tuple, Union

from .. import _impl
from ..errors import FrameError

__all__ = ["DsmrFrame", "decode", "build", "MAX_TELEGRAM"]

if TYPE_CHECKING:
    from .. import _core
else:
    _core = _impl.select("core")

Buffer = Union[bytes, bytearray, memoryview]

#: default bound on the size of one telegram
MAX_TELEGRAM = 65536


@dataclass(frozen=True)
class DsmrFrame:
    """One DSMR/P1 telegram, CRC verified when it carries one.

    Offsets index ``raw``: ``raw[:ident_end]`` is the identification line
    (with ``/``, without its line end), ``raw[body_start:body_end]`` the
    data lines, ``raw[body_end]`` the ``!``.  ``crc_ok`` is True when the
    CRC was present and verified, None when the telegram has no CRC.
    """

    raw: bytes
    crc: Optional[int]
    crc_ok: Optional[bool]
    ident_end: int
    body_start: int
    body_end: int

    @property
    def identification(self) -> str:
        """The identification line, e.g. ``"/ISk5\\\\2MT382-1000"``."""
        return self.raw[: self.ident_end].decode("latin-1")

    @property
    def body(self) -> bytes:
        """The data lines between the identification line and ``!``."""
        return self.raw[self.body_start : self.body_end]


_new = object.__new__
_set = object.__setattr__


def from_core(buf: Buffer, start: int, r: Tuple[Any, ...]) -> DsmrFrame:
    consumed, ident_end, body_start, bang, crc, digits, _computed = r
    # filling __dict__ at once is much cheaper than the frozen __init__
    frame = _new(DsmrFrame)
    _set(
        frame,
        "__dict__",
        {
            "raw": bytes(buf[start : start + consumed]),
            "crc": None if digits == 0 else crc,
            "crc_ok": None if digits == 0 else True,
            "ident_end": ident_end - start,
            "body_start": body_start - start,
            "body_end": bang - start,
        },
    )
    return frame


def decode(
    buf: Buffer, start: int = 0, *, max_size: int = MAX_TELEGRAM, final: bool = False
) -> Tuple[int, Optional[DsmrFrame]]:
    """Decode the telegram whose ``/`` is at ``buf[start]``.

    Returns ``(consumed, DsmrFrame)`` (``consumed`` includes the CR / NUL
    bytes and the LF that end the end line, when present), or ``(0, None)``
    when ``buf`` ends first -- also when it ends right after ``!``, its CRC
    digits or part of their line end, which more bytes could still extend.
    ``final=True`` says no more bytes will come: an end line cut after
    ``!`` and its CRC digits is then accepted.  Raises
    :class:`~hanparse.errors.FrameError` /
    :class:`~hanparse.errors.ChecksumError` (``skip=1``) for a rejected
    telegram (see the module docstring).
    """
    if start >= len(buf):
        return 0, None
    if max_size < 1024:
        raise ValueError("max_size must be at least 1024 bytes")
    r = _core.dsmr_parse(buf, start, start, max_size, final)
    if isinstance(r, int):
        return 0, None
    return r[0], from_core(buf, start, r)


def build(body: Union[str, bytes], *, crc: bool = True, newline: str = "\r\n") -> bytes:
    """Build a telegram from ``body`` (identification line and data lines).

    Lines of ``body`` (any line ends) are joined with ``newline``; then
    ``!``, the CRC-16/ARC as 4 upper-case hex digits when ``crc`` is true,
    and ``newline`` are appended.  ``body`` must start with ``/``.
    """
    data = body.encode("latin-1") if isinstance(body, str) else bytes(body)
    if not data.startswith(b"/"):
        raise FrameError("a DSMR telegram starts with '/'")
    nl = newline.encode("latin-1")
    text = nl.join(data.splitlines()) + nl + b"!"
    if crc:
        text += b"%04X" % _core.crc16_arc(text)
    return text + nl
