"""Bulk decoding into Apache Arrow: readings as a long table (extra ``[arrow]``: pyarrow).

Captures of raw frames, or columns of payloads, become
:class:`pyarrow.RecordBatch` es of *readings*, one row per value a meter
reported, in the long form metering pipelines store (:data:`SCHEMA`)::

    import hanparse.arrow as ha

    result = ha.decode("capture.bin", keys={system_title: hanparse.Keys(ek, ak)})
    result.readings          # pyarrow.Table, SCHEMA
    result.errors            # pyarrow.Table, ERROR_SCHEMA: what was rejected, and why
    ha.pivot(result.readings)   # one row per message, one column per registry name

Inputs (:func:`iter_batches`, :func:`decode`):

* a *capture*: bytes, a path (``str`` or ``os.PathLike``) or a binary file
  object: one stream, decoded as a :class:`~hanparse.StreamDecoder` fed those
  bytes (any formats mixed, garbage skipped);
* *payloads*: a list or other iterable of bytes/str, or a pyarrow binary or
  string Array/ChunkedArray: one payload per row (a frame, a telegram, hex
  text, a bridge's JSON line), each decoded as
  :func:`hanparse.parse_payload` decodes it.

Bad input never stops a batch: every rejected frame (with its offset and
error class) and every payload row that gave no message lands in the errors
table instead.  Keys are never written anywhere: not in the tables, not in
the error texts (which come from hanparse's errors, which never show keys).

The column buffers are :mod:`hanparse._columns`, compiled by Cython when
the extensions are built; :func:`columns_implementation` tells which runs.
Both give the same tables.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple, Union

try:
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
except ImportError as _exc:  # pragma: no cover - depends on the environment
    raise ImportError("hanparse.arrow needs pyarrow: pip install 'hanparse[arrow]'") from _exc

from . import _impl
from ._api import MAX_INPUT, parse_payload
from ._pipeline import DEFAULT_TZ
from ._stream import StreamDecoder, StreamStats
from .errors import HanParseError, reason_of
from .model import Message

__all__ = [
    "SCHEMA",
    "ERROR_SCHEMA",
    "columns_implementation",
    "columns_module",
    "MESSAGE_COLUMNS",
    "Batch",
    "Decoded",
    "ArrowDecoder",
    "iter_batches",
    "decode",
    "pivot",
    "empty_readings",
    "empty_errors",
]

_UTC_TS = pa.timestamp("us", tz="UTC")
_LOCAL_TS = pa.timestamp("us")

#: the long table of readings: one row per reading, message fields repeated
SCHEMA = pa.schema([
    pa.field("source_row", pa.int64(), metadata={"doc": "payload row (or file number) the message came from; "
                                                 "null for a single capture"}),
    pa.field("source_offset", pa.int64(), metadata={"doc": "byte offset just past the message's last byte in its "
                                                    "capture or payload (past the line for hex or text lines)"}),
    pa.field("message_index", pa.int64(), nullable=False,
             metadata={"doc": "number of the message within its source (capture, byte range or payload row)"}),
    pa.field("format", pa.string(), nullable=False, metadata={"doc": "hdlc, mbus, dsmr or apdu"}),
    pa.field("meter_id", pa.string()),
    pa.field("list_id", pa.string()),
    pa.field("message_time", _UTC_TS, metadata={"doc": "the meter clock as a UTC instant, when its offset is known"}),
    pa.field("message_time_local", _LOCAL_TS, metadata={"doc": "the meter clock as it reads (wall-clock time)"}),
    pa.field("utc_offset_min", pa.int16(), metadata={"doc": "the meter's offset from UTC in minutes, when known"}),
    pa.field("obis", pa.string(), nullable=False, metadata={"doc": "full OBIS text, A-B:C.D.E.F"}),
    pa.field("name", pa.string(), metadata={"doc": "registry name (hanparse.registry), e.g. active_power_import"}),
    pa.field("channel", pa.int16(), metadata={"doc": "M-Bus channel of a P1 sub-meter"}),
    pa.field("value", pa.float64(), metadata={"doc": "the scaled value of a number"}),
    pa.field("value_int", pa.int64(), metadata={"doc": "exact value = value_int * 10 ** value_scale"}),
    pa.field("value_scale", pa.int8()),
    pa.field("text", pa.string(), metadata={"doc": "a value that is not a number: text, hex, ISO 8601, JSON"}),
    pa.field("unit", pa.string()),
    pa.field("reading_time", _UTC_TS, metadata={"doc": "the value's own time (UTC), when its offset is known"}),
    pa.field("reading_time_local", _LOCAL_TS, metadata={"doc": "the value's own time as the meter wrote it"}),
    pa.field("encrypted", pa.bool_(), nullable=False),
    pa.field("warning", pa.string(), metadata={"doc": "why value is null although the meter sent one"}),
])

#: rejected frames and payload rows that gave no message
ERROR_SCHEMA = pa.schema([
    pa.field("source_row", pa.int64()),
    pa.field("source_offset", pa.int64(), metadata={"doc": "where the rejected frame starts, when known"}),
    pa.field("error_class", pa.string(), nullable=False, metadata={"doc": "e.g. ChecksumError, DecryptionError"}),
    pa.field("reason", pa.string(), nullable=False, metadata={"doc": "the stream's counter: checksum, frame, ..."}),
    pa.field("message", pa.string(), nullable=False),
])

#: (message field name, Arrow type) in the order of hanparse._columns.MESSAGE_FIELDS
_MESSAGE_TYPES = [pa.int64(), pa.int64(), pa.int64(), pa.string(), pa.string(), pa.string(), _UTC_TS, _LOCAL_TS,
                  pa.int16(), pa.bool_()]


# ----------------------------------------------------------------- columns

def columns_module(label: str) -> ModuleType:
    """The column-buffer module: ``"cython"`` the compiled one (ImportError if not built), ``"python"`` the source."""
    return _impl.native("columns") if label == "cython" else _impl.pure("columns")


#: the column buffers of the implementation the process chose (hanparse._impl)
_cols = _impl.select("columns")


def columns_implementation() -> str:
    """Which column buffers run: ``"cython"`` (compiled ``hanparse._columns``) or ``"python"``."""
    return "python" if _cols is _impl.pure("columns") else "cython"


def empty_readings() -> pa.RecordBatch:
    """A readings batch with no rows."""
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in SCHEMA], schema=SCHEMA)


def empty_errors() -> pa.RecordBatch:
    """An errors batch with no rows."""
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in ERROR_SCHEMA], schema=ERROR_SCHEMA)


def _typed(typ: pa.DataType, values: Any, valid: Optional[bytearray] = None) -> pa.Array:
    """An Arrow array over an ``array.array`` buffer as it is, with the column's validity bytes as its bitmap."""
    n = len(values)
    if valid is None or 0 not in valid:
        bits = None
    else:
        bits = pa.py_buffer(_cols.bitmap(valid))
    return pa.Array.from_buffers(typ, n, [bits, pa.py_buffer(values)])


