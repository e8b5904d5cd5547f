r"""HDLC frames as meters push them out of HAN ports (IEC 62056-46, frame format type 3).

::

    7E | A? LL | DST 1-4 | SRC 1-4 | CTRL | HCS 2 | E6 E7 00 | APDU ... | FCS 2 | 7E
    ^    \----------------------- length (11 bits) counts these ------------/    ^
    |    format: 1010 S LLL LLLLLLLL  (type 3, segmentation bit S)               |
    opening flag                                                    closing flag at
                                                                    start + length + 1

* Addresses: an octet with bit 0 = 0 is followed by another; the octet with
  bit 0 = 1 ends the address (ISO/IEC 13239 4.7.1).  ``dst``/``src`` are the
  7-bit groups concatenated, most significant first (Kamstrup ``2B`` -> 21).
* HCS (CRC-16/X.25 over format .. control) is present only when an
  information field follows; FCS covers format .. end of information.
  Both are sent least significant byte first.
* The information field starts with the LLC ``E6 E7 00`` (``E6 E6 00`` from
  a client) in a message's first frame; :attr:`HdlcFrame.information` is
  the field without it.  Later S-bit segments carry no LLC:
  :func:`reassemble` joins them from :attr:`HdlcFrame.information_field`.
* Frames are delimited by the length field, never by the next ``7E``: HAN
  meters do not stuff, and ``7E``/``7D`` occur raw inside real frames.
  ISO/IEC 13239 octet stuffing (``7D`` escape, XOR 0x20) is an opt-in
  mode (``stuffed=True``); the length and both CRCs then count the
  unstuffed bytes.

Stream contract of :func:`decode`
---------------------------------

``decode(buf, start)`` returns ``(consumed, frame)``:

* ``(length + 1, HdlcFrame)`` for a valid frame.  ``consumed`` stops
  *before* the closing flag, so ``start + consumed`` is that flag: decoding
  there next finds the following frame when the flag is shared (``7E`` as
  close and open).  ``frame.raw`` does include both flags.
* ``(1, None)`` when the flag at ``start`` is followed by another flag: one
  byte of inter-frame fill (doubled flags, ``7E 7E``) consumed.
* ``(0, None)``: ``buf`` ends before the frame can be judged; call again
  with more bytes.
* raises :class:`~hanparse.errors.FrameError` or
  :class:`~hanparse.errors.ChecksumError` for a corrupt candidate; its
  ``skip`` (always 1 in plain mode: a bad length can hide a frame start
  anywhere) says how far to advance.  Bytes that are not a flag (``CR LF``
  between frames, garbage) raise ``FrameError`` with ``skip=1`` as well.

:class:`hanparse.FrameScanner` applies this contract to a byte
stream with any chunking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Tuple, Union

from . import _impl
from .errors import FrameError, IncompleteError

__all__ = [
    "HdlcFrame",
    "decode",
    "build",
    "build_segments",
    "reassemble",
    "Reassembler",
    "encode_address",
    "LLC_SERVER",
    "LLC_CLIENT",
    "MAX_LENGTH",
    "llc_length",
]

if TYPE_CHECKING:
    from . import _core
else:
    _core = _impl.select("core")

Buffer = Union[bytes, bytearray, memoryview]
Address = Union[int, bytes, bytearray]

#: LLC header of frames from a server (meter) to a client
LLC_SERVER = b"\xe6\xe7\x00"
#: LLC header of frames from a client to a server
LLC_CLIENT = b"\xe6\xe6\x00"
#: the largest 11-bit frame length
MAX_LENGTH = 0x7FF
#: most bytes a stuffed frame may span between its flags (every byte escaped)
_MAX_STUFFED = 2 * MAX_LENGTH
#: bound on a message reassembled from S-bit segments
MAX_MESSAGE = 65536


@dataclass(frozen=True)
class HdlcFrame:
    """One verified HDLC type-3 frame.

    ``raw`` is the frame as it was on the wire, both flags included (still
    stuffed in stuffed mode); every other field is from the unstuffed bytes.
    ``hcs`` is None when the frame has no information field.
    """

    raw: bytes
    length: int
    segmented: bool
    dst: int
    src: int
    dst_raw: bytes
    src_raw: bytes
    control: int
    hcs: Optional[int]
    fcs: int
    #: the whole information field (LLC included when present)
    information_field: bytes
    #: the LLC header found at the start of the information field, or None
    llc: Optional[bytes]
    #: the information field without its LLC header
    information: bytes


_new = object.__new__
_set = object.__setattr__


def _address_value(raw: bytes) -> int:
    if len(raw) == 1:
        return raw[0] >> 1
    value = 0
    for b in raw:
        value = (value << 7) | (b >> 1)
    return value


def llc_length(buf: Union[bytes, bytearray, memoryview], start: int, end: int) -> int:
    """3 when ``buf[start:end]`` starts with an LLC header (``E6 E7 00`` or ``E6 E6 00``), else 0."""
    if end - start >= 3 and buf[start] == 0xE6 and (buf[start + 1] == 0xE7 or buf[start + 1] == 0xE6) \
            and buf[start + 2] == 0:
        return 3
    return 0


def from_core(buf: Buffer, start: int, r: Tuple[int, ...], raw: Optional[bytes] = None) -> HdlcFrame:
    """Build the frame from a core result ``r`` for the frame at ``start``."""
    _, length, segmented, dst_start, src_start, control_pos, control, hcs, i0, i1, fcs = r
    frame_bytes = bytes(buf[start : start + length + 2])
    dst_raw = frame_bytes[dst_start - start : src_start - start]
    src_raw = frame_bytes[src_start - start : control_pos - start]
    field = frame_bytes[i0 - start : i1 - start]
    if llc_length(field, 0, len(field)):
        llc: Optional[bytes] = field[:3]
        information = field[3:]
    else:
        llc = None
        information = field
    # a frozen dataclass's __init__ sets each field through object.__setattr__
    # (about 1 us for 13 fields); filling __dict__ at once gives the same object
    frame = _new(HdlcFrame)
    _set(
        frame,
        "__dict__",
        {
            "raw": frame_bytes if raw is None else raw,
            "length": length,
            "segmented": segmented == 1,
            "dst": _address_value(dst_raw),
            "src": _address_value(src_raw),
            "dst_raw": dst_raw,
            "src_raw": src_raw,
            "control": control,
            "hcs": None if hcs < 0 else hcs,
            "fcs": fcs,
            "information_field": field,
            "llc": llc,
            "information": information,
        },
    )
    return frame


def decode(buf: Buffer, start: int = 0, *, stuffed: bool = False) -> Tuple[int, Optional[HdlcFrame]]:
    """Decode the HDLC frame whose opening flag is at ``buf[start]``.

    See the module docstring for the ``(consumed, frame)`` contract.  With
    ``stuffed=True`` the frame is delimited by the next flag and unstuffed
    first; ``consumed`` again stops at the closing flag.
    """
    if start >= len(buf):
        return 0, None
    if stuffed:
        return _decode_stuffed(buf, start)
    r = _core.hdlc_parse(buf, start)
    if isinstance(r, int):
        return 0, None
    if r[1] == 0:
        return 1, None
    return r[0], from_core(buf, start, r)


def _decode_stuffed(buf: Buffer, start: int) -> Tuple[int, Optional[HdlcFrame]]:
    n = len(buf)
    if buf[start] != 0x7E:
        raise FrameError(
            "HDLC frame must start with flag 0x7E, got 0x%02X" % buf[start], offset=start, skip=1
        )
    if start + 1 >= n:
        return 0, None
    if buf[start + 1] == 0x7E:
        return 1, None
    window_end = min(n, start + 2 + _MAX_STUFFED)
    close = _core.find_byte(buf, 0x7E, start + 1, window_end)
    if close < 0:
        if window_end == start + 2 + _MAX_STUFFED:
            raise FrameError(
                "no closing flag within %d bytes of a stuffed HDLC frame" % _MAX_STUFFED,
                offset=start,
                skip=1,
            )
        return 0, None
    skip = close - start  # the closing flag may open the next frame
    if buf[close - 1] == 0x7D:
        raise FrameError("HDLC abort sequence 0x7D 0x7E", offset=close - 1, skip=skip)
    try:
        inner = _core.hdlc_unstuff(buf, start + 1, close)
        unstuffed = b"\x7e" + inner + b"\x7e"
        r = _core.hdlc_parse(unstuffed, 0)
    except FrameError as exc:
        exc.skip = skip
        exc.offset = start
        raise
    if isinstance(r, int) or r[0] != len(unstuffed) - 1:
        raise FrameError(
            "HDLC frame length does not match the %d unstuffed bytes between the flags" % len(inner),
            offset=start,
            skip=skip,
        )
    return skip, from_core(unstuffed, 0, r, raw=bytes(buf[start : close + 1]))


def encode_address(address: Address) -> bytes:
    """HDLC address bytes for ``address``.

    Bytes are checked (1-4 bytes, bit 0 set on the last only) and returned
    as they are; an int is encoded in 1, 2 or 4 bytes (the sizes IEC
    62056-46 uses), 7 bits per byte, most significant first.
    """
    if isinstance(address, (bytes, bytearray)):
        raw = bytes(address)
        if not 1 <= len(raw) <= 4 or not raw[-1] & 1 or any(b & 1 for b in raw[:-1]):
            raise FrameError("HDLC address %s: bit 0 must be set on the last of 1-4 bytes only" % raw.hex())
        return raw
    value = int(address)
    if value < 0 or value >= 1 << 28:
        raise FrameError("HDLC address %d is outside 0 .. 2**28 - 1" % value)
    size = 1 if value < 1 << 7 else 2 if value < 1 << 14 else 4
    out = bytearray((value >> (7 * (size - 1 - k)) & 0x7F) << 1 for k in range(size))
    out[-1] |= 1
    return bytes(out)


def _llc_prefix(llc: Union[bool, bytes, None]) -> bytes:
    """The LLC header ``build`` puts first: True -> ``E6 E7 00``, False/None -> none, bytes as given."""
    if llc is True:
        return LLC_SERVER
    if not llc:
        return b""
    return bytes(llc)


def build(
    information: Buffer = b"",
    *,
    dst: Address = b"\x41",
    src: Address = b"\x08\x83",
    control: int = 0x13,
    segmented: bool = False,
    llc: Union[bool, bytes, None] = True,
    stuffed: bool = False,
) -> bytes:
    """Build one HDLC frame, flags included.

    ``llc=True`` puts ``E6 E7 00`` before ``information``; ``False``/None
    puts nothing; bytes are used as given.  ``dst``/``src`` as in
    :func:`encode_address` (defaults: Aidon's ``41`` / ``08 83``).  The HCS
    is written only when there is an information field.  ``stuffed=True``
    escapes ``7E``/``7D`` between the flags (ISO/IEC 13239).
    """
    field = _llc_prefix(llc) + bytes(information)
    dst_raw = encode_address(dst)
    src_raw = encode_address(src)
    if not 0 <= control <= 0xFF:
        raise FrameError("HDLC control byte %d is outside 0 .. 255" % control)
    header_len = 2 + len(dst_raw) + len(src_raw) + 1
    length = header_len + (2 + len(field) if field else 0) + 2
    if length > MAX_LENGTH:
        raise FrameError("HDLC frame length %d exceeds %d" % (length, MAX_LENGTH))
    body = bytearray()
    body.append(0xA0 | (0x08 if segmented else 0) | (length >> 8))
    body.append(length & 0xFF)
    body += dst_raw
    body += src_raw
    body.append(control)
    if field:
        hcs = _core.crc16_x25(body)
        body.append(hcs & 0xFF)
        body.append(hcs >> 8)
        body += field
    fcs = _core.crc16_x25(body)
    body.append(fcs & 0xFF)
    body.append(fcs >> 8)
    if stuffed:
        return b"\x7e" + _core.hdlc_stuff(body) + b"\x7e"
    return b"\x7e" + bytes(body) + b"\x7e"


def build_segments(
    apdu: Buffer,
    *,
    max_information: int = 1000,
    llc: Union[bool, bytes, None] = True,
    **kwargs: Any,
) -> List[bytes]:
    """Split ``apdu`` into S-bit segmented frames (LLC in the first only).

    Every frame but the last has S = 1.  ``max_information`` bounds each
    information field (LLC included); other keywords go to :func:`build`.
    """
    if max_information < 4:
        raise FrameError("max_information must be at least 4 bytes")
    data = _llc_prefix(llc) + bytes(apdu)
    chunks = [data[k : k + max_information] for k in range(0, len(data), max_information)] or [b""]
    return [
        build(chunk, llc=False, segmented=k < len(chunks) - 1, **kwargs) for k, chunk in enumerate(chunks)
    ]


class Reassembler:
    """Join S-bit segmented frames into messages, one frame at a time.

    :meth:`push` returns the message (information without LLC) when a frame
    with S = 0 completes it, else None.  A segment from other addresses
    than the first drops the unfinished message and starts over; a message
    above :data:`MAX_MESSAGE` bytes raises :class:`FrameError`.
    """

    __slots__ = ("_parts", "_size", "_addr")

    def __init__(self) -> None:
        self._parts: Optional[List[bytes]] = None
        self._size = 0
        self._addr: Tuple[bytes, bytes] = (b"", b"")

    @property
    def pending(self) -> bool:
        """True while a segmented message is unfinished."""
        return self._parts is not None

    @property
    def address(self) -> Tuple[bytes, bytes]:
        """``(destination, source)`` address bytes of the unfinished message."""
        return self._addr

    def reset(self) -> None:
        """Drop an unfinished message."""
        self._parts = None
        self._size = 0

    def push(self, frame: HdlcFrame) -> Optional[bytes]:
        """Add one frame; the complete message, or None while segments are missing."""
        if self._parts is not None and (frame.dst_raw, frame.src_raw) != self._addr:
            self.reset()
        if self._parts is None:
            if not frame.segmented:
                return frame.information
            self._parts = [frame.information]
            self._size = len(frame.information)
            self._addr = (frame.dst_raw, frame.src_raw)
            return None
        self._parts.append(frame.information_field)
        self._size += len(frame.information_field)
        if self._size > MAX_MESSAGE:
            self.reset()
            raise FrameError("segmented HDLC message exceeds %d bytes" % MAX_MESSAGE)
        if frame.segmented:
            return None
        data = b"".join(self._parts)
        self.reset()
        return data


def reassemble(frames: Iterable[HdlcFrame]) -> bytes:
    """The message carried by S-bit segments (every frame but the last has S = 1).

    Returns the first segment's information (LLC removed) followed by the
    later segments' whole information fields.  Raises
    :class:`IncompleteError` when the last frame still has S = 1 and
    :class:`FrameError` when a frame before the last has S = 0.
    """
    frames = list(frames)
    if not frames:
        raise IncompleteError("no HDLC frames to reassemble")
    for k, f in enumerate(frames[:-1]):
        if not f.segmented:
            raise FrameError("HDLC frame %d of %d has S = 0 but more segments follow" % (k + 1, len(frames)))
    if frames[-1].segmented:
        raise IncompleteError("the last HDLC segment has S = 1: the message is not complete")
    return frames[0].information + b"".join(f.information_field for f in frames[1:])
