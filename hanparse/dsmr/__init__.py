"""DSMR / P1 telegrams: framing (``/`` ... ``!CRC``) and the telegram grammar."""
