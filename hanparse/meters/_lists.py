"""Positional meter lists as data: one row per list.

A *positional* list sends bare values in a structure; their meaning is
fixed by the element's position in a vendor or DSO document.  Each row of
:data:`LISTS` says, for one such list,

* how it is recognised: the exact element count and, per element, the kind
  of value the decoded A-XDR tree holds there (integer, octet-string of a
  given length or with a given prefix, boolean, ...);
* what each position is: a value with its OBIS code, scaler and unit, a
  meter identifier, a clock, a local time or date, a constant to skip, or a
  value whose meaning no source states (``raw``: reported under a
  position marker, :func:`position_obis`, unscaled and without unit);
* the profile name reported in ``MeterInfo.profile``, the manufacturer when
  the list is tied to one, and where the timestamp comes from.

Sources and confidence: ``positional-lists.md`` (project reference), the
section named in each row's ``section``; upstream code and documents are
cited in ``source``.

The decoded tree keeps an integer's value but not its A-XDR width (``06``
u32 and ``12`` u16 both become ``int``).  The documented wire types are
kept in ``Field.wire`` (for documentation and for building test frames);
matching uses the tree kinds.  Two Slovenian 10-element lists differ only
by the width of element 7: both rows match such a body, and the decoder
then reports it as not recognised and names both candidates (the user can
pick one with ``options={"profile": ...}``).

The matching rule (a body fits a row when it has the row's element count
and every element fits its field) is ``hanparse.meters._walk.match_list``,
which reads this table.  Adding a list: add a row here (and a fixture).
"""

from __future__ import annotations

from typing import Any, Dict, NamedTuple, Optional, Sequence, Tuple

from ..dlms.types import BitString, Date, DateTime, Time
from ..obis import Obis

__all__ = ["Field", "ListLayout", "LISTS", "BY_NAME", "describe", "position_obis", "raw_value", "KAMSTRUP_PROFILES"]

# --- what a position holds in the decoded tree -------------------------------

K_ANY = 0      # anything that is not a container
K_INT = 1      # an integer (any A-XDR integer tag)
K_BYTES = 2    # an octet-string (bytes, or DateTime/Date/Time of the same length)
K_TEXT = 3     # an octet-string or a visible-string
K_BOOL = 4     # a boolean
K_ARRAY = 5    # an array
K_ALL = 6      # anything, containers included

# --- what a position means -----------------------------------------------------

R_VALUE = 0    # a value of ``obis``: integers scaled by ``scaler`` with ``unit``; anything else as for any object
R_ID = 1       # a meter identifier (text): a reading of ``obis`` and the MeterInfo meter id
R_TEXT = 2     # text of ``obis`` (an identifier that is not the meter id)
R_NUMBER = 3   # an octet-string holding a big-endian unsigned number (Iskra tariff)
R_TIME = 4     # local time of day, 4 octets (hour, minute, second, hundredths)
R_DATE = 5     # local date, 5 octets (year, month, day, weekday)
R_SKIP = 6     # a constant that names the list (the push setup's OBIS code): no reading
R_RAW = 7      # meaning not stated by any source: position marker, raw value, no unit

ROLE_NAMES = ("value", "id", "text", "number", "time", "date", "skip", "raw")


class Field(NamedTuple):
    """One position of a list.

    ``role``: one of the ``R_*`` codes; ``wire``: the documented A-XDR type
    (``"06"``, ``"12"``, ``"09(16)"``, ``"03"`` ...); ``obis``: the implied
    OBIS code (None for ``skip`` and ``raw``); ``scaler``/``unit``: the
    implicit scaling of an integer value; ``kind``/``size``/``prefix``:
    what the decoded tree must hold there (``size`` -1: any length;
    ``prefix``: required leading bytes, or the exact value for ``skip``).
    """

    role: int
    wire: str
    obis: Optional[Obis]
    scaler: int
    unit: Optional[str]
    kind: int
    size: int
    prefix: Optional[bytes]


class ListLayout(NamedTuple):
    """One positional list (a row of the table).

    ``name``: row id; ``profile``: reported in ``MeterInfo.profile`` (rows
    of one family may share it); ``manufacturer``: reported when the frame
    does not name its maker; ``fields``: one :class:`Field` per element;
    ``timestamp``: ``"header"`` (the notification date-time only),
    ``"header|clock"`` (else the clock in the list) or ``"header|time+date"``
    (else the local time and date elements); ``section``: the section of
    positional-lists.md; ``source``: upstream evidence.
    """

    name: str
    profile: str
    manufacturer: Optional[str]
    fields: Tuple[Field, ...]
    timestamp: str
    section: str
    source: str


