"""Publish decoded messages to MQTT, with Home Assistant discovery.

:class:`Bridge` turns each decoded :class:`~hanparse.Message` into one JSON
state message per meter and keeps one Home Assistant device discovery
config per meter up to date; :func:`run_bridge` drives it from an async
iterator of messages; :func:`bridge` does everything from a source text
and an ``mqtt://`` URL (what ``hanparse bridge`` runs).  The MQTT client is
aiomqtt (the ``[mqtt]`` extra), imported only by :func:`connect` and
:func:`bridge`: a :class:`Bridge` publishes through any object with an
awaitable ``publish(topic, payload, qos=..., retain=...)``.

Topics (``docs/mqtt.md`` shows the payloads):

* ``<topic_prefix>/<meter>/state``: one JSON object per decoded message:
  ``meter_id``, ``timestamp`` (ISO 8601 or null) and one field per reading
  that has a Home Assistant description, keyed by its object id
  (``active_power_import``, ``mbus_reading_1``), in the unit of the
  discovery config (:func:`hanparse.registry.ha_description`); not retained.
* ``<topic_prefix>/availability``: ``online`` (retained) while the bridge
  runs, ``offline`` when it stops, and as the MQTT last will when its
  connection dies.  One topic for the bridge: MQTT has one will per
  connection.
* ``<discovery_prefix>/device/hanparse_<meter>/config``: the retained
  device discovery config (``dev``, ``o``, ``cmps``), published when a
  meter is first seen and again when it shows a quantity, a unit or a
  device detail not seen before.  See
  https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload

``<meter>`` is the meter id with every character outside ``A-Z a-z 0-9 _ -``
replaced by ``_``.  Keys are never published nor logged.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, urlsplit

from ._version import __version__
from .model import Message
from .registry import HaDescription, ha_description

__all__ = ["Bridge", "run_bridge", "bridge", "connect", "MqttUrl", "parse_mqtt_url", "load_keys_file",
           "PAYLOAD_ONLINE", "PAYLOAD_OFFLINE", "PASSWORD_ENV"]

log = logging.getLogger("hanparse.mqtt")

#: availability payload while the bridge runs
PAYLOAD_ONLINE = "online"
#: availability payload once it stopped (and its MQTT last will)
PAYLOAD_OFFLINE = "offline"
#: environment variable read for the broker password when the URL has a user but no password
PASSWORD_ENV = "HANPARSE_MQTT_PASSWORD"

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# device classes whose state Home Assistant parses as a number (an empty
# rendered template is then ignored, keeping the last state)
_NON_NUMERIC = frozenset((None, "enum", "timestamp", "date"))


def _topic_id(text: str) -> str:
    return _UNSAFE.sub("_", text)


def _is_numeric(desc: HaDescription) -> bool:
    return desc.device_class not in _NON_NUMERIC or desc.state_class is not None or desc.native_unit is not None


def _template(desc: HaDescription, object_id: str) -> str:
    # A state message holds only the readings of its own message (Norwegian
    # meters send the energies once an hour, the power every few seconds), so
    # a component's key may be missing.  Numeric sensors ignore an empty state
    # and keep their last one; other sensors are given their current state
    # back (``this``, available in MQTT templates).
    # https://www.home-assistant.io/integrations/sensor.mqtt/ (value_template)
    if _is_numeric(desc):
        return "{{ value_json.%s | default('') }}" % object_id
    if desc.device_class == "enum":
        return "{{ value_json.%s | default(none) }}" % object_id
    return "{{ value_json.%s | default(this.state) }}" % object_id


class Bridge:
    """Publishes messages of one source to MQTT for Home Assistant.

    ``client``: anything with ``async publish(topic, payload, qos=, retain=)``
    (an ``aiomqtt.Client``); ``topic_prefix`` (default "hanparse") and
    ``discovery_prefix`` (default "homeassistant"); ``expire_after``:
    seconds without a state message after which Home Assistant shows the
    meter's sensors unavailable (0: never); ``meter_id``: the meter id to use
    for messages that carry none (default: the last one seen; a message
    before any is skipped); ``tz``: the zone given to naive meter clocks
    (default: this machine's current UTC offset); ``discovery``: publish discovery configs
    (default True); ``qos``: of the state messages (configs and
    availability use 1).

    Call :meth:`start` once connected, :meth:`publish` for each message and
    :meth:`stop` before a clean disconnect.  :attr:`published` counts the
    state messages sent, :attr:`skipped` the messages without a meter id.
    """

    def __init__(self, client: Any, *, topic_prefix: str = "hanparse", discovery_prefix: str = "homeassistant",
                 expire_after: int = 300, meter_id: Optional[str] = None, tz: Optional[_dt.tzinfo] = None,
                 discovery: bool = True, qos: int = 0, support_url: Optional[str] = None) -> None:
        self.client = client
        self.topic_prefix = topic_prefix.rstrip("/")
        self.discovery_prefix = discovery_prefix.rstrip("/")
        self.expire_after = expire_after
        self.fixed_meter_id = meter_id
        self.tz = tz if tz is not None else _dt.datetime.now().astimezone().tzinfo
        self.discovery = discovery
        self.qos = qos
        self.support_url = support_url
        self.published = 0
        self.skipped = 0
        self._last_meter_id: Optional[str] = None
        self._components: Dict[str, Dict[str, Dict[str, Any]]] = {}  # meter key -> object id -> component
        self._devices: Dict[str, Dict[str, Any]] = {}  # meter key -> device info
        self._sent: Dict[str, str] = {}  # meter key -> last config sent (JSON)
        self._device_types: Dict[Tuple[str, int], int] = {}  # (meter key, channel) -> M-Bus device type

    # ------------------------------------------------------------- topics

    @property
    def availability_topic(self) -> str:
        """``<topic_prefix>/availability``."""
        return "%s/availability" % self.topic_prefix

    def state_topic(self, meter_id: str) -> str:
        """``<topic_prefix>/<meter>/state``."""
        return "%s/%s/state" % (self.topic_prefix, _topic_id(meter_id))

    def discovery_topic(self, meter_id: str) -> str:
        """``<discovery_prefix>/device/hanparse_<meter>/config``."""
        return "%s/device/hanparse_%s/config" % (self.discovery_prefix, _topic_id(meter_id))

    def will(self) -> Tuple[str, str]:
        """(topic, payload) of the last will to give the MQTT client: the bridge's availability, ``offline``."""
        return self.availability_topic, PAYLOAD_OFFLINE

    # ------------------------------------------------------------ payloads

    def meter_id_of(self, msg: Message) -> Optional[str]:
        """The meter id ``msg`` is published under, or None when there is none yet."""
        if self.fixed_meter_id:
            return self.fixed_meter_id
        mid: Optional[str] = msg.meter.meter_id
        if mid:
            self._last_meter_id = mid
            return mid
        return self._last_meter_id

    def _described(self, meter_key: str, msg: Message) -> List[Tuple[str, HaDescription, Any]]:
        """(object id, description, reading) of each reading with a description, first one per id."""
        for r in msg.readings:  # M-Bus device types first: they decide gas/water/heat
            if r.name == "mbus_device_type" and r.channel is not None and isinstance(r.value, int):
                self._device_types[(meter_key, r.channel)] = r.value
        out: List[Tuple[str, HaDescription, Any]] = []
        seen = set()
        for r in msg.readings:
            device_type = self._device_types.get((meter_key, r.channel)) if r.channel is not None else None
            desc = ha_description(r.obis, unit=r.unit, mbus_device_type=device_type)
            if desc is None or desc.object_id in seen:
                continue
            seen.add(desc.object_id)
            out.append((desc.object_id, desc, r))
        return out

    def state_payload(self, msg: Message, meter_id: str, described: Optional[List[Tuple[str, HaDescription, Any]]]
                      = None) -> Dict[str, Any]:
        """The JSON object published on the state topic for ``msg``."""
        if described is None:
            described = self._described(_topic_id(meter_id), msg)
        ts = msg.timestamp
        if ts is not None and ts.tzinfo is None:
            ts = ts.replace(tzinfo=self.tz)
        state: Dict[str, Any] = {"meter_id": meter_id, "timestamp": None if ts is None else ts.isoformat()}
        for object_id, desc, r in described:
            state.setdefault(object_id, desc.convert(r.value, self.tz))
        return state

    def _component(self, meter_key: str, object_id: str, desc: HaDescription, state_topic: str) -> Dict[str, Any]:
        c: Dict[str, Any] = {
            "p": "sensor",
            "unique_id": "hanparse_%s_%s" % (meter_key, object_id),
            "name": desc.name,
            "state_topic": state_topic,
            "value_template": _template(desc, object_id),
        }
        if desc.device_class is not None:
            c["device_class"] = desc.device_class
        if desc.state_class is not None:
            c["state_class"] = desc.state_class
        if desc.native_unit is not None:
            c["unit_of_measurement"] = desc.native_unit
        if desc.options:
            c["options"] = list(desc.options)
        if desc.entity_category is not None:
            c["entity_category"] = desc.entity_category
        if desc.icon is not None:
            c["icon"] = desc.icon
        if self.expire_after > 0:
            c["expire_after"] = self.expire_after
        return c

    def _device(self, meter_key: str, meter_id: str, msg: Message) -> Dict[str, Any]:
        dev = self._devices.setdefault(meter_key, {"identifiers": ["hanparse_%s" % meter_key]})
        m = msg.meter
        if m.manufacturer:
            dev["manufacturer"] = m.manufacturer
        model = m.model or m.identification
        if model:
            dev["model"] = model
        version = m.list_id
        if version is None:
            dsmr = msg.get("dsmr_version")
            if dsmr is not None and isinstance(dsmr.value, str) and dsmr.value.isdigit():
                version = "DSMR %s" % (dsmr.value[:-1] + "." + dsmr.value[-1] if len(dsmr.value) > 1 else dsmr.value)
        if version:
            dev["sw_version"] = version
        dev["serial_number"] = meter_id
        dev["name"] = "%s %s" % (dev.get("manufacturer") or "Meter", meter_id)
        return dev

    def discovery_payload(self, meter_id: str) -> Dict[str, Any]:
        """The device discovery config of a meter seen by :meth:`publish` (all its components so far)."""
        meter_key = _topic_id(meter_id)
        origin: Dict[str, Any] = {"name": "hanparse", "sw_version": __version__}
        if self.support_url:
            origin["support_url"] = self.support_url
        return {
            "dev": dict(self._devices.get(meter_key) or {"identifiers": ["hanparse_%s" % meter_key]}),
            "o": origin,
            "cmps": dict(self._components.get(meter_key, {})),
            "state_topic": self.state_topic(meter_id),
            "availability_topic": self.availability_topic,
            "payload_available": PAYLOAD_ONLINE,
            "payload_not_available": PAYLOAD_OFFLINE,
            "qos": self.qos,
        }

    # ------------------------------------------------------------ publishing

    async def start(self) -> None:
        """Publish ``online`` (retained) on the availability topic."""
        await self.client.publish(self.availability_topic, PAYLOAD_ONLINE, qos=1, retain=True)

    async def stop(self) -> None:
        """Publish ``offline`` (retained) on the availability topic (before a clean disconnect)."""
        await self.client.publish(self.availability_topic, PAYLOAD_OFFLINE, qos=1, retain=True)

    async def publish(self, msg: Message) -> bool:
        """Publish the discovery config (when it changed) and the state of ``msg``.

        False when the message was skipped for lack of a meter id.
        """
        meter_id = self.meter_id_of(msg)
        if not meter_id:
            self.skipped += 1
            if self.skipped == 1:
                log.warning("message without a meter id skipped (give the bridge a meter id to publish it)")
            return False
        meter_key = _topic_id(meter_id)
        described = self._described(meter_key, msg)
        if self.discovery:
            components = self._components.setdefault(meter_key, {})
            topic = self.state_topic(meter_id)
            for object_id, desc, _r in described:
                components[object_id] = self._component(meter_key, object_id, desc, topic)
            self._device(meter_key, meter_id, msg)
            config = json.dumps(self.discovery_payload(meter_id), ensure_ascii=False, sort_keys=True)
            if self._sent.get(meter_key) != config:
                await self.client.publish(self.discovery_topic(meter_id), config, qos=1, retain=True)
                self._sent[meter_key] = config
                log.info("discovery config for meter %s: %d components", meter_id, len(components))
        state = self.state_payload(msg, meter_id, described)
        await self.client.publish(self.state_topic(meter_id), json.dumps(state, ensure_ascii=False), qos=self.qos,
                                  retain=False)
        self.published += 1
        log.debug("state of meter %s: %d values", meter_id, len(state) - 2)
        return True


async def run_bridge(messages: AsyncIterator[Message], client: Any, *, limit: Optional[int] = None,
                     announce: bool = True, **options: Any) -> Bridge:
    """Publish every message of ``messages`` through a :class:`Bridge` on ``client``.

    ``options`` are the :class:`Bridge` keywords.  ``limit``: stop after
    that many published messages (``--once`` is 1).  ``announce``: publish
    ``online`` first and ``offline`` at the end (an early end by an
    exception included); with ``announce=False`` and a ``limit`` (cron
    use) the availability is published ``online`` only, so that the
    sensors stay available between runs.  Returns the bridge (its counters).
    """
    b = Bridge(client, **options)
    await b.start()
    try:
        async for msg in messages:
            if await b.publish(msg) and limit is not None and b.published >= limit:
                break
    finally:
        if announce:
            try:
                await b.stop()
            except Exception:  # the connection is gone: the broker publishes the last will
                log.debug("could not publish offline", exc_info=True)
    return b


# ------------------------------------------------------------------ MQTT URL


@dataclass(frozen=True)
class MqttUrl:
    """A broker address from ``mqtt://[user[:password]@]host[:port]`` (``mqtts://`` for TLS).

    The repr hides the password.
    """

    host: str
    port: int
    username: Optional[str] = None
    password: Optional[str] = None
    tls: bool = False

    def __repr__(self) -> str:
        return "MqttUrl(host=%r, port=%d, username=%r, password=%s, tls=%r)" % (
            self.host, self.port, self.username, "None" if self.password is None else "'***'", self.tls)

    __str__ = __repr__


def parse_mqtt_url(url: str, environ: Optional[Mapping[str, str]] = None) -> MqttUrl:
    """The :class:`MqttUrl` of ``url``; ValueError when it is not one.

    Without a password in the URL but with a user name, the password is
    read from the environment variable ``HANPARSE_MQTT_PASSWORD`` (so that
    it stays out of the command line).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError("broker URL must start with mqtt:// or mqtts://")
    if not parts.hostname:
        raise ValueError("broker URL has no host")
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise ValueError("broker URL has a bad port") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if user and password is None:
        password = (environ if environ is not None else os.environ).get(PASSWORD_ENV)
    return MqttUrl(parts.hostname, port, user, password, tls)


def connect(url: MqttUrl, *, topic_prefix: str = "hanparse", client_id: Optional[str] = None,
            keepalive: int = 60) -> Any:
    """An ``aiomqtt.Client`` (not yet entered) for ``url`` whose last will marks the bridge offline.

    Needs the ``[mqtt]`` extra (aiomqtt).
    """
    try:
        import aiomqtt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("MQTT needs aiomqtt: pip install 'hanparse[mqtt]'") from None
    will = aiomqtt.Will("%s/availability" % topic_prefix.rstrip("/"), PAYLOAD_OFFLINE, qos=1, retain=True)
    tls_params = aiomqtt.TLSParameters() if url.tls else None
    return aiomqtt.Client(url.host, url.port, username=url.username, password=url.password, identifier=client_id,
                          will=will, keepalive=keepalive, tls_params=tls_params)


# ------------------------------------------------------------------ keys


def load_keys_file(path: str) -> Dict[str, Any]:
    """The keys of a ``--keys`` JSON file, as a mapping for :class:`~hanparse.Keyring`.

    The file maps system titles (16 hex digits) to ``{"key": HEX,
    "auth_key": HEX}`` (``auth_key`` optional) or to a bare encryption key::

        {"4B414D4501349083": {"key": "...", "auth_key": "..."},
         "5341475905E82D2B": "..."}

    Raises ValueError with a message that names the system title, never a
    key; OSError when the file cannot be read.
    """
    from .security import Keys

    with open(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except ValueError:
            raise ValueError("%s is not valid JSON" % path) from None
    if not isinstance(data, dict) or not data:
        raise ValueError("%s must hold a JSON object: {system title: {\"key\": ..., \"auth_key\": ...}}" % path)
    out: Dict[str, Any] = {}
    for title, value in data.items():
        if isinstance(value, str):
            ek, ak = value, None
        elif isinstance(value, dict) and isinstance(value.get("key"), str):
            ek, ak = value["key"], value.get("auth_key")
            if ak is not None and not isinstance(ak, str):
                raise ValueError("%s: auth_key of %s must be hex text" % (path, title))
        else:
            raise ValueError("%s: the entry of %s needs a \"key\"" % (path, title))
        try:
            out[title] = Keys(ek, ak)
        except (ValueError, TypeError):
            raise ValueError("%s: the keys of %s are not 16 bytes of hex" % (path, title)) from None
    return out


# ------------------------------------------------------------------ sources


def _open_messages(source: str, *, keys: Any = None, options: Any = None, tz: Any = "Europe/Amsterdam",
                  preset: Optional[str] = None, baudrate: Optional[int] = None, reconnect: bool = True,
                  on_error: Any = None) -> AsyncIterator[Message]:
    """The messages of ``source`` (serial port, ``socket://``, ``mqtt://``, file or ``-``).

    Uses :func:`hanparse.aio.open_source`.
    """
    from .aio import open_source

    return open_source(source, keys=keys, options=options, tz=tz, preset=preset, baudrate=baudrate,
                       reconnect=reconnect, on_error=on_error)


async def bridge(source: str, url: MqttUrl, *, keys: Any = None, options: Any = None,
                 tz: Any = "Europe/Amsterdam", preset: Optional[str] = None, baudrate: Optional[int] = None,
                 once: bool = False, client_id: Optional[str] = None, on_error: Any = None,
                 **bridge_options: Any) -> Bridge:
    """Decode ``source`` and publish it to the broker at ``url`` until the source ends (or one message, ``once``).

    ``keys``, ``options``, ``tz``: as for :class:`~hanparse.StreamDecoder`
    (``tz`` also localizes naive meter clocks); ``preset``, ``baudrate``:
    serial settings; ``bridge_options``: the :class:`Bridge` keywords.
    """
    prefix = bridge_options.get("topic_prefix", "hanparse")
    client = connect(url, topic_prefix=prefix, client_id=client_id)
    zone = _zone(tz)
    messages = _open_messages(source, keys=keys, options=options, tz=tz, preset=preset, baudrate=baudrate,
                             reconnect=not once, on_error=on_error)
    async with client:
        log.info("connected to %s:%d", url.host, url.port)
        try:
            return await run_bridge(messages, client, limit=1 if once else None, announce=not once, tz=zone,
                                    **bridge_options)
        finally:
            aclose = getattr(messages, "aclose", None)
            if aclose is not None:
                await aclose()


def _zone(tz: Any) -> Optional[_dt.tzinfo]:
    if tz is None or isinstance(tz, _dt.tzinfo):
        return tz
    from zoneinfo import ZoneInfo

    return ZoneInfo(str(tz))
