"""Type stubs for the compiled A-XDR decoder (twin of hanparse._dlms_purepy)."""

from typing import Any, Optional, Tuple, Union

_Buffer = Union[bytes, bytearray, memoryview]
_Repairs = Tuple[Tuple[int, str], ...]

MAX_DEPTH: int
REPAIR_SWAPPED_OBIS_TAG: str
REPAIR_CLASS_OBIS_ATTRIBUTE: str

def decode_data(buf: _Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]: ...
def decode_data_lenient(buf: _Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int, _Repairs]: ...
def decode_data_notification(
    buf: _Buffer, start: int = 0, end: Optional[int] = None, repair: bool = True
) -> Tuple[int, Any, Any, int]: ...
def decode_body(buf: _Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[Any, int]: ...
def decode_data_notification_repaired(
    buf: _Buffer, start: int = 0, end: Optional[int] = None
) -> Tuple[int, Any, Any, int, _Repairs]: ...
def decode_gbt(buf: _Buffer, start: int = 0, end: Optional[int] = None) -> Tuple[bool, int, int, int, int]: ...
