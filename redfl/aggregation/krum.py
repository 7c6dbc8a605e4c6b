"""Krum and Multi-Krum (Blanchard et al. 2017): pick the most central updates.

Each update is scored by the sum of squared Euclidean distances, over all
floating arrays, to its ``n - f - 2`` nearest other updates. Krum returns
the update with the lowest score; Multi-Krum averages (unweighted) the ``m``
lowest-scoring ones. Ties go to the lower node id. The rules need
``n > 2f + 2``; Multi-Krum also ``m <= n - f``. Both are checked each round
(and up front in the configuration when the sample size is known). Integer
arrays take the example-weighted mean of all updates, rounded, as in FedAvg.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from redfl.aggregation.base import Aggregator, Update, check_updates
from redfl.aggregation.common import (
    Float64,
    combine,
    flatten_floats,
    float_names,
    require_int,
)
from redfl.parameters import Parameters


def pairwise_sq_distances(vectors: Float64) -> Float64:
    """Return the ``(n, n)`` matrix of squared Euclidean distances."""
    diff = vectors[:, None, :] - vectors[None, :, :]
    return np.asarray(np.einsum("ijk,ijk->ij", diff, diff), dtype=np.float64)


def krum_scores(distances: Float64, neighbours: int) -> Float64:
    """Return each row's sum of its ``neighbours`` smallest off-diagonal entries."""
    n = len(distances)
    scores = np.zeros(n, dtype=np.float64)
    for i in range(n):
        others = np.sort(np.delete(distances[i], i))
        scores[i] = others[:neighbours].sum()

    return scores


def select_by_krum(vectors: Float64, f: int, m: int) -> npt.NDArray[np.intp]:
    """Return the indices of the ``m`` lowest Krum scores, ties to lower index."""
    neighbours = len(vectors) - f - 2
    scores = krum_scores(pairwise_sq_distances(vectors), neighbours)

    return np.sort(np.argsort(scores, kind="stable")[:m])


class MultiKrum(Aggregator):
    """Average the ``m`` updates with the lowest Krum scores.

    Args:
        f: number of Byzantine updates tolerated, >= 0.
        m: how many updates to average, >= 1; None means ``n - f``.
    """

    name = "multikrum"

    def __init__(self, f: int = 1, m: int | None = None) -> None:
        self.f = require_int("f", f, 0)
        self.m = None if m is None else require_int("m", m, 1)
        self.last_selected: list[int] = []

    def selected_count(self, num_updates: int) -> int:
        """Return how many updates are averaged when ``n`` arrive."""
        return num_updates - self.f if self.m is None else self.m

    def precondition(self, num_updates: int) -> str | None:
        """Require ``n > 2f + 2`` and ``m <= n - f``."""
        n, f = num_updates, self.f
        if n <= 2 * f + 2:
            return f"needs n > 2f + 2 = {2 * f + 2}, got n={n}, f={f}"
        if self.selected_count(n) > n - f:
            return f"needs m <= n - f = {n - f}, got m={self.m}, n={n}, f={f}"
        return None

    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return the mean of the selected updates (integers: weighted mean)."""
        ordered = check_updates(current, updates)
        n = len(ordered)
        self.require_count(n, round_num)

        names = float_names(current)
        vectors = np.stack([flatten_floats(u, names) for u in ordered])
        chosen = select_by_krum(vectors, self.f, self.selected_count(n))
        self.last_selected = [ordered[i].node_id for i in chosen]

        def mean_of_chosen(name: str, stacked: Float64) -> Float64:
            del name
            return np.asarray(stacked[chosen].mean(axis=0), dtype=np.float64)

        return combine(current, ordered, mean_of_chosen)


class Krum(MultiKrum):
    """Return the single update with the lowest Krum score.

    Args:
        f: number of Byzantine updates tolerated, >= 0.
    """

    name = "krum"

    def __init__(self, f: int = 1) -> None:
        super().__init__(f=f, m=1)
