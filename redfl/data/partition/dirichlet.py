"""Label-skewed partitioning: per-class node shares drawn from a Dirichlet."""

from __future__ import annotations

import numpy as np

from redfl.data.partition.base import (
    IndexArray,
    LabelArray,
    Partitioner,
    to_index_arrays,
    validate_request,
)
from redfl.errors import DataError


class DirichletPartitioner(Partitioner):
    """Split each class among nodes in proportions drawn from Dirichlet(alpha).

    A small ``alpha`` concentrates each class on a few nodes (strong label
    skew); a large one approaches an IID split. The whole draw is repeated
    until every node holds at least ``min_size`` samples.

    Args:
        alpha: Concentration of the Dirichlet distribution, > 0.
        min_size: Fewest samples any node may receive, >= 0.
        max_retries: Redraws allowed after the first draw, >= 0.

    Raises:
        DataError: If an argument is out of range.
    """

    def __init__(self, alpha: float, min_size: int = 10, max_retries: int = 100):
        if not alpha > 0:
            raise DataError(f"alpha must be > 0, got {alpha}")
        if min_size < 0:
            raise DataError(f"min_size must be >= 0, got {min_size}")
        if max_retries < 0:
            raise DataError(f"max_retries must be >= 0, got {max_retries}")
        self.alpha = float(alpha)
        self.min_size = int(min_size)
        self.max_retries = int(max_retries)

    def partition(
        self, labels: LabelArray, num_nodes: int, rng: np.random.Generator
    ) -> list[IndexArray]:
        """Split every class by Dirichlet shares, redrawing until sizes suffice.

        Args:
            labels: One integer class label per sample.
            num_nodes: How many nodes to split the samples among.
            rng: Generator that drives the shuffles and the Dirichlet draws.

        Returns:
            One sorted int64 index array per node.

        Raises:
            DataError: If ``num_nodes`` does not fit the dataset, or no draw
                within ``max_retries`` redraws gives every node ``min_size``
                samples (immediately when ``min_size * num_nodes`` exceeds the
                number of samples).
        """
        validate_request(labels, num_nodes)
        if self.min_size * num_nodes > len(labels):
            raise self._infeasible(
                num_nodes, len(labels), "min_size * num_nodes exceeds the dataset"
            )

        smallest = 0
        for _ in range(self.max_retries + 1):
            parts = self._draw(labels, num_nodes, rng)
            sizes = [len(part) for part in parts]
            if min(sizes) >= self.min_size:
                return to_index_arrays(parts)
            smallest = max(smallest, min(sizes))

        raise self._infeasible(
            num_nodes,
            len(labels),
            f"after {self.max_retries + 1} draws the smallest node reached at best "
            f"{smallest} samples",
        )

    def _draw(
        self, labels: LabelArray, num_nodes: int, rng: np.random.Generator
    ) -> list[IndexArray]:
        """Draw one candidate partition, class by class in label order."""
        parts: list[list[IndexArray]] = [[] for _ in range(num_nodes)]
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            rng.shuffle(members)

            shares = rng.dirichlet(np.full(num_nodes, self.alpha))
            cuts = np.floor(np.cumsum(shares)[:-1] * len(members)).astype(np.int64)
            for node_id, chunk in enumerate(np.split(members, cuts)):
                parts[node_id].append(chunk)

        return [np.concatenate(chunks).astype(np.int64) for chunks in parts]

    def _infeasible(self, num_nodes: int, num_samples: int, reason: str) -> DataError:
        """Build the error for a request no draw can satisfy."""
        return DataError(
            f"Dirichlet partition infeasible with alpha={self.alpha}, "
            f"min_size={self.min_size}, num_nodes={num_nodes} and dataset size "
            f"{num_samples}: {reason}; use a larger alpha or a smaller min_size"
        )
