"""The plant's random streams: one per asset and layer, all from the scenario's seed.

Each layer (the schedule, component lives, sensors, vibration, quality, energy, records, defects,
the plant-wide plan, the vibration monitor, the inspection rounds) draws from a stream of its own,
keyed by the seed, the asset's number in the register and the layer's number below, so a layer can
change without moving another layer's numbers. A new layer takes a new number at the end.
"""
from __future__ import annotations

import numpy as np

STREAMS = {"schedule": 1, "life": 2, "sensors": 3, "vibration": 4, "quality": 5, "energy": 6,
           "records": 7, "defects": 8, "plant": 9, "monitor": 10, "inspection": 11}


def rng_for(seed: int, asset_number: int, layer: str) -> np.random.Generator:
    """The random generator of one asset's (or group's) ``layer``."""
    return np.random.default_rng([seed, asset_number, STREAMS[layer]])
