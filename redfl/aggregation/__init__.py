"""Aggregation strategies: pure numpy, testable without Ray."""

from redfl.aggregation.base import Aggregator, Update, check_updates
from redfl.aggregation.fedavg import FedAvg, weighted_mean
from redfl.errors import ConfigError

STRATEGIES: dict[str, type[Aggregator]] = {"fedavg": FedAvg}


def make_aggregator(name: str, **options: object) -> Aggregator:
    """Return a strategy by name, built with ``options``.

    Raises:
        ConfigError: the name is unknown or an option does not apply.
    """
    if name not in STRATEGIES:
        known = ", ".join(sorted(STRATEGIES))
        raise ConfigError(f"strategy.name: unknown strategy {name!r}; known: {known}")
    try:
        return STRATEGIES[name](**options)
    except TypeError as exc:
        raise ConfigError(f"strategy {name!r}: bad options {options}: {exc}") from exc


__all__ = [
    "STRATEGIES",
    "Aggregator",
    "FedAvg",
    "Update",
    "check_updates",
    "make_aggregator",
    "weighted_mean",
]
