"""Trimmed mean (Yin et al. 2018): drop the extremes, average the rest.

For each floating coordinate the ``k = floor(beta * n)`` largest and ``k``
smallest of the ``n`` values are dropped and the rest averaged, unweighted.
The rule needs ``2 * k < n`` so that something is left; it is checked each
round (and up front in the configuration when the sample size is known).
Integer arrays take the example-weighted mean, rounded, as in FedAvg.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from redfl.aggregation.base import Aggregator, Update, check_updates
from redfl.aggregation.common import Float64, combine, require_float
from redfl.parameters import Parameters


class TrimmedMean(Aggregator):
    """Average each coordinate after trimming ``floor(beta * n)`` per side.

    Args:
        beta: share trimmed from each side, in [0, 1).
    """

    name = "trimmed_mean"

    def __init__(self, beta: float = 0.1) -> None:
        self.beta = require_float("beta", beta, 0.0, 1.0)

    def trimmed(self, num_updates: int) -> int:
        """Return how many values are dropped on each side for ``n`` updates."""
        return math.floor(self.beta * num_updates)

    def precondition(self, num_updates: int) -> str | None:
        """Require ``2 * floor(beta * n) < n``."""
        k = self.trimmed(num_updates)
        if 2 * k < num_updates:
            return None
        return (
            f"needs 2 * floor(beta * n) < n, got n={num_updates}, "
            f"beta={self.beta:g}, 2 * {k} = {2 * k}"
        )

    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return the coordinate-wise trimmed mean of ``updates``."""
        ordered = check_updates(current, updates)
        n = len(ordered)
        self.require_count(n, round_num)
        k = self.trimmed(n)

        def trim(name: str, stacked: Float64) -> Float64:
            del name
            kept = np.sort(stacked, axis=0)[k : n - k]
            return np.asarray(kept.mean(axis=0), dtype=np.float64)

        return combine(current, ordered, trim)
