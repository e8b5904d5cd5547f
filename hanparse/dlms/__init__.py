"""DLMS/COSEM application layer: A-XDR ``Data`` trees and the APDUs of HAN ports.

* :func:`decode_apdu` -> :class:`DataNotification` (``long_invoke_id_and_priority``,
  ``clock``, ``body``) from a bare APDU, with or without LLC header;
* :func:`decode_data` walks one A-XDR ``Data`` element into Python values
  (see :mod:`hanparse.dlms._axdr` for the representation table);
  :func:`decode_data_lenient` also reads the Embriq swapped OBIS tag and the
  EGD / Sagemcom untagged class/OBIS/attribute entries, and data-notification
  bodies fall back to it when the strict walk fails;
* :class:`GbtReassembler` / :func:`reassemble_gbt` join general-block-transfer
  blocks;
* :mod:`hanparse.dlms.schema` holds the construct declarations of record
  (parse and build; imported on demand because construct is slow to import).
"""

from __future__ import annotations

from typing import Any, List

from .types import BitString, DataTag, Date, DateTime, Time

# The APDU layer is loaded on first use: the compiled and pure A-XDR twins
# import hanparse.dlms.types while hanparse._impl is still choosing between
# them, so this package must not import the selector at import time.
_APDU_NAMES = (
    "DataNotification",
    "GbtBlock",
    "GbtReassembler",
    "MAX_GBT_SIZE",
    "decode_apdu",
    "decode_data",
    "decode_data_lenient",
    "decode_data_notification",
    "decode_data_notification_repaired",
    "decode_gbt_block",
    "reassemble_gbt",
    "strip_llc",
)


_SUBMODULES = ("apdu", "schema", "ciphering")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(__name__ + "." + name)
    if name in _APDU_NAMES:
        from . import apdu

        value = getattr(apdu, name)
        globals()[name] = value
        return value
    raise AttributeError("module 'hanparse.dlms' has no attribute %r" % name)


def __dir__() -> List[str]:
    return sorted(list(globals()) + list(_APDU_NAMES))


__all__ = ["BitString", "DataTag", "Date", "DateTime", "Time", *_APDU_NAMES]
