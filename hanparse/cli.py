"""The ``hanparse`` command line (also ``python -m hanparse``).

Subcommands live in :data:`SUBCOMMANDS` (name -> :class:`Subcommand`): a
``configure(parser)`` that adds its arguments and a ``run(args) -> int``
that returns the exit code.  Add one with :func:`register`.

Exit codes (:data:`EXIT_OK` ...):

===  =====================================================================
0    success
2    usage error or unusable input (bad hex text, no frame found)
3    the input was read, but some frame failed its checksum (HCS, FCS,
     M-Bus sum or DSMR CRC); the good frames are still listed
4    I/O error (file missing, unreadable, serial port)
5    decryption failed (missing or wrong key, authentication tag mismatch)
===  =====================================================================

Errors are one line on stderr: ``hanparse: <what went wrong>``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, TextIO, Tuple

from . import __version__, _impl
from .errors import ChecksumError, HanParseError
from .framing import FrameScanner, Frame
from .dsmr.framing import DsmrFrame
from .hdlc import HdlcFrame
from .mbus import MbusFrame

__all__ = [
    "main",
    "register",
    "Subcommand",
    "SUBCOMMANDS",
    "CliError",
    "read_source",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_CHECKSUM",
    "EXIT_IO",
    "EXIT_DECRYPTION",
]

#: exit code: success
EXIT_OK = 0
#: exit code: usage error or unusable input (bad hex, bad key, no message found)
EXIT_USAGE = 2
#: exit code: a frame failed its checksum (the good messages are still printed)
EXIT_CHECKSUM = 3
#: exit code: I/O error (missing or unreadable file, serial port)
EXIT_IO = 4
#: exit code: decryption failed (missing or wrong key, tag mismatch)
EXIT_DECRYPTION = 5

EPILOG = """exit codes: 0 ok; 2 bad input or usage; 3 checksum error (HCS/FCS/M-Bus sum/DSMR CRC);
4 I/O error; 5 decryption failed (missing or wrong key). Errors are one line: 'hanparse: error: ...'."""

PROG = "hanparse"


class CliError(Exception):
    """A failure reported as one line on stderr with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Subcommand:
    """One ``hanparse <name>`` command."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


#: registered subcommands, in the order ``--help`` lists them
SUBCOMMANDS: Dict[str, Subcommand] = {}


def register(
    name: str,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Add (or replace) the subcommand ``name``."""
    SUBCOMMANDS[name] = Subcommand(help, configure, run)


# ------------------------------------------------------------------ input

_HEX_TEXT = re.compile(rb"[0-9A-Fa-f\s]+")


def read_source(source: str, stdin: Optional[TextIO] = None) -> bytes:
    """The bytes of FILE, or of stdin for ``-``.

    A file that holds only hex digits and whitespace is hex text and is
    decoded (a captured frame pasted from a log); anything else is taken as
    the raw bytes of a capture.  Raises :class:`CliError` (exit 4 for I/O
    errors, 2 for malformed hex).
    """
    try:
        if source == "-":
            stream = stdin if stdin is not None else sys.stdin
            data = stream.buffer.read()
        else:
            with open(source, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CliError("cannot read %s: %s" % (source, reason), EXIT_IO) from None
    if data.strip() and _HEX_TEXT.fullmatch(data):
        digits = b"".join(data.split())
        if len(digits) % 2:
            raise CliError("%s looks like hex text but has an odd number of digits" % source)
        data = bytes.fromhex(digits.decode("ascii"))
    return data


# ----------------------------------------------------------------- frames


def _hdlc_row(f: HdlcFrame) -> Tuple[str, str]:
    check = "ok (%sFCS ok)" % ("HCS ok, " if f.hcs is not None else "no HCS, ")
    detail = "dst %s src %s ctrl %02X%s info %d" % (
        f.dst_raw.hex(),
        f.src_raw.hex(),
        f.control,
        " S=1" if f.segmented else "",
        len(f.information_field),
    )
    return check, detail


def _mbus_row(f: MbusFrame) -> Tuple[str, str]:
    if f.kind == "ack":
        return "-", "ack E5"
    check = "ok (CS %02X)" % f.checksum
    if f.kind == "short":
        return check, "short C %02X A %02X" % (f.c, f.a)
    detail = "C %02X A %02X CI %02X" % (f.c, f.a, f.ci)
    if f.apdu is not None:
        detail += " seq %d%s apdu %d" % (f.sequence, " FIN" if f.fin else "", len(f.apdu))
    return check, detail


def _dsmr_row(f: DsmrFrame) -> Tuple[str, str]:
    check = "ok (CRC %04X)" % f.crc if f.crc is not None else "no CRC"
    return check, f.identification.encode("ascii", "backslashreplace").decode("ascii")


def _row(frame: Frame) -> Tuple[str, str, str]:
    if isinstance(frame, HdlcFrame):
        return ("hdlc",) + _hdlc_row(frame)
    if isinstance(frame, MbusFrame):
        return ("mbus",) + _mbus_row(frame)
    return ("dsmr",) + _dsmr_row(frame)


def _reject_row(exc: HanParseError) -> Tuple[str, str]:
    if isinstance(exc, ChecksumError):
        name = {"hcs": "HCS", "fcs": "FCS", "mbus": "CS", "crc": "CRC"}.get(exc.field, exc.field)
        return "BAD %s" % name, exc.message
    return "rejected", exc.message


def _configure_frames(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="FILE", help="capture file (binary or hex text), or - for stdin")
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=("hdlc", "mbus", "dsmr"),
        help="look only for this format (repeatable; default: all)",
    )
    p.add_argument("--stuffed", action="store_true", help="HDLC uses ISO/IEC 13239 octet stuffing")
    p.add_argument("--mbus-short", action="store_true", help="also report M-Bus short frames and E5 acks")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary line")