def _coded(codes: Any, texts: List[Optional[str]]) -> pa.Array:
    """The strings ``texts[codes[i]]`` (null where the text is None)."""
    return pa.array(texts, pa.string()).take(_typed(pa.int32(), codes))


def _readings_batch(cols: Any) -> pa.RecordBatch:
    mlists, r = cols.take()
    if not len(r[0]):
        return empty_readings()
    take = _typed(pa.int32(), r[0])
    m = [pa.array(values, typ).take(take) for values, typ in zip(mlists, _MESSAGE_TYPES)]
    arrays = [m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8],
              _coded(*r[1]), _coded(*r[2]), _typed(pa.int16(), *r[3]), _typed(pa.float64(), *r[4]),
              _typed(pa.int64(), *r[5]), _typed(pa.int8(), *r[6]), pa.array(r[7], pa.string()), _coded(*r[8]),
              pa.array(r[9], _UTC_TS), pa.array(r[10], _LOCAL_TS), m[9], pa.array(r[11], pa.string())]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


class _Errors:
    """Error rows as lists."""

    def __init__(self) -> None:
        self.rows: List[Optional[int]] = []
        self.offsets: List[Optional[int]] = []
        self.classes: List[str] = []
        self.reasons: List[str] = []
        self.messages: List[str] = []

    def add(self, row: Optional[int], offset: Optional[int], exc: HanParseError) -> None:
        self.rows.append(row)
        self.offsets.append(offset)
        self.classes.append(type(exc).__name__)
        self.reasons.append(reason_of(exc))
        self.messages.append(exc.message)

    def __len__(self) -> int:
        return len(self.classes)

    def take(self) -> pa.RecordBatch:
        if not self.classes:
            return empty_errors()
        batch = pa.RecordBatch.from_arrays(
            [pa.array(self.rows, pa.int64()), pa.array(self.offsets, pa.int64()), pa.array(self.classes, pa.string()),
             pa.array(self.reasons, pa.string()), pa.array(self.messages, pa.string())], schema=ERROR_SCHEMA)
        self.__init__()  # type: ignore[misc]
        return batch


