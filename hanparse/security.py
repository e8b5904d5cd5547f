r"""Keys and AES-128-GCM for ciphered DLMS APDUs (general-glo/ded-ciphering).

Meters in Denmark, Austria, Switzerland, Luxembourg, Poland and elsewhere
wrap their push messages in a ciphered APDU::

    DB | 08 | system title (8) | length (BER) | SC | invocation counter (4) | payload | auth tag (12)
    ^tag  ^title length          \------------ length counts SC .. end of auth tag ------------/

    tag      0xDB general-glo-ciphering (global key), 0xDC general-ded-ciphering
    length   a full BER length: 4F, 81 F8 and 82 01 D0 all occur
    SC       security control: bit 4 = authenticated (A), bit 5 = encrypted (E),
             bit 6 = broadcast key set, bit 7 = compressed, bits 0-3 = suite
    payload  ciphertext (E set) or plaintext (E clear)
    tag      only when A is set: the first 12 bytes of the GCM tag

The Polish P1 form carries the same block without the ``DB`` byte and with
a zero-length system title (see :mod:`hanparse.dlms.ciphering`).

What happens per security control byte (suites 0 and 1 are both
AES-128-GCM for the push; the suite changes key agreement and signing):

==========  ============================  =================================================
SC          keys                          result
==========  ============================  =================================================
30 / 31     EK + AK                       GCM, AAD = SC || AK, tag verified
30 / 31     EK only                       CTR from IV || 00000002, ``authenticated=False``
20 / 21     EK                            CTR from IV || 00000002, ``authenticated=None``
10 / 11     EK + AK                       GMAC over SC || AK || payload verified
10 / 11     none or EK only               payload as is, ``authenticated=False``
00 / 01     none                          payload as is, ``authenticated=None``
others      -                             :class:`DecryptionError` (compression, suite >= 2)
==========  ============================  =================================================

IV = system title (8) || invocation counter (4, big-endian).  Where no tag
exists (SC 20/21) a wrong key cannot be detected here: it yields random
bytes, and the caller's decode of the plaintext (a data-notification must
parse to its last byte, a DSMR telegram has its own CRC) fails instead.

Keys are secrets: they never appear in a repr, an error message or a log
record of this module.  Errors about key arguments (wrong length, not hex)
are :class:`DecryptionError` (a :class:`ValueError`) and say what is wrong
without showing the key; a key of the wrong type is a :class:`TypeError`.

The AES work is done by ``cryptography``'s :class:`AESGCM`, one instance
per :class:`Keys`.  GCM encryption of data with a 96-bit IV is AES-CTR
starting at IV || 00000002 plus a tag, so running it over the ciphertext
gives the plaintext, and running it over the plaintext with the AAD gives
the full 16-byte tag whose first 12 bytes are compared (in constant time)
with the frame's.  That costs about 1.5 us for a 490-byte Kamstrup frame,
against about 13 us for building a ``Cipher(AES, GCM(iv, tag,
min_tag_length=12))`` decryptor per frame (the cipher objects cannot be
reused: the mode carries the per-frame IV).
"""

from __future__ import annotations

import hmac
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple, Union

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# The envelope (constants, CipheredApdu, its parser) lives in a leaf module
# shared with hanparse.dlms.ciphering; re-exported here under the same names.
from ._gcm_header import (
    AUTH_TAG_LENGTH,
    GENERAL_DED_CIPHERING,
    GENERAL_GLO_CIPHERING,
    SC_AUTHENTICATED,
    SC_BROADCAST,
    SC_COMPRESSED,
    SC_ENCRYPTED,
    CipheredApdu,
    is_supported_security_control,
)
from ._gcm_header import TITLE_LENGTH as _TITLE_LENGTH
from ._gcm_header import ZERO_TITLE as _ZERO_TITLE
from ._gcm_header import decryption_error as _decryption_error
from ._gcm_header import parse_envelope as _parse
from .errors import DecodeError, DecryptionError, HanParseError
from .model import SecurityInfo

__all__ = [
    "GENERAL_GLO_CIPHERING",
    "GENERAL_DED_CIPHERING",
    "AUTH_TAG_LENGTH",
    "SC_AUTHENTICATED",
    "SC_ENCRYPTED",
    "SC_BROADCAST",
    "SC_COMPRESSED",
    "Keys",
    "Keyring",
    "KeysArg",
    "normalize_keys",
    "resolve_keys",
    "CipheredApdu",
    "parse_ciphered_apdu",
    "is_supported_security_control",
    "decrypt_ciphered",
    "decrypt_apdu",
    "encrypt_apdu",
]

