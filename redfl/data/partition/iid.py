"""IID partitioning: a seeded shuffle cut into near-equal parts."""

from __future__ import annotations

import numpy as np

from redfl.data.partition.base import (
    IndexArray,
    LabelArray,
    Partitioner,
    to_index_arrays,
    validate_request,
)


class IIDPartitioner(Partitioner):
    """Give each node a uniformly random share of the samples.

    Part sizes differ by at most one sample, so label proportions on every
    node follow the whole dataset up to sampling noise.
    """

    def partition(
        self, labels: LabelArray, num_nodes: int, rng: np.random.Generator
    ) -> list[IndexArray]:
        """Shuffle all indices and cut them into ``num_nodes`` near-equal parts.

        Args:
            labels: One integer class label per sample; only its length is used.
            num_nodes: How many nodes to split the samples among.
            rng: Generator that drives the shuffle.

        Returns:
            One sorted int64 index array per node.

        Raises:
            DataError: If ``num_nodes`` is below 1 or above the number of
                samples.
        """
        validate_request(labels, num_nodes)

        order = rng.permutation(len(labels))

        return to_index_arrays(np.array_split(order, num_nodes))
