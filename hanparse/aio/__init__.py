"""asyncio sources: messages from serial ports, TCP gateways, MQTT topics, files and pipes.

:func:`open_source` is the one entry point an integration needs: it picks
the kind from the source string (``/dev/ttyUSB0``, ``COM3``,
``serial:///dev/ttyUSB0?preset=p1``, ``socket://host:port``,
``mqtt://[user:pass@]host[:port]/topic/#``, a path or ``-``), keeps the
connection up (idle watchdog, capped exponential backoff with jitter,
decoder reset on each reconnect), reports state changes
(:class:`SourceState`) and logs repeated failures once with a count
(logger ``hanparse.aio``).  ``docs/sources.md`` has the details.

Serial ports need the ``[serial]`` extra (serialx, Python 3.10+), MQTT the
``[mqtt]`` extra (aiomqtt); each is imported only when such a source is
opened.  The lower-level helpers stay: :func:`read_messages` (any
``asyncio.StreamReader``), :func:`open_serial` and :func:`serial_messages`.

Serial settings per meter family (:data:`SERIAL_PRESETS`) and the idle
watchdog's default (:data:`IDLE_TIMEOUTS`; sources in ``docs/serial.md``
and ``docs/sources.md``):

================  ========  ======  ====  ===============================================================
preset            baud      format  idle  meters
================  ========  ======  ====  ===============================================================
``mbus-han``      2400      8E1     30 s  Norway HAN (Kamstrup, Aidon, Kaifa), Austria TINETZ M-Bus
``mbus-han-8n1``  2400      8N1     30 s  the same port where a vendor/adapter uses no parity
``han-list1``     2400      8E1     15 s  Norway meters with a 2-2.5 s list 1 (Aidon, Kaifa, Embriq)
``p1``            115200    8N1     30 s  DSMR 4.x / 5.x P1, Luxembourg Smarty, Sweden H1 (Aidon RJ12)
``dsmr5``         115200    8N1     10 s  DSMR 5.x P1 (a telegram every second)
``p1-legacy``     9600      7E1     30 s  DSMR 2.2 / 3.0
================  ========  ======  ====  ===============================================================

The DSMR 5 data line is inverted (open collector): use an inverting
adapter.  Norwegian documents do not state parity; 8E1 is what the field
uses most, so it is the default, with 8N1 as the alternative.
"""

from ._serial import (
    DEFAULT_IDLE_TIMEOUT,
    IDLE_TIMEOUTS,
    SERIAL_PRESETS,
    SerialUnavailableError,
    open_serial,
    read_messages,
    serial_messages,
)
from ._serial import (
    _settings as _settings,  # used by tests and older callers
)
from ._sources import Backoff, MqttUnavailableError, SourceState, idle_timeout_for, open_source, parse_source

__all__ = [
    "open_source",
    "SourceState",
    "read_messages",
    "open_serial",
    "serial_messages",
    "SERIAL_PRESETS",
    "IDLE_TIMEOUTS",
    "DEFAULT_IDLE_TIMEOUT",
    "SerialUnavailableError",
    "MqttUnavailableError",
    "Backoff",
    "idle_timeout_for",
    "parse_source",
]

