"""An independent P1 telegram reader: the oracle of the P1 expected files.

It shares no code with hanparse (nothing from ``hanparse`` is imported)
and is written straight from the documents: DSMR 5.0.2 P1 Companion
Standard section 6 (telegram layout, TST, hex texts, power-failure log),
the DSMR 2.2/3.0 profile line, the Belgian demand history (dsmr.md 6.1)
and the output shape of the ``fixtures/p1_ascii/*.expected.json`` files
(documented in tests/test_corpus_dsmr.py).  It is deliberately plain: a
character loop splits the body into data sets, regular expressions
classify the group texts.

Run ``python -m tests._p1_oracle --write`` to regenerate every expected
file, ``python -m tests._p1_oracle`` to list the files that differ.

Time stamps: ``YYMMDDhhmmssX`` is local time with X = S (summer) or W
(winter); in the Europe/Amsterdam-style zones of these fixtures S means
+02:00 and W +01:00 (the letter is what the meter states, so it decides).
A 12-digit time without the letter takes the zone's offset (zoneinfo,
first occurrence of a repeated hour).  Years: 69-99 -> 19xx, 00-68 -> 20xx.
``632525252525`` + letter is the "no time" marker: None with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "p1_ascii"
DERIVED = "oracle: tests/_p1_oracle.py"

# manufacturer names of the 3-letter FLAG ids found in identification lines
FLAGS = {"ISK": "Iskraemeco", "ISk": "Iskraemeco", "KFM": "Kaifa", "KAM": "Kamstrup", "KMP": "Kamstrup",
         "XMX": "Xemex", "LGF": "Landis+Gyr", "LGB": "Landis+Gyr", "LGZ": "Landis+Gyr", "SAG": "Sagemcom",
         "ESY": "EasyMeter", "ADN": "Aidon", "EMH": "EMH metering", "ELS": "Elster", "HLY": "Holley"}

INT = re.compile(r"[+-]?[0-9]+\Z")
DEC = re.compile(r"[+-]?[0-9]+\.[0-9]+\Z")
TST = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([SWsw]?)\Z")
OBIS = re.compile(r"([0-9]+)-([0-9]+):([0-9]+)\.([0-9]+)\.([0-9]+)(?:[.*]([0-9]+))?\Z")
BLANK = "\r\n\x00 \t"


class Outcome(Exception):
    """The telegram is rejected: ``kind`` is the hanparse error class name the file expects."""

    def __init__(self, kind: str, **info: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.info = info


def crc16(data: bytes) -> int:
    """CRC-16/ARC bit by bit (reflected polynomial 0xA001, start 0)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


# ---------------------------------------------------------------- values

class Clock:
    def __init__(self, zone: Optional[str]) -> None:
        self.zone = ZoneInfo(zone) if zone else None

    def read(self, text: str) -> Tuple[Optional[str], bool]:
        """(ISO text or None, warning?) of a time text."""
        m = TST.match(text)
        if not m:
            return None, True
        yy, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        letter = m.group(7).upper()
        if text.startswith("632525252525"):
            return None, True
        year = 2000 + yy if yy < 69 else 1900 + yy
        try:
            local = dt.datetime(year, mo, d, h, mi, s)
        except ValueError:
            return None, True
        if self.zone is None:
            return local.isoformat(), False
        if letter:
            offset = dt.timedelta(hours=2 if letter == "S" else 1)
        else:
            offset = local.replace(tzinfo=self.zone).utcoffset() or dt.timedelta(0)
        return local.replace(tzinfo=dt.timezone(offset)).isoformat(), False


def number(text: str) -> Any:
    """int / float for numeric text, None for empty, the text otherwise (decimal comma accepted)."""
    if text == "":
        return None
    if INT.match(text):
        return int(text)
    if DEC.match(text):
        return float(text)
    if "," in text and DEC.match(text.replace(",", ".", 1)):
        return float(text.replace(",", ".", 1))
    return text


def is_time(text: str) -> bool:
    return len(text) == 13 and bool(TST.match(text))


def hex_text(text: str) -> Optional[str]:
    if len(text) % 2 or not re.fullmatch(r"[0-9A-Fa-f]*", text):
        return None
    try:
        out = bytes.fromhex(text).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return out if out.isprintable() else None


# ---------------------------------------------------------------- lines

Group = Tuple[str, Optional[str]]  # (value text, unit or None)


def split_group(inner: str) -> Group:
    value, star, unit = inner.partition("*")
    return value, (unit or None) if star else None


