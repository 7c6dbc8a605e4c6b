"""The `Learner` contract: a participant's local training on its own data."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from redfl.parameters import Parameters


@dataclass(frozen=True)
class FitResult:
    """What one local training pass reports (parameters are read separately)."""

    num_examples: int
    loss: float
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluateResult:
    """What one evaluation reports."""

    num_examples: int
    loss: float
    accuracy: float
    metrics: dict[str, float] = field(default_factory=dict)


class Learner(ABC):
    """Local training code for one participant; framework-agnostic.

    Red calls `set_parameters`, then `fit` or `evaluate`, then
    `get_parameters`. Data arrive as arguments so the node owns them; a
    learner may keep anything else (a model, buffers) between calls.
    """

    @abstractmethod
    def get_parameters(self) -> Parameters:
        """Return the current model parameters as numpy arrays."""

    @abstractmethod
    def set_parameters(self, parameters: Parameters) -> None:
        """Load ``parameters`` into the model."""

    @abstractmethod
    def fit(self, data: Any, seed: int, epochs: int) -> FitResult:
        """Train on ``data`` for ``epochs``, shuffling with ``seed``."""

    @abstractmethod
    def evaluate(self, data: Any) -> EvaluateResult:
        """Evaluate the current model on ``data``."""
