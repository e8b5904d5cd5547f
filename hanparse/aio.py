"""asyncio adapters: messages from a stream reader, a serial port, or a reconnecting serial port.

Serial support needs the ``[serial]`` extra (``pyserial`` and
``pyserial-asyncio-fast``); it is imported only when a port is opened.

Serial settings per meter family (:data:`SERIAL_PRESETS`; sources in
``docs/stream.md``):

================  ========  ======  =========================================================
preset            baud      format  meters
================  ========  ======  =========================================================
``mbus-han``      2400      8E1     Norway HAN (Kamstrup, Aidon, Kaifa), Austria TINETZ M-Bus
``mbus-han-8n1``  2400      8N1     the same port where a vendor/adapter uses no parity
``p1``            115200    8N1     DSMR 4.x / 5.x P1, Luxembourg Smarty, Sweden H1 (Aidon RJ12)
``p1-legacy``     9600      7E1     DSMR 2.2 / 3.0
================  ========  ======  =========================================================

The DSMR 5 data line is inverted (open collector): use an inverting
adapter.  Norwegian documents do not state parity; 8E1 is what the field
uses most, so it is the default, with 8N1 as the alternative.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, Optional, Tuple

from ._stream import StreamDecoder
from .model import Message

__all__ = ["read_messages", "open_serial", "serial_messages", "SERIAL_PRESETS", "SerialUnavailableError"]

#: preset name -> (baudrate, bytesize, parity, stopbits)
SERIAL_PRESETS: Dict[str, Tuple[int, int, str, float]] = {
    "mbus-han": (2400, 8, "E", 1),
    "mbus-han-8n1": (2400, 8, "N", 1),
    "p1": (115200, 8, "N", 1),
    "p1-legacy": (9600, 7, "E", 1),
}


class SerialUnavailableError(ImportError):
    """pyserial-asyncio-fast (the ``[serial]`` extra) is not installed."""


async def read_messages(reader: asyncio.StreamReader, decoder: Optional[StreamDecoder] = None,
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
        import serial_asyncio_fast
    except ImportError:
        raise SerialUnavailableError(
            "serial ports need the [serial] extra: pip install 'hanparse[serial]' "
            "(pyserial and pyserial-asyncio-fast)") from None
    return serial_asyncio_fast


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
    """Open a serial port: ``(reader, writer)`` from ``serial_asyncio_fast.open_serial_connection``.

    Settings not given come from ``preset`` (see :data:`SERIAL_PRESETS`;
    default ``"mbus-han"``: 2400 8E1).  ``port`` may be any pyserial URL
    (``/dev/ttyUSB0``, ``COM3``, ``loop://``, ``socket://host:port``).
    Extra keywords go to pyserial.
    """
    mod = _serial_module()
    settings = _settings(preset, baudrate, bytesize, parity, stopbits)
    conn: Tuple[asyncio.StreamReader, asyncio.StreamWriter] = await mod.open_serial_connection(
        url=port, **settings, **kw)
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
    """
    first, limit = backoff
    if first <= 0 or limit < first:
        raise ValueError("backoff must be (first > 0, limit >= first)")
    if decoder is None:
        decoder = StreamDecoder(**decoder_kwargs)
    elif decoder_kwargs:
        raise TypeError("pass either a decoder or StreamDecoder keywords, not both")
    _serial_module()  # fail early and clearly when the extra is missing
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
        except (OSError, ConnectionError):
            attempts += 1
            if max_reconnects is not None and attempts > max_reconnects:
                raise
        finally:
            if writer is not None:
                writer.close()
        decoder.reset()
        await asyncio.sleep(delay)
        delay = min(limit, delay * 2)
