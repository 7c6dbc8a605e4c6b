"""Reference models and the resolution of user models by import path."""

from __future__ import annotations

from redfl.models.registry import (
    MODELS,
    ModelFactory,
    build_model,
    resolve_model_factory,
)
from redfl.models.zoo import SmallCNN, cnn, logistic_regression, mlp

__all__ = [
    "MODELS",
    "ModelFactory",
    "SmallCNN",
    "build_model",
    "cnn",
    "logistic_regression",
    "mlp",
    "resolve_model_factory",
]