def _o(text: str) -> Obis:
    return Obis.parse(text)


def position_obis(n: int) -> Obis:
    """The marker OBIS code of element ``n`` (1-based) of a list whose meaning is unknown.

    ``0-0:128.d.e.255`` with ``d * 256 + e == n``: value group C 128 is in
    the manufacturer-specific range of IEC 62056-6-1, so no standard object
    is implied; hanparse uses it only for "the value at position n".
    """
    return Obis(0, 0, 128, (n >> 8) & 0xFF, n & 0xFF, 255)


def _kind_of(wire: str) -> Tuple[int, int]:
    """(kind, size) of a documented wire type."""
    if wire in ("06", "12", "05", "14", "15", "10", "11", "0F", "16"):
        return K_INT, -1
    if wire == "03":
        return K_BOOL, -1
    if wire == "01":
        return K_ARRAY, -1
    if wire == "*":
        return K_ANY, -1
    if wire == "**":
        return K_ALL, -1
    if wire == "text":
        return K_TEXT, -1
    if wire.startswith("09"):
        return K_BYTES, (int(wire[3:-1]) if wire.startswith("09(") else -1)
    raise ValueError("unknown wire type %r" % wire)


def V(obis: str, scaler: int = 0, unit: Optional[str] = None, wire: str = "06") -> Field:
    """A value."""
    kind, size = _kind_of(wire)
    return Field(R_VALUE, wire, _o(obis), scaler, unit, kind, size, None)


def ID(obis: str, wire: str = "09", prefix: Optional[bytes] = None, role: int = R_ID) -> Field:
    """A meter identifier (``role=R_TEXT``: another identifier)."""
    kind, size = _kind_of(wire)
    return Field(role, wire, _o(obis), 0, None, kind, size, prefix)


def RAW(wire: str) -> Field:
    """A value whose meaning no source states."""
    kind, size = _kind_of(wire)
    return Field(R_RAW, wire, None, 0, None, kind, size, None)


def SKIP(wire: str, value: bytes) -> Field:
    """A constant element (matched exactly), not reported."""
    kind, size = _kind_of(wire)
    return Field(R_SKIP, wire, None, 0, None, kind, size, value)


def TIME(obis: str = "1-0:0.9.1") -> Field:
    return Field(R_TIME, "09(4)", _o(obis), 0, None, K_BYTES, 4, None)


def DATE(obis: str = "1-0:0.9.2") -> Field:
    return Field(R_DATE, "09(5)", _o(obis), 0, None, K_BYTES, 5, None)


def NUMBER(obis: str, wire: str) -> Field:
    kind, size = _kind_of(wire)
    return Field(R_NUMBER, wire, _o(obis), 0, None, kind, size, None)


CLOCK = V("0-0:1.0.0", wire="09(12)")

# frequently used values: power W, reactive power var, energy Wh, reactive energy varh
def _p(c: int, b: int = 0) -> Field:
    return V("1-%d:%d.7.0" % (b, c), 0, "var" if c in (3, 4) else "W")


def _e(c: int, tariff: int = 0, b: int = 0) -> Field:
    return V("1-%d:%d.8.%d" % (b, c, tariff), 0, "varh" if c in (3, 4, 5, 6, 7, 8) else "Wh")


def _u(c: int, scaler: int, wire: str = "12") -> Field:
    return V("1-0:%d.7.0" % c, scaler, "V", wire)


def _i(c: int, scaler: int, wire: str = "12") -> Field:
    return V("1-0:%d.7.0" % c, scaler, "A", wire)


_PQ = (_p(1), _p(2), _p(3), _p(4))
_ENERGY4 = (_e(1), _e(2), _e(3), _e(4))

# --- Iskraemeco, Slovenia (section 2.1) ------------------------------------------

_ISK = ID("0-0:42.0.0", "09(16)", b"ISK")          # logical device name ISK + 13 digits: the meter id
_ISK_DEV2 = ID("0-0:96.1.2", "09", role=R_TEXT)    # device id, OBIS per 2.1.3 (sources disagree: 96.1.2/96.1.3)
_ISK_DEV3 = ID("0-0:96.1.3", "09", role=R_TEXT)
_SI_SRC = ("UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp (ISK branch); "
           "athombv/node-dsmr-parser:src/protocols/dlms-payload/ECEList1.ts, ECEList2.ts")
