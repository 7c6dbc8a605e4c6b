"""The `Learner` contract: a participant's local training on its own data."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from redfl.parameters import Parameters

LearnerState = dict[str, npt.NDArray[Any]]
"""A node's own state between rounds: named numpy arrays."""


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

    Red calls `load_state`, `set_parameters`, then `fit` or `evaluate`, then
    `get_parameters` and, after `fit`, `state`. Data arrive as arguments so
    the node owns them.

    What a node must keep between rounds beyond the parameters Red sends it
    (a personal model, optimizer moments, a counter) is its *state*: the
    learner returns it from `state` and takes it back in `load_state`. Red
    keeps it outside the worker, so a node may run on any worker in any
    round and a worker may drop a node it has not used lately.
    """

    shareable: bool = False
    """True when one instance may serve many nodes in turn: everything a node
    keeps between calls is in `state`, and `load_state` plus `set_parameters`
    overwrite the rest. A worker then builds one learner for all its nodes."""

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

    def warm_up(self) -> None:  # noqa: B027 (a hook: subclasses may skip it)
        """Do one-time work (lazy imports, caches) before the first round.

        A worker calls it while it starts, so that cost never counts against
        a round's deadline. Nothing to do here.
        """

    def state(self) -> LearnerState:
        """Return the node's own state to keep until its next round (none here)."""
        return {}

    def load_state(self, state: LearnerState) -> None:
        """Take back a node's state; an empty mapping means a node's first round.

        Raises:
            ValueError: ``state`` holds arrays this learner does not keep.
        """
        if state:
            raise ValueError(
                f"{type(self).__name__} keeps no state, got arrays {sorted(state)}"
            )


def copy_state(state: LearnerState) -> LearnerState:
    """Return a copy of ``state`` that shares no memory with the learner."""
    return {name: np.array(value, copy=True) for name, value in state.items()}
