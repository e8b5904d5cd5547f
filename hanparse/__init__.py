"""hanparse: decode what smart electricity meters push out of their customer port.

HDLC and M-Bus frames carrying DLMS/COSEM data, and DSMR/P1 telegrams,
plain or AES-GCM encrypted, into :class:`Message` objects of typed, scaled
:class:`Reading` values.
"""

from ._impl import IMPLEMENTATION
from .errors import (
    ChecksumError,
    DecodeError,
    DecryptionError,
    FrameError,
    HanParseError,
    IncompleteError,
    UnsupportedError,
)
from .model import Message, MeterInfo, Reading, SecurityInfo
from .obis import Obis
from .security import Keyring, Keys
from .api import parse_frame
from .stream import ReplayError, StreamDecoder, StreamStats, iter_messages

#: the package version
__version__ = "0.1.0"

__all__ = [
    "IMPLEMENTATION",
    "parse_frame",
    "StreamDecoder",
    "StreamStats",
    "iter_messages",
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
