"""``hanparse bridge``: decode a live source and publish it to MQTT with Home Assistant discovery.

Needs the ``[mqtt]`` extra (aiomqtt); a serial source also the ``[serial]``
extra.  What is published is described in :mod:`hanparse.mqtt` and
``docs/mqtt.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import signal
import sys
from typing import Any, Dict

from ..errors import HanParseError, reason_of
from ._common import EXIT_DECRYPTION, EXIT_IO, EXIT_OK, EXIT_USAGE, CliError, Subcommand, add_key_args, keys_from_args

__all__ = ["COMMAND"]


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE",
                   help="serial port (/dev/ttyUSB0), socket://host:port, mqtt://host/topic, a capture file, "
                        "or - for stdin")
    p.add_argument("--mqtt", metavar="URL", required=True,
                   help="broker: mqtt://[user[:password]@]host[:port] (mqtts:// for TLS); without a password "
                        "in the URL, $HANPARSE_MQTT_PASSWORD is used")
    p.add_argument("--topic-prefix", default="hanparse", help="prefix of the state and availability topics "
                                                              "(default %(default)s)")
    p.add_argument("--discovery-prefix", default="homeassistant",
                   help="Home Assistant discovery prefix (default %(default)s)")
    p.add_argument("--no-discovery", action="store_true", help="publish states only, no discovery configs")
    p.add_argument("--expire-after", type=int, default=300, metavar="SECONDS",
                   help="Home Assistant shows a meter unavailable after this long without a message "
                        "(default %(default)s; 0: never)")
    p.add_argument("--meter-id", metavar="ID",
                   help="publish every message under this meter id (default: the id the meter sends)")
    p.add_argument("--client-id", metavar="ID", help="MQTT client identifier (default: random)")
    p.add_argument("--once", action="store_true",
                   help="publish one message and exit, leaving the bridge marked online (tests, cron)")
    add_key_args(p)
    p.add_argument("--keys", metavar="FILE", dest="keys_file",
                   help="JSON file of keys per system title: {\"<16 hex digits>\": {\"key\": HEX, "
                        "\"auth_key\": HEX}}")
    p.add_argument("--preset", choices=("mbus-han", "mbus-han-8n1", "p1", "p1-legacy"),
                   help="serial settings of a meter family (serial sources)")
    p.add_argument("--baud", type=int, help="baud rate (overrides the preset)")
    p.add_argument("--country", metavar="CC", help="meter country for vendor quirks (NO, SE, DK, AT, ...)")
    p.add_argument("--tz", default="Europe/Amsterdam",
                   help="time zone of P1 clocks and of meter clocks without one (default %(default)s)")
    p.add_argument("--verbose", "-v", action="count", default=0,
                   help="log what is published (-v) and every rejected frame (-vv) on stderr")


def _shown(source: str) -> str:
    """``source`` without the password of a URL (``mqtt://user:secret@host/topic``)."""
    return re.sub(r"(//[^/@:]*):[^/@]*@", r"\1:***@", source)


def _keys(args: argparse.Namespace) -> Any:
    if args.keys_file:
        if args.key or args.auth_key:
            raise CliError("give --keys FILE or --key/--auth-key, not both")
        from ..mqtt import load_keys_file

        try:
            return load_keys_file(args.keys_file)
        except OSError as exc:
            raise CliError("cannot read %s: %s" % (args.keys_file, exc.strerror or exc), EXIT_IO) from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
    return keys_from_args(args)


class _Errors:
    """Counts rejected frames by reason; logs them with -vv.  Error texts name system titles, never keys."""

    def __init__(self) -> None:
        self.by_reason: Dict[str, int] = {}

    def __call__(self, exc: HanParseError) -> None:
        reason = reason_of(exc)
        self.by_reason[reason] = self.by_reason.get(reason, 0) + 1
        if self.by_reason[reason] == 1 and reason == "decryption":
            logging.getLogger("hanparse.mqtt").warning("cannot decrypt: %s", exc.message)
        else:
            logging.getLogger("hanparse.mqtt").debug("rejected: %s", exc.message)


def _run(args: argparse.Namespace) -> int:
    try:
        from .. import mqtt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise CliError(str(exc)) from None
    try:
        import aiomqtt
    except ImportError:  # pragma: no cover - depends on the environment
        raise CliError("the bridge needs aiomqtt: pip install 'hanparse[mqtt]'") from None
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("hanparse: %(message)s"))
    logger = logging.getLogger("hanparse.mqtt")
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        try:
            url = mqtt.parse_mqtt_url(args.mqtt)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if args.expire_after < 0:
            raise CliError("--expire-after must be 0 or more")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(args.tz)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise CliError("unknown time zone %r" % args.tz) from None
        keys = _keys(args)
        errors = _Errors()
        options = {"country": args.country.upper()} if args.country else None

        async def main() -> Any:
            # SIGTERM (systemctl stop) ends the bridge like Ctrl-C: cancelled, it publishes "offline" first
            task = asyncio.current_task()
            try:
                if task is not None:
                    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
            except (NotImplementedError, RuntimeError, AttributeError):  # pragma: no cover - Windows
                pass
            return await mqtt.bridge(
                args.source, url, keys=keys, options=options, tz=args.tz, preset=args.preset, baudrate=args.baud,
                once=args.once, client_id=args.client_id, on_error=errors, topic_prefix=args.topic_prefix,
                discovery_prefix=args.discovery_prefix, discovery=not args.no_discovery,
                expire_after=args.expire_after, meter_id=args.meter_id)

        try:
            result = asyncio.run(main())
        except (KeyboardInterrupt, asyncio.CancelledError):
            return EXIT_OK
        except aiomqtt.MqttError as exc:
            raise CliError("MQTT broker %s:%d: %s" % (url.host, url.port, exc), EXIT_IO) from None
        except HanParseError as exc:
            raise CliError(exc.message) from None
        except ValueError as exc:  # a source text open_source cannot use
            raise CliError("%s: %s" % (_shown(args.source), exc)) from None
        except OSError as exc:
            raise CliError("%s: %s" % (_shown(args.source), exc.strerror or exc), EXIT_IO) from None
        if result.published == 0:
            if errors.by_reason.get("decryption"):
                raise CliError("nothing published: %d frame(s) could not be decrypted"
                               % errors.by_reason["decryption"], EXIT_DECRYPTION)
            why = "no message had a meter id (use --meter-id)" if result.skipped else "no message decoded"
            raise CliError("nothing published from %s: %s" % (_shown(args.source), why), EXIT_USAGE)
        return EXIT_OK
    finally:
        logger.removeHandler(handler)


#: the ``bridge`` subcommand
COMMAND = Subcommand("bridge", "decode a live source and publish it to MQTT with Home Assistant discovery",
                     _configure, _run)
