"""hanparse: decode what smart electricity meters push out of their customer port.

HDLC and M-Bus frames carrying DLMS/COSEM data, and DSMR/P1 telegrams,
plain or AES-GCM encrypted, into :class:`Message` objects of typed, scaled
:class:`Reading` values.
"""

from ._api import parse_frame, parse_payload
from ._impl import IMPLEMENTATION
from ._stream import StreamDecoder, StreamStats, iter_messages
from ._version import __version__
from ._wire.scanner import FrameScanner, index_frames, iter_frames
from .errors import (
    ChecksumError,
    DecodeError,
    DecryptionError,
    FrameError,
    HanParseError,
    IncompleteError,
    ReplayError,
    UnsupportedError,
)
from .model import Message, MeterInfo, Reading, SecurityInfo
from .obis import Obis
from .security import Keyring, Keys

__all__ = [
    "IMPLEMENTATION",
    "parse_frame",
    "parse_payload",
    "StreamDecoder",
    "StreamStats",
    "iter_messages",
    "FrameScanner",
    "iter_frames",
    "index_frames",
    "ReplayError",
    "Keys",
    "Keyring",
    "HanParseError",
    "FrameError",
    "ChecksumError",
    "IncompleteError",
    "DecodeError",
    "DecryptionError",
    "UnsupportedError",
    "Message",
    "MeterInfo",
    "Reading",
    "SecurityInfo",
    "Obis",
    "__version__",
]
