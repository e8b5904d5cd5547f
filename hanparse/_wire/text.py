"""Wire-level decisions shared by every door: input bytes, hex text, LLC.

Each decision about the bytes on the wire is written once, here or in the
framer of its format (``hanparse.hdlc``, ``hanparse.mbus``,
``hanparse.dsmr.framing``, ``hanparse.dlms.ciphering``, all driven by
``hanparse.FrameScanner``).  This module holds the small ones that
several framers and the pipeline need:

* :func:`as_bytes` -- what any door makes of its input (str is Latin-1);
* :func:`hex_to_bytes` -- explicit hex text, any common separator;
* :func:`hex_payload` -- the bytes of an input that is hex text (what
  ``parse_frame``'s stream, the CLI's file reader and ``explain`` share);
* :func:`llc_length` -- whether an information field starts with the LLC
  header ``E6 E7 00`` / ``E6 E6 00`` (defined beside the HDLC framer, whose
  information field carries it);
* :data:`FILL` -- bytes tolerated around a frame.
"""

from __future__ import annotations

import string
from typing import Union

from ..errors import DecodeError
from ..hdlc import llc_length

__all__ = ["Data", "FILL", "as_bytes", "hex_to_bytes", "hex_payload", "llc_length", "APDU_TAGS", "HEX_SEPARATORS"]

#: what the doors accept
Data = Union[bytes, bytearray, memoryview, str]

#: bytes tolerated before and after a message (line ends, blanks, NUL)
FILL = b" \t\r\n\x00"

#: first bytes of an APDU with or without LLC: data-notification, LLC,
#: general-glo/ded-ciphering, general-block-transfer
APDU_TAGS = frozenset((0x0F, 0xE6, 0xDB, 0xDC, 0xE0))

_HEX_DIGITS = frozenset(string.hexdigits)
#: separators hex text may use between (pairs of) digits
HEX_SEPARATORS = " \t\r\n:-,"
_SEPARATORS = str.maketrans("", "", HEX_SEPARATORS)


def as_bytes(data: Data) -> bytes:
    """The bytes of an input: bytes as they are, str as Latin-1 (unmappable characters become ``?``)."""
    if data.__class__ is bytes:
        return data  # type: ignore[return-value,unused-ignore]
    if isinstance(data, str):
        return data.encode("latin-1", "replace")
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, memoryview):
        view = data if data.ndim == 1 and data.itemsize == 1 else data.cast("B")
        return view.tobytes()
    raise TypeError("expected bytes or str, not %s" % type(data).__name__)


def hex_to_bytes(text: str) -> bytes:
    """Bytes of hex text; whitespace, ``:``, ``-`` and ``,`` separators and a ``0x`` prefix are ignored.

    Raises :class:`~hanparse.errors.DecodeError` for empty text, a non-hex
    character or an odd number of digits.
    """
    compact = text.translate(_SEPARATORS)
    if compact[:2] in ("0x", "0X"):
        compact = compact[2:]
    if not compact:
        raise DecodeError("empty input: no hex digits")
    if len(compact) % 2 or not _HEX_DIGITS.issuperset(compact):
        bad = next((i for i, ch in enumerate(compact) if ch not in _HEX_DIGITS), len(compact))
        raise DecodeError(
            "not hex text"
            + (" (odd number of hex digits)" if bad == len(compact) else " (non-hex character %r)" % compact[bad])
        )
    return bytes.fromhex(compact)


def hex_payload(buf: bytes) -> "bytes | None":
    """The bytes hex text stands for when ``buf`` (blanks and line ends around it aside) is only hex
    digits and separators (see :func:`hex_to_bytes`), else None."""
    text = buf.strip(FILL)
    if len(text) < 2 or text.translate(None, _HEX_TEXT_BYTES):
        return None
    try:
        return hex_to_bytes(text.decode("ascii"))
    except DecodeError:
        return None


_HEX_TEXT_BYTES = (string.hexdigits + HEX_SEPARATORS + "xX").encode("ascii")
