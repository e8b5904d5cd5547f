"""Serial ports through serialx, the per-family presets, and ``read_messages``."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, Optional, Protocol, Tuple, Type

from .._stream import StreamDecoder
from ..model import Message

#: preset name -> (baudrate, bytesize, parity, stopbits)
SERIAL_PRESETS: Dict[str, Tuple[int, int, str, float]] = {
    "mbus-han": (2400, 8, "E", 1),
    "mbus-han-8n1": (2400, 8, "N", 1),
    "p1": (115200, 8, "N", 1),
    "p1-legacy": (9600, 7, "E", 1),
    # narrower families: same line settings as above, a shorter idle watchdog (IDLE_TIMEOUTS)
    "han-list1": (2400, 8, "E", 1),
    "dsmr5": (115200, 8, "N", 1),
}

#: preset name -> seconds without a byte before a live source counts as stalled
#: (about three times the longest regular push interval of the family; sources
#: in docs/sources.md)
IDLE_TIMEOUTS: Dict[str, float] = {
    "mbus-han": 30.0,      # Kamstrup NO pushes every 10 s only; Aidon/Kaifa/Embriq 2-2.5 s
    "mbus-han-8n1": 30.0,  # the same meters
    "p1": 30.0,            # DSMR 4.x, Luxembourg Smarty, Sweden H1: every 10 s (DSMR 5: 1 s)
    "p1-legacy": 30.0,     # DSMR 2.2 / 3.0: every 10 s
    "han-list1": 15.0,     # list 1 every 2 s (Kaifa) / 2.5 s (Aidon, Embriq); list 2/3 take a slot
    "dsmr5": 10.0,         # DSMR 5.0.2: a telegram every second
}

#: idle timeout when no preset names the meter family
DEFAULT_IDLE_TIMEOUT = 30.0


class SerialUnavailableError(ImportError):
    """serialx (the ``[serial]`` extra) is not installed."""


class AsyncReader(Protocol):
    """What :func:`read_messages` reads from: an ``asyncio.StreamReader`` or anything with its ``read``."""

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes; ``b""`` at the end."""


async def read_messages(reader: AsyncReader, decoder: Optional[StreamDecoder] = None,
                        chunk_size: int = 4096, **decoder_kwargs: Any) -> AsyncIterator[Message]:
    """Messages decoded from ``reader`` until EOF (then the decoder is flushed).

    ``decoder`` is used when given, else one is made from
    ``decoder_kwargs`` (the :class:`~hanparse.StreamDecoder`
    keywords).  I/O errors of the reader propagate.
    """
    if decoder is None:
        decoder = StreamDecoder(**decoder_kwargs)
    elif decoder_kwargs:
        raise TypeError("pass either a decoder or StreamDecoder keywords, not both")
    while True:
        chunk = await reader.read(chunk_size)
        if not chunk:
            break
        for msg in decoder.feed(chunk):
            yield msg
    for msg in decoder.flush():
        yield msg


def _serial_module() -> Any:
    try:
        import serialx
    except ImportError:
        raise SerialUnavailableError(
            "serial ports need the [serial] extra: pip install 'hanparse[serial]' "
            "(serialx, Python 3.10 or newer)") from None
    return serialx


def serial_errors() -> Tuple[Type[BaseException], ...]:
    """The exceptions a serial port raises when it cannot be opened or read (OSError, serialx's own)."""
    try:
        import serialx
    except ImportError:
        return (OSError,)
    return (OSError, serialx.SerialException)


def _settings(preset: Optional[str], baudrate: Optional[int], bytesize: Optional[int], parity: Optional[str],
              stopbits: Optional[float]) -> Dict[str, Any]:
    if preset is not None and preset not in SERIAL_PRESETS:
        raise ValueError("unknown serial preset %r (one of %s)" % (preset, ", ".join(SERIAL_PRESETS)))
    b, size, par, stop = SERIAL_PRESETS[preset or "mbus-han"]
    return {
        "baudrate": b if baudrate is None else baudrate,
        "bytesize": size if bytesize is None else bytesize,
        "parity": (par if parity is None else parity).upper(),
        "stopbits": stop if stopbits is None else stopbits,
    }


async def open_serial(port: str, baudrate: Optional[int] = None, *, parity: Optional[str] = None,
                      bytesize: Optional[int] = None, stopbits: Optional[float] = None,
                      preset: Optional[str] = None, **kw: Any) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a serial port: ``(reader, writer)`` from ``serialx.open_serial_connection``.

    Settings not given come from ``preset`` (see :data:`SERIAL_PRESETS`;
    default ``"mbus-han"``: 2400 8E1).  ``port`` is a device
    (``/dev/ttyUSB0``, ``COM3``) or any URL serialx knows
    (``socket://host:port``, ``rfc2217://host:port``, ``esphome://...``).
    Extra keywords go to serialx (e.g. ``exclusive=False``).
    """
    mod = _serial_module()
    s = _settings(preset, baudrate, bytesize, parity, stopbits)
    conn: Tuple[asyncio.StreamReader, asyncio.StreamWriter] = await mod.open_serial_connection(
        port, baudrate=s["baudrate"], parity=s["parity"], stopbits=s["stopbits"], byte_size=s["bytesize"], **kw)
    return conn


async def serial_messages(port: str, baudrate: Optional[int] = None, *, parity: Optional[str] = None,
                          bytesize: Optional[int] = None, stopbits: Optional[float] = None,
                          preset: Optional[str] = None, decoder: Optional[StreamDecoder] = None,
                          backoff: Tuple[float, float] = (0.5, 30.0), max_reconnects: Optional[int] = None,
                          **decoder_kwargs: Any) -> AsyncIterator[Message]:
    """Messages from a serial port, reopening it after I/O errors or EOF.

    ``backoff = (first, limit)``: the delay before reopening doubles from
    ``first`` up to ``limit`` seconds and returns to ``first`` after a
    message arrives.  ``max_reconnects`` (None: forever) bounds the reopen
    attempts; when used up the last error is raised.  The decoder's
    partial state is reset on each reconnect (bytes from before the break
    cannot complete a frame after it); its counters are kept.

    :func:`hanparse.aio.open_source` does the same with an idle watchdog,
    jitter and state reports; prefer it in new code.
    """
    first, limit = backoff
    if first <= 0 or limit < first:
        raise ValueError("backoff must be (first > 0, limit >= first)")
    if decoder is None:
        decoder = StreamDecoder(**decoder_kwargs)
    elif decoder_kwargs:
        raise TypeError("pass either a decoder or StreamDecoder keywords, not both")
    _serial_module()  # fail early and clearly when the extra is missing
    errors = serial_errors() + (ConnectionError,)
    delay = first
    attempts = 0
    while True:
        writer = None
        try:
            reader, writer = await open_serial(port, baudrate, parity=parity, bytesize=bytesize, stopbits=stopbits,
                                               preset=preset)
            while True:
                chunk = await reader.read(4096)
                if not chunk:
                    raise ConnectionError("%s: end of stream" % port)
                for msg in decoder.feed(chunk):
                    delay = first
                    attempts = 0
                    yield msg
        except errors:
            attempts += 1
            if max_reconnects is not None and attempts > max_reconnects:
                raise
        finally:
            if writer is not None:
                writer.close()
        decoder.reset()
        await asyncio.sleep(delay)
        delay = min(limit, delay * 2)
