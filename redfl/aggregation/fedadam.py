"""FedAdam (Reddi et al. 2021): Adam on the server, without bias correction.

``m = beta1 * m + (1 - beta1) * delta``,
``v = beta2 * v + (1 - beta2) * delta**2``,
``new = current + eta * m / (sqrt(v) + tau)``, where ``delta`` is the
example-weighted mean of the updates minus the current model.

Integer arrays take the rounded example-weighted mean and running statistics
the plain example-weighted mean (see `redfl.aggregation.server_opt`).
"""

from __future__ import annotations

from redfl.aggregation.common import Float64
from redfl.aggregation.server_opt import AdaptiveServerOptimizer


class FedAdam(AdaptiveServerOptimizer):
    """Adam on the server: an exponential average of squared deltas.

    Args:
        eta: server learning rate, > 0.
        beta1: first-moment decay in [0, 1).
        beta2: second-moment decay in [0, 1).
        tau: adaptivity, > 0; ``v`` starts at ``tau**2``.
        statistics: name suffixes of float buffers that are only averaged.
    """

    name = "fedadam"

    def second_moment(self, v: Float64, delta: Float64) -> Float64:
        """Return ``beta2 * v + (1 - beta2) * delta**2``."""
        return self.beta2 * v + (1.0 - self.beta2) * delta**2
