"""`LearnerSpec`: a picklable recipe a node turns into its learner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redfl.learners.base import Learner
from redfl.learners.torch_learner import OptimizerSettings, TorchLearner
from redfl.models.registry import build_model


@dataclass(frozen=True)
class LearnerSpec:
    """Everything a node needs to build its learner, small enough to ship."""

    model: str = "mlp"
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    optimizer: OptimizerSettings = field(default_factory=OptimizerSettings)
    batch_size: int = 16
    proximal_mu: float = 0.0
    keep_optimizer_state: bool = False

    def build(self) -> Learner:
        """Return a fresh learner with a newly built model."""
        return TorchLearner(
            model_fn=lambda: build_model(self.model, self.model_kwargs),
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            proximal_mu=self.proximal_mu,
            keep_optimizer_state=self.keep_optimizer_state,
        )
