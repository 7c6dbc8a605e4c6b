"""A learner that counts its own rounds as state; imported by the workers too."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redfl.data.datasets import ArrayDataset
from redfl.learners.base import FitResult, Learner, LearnerState
from redfl.learners.factory import LearnerSpec
from redfl.learners.torch_learner import TorchLearner
from redfl.models.registry import build_model


class CountingLearner(TorchLearner):
    """Train as usual, and report as loss how many rounds this node trained."""

    def __init__(self) -> None:
        super().__init__(model_fn=lambda: build_model("logistic_regression"))
        self.rounds = 0

    def state(self) -> LearnerState:
        """Return the node's round count."""
        return {"rounds": np.array([self.rounds], dtype=np.int64)}

    def load_state(self, state: LearnerState) -> None:
        """Take back the round count; none means the node's first round."""
        self.rounds = int(state["rounds"][0]) if state else 0

    def fit(self, data: ArrayDataset, seed: int, epochs: int) -> FitResult:
        """Train, count the round, and report the count as the loss."""
        result = super().fit(data, seed, epochs)
        self.rounds += 1

        return FitResult(num_examples=result.num_examples, loss=float(self.rounds))


@dataclass(frozen=True)
class CountingSpec(LearnerSpec):
    """A learner spec whose workers build `CountingLearner`s."""

    def build(self) -> Learner:
        """Return a fresh counting learner."""
        return CountingLearner()


@dataclass(frozen=True)
class BrokenSpec(LearnerSpec):
    """A learner spec whose build fails on the worker, as a bad user model does."""

    def build(self) -> Learner:
        """Fail the way a user's model factory with a typo fails."""
        raise ValueError("model factory failed: no layer named 'Linera'")
