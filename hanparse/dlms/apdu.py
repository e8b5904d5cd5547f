"""The APDUs a meter pushes on its customer port, and A-XDR decoding entry points.

::

    [E6 E7 00 | E6 E6 00]  LLC header of an HDLC information field (optional)
    0F ...                 data-notification      -> DataNotification
    E0 ...                 general-block-transfer -> reassemble, then decode the inner APDU
    DB / DC ...            general-glo/ded-ciphering -> decrypt first (hanparse.security)

The A-XDR tree walk is :mod:`hanparse.dlms._axdr`, compiled or run as plain
Python, chosen once by :mod:`hanparse._impl`; ``_dlms`` is looked up at call
time so tests can swap it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, List, NamedTuple, Optional, Tuple, Union

from .. import _impl
from ..errors import DecodeError, DecryptionError, IncompleteError, UnsupportedError

__all__ = [
    "DataNotification",
    "GbtBlock",
    "GbtReassembler",
    "decode_apdu",
    "decode_data",
    "decode_data_lenient",
    "decode_data_notification",
    "decode_data_notification_repaired",
    "decode_gbt_block",
    "reassemble_gbt",
    "strip_llc",
    "MAX_GBT_SIZE",
]

if TYPE_CHECKING:
    from . import _axdr as _dlms
else:
    _dlms = _impl.select("dlms")

BytesLike = Union[bytes, bytearray, memoryview]

#: default bound on a reassembled general-block-transfer message
MAX_GBT_SIZE = 65536

_APDU_NAMES = {
    0x0F: "data-notification",
    0xC0: "get-request",
    0xC1: "set-request",
    0xC2: "event-notification-request",
    0xC3: "action-request",
    0xC4: "get-response",
    0xC5: "set-response",
    0xC7: "action-response",
    0xDB: "general-glo-ciphering",
    0xDC: "general-ded-ciphering",
    0xDD: "general-ciphering",
    0xE0: "general-block-transfer",
    0x60: "AARQ",
    0x61: "AARE",
    0x62: "RLRQ",
    0x63: "RLRE",
}


def decode_data(data: BytesLike, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]:
    """Decode one A-XDR ``Data`` element at ``data[start:end]``: ``(value, end position)``.

    Values: null-data None, array/compact-array list, structure tuple,
    boolean bool, integers/enum/bcd int, octet-string bytes, visible-string
    and utf8-string str, float32/64 float, bit-string
    :class:`~hanparse.dlms.types.BitString`, date-time/date/time the raw
    :class:`~hanparse.dlms.types.DateTime` / ``Date`` / ``Time`` octets.
    Raises :class:`~hanparse.errors.DecodeError` (with ``offset``) on bad data.
    """
    return _dlms.decode_data(data, start, end)


def decode_data_lenient(
    data: BytesLike, start: int = 0, end: Optional[int] = None
) -> Tuple[Any, int, Tuple[Tuple[int, str], ...]]:
    """Decode one ``Data`` element with the meter-defect repairs: ``(value, end position, repairs)``.

    Besides valid A-XDR it reads the two non-A-XDR register shapes of real
    meters (dlms.md 2.3 and 4.2):

    * ``06 09`` + 6 bytes opening a structure of 2 or 3 elements (Embriq
      adapter for L+G ZMF100): the OBIS octet-string;
    * ``02 02`` + class-id (2 bytes, 1..255) + OBIS (6) + attribute (1,
      non-zero), all untagged, + a tagged value (EGD, Sagemcom XT211): the
      structure ``(OBIS, value)``.

    ``repairs`` lists ``(offset, kind)`` per repaired entry, kind
    ``"swapped-obis-tag"`` or ``"class-obis-attribute"``.
    """
    return _dlms.decode_data_lenient(data, start, end)


def decode_data_notification(
    data: BytesLike, start: int = 0, end: Optional[int] = None, repair: bool = True
) -> Tuple[int, Any, Any, int]:
    """Decode a data-notification (0x0F) at ``data[start:end]``.

    Returns ``(long_invoke_id_and_priority, clock, body, end position)``; see
    :class:`DataNotification` for the fields.  All three date-time forms
    (``00``, ``0C`` + 12, ``09 0C`` + 12) are accepted.  A body the strict
    A-XDR walk rejects is decoded with the repairs of
    :func:`decode_data_lenient` when ``repair`` is true and the repaired body
    ends exactly at ``end``; otherwise the strict DecodeError is raised.
    """
    return _dlms.decode_data_notification(data, start, end, repair)


def decode_data_notification_repaired(
    data: BytesLike, start: int = 0, end: Optional[int] = None
) -> Tuple[int, Any, Any, int, Tuple[Tuple[int, str], ...]]:
    """:func:`decode_data_notification` plus the repairs made (``()`` for valid A-XDR) as a 5th item."""
    return _dlms.decode_data_notification_repaired(data, start, end)


# ---------------------------------------------------------------- data-notification


class DataNotification(NamedTuple):
    """A decoded data-notification APDU (tag 0x0F).

    ::

        0F | long-invoke-id-and-priority (4) | date-time | notification-body

    ``clock`` is the raw :class:`~hanparse.dlms.types.DateTime` (12 octets;
    ``Date``/``Time`` for 5/4) or None when the meter sends none; ``body`` is
    the decoded A-XDR value.  Immutable (a named tuple: cheap to create).
    """

    long_invoke_id_and_priority: int
    clock: Any
    body: Any

    @property
    def invoke_id(self) -> int:
        """The long invoke id: bits 0-23."""
        return self.long_invoke_id_and_priority & 0xFFFFFF

    @property
    def priority_high(self) -> bool:
        """Bit 31: priority high."""
        return bool(self.long_invoke_id_and_priority & 0x80000000)

    @property
    def confirmed(self) -> bool:
        """Bit 30: service class confirmed (set by Aidon, Kaifa: ``40 00 00 00``)."""
        return bool(self.long_invoke_id_and_priority & 0x40000000)

    @property
    def break_on_error(self) -> bool:
        """Bit 29: processing option break-on-error."""
        return bool(self.long_invoke_id_and_priority & 0x20000000)

    @property
    def self_descriptive(self) -> bool:
        """Bit 28: self-descriptive."""
        return bool(self.long_invoke_id_and_priority & 0x10000000)


def strip_llc(data: BytesLike, start: int = 0) -> int:
    """Offset of the APDU: ``start + 3`` after an LLC header ``E6 E7 00``/``E6 E6 00``, else ``start``."""
    if len(data) - start >= 3 and data[start] == 0xE6 and (data[start + 1] & 0xFE) == 0xE6 and data[start + 2] == 0:
        return start + 3
    return start


def _unsupported(tag: int, pos: int) -> UnsupportedError:
    name = _APDU_NAMES.get(tag)
    what = "APDU tag 0x%02X (%s)" % (tag, name) if name else "APDU tag 0x%02X" % tag
    return UnsupportedError("unsupported %s: only data-notification (0x0F) pushes are decoded" % what, offset=pos)


def decode_apdu(data: BytesLike) -> DataNotification:
    """Decode one complete unencrypted APDU into a :class:`DataNotification`.

    ``data`` starts with the APDU tag, optionally after an LLC header
    (``E6 E7 00`` or ``E6 E6 00``) and must end with it.  Bodies with the
    known meter defects are repaired (see :func:`decode_data_notification`).  Ciphered APDUs
    (0xDB/0xDC/0xDD) raise :class:`~hanparse.errors.DecryptionError`: decrypt
    them first.  A general-block-transfer APDU (0xE0) is unwrapped when it is
    a whole message in one block; blocks of a longer message need a
    :class:`GbtReassembler`.
    """
    pos = strip_llc(data)
    end = len(data)
    if pos >= end:
        raise DecodeError("empty APDU", offset=pos)
    tag = data[pos]
    if tag == 0x0F:
        liip, clock, body, stop = _dlms.decode_data_notification(data, pos, end)
        if stop != end:
            raise DecodeError("%d bytes after the end of the data-notification body" % (end - stop), offset=stop)
        return DataNotification(liip, clock, body)
    if tag == 0xDB or tag == 0xDC or tag == 0xDD:
        raise DecryptionError(
            "message is encrypted (%s); a key is needed to decrypt it" % _APDU_NAMES[tag], offset=pos
        )
    if tag == 0xE0:
        block = decode_gbt_block(data, pos)
        if not (block.last and block.block_number == 1):
            raise UnsupportedError(
                "general-block-transfer block %d%s is part of a longer message: "
                "collect the blocks with GbtReassembler" % (block.block_number, " (last)" if block.last else ""),
                offset=pos,
            )
        return decode_apdu(block.data)
    raise _unsupported(tag, pos)


# ---------------------------------------------------------------- general-block-transfer


class GbtBlock(NamedTuple):
    """One general-block-transfer APDU (tag 0xE0).

    ::

        E0 | block-control | block-number (2) | block-number-ack (2) | length (A-XDR) | data
             bit 7 last-block, bit 6 streaming, bits 5-0 window
    """

    block_control: int
    block_number: int
    block_number_ack: int
    data: bytes

    @property
    def last(self) -> bool:
        """Bit 7 of block-control: this is the last block."""
        return bool(self.block_control & 0x80)

    @property
    def streaming(self) -> bool:
        """Bit 6 of block-control: streaming."""
        return bool(self.block_control & 0x40)

    @property
    def window(self) -> int:
        """Bits 5-0 of block-control: window size."""
        return self.block_control & 0x3F


def decode_gbt_block(data: BytesLike, start: Optional[int] = None) -> GbtBlock:
    """Decode one general-block-transfer APDU that fills ``data`` from ``start`` to the end.

    ``start`` None skips an optional LLC header.  Bytes after the block data
    are an error.
    """
    pos = strip_llc(data) if start is None else start
    end = len(data)
    last, number, ack, ds, de = _dlms.decode_gbt(data, pos, end)
    if de != end:
        raise DecodeError("%d bytes after the general-block-transfer block data" % (end - de), offset=de)
    return GbtBlock(data[pos + 1], number, ack, bytes(data[ds:de]))


class GbtReassembler:
    """Join general-block-transfer blocks (0xE0) into the APDU they carry.

    Feed every block APDU (with or without LLC header) in arrival order to
    :meth:`add`; it returns the complete inner APDU (``0F ...`` or
    ``DB ...``) when the last block arrives, else None.  Block 1 always
    starts a new message (a capture may begin in the middle of one, and a
    meter may abandon a message).  A block out of sequence, a block other
    than 1 with no message under way, or a message larger than ``max_size``
    raises :class:`~hanparse.errors.DecodeError` and drops the partial
    message.
    """

    __slots__ = ("max_size", "_parts", "_size", "_next")

    def __init__(self, max_size: int = MAX_GBT_SIZE) -> None:
        self.max_size = max_size
        self._parts: List[bytes] = []
        self._size = 0
        self._next = 0  # expected block number; 0 = no message under way

    @property
    def in_progress(self) -> bool:
        """True while a message has started and its last block has not arrived."""
        return self._next != 0

    def reset(self) -> None:
        """Drop any partial message."""
        self._parts = []
        self._size = 0
        self._next = 0

    def add(self, apdu: BytesLike) -> Optional[bytes]:
        """Add one block APDU; return the reassembled APDU when it is complete."""
        try:
            block = decode_gbt_block(apdu)
        except DecodeError:
            self.reset()
            raise
        number = block.block_number
        if number == 1:
            self.reset()
        elif number != self._next:
            expected = self._next
            self.reset()
            if expected == 0:
                raise DecodeError("general-block-transfer block %d without block 1 before it" % number)
            raise DecodeError("general-block-transfer block %d out of sequence (expected %d)" % (number, expected))
        self._size += len(block.data)
        if self._size > self.max_size:
            self.reset()
            raise DecodeError("general-block-transfer message larger than %d bytes" % self.max_size)
        self._parts.append(block.data)
        if block.last:
            out = b"".join(self._parts)
            self.reset()
            return out
        self._next = number + 1
        return None


def reassemble_gbt(apdus: Iterable[BytesLike], max_size: int = MAX_GBT_SIZE) -> bytes:
    """Join the blocks of one general-block-transfer message (stateless helper).

    ``apdus`` are the block APDUs in order; a block 1 restarts the message
    (so leading blocks of an earlier, interrupted message are skipped).
    Raises :class:`~hanparse.errors.IncompleteError` if the last block is
    missing and :class:`~hanparse.errors.DecodeError` on blocks after it.
    """
    r = GbtReassembler(max_size)
    done: Optional[bytes] = None
    for apdu in apdus:
        if done is not None:
            raise DecodeError("general-block-transfer block after the last block")
        done = r.add(apdu)
    if done is None:
        raise IncompleteError("general-block-transfer message incomplete: the last block is missing")
    return done
