"""Aggregation strategies: pure numpy, testable without Ray."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redfl.aggregation.base import Aggregator, Update, check_updates
from redfl.aggregation.bulyan import Bulyan
from redfl.aggregation.fedadagrad import FedAdagrad
from redfl.aggregation.fedadam import FedAdam
from redfl.aggregation.fedavg import FedAvg, weighted_mean
from redfl.aggregation.fedavgm import FedAvgM
from redfl.aggregation.fedprox import FedProx
from redfl.aggregation.fedyogi import FedYogi
from redfl.aggregation.krum import Krum, MultiKrum
from redfl.aggregation.median import FedMedian
from redfl.aggregation.trimmed_mean import TrimmedMean
from redfl.errors import ConfigError

STRATEGIES: dict[str, type[Aggregator]] = {
    "fedavg": FedAvg,
    "fedprox": FedProx,
    "fedavgm": FedAvgM,
    "fedadam": FedAdam,
    "fedyogi": FedYogi,
    "fedadagrad": FedAdagrad,
    "fedmedian": FedMedian,
    "trimmed_mean": TrimmedMean,
    "krum": Krum,
    "multikrum": MultiKrum,
    "bulyan": Bulyan,
}


def make_aggregator(name: str, **options: Any) -> Aggregator:
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
    except ConfigError as exc:
        raise ConfigError(f"strategy.options: {name}: {exc}") from exc


def check_strategy(name: str, options: Mapping[str, Any], num_updates: int) -> None:
    """Check that strategy ``name`` can combine ``num_updates`` updates a round.

    Raises:
        ConfigError: the strategy or its options are invalid, or its
            precondition fails for ``num_updates``.
    """
    aggregator = make_aggregator(name, **options)
    problem = aggregator.precondition(num_updates)
    if problem is not None:
        raise ConfigError(
            f"strategy {name!r} with options {dict(options)}: {problem} "
            f"(n is the number of nodes sampled per round)"
        )


__all__ = [
    "STRATEGIES",
    "Aggregator",
    "Bulyan",
    "FedAdagrad",
    "FedAdam",
    "FedAvg",
    "FedAvgM",
    "FedMedian",
    "FedProx",
    "FedYogi",
    "Krum",
    "MultiKrum",
    "TrimmedMean",
    "Update",
    "check_strategy",
    "check_updates",
    "make_aggregator",
    "weighted_mean",
]
