"""hanparse.aio.open_source against real transports: a pseudo-terminal read through serialx,
TCP servers on 127.0.0.1 that stall or go away, an amqtt broker, files and a FIFO.

Timeouts and backoff are set to fractions of a second; waits are on events
(state changes, accepted connections), with generous upper bounds only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time

import pytest

import hanparse
from _broker import free_port, mqtt_broker  # noqa: F401  (the fixture)
from _stream_helpers import DANISH, DANISH_KEYS, DSMR5, NO_AIDON, NO_KAMSTRUP, reference
from fixture_files import ROOT, entry
from hanparse import aio
from hanparse.aio import SourceState, open_source

LINUX = sys.platform.startswith("linux")
KEY_HEX = entry("dlms:dlms_parser_hdlc_kamstrup_omnipower")["key_hex"]


def run(coro, timeout=15.0):
    async def guarded():
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(guarded())


class States:
    """on_state recorder: the states with their times, and an event per awaited condition."""

    def __init__(self):
        self.seen = []  # (monotonic time, SourceState)
        self._waiters = []

    def __call__(self, st):
        assert isinstance(st, SourceState)
        self.seen.append((time.monotonic(), st))
        for cond, event in self._waiters:
            if cond(self):
                event.set()

    def names(self):
        return [s.state for _, s in self.seen]

    def count(self, name):
        return self.names().count(name)

    async def until(self, cond, timeout=5.0):
        if cond(self):
            return
        event = asyncio.Event()
        self._waiters.append((cond, event))
        await asyncio.wait_for(event.wait(), timeout)


async def settle(*tasks):
    """Cancel the tasks still running on a generator, so that it can be closed."""
    for t in tasks:
        if t is not None and not t.done():
            t.cancel()
    await asyncio.gather(*[t for t in tasks if t is not None], return_exceptions=True)


async def take(gen, n, timeout=5.0):
    return [await asyncio.wait_for(gen.__anext__(), timeout) for _ in range(n)]


# ------------------------------------------------------------------ parsing, backoff


def test_source_kinds_and_masking():
    p = aio.parse_source
    assert p("/dev/ttyUSB0").kind == "serial"
    assert p("COM3").kind == "serial" and p(r"\\.\COM12").kind == "serial"
    s = p("serial:///dev/ttyAMA0?preset=p1&baudrate=9600")
    assert (s.kind, s.target, s.serial) == ("serial", "/dev/ttyAMA0", {"preset": "p1", "baudrate": 9600})
    s = p("socket://192.168.1.20:8088")
    assert (s.kind, s.target, s.port) == ("tcp", "192.168.1.20", 8088)
    assert p("socket://[::1]:23").target == "::1"
    s = p("mqtt://han:s3cret@broker.local/amsreader/+/raw/#")
    assert (s.kind, s.target, s.port, s.topic) == ("mqtt", "broker.local", 1883, "amsreader/+/raw/#")
    assert (s.username, s.password) == ("han", "s3cret")
    assert "s3cret" not in s.display and s.display == "mqtt://han:***@broker.local/amsreader/+/raw/#"
    assert p("mqtts://broker:8884/t").port == 8884 and p("mqtts://broker/t").port == 8883
    assert p("esphome://dev.local/?key=abcd").display.endswith("key=***")
    assert p("-").kind == "file" and p("capture.bin").kind == "file" and p("file:///tmp/x.bin").target == "/tmp/x.bin"
    for bad in ("", "http://x/y", "socket://host", "mqtt://host", "mqtt://host/", "serial://",
                "serial:///dev/x?speed=1", "socket://h:99999"):
        with pytest.raises(ValueError):
            p(bad)


def test_idle_timeout_defaults_and_backoff():
    assert aio.idle_timeout_for(None) == aio.DEFAULT_IDLE_TIMEOUT == 30.0
    assert aio.idle_timeout_for("dsmr5") == 10.0 and aio.idle_timeout_for("han-list1") == 15.0
    assert set(aio.IDLE_TIMEOUTS) == set(aio.SERIAL_PRESETS)
    with pytest.raises(ValueError):
        aio.idle_timeout_for("nope")
    top = aio.Backoff(1.0, 8.0, rand=lambda: 1.0)
    assert [top.next() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    top.reset()
    assert top.next() == 1.0
    low = aio.Backoff(1.0, 8.0, rand=lambda: 0.0)
    assert [low.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    jittered = aio.Backoff(0.1, 0.4)
    for d in [jittered.next() for _ in range(50)]:
        assert 0.05 <= d <= 0.4
    for bad in ((0, 1), (2, 1), (1, float("inf"))):
        with pytest.raises(ValueError):
            aio.Backoff(*bad)


def test_bad_arguments_are_reported_on_first_iteration():
    async def first(**kw):
        return await open_source(**kw).__anext__()

    with pytest.raises(ValueError):
        run(first(source="gopher://x"))
    with pytest.raises(ValueError):
        run(first(source="socket://127.0.0.1:1", preset="nope"))
    with pytest.raises(ValueError):
        run(first(source="socket://127.0.0.1:1", idle_timeout=-1))
    with pytest.raises(TypeError):
        run(first(source="socket://127.0.0.1:1", decoder=hanparse.StreamDecoder(), keys=KEY_HEX))


def test_mqtt_payload_shapes():
    f = aio._sources.mqtt_payload_bytes
    assert f(NO_AIDON) == NO_AIDON                   # binary: as it is
    assert f(NO_AIDON.hex()) == NO_AIDON.hex().encode() + b"\n"
    assert f(NO_AIDON.hex(), after_line_end=False) == b"\n" + NO_AIDON.hex().encode() + b"\n"
    assert f(b'{"data": "7e"}') == b'{"data": "7e"}\n'
    assert f(DSMR5) == DSMR5                         # a telegram already ending its line
    assert f(None) == b"" and f(b"") == b""


# ------------------------------------------------------------------ TCP


class Gateway:
    """A TCP server on 127.0.0.1 that runs ``script(n, reader, writer)`` for its n-th connection."""

    def __init__(self, script, port=0):
        self.script = script
        self.port = port
        self.accepted = []  # monotonic times
        self.connected = asyncio.Event()
        self.server = None
        self.tasks = []

    async def start(self):
        async def handle(reader, writer):
            self.accepted.append(time.monotonic())
            self.connected.set()
            self.tasks.append(asyncio.current_task())
            try:
                await self.script(len(self.accepted), reader, writer)
            except (ConnectionError, asyncio.CancelledError):
                pass

        self.server = await asyncio.start_server(handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self):
        self.server.close()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    @property
    def url(self):
        return "socket://127.0.0.1:%d" % self.port


async def hold_open(writer):
    """Stay connected without sending anything: a half-open peer, as the reader sees it."""
    try:
        await asyncio.sleep(3600)
    finally:
        writer.close()


def test_tcp_stalled_peer_is_detected_and_replaced_within_the_idle_timeout():
    sent_last = []

    async def script(n, reader, writer):
        if n == 1:
            writer.write(NO_KAMSTRUP + NO_AIDON[:100])  # a whole frame, then half of one; then silence
            await writer.drain()
            sent_last.append(time.monotonic())
            await hold_open(writer)
        else:
            writer.write(NO_AIDON)
            await writer.drain()
            await hold_open(writer)

    async def main():
        gw = await Gateway(script).start()
        states = States()
        gen = open_source(gw.url, idle_timeout=0.2, backoff=(0.05, 0.1), on_state=states)
        try:
            msgs = await take(gen, 2)
        finally:
            await gen.aclose()
            await gw.stop()
        return msgs, states, gw

    msgs, states, gw = run(main())
    # the half frame from before the stall was dropped (decoder reset), not glued to the next frame
    assert [m.to_dict() for m in msgs] == [reference(NO_KAMSTRUP), reference(NO_AIDON)]
    assert states.names() == ["connecting", "connected", "stalled", "reconnecting", "connecting", "connected",
                              "closed"]
    stalled = [s for _, s in states.seen if s.state == "stalled"][0]
    assert stalled.reason == "no data for 0.2 s" and stalled.source == gw.url
    again = gw.accepted[1] - sent_last[0]
    assert 0.2 <= again < 0.2 + 0.1 + 1.0  # idle timeout + at most one backoff delay (+ scheduling slack)


def test_tcp_server_that_goes_away_is_reconnected_with_backoff():
    async def script(n, reader, writer):
        writer.write(DSMR5 if n == 1 else NO_AIDON)
        await writer.drain()
        if n == 1:
            writer.close()  # end of stream
        else:
            await hold_open(writer)

    async def main():
        gw = await Gateway(script).start()
        port = gw.port
        states = States()
        gen = open_source(gw.url, idle_timeout=2.0, backoff=(0.05, 0.2), on_state=states)
        first = await take(gen, 1)
        await gw.stop()  # the gateway goes away: connections are refused now
        nxt = asyncio.ensure_future(gen.__anext__())
        await states.until(lambda s: s.count("reconnecting") >= 5)
        gw2 = await Gateway(script, port).start()
        gw2.accepted.append(0.0)  # count on from the first server: the next connection is number 2
        try:
            second = await asyncio.wait_for(nxt, 5)
        finally:
            await settle(nxt)
            await gen.aclose()
            await gw2.stop()
        return first + [second], states

    msgs, states = run(main())
    assert [m.to_dict() for m in msgs] == [reference(DSMR5), reference(NO_AIDON)]
    recon = [(t, s) for t, s in states.seen if s.state == "reconnecting"]
    assert recon[0][1].reason == "the peer closed the connection" and recon[0][1].attempt == 1
    assert all("refused" in s.reason.lower() or "connect call failed" in s.reason.lower() for _, s in recon[1:])
    assert [s.attempt for _, s in recon[:5]] == [1, 2, 3, 4, 5]
    # delays between attempts: [d/2, d] with d = 0.05, 0.1, 0.2, 0.2 (capped) ...
    connecting = [t for t, s in states.seen if s.state == "connecting"]
    gaps = [b - a for a, b in zip(connecting, connecting[1:])]
    for gap, d in zip(gaps, [0.05, 0.1, 0.2, 0.2, 0.2]):
        assert d / 2 <= gap < d + 0.5
    assert states.names()[-2:] == ["connected", "closed"]


def test_repeated_failures_are_logged_once_with_a_count(caplog):
    url = "socket://127.0.0.1:%d" % free_port()

    async def main():
        states = States()
        gen = open_source(url, backoff=(0.01, 0.02), on_state=states)
        task = asyncio.ensure_future(gen.__anext__())
        await states.until(lambda s: s.count("reconnecting") >= 6)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return states

    with caplog.at_level(logging.DEBUG, logger="hanparse.aio"):
        states = run(main())
    warnings = [r.getMessage() for r in caplog.records if r.name == "hanparse.aio" and r.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings
    assert "reconnecting" in warnings[0]
    n = states.count("reconnecting") - 1
    assert warnings[1].startswith(warnings[0]) and warnings[1].endswith("(repeated %d times)" % n)
    assert states.names()[-1] == "closed"


def test_decoder_errors_go_to_on_error_and_keys_never_show(caplog):
    bad = bytearray(NO_KAMSTRUP)
    bad[40] ^= 0xFF  # breaks the FCS

    async def script(n, reader, writer):
        writer.write(bytes(bad) + DANISH + bytes(bad) + bytes(bad))
        await writer.drain()
        writer.close()

    async def main(**kw):
        gw = await Gateway(script).start()
        states = States()
        gen = open_source(gw.url, keys=DANISH_KEYS, idle_timeout=1.0, reconnect=False, on_state=states, **kw)
        try:
            msgs = [m async for m in gen]
        finally:
            await gw.stop()
        return msgs, states

    errors = []
    with caplog.at_level(logging.DEBUG, logger="hanparse.aio"):
        msgs, states = run(main(on_error=errors.append))
    assert [m.to_dict() for m in msgs] == [reference(DANISH)]
    assert [type(e) for e in errors] == [hanparse.ChecksumError] * 3
    assert states.names() == ["connecting", "connected", "closed"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="hanparse.aio"):
        msgs, states = run(main())  # no on_error: logged once, then counted
    rejected = [r.getMessage() for r in caplog.records if "rejected input" in r.getMessage()]
    assert len(rejected) == 2 and rejected[1].endswith("(repeated 2 times)")
    text = caplog.text + repr(states.seen)
    for secret in (KEY_HEX, KEY_HEX.upper(), entry("dlms:dlms_parser_hdlc_kamstrup_omnipower")["auth_key_hex"]):
        assert secret.lower() not in text.lower()


def test_without_reconnect_errors_and_stalls_are_raised():
    async def stalls(n, reader, writer):
        await hold_open(writer)

    async def main():
        with pytest.raises(OSError):
            await open_source("socket://127.0.0.1:%d" % free_port(), reconnect=False).__anext__()
        gw = await Gateway(stalls).start()
        states = States()
        try:
            with pytest.raises(TimeoutError):
                await open_source(gw.url, idle_timeout=0.1, reconnect=False, on_state=states).__anext__()
        finally:
            await gw.stop()
        return states

    states = run(main())
    assert states.names() == ["connecting", "connected", "stalled", "closed"]
    assert states.seen[-1][1].reason == "no data for 0.1 s"


# ------------------------------------------------------------------ serial (pseudo-terminal through serialx)


@pytest.mark.skipif(not LINUX, reason="pseudo-terminals as on Linux")
def test_serial_port_at_the_meters_pace_and_after_a_stall():
    pytest.importorskip("serialx")
    master, slave = os.openpty()
    name = os.ttyname(slave)

    async def meter(frames, pace=0.02):
        for frame in frames:
            for i in range(0, len(frame), 60):  # 2400 baud delivers a frame in bursts, not at once
                os.write(master, frame[i:i + 60])
                await asyncio.sleep(pace / 4)
            await asyncio.sleep(pace)

    async def main():
        states = States()
        # a pseudo-terminal refuses to be reconfigured with parity once it was opened with it, so this
        # test uses the 8N1 variant of the M-Bus preset (the line settings mean nothing to a pty)
        gen = open_source("serial://%s?preset=mbus-han-8n1" % name, idle_timeout=0.3, backoff=(0.05, 0.1),
                          on_state=states)
        first = nxt = None
        try:
            first = asyncio.ensure_future(take(gen, 3))
            await states.until(lambda s: s.count("connected") == 1)
            await meter([NO_KAMSTRUP, NO_AIDON, NO_KAMSTRUP])
            msgs = await first
            os.write(master, NO_AIDON[:90])  # the meter stops mid-frame ...
            nxt = asyncio.ensure_future(gen.__anext__())
            await states.until(lambda s: s.count("connected") == 2, timeout=3)
            await meter([NO_AIDON])          # ... and resumes after the port was reopened
            msgs.append(await asyncio.wait_for(nxt, 5))
        finally:
            await settle(first, nxt)
            await gen.aclose()
        return msgs, states

    try:
        msgs, states = run(main())
    finally:
        os.close(master)
        os.close(slave)
    assert [m.to_dict() for m in msgs] == [reference(f) for f in (NO_KAMSTRUP, NO_AIDON, NO_KAMSTRUP, NO_AIDON)]
    assert states.names() == ["connecting", "connected", "stalled", "reconnecting", "connecting", "connected",
                              "closed"]


def test_serial_port_that_does_not_exist_is_retried():
    pytest.importorskip("serialx")

    async def main():
        states = States()
        gen = open_source("serial:///dev/hanparse-no-such-port?preset=p1", backoff=(0.01, 0.02), on_state=states)
        task = asyncio.ensure_future(gen.__anext__())
        await states.until(lambda s: s.count("reconnecting") >= 3)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return states

    states = run(main())
    reasons = {s.reason for _, s in states.seen if s.state == "reconnecting"}
    assert len(reasons) == 1 and "FileNotFoundError" in reasons.pop()


# ------------------------------------------------------------------ MQTT (amqtt broker)


def test_mqtt_topic_carrying_every_payload_shape(mqtt_broker):  # noqa: F811
    aiomqtt = pytest.importorskip("aiomqtt")
    host, port = mqtt_broker
    payloads = [
        NO_AIDON,                                            # binary HDLC frame
        NO_KAMSTRUP.hex(),                                   # hex text, no line end
        json.dumps({"data": NO_AIDON.hex()}),                # amsreader's raw JSON
        "Debug: connected to meter",                         # log text: ignored
        DSMR5.decode("latin-1"),                             # a P1 telegram
    ]
    want = [reference(f) for f in (NO_AIDON, NO_KAMSTRUP, NO_AIDON, DSMR5)]

    async def publish(items, topic="meters/han/raw"):
        async with aiomqtt.Client(host, port) as pub:
            for item in items:
                await pub.publish(topic, item)

    async def main():
        states = States()
        gen = open_source("mqtt://meter:s3cret@%s:%d/meters/#" % (host, port), idle_timeout=0.5,
                          backoff=(0.05, 0.1), on_state=states)
        got = nxt = None
        try:
            got = asyncio.ensure_future(take(gen, 4))
            await states.until(lambda s: s.count("connected") == 1)
            await publish(payloads)
            msgs = await got
            # silence on the topic: the subscription counts as stalled and is made again
            nxt = asyncio.ensure_future(gen.__anext__())
            await states.until(lambda s: s.count("connected") == 2, timeout=5)
            await publish([NO_KAMSTRUP])
            msgs.append(await asyncio.wait_for(nxt, 5))
        finally:
            await settle(got, nxt)
            await gen.aclose()
        return msgs, states

    msgs, states = run(main())
    assert [m.to_dict() for m in msgs] == want + [reference(NO_KAMSTRUP)]
    assert "stalled" in states.names()
    shown = {s.source for _, s in states.seen}
    assert shown == {"mqtt://meter:***@%s:%d/meters/#" % (host, port)}


def test_mqtt_broker_down_is_retried(mqtt_broker):  # noqa: F811
    pytest.importorskip("aiomqtt")
    url = "mqtt://127.0.0.1:%d/t/#" % free_port()

    async def main():
        states = States()
        gen = open_source(url, backoff=(0.01, 0.02), on_state=states)
        task = asyncio.ensure_future(gen.__anext__())
        await states.until(lambda s: s.count("reconnecting") >= 2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return states

    states = run(main())
    assert states.names()[:3] == ["connecting", "reconnecting", "connecting"]
    assert states.names()[-1] == "closed"


# ------------------------------------------------------------------ files and pipes


def test_file_is_read_to_its_end():
    path = ROOT / "capture" / "mixed-decode.bin"
    keys = KEY_HEX

    async def main():
        states = States()
        msgs = [m async for m in open_source(str(path), keys=keys, on_state=states)]
        return msgs, states

    msgs, states = run(main())
    with open(path, "rb") as fh:
        want = list(hanparse.iter_messages(fh, keys=keys))
    assert [m.to_dict() for m in msgs] == [m.to_dict() for m in want] and len(want) == 4
    assert states.names() == ["connecting", "connected", "closed"]
    with pytest.raises(OSError):
        run(open_source(str(path) + ".missing").__anext__())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_named_pipe_is_read_until_the_writer_closes(tmp_path):
    fifo = tmp_path / "meter.fifo"
    os.mkfifo(fifo)
    data = NO_KAMSTRUP + b"\r\n" + DSMR5[:-2]  # the last telegram has no line end: flush emits it

    def writer():
        with open(fifo, "wb") as fh:
            for i in range(0, len(data), 100):
                fh.write(data[i:i + 100])
                fh.flush()
                time.sleep(0.005)

    t = threading.Thread(target=writer)
    t.start()
    try:
        msgs = run(_collect("file://" + str(fifo)))
    finally:
        t.join(5)
    assert [m.to_dict() for m in msgs] == [reference(NO_KAMSTRUP), reference(DSMR5)]


async def _collect(source, **kw):
    return [m async for m in open_source(source, **kw)]
