"""The meters layer's options (a leaf module: the decoding twins and ``_decode`` both use it)."""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Optional

__all__ = ["Options"]


class Options(NamedTuple):
    """Decoding choices a frame cannot tell.

    ``country``: "NO", "SE", "DK" ... where the meter is installed; decides
    the Kamstrup energy unit (10 Wh in Norway and Denmark, Wh in Sweden).
    ``kamstrup_energy_scaler``: overrides that choice directly (1 or 0).
    ``scalers``: ``{obis: scaler}`` overriding the implicit scaler of
    single objects of lists that carry none (frame scalers still win).
    ``profile``: force a profile by name (see ``hanparse.meters.PROFILES``).
    ``local_clock``: treat every clock as local time (True), never (False),
    or per profile (None).
    """

    country: Optional[str] = None
    kamstrup_energy_scaler: Optional[int] = None
    scalers: Optional[Mapping[Any, int]] = None
    profile: Optional[str] = None
    local_clock: Optional[bool] = None
