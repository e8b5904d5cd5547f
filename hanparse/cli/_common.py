"""What the ``hanparse`` subcommands share: exit codes, :class:`CliError`,
:class:`Subcommand`, input reading and the key options.

A leaf of :mod:`hanparse.cli`: the subcommand modules import it, it imports
none of them (nor the package that lists them).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional, TextIO

from .._api import hex_payload
from ..errors import HanParseError
from ..security import Keys

__all__ = [
    "PROG",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_CHECKSUM",
    "EXIT_IO",
    "EXIT_DECRYPTION",
    "CliError",
    "Subcommand",
    "read_source",
    "add_key_args",
    "keys_from_args",
]

#: the program name in usage lines and error messages
PROG = "hanparse"

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


class CliError(Exception):
    """A failure reported as one line on stderr with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Subcommand:
    """One ``hanparse <name>`` command.

    ``help`` is its one-line description; ``configure(parser)`` adds its
    arguments to its argparse subparser; ``run(args)`` does the work and
    returns the exit code (or raises :class:`CliError`).
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None] = field(repr=False)
    run: Callable[[argparse.Namespace], int] = field(repr=False)


# ------------------------------------------------------------------ input

_HEX_TEXT = re.compile(rb"[0-9A-Fa-f\s:,-]+")


def read_source(source: str, stdin: Optional[TextIO] = None) -> bytes:
    """The bytes of FILE, or of stdin for ``-``.

    A file that holds only hex digits and separators (whitespace, ``:``,
    ``-``, ``,``) is hex text and is decoded (a captured frame pasted from a
    log; the same rule as :func:`hanparse._wire.hex_payload`); anything else is taken as
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
    decoded = hex_payload(data)
    if decoded is not None:
        return decoded
    if data.strip() and _HEX_TEXT.fullmatch(data):
        raise CliError("%s looks like hex text but has an odd number of digits" % source)
    return data


# ------------------------------------------------------------------- keys


def add_key_args(p: argparse.ArgumentParser) -> None:
    """Add ``--key`` and ``--auth-key`` to a subcommand's parser."""
    p.add_argument("--key", metavar="HEX", help="encryption key (GUEK), 32 hex digits")
    p.add_argument("--auth-key", metavar="HEX", help="authentication key (GAK), 32 hex digits")


def keys_from_args(args: argparse.Namespace) -> Optional[Keys]:
    """The :class:`~hanparse.Keys` of ``--key`` / ``--auth-key``, or None without ``--key``."""
    if not args.key:
        if args.auth_key:
            raise CliError("--auth-key needs --key")
        return None
    try:
        return Keys(args.key, args.auth_key)
    except HanParseError as exc:
        raise CliError("bad key: %s" % exc.message) from None