_KEY_LENGTH = 16
_SC_BYTES = [bytes((i,)) for i in range(256)]
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_SEPARATORS = str.maketrans("", "", " \t\r\n:-_")


# ---------------------------------------------------------------- key input


def _clean_hex_text(text: str) -> str:
    """Text without separators and an optional 0x prefix (hex not yet checked)."""
    text = text.strip()
    if text[:2] in ("0x", "0X"):
        text = text[2:]
    return text.translate(_SEPARATORS)


def _key_bytes(value: Any, what: str) -> bytes:
    """16 key bytes from bytes or hex text; errors never show the key."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        if len(raw) == _KEY_LENGTH:
            return raw
        # hex text read from a file as bytes, e.g. b"0011...ff\n" (isascii first:
        # a decode error would quote a key byte)
        if raw.isascii():
            digits = _clean_hex_text(raw.decode("ascii"))
            if digits and _HEX_DIGITS.issuperset(digits):
                return _key_from_text(raw.decode("ascii"), what, from_bytes=True)
        raise DecryptionError("%s must be 16 bytes (AES-128) or 32 hex digits; got %d bytes" % (what, len(raw)))
    if isinstance(value, str):
        return _key_from_text(value, what, from_bytes=False)
    raise TypeError("%s must be bytes or hex text, not %s" % (what, type(value).__name__))


def _key_from_text(text: str, what: str, *, from_bytes: bool) -> bytes:
    digits = _clean_hex_text(text)
    for i, ch in enumerate(digits):
        if ch not in _HEX_DIGITS:
            hint = ""
            if len(text) == _KEY_LENGTH and not from_bytes:
                hint = "; a key given as 16 ASCII characters must be passed as bytes (text.encode('ascii'))"
            raise DecryptionError(
                "%s must be 16 bytes or 32 hex digits; its text has a non-hex character "
                "(position %d after removing separators)%s" % (what, i, hint)
            )
    if len(digits) != 2 * _KEY_LENGTH:
        kind = "bytes of hex text" if from_bytes else "hex digits"
        raise DecryptionError(
            "%s must be 16 bytes (AES-128) or 32 hex digits; got %d %s" % (what, len(digits), kind)
        )
    return bytes.fromhex(digits)


def _title_bytes(value: Any) -> bytes:
    """An 8-byte system title from bytes or 16 hex digits."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        if len(raw) != _TITLE_LENGTH:
            raise DecryptionError("a system title must be 8 bytes; got %d" % len(raw))
        return raw
    if isinstance(value, str):
        digits = _clean_hex_text(value)
        if len(digits) != 2 * _TITLE_LENGTH or not _HEX_DIGITS.issuperset(digits):
            # not echoed: a key pasted where a title belongs must not leak
            raise DecryptionError(
                "a system title must be 8 bytes or 16 hex digits; got text of %d hex digits%s"
                % (len(digits), "" if _HEX_DIGITS.issuperset(digits) else " and other characters"))
        return bytes.fromhex(digits)
    raise TypeError("a system title must be bytes or hex text, not %s" % type(value).__name__)


def _describe_title(title: bytes) -> str:
    """Hex of a system title plus its FLAG manufacturer id when it reads as one."""
    flag = title[:3]
    if all(0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A for b in flag):
        return "%s ('%s')" % (title.hex().upper(), flag.decode("ascii"))
    return title.hex().upper()


# ---------------------------------------------------------------- keys


