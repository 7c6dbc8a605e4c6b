"""`LearnerSpec`: a picklable recipe a node turns into its learner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from redfl.learners.base import Learner
from redfl.learners.torch_learner import OptimizerSettings, TorchLearner
from redfl.models.registry import ModelFactory, build_model


@dataclass(frozen=True)
class LearnerSpec:
    """Everything a node needs to build its learner, small enough to ship.

    With ``learner_fn`` set, `build` returns ``learner_fn(**learner_kwargs)``
    (a user learner) and the model and optimizer fields are unused. With
    ``model_fn`` set, the built-in learner builds its model from it rather
    than resolving ``model`` by name on the worker.
    """

    model: str = "mlp"
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    optimizer: OptimizerSettings = field(default_factory=OptimizerSettings)
    batch_size: int = 16
    proximal_mu: float = 0.0
    model_fn: ModelFactory | None = None
    learner_fn: Callable[..., Learner] | None = None
    learner_kwargs: dict[str, Any] = field(default_factory=dict)
    keep_optimizer_state: bool = False

    def build(self) -> Learner:
        """Return a fresh learner with a newly built model.

        Raises:
            TypeError: the user factory did not return a `Learner`.
        """
        if self.learner_fn is not None:
            learner = self.learner_fn(**self.learner_kwargs)
            if not isinstance(learner, Learner):
                raise TypeError(
                    f"learner.factory must return a redfl.Learner, got "
                    f"{type(learner).__name__}"
                )
            return learner

        return TorchLearner(
            model_fn=self._build_model,
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            proximal_mu=self.proximal_mu,
            keep_optimizer_state=self.keep_optimizer_state,
        )

    def _build_model(self) -> nn.Module:
        return build_model(self.model, self.model_kwargs, self.model_fn)
