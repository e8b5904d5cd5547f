"""OBIS registry: stable names, descriptions and units for known OBIS codes.

(Filled in by the registry work; the interface below is what the model uses.)
"""

from __future__ import annotations

from typing import Optional

from .obis import Obis

__all__ = ["name_of", "description_of"]


def name_of(obis: Obis) -> Optional[str]:
    """Stable snake_case name of ``obis``, or None when unknown."""
    return None


def description_of(obis: Obis) -> Optional[str]:
    """Human description of ``obis``, or None when unknown."""
    return None