def data_sets(body: str) -> List[Tuple[str, List[Group]]]:
    """The data sets of the body: (id, groups); '(' at a line start continues the previous set."""
    out: List[Tuple[str, List[Group]]] = []
    i, n = 0, len(body)
    while i < n:
        if body[i] in BLANK:
            i += 1
            continue
        groups: List[Group] = []
        if body[i] == "(":
            if not out:
                raise Outcome("DecodeError")
            ident, groups = out.pop()
        else:
            j = i
            while j < n and body[j] not in "()\r\n":
                j += 1
            if j == n or body[j] != "(" or j == i:
                raise Outcome("DecodeError")
            ident, i = body[i:j], j
        while i < n and body[i] == "(":
            j = i + 1
            while j < n and body[j] not in ")(\r\n":
                j += 1
            if j == n or body[j] != ")":
                raise Outcome("DecodeError")
            groups.append(split_group(body[i + 1:j]))
            i = j + 1
        out.append((ident, groups))
    return out


def obis_of(ident: str) -> Tuple[Tuple[int, ...], bool]:
    """(the six values, repaired?) of an id; ``1-0:72:32.0`` is read as ``1-0:72.32.0`` with a warning."""
    m = OBIS.match(ident)
    repaired = False
    if not m:
        head, _, tail = ident.partition(":")
        m = OBIS.match(head + ":" + tail.replace(":", "."))
        repaired = True
        if not m:
            raise Outcome("DecodeError")
    values = tuple(int(g) for g in m.groups()[:5]) + (int(m.group(6)) if m.group(6) else 255,)
    return values, repaired


def reading(obis: Tuple[int, ...], value: Any = None, unit: Optional[str] = None, timestamp: Any = None,
            raw: Any = None, warning: bool = False) -> Dict[str, Any]:
    a, b = obis[0], obis[1]
    return {"obis": "%d-%d:%d.%d.%d.%d" % obis, "value": value, "unit": unit, "timestamp": timestamp,
            "channel": b if a == 0 and b else None, "raw": raw, "warning": warning}


def group_text(g: Group) -> str:
    return g[0] if g[1] is None else g[0] + "*" + g[1]


