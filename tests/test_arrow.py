"""hanparse.arrow: the long table of readings equals what parse_payload / StreamDecoder give, value by value."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")

import hanparse  # noqa: E402
import hanparse.arrow as ha  # noqa: E402
from fixture_files import data, entries  # noqa: E402
from hanparse.model import jsonable  # noqa: E402
from impl_switch import available, use_implementation  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "capture"))
import make_archive  # noqa: E402

RING = make_archive.keyring()
ARCHIVE = make_archive.build(240, seed=5)
FORMATS = ["hdlc", "mbus", "p1_ascii", "p1_encrypted", "dlms_apdu", "stream"]


@pytest.fixture(params=available())
def impl(request, monkeypatch):
    """Run the decoders and the column buffers on one implementation."""
    use_implementation(request.param, monkeypatch)
    monkeypatch.setattr(ha, "_cols", ha.columns_module(request.param))
    return request.param


# ----------------------------------------------------------------- oracle
# The expected rows, built from the public attributes of Message objects.

def _utc(t):
    if t is None or t.utcoffset() is None:
        return None
    return t.astimezone(dt.timezone.utc)


def _local(t):
    if t is None:
        return None
    return t.replace(tzinfo=None)


def _text(v):
    if v is None or isinstance(v, (int, float, Decimal)):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    return json.dumps(jsonable(v), ensure_ascii=False, default=str)


def expected_rows(msgs, row=None):
    """(row, index, msg, reading, expected row dict without source_offset / exact value)."""
    out = []
    for index, m in enumerate(msgs):
        off = m.timestamp.utcoffset() if m.timestamp is not None else None
        for r in m.readings:
            v = r.value
            num = isinstance(v, (int, float, Decimal))
            out.append((r, {
                "source_row": row, "message_index": index, "format": m.format, "meter_id": m.meter.meter_id,
                "list_id": m.meter.list_id, "message_time": _utc(m.timestamp),
                "message_time_local": _local(m.timestamp),
                "utc_offset_min": None if off is None else int(off.total_seconds()) // 60,
                "obis": str(r.obis), "name": r.name, "channel": r.channel,
                "value": float(v) if num else None, "text": _text(v), "unit": r.unit,
                "reading_time": _utc(r.timestamp), "reading_time_local": _local(r.timestamp),
                "encrypted": m.encrypted, "warning": r.warning,
            }))
    return out


def _us(t):
    """A datetime as Arrow stores it (microseconds): the same instant."""
    return t


def check_rows(got, msgs, row=None):
    exp = expected_rows(msgs, row)
    assert len(got) == len(exp)
    for g, (reading, e) in zip(got, exp):
        for k, v in e.items():
            assert g[k] == v, (k, g[k], v)
        # the exact value: value_int * 10**value_scale is the value, and the meter's raw integer when it sent one
        vi, vs = g["value_int"], g["value_scale"]
        if vi is not None:
            assert e["value"] is not None
            exact = Decimal(vi).scaleb(vs)
            v = reading.value
            assert exact == (Decimal(v) if isinstance(v, int) else Decimal(repr(v)))  \
                or float(exact) == pytest.approx(v, rel=1e-12)
            if isinstance(reading.raw, int) and not isinstance(v, bool):
                assert vi == reading.raw
        elif e["value"] is not None:
            assert not -(1 << 63) <= int(reading.value) < (1 << 63) or not float(reading.value) == reading.value


def stream_messages(data, keys=RING, chunk=0):
    errs = []
    dec = hanparse.StreamDecoder(keys=keys, on_error=errs.append)
    step = chunk or max(1, len(data))
    msgs = []
    for i in range(0, len(data), step):
        msgs += dec.feed(data[i:i + step])
    msgs += dec.flush()
    return msgs, errs


# ------------------------------------------------------------------ tests

def _fixture_cases():
    for fmt in FORMATS:
        for e in entries(fmt):
            if e.get("hex") is None and e.get("text") is None:
                continue
            yield pytest.param(e, id=e["id"])


@pytest.mark.parametrize("entry", list(_fixture_cases()))
def test_every_fixture_as_a_payload_row(entry, impl):
    payload = data(entry)
    keys = hanparse.Keys(entry["key_hex"], entry.get("auth_key_hex")) if entry.get("key_hex") else None
    result = ha.decode([payload], keys)
    try:
        msgs = hanparse.parse_payload(payload, keys)
    except hanparse.HanParseError as exc:
        assert result.readings.num_rows == 0
        errs = result.errors.to_pylist()
        assert errs and errs[-1]["error_class"] == type(exc).__name__ and errs[-1]["message"] == exc.message
        return
    check_rows(result.readings.to_pylist(), msgs, row=0)
    assert result.readings.schema == ha.SCHEMA


@pytest.mark.parametrize("chunk_size", [1 << 20, 777])
def test_archive_equals_stream_decoder(impl, chunk_size):
    msgs, errs = stream_messages(ARCHIVE)
    assert len(msgs) > 150 and errs
    formats = {m.format for m in msgs}
    assert {"hdlc", "mbus", "dsmr"} <= formats and any(m.encrypted for m in msgs)
    result = ha.decode(ARCHIVE, RING, chunk_size=chunk_size, batch_rows=500)
    got = result.readings.to_pylist()
    check_rows(got, msgs)
    # errors: the stream's rejections, in order, with their class and text
    assert [(e["error_class"], e["message"]) for e in result.errors.to_pylist()] == [
        (type(x).__name__, x.message) for x in errs]
    assert result.stats["messages"] == len(msgs)
    # source offsets: each message ends after the previous one and inside the capture
    ends = [g["source_offset"] for g in got]
    assert ends == sorted(ends) and 0 < ends[0] and ends[-1] <= len(ARCHIVE)


def test_offsets_point_at_the_message():
    """The bytes up to a message's end offset, after the previous one's, decode to that message."""
    result = ha.decode(ARCHIVE, RING)
    t = result.readings
    ends = sorted(set(t.column("source_offset").to_pylist()))
    msgs, _ = stream_messages(ARCHIVE)
    prev = 0
    for end, msg in list(zip(ends, msgs))[:40]:
        again = hanparse.parse_payload(ARCHIVE[prev:end], RING)
        assert again[-1] == msg
        prev = end


def test_batches_are_bounded_and_concatenate_to_the_table():
    whole = ha.decode(ARCHIVE, RING).readings
    batches = list(ha.iter_batches(ARCHIVE, RING, batch_rows=100, chunk_size=4096))
    assert len(batches) > 5
    assert all(b.readings.num_rows < 100 + 300 for b in batches)
    assert pa.Table.from_batches([b.readings for b in batches]).equals(whole)


def test_file_path_and_file_object(tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(ARCHIVE)
    whole = ha.decode(ARCHIVE, RING).readings
    assert ha.decode(str(f), RING).readings.equals(whole)
    assert ha.decode(f, RING).readings.equals(whole)
    with open(f, "rb") as fh:
        assert ha.decode(fh, RING).readings.equals(whole)


def test_byte_ranges_tile_the_file():
    whole = ha.decode(ARCHIVE, RING)
    n = len(ARCHIVE)
    size = n // 7 + 1
    tables, errors = [], []
    for start in range(0, n, size):
        end = start + size if start + size < n else None
        batches = list(ha.ArrowDecoder(RING).capture(ARCHIVE, start=start, end=end, warmup=1 << 14))
        tables.append(pa.Table.from_batches([b.readings for b in batches], schema=ha.SCHEMA))
        errors.append(pa.Table.from_batches([b.errors for b in batches], schema=ha.ERROR_SCHEMA))
    joined = pa.concat_tables(tables).drop_columns(["message_index"])
    assert joined.equals(whole.readings.drop_columns(["message_index"]))
    assert pa.concat_tables(errors).equals(whole.errors)


def test_payload_rows_and_arrow_columns(impl):
    rows = make_archive.payloads(60, seed=3) + [None, "", "not a frame"]
    result = ha.decode(rows, RING)
    got = result.readings.to_pylist()
    pos = 0
    errors = {e["source_row"]: e for e in result.errors.to_pylist() if e["reason"] != "checksum"}
    for i, p in enumerate(rows):
        if p is None:
            continue
        try:
            msgs = hanparse.parse_payload(p, RING)
        except hanparse.HanParseError as exc:
            assert errors[i]["error_class"] == type(exc).__name__
            continue
        n = sum(len(m.readings) for m in msgs)
        check_rows(got[pos:pos + n], msgs, row=i)
        pos += n
    assert pos == len(got)
    as_bytes = [p.encode("latin-1") if isinstance(p, str) else p for p in rows]
    col = pa.chunked_array([pa.array(as_bytes[:30], pa.binary()), pa.array(as_bytes[30:], pa.binary())])
    assert ha.decode(col, RING).readings.equals(result.readings)
    assert ha.decode(pa.array(as_bytes, pa.large_binary()), RING).readings.equals(result.readings)
    hexcol = pa.array([p.hex() for p in as_bytes if p is not None])
    assert ha.decode(hexcol, RING).readings.num_rows > 0


def test_empty_and_all_garbage(impl):
    for empty in (b"", [], pa.array([], pa.binary())):
        r = ha.decode(empty, RING)
        assert r.readings.num_rows == 0 and r.errors.num_rows == 0
        assert r.readings.schema == ha.SCHEMA and r.errors.schema == ha.ERROR_SCHEMA
    rng = random.Random(1)
    garbage = bytes(rng.randrange(256) for _ in range(50000))
    msgs, errs = stream_messages(garbage)
    r = ha.decode(garbage, RING)
    assert r.readings.num_rows == len([x for m in msgs for x in m.readings])
    assert r.errors.num_rows == len(errs)
    r = ha.decode([garbage[:100], garbage[100:300]], RING)
    assert r.readings.num_rows == 0 and r.errors.column("source_row").to_pylist()[-1] == 1


def test_key_missing_for_one_meter_never_shows_keys(impl):
    partial = dict(RING)
    dropped = next(t for t, k in partial.items() if t.startswith(b"KAM"))
    secret = partial.pop(dropped)
    r = ha.decode(ARCHIVE, partial)
    msgs, errs = stream_messages(ARCHIVE, keys=partial)
    check_rows(r.readings.to_pylist(), msgs)
    dec = [e for e in r.errors.to_pylist() if e["error_class"] == "DecryptionError"]
    assert dec and len(dec) == len([e for e in errs if isinstance(e, hanparse.DecryptionError)])
    everything = repr(r.readings.to_pylist()) + repr(r.errors.to_pylist()) + repr(r.stats)
    for k in list(RING.values()) + [secret]:
        for key in (k._ek, k._ak):
            if key:
                assert key.hex() not in everything.lower() and key.hex().upper() not in everything


def test_pivot():
    r = ha.decode(ARCHIVE, RING)
    wide = ha.pivot(r.readings)
    msgs, _ = stream_messages(ARCHIVE)
    assert wide.num_rows == len([m for m in msgs if m.readings])
    first = msgs[0]
    row = wide.slice(0, 1).to_pylist()[0]
    for reading in first.readings:
        if reading.name and reading.channel is None and isinstance(reading.value, (int, float)) \
                and reading.name not in ha.MESSAGE_COLUMNS:
            assert row[reading.name] == pytest.approx(float(first[reading.name].value))
    assert len(set(wide.column_names)) == len(wide.column_names)


def test_both_column_implementations_give_the_same_table(monkeypatch):
    labels = ["python"]
    try:
        ha.columns_module("cython")
        labels.append("cython")
    except ImportError:
        pass
    tables = []
    for label in labels:
        monkeypatch.setattr(ha, "_cols", ha.columns_module(label))
        tables.append(ha.decode(ARCHIVE, RING).readings)
    assert all(t.equals(tables[0]) for t in tables)


def test_pure_python_env_uses_the_source_module():
    code = "import hanparse.arrow as ha; print(ha.columns_implementation(), ha._cols.__file__.endswith('.py'))"
    out = subprocess.run([sys.executable, "-c", code], env={"HANPARSE_PURE_PYTHON": "1", "PATH": "/usr/bin"},
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["python", "True"], out.stderr


# -------------------------------------------------------------------- CLI

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "hanparse", *map(str, args)], cwd=ROOT, capture_output=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"})


def test_cli_parquet_arrow_csv(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow.csv as pcsv

    cap = tmp_path / "a.bin"
    cap.write_bytes(ARCHIVE)
    # the CLI takes one key: the Danish meter's (the Austrian M-Bus meter's messages are then rejected)
    key = next(k for t, k in RING.items() if t.startswith(b"KAM"))
    expected = ha.decode(ARCHIVE, key)
    out = tmp_path / "o.parquet"
    r = _cli("decode", cap, "--key", key._ek.hex(), "--auth-key", key._ak.hex(), "--format", "parquet", "-o", out,
             "--errors", tmp_path / "e.parquet", "--progress")
    assert r.returncode == 3, r.stderr  # frames with a flipped bit: reported by the exit code, the rest written
    err = r.stderr.decode()
    assert "messages" in err and "rejected" in err and "MB/s" in err
    assert key._ek.hex() not in err
    assert pq.read_table(out).equals(expected.readings)
    assert pq.read_table(tmp_path / "e.parquet").equals(expected.errors)
    r = _cli("decode", cap, "--key", key._ek.hex(), "--auth-key", key._ak.hex(), "--format", "arrow", "-o",
             tmp_path / "o.arrow")
    assert pa.ipc.open_file(tmp_path / "o.arrow").read_all().equals(expected.readings)
    r = _cli("decode", cap, "--key", key._ek.hex(), "--auth-key", key._ak.hex(), "--format", "long-csv")
    table = pcsv.read_csv(pa.BufferReader(r.stdout))
    assert table.column_names == ha.SCHEMA.names and table.num_rows == expected.readings.num_rows
    r = _cli("decode", cap, "--format", "parquet")
    assert r.returncode == 2 and b"needs -o" in r.stderr
