"""Learners: the local training code a node runs."""

from redfl.learners.base import EvaluateResult, FitResult, Learner

__all__ = ["EvaluateResult", "FitResult", "Learner"]
