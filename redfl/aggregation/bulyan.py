"""Bulyan (El Mhamdi et al. 2018): Krum selection, then a trimmed median.

With ``n`` updates and ``f`` tolerated Byzantine ones (``n >= 4f + 3``):

1. Select ``theta = n - 2f`` updates by applying Krum again and again to the
   updates not yet selected. On ``r`` remaining updates a score sums the
   distances to the ``max(1, r - f - 2)`` nearest others; ties go to the
   lower node id.
2. For each floating coordinate, average (unweighted) the
   ``beta = theta - 2f`` selected values closest to their median.

The bound is checked each round (and up front in the configuration when the
sample size is known). With ``f = 0`` Bulyan is the plain mean. Integer
arrays take the example-weighted mean of all updates, rounded, as in FedAvg.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redfl.aggregation.base import Aggregator, Update, check_updates
from redfl.aggregation.common import (
    Float64,
    combine,
    flatten_floats,
    float_names,
    require_int,
)
from redfl.aggregation.krum import krum_scores, pairwise_sq_distances
from redfl.parameters import Parameters


def bulyan_select(vectors: Float64, f: int) -> list[int]:
    """Return the indices (ascending) Bulyan's repeated Krum picks."""
    n = len(vectors)
    distances = pairwise_sq_distances(vectors)
    remaining = list(range(n))
    chosen: list[int] = []
    while len(chosen) < n - 2 * f:
        if len(remaining) == 1:
            chosen.append(remaining.pop())
            break
        sub = distances[np.ix_(remaining, remaining)]
        scores = krum_scores(sub, max(1, len(remaining) - f - 2))
        best = int(np.argmin(scores))
        chosen.append(remaining.pop(best))

    return sorted(chosen)


def closest_to_median_mean(stacked: Float64, keep: int) -> Float64:
    """Average, per coordinate, the ``keep`` values closest to the median."""
    median = np.median(stacked, axis=0)
    order = np.argsort(np.abs(stacked - median), axis=0, kind="stable")
    nearest = np.take_along_axis(stacked, order[:keep], axis=0)

    return np.asarray(nearest.mean(axis=0), dtype=np.float64)


class Bulyan(Aggregator):
    """Select by repeated Krum, then average the values nearest the median.

    Args:
        f: number of Byzantine updates tolerated, >= 0.
    """

    name = "bulyan"

    def __init__(self, f: int = 1) -> None:
        self.f = require_int("f", f, 0)
        self.last_selected: list[int] = []

    def precondition(self, num_updates: int) -> str | None:
        """Require ``n >= 4f + 3``."""
        n, f = num_updates, self.f
        if n >= 4 * f + 3:
            return None
        return f"needs n >= 4f + 3 = {4 * f + 3}, got n={n}, f={f}"

    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return Bulyan's aggregate of ``updates``."""
        ordered = check_updates(current, updates)
        n, f = len(ordered), self.f
        self.require_count(n, round_num)

        names = float_names(current)
        vectors = np.stack([flatten_floats(u, names) for u in ordered])
        chosen = bulyan_select(vectors, f)
        self.last_selected = [ordered[i].node_id for i in chosen]
        keep = n - 4 * f

        def trimmed_median(name: str, stacked: Float64) -> Float64:
            del name
            return closest_to_median_mean(stacked[chosen], keep)

        return combine(current, ordered, trimmed_median)
