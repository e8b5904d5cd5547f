"""Read capture files into a dask DataFrame of readings (extras ``[arrow]`` and ``[dask]``).

::

    import hanparse.dask

    ddf = hanparse.dask.read_captures("captures/*.bin", keys=..., blocksize="64MiB")
    ddf.groupby("meter_id").value.count().compute()

One partition per file, or per byte range of a file with ``blocksize``:
each range keeps exactly the messages that *end* inside it, decoding from
a little before its start (``warmup`` bytes) so that the stream is in step
by then, and a little past its end, so that ranges that tile a file split
its messages between them without loss or repeat (see
:meth:`hanparse.arrow.ArrowDecoder.capture`).  ``source_row`` is the file's
position in the sorted list of paths, ``source_offset`` the byte offset in
that file, ``message_index`` counts within the range.  Columns are those
of :data:`hanparse.arrow.SCHEMA` (or ``ERROR_SCHEMA`` with ``errors=True``)
as pandas ``ArrowDtype`` columns.  dask is imported when
:func:`read_captures` is called.
"""

from __future__ import annotations

import glob as _glob
import os
from typing import Any, List, Optional, Sequence, Tuple, Union

__all__ = ["read_captures", "partitions"]

Part = Tuple[int, str, int, Optional[int]]


def _paths(paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]) -> List[str]:
    if isinstance(paths, (str, os.PathLike)):
        text = os.fspath(paths)
        if any(c in text for c in "*?["):
            found = sorted(_glob.glob(text))
            if not found:
                raise FileNotFoundError("no file matches %s" % text)
            return found
        return [text]
    return [os.fspath(p) for p in paths]


def _size(blocksize: Union[int, str, None]) -> Optional[int]:
    if blocksize is None or isinstance(blocksize, int):
        return blocksize
    text = blocksize.strip().lower().replace(" ", "")
    for suffix, mult in (("gib", 1 << 30), ("mib", 1 << 20), ("kib", 1 << 10), ("gb", 10 ** 9), ("mb", 10 ** 6),
                         ("kb", 10 ** 3), ("b", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * mult)
    return int(text)


def partitions(paths: Any, blocksize: Union[int, str, None] = None) -> List[Part]:
    """The partitions :func:`read_captures` makes: (file number, path, start, end or None for the file's end)."""
    size = _size(blocksize)
    if size is not None and size < 1:
        raise ValueError("blocksize must be positive")
    parts: List[Part] = []
    for i, path in enumerate(_paths(paths)):
        total = os.path.getsize(path)
        if size is None or total <= size:
            parts.append((i, path, 0, None))
            continue
        starts = list(range(0, total, size))
        for k, start in enumerate(starts):
            parts.append((i, path, start, starts[k + 1] if k + 1 < len(starts) else None))
    return parts


def _read_part(part: Part, keys: Any, errors: bool, warmup: int, options: Any) -> Any:
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

    from hanparse import arrow as ha

    row, path, start, end = part
    dec = ha.ArrowDecoder(keys, **options)
    batches = list(dec.capture(path, row=row, start=start, end=end, warmup=warmup))
    if errors:
        table = pa.Table.from_batches([b.errors for b in batches], schema=ha.ERROR_SCHEMA)
    else:
        table = pa.Table.from_batches([b.readings for b in batches], schema=ha.SCHEMA)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def read_captures(paths: Any, keys: Any = None, *, blocksize: Union[int, str, None] = None, errors: bool = False,
                  warmup: int = 1 << 18, **options: Any) -> Any:
    """A dask DataFrame of the readings (or rejects, ``errors=True``) of capture files.

    ``paths``: a path, a glob pattern, or a list of paths.  ``blocksize``:
    split files larger than this (bytes, or text such as ``"64MiB"``) into
    byte ranges; None: one partition per file.  ``keys`` and ``options`` as
    for :class:`hanparse.arrow.ArrowDecoder`.
    """
    import dask.dataframe as dd  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

    from . import arrow

    schema = arrow.ERROR_SCHEMA if errors else arrow.SCHEMA
    arrow.ArrowDecoder(keys, **options)  # bad options fail here, not on a worker
    meta = pa.Table.from_batches([], schema=schema).to_pandas(types_mapper=pd.ArrowDtype)
    parts = partitions(paths, blocksize)
    return dd.from_map(  # type: ignore[no-untyped-call,unused-ignore]
        _read_part, parts, keys=keys, errors=errors, warmup=warmup, options=options, meta=meta,
                       enforce_metadata=False)
