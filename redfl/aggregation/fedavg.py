"""FedAvg (McMahan et al. 2017): the example-weighted mean of node models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redfl.aggregation.base import Aggregator, Update, cast_like, check_updates
from redfl.errors import AggregationError
from redfl.parameters import Parameters


def weighted_mean(current: Parameters, updates: Sequence[Update]) -> Parameters:
    """Return the example-weighted mean of ``updates``, in node-id order.

    Sums run in float64 and results are cast back to each array's dtype.

    Raises:
        AggregationError: the updates report zero examples in total, or do
            not match ``current`` (see `check_updates`).
    """
    ordered = check_updates(current, updates)
    total = sum(u.num_examples for u in ordered)
    if total == 0:
        nodes = [u.node_id for u in ordered]
        raise AggregationError(
            f"nodes {nodes} reported 0 examples in total; a weighted mean is "
            "undefined (no update is aggregated rather than producing NaN)"
        )

    averaged = {}
    for name, like in current.items():
        acc = np.zeros(like.shape, dtype=np.float64)
        for update in ordered:
            weight = update.num_examples / total
            acc += weight * update.parameters[name].astype(np.float64)
        averaged[name] = cast_like(acc, like)

    return Parameters(averaged)


class FedAvg(Aggregator):
    """Replace the global model by the example-weighted mean of the updates."""

    name = "fedavg"

    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return the weighted mean of ``updates``."""
        del round_num

        return weighted_mean(current, updates)