class Reader:
    def __init__(self, zone: Optional[str]) -> None:
        self.clock = Clock(zone)

    def scalar(self, g: Group) -> Tuple[Any, bool]:
        if is_time(g[0]):
            return self.clock.read(g[0])
        return number(g[0]), False

    def tuple_line(self, obis: Tuple[int, ...], groups: List[Group]) -> Dict[str, Any]:
        values, warn = [], False
        for g in groups:
            v, w = self.scalar(g)
            values.append(v)
            warn = warn or w
        units = {g[1] for g in groups if g[1] is not None}
        return reading(obis, values, units.pop() if len(units) == 1 else None, None,
                       [group_text(g) for g in groups], warn)

    def timed(self, obis: Tuple[int, ...], stamp: str, g: Group) -> Dict[str, Any]:
        when, warn = self.clock.read(stamp)
        return reading(obis, number(g[0]), g[1], when, None, warn)

    def generic(self, obis: Tuple[int, ...], groups: List[Group]) -> Dict[str, Any]:
        if len(groups) == 1:
            text, unit = groups[0]
            if unit is not None and "," in unit:
                parts = [split_group(p) for p in group_text(groups[0]).split(",")]
                if all(isinstance(number(p[0]), (int, float)) for p in parts):
                    units = {p[1] for p in parts}
                    return reading(obis, [number(p[0]) for p in parts], units.pop() if len(units) == 1 else None,
                                   None, group_text(groups[0]))
                return reading(obis, None, None, None, group_text(groups[0]), True)
            if is_time(text):
                when, warn = self.clock.read(text)
                return reading(obis, when, unit, None, text, warn)
            return reading(obis, number(text), unit)
        if len(groups) == 2:
            (t1, u1), (t2, u2) = groups
            n1, n2 = number(t1), number(t2)
            num1 = n1 is None or isinstance(n1, (int, float))
            num2 = n2 is None or isinstance(n2, (int, float))
            if is_time(t1) and num2:
                return self.timed(obis, t1, groups[1])
            if is_time(t2) and isinstance(n1, (int, float)):
                return self.timed(obis, t2, groups[0])
            if self.bare_time(t1, u1) and isinstance(n1, int) and num2:
                return self.timed(obis, t1, groups[1])
            if self.bare_time(t2, u2) and isinstance(n1, (int, float)):
                return self.timed(obis, t2, groups[0])
            del num1
        return self.tuple_line(obis, groups)

    def bare_time(self, text: str, unit: Optional[str]) -> bool:
        return unit is None and len(text) == 12 and TST.match(text) is not None and not self.clock.read(text)[1]

    def line(self, ident: str, groups: List[Group]) -> Dict[str, Any]:
        obis, repaired = obis_of(ident)
        r = self.convert(obis, groups)
        if repaired:
            r["warning"] = True
        return r

    def convert(self, obis: Tuple[int, ...], groups: List[Group]) -> Dict[str, Any]:
        a, b, c, d, e, _f = obis
        one = len(groups) == 1
        if (c, d) == (96, 1) and e in (0, 1) or (c, d) == (96, 13) or (c, d, e) == (42, 0, 0):
            if not one:
                return self.tuple_line(obis, groups)
            text, unit = groups[0]
            if text == "":
                return reading(obis, None, unit)
            decoded = hex_text(text)
            return reading(obis, text, unit) if decoded is None else reading(obis, decoded, unit, None, text)
        if (c, d) in ((96, 1), (0, 2), (96, 14), (96, 5)) or (c, d, e) == (0, 0, 0):
            if not one:
                return self.tuple_line(obis, groups)
            return reading(obis, groups[0][0] or None, groups[0][1])
        if a == 0 and (c, d, e) == (1, 0, 0):
            if not one:
                return self.tuple_line(obis, groups)
            text, unit = groups[0]
            if text == "":
                return reading(obis, None, unit)
            when, warn = self.clock.read(text)
            return reading(obis, when, unit, None, text, warn)
        if (c, d) == (99, 97):
            return self.failure_log(obis, groups)
        if a == 0 and (c, d) == (98, 1) and len(groups) >= 3 and INT.match(groups[0][0]) and ":" in groups[1][0]:
            return self.peaks(obis, groups)
        if a == 0 and (c, d) == (24, 3) and len(groups) >= 7:
            return self.profile(obis, groups)
        if a == 0 and b and (c, d) == (24, 2) and one and isinstance(number(groups[0][0]), (int, float)) \
                and (groups[0][1] is None or "," not in groups[0][1]):
            return reading(obis, number(groups[0][0]), groups[0][1], None, groups[0][0], True)
        return self.generic(obis, groups)

    def failure_log(self, obis: Tuple[int, ...], groups: List[Group]) -> Dict[str, Any]:
        warn = False
        count = None
        if groups and groups[0][0]:
            if INT.match(groups[0][0]):
                count = int(groups[0][0])
            else:
                warn = True
        buffer = None
        if len(groups) > 1 and groups[1][0]:
            try:
                buffer = "%d-%d:%d.%d.%d.%d" % obis_of(groups[1][0])[0]
            except Outcome:
                warn = True
        events = []
        rest = groups[2:]
        for k in range(0, len(rest) - 1, 2):
            (stamp, _u), (dur, dur_unit) = rest[k], rest[k + 1]
            end, w = self.clock.read(stamp)
            duration = number(dur) if dur else None
            if not isinstance(duration, (int, float)):
                duration, w = None, True
            warn = warn or w
            events.append({"end": end, "duration": duration, "unit": dur_unit, "raw_end": stamp})
        if len(rest) % 2:
            warn = True
        return reading(obis, {"count": count, "buffer_obis": buffer, "events": events}, None, None, None, warn)

    def peaks(self, obis: Tuple[int, ...], groups: List[Group]) -> Dict[str, Any]:
        rows, warn, units = [], False, set()
        rest = groups[3:]
        for k in range(0, len(rest) - 2, 3):
            (s, _u1), (o, _u2), (v, unit) = rest[k:k + 3]
            start, w1 = self.clock.read(s)
            occurred, w2 = self.clock.read(o)
            value = number(v) if v else None
            if not isinstance(value, (int, float)):
                value, w1 = None, True
            warn = warn or w1 or w2
            if unit is not None:
                units.add(unit)
            rows.append({"start": start, "occurred": occurred, "value": value, "unit": unit,
                         "raw_start": s, "raw_occurred": o})
        if len(rest) % 3:
            warn = True
        return reading(obis, rows, units.pop() if len(units) == 1 else None, None, None, warn)

    def profile(self, obis: Tuple[int, ...], groups: List[Group]) -> Dict[str, Any]:
        header = [g[0] for g in groups[:6]]
        values = [number(g[0]) for g in groups[6:]]
        when, warn = self.clock.read(header[0])
        return reading(obis, values[0] if len(values) == 1 else values, header[5] or None, when, header, warn)


# ---------------------------------------------------------------- telegram

def frame(blob: bytes) -> Tuple[str, str, str, Optional[int], int]:
    """(identification, body, text for the CRC, stated CRC, end of the telegram)."""
    slash = blob.find(b"/")
    if slash < 0 or blob[:slash].strip(b"\r\n\x00 \t\xff"):
        raise Outcome("FrameError")
    text = blob.decode("latin-1")
    m = re.compile(r"[\r\n]").search(text, slash)
    if m is None:
        raise Outcome("IncompleteError")
    bang = text.find("!", m.start())
    if bang < 0:
        raise Outcome("IncompleteError")
    ident = text[slash:m.start()].rstrip("\r\x00 \t")
    if len(ident) < 5 or not re.fullmatch(r"[A-Za-z]{3}", ident[1:4]):
        raise Outcome("FrameError")
    end = re.compile(r"[\r\n]|\Z").search(text, bang).start()
    stated = text[bang + 1:end].strip("\x00 \t")
    if stated and not re.fullmatch(r"[0-9A-Fa-f]{1,4}", stated):
        raise Outcome("FrameError")
    return ident, text[m.start() + 1:bang], text[slash:bang + 1], int(stated, 16) if stated else None, bang