class Keys:
    """The AES-128 keys of one meter.

    ``Keys(encryption_key, authentication_key=None)``: each key is 16 bytes,
    or hex text of 32 digits with or without spaces, colons, dashes or a
    ``0x`` prefix (``"00112233..."``, ``"00 11 22 ..."``, ``"00:11:..."``).
    Hex text read as bytes (``b"0011...ff\\n"``) is accepted too.  A key
    distributed as 16 ASCII characters is passed as bytes
    (``b"MYDUMMYGLOBALKEY"``).  An empty authentication key means none.

    The encryption key (EK, "GUEK", Kamstrup GPK60) decrypts; the
    authentication key (AK, "GAK", GPK61) lets the GCM tag be verified.
    Many DSOs hand out only the EK; frames with a tag then decode unverified
    (``SecurityInfo.authenticated`` is False).

    Raises :class:`~hanparse.DecryptionError` (a ValueError) for a key of the
    wrong length or with non-hex text, and :class:`TypeError` for a key
    that is neither bytes nor str.  The repr never shows the keys::

        >>> Keys("00112233445566778899AABBCCDDEEFF")
        Keys(encryption_key=<16 bytes>, authentication_key=None)
    """

    __slots__ = ("_ek", "_ak", "_aead", "_aad_prefix")
    _ek: bytes
    _ak: Optional[bytes]
    _aead: AESGCM

    def __init__(self, encryption_key: Union[bytes, str], authentication_key: Union[bytes, str, None] = None) -> None:
        ek = _key_bytes(encryption_key, "encryption key")
        if authentication_key is None or (
            isinstance(authentication_key, (str, bytes, bytearray, memoryview)) and len(authentication_key) == 0
        ):
            ak: Optional[bytes] = None
        else:
            ak = _key_bytes(authentication_key, "authentication key")
        object.__setattr__(self, "_ek", ek)
        object.__setattr__(self, "_ak", ak)
        object.__setattr__(self, "_aead", AESGCM(ek))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Keys objects are immutable")

    @property
    def encryption_key(self) -> bytes:
        """The 16-byte encryption key."""
        return self._ek

    @property
    def authentication_key(self) -> Optional[bytes]:
        """The 16-byte authentication key, or None when not given."""
        return self._ak

    def __repr__(self) -> str:
        return "Keys(encryption_key=<16 bytes>, authentication_key=%s)" % (
            "None" if self._ak is None else "<16 bytes>"
        )

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if type(other) is not Keys:
            return NotImplemented
        same_ek = hmac.compare_digest(self._ek, other._ek)
        if self._ak is None or other._ak is None:
            return same_ek and self._ak is other._ak
        return same_ek and hmac.compare_digest(self._ak, other._ak)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, Tuple[bytes, Optional[bytes]]]:
        return (Keys, (self._ek, self._ak))


def _as_keys(value: Any) -> Keys:
    """A mapping value: Keys, or a bare encryption key."""
    if type(value) is Keys:
        return value
    if isinstance(value, (bytes, bytearray, memoryview, str)):
        return Keys(value)  # type: ignore[arg-type]  # bytearray / memoryview are accepted too
    raise TypeError("a key mapping value must be Keys (or an encryption key), not %s" % type(value).__name__)


class Keyring:
    """Keys for several meters, looked up by system title.

    ``Keyring({"4B414D4501349083": Keys(...), b"LGZ\\x67...": Keys(...)})``:
    system titles as 8 bytes or 16 hex digits, values :class:`Keys` (or a
    bare encryption key).  Built once from the mapping given as ``keys=``,
    so that per-frame lookup is a single dict access.  The Polish P1 form
    sends no system title: its messages are looked up under
    ``"0000000000000000"``.
    """

    __slots__ = ("_by_title",)

    def __init__(self, mapping: Mapping[Any, Any]) -> None:
        by_title: Dict[bytes, Keys] = {}
        for title, value in mapping.items():
            by_title[_title_bytes(title)] = _as_keys(value)
        self._by_title = by_title

    def get(self, system_title: bytes) -> Optional[Keys]:
        """The keys for this 8-byte system title, or None."""
        return self._by_title.get(system_title)

    def __len__(self) -> int:
        return len(self._by_title)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._by_title)

    def __contains__(self, system_title: object) -> bool:
        try:
            return _title_bytes(system_title) in self._by_title
        except (TypeError, HanParseError):
            return False

    def __repr__(self) -> str:
        return "Keyring(%s)" % ", ".join(t.hex().upper() for t in self._by_title)


#: what ``keys=`` accepts
KeysArg = Union[None, Keys, Keyring, Mapping[Any, Any], bytes, str]


