r"""Ciphered APDU envelopes (0xDB / 0xDC) and the framers for ciphered P1 data.

Declarations of record (``construct`` schemas, parse and build; created on
first access because construct takes ~30 ms to import)::

    CipheredApduEnvelope     general-glo-ciphering (DB) / general-ded-ciphering (DC)

      +----+-----+--------------+--------+----+--------------------+---------+----------+
      | DB | 08  | system title | length | SC | invocation counter | payload | auth tag |
      +----+-----+--------------+--------+----+--------------------+---------+----------+
        1    1          8         BER 1-5   1          4 (BE)        n         12 if SC&10
                                  \---------- length counts SC .. end of auth tag ------/

    CipheredBlock            the same without the DB/DC byte (the Polish P1
                             form, with a zero-length system title: ``00``)

    BerLength                0x00-0x7F, or 0x81-0x84 + that many bytes (big-endian);
                             built in the shortest form

The fast parser used by the decoders is
:func:`hanparse.security.parse_ciphered_apdu`; tests check that it agrees
with these schemas.

Two stateless framers cut ciphered data that arrives without HDLC or M-Bus
framing out of a byte stream.  Both follow the framer contract
``decode(buf, start=0) -> (consumed, frame | None)``: ``consumed`` counts
bytes from ``start``; ``(0, None)`` means "need more data"; a candidate
that cannot be such a frame raises :class:`~hanparse.FrameError` whose
``skip`` (>= 1) says how many bytes to drop before looking again.

* :func:`decode_ciphered_apdu_frame` -> :class:`CipheredApduFrame`: a bare
  ``DB 08 <system title> <length> <SC> <IC> <ciphertext> <tag>`` on a P1
  line, framed by its length (Luxembourg Smarty, Sagemcom T210-D in
  Styria).  No checksum protects it: the GCM tag (SC 30) or the DSMR CRC
  inside the plaintext does that after decryption.
* :func:`decode_ciphered_telegram_frame` -> :class:`CipheredTelegramFrame`:
  the Polish form (Kaifa MA309M for Stoen, Elgama GAMA 150/350)::

      /EGM5G35 CR LF        identification line, in clear
      CR LF                 empty line
      00                    system title length 0 (IV = 8 zero bytes || counter)
      82 02 30              BER length of SC .. end of tag
      30 | 00 00 00 00      SC, invocation counter
      <ciphertext> <tag>
      ! F E 0 C CR LF       trailer; what the 4 characters cover is undocumented

  The block is framed by its length, never by ``!``: the ciphertext may
  contain ``!`` and LF bytes anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

# The envelope parser is shared with hanparse.security through a leaf module,
# so that this module does not import hanparse.security (which imports it).
from .._gcm_header import GENERAL_DED_CIPHERING, GENERAL_GLO_CIPHERING, CipheredApdu, parse_envelope
from ..errors import FrameError, IncompleteError

__all__ = [
    "CipheredApduEnvelope",  # noqa: F822 (created on first access by __getattr__)
    "CipheredBlock",  # noqa: F822
    "CipheredApduFrame",
    "CipheredTelegramFrame",
    "decode_ciphered_apdu_frame",
    "decode_ciphered_telegram_frame",
    "MAX_CIPHERED_P1_LENGTH",
    "MAX_IDENTIFICATION_LENGTH",
]

#: default bound on the BER length of a ciphered P1 frame: real ones are
#: 0x1F2 (Luxembourg, Styria) to 0x28F (Kaifa PL); a DSMR telegram stays
#: well under this, and a false ``DB`` candidate cannot stall a stream long
MAX_CIPHERED_P1_LENGTH = 4096
#: longest identification line accepted by the Polish-form framer
MAX_IDENTIFICATION_LENGTH = 128

_TRAILER_MAX = 7  # "!" + 4 characters + CR LF


# ---------------------------------------------------------------- schemas


def _build_schemas() -> Dict[str, Any]:
    import construct as cs

    # One A-XDR/BER length for every schema: the DLMS schema's (same module family).
    from .schema import BerLength as ber_length

    def body_length(this: Any) -> int:
        return 5 + len(this.payload) + (len(this.auth_tag) if this.auth_tag is not None else 0)

    def payload_length(this: Any) -> int:
        length: int = this.length - 5 - (12 if this.security_control & 0x10 else 0)
        return length

    block_fields = (
        "system_title" / cs.Prefixed(cs.OneOf(cs.Int8ub, [0, 8]), cs.GreedyBytes),
        "length" / cs.Rebuild(ber_length, body_length),
        "security_control" / cs.Int8ub,
        "invocation_counter" / cs.Int32ub,
        "payload" / cs.Bytes(payload_length),
        "auth_tag" / cs.If(cs.this.security_control & 0x10, cs.Bytes(12)),
    )
    block = cs.Struct(*block_fields) * (
        "Ciphered block without the APDU tag (the Polish P1 form): system title, BER length, "
        "security control, invocation counter, payload, 12-byte tag when SC has bit 4.")
    envelope = cs.Struct(
        "tag" / cs.OneOf(cs.Int8ub, [GENERAL_GLO_CIPHERING, GENERAL_DED_CIPHERING]),
        *block_fields,
    ) * (
        "general-glo-ciphering (DB) / general-ded-ciphering (DC) APDU: the tag byte, then the "
        "ciphered block.")
    return {"BerLength": ber_length, "CipheredBlock": block, "CipheredApduEnvelope": envelope}


_schemas: Optional[Dict[str, Any]] = None


def __getattr__(name: str) -> Any:
    """Create the construct schemas on first access (PEP 562)."""
    global _schemas
    if name in ("BerLength", "CipheredBlock", "CipheredApduEnvelope"):
        if _schemas is None:
            _schemas = _build_schemas()
        return _schemas[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


# ---------------------------------------------------------------- frames


@dataclass(frozen=True)
class CipheredApduFrame:
    """A bare ciphered APDU cut from a P1 byte stream (Luxembourg/Austrian form).

    ``raw``: the frame bytes, which are the whole APDU (``DB`` .. tag);
    ``ciphered``: its parsed envelope (decrypt with
    :func:`hanparse.security.decrypt_ciphered`, or ``decrypt_apdu(raw)``).
    The plaintext is normally a DSMR telegram with its own CRC.
    """

    raw: bytes
    ciphered: CipheredApdu

    @property
    def apdu(self) -> bytes:
        """The ciphered APDU (the same bytes as ``raw``)."""
        return self.raw


@dataclass(frozen=True)
class CipheredTelegramFrame:
    """The Polish P1 form: identification line in clear, then a GCM block.

    ``raw``: the frame bytes from ``/`` through the trailer's LF (or through
    the block when no trailer follows); ``identification``: the
    identification line without CR LF, e.g. ``"/EGM5G35"``; ``ciphered``:
    the GCM block (``apdu_tag`` None, ``system_title`` 8 zero bytes, which
    is also the key lookup title); ``trailer``: the characters between
    ``!`` and CR LF after the block (e.g. ``"FE0C"``; not verified, its
    meaning is undocumented) or None when the block is not followed by one.
    The decrypted plaintext is a complete DSMR telegram with its own CRC.
    """

    raw: bytes
    identification: str
    ciphered: CipheredApdu
    trailer: Optional[str]


# ---------------------------------------------------------------- framers


def _parse_for_framer(buf: Any, start: int, apdu_tag: bool, max_length: Optional[int]) -> Optional[CipheredApdu]:
    """The envelope at ``start``, None when incomplete; FrameError (skip 1) if impossible."""
    try:
        return parse_envelope(buf, start, apdu_tag, False, max_length, True)
    except IncompleteError:
        return None
    except FrameError as exc:
        raise FrameError(exc.message, offset=exc.offset, skip=1) from None


def decode_ciphered_apdu_frame(buf: Any, start: int = 0, *,
                               max_length: int = MAX_CIPHERED_P1_LENGTH) -> Tuple[int, Optional[CipheredApduFrame]]:
    """Frame a bare ciphered APDU (``DB``/``DC`` + 8-byte system title) at ``buf[start]``.

    Returns ``(size, CipheredApduFrame)``, or ``(0, None)`` when ``buf``
    ends before the APDU does.  Raises :class:`~hanparse.FrameError`
    (``skip`` 1) when the bytes at ``start`` cannot start one: not DB/DC,
    system title length not 8, bad BER length, length < 5 (or < 17 with a
    tag) or > ``max_length``, unsupported security control.  These checks
    run as soon as the header bytes are present, so a false ``DB`` in a
    stream is rejected without waiting for its claimed length.
    """
    n = len(buf)
    if start >= n:
        return 0, None
    first = buf[start]
    if first != GENERAL_GLO_CIPHERING and first != GENERAL_DED_CIPHERING:
        raise FrameError("not a ciphered APDU: byte 0x%02X (expected DB or DC)" % first, offset=start, skip=1)
    if start + 1 < n and buf[start + 1] != 8:
        raise FrameError("ciphered P1 frame with system title length %d (expected 8)" % buf[start + 1],
                         offset=start + 1, skip=1)
    c = _parse_for_framer(buf, start, True, max_length)
    if c is None:
        return 0, None
    return c.size, CipheredApduFrame(bytes(buf[start:start + c.size]), c)


def _find_lf(buf: Any, start: int, stop: int) -> int:
    if isinstance(buf, (bytes, bytearray)):
        return buf.find(b"\n", start, stop)
    for i in range(start, stop):
        if buf[i] == 0x0A:
            return i
    return -1


def decode_ciphered_telegram_frame(
    buf: Any, start: int = 0, *, max_length: int = MAX_CIPHERED_P1_LENGTH
) -> Tuple[int, Optional[CipheredTelegramFrame]]:
    """Frame the Polish P1 form (identification line + GCM block) at ``buf[start]``.

    Returns ``(size, CipheredTelegramFrame)`` or ``(0, None)`` when more
    data is needed (inside the identification line, the block, or the
    ``!XXXX CR LF`` trailer).  Raises :class:`~hanparse.FrameError`
    (``skip`` 1) when ``buf[start]`` is not ``/``, the identification line
    is longer than :data:`MAX_IDENTIFICATION_LENGTH` or not printable
    ASCII, or the bytes after it (and an optional empty line) are not a
    GCM block with system title length 0 or 8 -- in particular for a plain
    DSMR telegram, whose data lines follow as text.
    """
    n = len(buf)
    if start >= n:
        return 0, None
    if buf[start] != 0x2F:  # "/"
        raise FrameError("not a telegram: byte 0x%02X (expected '/')" % buf[start], offset=start, skip=1)
    stop = min(n, start + MAX_IDENTIFICATION_LENGTH + 2)
    lf = _find_lf(buf, start, stop)
    if lf < 0:
        if stop < start + MAX_IDENTIFICATION_LENGTH + 2:
            return 0, None
        raise FrameError("identification line longer than %d bytes" % MAX_IDENTIFICATION_LENGTH,
                         offset=start, skip=1)
    line_end = lf - 1 if lf > start and buf[lf - 1] == 0x0D else lf
    ident_bytes = bytes(buf[start:line_end])
    if any(b < 0x20 or b > 0x7E for b in ident_bytes):
        raise FrameError("identification line is not printable ASCII", offset=start, skip=1)
    pos = lf + 1
    # optional empty line
    if pos < n and buf[pos] == 0x0D:
        if pos + 1 >= n:
            return 0, None
        if buf[pos + 1] == 0x0A:
            pos += 2
    elif pos < n and buf[pos] == 0x0A:
        pos += 1
    if pos >= n:
        return 0, None
    if buf[pos] not in (0, 8):
        raise FrameError("no GCM block after the identification line (byte 0x%02X; plain telegram?)" % buf[pos],
                         offset=pos, skip=1)
    c = _parse_for_framer(buf, pos, False, max_length)
    if c is None:
        return 0, None
    end = pos + c.size
    trailer: Optional[str] = None
    if end >= n:
        return 0, None  # the trailer may still come
    if buf[end] == 0x21:  # "!"
        lf = _find_lf(buf, end + 1, min(n, end + _TRAILER_MAX))
        if lf < 0 and n < end + _TRAILER_MAX:
            return 0, None
        if lf >= 0:
            text_end = lf - 1 if buf[lf - 1] == 0x0D else lf
            chars = bytes(buf[end + 1:text_end])
            if all(0x20 < b < 0x7F for b in chars):
                trailer = chars.decode("ascii")
                end = lf + 1
    return end - start, CipheredTelegramFrame(
        bytes(buf[start:end]), ident_bytes.decode("ascii"), c, trailer)