# ----------------------------------------------------------------- decoder

class Batch(NamedTuple):
    """One step of :func:`iter_batches`: readings (:data:`SCHEMA`) and errors (:data:`ERROR_SCHEMA`)."""

    readings: pa.RecordBatch
    errors: pa.RecordBatch


class Decoded(NamedTuple):
    """What :func:`decode` returns: the readings and errors tables and the decoder's counters."""

    readings: pa.Table
    errors: pa.Table
    stats: Dict[str, Any]


class _Decoder(StreamDecoder):
    """A StreamDecoder that also notes where each message ends in the stream."""

    def _setup(self, *args: Any) -> None:
        super()._setup(*args)
        self._ends: List[int] = []

    def _done(self, msg: Message, where: int, done: List[Tuple[int, int, Message]]) -> None:
        super()._done(msg, where, done)
        self._ends.append(where)

    def ends(self, n: int) -> List[Optional[int]]:
        """The end offsets of the ``n`` messages just returned, in their order."""
        ends = self._ends
        self._ends = []
        if len(ends) != n:  # the stream's internals changed: offsets unknown rather than wrong
            return [None] * n
        ends.sort()  # the stream returns messages ordered by where they end (stable)
        return list(ends)


Source = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", IO[bytes], Iterable[Any], pa.Array,
               pa.ChunkedArray]
Progress = Callable[[int, int, int], None]


