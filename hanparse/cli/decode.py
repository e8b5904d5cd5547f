"""``hanparse decode``: decode a capture, stdin or a serial port into messages (JSON, table or CSV)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from typing import Any, Dict

from .. import StreamDecoder
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


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="FILE", nargs="?",
                   help="capture file (binary, hex text or telegram text), or - for stdin")
    g = p.add_argument_group("serial port (needs the [serial] extra)")
    g.add_argument("--port", metavar="DEV", help="read a serial port instead of a file, e.g. /dev/ttyUSB0")
    g.add_argument("--preset", choices=("mbus-han", "mbus-han-8n1", "p1", "p1-legacy"),
                   help="serial settings of a meter family (default mbus-han: 2400 8E1)")
    g.add_argument("--baud", type=int, help="baud rate (overrides the preset)")
    g.add_argument("--parity", choices=("E", "N", "O"), help="parity (overrides the preset)")
    g.add_argument("--bytesize", type=int, choices=(7, 8), help="data bits (overrides the preset)")
    g.add_argument("--stopbits", type=float, choices=(1, 1.5, 2), help="stop bits (overrides the preset)")
    add_key_args(p)
    p.add_argument("--country", metavar="CC", help="meter country for vendor quirks (NO, SE, DK, AT, ...)")
    p.add_argument("--tz", default="Europe/Amsterdam", help="time zone of P1 telegram clocks (default %(default)s)")
    p.add_argument("--format", dest="output", choices=("json", "table", "csv"), default="json",
                   help="one JSON object per message (default), a table, or CSV (one row per reading)")
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
        self.first: Dict[str, HanParseError] = {}

    def __call__(self, exc: HanParseError) -> None:
        self.first.setdefault(reason_of(exc), exc)
        if self.verbose:
            where = getattr(exc, "frame_offset", None)
            sys.stderr.write("hanparse: rejected%s: %s\n" % ("" if where is None else " at %d" % where, exc.message))


def _progress(done: int, total: int) -> None:
    width = 30
    k = width * done // total if total else width
    sys.stderr.write("\r[%s%s] %3d%%" % ("#" * k, "." * (width - k), 100 * done // total if total else 100))
    sys.stderr.flush()


def _decode_file(args: argparse.Namespace, decoder: StreamDecoder, printer: _Printer) -> None:
    try:
        if args.source == "-":
            fh = sys.stdin.buffer
            total = 0
        else:
            fh = open(args.source, "rb")
            total = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise CliError("cannot read %s: %s" % (args.source, exc.strerror or exc), EXIT_IO) from None
    show = total >= _PROGRESS_MIN and sys.stderr.isatty()
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
                _progress(done, total)
        for msg in decoder.flush():
            printer.message(msg)
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


def _run(args: argparse.Namespace) -> int:
    if (args.source is None) == (args.port is None):
        raise CliError("give exactly one input: FILE, - (stdin) or --port DEV")
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
    printer = _Printer(args.output, sys.stdout)
    if args.port:
        _decode_port(args, decoder, printer)
    else:
        _decode_file(args, decoder, printer)
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
                                                                  first["decryption"].message, tail), EXIT_DECRYPTION)
    if "checksum" in first:
        n = st.rejected_by_reason["checksum"]
        raise CliError("%d frame%s failed the checksum: %s%s" % (n, "" if n == 1 else "s", first["checksum"].message,
                                                               tail), EXIT_CHECKSUM)
    if st.messages == 0:
        detail = next(iter(first.values())).message if first else "no frame found"
        raise CliError("no message decoded from %s: %s%s" % (args.source or args.port, detail, tail))
    return EXIT_OK


#: the ``decode`` subcommand
COMMAND = Subcommand("decode", "decode a capture, stdin or a serial port into messages (JSON, table or CSV)",
                     _configure, _run)
