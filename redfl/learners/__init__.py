"""Learners: the local training code a node runs."""

from redfl.learners.base import EvaluateResult, FitResult, Learner
from redfl.learners.torch_learner import OptimizerSettings, TorchLearner

__all__ = [
    "EvaluateResult",
    "FitResult",
    "Learner",
    "OptimizerSettings",
    "TorchLearner",
]
