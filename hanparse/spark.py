"""Decode a Spark DataFrame column of payloads into a DataFrame of readings (extras ``[arrow]`` and ``[spark]``).

::

    import hanparse.spark

    readings = hanparse.spark.decode(df, column="payload", keys={title: hanparse.Keys(ek)}, row_id="id")
    rejects = hanparse.spark.decode(df, column="payload", keys=..., row_id="id", errors=True)

Each row's payload (binary or string: a frame, a telegram, hex text, a
bridge's JSON line) is decoded as :func:`hanparse.parse_payload` decodes
it, by :class:`hanparse.arrow.ArrowDecoder` inside ``mapInArrow``: the
result has the columns of :data:`hanparse.arrow.SCHEMA` (or
:data:`~hanparse.arrow.ERROR_SCHEMA` with ``errors=True``).  ``source_row``
is the integer column ``row_id`` when given, else Spark's
``monotonically_increasing_id()`` of the row.  Keys travel to the executors
inside the task closure (pickled :class:`~hanparse.Keys`); they never
appear in the output.  pyspark is imported when :func:`decode` is called.
"""

from __future__ import annotations

from typing import Any, Iterator

__all__ = ["decode", "spark_schema"]


def spark_schema(schema: Any) -> Any:
    """The Spark ``StructType`` of an Arrow schema of hanparse.arrow (its types only; every field nullable)."""
    from pyspark.sql import types as T  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from pyspark.sql.pandas.types import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from_arrow_type,
    )

    # PySpark's own mapping; a timestamp without a zone is a TimestampNTZ (wall-clock time)
    return T.StructType([T.StructField(f.name, from_arrow_type(f.type, prefer_timestamp_ntz=True), True)
                         for f in schema])


def decode(df: Any, column: str = "payload", keys: Any = None, *, row_id: Any = None, errors: bool = False,
           batch_rows: int = 8192, **options: Any) -> Any:
    """A DataFrame of the readings (or, with ``errors=True``, the rejects) of ``df[column]``.

    ``keys``: as for :func:`hanparse.parse_frame` (a mapping system title ->
    Keys for many meters).  ``row_id``: name of an integer column that
    identifies rows (fills ``source_row``).  ``options``: the other
    :class:`hanparse.arrow.ArrowDecoder` keywords (``tz``, ``options``,
    ``strict``, ``stuffed``).  Lazy, like every Spark transformation.
    """
    from pyspark.sql import functions as F  # type: ignore[import-untyped,import-not-found,unused-ignore]

    from . import arrow

    target = arrow.ERROR_SCHEMA if errors else arrow.SCHEMA
    rid = F.monotonically_increasing_id() if row_id is None else F.col(row_id).cast("long")
    narrow = df.select(rid.alias("__hanparse_row"), F.col(column).alias("__hanparse_payload"))
    arrow.ArrowDecoder(keys, batch_rows=batch_rows, **options)  # bad options fail here, not on an executor

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        from hanparse import arrow as ha

        dec = ha.ArrowDecoder(keys, batch_rows=batch_rows, **options)
        for batch in batches:
            for out in dec.payloads(batch.column(1), row_ids=batch.column(0).to_pylist()):
                got = out.errors if errors else out.readings
                if got.num_rows:
                    yield got.cast(target) if got.schema != target else got

    return narrow.mapInArrow(run, spark_schema(target))
