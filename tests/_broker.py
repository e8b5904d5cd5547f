"""A real MQTT broker for tests: amqtt (pure Python, from PyPI) on a free port of 127.0.0.1.

Reusable by any test that needs a broker::

    from _broker import start_broker

    host, port, stop = start_broker()
    try:
        ...  # connect aiomqtt / paho clients to (host, port)
    finally:
        stop()

or, as a pytest fixture, import ``mqtt_broker`` into a test module (or a
conftest) and take it as an argument: it yields ``(host, port)`` and
stops the broker afterwards::

    from _broker import mqtt_broker  # noqa: F401  (the fixture)

    def test_something(mqtt_broker):
        host, port = mqtt_broker

The broker runs in a daemon thread with its own event loop, so it serves
clients of any event loop (each test's ``asyncio.run``) and of synchronous
code alike.  Anonymous clients are allowed; the ``$SYS`` publisher and the
packet loggers are left out.  When amqtt is not installed the fixture skips
the test (``start_broker`` raises ImportError).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Callable, Iterator, Tuple

import pytest

__all__ = ["start_broker", "mqtt_broker", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start_broker(host: str = "127.0.0.1", timeout: float = 10.0) -> Tuple[str, int, Callable[[], None]]:
    """Start an amqtt broker on a free port of ``host``: ``(host, port, stop)``.

    Returns once the broker accepts connections.  ``stop()`` shuts it down
    and joins its thread (calling it twice is harmless).
    """
    from amqtt.broker import Broker  # the test dependency; ImportError when missing

    # amqtt logs every connection at INFO; keep test output readable
    logging.getLogger("amqtt").setLevel(logging.WARNING)
    port = free_port(host)
    config = {
        "listeners": {"default": {"type": "tcp", "bind": "%s:%d" % (host, port)}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failed: list = []
    holder: list = []

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def boot() -> None:
            broker = Broker(config, loop=loop)
            await broker.start()
            holder.append(broker)

        try:
            loop.run_until_complete(boot())
        except BaseException as exc:  # reported to the caller below
            failed.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=run, name="amqtt-broker-%d" % port, daemon=True)
    thread.start()
    if not ready.wait(timeout):
        raise RuntimeError("the MQTT broker did not start within %.0f s" % timeout)
    if failed:
        raise RuntimeError("the MQTT broker did not start: %r" % (failed[0],))
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        fut = asyncio.run_coroutine_threadsafe(holder[0].shutdown(), loop)
        try:
            fut.result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)

    return host, port, stop


@pytest.fixture
def mqtt_broker() -> Iterator[Tuple[str, int]]:
    """A running broker for one test: ``(host, port)``; skipped when amqtt is missing."""
    pytest.importorskip("amqtt")
    host, port, stop = start_broker()
    try:
        yield host, port
    finally:
        stop()