class ArrowDecoder:
    """Decodes captures or payload rows into Arrow batches; keeps the counters across calls.

    ``keys``, ``options``, ``tz``, ``strict``, ``stuffed``: as for
    :class:`hanparse.StreamDecoder` (``keys`` may map system titles to
    :class:`~hanparse.Keys`).  ``batch_rows``: a batch is handed out once it
    holds at least this many readings (and at the end).  ``chunk_size``:
    bytes read and fed at a time from a capture.  ``max_buffer_size``: the
    stream's bound on buffered bytes.
    """

    def __init__(self, keys: Any = None, *, batch_rows: int = 65536, chunk_size: int = 1 << 20, options: Any = None,
                 tz: Any = DEFAULT_TZ, strict: bool = False, stuffed: bool = False,
                 max_buffer_size: int = 65536) -> None:
        if batch_rows < 1 or chunk_size < 1:
            raise ValueError("batch_rows and chunk_size must be positive")
        self._kw: Dict[str, Any] = {"options": options, "tz": tz, "strict": strict, "stuffed": stuffed}
        self._keys = keys
        self.batch_rows = batch_rows
        self.chunk_size = chunk_size
        self._errors = _Errors()
        self._stream = _Decoder(keys, max_buffer_size=max_buffer_size, on_error=self._on_error, **self._kw)
        self._row: Optional[int] = None
        self._base = 0  # the stream offset of the source's first byte fed
        self._begin = 0  # the capture offset of that byte
        self._pos = 0  # the capture offset reached
        self._keep_errors: Tuple[int, Optional[int]] = (0, None)  # error offsets kept: [start, end)
        self._row_errors: List[HanParseError] = []
        self._per_row = False

    @property
    def stream_stats(self) -> StreamStats:
        """The stream decoder's :class:`~hanparse.StreamStats` (live, cumulative)."""
        return self._stream.stats

    @property
    def stats(self) -> Dict[str, Any]:
        """The stream decoder's counters (:meth:`hanparse.StreamStats.as_dict`), cumulative."""
        return self._stream.stats.as_dict()

    def _on_error(self, exc: HanParseError) -> None:
        if self._per_row:
            self._row_errors.append(exc)
            return
        offset = self._offset_of(exc)
        key = self._pos if offset is None else offset  # where in the capture it was reported
        start, end = self._keep_errors
        if key < start or (end is not None and key >= end):
            return  # outside this byte range: another range reports it
        self._errors.add(self._row, offset, exc)

    def _offset_of(self, exc: HanParseError) -> Optional[int]:
        """The capture offset of a rejected frame; None when unknown (offsets inside decoded hex text)."""
        if exc.frame_offset is None or exc.source == "hex":
            return None
        return exc.frame_offset - self._base + self._begin

    def _batch(self, cols: Any) -> Batch:
        return Batch(_readings_batch(cols), self._errors.take())

    # -- captures

    def capture(self, source: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", IO[bytes]], *,
                row: Optional[int] = None, start: int = 0, end: Optional[int] = None, warmup: int = 1 << 18,
                progress: Optional[Progress] = None) -> Iterator[Batch]:
        """Batches of one capture: bytes, a path or a binary file object.

        ``row`` fills ``source_row``.  ``start``/``end``: decode only the
        messages that end in the byte range ``(start, end]`` (the first range
        starts at 0 and includes it), for splitting one file among workers:
        decoding starts ``warmup`` bytes before ``start`` so that the stream
        is in step there, and goes on a little past ``end`` so that a message
        ending at ``end`` is complete; ranges that tile a file give each
        message to exactly one range as long as no message is longer than
        ``warmup``.  ``progress(bytes_done, messages, rejected)`` is called
        after every chunk.
        """
        opened: Any = None
        if isinstance(source, (bytes, bytearray, memoryview)):
            data: Optional[memoryview] = memoryview(source).cast("B")
            fh = None
        else:
            data = None
            if isinstance(source, (str, os.PathLike)):
                opened = fh = open(source, "rb")
            else:
                fh = source  # type: ignore[assignment]
        try:
            yield from self._capture(data, fh, row, start, end, warmup, progress)
        finally:
            if opened is not None:
                opened.close()

    def _capture(self, data: Optional[memoryview], fh: Optional[IO[bytes]], row: Optional[int], start: int,
                 end: Optional[int], warmup: int, progress: Optional[Progress]) -> Iterator[Batch]:
        stream = self._stream
        stream.reset()
        stream._ends = []
        cols = _cols.Columns()
        begin = max(0, start - warmup) if start > 0 else 0
        self._base = stream._offset
        self._begin = begin
        # a range stops this far past its end: long enough for any message ending at `end` to be emitted
        stop = None if end is None else end + max(4096, stream.max_buffer_size)
        self._row = row
        self._keep_errors = (start, end)
        if fh is not None and begin:
            fh.seek(begin)
        pos = begin  # stream offset 0 is byte `begin`
        index = 0
        chunk_size = self.chunk_size
        eof = False
        try:
            while True:
                size = chunk_size if stop is None else min(chunk_size, stop - pos)
                if size <= 0:
                    break
                if data is not None:
                    chunk: Any = data[pos:pos + size]
                else:
                    assert fh is not None
                    chunk = fh.read(size)
                if not len(chunk):
                    eof = True
                    break
                pos += len(chunk)
                self._pos = pos
                index = self._keep(stream.feed(chunk), cols, row, begin, start, end, index)
                if progress is not None:
                    progress(pos - begin, stream.stats.messages, stream.stats.rejected)
                if cols.rows >= self.batch_rows:
                    yield self._batch(cols)
            if eof or end is None:
                if end is not None:  # the range reached the end of the file: its tail is this range's
                    self._keep_errors = (start, None)
                self._pos = max(pos - 1, start)
                index = self._keep(stream.flush(), cols, row, begin, start, end, index)
            else:
                stream.reset()  # what is cut at the stop belongs to the next range
            if progress is not None:
                progress(pos - begin, stream.stats.messages, stream.stats.rejected)
            yield self._batch(cols)
        finally:
            self._keep_errors = (0, None)
            self._row = None

    def _keep(self, msgs: List[Message], cols: Any, row: Optional[int], begin: int, start: int, end: Optional[int],
              index: int) -> int:
        if not msgs:
            return index
        ends = self._stream.ends(len(msgs))
        add = cols.add
        for msg, where in zip(msgs, ends):
            if where is not None:
                where += begin - self._base
                if start and where <= start:
                    continue
                if end is not None and where > end:
                    continue
            add(row, where, index, msg)
            index += 1
        return index

    # -- payload rows

    def payloads(self, rows: Union[Iterable[Any], pa.Array, pa.ChunkedArray], *, first_row: int = 0,
                 row_ids: Optional[Iterable[int]] = None) -> Iterator[Batch]:
        """Batches of payload rows (bytes or str each; None rows are skipped).

        Each row is decoded as :func:`hanparse.parse_payload` decodes it: its
        messages, or one error row when it gives none.  Rejected frames
        beside a row's messages are error rows too.  ``source_row`` is the
        row's number (from ``first_row``) or its id from ``row_ids``.
        """
        cols = _cols.Columns()
        stream = self._stream
        ids = iter(row_ids) if row_ids is not None else None
        n = first_row
        for payload in _iter_payloads(rows):
            row = next(ids) if ids is not None else n
            n += 1
            if payload is None:
                continue
            self._row_payload(payload, row, stream, cols)
            if cols.rows >= self.batch_rows:
                yield self._batch(cols)
        yield self._batch(cols)

    def _row_payload(self, payload: Any, row: int, stream: _Decoder, cols: Any) -> None:
        if not isinstance(payload, (bytes, bytearray, memoryview, str)):
            raise TypeError("a payload must be bytes or str, not %s" % type(payload).__name__)
        self._per_row = True
        self._row_errors = []
        stream._ends = []
        base = stream._offset
        try:
            msgs = [] if len(payload) > MAX_INPUT else stream.feed(payload)
            msgs += stream.flush()
        finally:
            self._per_row = False
        if msgs:
            ends = [None if e is None else e - base for e in stream.ends(len(msgs))]
            for exc in self._row_errors:
                off = None if exc.frame_offset is None or exc.source == "hex" else exc.frame_offset - base
                self._errors.add(row, off, exc)
        else:
            stream._ends = []
            try:  # what parse_payload says of a payload the stream finds no message in
                msgs = parse_payload(payload, self._keys, **self._kw)
            except HanParseError as exc:
                self._errors.add(row, None, exc)
                return
            ends = [None] * len(msgs)
        for index, (msg, where) in enumerate(zip(msgs, ends)):
            cols.add(row, where, index, msg)


