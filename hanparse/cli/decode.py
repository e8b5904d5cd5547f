"""``hanparse decode``: decode a capture, stdin or a serial port into messages (JSON, table or CSV)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
import time
from typing import Any, Dict, Optional, TextIO

from .. import StreamDecoder
from ..aio._serial import SERIAL_PRESETS
from ..errors import HanParseError, reason_of
from ..model import Message
from ._common import (
    EXIT_CHECKSUM,
    EXIT_DECRYPTION,
    EXIT_IO,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Subcommand,
    add_key_args,
    keys_from_args,
)

__all__ = ["COMMAND"]

_PROGRESS_MIN = 1 << 20  # show a progress bar for files from 1 MiB, on a terminal
#: output formats that write the long table of readings (hanparse.arrow.SCHEMA)
_BULK = ("parquet", "arrow", "long-csv")


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="FILE", nargs="?",
                   help="capture file (binary, hex text or telegram text), or - for stdin")
    g = p.add_argument_group("serial port (needs the [serial] extra)")
    g.add_argument("--port", metavar="DEV", help="read a serial port instead of a file, e.g. /dev/ttyUSB0")
    g.add_argument("--preset", choices=tuple(SERIAL_PRESETS),
                   help="serial settings of a meter family (default mbus-han: 2400 8E1)")
    g.add_argument("--baud", type=int, help="baud rate (overrides the preset)")
    g.add_argument("--parity", choices=("E", "N", "O"), help="parity (overrides the preset)")
    g.add_argument("--bytesize", type=int, choices=(7, 8), help="data bits (overrides the preset)")
    g.add_argument("--stopbits", type=float, choices=(1, 1.5, 2), help="stop bits (overrides the preset)")
    add_key_args(p)
    p.add_argument("--country", metavar="CC", help="meter country for vendor quirks (NO, SE, DK, AT, ...)")
    p.add_argument("--tz", default="Europe/Amsterdam", help="time zone of P1 telegram clocks (default %(default)s)")
    p.add_argument("--format", dest="output", choices=("json", "table", "csv") + _BULK, default="json",
                   help="one JSON object per message (default), a table, or CSV (one row per reading); "
                        "parquet, arrow (IPC file) or long-csv: the long table of readings of hanparse.arrow "
                        "(needs the [arrow] extra; parquet and arrow need -o)")
    p.add_argument("-o", "--output", dest="out", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--errors", metavar="FILE",
                   help="with parquet, arrow or long-csv: also write the rejected frames there (same format)")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar on stderr (default: for files from 1 MiB on a terminal)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="never show the progress bar")
    p.add_argument("--stats", action="store_true",
                   help="print the decoder's counters on stderr at the end (and a hint when nothing decoded)")
    p.add_argument("--stuffed", action="store_true", help="HDLC uses ISO/IEC 13239 octet stuffing")
    p.add_argument("--strict", action="store_true", help="reject values that are otherwise kept as null")
    p.add_argument("--verbose", "-v", action="store_true", help="print every rejected frame on stderr")


class _Printer:
    def __init__(self, fmt: str, out: Any) -> None:
        self.fmt = fmt
        self.out = out
        self.csv = None
        if fmt == "csv":
            self.csv = csv.writer(out, lineterminator="\n")
            self.csv.writerow(["timestamp", "meter_id", "obis", "name", "value", "unit"])

    def message(self, msg: Message) -> None:
        if self.fmt == "json":
            self.out.write(json.dumps(msg.to_dict(), ensure_ascii=False, default=str) + "\n")
        elif self.fmt == "csv":
            meter_id = msg.meter.meter_id or ""
            for r in msg.readings:
                ts = r.timestamp or msg.timestamp
                self.csv.writerow([ts.isoformat() if ts else "", meter_id,  # type: ignore[union-attr]
                                   str(r.obis), r.name or "", _text(r.value), r.unit or ""])
        else:
            self._table(msg)
        self.out.flush()

    def _table(self, msg: Message) -> None:
        m = msg.meter
        who = " ".join(x for x in (m.manufacturer, m.model, m.meter_id) if x) or "meter"
        ts = msg.timestamp.isoformat() if msg.timestamp else "-"
        self.out.write("%s  %s  %s%s\n" % (ts, msg.format, who, "  (encrypted)" if msg.encrypted else ""))
        for r in msg.readings:
            self.out.write("  %-20s %-34s %18s %s\n" % (r.obis.short, r.name or "", _text(r.value), r.unit or ""))
        self.out.write("\n")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class _Errors:
    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.first: Dict[str, str] = {}  # reason -> the first error's text

    def __call__(self, exc: HanParseError) -> None:
        self.seen(reason_of(exc), getattr(exc, "frame_offset", None), exc.message)

    def seen(self, reason: str, where: Optional[int], message: str) -> None:
        self.first.setdefault(reason, message)
        if self.verbose:
            sys.stderr.write("hanparse: rejected%s: %s\n" % ("" if where is None else " at %d" % where, message))


class _Progress:
    """A one-line progress bar on stderr: bytes done, messages, rejects, rate."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total = total
        self.out = out
        self.t0 = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, messages: int, rejected: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        width = 24
        total = self.total
        k = width * done // total if total else width
        pct = 100 * done // total if total else 100
        secs = max(now - self.t0, 1e-9)
        self.out.write("\r[%s%s] %3d%% %s/%s  %d messages  %d rejected  %.1f MB/s  %d msg/s " % (
            "#" * k, "." * (width - k), pct, _size(done), _size(total), messages, rejected, done / secs / 1e6,
            messages / secs))
        self.out.flush()


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _show_progress(args: argparse.Namespace, total: int) -> bool:
    if args.progress is not None:
        return bool(args.progress)
    return total >= _PROGRESS_MIN and sys.stderr.isatty()


