"""The `Aggregator` contract and the checks every strategy shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from redfl.errors import AggregationError
from redfl.parameters import Array, Parameters


@dataclass(frozen=True)
class Update:
    """One node's result for a round: its parameters and how many examples."""

    node_id: int
    parameters: Parameters
    num_examples: int


def check_updates(current: Parameters, updates: Sequence[Update]) -> list[Update]:
    """Return ``updates`` in node-id order after checking they can be combined.

    Raises:
        AggregationError: no updates, a negative example count, or an update
            whose names, shapes or dtypes differ from ``current``; the message
            names the node and the array.
    """
    if not updates:
        raise AggregationError("cannot aggregate an empty list of updates")

    expected = current.signature()
    for update in updates:
        if update.num_examples < 0:
            raise AggregationError(
                f"node {update.node_id} reported num_examples="
                f"{update.num_examples}; it must be >= 0"
            )
        got = update.parameters.signature()
        if got != expected:
            raise AggregationError(
                f"node {update.node_id}: {describe_mismatch(expected, got)}"
            )

    return sorted(updates, key=lambda u: u.node_id)


def describe_mismatch(
    expected: dict[str, tuple[tuple[int, ...], str]],
    got: dict[str, tuple[tuple[int, ...], str]],
) -> str:
    """Say in one phrase how an update's layout differs from the model's."""
    missing = [k for k in expected if k not in got]
    if missing:
        return f"missing array(s) {missing}"
    extra = [k for k in got if k not in expected]
    if extra:
        return f"unexpected array(s) {extra}"
    for name, (shape, dtype) in expected.items():
        if got[name] != (shape, dtype):
            return (
                f"array {name!r} has shape {got[name][0]} dtype {got[name][1]}, "
                f"expected shape {shape} dtype {dtype}"
            )
    return "array order differs from the model's"


def cast_like(value: np.ndarray, like: Array) -> Array:
    """Cast a float64 result back to ``like``'s dtype.

    Integer and boolean arrays (BatchNorm's ``num_batches_tracked``) are
    rounded to the nearest integer first, so a mean of counters stays a count.
    """
    if np.issubdtype(like.dtype, np.integer) or like.dtype == np.bool_:
        rounded: Array = np.rint(value).astype(like.dtype)
        return rounded

    return value.astype(like.dtype)


class Aggregator(ABC):
    """Combine node updates into the next global parameters.

    Implementations work on numpy arrays only, accumulate in float64 and
    return arrays in the dtype of ``current``. Stateful strategies keep their
    state in `state_dict` so a checkpoint can save it.
    """

    name: str = "aggregator"

    @abstractmethod
    def aggregate(
        self, current: Parameters, updates: Sequence[Update], round_num: int
    ) -> Parameters:
        """Return the new global parameters from this round's updates."""

    def precondition(self, num_updates: int) -> str | None:
        """Return why ``num_updates`` updates cannot be combined, or None."""
        del num_updates
        return None

    def require_count(self, num_updates: int, round_num: int) -> None:
        """Check `precondition` for this round.

        Raises:
            AggregationError: the round has too few updates for the strategy;
                the message names the round, n and the strategy's options.
        """
        problem = self.precondition(num_updates)
        if problem is not None:
            raise AggregationError(f"round {round_num}: {self.name}: {problem}")

    def state_dict(self) -> dict[str, Any]:
        """Return the strategy's state (empty for stateless strategies)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore state produced by `state_dict`."""
        del state
