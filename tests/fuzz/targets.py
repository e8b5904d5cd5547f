"""The fuzz invariants, shared by the atheris harnesses and tests/test_fuzz_invariants.py.

Whatever bytes come in:

* :func:`check_parse_frame` -- ``hanparse.parse_frame`` returns a Message or
  raises a :class:`hanparse.HanParseError`; nothing else escapes (bytes,
  the same bytes as Latin-1 text, with and without keys);
* :func:`check_stream` -- ``hanparse._stream.StreamDecoder`` fed the bytes in
  chunks (sizes taken from the input itself) only ever raises nothing
  (errors go to ``on_error`` and ``stats``), returns Messages, and its
  buffer never exceeds ``max_buffer_size``.

Inputs are capped at :data:`MAX_INPUT` bytes so a run cannot stall on one
huge input; a hang is then a real bug (atheris reports it with -timeout).
The implementation (compiled or pure Python) is chosen at import by
``HANPARSE_PURE_PYTHON`` as usual; the hypothesis test switches both in one
process.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, List, Optional

import hanparse
from hanparse.errors import HanParseError
from hanparse.model import Message

#: largest input a fuzz target looks at
MAX_INPUT = 1 << 16

#: keys of the Kamstrup Omnipower fixture (esphome-libs/dlms_parser test dump), so ciphered
#: inputs reach the decryption and, with the right system title, the plaintext decoder
FUZZ_KEYS = hanparse.Keys("00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100")

#: max_buffer_size used by check_stream: the smallest allowed (hanparse._stream.MIN_STREAM_BUFFER),
#: so the bound is exercised
STREAM_BUFFER = 16384


class InvariantError(AssertionError):
    """A fuzz invariant does not hold (the message says which and the input)."""


def _parse(data: Any, keys: Any) -> Optional[Message]:
    try:
        msg = hanparse.parse_frame(data, keys)
    except HanParseError:
        return None
    if not isinstance(msg, Message):
        raise InvariantError("parse_frame returned %r, not a Message" % type(msg).__name__)
    return msg


def check_parse_frame(data: bytes) -> None:
    """parse_frame on ``data`` (bytes and Latin-1 text, with and without keys): only HanParseError."""
    data = bytes(data[:MAX_INPUT])
    msg = _parse(data, None)
    if msg is not None:
        msg.to_dict()  # a decoded message must also serialise
    msg = _parse(data, FUZZ_KEYS)
    if msg is not None:
        msg.to_dict()
    _parse(data.decode("latin-1"), FUZZ_KEYS)


def _chunks(data: bytes) -> List[bytes]:
    """Cut ``data`` after a first byte that picks the chunk size (1 .. 256)."""
    if not data:
        return []
    size = data[0] + 1
    body = data[1:]
    return [body[i : i + size] for i in range(0, len(body), size)]


def buffered(decoder: Any) -> int:
    """Bytes the decoder holds: its public ``buffered`` count if it has one, else its scanner buffer."""
    value = getattr(decoder, "buffered", None)
    if isinstance(value, int):
        return value
    for owner in (decoder, getattr(decoder, "_scanner", None), getattr(decoder, "scanner", None)):
        buf = getattr(owner, "_buf", None) if owner is not None else None
        if buf is not None:
            return len(buf)
    raise InvariantError("cannot see the StreamDecoder's buffer size")


def check_stream(data: bytes, keys: Any = FUZZ_KEYS, max_buffer_size: int = STREAM_BUFFER,
                 on_message: Optional[Callable[[Message], None]] = None) -> int:
    """StreamDecoder fed ``data`` in chunks: no exception, Messages only, bounded buffer.

    Returns the number of messages decoded.
    """
    from hanparse._stream import StreamDecoder

    errors: List[BaseException] = []

    def on_error(exc: BaseException) -> None:
        if not isinstance(exc, HanParseError):
            raise InvariantError("on_error got %r, not a HanParseError" % (exc,))
        errors.append(exc)

    decoder = StreamDecoder(keys=keys, max_buffer_size=max_buffer_size, on_error=on_error)
    count = 0
    batches = []
    for chunk in _chunks(bytes(data[:MAX_INPUT])):
        batches.append(decoder.feed(chunk))
        held = buffered(decoder)
        if held > max_buffer_size:
            raise InvariantError("StreamDecoder holds %d bytes > max_buffer_size %d" % (held, max_buffer_size))
    batches.append(decoder.flush())
    for batch in batches:
        for msg in batch:
            if not isinstance(msg, Message):
                raise InvariantError("StreamDecoder returned %r, not a Message" % type(msg).__name__)
            msg.to_dict()
            if on_message is not None:
                on_message(msg)
            count += 1
    return count


def run_fuzzer(target: Callable[[bytes], Any]) -> None:
    """The atheris harnesses' main: print the implementation under test, then hand ``target`` to libFuzzer.

    The harness must import this module inside ``atheris.instrument_imports``
    so that hanparse is instrumented.
    """
    import atheris

    print("hanparse implementation:", hanparse.IMPLEMENTATION, file=sys.stderr)
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
