"""hanparse.spark on a real local Spark (local[2]): the DataFrame equals the local Arrow table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("pyspark")

import hanparse.arrow as ha  # noqa: E402
import hanparse.spark as hs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "capture"))
import make_archive  # noqa: E402

RING = make_archive.keyring()
ROWS = make_archive.payloads(150, seed=8)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("hanparse-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "UTC").config("spark.driver.memory", "1g").getOrCreate())
    yield session
    session.stop()


def _frame(spark, rows):
    as_bytes = [p.encode("latin-1") if isinstance(p, str) else p for p in rows]
    return spark.createDataFrame(list(enumerate(as_bytes)), "id long, payload binary").repartition(3)


def _sorted(table, keys):
    return table.sort_by([(k, "ascending") for k in keys])


def test_readings_equal_the_local_table(spark):
    expected = ha.decode(ROWS, RING)
    out = hs.decode(_frame(spark, ROWS), "payload", RING, row_id="id")
    got = out.toArrow()
    assert got.column_names == ha.SCHEMA.names
    key = ["source_row", "message_index", "source_offset", "obis", "channel"]
    got = _sorted(got.cast(ha.SCHEMA), key)
    exp = _sorted(expected.readings, key)
    assert got.num_rows == exp.num_rows > 0
    assert got.to_pylist() == exp.to_pylist()
    errors = hs.decode(_frame(spark, ROWS), "payload", RING, row_id="id", errors=True).toArrow()
    assert _sorted(errors.cast(ha.ERROR_SCHEMA), ["source_row", "message"]).to_pylist() == _sorted(
        expected.errors, ["source_row", "message"]).to_pylist()


def test_string_column_missing_key_and_no_key_in_output(spark):
    partial = {t: k for t, k in RING.items() if not t.startswith(b"KAM")}
    rows = [p.hex() if isinstance(p, bytes) else p for p in ROWS]
    df = spark.createDataFrame([(i, p) for i, p in enumerate(rows)], "id long, payload string")
    got = hs.decode(df, "payload", partial, row_id="id").toArrow()
    assert got.num_rows == ha.decode(rows, partial).readings.num_rows
    errs = hs.decode(df, "payload", partial, errors=True).toArrow().to_pylist()
    assert any(e["error_class"] == "DecryptionError" for e in errs)
    text = repr(errs) + repr(got.to_pylist())
    for k in RING.values():
        assert k._ek.hex() not in text.lower()


def test_empty_and_garbage(spark):
    df = spark.createDataFrame([(0, b"\x00\x01garbage"), (1, b"")], "id long, payload binary")
    assert hs.decode(df, "payload", RING, row_id="id").count() == 0
    assert hs.decode(df, "payload", RING, row_id="id", errors=True).count() == 2
    assert hs.decode(df.limit(0), "payload", RING).count() == 0