def normalize_keys(keys: KeysArg) -> Union[None, Keys, Keyring]:
    """Validate a ``keys=`` argument once: None, :class:`Keys` or :class:`Keyring`.

    Accepts None, a :class:`Keys`, a :class:`Keyring`, a mapping system
    title -> Keys (made into a Keyring), or a bare encryption key (bytes or
    hex text, made into Keys).  Parsers and stream decoders call this once
    so that bad keys fail early and lookups stay cheap.
    """
    if keys is None or type(keys) is Keys or type(keys) is Keyring:
        return keys
    if isinstance(keys, Mapping):
        return Keyring(keys)
    if isinstance(keys, (bytes, bytearray, memoryview, str)):
        return Keys(keys)
    raise TypeError("keys must be Keys, a mapping system title -> Keys, or None; not %s" % type(keys).__name__)


def resolve_keys(keys: KeysArg, system_title: bytes) -> Optional[Keys]:
    """The :class:`Keys` for a message from ``system_title`` (8 bytes), or None.

    ``keys`` is anything :func:`normalize_keys` accepts; a single Keys
    applies to every system title.  Plain mappings are looked up by the
    bytes, then lower- and upper-case hex, before falling back to a full
    normalization (pass a :class:`Keyring` to avoid that per call).
    """
    if keys is None:
        return None
    kind = type(keys)
    if kind is Keys:
        return keys  # type: ignore[return-value]
    if kind is Keyring:
        return keys._by_title.get(system_title)  # type: ignore[union-attr]
    if isinstance(keys, Mapping):
        title = bytes(system_title)
        for candidate in (title, title.hex(), title.hex().upper()):
            value = keys.get(candidate)
            if value is not None:
                return _as_keys(value)
        return Keyring(keys).get(title)
    normalized = normalize_keys(keys)
    return normalized if type(normalized) is Keys else None


# ---------------------------------------------------------------- envelope

# CipheredApdu and the general envelope parser (_parse) are in hanparse._gcm_header.

_new_ciphered = tuple.__new__


def _fast_sc_offset(buf: bytes) -> int:
    """Where the SC byte is when ``buf`` is exactly one plain-shaped DB/DC APDU, else 0.

    ::

        DB|DC  08  title (8)  length (A-XDR, 1..5 bytes)  SC  counter (4)  ...
        0      1   2..9       10                          ^ returned

    Plain-shaped: 8-byte title, the length ends the APDU exactly at the end
    of ``buf``, and it covers at least the SC byte and the counter.
    """
    n = len(buf)
    if n < 16 or buf[1] != 8:
        return 0
    tag = buf[0]
    if tag != GENERAL_GLO_CIPHERING and tag != GENERAL_DED_CIPHERING:
        return 0
    first = buf[10]
    if first < 0x80:
        if 11 + first != n or first < 5:
            return 0
        return 11
    count = first - 0x80
    if count == 0 or count > 4:
        return 0
    pos = 11 + count
    length = int.from_bytes(buf[11:pos], "big")
    if pos + length != n or length < 5:
        return 0
    return pos


def _parse_fast(buf: bytes) -> Optional[CipheredApdu]:
    """The common case of a whole DB/DC APDU with an 8-byte title in a bytes object.

    Returns None on anything unusual; :func:`_parse` then finds and
    reports the problem.  Exact length only (trailing bytes: slow path).
    """
    pos = _fast_sc_offset(buf)
    if not pos:
        return None
    n = len(buf)
    sc = buf[pos]
    if sc & SC_AUTHENTICATED:
        if n - pos < 5 + AUTH_TAG_LENGTH:
            return None
        payload = buf[pos + 5:n - AUTH_TAG_LENGTH]
        auth_tag: Optional[bytes] = buf[n - AUTH_TAG_LENGTH:]
    else:
        payload = buf[pos + 5:]
        auth_tag = None
    return _new_ciphered(CipheredApdu, (buf[0], buf[2:10], sc, int.from_bytes(buf[pos + 1:pos + 5], "big"),
                                        payload, auth_tag, n))


def parse_ciphered_apdu(buf: Any, start: int = 0, *, apdu_tag: bool = True,
                        max_length: Optional[int] = None) -> CipheredApdu:
    """Parse the envelope of a ciphered APDU starting at ``buf[start]``.

    ``buf`` is any bytes-like object.  With ``apdu_tag=False`` the block
    starts at the system title length (the Polish P1 form).  Bytes after
    the envelope's end are not looked at (``size`` says where it ends).

    Raises :class:`~hanparse.IncompleteError` when ``buf`` ends before the
    envelope does, :class:`~hanparse.FrameError` for a bad tag, system
    title length (not 8 or 0), BER length, a length shorter than 5 (or
    than 17 with the A bit), or longer than ``max_length``.  This is the
    fast twin of :data:`hanparse.dlms.ciphering.CipheredApduEnvelope`.
    """
    return _parse(buf, start, apdu_tag, False, max_length, False)


