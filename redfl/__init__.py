"""Red: federated learning on Ray."""

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
