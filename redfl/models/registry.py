"""Model factories by registered name or by import path ``package.module:factory``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from torch import nn

from redfl.errors import ConfigError
from redfl.models.zoo import cnn, logistic_regression, mlp

ModelFactory = Callable[..., nn.Module]

MODELS: dict[str, ModelFactory] = {
    "logistic_regression": logistic_regression,
    "mlp": mlp,
    "cnn": cnn,
}


def resolve_model_factory(name: str) -> ModelFactory:
    """Return the factory registered as ``name`` or found at its import path.

    Args:
        name: A key of `MODELS`, or ``package.module:factory`` where
            ``factory`` may be a dotted attribute path inside the module.

    Returns:
        A callable that builds a fresh ``torch.nn.Module``.

    Raises:
        ConfigError: If the name is not registered and is not an import path,
            the module cannot be imported, the attribute is missing, or the
            attribute is not callable.
    """
    if name in MODELS:
        return MODELS[name]
    module_name, sep, attr_path = name.partition(":")
    if not sep or not module_name or not attr_path:
        known = ", ".join(MODELS)
        raise ConfigError(
            f"unknown model {name!r}; use one of {known} or an import path "
            f"'package.module:factory'"
        )

    factory: Any = _import_module(name, module_name)
    for attr in attr_path.split("."):
        if not hasattr(factory, attr):
            raise ConfigError(
                f"model path {name!r}: {type(factory).__name__} "
                f"{getattr(factory, '__name__', factory)!r} has no attribute {attr!r}"
            )
        factory = getattr(factory, attr)
    if not callable(factory):
        raise ConfigError(
            f"model path {name!r}: {attr_path!r} is not callable, "
            f"got {type(factory).__name__}"
        )

    return factory  # type: ignore[no-any-return]


def build_model(
    name: str,
    kwargs: Mapping[str, Any] | None = None,
    factory: ModelFactory | None = None,
) -> nn.Module:
    """Build a fresh model from the factory ``name`` with keyword ``kwargs``.

    Args:
        name: A registered model name or an import path (see
            `resolve_model_factory`).
        kwargs: Keyword arguments for the factory.
        factory: The factory ``name`` resolves to, when already resolved.

    Returns:
        The new ``torch.nn.Module``.

    Raises:
        ConfigError: If the factory cannot be resolved, rejects the kwargs
            (raises TypeError), or returns something that is not a module.
    """
    factory = factory or resolve_model_factory(name)
    options = dict(kwargs or {})

    try:
        model = factory(**options)
    except TypeError as exc:
        raise ConfigError(f"model {name!r} rejected kwargs {options!r}: {exc}") from exc
    if not isinstance(model, nn.Module):
        raise ConfigError(
            f"model {name!r} must return a torch.nn.Module, got {type(model).__name__}"
        )

    return model


def _import_module(path: str, module_name: str) -> ModuleType:
    """Import ``module_name`` for the model path ``path``, translating errors."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"model path {path!r}: module not found: {exc.name or module_name!r}"
        ) from exc
    except Exception as exc:
        raise ConfigError(
            f"model path {path!r}: importing module {module_name!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
