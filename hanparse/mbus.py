r"""Wired M-Bus frames (EN 13757-2) and the DLMS/COSEM transport layer on top.

Long frame, as Austrian meters push DLMS data (TINETZ, Netz NÖ, ...)::

    68 | L | L | 68 | C | A | CI | STSAP | DTSAP | APDU segment ... | CS | 16
                    \------------------ L bytes, summed into CS ----/

    CI 0x00-0x1F (DLMS transport):  bit 4 FIN (last segment),
                                    bits 3-0 sequence number

Short frame ``10 C A CS 16`` (CS = C + A) and the single character ``E5``
(acknowledge) are decoded too.  A message longer than one frame is sent as
segments with sequence 0, 1, ... and FIN on the last; every segment repeats
C, A, CI, STSAP and DTSAP, which :func:`reassemble` strips.

Sagemcom T210-D sends a first segment of 257 bytes from C on with L = 01
(the low byte of 0x101).  An L below 3 is read as L + 256, and L = 3 as
259 when it does not verify as a 9-byte frame; either is accepted only if
the stop byte and the checksum verify at the extended position.

:func:`decode` follows the framer contract: ``(consumed, frame)`` with
``(0, None)`` for "need more bytes", errors carrying ``skip``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple, Union

from . import _impl
from .errors import FrameError, IncompleteError

__all__ = [
    "MbusFrame",
    "decode",
    "build",
    "build_short",
    "build_segments",
    "reassemble",
    "Reassembler",
    "ACK",
]

if TYPE_CHECKING:
    from . import _core
else:
    _core = _impl.select("core")

Buffer = Union[bytes, bytearray, memoryview]

#: the single-character acknowledge frame
ACK = b"\xe5"
#: bound on a message reassembled from transport segments
MAX_MESSAGE = 65536

_KINDS = ("ack", "short", "long")


@dataclass(frozen=True)
class MbusFrame:
    """One verified M-Bus frame.

    ``kind`` is ``"long"``, ``"short"`` or ``"ack"``; fields a kind lacks
    are None.  ``payload`` is the data after CI (long frames; empty
    otherwise).  For the DLMS transport layer (CI 0x00-0x1F with STSAP and
    DTSAP present) ``fin``, ``sequence``, ``stsap``, ``dtsap`` and ``apdu``
    (the payload after STSAP and DTSAP) are set; else they are None.
    """

    raw: bytes
    kind: str
    length: Optional[int]
    c: Optional[int]
    a: Optional[int]
    ci: Optional[int]
    payload: bytes
    checksum: Optional[int]
    fin: Optional[bool]
    sequence: Optional[int]
    stsap: Optional[int]
    dtsap: Optional[int]
    apdu: Optional[bytes]

    @property
    def transport(self) -> bool:
        """True for a DLMS/COSEM transport-layer segment."""
        return self.apdu is not None


_new = object.__new__
_set = object.__setattr__


def from_core(buf: Buffer, start: int, r: Tuple[int, ...]) -> MbusFrame:
    consumed, kind, length, c, a, ci, d0, d1, cs = r
    raw = bytes(buf[start : start + consumed])
    if kind != 2:
        fields: Dict[str, Any] = {
            "raw": raw,
            "kind": _KINDS[kind],
            "length": None,
            "c": None if c < 0 else c,
            "a": None if a < 0 else a,
            "ci": None,
            "payload": b"",
            "checksum": None if cs < 0 else cs,
        }
        transport: Tuple[Optional[bool], Optional[int], Optional[int], Optional[int], Optional[bytes]] = (
            None, None, None, None, None)
    else:
        payload = raw[d0 - start : d1 - start]
        fields = {
            "raw": raw,
            "kind": "long",
            "length": length,
            "c": c,
            "a": a,
            "ci": ci,
            "payload": payload,
            "checksum": cs,
        }
        if ci <= 0x1F and len(payload) >= 2:
            transport = (ci & 0x10 != 0, ci & 0x0F, payload[0], payload[1], payload[2:])
        else:
            transport = (None, None, None, None, None)
    fields["fin"], fields["sequence"], fields["stsap"], fields["dtsap"], fields["apdu"] = transport
    # filling __dict__ at once is much cheaper than the frozen __init__
    frame = _new(MbusFrame)
    _set(frame, "__dict__", fields)
    return frame


def decode(buf: Buffer, start: int = 0) -> Tuple[int, Optional[MbusFrame]]:
    """Decode the M-Bus frame starting at ``buf[start]`` (``68``, ``10`` or ``E5``).

    Returns ``(consumed, MbusFrame)``, or ``(0, None)`` when ``buf`` ends
    first; a corrupt candidate raises :class:`~hanparse.errors.FrameError`
    or :class:`~hanparse.errors.ChecksumError` (``field="mbus"``) with
    ``skip=1``.
    """
    if start >= len(buf):
        return 0, None
    r = _core.mbus_parse(buf, start)
    if isinstance(r, int):
        return 0, None
    return r[0], from_core(buf, start, r)


def _byte(name: str, value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise FrameError("M-Bus %s %d is outside 0 .. 255" % (name, value))
    return value


def build(
    data: Buffer = b"",
    *,
    c: int = 0x53,
    a: int = 0xFF,
    ci: int = 0x10,
    stsap: Optional[int] = 0x01,
    dtsap: Optional[int] = 0x67,
    sagemcom_length: bool = False,
) -> bytes:
    """Build a long frame ``68 L L 68 C A CI [STSAP DTSAP] data CS 16``.

    STSAP and DTSAP are written when ``ci`` is a DLMS transport CI
    (0x00-0x1F) and both are given; pass None to leave them out.  Defaults
    are the Austrian push values (SND_UD 53, broadcast FF, FIN + sequence 0,
    STSAP 01, DTSAP 67).  ``sagemcom_length=True`` allows 256-259 bytes from
    C on and writes the low byte of L, like the Sagemcom T210-D.
    """
    head = bytearray((_byte("C", c), _byte("A", a), _byte("CI", ci)))
    if ci <= 0x1F and stsap is not None and dtsap is not None:
        head.append(_byte("STSAP", stsap))
        head.append(_byte("DTSAP", dtsap))
    body = bytes(head) + bytes(data)
    n = len(body)
    if n > 255 and not (sagemcom_length and n <= 259):
        raise FrameError("M-Bus long frame holds at most 255 bytes from C on, got %d" % n)
    cs = _core.mbus_checksum(body)
    lb = n & 0xFF
    return bytes((0x68, lb, lb, 0x68)) + body + bytes((cs, 0x16))


def build_short(c: int, a: int) -> bytes:
    """Build a short frame ``10 C A CS 16``."""
    _byte("C", c)
    _byte("A", a)
    return bytes((0x10, c, a, (c + a) & 0xFF, 0x16))


def build_segments(apdu: Buffer, *, max_apdu: int = 250, **kwargs: Any) -> List[bytes]:
    """Split ``apdu`` into DLMS transport segments (sequence 0 .. 15; FIN on the last).

    ``max_apdu`` bounds the APDU bytes per frame (250 keeps L at 255);
    other keywords (``c``, ``a``, ``stsap``, ``dtsap``) go to :func:`build`.
    """
    if not 1 <= max_apdu <= 250:
        raise FrameError("max_apdu must be within 1 .. 250")
    data = bytes(apdu)
    chunks = [data[k : k + max_apdu] for k in range(0, len(data), max_apdu)] or [b""]
    if len(chunks) > 16:
        raise FrameError("%d segments exceed the 4-bit sequence number (16 at most)" % len(chunks))
    last = len(chunks) - 1
    return [
        build(chunk, ci=(k & 0x0F) | (0x10 if k == last else 0), **kwargs) for k, chunk in enumerate(chunks)
    ]


class Reassembler:
    """Join DLMS transport segments into APDUs, one frame at a time.

    :meth:`push` returns the APDU when a FIN segment completes it, else
    None.  Sequence 0 always starts a new message (an unfinished one is
    dropped); any other out-of-order sequence drops the message and raises
    :class:`FrameError`.
    """

    __slots__ = ("_parts", "_next", "_size")

    def __init__(self) -> None:
        self._parts: Optional[List[bytes]] = None
        self._next = 0
        self._size = 0

    @property
    def pending(self) -> bool:
        """True while a segmented message is unfinished."""
        return self._parts is not None

    def reset(self) -> None:
        """Drop an unfinished message."""
        self._parts = None
        self._next = 0
        self._size = 0

    def push(self, frame: MbusFrame) -> Optional[bytes]:
        """Add one frame; the complete APDU, or None while segments are missing."""
        if frame.apdu is None or frame.sequence is None:
            raise FrameError("M-Bus frame is not a DLMS transport segment (CI %r)" % (frame.ci,))
        seq = frame.sequence
        if seq == 0:
            self._parts = [frame.apdu]
            self._size = len(frame.apdu)
        elif self._parts is None or seq != self._next:
            expected = self._next if self._parts is not None else 0
            self.reset()
            raise FrameError("M-Bus transport segment %d out of order (expected %d)" % (seq, expected))
        else:
            self._parts.append(frame.apdu)
            self._size += len(frame.apdu)
            if self._size > MAX_MESSAGE:
                self.reset()
                raise FrameError("M-Bus transport message exceeds %d bytes" % MAX_MESSAGE)
        self._next = seq + 1
        if frame.fin:
            data = b"".join(self._parts)
            self.reset()
            return data
        return None


def reassemble(frames: Iterable[MbusFrame]) -> bytes:
    """The APDU carried by the transport segments of one message.

    Segments before a restart at sequence 0 are dropped (a capture may
    begin mid-message).  Raises :class:`IncompleteError` when no FIN
    segment completes the message and :class:`FrameError` for a sequence
    gap or frames after the FIN segment.
    """
    r = Reassembler()
    result: Optional[bytes] = None
    for f in frames:
        if result is not None:
            raise FrameError("M-Bus frames follow the final (FIN) segment")
        if not r.pending and f.sequence != 0 and f.apdu is not None:
            continue  # the tail of a message whose start is not in the capture
        result = r.push(f)
    if result is None:
        raise IncompleteError("M-Bus transport message has no final (FIN) segment")
    return result
