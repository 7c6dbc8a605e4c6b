"""Seeds derived from the run seed, never from global state."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """What a derived seed is for; each purpose gets its own stream."""

    SPLIT = 1
    PARTITION = 2
    INIT = 3
    SAMPLE = 4
    FIT = 5
    EVALUATE = 6
    TOPOLOGY = 7
    ATTACK = 8
    GROUPS = 9
    CLUSTER = 10
    CHAOS = 11
    DATA = 12


def derive_seed(run_seed: int, stream: Stream, *keys: int) -> int:
    """Return a 32-bit seed for ``stream`` and ``keys`` (round, node id, ...).

    The same arguments always give the same seed, and different streams or
    keys give independent ones (``numpy.random.SeedSequence`` spawn keys).
    """
    spawn_key = (int(stream), *(int(k) for k in keys))
    sequence = np.random.SeedSequence(entropy=int(run_seed), spawn_key=spawn_key)

    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def derive_rng(run_seed: int, stream: Stream, *keys: int) -> np.random.Generator:
    """Return a numpy Generator seeded by `derive_seed`."""
    return np.random.default_rng(derive_seed(run_seed, stream, *keys))
