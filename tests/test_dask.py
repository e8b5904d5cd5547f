"""hanparse.dask on a real distributed.LocalCluster (2 workers): the DataFrame equals the local Arrow table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import hanparse.arrow as ha  # noqa: E402
import hanparse.dask as hd  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "capture"))
import make_archive  # noqa: E402

RING = make_archive.keyring()


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    d = tmp_path_factory.mktemp("captures")
    paths = []
    for i in range(3):
        p = d / ("part-%d.bin" % i)
        p.write_bytes(make_archive.build(150 + 40 * i, seed=20 + i))
        paths.append(p)
    return paths


def _local(paths, keys=RING):
    tables, errors = [], []
    for i, p in enumerate(sorted(paths)):
        batches = list(ha.ArrowDecoder(keys).capture(p, row=i))
        tables.append(pa.Table.from_batches([b.readings for b in batches], schema=ha.SCHEMA))
        errors.append(pa.Table.from_batches([b.errors for b in batches], schema=ha.ERROR_SCHEMA))
    return pa.concat_tables(tables), pa.concat_tables(errors)


def _table(ddf, schema):
    df = ddf.compute()
    return pa.Table.from_pandas(df, preserve_index=False).cast(schema)


def test_one_partition_per_file(client, captures):
    ddf = hd.read_captures(str(captures[0].parent / "*.bin"), RING)
    assert ddf.npartitions == 3
    readings, errors = _local(captures)
    assert _table(ddf, ha.SCHEMA).equals(readings)
    assert _table(hd.read_captures(captures, RING, errors=True), ha.ERROR_SCHEMA).equals(errors)


def test_byte_ranges_aligned_on_messages(client, captures):
    ddf = hd.read_captures(captures, RING, blocksize="20KiB", warmup=16384)
    assert ddf.npartitions > 6
    readings, errors = _local(captures)
    got = _table(ddf, ha.SCHEMA)
    assert got.drop_columns(["message_index"]).equals(readings.drop_columns(["message_index"]))
    assert _table(hd.read_captures(captures, RING, blocksize=20480, warmup=16384, errors=True),
                  ha.ERROR_SCHEMA).equals(errors)


def test_missing_key_empty_and_garbage(client, captures, tmp_path):
    partial = {t: k for t, k in RING.items() if not t.startswith(b"KAM")}
    got = _table(hd.read_captures(captures[:1], partial), ha.SCHEMA)
    assert got.equals(_local(captures[:1], partial)[0])
    errs = _table(hd.read_captures(captures[:1], partial, errors=True), ha.ERROR_SCHEMA).to_pylist()
    assert any(e["error_class"] == "DecryptionError" for e in errs)
    assert RING[next(t for t in RING if t.startswith(b"KAM"))]._ek.hex() not in repr(errs).lower()
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 50)
    assert len(hd.read_captures([empty, garbage], RING).compute()) == 0
