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
* :func:`text_line_payload` -- the bytes a bridge's text line carries (hex
  in a JSON object, hex behind a ``Label:``), or None;
* :func:`llc_length` -- whether an information field starts with the LLC
  header ``E6 E7 00`` / ``E6 E6 00`` (defined beside the HDLC framer, whose
  information field carries it);
* :data:`FILL` -- bytes tolerated around a frame.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any, Optional, Union

from ..errors import DecodeError
from ..hdlc import llc_length

__all__ = ["Data", "FILL", "as_bytes", "hex_to_bytes", "hex_payload", "llc_length", "APDU_TAGS", "BODY_TAGS",
           "BARE_TAGS", "HEX_SEPARATORS", "PAYLOAD_KEYS", "text_line_payload"]

#: what the doors accept
Data = Union[bytes, bytearray, memoryview, str]

#: bytes tolerated before and after a message (line ends, blanks, NUL)
FILL = b" \t\r\n\x00"

#: first bytes of an APDU with or without LLC: data-notification, LLC,
#: general-glo/ded-ciphering, general-block-transfer
APDU_TAGS = frozenset((0x0F, 0xE6, 0xDB, 0xDC, 0xE0))
#: first byte of a data-notification *body* sent alone (amsreader's raw mode
#: publishes the notification without its ``0F`` header): an A-XDR array or structure
BODY_TAGS = frozenset((0x01, 0x02))
#: first bytes of a payload with no link layer: an APDU or a notification body
BARE_TAGS = APDU_TAGS | BODY_TAGS

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


#: keys of a bridge's JSON object that may hold the frame, in the order tried
#: (amsreader publishes ``{"data": "7ea0...7e"}`` in raw mode)
PAYLOAD_KEYS = ("data", "payload", "raw", "hex", "frame", "telegram", "message")

_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9 _.\-]{0,31}:[ \t]*")


def text_line_payload(line: str) -> Optional[bytes]:
    """The bytes a bridge's text line carries, or None for a line that carries none.

    * a JSON object: the first of :data:`PAYLOAD_KEYS` (any case) whose
      value is a string of hex text (see :func:`hex_to_bytes`) or a P1
      telegram (text starting ``/``);
    * ``Label: <hex>`` (a word of at most 32 characters, a colon, hex text),
      as gateways log frames (``Debug: 7ea0...``).

    Anything else (log text, JSON without a payload) is None: the stream
    ignores such a line and counts it in ``StreamStats.text_lines``.
    """
    text = line.strip(" \t\r\x00")
    if text[:1] == "{":
        try:
            obj: Any = json.loads(text)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        by_key = {k.lower(): v for k, v in obj.items() if isinstance(k, str)}
        for key in PAYLOAD_KEYS:
            value = by_key.get(key)
            if isinstance(value, str) and value:
                if value.lstrip()[:1] == "/":
                    return value.encode("latin-1", "replace")
                try:
                    return hex_to_bytes(value)
                except DecodeError:
                    continue
        return None
    m = _LABEL.match(text)
    if m is None or m.end() == len(text):
        return None
    try:
        return hex_to_bytes(text[m.end():])
    except DecodeError:
        return None