def _iter_payloads(rows: Union[Iterable[Any], pa.Array, pa.ChunkedArray]) -> Iterator[Any]:
    if isinstance(rows, pa.ChunkedArray):
        for chunk in rows.chunks:
            yield from _iter_payloads(chunk)
        return
    if isinstance(rows, pa.Array):
        t = rows.type
        if not (pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_string(t)
                or pa.types.is_large_string(t) or pa.types.is_fixed_size_binary(t)):
            raise TypeError("a payload column must be binary or string, not %s" % t)
        step = 4096
        for i in range(0, len(rows), step):
            yield from rows.slice(i, step).to_pylist()
        return
    yield from rows


def _is_capture(source: Any) -> bool:
    return isinstance(source, (bytes, bytearray, memoryview, str, os.PathLike)) or hasattr(source, "read")


def iter_batches(source: Source, keys: Any = None, *, progress: Optional[Progress] = None,
                 **kwargs: Any) -> Iterator[Batch]:
    """:class:`Batch` es of ``source``: a capture (bytes, path, binary file) or payload rows (iterable, Arrow column).

    Keywords as for :class:`ArrowDecoder`.  Memory stays bounded by one
    chunk and one batch, whatever the input's size.
    """
    dec = ArrowDecoder(keys, **kwargs)
    if _is_capture(source):
        yield from dec.capture(source, progress=progress)  # type: ignore[arg-type]
    else:
        yield from dec.payloads(source)


