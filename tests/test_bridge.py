"""The MQTT bridge against a real broker (issue 13, item 4).

A real amqtt broker (``tests/_broker.py``) runs for this module; the
bridge publishes through a real aiomqtt client (in-process, or the
``hanparse bridge`` command in a subprocess), and a second real client
subscribes.  What arrives is checked against :func:`hanparse.parse_frame`
of the same frames and :func:`hanparse.registry.ha_description`:

* one retained device discovery config per meter on
  ``homeassistant/device/hanparse_<meter>/config`` (``dev``, ``o``,
  ``cmps``), format from
  https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload;
* one JSON state per message on ``<prefix>/<meter>/state``, every value
  equal to the decoded one (full precision);
* ``online``/``offline`` on ``<prefix>/availability``, ``offline`` also as
  the last will when the bridge process dies;
* keys appear in no topic, payload or log line.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Iterable, List, Tuple

import pytest

import hanparse
from hanparse import mqtt
from hanparse.registry import ha_description
from tests._broker import start_broker

aiomqtt = pytest.importorskip("aiomqtt")
pytest.importorskip("amqtt")

ROOT = Path(__file__).resolve().parent.parent
AIDON = "fixtures/hdlc/aidon-no-list2-1phase.json"
AIDON_LIST1 = "fixtures/hdlc/amshan__hdlc__aidon_list1_with_7d_in_info.json"
KAMSTRUP = "fixtures/hdlc/kamstrup-no-list2-3phase.json"
DSMR5 = "fixtures/p1_ascii/dsmr_parser__TELEGRAM_V5.json"
OMNIPOWER = "fixtures/hdlc/dlms__dlms_parser_hdlc_kamstrup_omnipower.json"
CET = _dt.timezone(_dt.timedelta(hours=1))

Received = List[Tuple[str, bytes, bool]]  # (topic, payload, retained)


def _entry(path: str) -> Dict[str, Any]:
    entry: Dict[str, Any] = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return entry


def _wire(path: str) -> bytes:
    e = _entry(path)
    return bytes.fromhex(e["hex"]) if e.get("hex") else e["text"].encode("latin-1")


def _keys(path: str) -> hanparse.Keys:
    e = _entry(path)
    return hanparse.Keys(e["key_hex"], e["auth_key_hex"])


@pytest.fixture(scope="module")
def broker() -> Iterable[Tuple[str, int]]:
    host, port, stop = start_broker()
    try:
        yield host, port
    finally:
        stop()


_counter = [0]


def _prefix() -> str:
    """A topic prefix of its own per test: retained messages of one test do not leak into another."""
    _counter[0] += 1
    return "t%d_%d" % (os.getpid(), _counter[0])


class Subscriber:
    """A real MQTT client subscribed to some topics, collecting in the background."""

    def __init__(self, host: str, port: int, topics: List[str]) -> None:
        self.host, self.port, self.topics = host, port, topics
        self.received: Received = []
        self._ready = asyncio.Event()
        self._task: "asyncio.Task[None]"

    async def __aenter__(self) -> "Subscriber":
        self._task = asyncio.ensure_future(self._run())
        await asyncio.wait_for(self._ready.wait(), 5)
        return self

    async def _run(self) -> None:
        async with aiomqtt.Client(self.host, self.port, identifier="sub-%d" % time.monotonic_ns()) as client:
            for t in self.topics:
                await client.subscribe(t, qos=1)
            self._ready.set()
            async for m in client.messages:
                # only what was subscribed: amqtt has been seen delivering another test's retained
                # messages on subscribe (a broker quirk, not the bridge's doing)
                if not any(m.topic.matches(t) for t in self.topics):
                    continue
                payload = m.payload if isinstance(m.payload, bytes) else str(m.payload).encode()
                self.received.append((str(m.topic), payload, bool(m.retain)))

    async def wait_for(self, done: Callable[[Received], bool], timeout: float = 10.0) -> Received:
        end = time.monotonic() + timeout
        while not done(self.received) and time.monotonic() < end:
            await asyncio.sleep(0.02)
        return self.received

    async def __aexit__(self, *exc: Any) -> None:
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, aiomqtt.MqttError):
            pass


def _on(received: Received, topic: str) -> List[bytes]:
    return [p for t, p, _r in received if t == topic]


async def _messages(*msgs: hanparse.Message) -> AsyncIterator[hanparse.Message]:
    for m in msgs:
        yield m


def _expected_state(msg: hanparse.Message, meter_id: str, tz: _dt.tzinfo = CET) -> Dict[str, Any]:
    """The state the bridge should publish, built here from the decoded message and the descriptions."""
    ts = msg.timestamp
    if ts is not None and ts.tzinfo is None:
        ts = ts.replace(tzinfo=tz)
    state: Dict[str, Any] = {"meter_id": meter_id, "timestamp": ts.isoformat() if ts else None}
    types = {r.channel: r.value for r in msg.readings if r.name == "mbus_device_type"}
    for r in msg.readings:
        d = ha_description(r.obis, unit=r.unit, mbus_device_type=types.get(r.channel) if r.channel else None)
        if d is not None and d.object_id not in state:
            state[d.object_id] = d.convert(r.value, tz)
    return state


def _check_config(config: Dict[str, Any], msgs: List[hanparse.Message], meter_id: str, prefix: str) -> None:
    """The device discovery config of one meter against its decoded messages."""
    dev = config["dev"]
    assert dev["identifiers"] == ["hanparse_" + meter_id]
    assert dev["serial_number"] == meter_id
    meter = msgs[0].meter
    if meter.manufacturer:
        assert dev["manufacturer"] == meter.manufacturer and meter.manufacturer in dev["name"]
    if meter.model:
        assert dev["model"] == meter.model
    if meter.list_id:
        assert dev["sw_version"] == meter.list_id
    assert config["o"] == {"name": "hanparse", "sw_version": hanparse.__version__}
    assert config["availability_topic"] == prefix + "/availability"
    assert (config["payload_available"], config["payload_not_available"]) == ("online", "offline")
    cmps = config["cmps"]
    expected_ids = set()
    for msg in msgs:
        for r in msg.readings:
            d = ha_description(r.obis, unit=r.unit)
            if d is None:
                continue
            expected_ids.add(d.object_id)
            c = cmps[d.object_id]
            assert c["p"] == "sensor"
            assert c["unique_id"] == "hanparse_%s_%s" % (meter_id, d.object_id)
            assert c["name"] == d.name
            assert c["state_topic"] == "%s/%s/state" % (prefix, meter_id)
            assert "value_json.%s " % d.object_id in c["value_template"]
            assert c.get("device_class") == d.device_class
            assert c.get("state_class") == d.state_class
            assert c.get("unit_of_measurement") == d.native_unit
            assert c["expire_after"] == 300
    assert set(cmps) == expected_ids


# ----------------------------------------------------------------------- in-process


def test_bridge_publishes_discovery_and_states(broker: Tuple[str, int]) -> None:
    host, port = broker
    prefix = _prefix()
    msgs = [hanparse.parse_frame(_wire(p)) for p in (AIDON, KAMSTRUP, DSMR5)]
    meters = [m.meter.meter_id for m in msgs]
    assert meters == ["7359992890941742", "5706567000000000", "K8EG004046395507"]

    async def run() -> Tuple[Received, mqtt.Bridge]:
        async with Subscriber(host, port, [prefix + "/#", "disc_%s/#" % prefix]) as sub:
            async with aiomqtt.Client(host, port) as client:
                b = await mqtt.run_bridge(_messages(*msgs), client, topic_prefix=prefix,
                                          discovery_prefix="disc_" + prefix, tz=CET)
            received = await sub.wait_for(lambda r: len(_on(r, prefix + "/availability")) >= 2
                                          and sum(t.endswith("/state") for t, _p, _r in r) >= 3
                                          and sum(t.endswith("/config") for t, _p, _r in r) >= 3)
        return received, b

    received, b = asyncio.run(run())
    assert b.published == 3 and b.skipped == 0
    assert _on(received, prefix + "/availability") == [b"online", b"offline"]
    for msg, meter_id in zip(msgs, meters):
        states = [json.loads(p) for p in _on(received, "%s/%s/state" % (prefix, meter_id))]
        assert states == [_expected_state(msg, meter_id)]
        configs = _on(received, "disc_%s/device/hanparse_%s/config" % (prefix, meter_id))
        assert len(configs) == 1
        _check_config(json.loads(configs[0]), [msg], meter_id, prefix)

    # full precision: the JSON numbers are the decoded values themselves
    aidon = json.loads(_on(received, "%s/%s/state" % (prefix, meters[0]))[0])
    assert (aidon["active_power_import"], aidon["current_l1"], aidon["voltage_l1"]) == (1362, 9.3, 250.0)
    dsmr = json.loads(_on(received, "%s/%s/state" % (prefix, meters[2]))[0])
    assert dsmr["active_energy_import_tariff_1"] == 4.426 and dsmr["active_power_import_l2"] == 0.032
    assert dsmr["mbus_reading_1"] == 0.107 and dsmr["timestamp"] == "2017-01-02T19:20:02+01:00"
    assert dsmr["tariff_indicator"] == "0002" and dsmr["text_message"] is None
    kamstrup = json.loads(_on(received, "%s/%s/state" % (prefix, meters[1]))[0])
    assert kamstrup["clock"] == "2017-08-16T16:00:05+01:00"  # naive meter clock, given the bridge's zone

    # the DSMR gas channel: a gas sensor in m³
    cfg = json.loads(_on(received, "disc_%s/device/hanparse_%s/config" % (prefix, meters[2]))[0])
    gas = cfg["cmps"]["mbus_reading_1"]
    assert (gas["device_class"], gas["state_class"], gas["unit_of_measurement"]) == ("gas", "total_increasing", "m³")
    assert cfg["dev"]["sw_version"] == "DSMR 5.0" and cfg["dev"]["model"] == "MT382-1000"

    # discovery configs and availability are retained: a late subscriber gets them
    async def late() -> Received:
        async with Subscriber(host, port, [prefix + "/#", "disc_%s/#" % prefix]) as sub:
            return await sub.wait_for(lambda r: len({t for t, _p, _r in r}) >= 4)

    retained = asyncio.run(late())
    # (amqtt may deliver a retained message once per matching subscription: compare sets)
    assert {t for t, _p, r in retained if r} == {"%s/availability" % prefix} | {
        "disc_%s/device/hanparse_%s/config" % (prefix, m) for m in meters}
    assert set(_on(retained, prefix + "/availability")) == {b"offline"}
    assert not any(t.endswith("/state") for t, _p, _r in retained)  # states are not retained


def test_config_grows_and_messages_without_meter_id(broker: Tuple[str, int]) -> None:
    """Aidon list 1 (power only, no meter id) is published under the meter seen before, with the known components.

    A list 1 before any meter id is skipped; the discovery config is published
    again only when it changes.
    """
    host, port = broker
    prefix = _prefix()
    list1 = hanparse.parse_frame(_wire(AIDON_LIST1))
    list2 = hanparse.parse_frame(_wire(AIDON))
    assert list1.meter.meter_id is None and [r.name for r in list1.readings] == ["active_power_import"]
    meter_id = list2.meter.meter_id

    async def run() -> Tuple[Received, mqtt.Bridge]:
        async with Subscriber(host, port, [prefix + "/#", "disc_%s/#" % prefix]) as sub:
            async with aiomqtt.Client(host, port) as client:
                b = await mqtt.run_bridge(_messages(list1, list2, list1, list2), client, topic_prefix=prefix,
                                          discovery_prefix="disc_" + prefix)
            received = await sub.wait_for(lambda r: len(_on(r, prefix + "/availability")) >= 2
                                          and sum(t.endswith("/state") for t, _p, _r in r) >= 3
                                          and any(t.endswith("/config") for t, _p, _r in r))
        return received, b

    received, b = asyncio.run(run())
    assert (b.published, b.skipped) == (3, 1)
    states = [json.loads(p) for p in _on(received, "%s/%s/state" % (prefix, meter_id))]
    assert states[1] == {"meter_id": meter_id, "timestamp": None, "active_power_import": 1661}
    assert states[0] == states[2] == _expected_state(list2, meter_id)
    configs = _on(received, "disc_%s/device/hanparse_%s/config" % (prefix, meter_id))
    assert len(configs) == 1  # list 1 brought nothing new


def test_value_templates_render() -> None:
    """The value templates, rendered by Jinja (the engine of Home Assistant templates) on the state."""
    jinja2 = pytest.importorskip("jinja2")
    b = mqtt.Bridge(None, tz=CET)
    msg = hanparse.parse_frame(_wire(DSMR5))
    state = b.state_payload(msg, msg.meter.meter_id)
    env = jinja2.Environment()

    class This:
        state = "previous"

    for oid, desc in ((d.object_id, d) for d in (ha_description(r.obis, unit=r.unit) for r in msg.readings) if d):
        c = b._component("m", oid, desc, "x/state")
        tpl = env.from_string(c["value_template"])
        rendered = tpl.render(value_json=state, this=This())
        assert rendered == ("None" if state[oid] is None else str(state[oid])), oid
        missing = tpl.render(value_json={"meter_id": "m"}, this=This())
        # numbers: empty (Home Assistant keeps the last state); text: the current state; enum: unknown
        assert missing in ("", "previous", "None"), oid


# ----------------------------------------------------------------------- the command


def _run_cli(args: List[str], timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hanparse", "bridge"] + args, capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT))


@pytest.mark.parametrize("how", ["key-options", "keys-file"])
def test_cli_once_encrypted_keys_never_published(broker: Tuple[str, int], tmp_path: Path, how: str) -> None:
    host, port = broker
    prefix = _prefix()
    capture = tmp_path / "omnipower.bin"
    capture.write_bytes(_wire(OMNIPOWER))
    e = _entry(OMNIPOWER)
    expected = hanparse.parse_frame(_wire(OMNIPOWER), keys=_keys(OMNIPOWER))
    meter_id = expected.meter.meter_id
    if how == "keys-file":
        keys_file = tmp_path / "keys.json"
        keys_file.write_text(json.dumps({expected.meter.system_title.hex(): {"key": e["key_hex"],
                                                                             "auth_key": e["auth_key_hex"]}}))
        key_args = ["--keys", str(keys_file)]
    else:
        key_args = ["--key", e["key_hex"], "--auth-key", e["auth_key_hex"]]
    secrets = [e["key_hex"].lower(), e["key_hex"].upper(), e["auth_key_hex"].lower(), e["auth_key_hex"].upper()]
    args = [str(capture), "--mqtt", "mqtt://%s:%d" % (host, port), "--topic-prefix", prefix,
            "--discovery-prefix", "disc_" + prefix, "--tz", "Europe/Copenhagen", "--once", "-vv"] + key_args

    async def run() -> Tuple[Received, subprocess.CompletedProcess]:
        async with Subscriber(host, port, [prefix + "/#", "disc_%s/#" % prefix]) as sub:
            proc = await asyncio.to_thread(_run_cli, args)
            # (the broker may deliver QoS 0 states before QoS 1 configs: wait for all three topics)
            received = await sub.wait_for(lambda r: len({t for t, _p, _r in r}) >= 3)
        return received, proc

    received, proc = asyncio.run(run())
    assert proc.returncode == 0, proc.stderr
    states = [json.loads(p) for p in _on(received, "%s/%s/state" % (prefix, meter_id))]
    zone = __import__("zoneinfo").ZoneInfo("Europe/Copenhagen")
    assert states == [_expected_state(expected, meter_id, zone)]
    configs = _on(received, "disc_%s/device/hanparse_%s/config" % (prefix, meter_id))
    assert len(configs) == 1
    _check_config(json.loads(configs[0]), [expected], meter_id, prefix)
    # --once leaves the bridge online: cron runs keep the sensors available
    assert _on(received, prefix + "/availability") == [b"online"]
    everything = "\n".join([t + " " + p.decode("utf-8", "replace") for t, p, _r in received]
                           + [proc.stdout, proc.stderr])
    assert "connected to" in proc.stderr  # the log was on
    for secret in secrets:
        assert secret not in everything


def test_cli_wrong_key_fails_without_showing_it(broker: Tuple[str, int], tmp_path: Path) -> None:
    host, port = broker
    capture = tmp_path / "omnipower.bin"
    capture.write_bytes(_wire(OMNIPOWER))
    wrong, wrong_auth = "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    proc = _run_cli([str(capture), "--mqtt", "mqtt://%s:%d" % (host, port), "--topic-prefix", _prefix(),
                     "--key", wrong, "--auth-key", wrong_auth, "-vv"])
    assert proc.returncode == 5, proc.stderr  # the tag does not verify
    assert "decrypt" in proc.stderr
    for secret in (wrong, wrong_auth):
        assert secret not in proc.stderr and secret.upper() not in proc.stderr


def test_cli_bad_keys_file(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    secret = "00112233445566778899aabbccddee"  # 15 bytes: too short
    keys_file.write_text(json.dumps({"4B414D4501349083": {"key": secret}}))
    proc = _run_cli(["-", "--mqtt", "mqtt://127.0.0.1:1", "--keys", str(keys_file)])
    assert proc.returncode == 2 and "4B414D4501349083" in proc.stderr and secret not in proc.stderr
    proc = _run_cli(["-", "--mqtt", "mqtt://127.0.0.1:1", "--keys", str(keys_file), "--key", secret + "ff"])
    assert proc.returncode == 2 and "not both" in proc.stderr


def test_cli_no_broker_is_an_io_error(tmp_path: Path) -> None:
    capture = tmp_path / "aidon.bin"
    capture.write_bytes(_wire(AIDON))
    from tests._broker import free_port

    proc = _run_cli([str(capture), "--mqtt", "mqtt://user:s3cret@127.0.0.1:%d" % free_port(), "--once"])
    assert proc.returncode == 4, proc.stderr
    assert "s3cret" not in proc.stderr


def test_cli_stream_until_end_then_offline(broker: Tuple[str, int], tmp_path: Path) -> None:
    """Without --once: every message of a capture with three meters, then offline (retained) at the end."""
    host, port = broker
    prefix = _prefix()
    capture = tmp_path / "three.bin"
    capture.write_bytes(b"".join(_wire(p) for p in (AIDON, KAMSTRUP, DSMR5)))

    async def run() -> Tuple[Received, subprocess.CompletedProcess]:
        async with Subscriber(host, port, [prefix + "/#", "disc_%s/#" % prefix]) as sub:
            proc = await asyncio.to_thread(_run_cli, [str(capture), "--mqtt", "mqtt://%s:%d" % (host, port),
                                                      "--topic-prefix", prefix, "--discovery-prefix",
                                                      "disc_" + prefix])
            received = await sub.wait_for(lambda r: _on(r, prefix + "/availability")[-1:] == [b"offline"]
                                          and sum(t.endswith("/state") for t, _p, _r in r) >= 3, timeout=10)
        return received, proc

    received, proc = asyncio.run(run())
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr, proc.stderr
    seen = [(t, p[:40]) for t, p, _r in received]
    assert _on(received, prefix + "/availability") == [b"online", b"offline"], seen
    assert sorted(t for t, _p, _r in received if t.endswith("/state")) == sorted(
        "%s/%s/state" % (prefix, m) for m in ("7359992890941742", "5706567000000000", "K8EG004046395507")), seen
    assert sum(1 for t, _p, _r in received if t.endswith("/config")) == 3, seen


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_last_will_when_the_bridge_dies(broker: Tuple[str, int]) -> None:
    """Killed while connected, the bridge is marked offline by the broker (its MQTT last will)."""
    host, port = broker
    prefix = _prefix()

    async def run() -> Received:
        async with Subscriber(host, port, [prefix + "/#"]) as sub:
            proc = subprocess.Popen([sys.executable, "-m", "hanparse", "bridge", "-", "--mqtt",
                                     "mqtt://%s:%d" % (host, port), "--topic-prefix", prefix],
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    cwd=str(ROOT))
            try:
                assert proc.stdin is not None
                proc.stdin.write(_wire(AIDON))
                proc.stdin.flush()
                await sub.wait_for(lambda r: any(t.endswith("/state") for t, _p, _r in r)
                                   and _on(r, prefix + "/availability") == [b"online"])
                assert _on(sub.received, prefix + "/availability") == [b"online"]
                proc.send_signal(signal.SIGKILL)
                await asyncio.to_thread(proc.wait, 10)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            return await sub.wait_for(lambda r: len(_on(r, prefix + "/availability")) >= 2, timeout=10)

    received = asyncio.run(run())
    assert _on(received, prefix + "/availability") == [b"online", b"offline"]
    state = json.loads(_on(received, prefix + "/7359992890941742/state")[0])
    assert state == _expected_state(hanparse.parse_frame(_wire(AIDON)), "7359992890941742")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_sigterm_publishes_offline(broker: Tuple[str, int]) -> None:
    """``systemctl stop`` (SIGTERM) on a bridge reading a TCP gateway: offline is published, exit 0."""
    host, port = broker
    prefix = _prefix()
    gateway = socket.socket()
    gateway.bind(("127.0.0.1", 0))
    gateway.listen(1)
    conns: List[socket.socket] = []

    def serve() -> None:  # a ser2net-like gateway: sends one frame, keeps the connection open
        try:
            conn, _addr = gateway.accept()
        except OSError:
            return
        conns.append(conn)
        conn.sendall(_wire(KAMSTRUP))

    server = threading.Thread(target=serve, daemon=True)
    server.start()

    async def run() -> Tuple[Received, int]:
        async with Subscriber(host, port, [prefix + "/#"]) as sub:
            proc = subprocess.Popen([sys.executable, "-m", "hanparse", "bridge",
                                     "socket://127.0.0.1:%d" % gateway.getsockname()[1], "--mqtt",
                                     "mqtt://%s:%d" % (host, port), "--topic-prefix", prefix],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(ROOT))
            try:
                await sub.wait_for(lambda r: any(t.endswith("/state") for t, _p, _r in r)
                                   and _on(r, prefix + "/availability") == [b"online"])
                proc.send_signal(signal.SIGTERM)
                code = await asyncio.to_thread(proc.wait, 10)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            received = await sub.wait_for(lambda r: len(_on(r, prefix + "/availability")) >= 2)
        return received, code

    try:
        received, code = asyncio.run(run())
    finally:
        gateway.close()
        for c in conns:
            c.close()
    assert code == 0
    assert _on(received, prefix + "/availability") == [b"online", b"offline"]
    state = json.loads(_on(received, prefix + "/5706567000000000/state")[0])
    assert state == _expected_state(hanparse.parse_frame(_wire(KAMSTRUP)), "5706567000000000",
                                    __import__("zoneinfo").ZoneInfo("Europe/Amsterdam"))


# ----------------------------------------------------------------------- pieces


def test_parse_mqtt_url() -> None:
    u = mqtt.parse_mqtt_url("mqtt://bridge:p%40ss@broker.lan:1884")
    assert (u.host, u.port, u.username, u.password, u.tls) == ("broker.lan", 1884, "bridge", "p@ss", False)
    assert "p@ss" not in repr(u) and "p@ss" not in str(u)
    assert mqtt.parse_mqtt_url("mqtt://broker").port == 1883
    assert mqtt.parse_mqtt_url("mqtts://broker").port == 8883 and mqtt.parse_mqtt_url("mqtts://b").tls
    env = {mqtt.PASSWORD_ENV: "from-env"}
    assert mqtt.parse_mqtt_url("mqtt://bridge@broker", env).password == "from-env"
    assert mqtt.parse_mqtt_url("mqtt://broker", env).password is None
    for bad in ("http://broker", "mqtt://", "mqtt://broker:port"):
        with pytest.raises(ValueError):
            mqtt.parse_mqtt_url(bad)


def test_topics_are_safe() -> None:
    b = mqtt.Bridge(None, topic_prefix="home/meter/", discovery_prefix="ha")
    assert b.state_topic("ISK5 2/#+") == "home/meter/ISK5_2___/state"
    assert b.discovery_topic("ISK5 2/#+") == "ha/device/hanparse_ISK5_2___/config"
    assert b.will() == ("home/meter/availability", "offline")


def test_bridge_is_listed() -> None:
    proc = subprocess.run([sys.executable, "-m", "hanparse", "--help"], capture_output=True, text=True, cwd=str(ROOT))
    assert "bridge" in proc.stdout