def _open_input(args: argparse.Namespace) -> Any:
    """``(binary file, size)`` of FILE (stdin for ``-``, size 0: unknown); CliError (exit 4) when unreadable."""
    if args.source == "-":
        return sys.stdin.buffer, 0
    try:
        fh = open(args.source, "rb")
        return fh, os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise CliError("cannot read %s: %s" % (args.source, exc.strerror or exc), EXIT_IO) from None


def _decode_file(args: argparse.Namespace, decoder: StreamDecoder, printer: _Printer) -> None:
    fh, total = _open_input(args)
    show = _show_progress(args, total)
    bar = _Progress(total, sys.stderr)
    done = 0
    try:
        while True:
            try:
                chunk = fh.read(65536)
            except OSError as exc:
                raise CliError("cannot read %s: %s" % (args.source, exc.strerror or exc), EXIT_IO) from None
            if not chunk:
                break
            done += len(chunk)
            for msg in decoder.feed(chunk):
                printer.message(msg)
            if show:
                bar(done, decoder.stats.messages, decoder.stats.rejected)
        for msg in decoder.flush():
            printer.message(msg)
        if show:
            bar(done, decoder.stats.messages, decoder.stats.rejected, True)
    finally:
        if show:
            sys.stderr.write("\n")
        if fh is not sys.stdin.buffer:
            fh.close()


def _decode_port(args: argparse.Namespace, decoder: StreamDecoder, printer: _Printer) -> None:
    from .. import aio  # needs the [serial] extra only when a port is read

    async def run() -> None:
        try:
            reader, writer = await aio.open_serial(args.port, args.baud, parity=args.parity, bytesize=args.bytesize,
                                                   stopbits=args.stopbits, preset=args.preset)
        except aio.SerialUnavailableError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        try:
            async for msg in aio.read_messages(reader, decoder):
                printer.message(msg)
        finally:
            writer.close()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise CliError("serial port %s: %s" % (args.port, exc.strerror or exc), EXIT_IO) from None


class _TableWriter:
    """Writes record batches to a Parquet, Arrow IPC or CSV file (or CSV to stdout)."""

    def __init__(self, fmt: str, path: Optional[str], schema: Any) -> None:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

        self.fmt = fmt
        self.path = path
        self.schema = schema
        self.sink: Any = None
        try:
            if fmt == "parquet":
                import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

                self.writer: Any = pq.ParquetWriter(path, schema, compression="zstd")
            elif fmt == "arrow":
                self.sink = pa.OSFile(path, "wb")
                self.writer = pa.ipc.new_file(self.sink, schema)
            else:
                import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]

                self.sink = pa.output_stream(path) if path and path != "-" else pa.PythonFile(sys.stdout.buffer, "w")
                self.writer = pcsv.CSVWriter(self.sink, schema)
        except OSError as exc:
            raise CliError("cannot write %s: %s" % (path, exc.strerror or exc), EXIT_IO) from None

    def write(self, batch: Any) -> None:
        try:
            if batch.num_rows:
                self.writer.write_batch(batch)
        except OSError as exc:
            raise CliError("cannot write %s: %s" % (self.path, exc.strerror or exc), EXIT_IO) from None

    def close(self) -> None:
        self.writer.close()
        if self.sink is not None and self.path and self.path != "-":
            self.sink.close()
        elif self.sink is not None:
            sys.stdout.flush()


