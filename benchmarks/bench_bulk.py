"""Bulk decoding into Arrow (hanparse.arrow) against StreamDecoder + a table built from Message objects.

Run: ``python -m pytest benchmarks/bench_bulk.py --benchmark-enable -p no:cacheprovider``.

All on the same bytes in one process: a mixed archive of ~4 MB made by
fixtures/capture/make_archive.py (HDLC, ciphered HDLC and M-Bus, DSMR, hex
and JSON lines, noise), decoded

* ``objects``: a StreamDecoder fed 1 MiB chunks, then the same long table
  built the plain way from the Message objects (a dict per reading,
  ``pyarrow.Table.from_pylist``);
* ``columnar``: :func:`hanparse.arrow.decode` (column buffers, arrays built
  once per batch);
* ``stream only``: the StreamDecoder alone, no table (the floor);
* ``crc pass``: one CRC-16/X.25 over the same bytes (what the bytes cost to
  read at all).

Scale-out (Spark local[1] vs local[2], Dask with 1 and 2 worker processes)
and peak memory on a large capture are measured by running this file as a
script, not by pytest::

    python benchmarks/bench_bulk.py --scale [--mb 64]
    python benchmarks/bench_bulk.py --memory [--mb 1024]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "capture"))
import make_archive  # noqa: E402

import hanparse  # noqa: E402
from hanparse.crc import crc16_x25  # noqa: E402

RING = make_archive.keyring()
CHUNK = 1 << 20


def stream_only(data: bytes) -> int:
    dec = hanparse.StreamDecoder(keys=RING)
    n = 0
    for i in range(0, len(data), CHUNK):
        n += len(dec.feed(data[i:i + CHUNK]))
    return n + len(dec.flush())


def objects_table(data: bytes) -> Any:
    """The plain way: Message objects, a dict per reading, Table.from_pylist (same columns as hanparse.arrow)."""
    import pyarrow as pa

    import hanparse.arrow as ha

    dec = hanparse.StreamDecoder(keys=RING)
    msgs: List[hanparse.Message] = []
    for i in range(0, len(data), CHUNK):
        msgs += dec.feed(data[i:i + CHUNK])
    msgs += dec.flush()
    rows: List[Dict[str, Any]] = []
    utc = dt.timezone.utc
    for index, m in enumerate(msgs):
        ts = m.timestamp
        off = ts.utcoffset() if ts is not None else None
        for r in m.readings:
            v = r.value
            num = isinstance(v, (int, float))
            rts = r.timestamp
            rows.append({
                "source_row": None, "source_offset": None, "message_index": index, "format": m.format,
                "meter_id": m.meter.meter_id, "list_id": m.meter.list_id,
                "message_time": ts.astimezone(utc) if off is not None else None,
                "message_time_local": ts.replace(tzinfo=None) if ts is not None else None,
                "utc_offset_min": int(off.total_seconds()) // 60 if off is not None else None,
                "obis": str(r.obis), "name": r.name, "channel": r.channel,
                "value": float(v) if num else None,
                "value_int": r.raw if isinstance(r.raw, int) else (v if type(v) is int else None),
                "value_scale": 0 if num else None,
                "text": None if num or v is None else str(v), "unit": r.unit,
                "reading_time": rts.astimezone(utc) if rts is not None and rts.utcoffset() is not None else None,
                "reading_time_local": rts.replace(tzinfo=None) if rts is not None else None,
                "encrypted": m.encrypted, "warning": r.warning,
            })
    return pa.Table.from_pylist(rows, schema=ha.SCHEMA)


def columnar(data: bytes) -> Any:
    import hanparse.arrow as ha

    return ha.decode(data, RING, chunk_size=CHUNK).readings


# ------------------------------------------------------------ pytest-benchmark

@pytest.fixture(scope="module")
def archive() -> bytes:
    return make_archive.build(10000, seed=1)


def _info(benchmark: Any, data: bytes, label: str) -> None:
    benchmark.extra_info["bytes"] = len(data)
    benchmark.extra_info["implementation"] = label


@pytest.mark.parametrize("path", ["objects", "columnar", "stream-only", "crc-pass"])
def test_bulk_archive(benchmark: Any, archive: bytes, path: str) -> None:
    pytest.importorskip("pyarrow")
    import hanparse.arrow as ha

    benchmark.group = "bulk: mixed archive %.1f MB" % (len(archive) / 1e6)
    _info(benchmark, archive, ha.columns_implementation())
    messages = stream_only(archive)
    benchmark.extra_info["messages"] = messages
    fn = {"objects": objects_table, "columnar": columnar, "stream-only": stream_only, "crc-pass": crc16_x25}[path]
    out = benchmark.pedantic(fn, args=(archive,), rounds=3, iterations=1)
    if path in ("objects", "columnar"):
        benchmark.extra_info["rows"] = out.num_rows


# ---------------------------------------------------------------- as a script

def _best(fn: Any, *args: Any, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t)
    return best


def _files(mb: int, parts: int, where: str) -> List[str]:
    block = make_archive.build(2000, seed=3)
    paths = []
    per = max(1, mb * (1 << 20) // parts // len(block))
    for i in range(parts):
        p = os.path.join(where, "cap-%02d.bin" % i)
        with open(p, "wb") as fh:
            for _ in range(per):
                fh.write(block)
        paths.append(p)
    return paths


def scale(mb: int) -> None:
    import pyarrow as pa

    import hanparse.arrow as ha

    with tempfile.TemporaryDirectory() as where:
        paths = _files(mb, 8, where)
        total = sum(os.path.getsize(p) for p in paths)
        rows = pa.concat_tables(ha.decode(p, RING).readings for p in paths[:1]).num_rows * len(paths)
        print("capture: %d files, %.1f MB, ~%d rows" % (len(paths), total / 1e6, rows))
        from distributed import Client, LocalCluster

        import hanparse.dask as hd

        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
                    Client(c):
                def count() -> int:
                    # a new collection each round: dask-expr remembers what a collection computed (its length
                    # came back in 0.01 s from a second cluster), so reusing one would time nothing
                    ddf = hd.read_captures(paths, RING)
                    return int(ddf.map_partitions(len).compute().sum())

                count()  # warm the workers
                t = _best(count, rounds=3)
                print("dask %d worker(s): %.2f s  %.1f MB/s  %d rows/s" % (workers, t, total / t / 1e6, rows / t))
        from pyspark.sql import SparkSession

        import hanparse.spark as hs

        payload_rows = make_archive.payloads(20000, seed=4) * max(1, mb // 8)
        for cores in (1, 2):
            spark = (SparkSession.builder.master("local[%d]" % cores).config("spark.ui.enabled", "false")
                     .config("spark.sql.shuffle.partitions", str(cores)).getOrCreate())
            rows_b = [p.encode("latin-1") if isinstance(p, str) else p for p in payload_rows]
            df = spark.createDataFrame(list(enumerate(rows_b)), "id long, payload binary").repartition(8).cache()
            df.count()
            out = hs.decode(df, "payload", RING, row_id="id")
            out.count()
            t = _best(out.count, rounds=2)
            print("spark local[%d]: %.2f s for %d payload rows (%.0f rows/s)" % (cores, t, len(rows_b),
                                                                              len(rows_b) / t))
            spark.stop()


def memory(mb: int) -> None:
    import resource

    import hanparse.arrow as ha

    with tempfile.TemporaryDirectory() as where:
        path = _files(mb, 1, where)[0]
        size = os.path.getsize(path)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        rows = 0
        for batch in ha.iter_batches(path, RING):
            rows += batch.readings.num_rows
        secs = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("%.0f MB capture: %d rows in %.1f s (%.1f MB/s, %d rows/s); peak RSS %.0f MB (before %.0f MB)" % (
            size / 1e6, rows, secs, size / secs / 1e6, rows / secs, peak / 1024, before / 1024))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", action="store_true", help="Spark local[1] vs local[2], Dask 1 vs 2 workers")
    ap.add_argument("--memory", action="store_true", help="peak memory streaming a large capture")
    ap.add_argument("--mb", type=int, default=0, help="capture size in MB")
    args = ap.parse_args()
    if args.memory:
        memory(args.mb or 1024)
    if args.scale:
        scale(args.mb or 64)
    if not (args.memory or args.scale):
        data = make_archive.build(10000, seed=1)
        for name, fn in (("objects", objects_table), ("columnar", columnar), ("stream only", stream_only),
                         ("crc pass", crc16_x25)):
            t = _best(fn, data)
            print("%-12s %.3f s  %.1f MB/s" % (name, t, len(data) / t / 1e6))


if __name__ == "__main__":
    main()
