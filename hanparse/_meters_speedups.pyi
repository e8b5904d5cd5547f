"""Type stubs of the compiled meters twin; same API as ``hanparse._meters_purepy``."""

from typing import Any, Optional, Tuple

from .model import Message, MeterInfo, Reading

MAX_DEPTH: int

def decode_parts(body: Any, clock: Any, system_title: Optional[bytes],
                 opts: Any) -> Tuple[MeterInfo, Any, Tuple[Reading, ...]]: ...
def is_scaler_unit(v: Any) -> bool: ...
def new_message(format: str, meter: MeterInfo, timestamp: Any, readings: tuple, raw: bytes, encrypted: bool,
                security: Any) -> Message: ...
def new_meter_info(manufacturer: Optional[str], model: Optional[str], meter_id: Optional[str],
                   list_id: Optional[str], identification: Optional[str], system_title: Optional[bytes],
                   profile: Optional[str]) -> MeterInfo: ...