def _decode_table(args: argparse.Namespace, keys: Any, options: Any, errors: _Errors) -> Any:
    """Decode FILE (or stdin) into the long table of readings; return the stream's counters."""
    try:
        from .. import arrow
    except ImportError as exc:
        raise CliError("--format %s needs pyarrow: pip install 'hanparse[arrow]'" % args.output) from exc
    try:
        dec = arrow.ArrowDecoder(keys, options=options, tz=args.tz, strict=args.strict, stuffed=args.stuffed)
    except HanParseError as exc:
        raise CliError(exc.message) from None
    fh, total = _open_input(args)
    show = _show_progress(args, total)
    bar = _Progress(total, sys.stderr) if show else None
    out = _TableWriter(args.output, args.out, arrow.SCHEMA)
    err_out = _TableWriter("csv" if args.output == "long-csv" else args.output, args.errors,
                           arrow.ERROR_SCHEMA) if args.errors else None
    rows = 0
    t0 = time.monotonic()
    try:
        for batch in dec.capture(fh, progress=bar):
            out.write(batch.readings)
            rows += batch.readings.num_rows
            if batch.errors.num_rows:
                for e in batch.errors.to_pylist():
                    errors.seen(e["reason"], e["source_offset"], e["message"])
                if err_out is not None:
                    err_out.write(batch.errors)
        if bar is not None:
            sts = dec.stream_stats
            bar(sts.bytes_in, sts.messages, sts.rejected, True)
    except OSError as exc:
        raise CliError("cannot read %s: %s" % (args.source, exc.strerror or exc), EXIT_IO) from None
    finally:
        if show:
            sys.stderr.write("\n")
        out.close()
        if err_out is not None:
            err_out.close()
        if fh is not sys.stdin.buffer:
            fh.close()
    st = dec.stream_stats
    secs = max(time.monotonic() - t0, 1e-9)
    if show or args.stats:
        sys.stderr.write("hanparse: %d messages, %d readings, %d rejected, %.1f MB in %.2f s (%.1f MB/s)\n" % (
            st.messages, rows, st.rejected, st.bytes_in / 1e6, secs, st.bytes_in / 1e6 / secs))
    return st


def _open_text_out(args: argparse.Namespace) -> TextIO:
    if not args.out or args.out == "-":
        return sys.stdout
    try:
        return open(args.out, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CliError("cannot write %s: %s" % (args.out, exc.strerror or exc), EXIT_IO) from None


def _run(args: argparse.Namespace) -> int:
    if (args.source is None) == (args.port is None):
        raise CliError("give exactly one input: FILE, - (stdin) or --port DEV")
    bulk = args.output in _BULK
    if bulk and args.port:
        raise CliError("--format %s reads a file or stdin, not a serial port" % args.output)
    if args.errors and not bulk:
        raise CliError("--errors goes with --format parquet, arrow or long-csv")
    if args.output in ("parquet", "arrow") and (not args.out or args.out == "-"):
        raise CliError("--format %s needs -o FILE" % args.output)
    keys = keys_from_args(args)
    errors = _Errors(args.verbose)
    options = {"country": args.country.upper()} if args.country else None
    try:
        decoder = StreamDecoder(keys, on_error=errors, options=options, tz=args.tz, strict=args.strict,
                                stuffed=args.stuffed)
    except HanParseError as exc:
        raise CliError(exc.message) from None
    except Exception as exc:  # e.g. an unknown time zone
        raise CliError("bad option: %s" % exc) from None
    if bulk:
        st = _decode_table(args, keys, options, errors)
    else:
        out = _open_text_out(args)
        try:
            printer = _Printer(args.output, out)
            if args.port:
                _decode_port(args, decoder, printer)
            else:
                _decode_file(args, decoder, printer)
        finally:
            if out is not sys.stdout:
                out.close()
        st = decoder.stats
    hint = st.hint
    if args.stats:
        sys.stderr.write(json.dumps(st.as_dict()) + "\n")
        if hint:
            sys.stderr.write("hint: %s\n" % hint)
    tail = " (hint: %s)" % hint if hint and not args.stats else ""
    first = errors.first
    if "decryption" in first:
        n = st.rejected_by_reason.get("decryption", 0)
        raise CliError("%d frame%s could not be decrypted: %s%s" % (n, "" if n == 1 else "s",
                                                                  first["decryption"], tail), EXIT_DECRYPTION)
    if "checksum" in first:
        n = st.rejected_by_reason["checksum"]
        raise CliError("%d frame%s failed the checksum: %s%s" % (n, "" if n == 1 else "s", first["checksum"],
                                                               tail), EXIT_CHECKSUM)
    if st.messages == 0:
        detail = next(iter(first.values())) if first else "no frame found"
        raise CliError("no message decoded from %s: %s%s" % (args.source or args.port, detail, tail))
    return EXIT_OK


#: the ``decode`` subcommand
COMMAND = Subcommand("decode", "decode a capture, stdin or a serial port into messages (JSON, table or CSV)",
                     _configure, _run)
