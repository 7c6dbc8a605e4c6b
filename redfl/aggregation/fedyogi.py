"""FedYogi (Reddi et al. 2021): Yogi on the server.

As FedAdam, but ``v = v - (1 - beta2) * delta**2 * sign(v - delta**2)``, so
``v`` moves additively and cannot collapse when updates shrink.

Integer arrays take the rounded example-weighted mean and running statistics
the plain example-weighted mean (see `redfl.aggregation.server_opt`).
"""

from __future__ import annotations

import numpy as np

from redfl.aggregation.common import Float64
from redfl.aggregation.server_opt import AdaptiveServerOptimizer


class FedYogi(AdaptiveServerOptimizer):
    """Yogi on the server: an additive, sign-controlled second moment.

    Args:
        eta: server learning rate, > 0.
        beta1: first-moment decay in [0, 1).
        beta2: second-moment rate in [0, 1).
        tau: adaptivity, > 0; ``v`` starts at ``tau**2``.
        statistics: name suffixes of float buffers that are only averaged.
    """

    name = "fedyogi"

    def second_moment(self, v: Float64, delta: Float64) -> Float64:
        """Return ``v - (1 - beta2) * delta**2 * sign(v - delta**2)``."""
        squared = delta**2
        return v - (1.0 - self.beta2) * squared * np.sign(v - squared)
