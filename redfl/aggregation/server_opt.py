"""`ServerOptimizer`: the shared body of FedAvgM, FedAdam, FedYogi, FedAdagrad.

Following Reddi et al. (2021), the server treats the change the nodes
propose, ``delta = weighted_mean(updates) - current``, as a pseudo-gradient
and steps its own optimizer with it.

Which arrays the optimizer steps:

- floating-point parameters: ``current + step(delta)``;
- integer arrays (``num_batches_tracked``): the example-weighted mean,
  rounded, as in FedAvg;
- running statistics (names ending in ``running_mean`` or ``running_var``,
  configurable with ``statistics``): the example-weighted mean. They are
  estimates of the data, not weights; an optimizer step can push a variance
  below zero and turn a BatchNorm model's outputs into NaN.

A step that produces a non-finite value raises `AggregationError` naming the
round and the array rather than passing a corrupt model on.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from redfl.aggregation.base import Aggregator, Update, cast_like, check_updates
from redfl.aggregation.common import Float64, is_float, require_float, weighted_array
from redfl.errors import AggregationError, ConfigError
from redfl.parameters import Parameters

DEFAULT_STATISTICS = ("running_mean", "running_var")


class ServerOptimizer(Aggregator):
    """Step a server-side optimizer with the mean update as pseudo-gradient.

    Args:
        statistics: name suffixes of float buffers that are averaged rather
            than stepped.

    State is kept per array and slot (``m``, ``v``) in float64 and saved by
    `state_dict` as ``{"<slot>/<array name>": array}``.
    """

    slots: tuple[str, ...] = ()

    def __init__(self, statistics: Sequence[str] = DEFAULT_STATISTICS) -> None:
        if isinstance(statistics, str):
            raise ConfigError(
                f"statistics must be a list of name suffixes, got {statistics!r}"
            )
        self.statistics = tuple(statistics)
        self.state: dict[str, dict[str, Float64]] = {s: {} for s in self.slots}

    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return ``current`` moved by one optimizer step on the mean update."""
        ordered = check_updates(current, updates)

        combined = {}
        for name, like in current.items():
            mean = weighted_array(ordered, name)
            if self.is_stepped(name, like):
                start = like.astype(np.float64)
                with np.errstate(over="ignore", invalid="ignore"):
                    value = start + self.step(name, mean - start)
                self._require_finite(name, value, round_num)
            else:
                value = mean
            combined[name] = cast_like(value, like)

        return Parameters(combined)

    def is_stepped(self, name: str, like: np.ndarray) -> bool:
        """Return True when the optimizer steps array ``name``."""
        return is_float(like) and not name.endswith(self.statistics)

    @abstractmethod
    def step(self, name: str, delta: Float64) -> Float64:
        """Update the state of array ``name`` and return the change to apply."""

    def slot(self, slot: str, name: str, like: Float64, fill: float = 0.0) -> Float64:
        """Return the state array ``slot`` of ``name``, created as ``fill``."""
        table = self.state[slot]
        if name not in table or table[name].shape != like.shape:
            table[name] = np.full(like.shape, fill, dtype=np.float64)
        return table[name]

    def state_dict(self) -> dict[str, Any]:
        """Return copies of the optimizer state, keyed ``<slot>/<array name>``."""
        return {
            f"{slot}/{name}": array.copy()
            for slot, table in self.state.items()
            for name, array in table.items()
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore state written by `state_dict`.

        Raises:
            ConfigError: a key names a slot this optimizer does not have.
        """
        restored: dict[str, dict[str, Float64]] = {s: {} for s in self.slots}
        for key, array in state.items():
            slot, _, name = key.partition("/")
            if slot not in restored or not name:
                known = ", ".join(self.slots)
                raise ConfigError(
                    f"{self.name}: unknown state key {key!r}; slots are {known}"
                )
            restored[slot][name] = np.asarray(array, dtype=np.float64).copy()
        self.state = restored

    def _require_finite(self, name: str, value: Float64, round_num: int) -> None:
        if not np.isfinite(value).all():
            raise AggregationError(
                f"round {round_num}: {self.name} produced non-finite values in "
                f"array {name!r}; lower the server learning rate"
            )


class AdaptiveServerOptimizer(ServerOptimizer):
    """The FedOpt family: first moment ``m`` and second moment ``v``.

    ``m = beta1 * m + (1 - beta1) * delta`` and the change is
    ``eta * m / (sqrt(v) + tau)``; subclasses say how ``v`` moves. ``v``
    starts at ``tau**2`` and ``m`` at zero, as in Reddi et al. (2021).
    """

    slots = ("m", "v")

    def __init__(
        self,
        eta: float = 0.01,
        beta1: float = 0.9,
        beta2: float = 0.99,
        tau: float = 1e-3,
        statistics: Sequence[str] = DEFAULT_STATISTICS,
    ) -> None:
        super().__init__(statistics)
        self.eta = require_float("eta", eta, 0.0, float("inf"))
        self.beta1 = require_float("beta1", beta1, 0.0, 1.0)
        self.beta2 = require_float("beta2", beta2, 0.0, 1.0)
        self.tau = require_float("tau", tau, 0.0, float("inf"))
        if self.eta == 0 or self.tau == 0:
            raise ConfigError(f"eta and tau must be > 0, got eta={eta}, tau={tau}")

    def step(self, name: str, delta: Float64) -> Float64:
        """Move both moments and return ``eta * m / (sqrt(v) + tau)``."""
        m = self.slot("m", name, delta)
        v = self.slot("v", name, delta, fill=self.tau**2)
        m *= self.beta1
        m += (1.0 - self.beta1) * delta
        v[...] = self.second_moment(v, delta)

        return self.eta * m / (np.sqrt(v) + self.tau)

    @abstractmethod
    def second_moment(self, v: Float64, delta: Float64) -> Float64:
        """Return the new second moment from the old one and ``delta``."""
