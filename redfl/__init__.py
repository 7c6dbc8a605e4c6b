"""Red: federated learning on Ray.

The public names below are imported on first use, so a worker process that
needs only the node runtime does not load the schemas, the configuration
models and their libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redfl.config import RunConfig, load_config
    from redfl.errors import (
        AggregationError,
        ConfigError,
        DataError,
        PlacementError,
        RedError,
        RoundError,
        TopologyError,
    )
    from redfl.federation import (
        ClientServerFederation,
        ClusteredFederation,
        DecentralizedFederation,
        FederatedBase,
        Federation,
    )
    from redfl.learners.base import EvaluateResult, FitResult, Learner
    from redfl.parameters import Parameters
    from redfl.results.history import History
    from redfl.types import Role

__version__ = "0.1.0"

_HOME = {
    "redfl.config": ("RunConfig", "load_config"),
    "redfl.errors": (
        "AggregationError",
        "ConfigError",
        "DataError",
        "PlacementError",
        "RedError",
        "RoundError",
        "TopologyError",
    ),
    "redfl.federation": (
        "ClientServerFederation",
        "ClusteredFederation",
        "DecentralizedFederation",
        "FederatedBase",
        "Federation",
    ),
    "redfl.learners.base": ("EvaluateResult", "FitResult", "Learner"),
    "redfl.parameters": ("Parameters",),
    "redfl.results.history": ("History",),
    "redfl.types": ("Role",),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "AggregationError",
    "ClientServerFederation",
    "ClusteredFederation",
    "ConfigError",
    "DataError",
    "DecentralizedFederation",
    "EvaluateResult",
    "FederatedBase",
    "Federation",
    "FitResult",
    "History",
    "Learner",
    "Parameters",
    "PlacementError",
    "RedError",
    "Role",
    "RoundError",
    "RunConfig",
    "TopologyError",
    "__version__",
    "load_config",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'redfl' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value

    return value


def __dir__() -> list[str]:
    """List the public names with the module's own."""
    return sorted([*globals(), *_MODULE_OF])
