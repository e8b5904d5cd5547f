"""``hanparse frames``: list the HDLC, M-Bus and DSMR frames of a capture with their checksums.

Each frame also shows what the decode pipeline made of it (the dispatcher
every door uses): the message it completes, a segment that waits for the
rest of its message, or the error that rejected it.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Tuple

from .. import IMPLEMENTATION, FrameScanner
from .._pipeline import Dispatcher, Options
from ..dsmr.framing import DsmrFrame
from ..errors import ChecksumError, HanParseError
from ..hdlc import HdlcFrame
from ..mbus import MbusFrame
from ._common import EXIT_CHECKSUM, EXIT_OK, CliError, Subcommand, add_key_args, keys_from_args, read_source

__all__ = ["COMMAND"]


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
    # short and long frames have C, A and the checksum; long ones CI, and a sequence with an APDU
    check = "ok (CS %02X)" % f.checksum  # type: ignore[str-format]
    if f.kind == "short":
        return check, "short C %02X A %02X" % (f.c, f.a)  # type: ignore[str-format]
    detail = "C %02X A %02X CI %02X" % (f.c, f.a, f.ci)  # type: ignore[str-format]
    if f.apdu is not None:
        detail += " seq %d%s apdu %d" % (f.sequence, " FIN" if f.fin else "", len(f.apdu))  # type: ignore[str-format]
    return check, detail


def _dsmr_row(f: DsmrFrame) -> Tuple[str, str]:
    check = "ok (CRC %04X)" % f.crc if f.crc is not None else "no CRC"
    return check, f.identification.encode("ascii", "backslashreplace").decode("ascii")


def _row(frame: object) -> Tuple[str, str, str]:
    if isinstance(frame, HdlcFrame):
        return ("hdlc",) + _hdlc_row(frame)
    if isinstance(frame, MbusFrame):
        return ("mbus",) + _mbus_row(frame)
    return ("dsmr",) + _dsmr_row(frame)  # type: ignore[arg-type]  # formats: hdlc, mbus, dsmr only


def _reject_row(exc: HanParseError) -> Tuple[str, str]:
    if isinstance(exc, ChecksumError):
        name = {"hcs": "HCS", "fcs": "FCS", "mbus": "CS", "crc": "CRC"}.get(exc.field, exc.field)
        return "BAD %s" % name, exc.message
    return "rejected", exc.message


def _decoded(dispatch: Dispatcher, frame: object) -> str:
    """What the pipeline makes of the frame, in a few words."""
    try:
        msg = dispatch.push(frame)
    except HanParseError as exc:
        return "%s: %s" % (type(exc).__name__, exc.message)
    if msg is None:
        return "part of a message (more frames follow)"
    return "message, %d reading%s" % (len(msg.readings), "" if len(msg.readings) == 1 else "s")


def _configure(p: argparse.ArgumentParser) -> None:
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
    add_key_args(p)


def _run(args: argparse.Namespace) -> int:
    data = read_source(args.source)
    rejected: List[HanParseError] = []
    scanner = FrameScanner(
        stuffed=args.stuffed,
        formats=args.formats or ("hdlc", "mbus", "dsmr"),
        mbus_short=args.mbus_short,
        on_error=rejected.append,
    )
    found = scanner.scan_all(data)
    dispatch = Dispatcher(Options(keys_from_args(args), stuffed=args.stuffed))
    rows: List[Tuple[int, int, str, str, str, str, str]] = []
    for k, (offset, frame) in enumerate(found):
        fmt, check, detail = _row(frame)
        rows.append((offset, 0, str(k), fmt, str(len(frame.raw)), check, detail + "  => " + _decoded(dispatch, frame)))
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
            IMPLEMENTATION,
        )
    )
    if stats.rejected.get("checksum"):
        return EXIT_CHECKSUM
    if stats.frames == 0:
        raise CliError("no frame found in %s" % args.source)
    return EXIT_OK


#: the ``frames`` subcommand
COMMAND = Subcommand("frames", "list the HDLC, M-Bus and DSMR frames in a capture", _configure, _run)
