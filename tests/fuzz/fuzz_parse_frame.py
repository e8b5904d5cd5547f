"""atheris harness: ``hanparse.parse_frame`` on arbitrary bytes must raise only HanParseError.

Run from the repository root (see tests/fuzz/README.md)::

    python tests/fuzz/fuzz_parse_frame.py tests/fuzz/corpus -max_total_time=300
    HANPARSE_PURE_PYTHON=1 python tests/fuzz/fuzz_parse_frame.py tests/fuzz/corpus -max_total_time=300

``HANPARSE_PURE_PYTHON=1`` fuzzes the pure-Python twins, otherwise the
compiled extensions.  Any other exception is a crash atheris saves as
``crash-<sha1>``; reproduce it with ``python tests/fuzz/fuzz_parse_frame.py crash-<sha1>``.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

with atheris.instrument_imports(include=["hanparse"]):
    from tests.fuzz.targets import check_parse_frame, run_fuzzer


if __name__ == "__main__":
    run_fuzzer(check_parse_frame)  # one input: parse it every way (see targets.check_parse_frame)
