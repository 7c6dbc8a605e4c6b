"""FedAdagrad (Reddi et al. 2021): Adagrad on the server.

As FedAdam, but ``v = v + delta**2``: the second moment sums every squared
delta, so the step shrinks as rounds go by. ``beta2`` is not used.

Integer arrays take the rounded example-weighted mean and running statistics
the plain example-weighted mean (see `redfl.aggregation.server_opt`).
"""

from __future__ import annotations

from collections.abc import Sequence

from redfl.aggregation.common import Float64
from redfl.aggregation.server_opt import DEFAULT_STATISTICS, AdaptiveServerOptimizer


class FedAdagrad(AdaptiveServerOptimizer):
    """Adagrad on the server: a running sum of squared deltas.

    Args:
        eta: server learning rate, > 0.
        beta1: first-moment decay in [0, 1).
        tau: adaptivity, > 0; ``v`` starts at ``tau**2``.
        statistics: name suffixes of float buffers that are only averaged.
    """

    name = "fedadagrad"

    def __init__(
        self,
        eta: float = 0.01,
        beta1: float = 0.9,
        tau: float = 1e-3,
        statistics: Sequence[str] = DEFAULT_STATISTICS,
    ) -> None:
        super().__init__(eta=eta, beta1=beta1, tau=tau, statistics=statistics)

    def second_moment(self, v: Float64, delta: Float64) -> Float64:
        """Return ``v + delta**2``."""
        return v + delta**2