# ---------------------------------------------------------------- decryption


def _missing_key(keys: KeysArg, c: CipheredApdu, which: str) -> DecryptionError:
    title = _describe_title(c.system_title)
    if keys is None:
        where = "no keys were given; pass keys=hanparse.Keys(...)"
    elif type(keys) is Keys:
        where = "the given Keys have no %s" % which
    else:
        found = resolve_keys(keys, c.system_title)
        if found is None:
            where = "the key mapping has no entry for this system title"
        else:
            where = "the Keys for this system title have no %s" % which
    return _decryption_error(
        "message (SC 0x%02X) from system title %s needs the %s: %s"
        % (c.security_control, title, which, where), "missing_key", c.system_title)


def _tag_mismatch(c: CipheredApdu, detail: str) -> DecryptionError:
    return _decryption_error(
        "authentication failed for system title %s (SC 0x%02X, invocation counter %d): %s"
        % (_describe_title(c.system_title), c.security_control, c.invocation_counter, detail),
        "tag_mismatch", c.system_title)


def _unauthenticated(c: CipheredApdu, why: str) -> DecryptionError:
    return _decryption_error(
        "message from system title %s (SC 0x%02X) cannot be authenticated: %s"
        % (_describe_title(c.system_title), c.security_control, why), "unauthenticated", c.system_title)


def decrypt_ciphered(c: CipheredApdu, keys: KeysArg, *,
                     require_authentication: bool = False) -> Tuple[bytes, SecurityInfo]:
    """Decrypt and/or verify a parsed :class:`CipheredApdu`.

    Returns ``(plaintext, SecurityInfo)``; ``SecurityInfo.authenticated``
    is True when the tag or GMAC verified, False when the message has a tag
    that could not be checked for lack of an authentication key, None when
    the message carries no tag (SC 20/21, 00).  See the module docstring
    for the table of security control bytes.

    With ``require_authentication=True`` every message whose tag is not
    verified (no tag, or no AK) raises instead.

    Raises :class:`~hanparse.DecryptionError` with ``.reason``:
    "missing_key" (naming the key and the system title to look up),
    "tag_mismatch" (wrong EK/AK or damaged frame),
    "unsupported_security_control" (compression, suite 2 or higher),
    "unauthenticated" (only with ``require_authentication``).
    """
    _, title, sc, counter, payload, auth_tag, _ = c
    if sc & 0x8E:  # compressed, or suite > 1 (is_supported_security_control inlined)
        why = "compressed messages" if sc & SC_COMPRESSED else "security suite %d" % (sc & 0x0F)
        raise _decryption_error(
            "unsupported security control 0x%02X from system title %s: %s are not supported"
            % (sc, _describe_title(title), why),
            "unsupported_security_control", title)
    k = keys if type(keys) is Keys else resolve_keys(keys, title)
    iv = title + counter.to_bytes(4, "big")
    if sc & SC_ENCRYPTED:
        if k is None:
            raise _missing_key(keys, c, "encryption key")
        # GCM encryption is CTR from IV||00000002 plus a tag: run over the
        # ciphertext it yields the plaintext (the trailing 16 tag bytes dropped)
        aead = k._aead
        plaintext = aead.encrypt(iv, payload, None)[:-16]
        if not sc & SC_AUTHENTICATED:
            if require_authentication:
                raise _unauthenticated(c, "its security control has no authentication tag")
            return plaintext, SecurityInfo(sc, title, counter, None)
        ak = k._ak
        if ak is None:
            if require_authentication:
                raise _unauthenticated(c, "no authentication key was given")
            return plaintext, SecurityInfo(sc, title, counter, False)
        if not hmac.compare_digest(aead.encrypt(iv, plaintext, _SC_BYTES[sc] + ak)[-16:-4], auth_tag):  # type: ignore[arg-type]
            raise _tag_mismatch(c, "the GCM tag does not match (wrong encryption key, wrong "
                                   "authentication key, or a damaged frame)")
        return plaintext, SecurityInfo(sc, title, counter, True)
    if not sc & SC_AUTHENTICATED:  # SC 00/01: no protection at all
        if require_authentication:
            raise _unauthenticated(c, "its security control applies no protection")
        return payload, SecurityInfo(sc, title, counter, None)
    # authentication only: the payload is the plaintext, the tag a GMAC
    if k is None or k._ak is None:
        if require_authentication:
            raise _missing_key(keys, c, "authentication key" if k is not None else "encryption and authentication keys")
        return payload, SecurityInfo(sc, title, counter, False)
    aead, aad = k._aead, _SC_BYTES[sc] + k._ak
    if not hmac.compare_digest(aead.encrypt(iv, b"", aad + payload)[:AUTH_TAG_LENGTH], auth_tag):  # type: ignore[arg-type]
        detail = ("the GMAC over the data does not match (wrong encryption key, wrong authentication key, "
                  "or a damaged frame)")
        # a non-conformant encoder (dlms-cosem) encrypts the data although SC says
        # authentication only: say so when the tag verifies that way
        if hmac.compare_digest(aead.encrypt(iv, aead.encrypt(iv, payload, None)[:-16], aad)[-16:-4], auth_tag):  # type: ignore[arg-type]
            detail = ("non-conformant frame: its data is encrypted although SC 0x%02X announces "
                      "authentication only" % sc)
        raise _tag_mismatch(c, detail)
    return payload, SecurityInfo(sc, title, counter, True)