def _SI_U(c: int) -> Field:
    return _u(c, -1)  # U in 0.1 V (u16)


def _SI_I(c: int) -> Field:
    return _i(c, -2)  # I in 0.01 A (u16)



_KFM_ID = (V("1-1:0.2.129", wire="text"), V("0-0:96.1.0", wire="text"), V("0-0:96.1.7", wire="text"))
_KFM_P = _PQ
def _KFM_I(c: int) -> Field:
    return _i(c, -3, "06")  # mA


def _KFM_U(c: int) -> Field:
    return _u(c, -1, "06")  # 0.1 V


_KFM_1P = _KFM_ID + _KFM_P + (_KFM_I(31), _KFM_U(32))
_KFM_3P = _KFM_ID + _KFM_P + (_KFM_I(31), _KFM_I(51), _KFM_I(71), _KFM_U(32), _KFM_U(52), _KFM_U(72))
_KFM_E = (CLOCK,) + _ENERGY4
_KFM_SRC = "Kaifa HAN OBIS codes KFM_001.pdf pages 2-4; toreamun/amshan:han/kaifa.py lines 78-128"

_KFM_LIST_ID = Field(R_VALUE, "text", _o("1-1:0.2.129"), 0, None, K_TEXT, 7, b"KFM_001")

_PUSH_SETUP_0_6 = bytes((0, 6, 25, 9, 0, 255))
_WN8 = _ENERGY4 + _PQ  # A+, A-, R+, R-, P+, P-, Q+, Q-

