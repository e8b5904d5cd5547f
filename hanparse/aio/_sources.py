"""Live sources that stay up: :func:`open_source` and what it is made of.

One loop serves every network-like kind (serial port, TCP gateway, MQTT
topic): connect, read with an idle watchdog, feed the decoder, and on any
I/O error, end of stream or stall reset the decoder, wait a capped,
jittered exponential delay and connect again.  Files and pipes are read
once to their end.  The rules are documented in ``docs/sources.md``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import re
import ssl
import stat
import sys
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Tuple, Type, Union
from urllib.parse import parse_qsl, unquote, urlsplit

from .._stream import StreamDecoder
from ..errors import HanParseError, reason_of
from ..model import Message
from ._serial import DEFAULT_IDLE_TIMEOUT, IDLE_TIMEOUTS, _serial_module, open_serial, read_messages, serial_errors

logger = logging.getLogger("hanparse.aio")

#: the states a source reports, in the order they usually come
STATES = ("connecting", "connected", "stalled", "reconnecting", "closed")
#: bytes asked for per read
CHUNK = 4096
#: a connection (TCP connect, MQTT CONNACK, opening a port) must complete within this many seconds at most
CONNECT_TIMEOUT = 30.0
#: while one warning keeps repeating, a summary line is logged at most this often (seconds)
SUMMARY_INTERVAL = 300.0
#: query parameters whose values are masked in source names
_SECRET_PARAMS = frozenset({"key", "password", "pass", "psk", "noise_psk", "token", "secret"})
_COM_PORT = re.compile(r"^(\\\\\.\\)?COM\d+$", re.IGNORECASE)
#: other URL schemes serialx opens itself
_SERIALX_SCHEMES = ("rfc2217://", "esphome://")


class MqttUnavailableError(ImportError):
    """aiomqtt (the ``[mqtt]`` extra) is not installed."""


@dataclass(frozen=True)
class SourceState:
    """A change of a source's connection state, as handed to ``on_state``.

    ``state``: ``"connecting"``, ``"connected"``, ``"stalled"``,
    ``"reconnecting"`` or ``"closed"``.  ``reason``: why (for stalled,
    reconnecting and an abnormal close), else None.  ``attempt``: the
    connection attempt this state belongs to, counted from 1 since the
    last connection that delivered data.  ``source``: the source with any
    password or key masked.
    """

    state: str
    reason: Optional[str]
    attempt: int
    source: str


# ------------------------------------------------------------------ parsing


@dataclass
class _Spec:
    kind: str  # "serial", "tcp", "mqtt", "file"
    target: str  # device / URL for serialx, host for tcp and mqtt, path for files ("-": stdin)
    display: str  # masked, for states and logs
    port: int = 0
    topic: str = ""
    username: Optional[str] = None
    password: Optional[str] = None
    tls: bool = False
    serial: Dict[str, Any] = field(default_factory=dict)


def _mask_query(url: str) -> str:
    base, sep, query = url.partition("?")
    if not sep:
        return url
    parts = []
    for pair in query.split("&"):
        name = pair.partition("=")[0]
        parts.append(name + "=***" if unquote(name).lower() in _SECRET_PARAMS else pair)
    return base + "?" + "&".join(parts)


def _host_port(netloc: str, default: Optional[int], what: str) -> Tuple[str, int]:
    if netloc.startswith("["):  # [v6 address]:port
        host, _, rest = netloc[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    if not host:
        raise ValueError("%s needs a host" % what)
    if not port_text:
        if default is None:
            raise ValueError("%s needs a port (host:port)" % what)
        return host, default
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError("%s: bad port %r" % (what, port_text)) from None
    if not 0 < port < 65536:
        raise ValueError("%s: bad port %d" % (what, port))
    return host, port


def parse_source(source: str) -> _Spec:
    """What ``source`` names (see :func:`open_source`); ValueError when it names nothing usable."""
    if not isinstance(source, str) or not source.strip():
        raise ValueError("a source is a non-empty string (device, URL or path)")
    low = source.lower()
    if low.startswith("serial://"):
        rest = source[len("serial://"):]
        path, _, query = rest.partition("?")
        if not path:
            raise ValueError("serial:// needs a device: serial:///dev/ttyUSB0")
        opts: Dict[str, Any] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name == "preset":
                opts["preset"] = value
            elif name in ("baudrate", "baud", "bytesize"):
                opts["baudrate" if name == "baud" else name] = int(value)
            elif name == "parity":
                opts["parity"] = value
            elif name == "stopbits":
                opts["stopbits"] = float(value)
            else:
                raise ValueError("serial://: unknown parameter %r (preset, baudrate, parity, bytesize, stopbits)"
                                 % name)
        return _Spec("serial", path, _mask_query(source), serial=opts)
    if low.startswith(("socket://", "tcp://")):
        parts = urlsplit(source)
        host, port = _host_port(parts.netloc, None, "socket://")
        shown = "[%s]" % host if ":" in host else host
        return _Spec("tcp", host, "socket://%s:%d" % (shown, port), port=port)
    if low.startswith(("mqtt://", "mqtts://")):
        tls = low.startswith("mqtts://")
        rest = source[len("mqtts://" if tls else "mqtt://"):]
        netloc, _, topic = rest.partition("/")  # not urlsplit: '#' is a topic wildcard, not a fragment
        topic = unquote(topic)
        if not topic:
            raise ValueError("mqtt:// needs a topic: mqtt://host[:port]/topic/#")
        userinfo, at, hostport = netloc.rpartition("@")
        username = password = None
        shown = hostport
        if at:
            user, colon, pw = userinfo.partition(":")
            username = unquote(user)
            password = unquote(pw) if colon else None
            shown = "%s%s@%s" % (user, ":***" if colon else "", hostport)
        host, port = _host_port(hostport, 8883 if tls else 1883, "mqtt://")
        return _Spec("mqtt", host, "%s://%s/%s" % ("mqtts" if tls else "mqtt", shown, topic), port=port,
                     topic=topic, username=username, password=password, tls=tls)
    if low.startswith(_SERIALX_SCHEMES):
        return _Spec("serial", source, _mask_query(source))
    if low.startswith("file://"):
        path = unquote(urlsplit(source).path)
        return _Spec("file", path, source)
    if source.startswith("/dev/") or _COM_PORT.match(source):
        return _Spec("serial", source, source)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        raise ValueError("unknown source scheme in %r (serial://, socket://, mqtt://, mqtts://, file://)"
                         % _mask_query(source))
    return _Spec("file", source, source)


def idle_timeout_for(preset: Optional[str]) -> float:
    """The default idle timeout (seconds) of a meter family preset (:data:`IDLE_TIMEOUTS`)."""
    if preset is None:
        return DEFAULT_IDLE_TIMEOUT
    if preset not in IDLE_TIMEOUTS:
        raise ValueError("unknown preset %r (one of %s)" % (preset, ", ".join(IDLE_TIMEOUTS)))
    return IDLE_TIMEOUTS[preset]


# ------------------------------------------------------------------ backoff and logging


class Backoff:
    """Capped exponential delays with jitter: the n-th consecutive delay is drawn from
    ``[d/2, d]`` where ``d = min(limit, first * 2**(n-1))``; :meth:`reset` starts over."""

    def __init__(self, first: float, limit: float, rand: Optional[Callable[[], float]] = None) -> None:
        if not (first > 0 and limit >= first and math.isfinite(limit)):
            raise ValueError("backoff must be (first > 0, limit >= first), finite")
        self.first = first
        self.limit = limit
        self._rand = random.random if rand is None else rand  # ``rand``: uniform [0, 1) (tests pass their own)
        self._n = 0

    def reset(self) -> None:
        self._n = 0

    def next(self) -> float:
        d = min(self.limit, self.first * 2.0 ** min(self._n, 64))
        self._n += 1
        return d * (0.5 + 0.5 * self._rand())


class _Summarising:
    """Logs each distinct line once, then counts its repeats instead of logging them.

    A repeated line (same key) is suppressed; its count is logged as one
    "... repeated N times" line when it recurs after :data:`SUMMARY_INTERVAL`,
    when :meth:`flush` is called (a source recovered, or closed).
    """

    def __init__(self, log: logging.Logger, interval: float = SUMMARY_INTERVAL) -> None:
        self._log = log
        self._interval = interval
        # key -> [level, text of the first line, suppressed count, time of the last line logged]
        self._seen: Dict[Tuple[str, ...], List[Any]] = {}

    def log(self, level: int, key: Tuple[str, ...], text: str) -> None:
        now = time.monotonic()
        entry = self._seen.get(key)
        if entry is not None and now - entry[3] < self._interval:
            entry[2] += 1
            return
        if entry is not None:
            self._summary(entry)
        self._seen[key] = [level, text, 0, now]
        self._log.log(level, "%s", text)

    def _summary(self, entry: List[Any]) -> None:
        if entry[2]:
            self._log.log(entry[0], "%s (repeated %d times)", entry[1], entry[2])
            entry[2] = 0

    def flush(self, prefix: Optional[Tuple[str, ...]] = None) -> None:
        """Log the pending summaries (of the keys starting with ``prefix``) and forget those keys."""
        for key in list(self._seen):
            if prefix is None or key[:len(prefix)] == prefix:
                self._summary(self._seen.pop(key))


def _describe(exc: BaseException) -> str:
    text = str(exc)
    name = type(exc).__name__
    return "%s: %s" % (name, text) if text else name


# ------------------------------------------------------------------ connections


class _EndOfStream(Exception):
    """The peer closed the connection (EOF)."""


class _Stalled(Exception):
    """No byte arrived within the idle timeout."""


class _Connection:
    """One open connection: ``read()`` -> bytes (b"" = nothing this time), None at EOF."""

    async def read(self) -> Optional[bytes]:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class _StreamConnection(_Connection):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def read(self) -> Optional[bytes]:
        chunk = await self.reader.read(CHUNK)
        return chunk or None

    async def close(self) -> None:
        transport = self.writer.transport
        try:
            transport.abort()  # a half-open peer would never acknowledge a graceful close
        except Exception:  # pragma: no cover - serial transports without abort
            self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 2.0)
        except Exception:  # closing is best effort: the connection is gone either way
            pass


def _keepalive(sock: Any) -> None:
    """TCP keepalive as a second line of defence behind the idle watchdog (where the OS has it)."""
    import socket

    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
            if hasattr(socket, name):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    except OSError:  # pragma: no cover - platform without these options
        pass


async def _open_tcp(spec: _Spec) -> _Connection:
    reader, writer = await asyncio.open_connection(spec.target, spec.port)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        _keepalive(sock)
    return _StreamConnection(reader, writer)


async def _open_serial(spec: _Spec, preset: Optional[str], baudrate: Optional[int]) -> _Connection:
    opts = dict(spec.serial)
    preset = opts.pop("preset", preset)
    if baudrate is not None:
        opts["baudrate"] = baudrate
    reader, writer = await open_serial(spec.target, preset=preset, **opts)
    return _StreamConnection(reader, writer)


def _mqtt_module() -> Any:
    try:
        import aiomqtt
    except ImportError:
        raise MqttUnavailableError("MQTT sources need the [mqtt] extra: pip install 'hanparse[mqtt]' (aiomqtt)") \
            from None
    return aiomqtt


def _is_text(payload: bytes) -> bool:
    """Printable ASCII with tab/CR/LF only: hex text, JSON, a P1 telegram, a labelled line."""
    return not payload.translate(None, bytes(range(0x20, 0x7F)) + b"\t\r\n")


def mqtt_payload_bytes(payload: Any, after_line_end: bool = True) -> bytes:
    """One MQTT payload as decoder input.

    Binary payloads go in as they are.  A text payload (hex, JSON, a
    telegram, a labelled line) gets a final LF so that its last line ends,
    and a leading LF when the previous payload did not end its line
    (``after_line_end=False``: a binary frame before it), so that it is
    read as lines of its own.
    """
    if payload is None:
        return b""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        data = bytes(payload)
    else:  # aiomqtt hands str / int / float payloads of its own publishers as they are
        data = str(payload).encode("utf-8", "replace")
    if data and _is_text(data):
        if not after_line_end:
            data = b"\n" + data
        if not data.endswith(b"\n"):
            data += b"\n"
    return data


class _MqttConnection(_Connection):
    def __init__(self, client: Any) -> None:
        self.client = client
        self.messages = client.messages.__aiter__()
        self.line_ended = True  # the last payload fed ended with LF (or none was fed)

    async def read(self) -> Optional[bytes]:
        message = await self.messages.__anext__()
        data = mqtt_payload_bytes(message.payload, self.line_ended)
        if data:
            self.line_ended = data.endswith(b"\n")
        return data

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.client.__aexit__(None, None, None), 2.0)
        except Exception:  # best effort, as for streams
            pass


async def _open_mqtt(spec: _Spec, timeout: float) -> _Connection:
    aiomqtt = _mqtt_module()
    client = aiomqtt.Client(spec.target, spec.port, username=spec.username, password=spec.password,
                            timeout=timeout, keepalive=int(max(5, min(60, timeout))),
                            tls_context=ssl.create_default_context() if spec.tls else None)
    await client.__aenter__()
    try:
        await client.subscribe(spec.topic)
    except BaseException:
        await _MqttConnection(client).close()
        raise
    return _MqttConnection(client)


def _connection_errors() -> Tuple[Type[BaseException], ...]:
    errors: Tuple[Type[BaseException], ...] = (OSError, EOFError, asyncio.TimeoutError, _EndOfStream, _Stalled)
    errors += serial_errors()
    try:
        import aiomqtt
    except ImportError:
        return errors
    return errors + (aiomqtt.MqttError,)


# ------------------------------------------------------------------ the source


async def open_source(source: str, *, keys: Any = None, options: Any = None, tz: Any = "Europe/Amsterdam",
                      decoder: Optional[StreamDecoder] = None, preset: Optional[str] = None,
                      baudrate: Optional[int] = None, idle_timeout: Optional[float] = None,
                      reconnect: bool = True, backoff: Tuple[float, float] = (1.0, 60.0),
                      on_state: Optional[Callable[[SourceState], None]] = None,
                      on_error: Optional[Callable[[HanParseError], None]] = None) -> AsyncIterator[Message]:
    """Messages from a live source that reconnects by itself: ``async for msg in open_source(...)``.

    ``source`` picks the kind:

    * ``/dev/ttyUSB0``, ``COM3``, ``serial:///dev/ttyUSB0?preset=p1&baudrate=9600``
      (also ``rfc2217://`` and ``esphome://`` URLs): a serial port through
      serialx (the ``[serial]`` extra), settings from ``preset``
      (:data:`SERIAL_PRESETS`) and ``baudrate``;
    * ``socket://host:port`` (or ``tcp://``): a TCP gateway (ser2net,
      ESP-link, P1 dongles);
    * ``mqtt://[user:pass@]host[:port]/topic/#`` (``mqtts://`` for TLS):
      each payload of the subscription (binary, hex text, JSON, telegram)
      is fed to the decoder as it is, text with a final LF (the ``[mqtt]``
      extra, aiomqtt);
    * a path, ``file://`` URL or ``-`` (stdin): read to the end, flushed,
      done; no watchdog and no reconnect.

    The decoder is ``decoder`` or one made from ``keys``, ``options`` and
    ``tz``.  ``idle_timeout`` (seconds; default from ``preset``'s meter
    family, :data:`IDLE_TIMEOUTS`; 0 turns the watchdog off): no byte for
    that long and the connection counts as stalled and is replaced.
    ``reconnect``: after an I/O error, end of stream or stall, wait
    (``backoff = (first, limit)``: capped exponential delays with jitter,
    back to ``first`` after a connection that delivered data), reset the
    decoder and connect again; with ``reconnect=False`` the error is raised
    (a stall as ``TimeoutError``) and an end of stream ends the iteration.
    ``on_state(SourceState)`` hears every state change; ``on_error(exc)``
    gets every frame the decoder rejects (else they are logged, once per
    kind, with a count of repeats).  Logger: ``hanparse.aio``.
    """
    spec = parse_source(source)
    family_idle = idle_timeout_for(preset)
    if idle_timeout is None:
        idle_timeout = family_idle
    if idle_timeout < 0 or math.isnan(idle_timeout):
        raise ValueError("idle_timeout must be >= 0 seconds (0: no watchdog)")
    idle: Optional[float] = idle_timeout if 0 < idle_timeout < math.inf else None
    policy = Backoff(*backoff)
    summariser = _Summarising(logger)

    def report(exc: HanParseError) -> None:
        if on_error is not None:
            on_error(exc)
        else:
            summariser.log(logging.WARNING, ("decoder", reason_of(exc)),
                           "%s: rejected input (%s): %s" % (spec.display, reason_of(exc), exc))

    restore: Optional[Callable[[], None]] = None
    if decoder is None:
        decoder = StreamDecoder(keys, options=options, tz=tz, on_error=report)
    else:
        if keys is not None or options is not None:
            raise TypeError("pass either a decoder or keys/options, not both")
        previous = decoder.on_error
        target = decoder

        def chained(exc: HanParseError) -> None:
            if previous is not None:
                previous(exc)
                if on_error is None:  # the decoder's own handler took it: nothing to log
                    return
            report(exc)

        def undo() -> None:
            target.on_error = previous

        decoder.on_error = chained
        restore = undo

    closed = False
    last_attempt = 1

    def emit(state: str, reason: Optional[str], attempt: int) -> None:
        nonlocal closed, last_attempt
        if state == "closed":
            if closed:
                return
            closed = True
            summariser.flush()
            attempt = attempt or last_attempt
        last_attempt = attempt
        st = SourceState(state, reason, attempt, spec.display)
        if state == "reconnecting":
            summariser.log(logging.WARNING, ("conn", "reconnecting", reason or ""),
                           "%s: reconnecting: %s" % (spec.display, reason))
        elif state == "connected":
            summariser.log(logging.INFO, ("conn", "connected"), "%s: connected" % spec.display)
        elif state == "closed":
            logger.info("%s: closed%s", spec.display, ": %s" % reason if reason else "")
        else:
            logger.debug("%s: %s%s (attempt %d)", spec.display, state, ": %s" % reason if reason else "", attempt)
        if on_state is not None:
            on_state(st)

    try:
        if spec.kind == "file":
            async for msg in _file_messages(spec, decoder, emit):
                yield msg
        else:
            async for msg in _live_messages(spec, decoder, emit, summariser, idle, reconnect, policy, preset,
                                            baudrate):
                yield msg
    except BaseException as exc:
        emit("closed", _describe(exc) if isinstance(exc, Exception) else None, 0)
        raise
    finally:
        emit("closed", None, 0)
        if restore is not None:
            restore()


async def _read(conn: _Connection, idle: Optional[float]) -> Optional[bytes]:
    if idle is None:
        return await conn.read()
    try:
        return await asyncio.wait_for(conn.read(), idle)
    except asyncio.TimeoutError:
        raise _Stalled("no data for %g s" % idle) from None


async def _live_messages(spec: _Spec, decoder: StreamDecoder, emit: Callable[[str, Optional[str], int], None],
                         summariser: _Summarising, idle: Optional[float], reconnect: bool, policy: Backoff,
                         preset: Optional[str], baudrate: Optional[int]) -> AsyncIterator[Message]:
    connect_timeout = min(CONNECT_TIMEOUT, idle) if idle is not None else CONNECT_TIMEOUT
    if spec.kind == "mqtt":
        _mqtt_module()  # a missing extra is a usage error, not something to retry
    elif spec.kind == "serial":
        _serial_module()
    errors = _connection_errors()
    attempt = 0
    while True:
        attempt += 1
        emit("connecting", None, attempt)
        conn: Optional[_Connection] = None
        delivered = False
        try:
            if spec.kind == "tcp":
                conn = await asyncio.wait_for(_open_tcp(spec), connect_timeout)
            elif spec.kind == "mqtt":
                conn = await asyncio.wait_for(_open_mqtt(spec, connect_timeout), connect_timeout * 2)
            else:
                conn = await asyncio.wait_for(_open_serial(spec, preset, baudrate), connect_timeout)
            emit("connected", None, attempt)
            while True:
                try:
                    chunk = await _read(conn, idle)
                except _Stalled as exc:
                    emit("stalled", str(exc), attempt)
                    raise
                if chunk is None:
                    raise _EndOfStream("the peer closed the connection")
                if not chunk:
                    continue
                if not delivered:
                    delivered = True
                    policy.reset()
                    if attempt > 1:  # recovered: say how often the failure repeated, then that it is over
                        summariser.flush(("conn",))
                        logger.info("%s: receiving data again (after %d attempts)", spec.display, attempt)
                for msg in decoder.feed(chunk):
                    yield msg
        except errors as exc:
            if isinstance(exc, asyncio.TimeoutError) and conn is None:
                reason = "no connection within %g s" % connect_timeout
            elif isinstance(exc, (_Stalled, _EndOfStream)):
                reason = str(exc)
            else:
                reason = _describe(exc)
            if not reconnect:
                if isinstance(exc, _EndOfStream):
                    for msg in decoder.flush():
                        yield msg
                    emit("closed", reason, attempt)
                    return
                emit("closed", reason, attempt)
                if isinstance(exc, _Stalled):
                    raise TimeoutError("%s: %s" % (spec.display, reason)) from None
                raise
        finally:
            if conn is not None:
                await conn.close()
        decoder.reset()
        if delivered:
            attempt = 0
        delay = policy.next()
        emit("reconnecting", reason, attempt + 1)
        await asyncio.sleep(delay)


class _ThreadReader:
    """``read(n)`` of a blocking file object, run in the loop's executor (regular files, or no pipe transport)."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    async def read(self, n: int = -1) -> bytes:
        data: bytes = await asyncio.get_running_loop().run_in_executor(None, self._fh.read, n)
        return data


