"""Shared builders for the stream tests (real fixture frames, reference decodings)."""

from __future__ import annotations

from typing import List

import hanparse
from fixture_files import data, entry
from hanparse._stream import StreamDecoder

NO_KAMSTRUP = data(entry("kamstrup-no-list2-3phase"))
NO_AIDON = data(entry("aidon-no-list2-1phase"))
KAIFA_7E = data(entry("amshan:hdlc:kaifa_list1_with_7e_in_info"))
_NOE = entry("dlms:dlms_parser_mbus_netz_noe_p1")
MBUS = data(_NOE)  # two M-Bus transport segments, SC 0x20
MBUS_KEYS = hanparse.Keys(_NOE["key_hex"])
DSMR5 = data(entry("dsmr_parser:TELEGRAM_V5"))
_DK = entry("dlms:dlms_parser_hdlc_kamstrup_omnipower")
DANISH = data(_DK)
DANISH_KEYS = hanparse.Keys(_DK["key_hex"], _DK["auth_key_hex"])
ISKRA_SEGMENTED = data(entry("dlms:dlms_parser_hdlc_iskra550"))
_E450 = entry("dlms:dlms_parser_hdlc_landis_gyr_e450")
E450_GBT = data(_E450)
E450_KEYS = hanparse.Keys(_E450["key_hex"], _E450["auth_key_hex"])
_TINETZ = entry("dlms:tinetz_example_2seg")
TINETZ = data(_TINETZ)
TINETZ_KEYS = hanparse.Keys(_TINETZ["key_hex"])
_LU = entry("dlms:lu_smarty_synthetic")
LU_SMARTY = data(_LU)
LU_KEYS = hanparse.Keys(_LU["key_hex"], _LU["auth_key_hex"])

#: system title -> keys of every encrypted fixture used here
KEYRING = {
    bytes.fromhex("4b414d4501349083"): DANISH_KEYS,
    bytes.fromhex("4c475a677370b177"): E450_KEYS,
    bytes.fromhex("4b464d1010000023"): TINETZ_KEYS,
    bytes.fromhex("4b464d6750000009"): MBUS_KEYS,
    b"SYSTEMID": LU_KEYS,
}

#: frames protected by a checksum, one or more per format
CHECKED = [NO_KAMSTRUP, NO_AIDON, KAIFA_7E, MBUS, DSMR5, DANISH]


def reference(frame: bytes, keys=KEYRING) -> dict:
    """The message parse_frame gives for one whole message (the single-message reference)."""
    return hanparse.parse_frame(frame, keys).to_dict()


def decode_all(stream: bytes, chunk: int = 0, **kw) -> tuple:
    """(messages as dicts, decoder, errors) for ``stream`` fed in chunks of ``chunk`` (0: at once)."""
    errors: List[hanparse.HanParseError] = []
    kw.setdefault("keys", KEYRING)
    dec = StreamDecoder(on_error=errors.append, **kw)
    out = []
    step = chunk or max(1, len(stream))
    for i in range(0, len(stream), step):
        out += dec.feed(stream[i:i + step])
    out += dec.flush()
    return [m.to_dict() for m in out], dec, errors