ID_RANK = {(96, 1, 1): 0, (96, 1, 0): 1, (96, 1, 255): 2, (0, 0, 0): 3, (42, 0, 0): 4}


def meter(ident: str, readings: List[Dict[str, Any]]) -> Dict[str, Any]:
    model = ident[5:]
    if model.startswith("\\2"):
        model = model[2:]
    elif model.startswith("\x02"):
        model = model[1:]
    best, meter_id = 100, None
    for r in readings:
        a, b, c, d, e = (int(x) for x in re.split(r"[-:.]", r["obis"])[:5])
        rank = ID_RANK.get((c, d, e), -1) if b == 0 and a in (0, 1) else -1
        if 0 <= rank < best and r["value"] is not None:
            best, meter_id = rank, r["value"]
    return {"manufacturer": FLAGS.get(ident[1:4], ident[1:4]), "model": model.strip() or None,
            "meter_id": meter_id if isinstance(meter_id, str) else None, "identification": ident[1:]}


def decode(blob: bytes, zone: Optional[str] = "Europe/Amsterdam") -> Dict[str, Any]:
    """The expected-file content (without id/tz/source) of one telegram."""
    out: Dict[str, Any] = {}
    try:
        ident, body, signed, stated, _bang = frame(blob)
    except Outcome as exc:
        return {"outcome": exc.kind}
    computed = crc16(signed.encode("latin-1"))
    out["outcome"] = "ok"
    if stated is not None and stated != computed:
        out["outcome"] = "ChecksumError"
        out["checksum"] = {"expected": computed, "actual": stated}
    reader = Reader(zone)
    try:
        readings = [reader.line(i, g) for i, g in data_sets(body)]
    except Outcome as exc:
        return {"outcome": exc.kind}
    clock = next((r for r in readings if re.match(r"0-0:1\.0\.0\.", r["obis"])), None)
    out["meter"] = meter(ident, readings)
    out["timestamp"] = clock["value"] if clock is not None else None
    out["readings"] = readings
    return out


def expected_files() -> List[Tuple[Path, Dict[str, Any]]]:
    pairs = []
    for p in sorted(FIXTURES.glob("*.json")):
        if p.name.endswith(".expected.json"):
            continue
        pairs.append((p, json.loads(p.read_text(encoding="utf-8"))))
    return pairs


def blob_of(entry: Dict[str, Any]) -> bytes:
    if entry.get("hex") is not None:
        return bytes.fromhex(entry["hex"])
    return entry["text"].encode("latin-1")


def derive(entry: Dict[str, Any], tz: str = "Europe/Amsterdam") -> Dict[str, Any]:
    """A complete expected file for a fixture entry."""
    got = decode(blob_of(entry), tz)
    origin = entry.get("source") or "the fixture entry"
    head = {"id": entry["id"], "tz": tz, "derived_from": DERIVED,
            "source": "every field computed by tests/_p1_oracle.py from the telegram text; the values the "
                      "fixture's source states ('expected' in %s) are checked against them by "
                      "tests/test_corpus_dsmr.py" % (origin,)}
    if (entry.get("expected") or {}).get("outcome") == "checksum_error":
        # the source says the telegram is corrupt on purpose: only the outcome and the CRC pair count
        got = {k: got[k] for k in ("outcome", "checksum") if k in got}
        head["derived_from"] = "source (outcome: checksum_error); oracle: tests/_p1_oracle.py (checksum values)"
        head["source"] = ("outcome as %s states it; the computed/stated CRC pair by tests/_p1_oracle.py" % (origin,))
    head.update(got)
    return head


def main(argv: List[str]) -> int:
    write = "--write" in argv
    differ = 0
    for path, entry in expected_files():
        target = path.with_name(path.name[:-len(".json")] + ".expected.json")
        new = derive(entry)
        old = json.loads(target.read_text(encoding="utf-8")) if target.exists() else None
        if old is not None:
            for key in ("source", "derived_from"):
                old.pop(key, None)
            compare = dict(new)
            compare.pop("source")
            compare.pop("derived_from")
            if old == compare:
                if not write:
                    continue
            else:
                differ += 1
                print("differs:", target.name)
        if write:
            target.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if differ and not write else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
