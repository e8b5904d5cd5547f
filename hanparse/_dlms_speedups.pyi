"""Type stubs for the compiled A-XDR decoder (twin of hanparse._dlms_purepy)."""

from typing import Any, Optional, Tuple, Union

_Buffer = Union[bytes, bytearray, memoryview]

MAX_DEPTH: int

def decode_data(buf: _Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]: ...
def decode_data_notification(
    buf: _Buffer, start: int = 0, end: Optional[int] = None
) -> Tuple[int, Any, Any, int]: ...
def decode_gbt(buf: _Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[bool, int, int, int, int]: ...
