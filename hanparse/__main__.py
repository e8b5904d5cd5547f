"""``python -m hanparse`` and the ``hanparse`` console script."""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from .cli import main as _cli_main

__all__ = ["main"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: run the command line and return its exit code."""
    return _cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
