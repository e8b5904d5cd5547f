"""The envelope of a ciphered DLMS APDU: constants, :class:`CipheredApdu` and its parser.

A leaf module shared by :mod:`hanparse.security` (decryption) and
:mod:`hanparse.dlms.ciphering` (framers of ciphered P1 data), so that
neither of them imports the other.  It depends on :mod:`hanparse.errors`
only.  The public names are re-exported by :mod:`hanparse.security`, which
documents them; see there for the wire format.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from .errors import DecodeError, DecryptionError, FrameError, HanParseError, IncompleteError

__all__ = [
    "GENERAL_GLO_CIPHERING",
    "GENERAL_DED_CIPHERING",
    "AUTH_TAG_LENGTH",
    "SC_AUTHENTICATED",
    "SC_ENCRYPTED",
    "SC_BROADCAST",
    "SC_COMPRESSED",
    "TITLE_LENGTH",
    "ZERO_TITLE",
    "CipheredApdu",
    "is_supported_security_control",
    "envelope_error",
    "parse_envelope",
    "decryption_error",
]

#: APDU tag of general-glo-ciphering (global key)
GENERAL_GLO_CIPHERING = 0xDB
#: APDU tag of general-ded-ciphering (dedicated key)
GENERAL_DED_CIPHERING = 0xDC
#: DLMS authentication tags are the first 12 bytes (96 bits) of the GCM tag
AUTH_TAG_LENGTH = 12
#: security control bit 4: the message is authenticated (carries a 12-byte tag)
SC_AUTHENTICATED = 0x10
#: security control bit 5: the message is encrypted
SC_ENCRYPTED = 0x20
#: security control bit 6: broadcast key in use
SC_BROADCAST = 0x40
#: security control bit 7: compressed (not supported: DecryptionError)
SC_COMPRESSED = 0x80

#: length of the system title inside the envelope
TITLE_LENGTH = 8
#: the IV's system title when a frame carries a zero-length one (the Polish P1 form)
ZERO_TITLE = bytes(TITLE_LENGTH)


class CipheredApdu(NamedTuple):
    """A ciphered APDU (or the tag-less Polish GCM block), parsed, not decrypted.

    ``apdu_tag``: 0xDB, 0xDC, or None for a block without APDU tag;
    ``system_title``: the 8 bytes used in the IV (8 zero bytes when the
    frame carries a zero-length title); ``security_control``: the SC byte;
    ``invocation_counter``: int; ``payload``: ciphertext (or plaintext
    when SC has no E bit), without the authentication tag;
    ``auth_tag``: the 12-byte tag when SC has the A bit, else None;
    ``size``: bytes from the start of the envelope to its end.
    """

    apdu_tag: Optional[int]
    system_title: bytes
    security_control: int
    invocation_counter: int
    payload: bytes
    auth_tag: Optional[bytes]
    size: int


def is_supported_security_control(sc: int) -> bool:
    """Whether hanparse can process this SC byte (suite 0 or 1, not compressed)."""
    return 0 <= sc <= 0xFF and not sc & SC_COMPRESSED and (sc & 0x0F) <= 1


def envelope_error(for_decrypt: bool, kind: str, message: str, offset: int,
                   title: Optional[bytes] = None) -> HanParseError:
    """The error for a bad envelope, by audience.

    Framers see IncompleteError (wait for more) and FrameError; callers of
    decrypt_apdu see DecryptionError for truncation and DecodeError for a
    malformed header.
    """
    if for_decrypt:
        if kind in ("truncated", "short_tag"):
            return decryption_error(message, "truncated", title, offset)
        return DecodeError(message, offset=offset)
    if kind == "truncated":
        return IncompleteError(message, offset=offset)
    return FrameError(message, offset=offset)


def parse_envelope(buf: Any, start: int, apdu_tag: bool, for_decrypt: bool, max_length: Optional[int],
                   check_sc: bool) -> CipheredApdu:
    """The envelope at ``buf[start]`` (the general path of every parser of it).

    ``apdu_tag``: the envelope starts with DB/DC (else at the system title
    length, the Polish form); ``for_decrypt`` picks the errors (see
    :func:`envelope_error`); ``max_length`` bounds the BER length;
    ``check_sc`` rejects unsupported security control bytes up front.
    """
    n = len(buf)
    pos = start
    tag: Optional[int] = None
    if apdu_tag:
        if pos >= n:
            raise envelope_error(for_decrypt, "truncated", "ciphered APDU: no data", pos)
        tag = buf[pos]
        if tag != GENERAL_GLO_CIPHERING and tag != GENERAL_DED_CIPHERING:
            raise envelope_error(
                for_decrypt, "structure", "not a ciphered APDU: tag 0x%02X (expected DB or DC)" % tag, pos)
        pos += 1
    if pos >= n:
        raise envelope_error(for_decrypt, "truncated", "ciphered APDU ends before the system title", pos)
    title_length = buf[pos]
    pos += 1
    if title_length == TITLE_LENGTH:
        if pos + TITLE_LENGTH > n:
            raise envelope_error(for_decrypt, "truncated", "ciphered APDU ends inside the system title", n)
        title = bytes(buf[pos:pos + TITLE_LENGTH])
        pos += TITLE_LENGTH
    elif title_length == 0:
        title = ZERO_TITLE
    else:
        raise envelope_error(
            for_decrypt, "structure", "system title length %d (expected 8, or 0)" % title_length, pos - 1)
    # BER length: 0x00-0x7F, or 0x81-0x84 followed by that many bytes
    if pos >= n:
        raise envelope_error(for_decrypt, "truncated", "ciphered APDU ends before its length", pos, title)
    first = buf[pos]
    if first < 0x80:
        length = first
        pos += 1
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise envelope_error(
                for_decrypt, "structure", "bad BER length byte 0x%02X in ciphered APDU" % first, pos)
        if pos + 1 + count > n:
            raise envelope_error(for_decrypt, "truncated", "ciphered APDU ends inside its length", n, title)
        length = int.from_bytes(bytes(buf[pos + 1:pos + 1 + count]), "big")
        pos += 1 + count
    if length < 5:
        raise envelope_error(
            for_decrypt, "structure",
            "ciphered length %d is shorter than security control + invocation counter (5)" % length, pos)
    if max_length is not None and length > max_length:
        raise envelope_error(
            for_decrypt, "structure", "ciphered length %d exceeds the limit of %d" % (length, max_length), pos)
    if pos >= n:
        raise envelope_error(for_decrypt, "truncated", "ciphered APDU ends before its security control", pos, title)
    sc = buf[pos]
    if check_sc and not is_supported_security_control(sc):
        raise envelope_error(for_decrypt, "structure", "unsupported security control 0x%02X" % sc, pos)
    if sc & SC_AUTHENTICATED and length < 5 + AUTH_TAG_LENGTH:
        raise envelope_error(
            for_decrypt, "short_tag",
            "ciphered APDU truncated: its length %d leaves no room for the 12-byte authentication tag "
            "that SC 0x%02X announces" % (length, sc), pos, title)
    end = pos + length
    if end > n:
        raise envelope_error(
            for_decrypt, "truncated",
            "ciphered APDU truncated: its length field says %d bytes from the security control, %d present"
            % (length, n - pos), n, title)
    counter = int.from_bytes(bytes(buf[pos + 1:pos + 5]), "big")
    pos += 5
    if sc & SC_AUTHENTICATED:
        payload = bytes(buf[pos:end - AUTH_TAG_LENGTH])
        auth_tag: Optional[bytes] = bytes(buf[end - AUTH_TAG_LENGTH:end])
    else:
        payload = bytes(buf[pos:end])
        auth_tag = None
    return CipheredApdu(tag, title, sc, counter, payload, auth_tag, end - start)


def decryption_error(message: str, reason: str, title: Optional[bytes],
                     offset: Optional[int] = None) -> DecryptionError:
    """A DecryptionError with ``.reason`` and ``.system_title`` for programs to inspect.

    reason: "missing_key", "tag_mismatch", "truncated",
    "unsupported_security_control", "unauthenticated".
    """
    exc = DecryptionError(message, offset=offset)
    exc.reason = reason
    exc.system_title = title
    return exc