async def _file_messages(spec: _Spec, decoder: StreamDecoder,
                         emit: Callable[[str, Optional[str], int], None]) -> AsyncIterator[Message]:
    emit("connecting", None, 1)
    loop = asyncio.get_running_loop()
    fh: Any
    if spec.target == "-":
        try:  # a duplicate, so that closing the pipe transport leaves sys.stdin open
            fh = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
        except (AttributeError, OSError, ValueError):  # a replaced sys.stdin without a descriptor
            fh = sys.stdin.buffer
    else:
        # in a thread: opening a FIFO waits for its writer.  OSError propagates (nothing to retry).
        fh = await loop.run_in_executor(None, open, spec.target, "rb")
    transport: Optional[asyncio.BaseTransport] = None
    try:
        mode = os.fstat(fh.fileno()).st_mode
        reader: Union[asyncio.StreamReader, _ThreadReader] = _ThreadReader(fh)
        if not stat.S_ISREG(mode):
            pipe = asyncio.StreamReader()
            try:
                transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(pipe), fh)
                reader = pipe
            except (OSError, ValueError, NotImplementedError):  # e.g. Windows: keep the threaded reads
                pass
        emit("connected", None, 1)
        async for msg in read_messages(reader, decoder, CHUNK):
            yield msg
    finally:
        if transport is not None:
            transport.close()
        if fh is not getattr(sys.stdin, "buffer", None):
            fh.close()
    emit("closed", None, 1)