def _run_frames(args: argparse.Namespace) -> int:
    data = read_source(args.source)
    rejected: List[HanParseError] = []
    scanner = FrameScanner(
        stuffed=args.stuffed,
        formats=args.formats or ("hdlc", "mbus", "dsmr"),
        mbus_short=args.mbus_short,
        on_error=rejected.append,
    )
    found = scanner.scan(data) + scanner.scan_flush()
    rows: List[Tuple[int, int, str, str, str, str, str]] = []
    for k, (offset, frame) in enumerate(found):
        fmt, check, detail = _row(frame)
        rows.append((offset, 0, str(k), fmt, str(len(frame.raw)), check, detail))
    for exc in rejected:
        check, detail = _reject_row(exc)
        offset = getattr(exc, "frame_offset", exc.offset or 0)
        rows.append((offset, 1, "-", getattr(exc, "frame_format", "?"), "-", check, detail))
    rows.sort(key=lambda r: (r[0], r[1]))
    out = sys.stdout
    if not args.quiet:
        out.write("%5s %8s  %-4s %6s  %-22s %s\n" % ("#", "offset", "type", "length", "check", "detail"))
        for offset, _, index, fmt, length, check, detail in rows:
            out.write("%5s %8d  %-4s %6s  %-22s %s\n" % (index, offset, fmt, length, check, detail))
    stats = scanner.stats
    by_format = ", ".join("%s %d" % kv for kv in sorted(stats.frames_by_format.items()))
    by_reason = ", ".join("%s %d" % kv for kv in sorted(stats.rejected.items()))
    out.write(
        "summary: %d frame%s%s; %d rejected%s; %d bytes in, %d skipped; implementation %s\n"
        % (
            stats.frames,
            "" if stats.frames == 1 else "s",
            " (%s)" % by_format if by_format else "",
            stats.rejected_total,
            " (%s)" % by_reason if by_reason else "",
            stats.bytes_in,
            stats.bytes_skipped,
            _impl.IMPLEMENTATION,
        )
    )
    if stats.rejected.get("checksum"):
        return EXIT_CHECKSUM
    if stats.frames == 0:
        raise CliError("no frame found in %s" % args.source)
    return EXIT_OK


register("frames", "list the HDLC, M-Bus and DSMR frames in a capture", _configure_frames, _run_frames)


from . import _cli_decode  # noqa: E402,F401  (registers decode and explain)

# ------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Decode smart meter customer-port data (HDLC/M-Bus DLMS, DSMR P1).",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, cmd in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.configure(p)
        p.set_defaults(_run=cmd.run)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args._run(args)
    except CliError as exc:
        sys.stderr.write("%s: error: %s\n" % (PROG, exc.message))
        return exc.code
    except BrokenPipeError:  # output piped into head & co.: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        sys.stderr.write("%s: error: %s\n" % (PROG, exc.strerror or exc))
        return EXIT_IO