def _decrypt_fast(buf: bytes, keys: KeysArg) -> Optional[Tuple[bytes, SecurityInfo]]:
    """:func:`decrypt_apdu` for the common case, straight from ``buf`` (no :class:`CipheredApdu`).

    The common case: a whole DB/DC APDU with an 8-byte title and an exact
    length, SC 20/21/30/31, a key for its title, and (with an AK) a tag
    that verifies.  Anything else returns None, and the general path then
    gives the result or the precise error.
    """
    pos = _fast_sc_offset(buf)
    if not pos:
        return None
    n = len(buf)
    sc = buf[pos]
    if sc & 0x8E or not sc & SC_ENCRYPTED:  # unsupported, or not encrypted: general path
        return None
    title = buf[2:10]
    k = keys if type(keys) is Keys else resolve_keys(keys, title)
    if k is None:
        return None
    counter = buf[pos + 1:pos + 5]
    iv = title + counter
    aead = k._aead
    if not sc & SC_AUTHENTICATED:
        return aead.encrypt(iv, buf[pos + 5:], None)[:-16], SecurityInfo(sc, title, int.from_bytes(counter, "big"),
                                                                          None)
    if n - pos < 5 + AUTH_TAG_LENGTH:
        return None
    plaintext = aead.encrypt(iv, buf[pos + 5:n - AUTH_TAG_LENGTH], None)[:-16]
    ak = k._ak
    if ak is None:
        return plaintext, SecurityInfo(sc, title, int.from_bytes(counter, "big"), False)
    if not hmac.compare_digest(aead.encrypt(iv, plaintext, _SC_BYTES[sc] + ak)[-16:-4], buf[n - AUTH_TAG_LENGTH:]):
        return None  # the general path reports the mismatch
    return plaintext, SecurityInfo(sc, title, int.from_bytes(counter, "big"), True)


def decrypt_apdu(apdu: Any, keys: KeysArg, *, require_authentication: bool = False) -> Tuple[bytes, SecurityInfo]:
    """Decrypt one complete general-glo/ded-ciphering APDU (0xDB / 0xDC).

    ``apdu`` (bytes-like) must hold exactly the APDU, from the tag to the
    end of its length.  ``keys``: :class:`Keys`, :class:`Keyring`, a
    mapping system title -> Keys, or None.  Returns ``(plaintext,
    SecurityInfo)`` as :func:`decrypt_ciphered` does.

    Raises :class:`~hanparse.DecryptionError` (see :func:`decrypt_ciphered`;
    also reason "truncated" when the APDU ends before its length field says
    or is too short for its 12-byte tag) and :class:`~hanparse.DecodeError`
    for a malformed header (not DB/DC, system title length not 8 or 0,
    bad BER length) or for bytes after the APDU's end (checked after the
    tag, so a frame whose length field is wrong still reports the failed
    authentication).
    """
    if type(apdu) is bytes and not require_authentication:
        done = _decrypt_fast(apdu, keys)
        if done is not None:
            return done
    c = _parse_fast(apdu) if type(apdu) is bytes else None
    if c is None:
        c = _parse(apdu, 0, True, True, None, False)
    result = decrypt_ciphered(c, keys, require_authentication=require_authentication)
    if c.size != len(apdu):
        raise DecodeError(
            "%d bytes after the end of the ciphered APDU (its length field ends it at byte %d)"
            % (len(apdu) - c.size, c.size), offset=c.size)
    return result


