"""A-XDR decoding speed: decode_data_notification on real list bodies, compiled vs pure.

Run::

    python -m pytest benchmarks/bench_axdr.py --benchmark-enable -p no:cacheprovider \\
        --benchmark-columns=min,median,mean,ops --benchmark-sort=name

Inputs are whole HDLC frames from fixtures/; the decoder is given the
offsets of the APDU inside the frame (as the framer hands them over), so
nothing is copied before decoding.
"""

from __future__ import annotations

import pytest

from benchmarks._common import fixture_bytes, twin_params

FRAMES = {
    # Aidon 3-phase list 2 with clock, 27 registers (AIDONFD_RJ12_HAN_Interface_SV.pdf p. 11)
    "aidon-3phase": "hdlc/aidon-se-efs-3phase.json",
    # Kaifa NO list 3, 3-phase, 18 positional values (toreamun/amshan tests)
    "kaifa-list3": "dlms_apdu/amshan__kaifa__no_list_3.json",
    # Kamstrup NO hourly list, 3-phase, flat OBIS/value structure (HAN-NVE rev 3.1 p. 13)
    "kamstrup-list2-3phase": "hdlc/kamstrup-no-list2-3phase.json",
}


def _apdu_window(name: str):
    data = fixture_bytes(FRAMES[name])
    start = data.find(b"\xe6\xe7\x00") + 3
    end = len(data) - 3 if data[0] == 0x7E else len(data)  # FCS + closing flag
    return data, start, end


@pytest.mark.parametrize("mod", twin_params("dlms"))
@pytest.mark.parametrize("frame", sorted(FRAMES))
def test_decode_data_notification(benchmark, mod, frame):
    data, start, end = _apdu_window(frame)
    liip, clock, body, stop = benchmark(mod.decode_data_notification, data, start, end)
    assert stop == end and len(body) > 0
