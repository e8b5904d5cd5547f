"""asyncio adapters against real transports: asyncio.StreamReader and a pseudo-terminal pair read through serialx.

The live sources (open_source: watchdog, reconnects, TCP, MQTT) are tested in test_sources.py.
"""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from _stream_helpers import DSMR5, NO_AIDON, NO_KAMSTRUP, reference
from hanparse import aio


def test_read_messages_from_a_stream_reader():
    async def run():
        reader = asyncio.StreamReader()
        reader.feed_data(b"\x00" + NO_KAMSTRUP[:100])
        reader.feed_data(NO_KAMSTRUP[100:] + DSMR5)
        reader.feed_eof()
        return [m.to_dict() async for m in aio.read_messages(reader, chunk_size=64)]

    assert asyncio.run(run()) == [reference(NO_KAMSTRUP), reference(DSMR5)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals as on Linux")
def test_pseudo_terminal_pair():
    pytest.importorskip("serialx")
    master, slave = os.openpty()
    name = os.ttyname(slave)

    async def run():
        # a pseudo-terminal takes no parity setting: open it as a P1 port (115200 8N1)
        reader, writer = await aio.open_serial(name, preset="p1")
        assert type(writer.transport).__module__.startswith("serialx.")  # the port is serialx's
        gen = aio.read_messages(reader)
        data = b"noise" + NO_KAMSTRUP + b"\r\n" + NO_AIDON
        for i in range(0, len(data), 50):  # the meter side writes in bursts
            os.write(master, data[i:i + 50])
            await asyncio.sleep(0)
        out = [await asyncio.wait_for(gen.__anext__(), 5) for _ in range(2)]
        writer.close()
        return [m.to_dict() for m in out]

    try:
        assert asyncio.run(run()) == [reference(NO_KAMSTRUP), reference(NO_AIDON)]
    finally:
        os.close(master)
        os.close(slave)


def test_serial_messages_gives_up_after_max_reconnects():
    pytest.importorskip("serialx")

    async def run():
        gen = aio.serial_messages("/dev/hanparse-no-such-port", backoff=(0.01, 0.02), max_reconnects=2)
        await gen.__anext__()

    with pytest.raises(OSError):
        asyncio.run(run())


def test_presets_and_bad_arguments():
    assert aio.SERIAL_PRESETS["mbus-han"] == (2400, 8, "E", 1)
    assert aio.SERIAL_PRESETS["p1"] == (115200, 8, "N", 1)
    assert aio.SERIAL_PRESETS["p1-legacy"] == (9600, 7, "E", 1)
    with pytest.raises(ValueError):
        aio._settings("nope", None, None, None, None)
    with pytest.raises(ValueError):
        asyncio.run(aio.serial_messages("/dev/ttyUSB0", backoff=(0, 1)).__anext__())
