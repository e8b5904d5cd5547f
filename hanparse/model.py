"""The decoded result: :class:`Message`, :class:`Reading`, :class:`MeterInfo`.

These objects are immutable: their public attributes are read-only
properties over private slots, so building one costs little (a reading is
made for every value of every frame) while ``reading.value = 1`` still
raises ``AttributeError``.  Every object has ``to_dict()`` returning plain
JSON-ready data with stable keys.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from operator import attrgetter
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from .obis import Obis, ObisLike

__all__ = ["Reading", "Message", "MeterInfo", "SecurityInfo", "jsonable"]

_new = object.__new__


def jsonable(value: Any) -> Any:
    """Convert a decoded value into JSON-ready data.

    datetimes become ISO 8601 text, bytes become lower-case hex, Obis codes
    their full text form, tuples lists, and objects with ``to_dict`` their
    dict; Decimal becomes float.  Other values are returned unchanged.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Obis):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return float(value)
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return str(value)


def _ro(slot: str, doc: str) -> property:
    def get(self: Any) -> Any:
        return getattr(self, slot)

    return property(get, doc=doc)


class _Record:
    """Base of the immutable value objects: read-only properties over slots.

    A subclass names its public fields in ``_FIELDS`` (field ``x`` lives in
    slot ``_x``); ``==`` (same class only), ``hash`` and ``to_dict`` follow
    from them.  Nothing here runs when an object is built.
    """

    __slots__ = ()
    _FIELDS: Tuple[str, ...] = ()
    # per class: attrgetter of the field slots
    _astuple: Callable[[Any], Tuple[Any, ...]] = staticmethod(lambda self: ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = cls.__dict__.get("_FIELDS")
        if fields:
            get = attrgetter(*["_" + f for f in fields])
            cls._astuple = staticmethod(get if len(fields) > 1 else lambda self: (get(self),))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._astuple(self) == other._astuple(other)

    def __hash__(self) -> int:
        return hash(self._astuple(self))

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict."""
        return {f: jsonable(getattr(self, "_" + f)) for f in self._FIELDS}


class Reading(_Record):
    """One value a meter reported.

    ``obis``: the :class:`Obis` code; ``value``: int when exact, float after
    a negative scaler, str/bytes/datetime where the data is such, a tuple
    for multi-value lines, None for null data; ``unit``: as the meter states
    it after scaling ("W", "kWh", ...) or None; ``timestamp``: the value's
    own time (gas readings, peaks) or None; ``channel``: the M-Bus channel
    of DSMR sub-meters or None; ``raw``: the value as transmitted when it
    differs from ``value`` (unscaled integer, hex text); ``warning``: why
    the value could not be decoded, when ``value`` is None for that reason.
    ``name`` and ``description`` come from the OBIS registry.
    """

    __slots__ = ("_obis", "_value", "_unit", "_timestamp", "_channel", "_raw", "_warning")
    _FIELDS = ("obis", "value", "unit", "timestamp", "channel", "raw", "warning")

    def __init__(
        self,
        obis: ObisLike,
        value: Any,
        unit: Optional[str] = None,
        timestamp: Optional[_dt.datetime] = None,
        channel: Optional[int] = None,
        raw: Any = None,
        warning: Optional[str] = None,
    ) -> None:
        self._obis = Obis.coerce(obis)
        self._value = value
        self._unit = unit
        self._timestamp = timestamp
        self._channel = channel
        self._raw = raw
        self._warning = warning

    @classmethod
    def _make(cls, obis: Obis, value: Any, unit: Optional[str] = None, timestamp: Optional[_dt.datetime] = None,
              channel: Optional[int] = None, raw: Any = None, warning: Optional[str] = None) -> Reading:
        """Fast constructor for decoders: ``obis`` must already be an Obis."""
        r = _new(cls)
        r._obis = obis
        r._value = value
        r._unit = unit
        r._timestamp = timestamp
        r._channel = channel
        r._raw = raw
        r._warning = warning
        return r

    obis = _ro("_obis", "The OBIS code of this value.")
    value = _ro("_value", "The decoded, scaled value.")
    unit = _ro("_unit", "The unit after scaling, as the meter states it, or None.")
    timestamp = _ro("_timestamp", "The value's own timestamp, or None.")
    channel = _ro("_channel", "The M-Bus channel of a DSMR sub-meter, or None.")
    raw = _ro("_raw", "The value as transmitted, when it differs from ``value``.")
    warning = _ro("_warning", "Why the value is None although the meter sent one.")

    @property
    def name(self) -> Optional[str]:
        """Stable snake_case name from the OBIS registry, e.g. ``active_power_import``."""
        from . import registry

        return registry.name_of(self._obis)

    @property
    def description(self) -> Optional[str]:
        """Human description from the OBIS registry."""
        from . import registry

        return registry.description_of(self._obis)

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {
            "obis": str(self._obis),
            "name": self.name,
            "value": jsonable(self._value),
            "unit": self._unit,
        }
        if self._timestamp is not None:
            d["timestamp"] = jsonable(self._timestamp)
        if self._channel is not None:
            d["channel"] = self._channel
        if self._raw is not None:
            d["raw"] = jsonable(self._raw)
        if self._warning is not None:
            d["warning"] = self._warning
        return d

    def __hash__(self) -> int:
        try:
            return hash(self._astuple(self))
        except TypeError:  # unhashable value (should not happen: values are immutable)
            return hash(self._obis)

    def __repr__(self) -> str:
        extra = ""
        if self._timestamp is not None:
            extra += ", timestamp=%r" % (self._timestamp,)
        if self._channel is not None:
            extra += ", channel=%r" % (self._channel,)
        if self._warning is not None:
            extra += ", warning=%r" % (self._warning,)
        return "Reading(%s, %r, %r%s)" % (self._obis, self._value, self._unit, extra)


class MeterInfo(_Record):
    """What a message says about the meter that sent it.

    ``manufacturer`` (e.g. "Kamstrup", or the 3-letter DSMR flag id),
    ``model`` (meter type), ``meter_id`` (serial / equipment identifier),
    ``list_id`` (the list version identifier of binary meters, e.g.
    "AIDON_V0001"), ``identification`` (the DSMR identification line
    without '/'), ``system_title`` (8 bytes from a ciphered APDU or None),
    ``profile`` (the hanparse meter profile that decoded the message).
    """

    __slots__ = ("_manufacturer", "_model", "_meter_id", "_list_id", "_identification", "_system_title", "_profile")

    def __init__(
        self,
        manufacturer: Optional[str] = None,
        model: Optional[str] = None,
        meter_id: Optional[str] = None,
        list_id: Optional[str] = None,
        identification: Optional[str] = None,
        system_title: Optional[bytes] = None,
        profile: Optional[str] = None,
    ) -> None:
        self._manufacturer = manufacturer
        self._model = model
        self._meter_id = meter_id
        self._list_id = list_id
        self._identification = identification
        self._system_title = system_title
        self._profile = profile

    @classmethod
    def _make(cls, manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str], list_id: Optional[str],
              identification: Optional[str], system_title: Optional[bytes], profile: Optional[str]) -> MeterInfo:
        """Fast constructor for decoders: the fields as they are stored, no checks."""
        m = _new(cls)
        m._manufacturer = manufacturer
        m._model = model
        m._meter_id = meter_id
        m._list_id = list_id
        m._identification = identification
        m._system_title = system_title
        m._profile = profile
        return m

    manufacturer = _ro("_manufacturer", "Manufacturer name or DSMR flag id.")
    model = _ro("_model", "Meter type/model.")
    meter_id = _ro("_meter_id", "Meter serial number or equipment identifier.")
    list_id = _ro("_list_id", "List version identifier (binary meters).")
    identification = _ro("_identification", "DSMR identification line, without '/'.")
    system_title = _ro("_system_title", "8-byte DLMS system title of a ciphered message.")
    profile = _ro("_profile", "Name of the hanparse meter profile that decoded the message.")

    _FIELDS = ("manufacturer", "model", "meter_id", "list_id", "identification", "system_title", "profile")

    def __repr__(self) -> str:
        parts = ["%s=%r" % (f, getattr(self, "_" + f)) for f in self._FIELDS if getattr(self, "_" + f) is not None]
        return "MeterInfo(%s)" % ", ".join(parts)


class SecurityInfo(_Record):
    """The security header of a ciphered message.

    ``security_control`` (the SC byte), ``system_title`` (8 bytes),
    ``invocation_counter`` (int), ``authenticated`` (True when the GCM tag
    or GMAC was verified, False when it could not be checked for lack of an
    authentication key, None when the message carries no tag).
    """

    __slots__ = ("_security_control", "_system_title", "_invocation_counter", "_authenticated")
    _FIELDS = ("security_control", "system_title", "invocation_counter", "authenticated")

    def __init__(self, security_control: int, system_title: bytes, invocation_counter: int,
                 authenticated: Optional[bool]) -> None:
        self._security_control = security_control
        self._system_title = system_title
        self._invocation_counter = invocation_counter
        self._authenticated = authenticated

    security_control = _ro("_security_control", "The security control byte.")
    system_title = _ro("_system_title", "The 8-byte system title.")
    invocation_counter = _ro("_invocation_counter", "The invocation (frame) counter.")
    authenticated = _ro("_authenticated", "Whether the tag was verified (None: no tag).")

    def __repr__(self) -> str:
        return "SecurityInfo(sc=0x%02X, system_title=%s, invocation_counter=%d, authenticated=%r)" % (
            self._security_control, self._system_title.hex(), self._invocation_counter, self._authenticated)


_reading_warning = attrgetter("_warning")


class Message(_Record):
    """One complete decoded message from a meter.

    ``format``: "hdlc", "mbus", "dsmr" or "apdu" (how it arrived);
    ``meter``: :class:`MeterInfo`; ``timestamp``: the meter's clock (aware
    datetime when its UTC offset is known, naive otherwise, None when the
    message carries none); ``readings``: tuple of :class:`Reading`;
    ``raw``: the frame bytes; ``encrypted``: whether it was ciphered;
    ``security``: :class:`SecurityInfo` or None; ``warnings``: what could
    not be read although the message decoded (a P1 line kept raw, a list
    no profile recognises, a value flagged invalid), one text each naming
    the object or line and the reason; empty when all is well.

    Look values up by any OBIS spelling or registry name::

        msg["1-0:1.7.0"].value
        msg.get("active_power_import")
        "1-0:32.7.0" in msg
    """

    # ``_warnings``: message-level warnings (a tuple of str) or None for none;
    # decoders set it after ``_make`` and never to an empty tuple
    __slots__ = ("_format", "_meter", "_timestamp", "_readings", "_raw", "_encrypted", "_security", "_index",
                 "_warnings")
    _FIELDS = ("format", "meter", "timestamp", "readings", "raw", "encrypted", "security", "warnings")  # compared by ==
    _index: Optional[Dict[Any, Reading]]

    def __init__(
        self,
        format: str,
        meter: MeterInfo,
        timestamp: Optional[_dt.datetime],
        readings: Tuple[Reading, ...],
        raw: bytes = b"",
        encrypted: bool = False,
        security: Optional[SecurityInfo] = None,
        warnings: Tuple[str, ...] = (),
    ) -> None:
        self._format = format
        self._meter = meter
        self._timestamp = timestamp
        self._readings = tuple(readings)
        self._raw = bytes(raw)
        self._encrypted = encrypted
        self._security = security
        self._index = None
        self._warnings = tuple(warnings) or None

    @classmethod
    def _make(cls, format: str, meter: MeterInfo, timestamp: Optional[_dt.datetime], readings: Tuple[Reading, ...],
              raw: bytes = b"", encrypted: bool = False, security: Optional[SecurityInfo] = None) -> Message:
        """Fast constructor for decoders: ``readings`` must be a tuple, ``raw`` bytes."""
        m = _new(cls)
        m._format = format
        m._meter = meter
        m._timestamp = timestamp
        m._readings = readings
        m._raw = raw
        m._encrypted = encrypted
        m._security = security
        m._index = None
        m._warnings = None
        return m

    format = _ro("_format", 'How the message arrived: "hdlc", "mbus", "dsmr" or "apdu".')
    meter = _ro("_meter", "The MeterInfo of the sender.")
    timestamp = _ro("_timestamp", "The meter clock, or None.")
    readings = _ro("_readings", "All readings, in frame order.")
    raw = _ro("_raw", "The frame bytes as received.")
    encrypted = _ro("_encrypted", "Whether the message was ciphered.")
    security = _ro("_security", "SecurityInfo of a ciphered message, else None.")

    @property
    def warnings(self) -> Tuple[str, ...]:
        """What could not be read, one text per problem: the message's own, then each reading's ``warning``.

        A reading's entry is ``"<OBIS>: <warning>"``.  Empty when all is well.
        """
        own = self._warnings or ()
        if not any(map(_reading_warning, self._readings)):  # a warning is a non-empty str
            return own
        return own + tuple("%s: %s" % (r._obis, r._warning) for r in self._readings if r._warning is not None)

    @property
    def authenticated(self) -> Optional[bool]:
        """True/False for ciphered messages (tag verified or not), None for plain ones."""
        return None if self._security is None else self._security.authenticated

    # -- lookup ---------------------------------------------------------
    def _lookup_index(self) -> Dict[Any, Reading]:
        index = self._index
        if index is None:
            index = {}
            for r in self._readings:
                index.setdefault(r.obis, r)
            for r in self._readings:
                name = r.name
                if name is not None:
                    index.setdefault(name, r)
            self._index = index
        return index

    def _resolve(self, key: Any) -> Optional[Reading]:
        index = self._lookup_index()
        hit = index.get(key)
        if hit is not None:
            return hit
        try:
            return index.get(Obis.coerce(key))
        except ValueError:
            return None

    def __getitem__(self, key: Any) -> Reading:
        r = self._resolve(key)
        if r is None:
            raise KeyError(key)
        return r

    def get(self, key: Any, default: Any = None) -> Any:
        """The first Reading for ``key`` (OBIS spelling or name), or ``default``."""
        r = self._resolve(key)
        return default if r is None else r

    def __contains__(self, key: Any) -> bool:
        return self._resolve(key) is not None

    def __iter__(self) -> Iterator[Reading]:
        return iter(self._readings)

    def __len__(self) -> int:
        return len(self._readings)

    def values(self) -> Dict[str, Any]:
        """``{name or OBIS text: value}`` for every reading (first one wins)."""
        out: Dict[str, Any] = {}
        for r in self._readings:
            out.setdefault(r.name or str(r.obis), r.value)
        return out

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict with stable keys."""
        return {
            "format": self._format,
            "meter": self._meter.to_dict(),
            "timestamp": jsonable(self._timestamp),
            "encrypted": self._encrypted,
            "security": None if self._security is None else self._security.to_dict(),
            "readings": [r.to_dict() for r in self._readings],
            "warnings": list(self.warnings),
        }

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<Message %s %s at %s: %d readings%s>" % (
            self._format, self._meter.list_id or self._meter.identification or self._meter.manufacturer or "?",
            self._timestamp.isoformat() if self._timestamp is not None else "no clock",
            len(self._readings), ", encrypted" if self._encrypted else "")
