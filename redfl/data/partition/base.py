"""The `Partitioner` interface and the checks every partition must pass."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from redfl.errors import DataError

IndexArray = npt.NDArray[np.int64]
LabelArray = npt.NDArray[np.integer[Any]]


class Partitioner(ABC):
    """Splits sample indices among nodes, seeded by the generator it is given.

    Subclasses implement `partition`; they call `validate_request` first and
    return their parts through `to_index_arrays`, so every result is a list of
    sorted int64 arrays in which each sample appears exactly once.
    """

    @abstractmethod
    def partition(
        self, labels: LabelArray, num_nodes: int, rng: np.random.Generator
    ) -> list[IndexArray]:
        """Assign every sample index to exactly one of ``num_nodes`` nodes.

        Args:
            labels: One integer class label per sample.
            num_nodes: How many nodes to split the samples among.
            rng: The only source of randomness; the same seed gives the same
                partition.

        Returns:
            One sorted int64 index array per node, in node-id order.

        Raises:
            DataError: If the request cannot be satisfied.
        """

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


def validate_request(labels: LabelArray, num_nodes: int) -> None:
    """Check that ``labels`` is a label vector and ``num_nodes`` fits its size.

    Args:
        labels: One integer class label per sample.
        num_nodes: How many nodes will share the samples.

    Raises:
        DataError: If labels are not a 1-D integer array, or ``num_nodes`` is
            below 1 or above the number of samples.
    """
    if labels.ndim != 1:
        raise DataError(f"labels must be one-dimensional, got shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"labels must have an integer dtype, got {labels.dtype}")
    if num_nodes < 1:
        raise DataError(f"num_nodes must be >= 1, got {num_nodes}")
    if num_nodes > len(labels):
        raise DataError(
            f"num_nodes must be <= the number of samples ({len(labels)}), "
            f"got {num_nodes}"
        )


def to_index_arrays(parts: Sequence[npt.ArrayLike]) -> list[IndexArray]:
    """Return each part as a sorted int64 array."""
    return [np.sort(np.asarray(part, dtype=np.int64)) for part in parts]


def check_partition(
    parts: Sequence[IndexArray], num_samples: int, num_nodes: int | None = None
) -> None:
    """Check that ``parts`` assigns each of ``num_samples`` indices exactly once.

    Args:
        parts: One index array per node.
        num_samples: The size of the labelled dataset that was partitioned.
        num_nodes: The expected number of parts, if it should be checked.

    Raises:
        DataError: If the number of parts is wrong, a part is not a sorted
            1-D int64 array, an index is out of range, or an index is missing
            or repeated.
    """
    if num_nodes is not None and len(parts) != num_nodes:
        raise DataError(f"expected {num_nodes} parts, got {len(parts)}")
    for node_id, part in enumerate(parts):
        _check_part(node_id, part, num_samples)

    counts = np.zeros(num_samples, dtype=np.int64)
    for part in parts:
        np.add.at(counts, part, 1)
    missing = np.flatnonzero(counts == 0)
    repeated = np.flatnonzero(counts > 1)
    if missing.size:
        raise DataError(
            f"{missing.size} indices are assigned to no node, "
            f"first {missing[:5].tolist()}"
        )
    if repeated.size:
        raise DataError(
            f"{repeated.size} indices are assigned more than once, "
            f"first {repeated[:5].tolist()}"
        )


def _check_part(node_id: int, part: IndexArray, num_samples: int) -> None:
    """Check one node's part: a sorted 1-D int64 array of in-range indices."""
    if part.ndim != 1 or part.dtype != np.int64:
        raise DataError(
            f"node {node_id}: part must be a 1-D int64 array, "
            f"got dtype {part.dtype} and shape {part.shape}"
        )
    if part.size == 0:
        return
    if part.min() < 0 or part.max() >= num_samples:
        raise DataError(
            f"node {node_id}: indices must lie in [0, {num_samples}), "
            f"got values from {part.min()} to {part.max()}"
        )
    if np.any(np.diff(part) < 0):
        raise DataError(f"node {node_id}: indices are not sorted")
