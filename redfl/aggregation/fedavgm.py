"""FedAvgM (Hsu et al. 2019): FedAvg with server momentum.

``v = momentum * v + delta`` and ``new = current + server_lr * v``, where
``delta`` is the example-weighted mean of the updates minus the current
model. With ``momentum=0`` and ``server_lr=1`` this is FedAvg.

Integer arrays take the rounded example-weighted mean and running statistics
the plain example-weighted mean (see `redfl.aggregation.server_opt`).
"""

from __future__ import annotations

from collections.abc import Sequence

from redfl.aggregation.common import Float64, require_float
from redfl.aggregation.server_opt import DEFAULT_STATISTICS, ServerOptimizer
from redfl.errors import ConfigError


class FedAvgM(ServerOptimizer):
    """Average the updates, then apply them through server momentum.

    Args:
        server_lr: server learning rate, > 0.
        momentum: server momentum in [0, 1).
        statistics: name suffixes of float buffers that are only averaged.
    """

    name = "fedavgm"
    slots = ("momentum",)

    def __init__(
        self,
        server_lr: float = 1.0,
        momentum: float = 0.9,
        statistics: Sequence[str] = DEFAULT_STATISTICS,
    ) -> None:
        super().__init__(statistics)
        self.server_lr = require_float("server_lr", server_lr, 0.0, float("inf"))
        self.momentum = require_float("momentum", momentum, 0.0, 1.0)
        if self.server_lr == 0:
            raise ConfigError(f"server_lr must be > 0, got {server_lr}")

    def step(self, name: str, delta: Float64) -> Float64:
        """Return ``server_lr * v`` after ``v = momentum * v + delta``."""
        velocity = self.slot("momentum", name, delta)
        velocity *= self.momentum
        velocity += delta

        return self.server_lr * velocity
