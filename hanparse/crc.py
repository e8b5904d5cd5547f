"""Checksums used by meter framings.

=================  ==========================================  ==============
function           where                                       check value
=================  ==========================================  ==============
``crc16_x25``      HDLC HCS and FCS (IEC 62056-46, sent LSB    ``0x906E``
                   first); poly 0x1021 reflected, init and
                   xor-out 0xFFFF
``crc16_arc``      DSMR/P1 telegram CRC over ``/`` .. ``!``    ``0xBB3D``
                   (poly 0x8005 reflected, init 0, no xor-out)
``mbus_checksum``  M-Bus CS: sum of the bytes modulo 256       --
=================  ==========================================  ==============

(check value = CRC of ``b"123456789"``.)  All three accept bytes, bytearray
or a contiguous memoryview and read it in place; ``start``/``end`` select a
range without slicing (``end=-1`` means the end of the data).  The work is
done by the table-driven Cython core, or by its pure-Python twin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from . import _impl

__all__ = ["crc16_x25", "crc16_arc", "mbus_checksum"]

if TYPE_CHECKING:
    from . import _core
else:
    _core = _impl.select("core")

Buffer = Union[bytes, bytearray, memoryview]


def crc16_x25(data: Buffer, start: int = 0, end: int = -1) -> int:
    """CRC-16/X.25 (HDLC FCS) of ``data[start:end]``; ``crc16_x25(b"123456789") == 0x906E``."""
    return _core.crc16_x25(data, start, end)


def crc16_arc(data: Buffer, start: int = 0, end: int = -1) -> int:
    """CRC-16/ARC (DSMR telegram CRC) of ``data[start:end]``; ``crc16_arc(b"123456789") == 0xBB3D``."""
    return _core.crc16_arc(data, start, end)


def mbus_checksum(data: Buffer, start: int = 0, end: int = -1) -> int:
    """M-Bus checksum: the sum of ``data[start:end]`` modulo 256."""
    return _core.mbus_checksum(data, start, end)
