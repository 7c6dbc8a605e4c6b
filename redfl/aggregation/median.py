"""FedMedian (Yin et al. 2018): the coordinate-wise median of the updates.

Each floating coordinate becomes the median of the ``n`` values the nodes
sent, unweighted (a Byzantine node could lie about its example count). For
even ``n`` it is the mean of the two middle values. Integer arrays take the
example-weighted mean, rounded, as in FedAvg.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redfl.aggregation.base import Aggregator, Update, check_updates
from redfl.aggregation.common import Float64, combine
from redfl.parameters import Parameters


class FedMedian(Aggregator):
    """Take the coordinate-wise median of floating arrays."""

    name = "fedmedian"

    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return the coordinate-wise median of ``updates``."""
        ordered = check_updates(current, updates)
        self.require_count(len(ordered), round_num)

        return combine(current, ordered, _median)


def _median(name: str, stacked: Float64) -> Float64:
    del name
    return np.median(stacked, axis=0)
