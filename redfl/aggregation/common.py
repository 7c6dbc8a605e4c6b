"""Helpers the strategies share: float/integer split, stacking, flattening.

Every strategy here follows one rule for arrays that are not floating point
(BatchNorm's ``num_batches_tracked`` counter, boolean masks): they take the
example-weighted mean of the updates, rounded to the nearest integer, exactly
as FedAvg does. Server optimizers and robust rules act on floating arrays
only, so an integer array never passes through a square root, a median of
counts or an optimizer step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from redfl.aggregation.base import Update, cast_like
from redfl.errors import AggregationError, ConfigError
from redfl.parameters import Array, Parameters

Float64 = npt.NDArray[np.float64]


def is_float(array: Array) -> bool:
    """Return True when ``array`` holds floating-point values."""
    return bool(np.issubdtype(array.dtype, np.floating))


def float_names(current: Parameters) -> list[str]:
    """Return the names of the floating arrays of ``current``, in model order."""
    return [name for name, array in current.items() if is_float(array)]


def stack(ordered: Sequence[Update], name: str) -> Float64:
    """Return the updates' array ``name`` stacked on a new first axis, float64."""
    return np.stack([u.parameters[name].astype(np.float64) for u in ordered])


def flatten_floats(update: Update, names: Sequence[str]) -> Float64:
    """Return the floating arrays ``names`` of ``update`` as one float64 vector."""
    if not names:
        return np.zeros(0, dtype=np.float64)
    return np.concatenate(
        [update.parameters[n].astype(np.float64).ravel() for n in names]
    )


def example_weights(ordered: Sequence[Update]) -> Float64:
    """Return each update's share of the examples (they sum to one).

    Raises:
        AggregationError: the updates report zero examples in total.
    """
    counts = np.array([u.num_examples for u in ordered], dtype=np.float64)
    total = counts.sum()
    if total == 0:
        nodes = [u.node_id for u in ordered]
        raise AggregationError(
            f"nodes {nodes} reported 0 examples in total; a weighted mean is undefined"
        )

    return np.asarray(counts / total, dtype=np.float64)


def weighted_array(ordered: Sequence[Update], name: str) -> Float64:
    """Return the example-weighted mean of array ``name``, in float64."""
    weights = example_weights(ordered)
    acc = np.zeros(ordered[0].parameters[name].shape, dtype=np.float64)
    for weight, update in zip(weights, ordered, strict=True):
        acc += weight * update.parameters[name].astype(np.float64)

    return acc


def combine(
    current: Parameters,
    ordered: Sequence[Update],
    float_fn: Callable[[str, Float64], Float64],
) -> Parameters:
    """Build new parameters: ``float_fn`` for floating arrays, the mean otherwise.

    Args:
        current: the global parameters; gives names, order and dtypes.
        ordered: checked updates in node-id order.
        float_fn: maps an array name and its stacked updates, shape
            ``(n, *shape)`` in float64, to the new float64 array.
    """
    combined = {}
    for name, like in current.items():
        if is_float(like):
            value = float_fn(name, stack(ordered, name))
        else:
            value = weighted_array(ordered, name)
        combined[name] = cast_like(value, like)

    return Parameters(combined)


def require_int(name: str, value: object, minimum: int) -> int:
    """Return ``value`` when it is an integer >= ``minimum``.

    Raises:
        ConfigError: it is not; the message names the option and the value.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def require_float(
    name: str, value: object, low: float, high: float, *, high_open: bool = True
) -> float:
    """Return ``value`` as a float when it lies in ``[low, high)`` (or ``]``).

    Raises:
        ConfigError: it does not; the message names the option and the value.
    """
    bracket = ")" if high_open else "]"
    number = float(value) if isinstance(value, int | float) else float("nan")
    inside = low <= number < high if high_open else low <= number <= high
    if isinstance(value, bool) or not inside:
        raise ConfigError(
            f"{name} must be in [{low:g}, {high:g}{bracket}, got {value!r}"
        )
    return number