# ---------------------------------------------------------------- building


def encrypt_apdu(plaintext: Any, *, keys: Union[Keys, bytes, str], system_title: Union[bytes, str],
                 invocation_counter: int, security_control: int = 0x30,
                 tag: Optional[int] = GENERAL_GLO_CIPHERING) -> bytes:
    """Build a ciphered APDU carrying ``plaintext`` (for tests and simulators).

    ``keys``: :class:`Keys` (or a bare encryption key); ``system_title``:
    8 bytes or 16 hex digits, or ``b""`` for the zero-length title of the
    Polish form (the IV then starts with 8 zero bytes);
    ``invocation_counter``: 0 .. 2**32-1; ``security_control``: 0x30/0x31
    (GCM with 12-byte tag, AAD = SC || AK; needs the AK), 0x20/0x21 (CTR,
    no tag), 0x10/0x11 (plaintext + GMAC over SC || AK || plaintext; needs
    the AK), 0x00/0x01 (plaintext, no tag); bit 6 (broadcast) may be set;
    ``tag``: 0xDB, 0xDC, or None for the block without APDU tag.

    The envelope is built with
    :data:`hanparse.dlms.ciphering.CipheredApduEnvelope` (or
    ``CipheredBlock`` when ``tag`` is None).  Raises ValueError for
    arguments out of range and :class:`~hanparse.DecryptionError` for a
    missing authentication key.
    """
    from .dlms import ciphering  # construct schemas; imported here to keep layers acyclic

    k = keys if type(keys) is Keys else Keys(keys)  # type: ignore[arg-type]
    if isinstance(system_title, (bytes, bytearray, memoryview)) and len(system_title) == 0:
        wire_title = b""
    else:
        wire_title = _title_bytes(system_title)
    if not isinstance(invocation_counter, int) or not 0 <= invocation_counter <= 0xFFFFFFFF:
        raise ValueError("invocation_counter must be an int in 0 .. 2**32-1")
    if not isinstance(security_control, int) or not is_supported_security_control(security_control):
        raise ValueError("security_control must be a supported SC byte (suite 0/1, not compressed)")
    if tag not in (GENERAL_GLO_CIPHERING, GENERAL_DED_CIPHERING, None):
        raise ValueError("tag must be 0xDB, 0xDC or None")
    sc = security_control
    plaintext = bytes(plaintext)
    iv = (wire_title or _ZERO_TITLE) + invocation_counter.to_bytes(4, "big")
    auth_tag: Optional[bytes] = None
    if sc & SC_AUTHENTICATED and k._ak is None:
        raise DecryptionError("security control 0x%02X needs an authentication key" % sc)
    if sc & SC_ENCRYPTED:
        aad = bytes((sc,)) + k._ak if sc & SC_AUTHENTICATED else None  # type: ignore[operator]
        sealed = k._aead.encrypt(iv, plaintext, aad)
        payload = sealed[:-16]
        if sc & SC_AUTHENTICATED:
            auth_tag = sealed[-16:-16 + AUTH_TAG_LENGTH]
    else:
        payload = plaintext
        if sc & SC_AUTHENTICATED:
            auth_tag = k._aead.encrypt(iv, b"", bytes((sc,)) + k._ak + plaintext)[:AUTH_TAG_LENGTH]  # type: ignore[operator]
    fields = dict(system_title=wire_title, security_control=sc, invocation_counter=invocation_counter,
                  payload=payload, auth_tag=auth_tag)
    built: bytes
    if tag is None:
        built = ciphering.CipheredBlock.build(fields)
        return built
    fields["tag"] = tag
    built = ciphering.CipheredApduEnvelope.build(fields)
    return built
