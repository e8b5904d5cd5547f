"""``hanparse explain``: annotated byte-by-byte breakdown of one frame (layers, checksums, A-XDR, OBIS)."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import HanParseError
from ._common import (
    EXIT_CHECKSUM,
    EXIT_DECRYPTION,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Subcommand,
    add_key_args,
    keys_from_args,
    read_source,
)

__all__ = ["COMMAND"]


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("frame", metavar="HEX|FILE", help="one frame as hex text, or a file holding it (binary or hex)")
    add_key_args(p)
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="ANSI colour (auto: when stdout is a terminal and NO_COLOR is unset)")


def _explain_input(arg: str) -> bytes:
    if arg == "-" or os.path.exists(arg):
        return read_source(arg)
    from .._api import hex_to_bytes

    try:
        return hex_to_bytes(arg)
    except HanParseError:
        raise CliError("%s is neither a file nor hex text" % (arg if len(arg) < 40 else arg[:37] + "...")) from None


def _run(args: argparse.Namespace) -> int:
    from ..explain import explain, render, use_color

    data = _explain_input(args.frame)
    keys = keys_from_args(args)
    lines = explain(data, keys)
    color = args.color == "always" or (args.color == "auto" and use_color(sys.stdout))
    sys.stdout.write(render(lines, color=color))
    bad = [line.text for line in lines if line.status == "bad"]
    if any(t.startswith("decryption failed") for t in bad):
        return EXIT_DECRYPTION
    if any("BAD" in t for t in bad):
        return EXIT_CHECKSUM
    if bad:
        return EXIT_USAGE
    return EXIT_OK


#: the ``explain`` subcommand
COMMAND = Subcommand("explain", "annotated byte-by-byte breakdown of one frame (layers, checksums, A-XDR, OBIS)",
                     _configure, _run)