#: every positional list, in matching order (the matcher tries every row of the element count)
LISTS: Tuple[ListLayout, ...] = (
    # Kaifa KFM_001, Norway (6.1; nordic-lists.md 3)
    ListLayout("kaifa_no_1", "kaifa_no", "Kaifa", (V("1-0:1.7.0", 0, "W"),), "header", "6.1", _KFM_SRC),
    ListLayout("kaifa_no_9", "kaifa_no", "Kaifa", (_KFM_LIST_ID,) + _KFM_1P[1:], "header|clock", "6.1", _KFM_SRC),
    ListLayout("kaifa_no_13", "kaifa_no", "Kaifa", (_KFM_LIST_ID,) + _KFM_3P[1:], "header|clock", "6.1", _KFM_SRC),
    ListLayout("kaifa_no_14", "kaifa_no", "Kaifa", (_KFM_LIST_ID,) + _KFM_1P[1:] + _KFM_E, "header|clock", "6.1",
               _KFM_SRC),
    ListLayout("kaifa_no_18", "kaifa_no", "Kaifa", (_KFM_LIST_ID,) + _KFM_3P[1:] + _KFM_E, "header|clock", "6.1",
               _KFM_SRC),
    # Iskraemeco, Slovenia (2.1)
    ListLayout("iskra_si_18", "iskra_si_18", "Iskraemeco",
               (_ISK, _ISK_DEV2) + _PQ + (_SI_U(32), _SI_U(52), _SI_U(72), _SI_I(31), _SI_I(51), _SI_I(71))
               + (_p(21), _p(41), _p(61), _p(22), _p(42), _p(62)),
               "header", "2.1.1", _SI_SRC + " lines 143-220"),
    ListLayout("iskra_si_12_energy", "iskra_si_12_energy", "Iskraemeco",
               (_ISK, _ISK_DEV3, V("0-0:96.3.10", wire="03"), NUMBER("0-0:96.14.0", "09(2)"),
                _e(1), _e(1, 1), _e(1, 2), _e(2), _e(2, 1), _e(2, 2), _e(3), _e(4)),
               "header", "2.1.2", _SI_SRC + " lines 221-264"),
    ListLayout("iskra_si_12", "iskra_si_12", "Iskraemeco",
               (_ISK, _ISK_DEV2, _SI_U(32), _SI_U(52), _SI_U(72), _SI_I(31), _SI_I(51), _SI_I(71)) + _PQ,
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 265-318"),
    ListLayout("iskra_si_10_l1", "iskra_si_10_l1", "Iskraemeco",
               (_ISK, _ISK_DEV2) + _PQ + (_SI_U(32), _SI_I(31), _p(21), _p(22)),
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 322-367"),
    ListLayout("iskra_si_10_energy", "iskra_si_10_energy", "Iskraemeco",
               (_ISK, _ISK_DEV3, _e(1, 1), _e(1, 2), _e(2, 1), _e(2, 2), _e(3, 1), _e(3, 2), _e(4, 1), _e(4, 2)),
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 368-429"),
    ListLayout("iskra_si_9_l1", "iskra_si_9_l1", "Iskraemeco",
               (_ISK, _ISK_DEV2) + _PQ + (_SI_U(32), RAW("06"), RAW("06")),
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 433-478 "
               "(#8, #9 read there as A- tariffs, unverified: raw here)"),
    ListLayout("iskra_si_9_raw", "iskra_si_9_raw", "Iskraemeco",
               (_ISK,) + (RAW("06"),) * 8,
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 479-510; "
               "Noschvie/shrdzm:code/SHRDZMDevice/Device_IM350.cpp lines 557-600 (meaning unknown)"),
    ListLayout("iskra_si_8", "iskra_si_8", "Iskraemeco",
               (_ISK, _ISK_DEV2, _SI_U(32), _SI_I(31)) + _PQ,
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 512-546"),
    ListLayout("iskra_si_4", "iskra_si_4", "Iskraemeco",
               (_ISK, RAW("*"), RAW("*"), RAW("*")),
               "header", "2.1.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 547-561 "
               "(meaning unknown)"),
    # Iskraemeco, Croatia (HEP ODS) (2.2)
    ListLayout("iskra_hr_33", "iskra_hr", "Iskraemeco",
               (ID("0-0:96.1.0", "09(8)"), TIME(), DATE()) + (_e(1), _e(1, 1), _e(1, 2), _e(2), _e(2, 1), _e(2, 2))
               + (_e(5), _e(6), _e(7), _e(8), _p(1), _p(2), V("1-0:13.7.0", -3, None, "12"))
               + (_p(21), _p(41), _p(61), _p(22), _p(42), _p(62))
               + (_SI_U(32), _SI_U(52), _SI_U(72), _SI_I(31), _SI_I(51), _SI_I(71))
               + (RAW("06"), RAW("01"), RAW("01"), RAW("01"), RAW("03")),
               "header|time+date", "2.2.1", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines "
               "572-658 (PR #1107)"),
    ListLayout("iskra_hr_28", "iskra_hr", "Iskraemeco",
               (RAW("*"), RAW("*"), RAW("*")) + (_e(1), _e(1, 1), _e(1, 2), _e(2), _e(2, 1), _e(2, 2))
               + (_p(1), _p(2), _p(21), _p(41), _p(61), _p(22), _p(42), _p(62))
               + (_SI_U(32), _SI_U(52), _SI_U(72), _SI_I(31), _SI_I(51), _SI_I(71))
               + (RAW("**"),) * 5,
               "header", "2.2.2", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines 659-735 "
               "(PR #1175; #1-#3 and #24-#28 not read there: raw here)"),
    # Iskraemeco, Switzerland, 15 elements without OBIS (2.3.3); meanings as the one source gives them
    ListLayout("iskra_ch_15", "iskra_ch_15", "Iskraemeco",
               (_e(1), _e(1, 1), _e(1, 2), _e(2), _e(2, 1), _e(2, 2), RAW("09(0)"), CLOCK, _p(2), _p(1))
               + (_SI_I(31), _SI_I(51), _SI_I(71), _SI_U(32), _SI_U(72)),
               "header|clock", "2.3.3", "UtilitechAS/amsreader-firmware:src/decoder/src/IEC6205675.cpp lines "
               "736-796 (every meaning marked '?' there)"),
    # Austrian DSO layouts (3.1-3.4)
    ListLayout("wiener_netze_9", "wiener_netze", None, (CLOCK,) + _WN8, "header|clock", "3.1",
               "aburgr/smartmeter-reader:decode.py lines 60-78; aldadic/esp-smartmeter-reader: "
               "esp-smartmeter-reader.ino lines 110-131"),
    ListLayout("wiener_netze_10", "wiener_netze", None, (ID("0-0:96.1.0", "09(16)"), CLOCK) + _WN8, "header|clock",
               "3.1", "fixture dlms:rddl_legacy_sel_0 (Siemens IM350)"),
    ListLayout("kaernten_netz_12", "kaernten_netz", None,
               (SKIP("09(6)", _PUSH_SETUP_0_6), ID("0-0:96.1.1", "09"), TIME(), DATE())
               + (_e(1), _e(2), _e(3), _e(4), _p(1), _p(2))
               + (ID("0-0:96.13.0", "09", role=R_TEXT), ID("0-0:96.13.1", "09", role=R_TEXT)),
               "header|time+date", "3.2", "Andre-Schuiki/esphome_im350:docs/provider_informations/iskra.pdf, "
               "im350.pdf page 1 (KNG sheet); Noschvie/shrdzm:code/SHRDZMDevice/Device_IM350.cpp lines 513-556"),
    ListLayout("wels_strom_10", "wels_strom", None,
               (SKIP("09(6)", _PUSH_SETUP_0_6), ID("0-0:96.1.1", "09"), TIME(), DATE())
               + (_e(1), _e(2), _e(3), _e(4), _p(1), _p(2)),
               "header|time+date", "3.3", "Andre-Schuiki/esphome_im350:docs/provider_informations/IMx50_1.pdf "
               "page 1 (Wels Strom sheet); Noschvie/shrdzm Device_IM350.cpp lines 371-373, 785-786"),
    ListLayout("burgenland_11", "landis_gyr_burgenland", "Landis+Gyr",
               (_u(32, 0), _u(52, 0), _u(72, 0), _i(31, -2), _i(51, -2), _i(71, -2), _p(1), _p(2), _e(1), _e(2),
                ID("0-0:96.1.0", "text")),
               "header", "3.4", "UtilitechAS/amsreader-firmware:src/LNG2.h lines 15-46, src/LNG2.cpp lines 10-65; "
               "tosog/nbsm:nbsm.py"),
    ListLayout("burgenland_14", "landis_gyr_burgenland", "Landis+Gyr",
               (_u(32, 0), _u(52, 0), _u(72, 0), _i(31, -2), _i(51, -2), _i(71, -2), _p(1), _p(2), _e(1), _e(2),
                RAW("12"), RAW("12"), RAW("12"), ID("0-0:96.1.0", "text")),
               "header", "3.4", "UtilitechAS/amsreader-firmware:src/LNG2.h lines 15-46 (#11-#13 not decoded there)"),
)

#: rows by name
BY_NAME: Dict[str, ListLayout] = {row.name: row for row in LISTS}

#: Kamstrup_V0001 lists by element count -> profile family (section 7): the Danish
#: "DLMS push 1" list (65 elements, power factors) has its own implicit scales
KAMSTRUP_PROFILES: Dict[int, str] = {65: "kamstrup_dk"}


def _type_of(v: Any) -> str:
    t = type(v)
    if t is int:
        return "int"  # the tree does not keep the A-XDR width
    if t is bool:
        return "03"
    if v is None:
        return "00"
    if t is DateTime:
        return "19"
    if t is Date:
        return "1A"
    if t is Time:
        return "1B"
    if isinstance(v, bytes):
        return "09(%d)" % len(v)
    if t is str:
        return "0A(%d)" % len(v)
    if t is list:
        return "01(%d)" % len(v)
    if t is tuple:
        return "02(%d)" % len(v)
    if t is float:
        return "float"
    if t is BitString:
        return "04"
    return t.__name__


def describe(body: Sequence[Any], candidates: Sequence[ListLayout] = ()) -> str:
    """The message warning for a list no row recognises (or several do).

    ``"list not recognised: 9 elements, types 09(12) int int ..."`` (integers
    are ``int``: the decoded tree does not keep their width); with
    ``candidates``, the rows that fit equally are named instead.
    """
    types = " ".join(_type_of(v) for v in body[:64])
    if len(body) > 64:
        types += " ..."
    if candidates:
        return ("list not recognised: %d elements fit several lists (%s), types %s; choose one with "
                "options={'profile': ...}" % (len(body), ", ".join(r.profile for r in candidates), types))
    return "list not recognised: %d elements, types %s" % (len(body), types)


def raw_value(v: Any) -> Any:
    """A value of an unknown list as reported: octet-strings as text when printable ASCII, containers as tuples."""
    t = type(v)
    if t is list:
        return tuple(v)
    if t is bytes:
        s = v.decode("latin-1")
        return s if (s.isascii() and s.isprintable() and s) else v
    if isinstance(v, bytes):  # DateTime/Date/Time: the octets
        return bytes(v)
    return v


def _time_date(row: ListLayout) -> Optional[Tuple[int, int]]:
    ti = [i for i, f in enumerate(row.fields) if f.role == R_TIME]
    di = [i for i, f in enumerate(row.fields) if f.role == R_DATE]
    return (ti[0], di[0]) if ti and di and row.timestamp.endswith("time+date") else None


#: row name -> (index of the local time, index of the local date) for rows whose timestamp falls back to them
TIME_DATE: Dict[str, Tuple[int, int]] = {}
for _row in LISTS:
    _td = _time_date(_row)
    if _td is not None:
        TIME_DATE[_row.name] = _td
del _row, _td
