"""Datasets and the partitioners that spread them over nodes."""

from __future__ import annotations

from redfl.data.datasets import (
    DATASETS,
    ArrayDataset,
    DatasetLoader,
    FederatedDataset,
    GroupTransform,
    load_dataset,
    load_digits_dataset,
)
from redfl.data.partition import (
    PARTITIONERS,
    DirichletPartitioner,
    IIDPartitioner,
    IndexArray,
    Partitioner,
    ShardPartitioner,
    check_partition,
    make_partitioner,
)
from redfl.data.planted import (
    PLANTED_DATASETS,
    LabelPermutation,
    Rotation,
    assign_groups,
    load_permuted_digits,
    load_rotated_digits,
)

DATASETS.update(PLANTED_DATASETS)

__all__ = [
    "DATASETS",
    "PARTITIONERS",
    "PLANTED_DATASETS",
    "ArrayDataset",
    "DatasetLoader",
    "DirichletPartitioner",
    "FederatedDataset",
    "GroupTransform",
    "IIDPartitioner",
    "IndexArray",
    "LabelPermutation",
    "Partitioner",
    "Rotation",
    "ShardPartitioner",
    "assign_groups",
    "check_partition",
    "load_dataset",
    "load_digits_dataset",
    "load_permuted_digits",
    "load_rotated_digits",
    "make_partitioner",
]
