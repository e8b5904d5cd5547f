"""atheris harness: ``hanparse._stream.StreamDecoder`` on arbitrary byte streams.

The first input byte picks the chunk size (1-256); the decoder must raise
nothing (bad frames go to ``on_error`` as HanParseError), return Messages
only and never hold more than ``max_buffer_size`` bytes.  Run from the
repository root (see tests/fuzz/README.md)::

    python tests/fuzz/fuzz_stream.py tests/fuzz/corpus -max_total_time=300
    HANPARSE_PURE_PYTHON=1 python tests/fuzz/fuzz_stream.py tests/fuzz/corpus -max_total_time=300
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

with atheris.instrument_imports(include=["hanparse"]):
    import hanparse._stream  # noqa: F401  (imported lazily by check_stream: instrument it here)
    from tests.fuzz.targets import check_stream, run_fuzzer


if __name__ == "__main__":
    run_fuzzer(check_stream)  # one input: a chunked stream (see targets.check_stream)