def decode(source: Source, keys: Any = None, **kwargs: Any) -> Decoded:
    """All of ``source`` at once (see :func:`iter_batches`): readings and errors tables, and the counters."""
    dec = ArrowDecoder(keys, **kwargs)
    if _is_capture(source):
        batches = list(dec.capture(source))  # type: ignore[arg-type]
    else:
        batches = list(dec.payloads(source))
    readings = pa.Table.from_batches([b.readings for b in batches], schema=SCHEMA)
    errors = pa.Table.from_batches([b.errors for b in batches], schema=ERROR_SCHEMA)
    return Decoded(readings, errors, dec.stats)


# ------------------------------------------------------------------ pivot

#: the columns that identify a message in :func:`pivot`'s output
MESSAGE_COLUMNS = ("source_row", "source_offset", "message_index", "format", "meter_id", "list_id", "message_time",
                   "message_time_local", "utc_offset_min", "encrypted")


def pivot(table: Union[pa.Table, pa.RecordBatch]) -> pa.Table:
    """The wide form: one row per message, one column per registry name.

    The message columns (:data:`MESSAGE_COLUMNS`) come first, then one
    column per quantity in order of first appearance, named by its registry
    name (its OBIS text when it has none; ``name@channel`` for P1
    sub-meters).  A quantity holds ``value`` (float64) when any of its rows
    is a number, else ``text``.  A quantity a message reports twice keeps
    its first value.
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    n = table.num_rows
    key_cols = [table.column(c).to_pylist() for c in ("source_row", "source_offset", "message_index")]
    names = table.column("name").to_pylist()
    obis = table.column("obis").to_pylist()
    channels = table.column("channel").to_pylist()
    values = table.column("value").to_pylist()
    texts = table.column("text").to_pylist()
    first_row: List[int] = []  # row of each message's first reading
    where: Dict[Tuple[Any, ...], int] = {}
    labels: Dict[str, Dict[int, Tuple[Any, Any]]] = {}
    for i in range(n):
        key = (key_cols[0][i], key_cols[1][i], key_cols[2][i])
        m = where.get(key)
        if m is None:
            m = where[key] = len(first_row)
            first_row.append(i)
        label = names[i] or obis[i]
        if label in MESSAGE_COLUMNS:  # a reading named like a message column (meter_id): its OBIS text
            label = obis[i]
        if channels[i] is not None:
            label = "%s@%d" % (label, channels[i])
        col = labels.setdefault(label, {})
        if m not in col:
            col[m] = (values[i], texts[i])
    idx = pa.array(first_row, pa.int64())
    arrays = [table.column(c).take(idx) for c in MESSAGE_COLUMNS]
    fields = [table.schema.field(c) for c in MESSAGE_COLUMNS]
    for label, col in labels.items():
        numeric = any(v is not None for v, _ in col.values())
        got = [col.get(m) for m in range(len(first_row))]
        if numeric:
            arrays.append(pa.chunked_array([pa.array([g[0] if g else None for g in got], pa.float64())]))
            fields.append(pa.field(label, pa.float64()))
        else:
            arrays.append(pa.chunked_array([pa.array([g[1] if g else None for g in got], pa.string())]))
            fields.append(pa.field(label, pa.string()))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
