"""The wire layer: where frames are in bytes, and the small decisions every door shares.

* :mod:`hanparse._wire.text` -- input bytes, hex text (any separator), bridges' text
  lines (JSON, ``Label: hex``), the LLC check;
* :mod:`hanparse._wire.scanner` -- :class:`~hanparse._wire.scanner.FrameScanner`, the
  sans-IO hunter that drives the stateless framers of each format
  (:mod:`hanparse.hdlc`, :mod:`hanparse.mbus`, :mod:`hanparse.dsmr.framing`,
  :mod:`hanparse.dlms.ciphering`).

Only the text helpers are imported here: the framers themselves import
them, and the scanner imports the framers.
"""

from .text import (
    APDU_TAGS,
    BARE_TAGS,
    BODY_TAGS,
    FILL,
    HEX_SEPARATORS,
    Data,
    as_bytes,
    hex_payload,
    hex_to_bytes,
    llc_length,
    text_line_payload,
)

__all__ = ["APDU_TAGS", "BARE_TAGS", "BODY_TAGS", "FILL", "HEX_SEPARATORS", "Data", "as_bytes", "hex_payload",
           "hex_to_bytes", "llc_length", "text_line_payload"]
