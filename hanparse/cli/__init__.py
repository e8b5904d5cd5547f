"""The ``hanparse`` command line (also ``python -m hanparse``).

The subcommands are listed in :data:`SUBCOMMANDS`, one module each
(:mod:`hanparse.cli.frames`, :mod:`hanparse.cli.decode`,
:mod:`hanparse.cli.explain`), each holding a :class:`Subcommand`: a
``configure(parser)`` that adds its arguments and a ``run(args) -> int``
that returns the exit code.  Importing a subcommand module registers
nothing; add one by listing it here.

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
import sys
from typing import Optional, Sequence, Tuple

from .. import __version__
from . import bridge, decode, explain, frames
from ._common import (
    EXIT_CHECKSUM,
    EXIT_DECRYPTION,
    EXIT_IO,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CliError,
    Subcommand,
    read_source,
)

__all__ = [
    "main",
    "build_parser",
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

#: the subcommands, in the order ``--help`` lists them
SUBCOMMANDS: Tuple[Subcommand, ...] = (frames.COMMAND, decode.COMMAND, explain.COMMAND, bridge.COMMAND)

EPILOG = """exit codes: 0 ok; 2 bad input or usage; 3 checksum error (HCS/FCS/M-Bus sum/DSMR CRC);
4 I/O error; 5 decryption failed (missing or wrong key). Errors are one line: 'hanparse: error: ...'."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Decode smart meter customer-port data (HDLC/M-Bus DLMS, DSMR P1).",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for cmd in SUBCOMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
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
        code: int = args._run(args)
        return code
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
