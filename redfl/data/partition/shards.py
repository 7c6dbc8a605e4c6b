"""Pathological non-IID partitioning: a few label-sorted shards per node."""

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


class ShardPartitioner(Partitioner):
    """Sort samples by label, cut them into shards, deal shards to nodes.

    There are ``num_nodes * labels_per_node`` shards and every node receives
    ``labels_per_node`` of them, so a node sees about that many labels.
    Shard sizes differ by at most one sample when the dataset size is not a
    multiple of the shard count. A shard that straddles a label boundary holds
    two labels, so a node can then see more than ``labels_per_node`` labels.

    Args:
        labels_per_node: Shards (and so, roughly, distinct labels) per node.

    Raises:
        DataError: If ``labels_per_node`` is below 1.
    """

    def __init__(self, labels_per_node: int):
        if labels_per_node < 1:
            raise DataError(f"labels_per_node must be >= 1, got {labels_per_node}")
        self.labels_per_node = int(labels_per_node)

    def partition(
        self, labels: LabelArray, num_nodes: int, rng: np.random.Generator
    ) -> list[IndexArray]:
        """Deal ``labels_per_node`` label-sorted shards to each node at random.

        Args:
            labels: One integer class label per sample.
            num_nodes: How many nodes to split the samples among.
            rng: Generator that picks the order within labels and the dealing.

        Returns:
            One sorted int64 index array per node.

        Raises:
            DataError: If ``num_nodes`` does not fit the dataset or there are
                fewer samples than ``num_nodes * labels_per_node`` shards.
        """
        validate_request(labels, num_nodes)
        num_shards = num_nodes * self.labels_per_node
        if num_shards > len(labels):
            raise DataError(
                f"num_nodes * labels_per_node = {num_nodes} * "
                f"{self.labels_per_node} = {num_shards} shards exceeds the "
                f"{len(labels)} samples"
            )

        # Shuffle, then sort stably by label: shards are label-sorted but
        # which samples of a label land in which shard depends on the seed.
        shuffled = rng.permutation(len(labels))
        by_label = shuffled[np.argsort(labels[shuffled], kind="stable")]
        shards = np.array_split(by_label, num_shards)

        dealt = rng.permutation(num_shards).reshape(num_nodes, self.labels_per_node)
        parts = [np.concatenate([shards[s] for s in row]) for row in dealt]

        return to_index_arrays(parts)
