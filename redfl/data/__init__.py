"""Datasets and the partitioners that spread them over nodes."""

from __future__ import annotations

from redfl.data.datasets import (
    DATASETS,
    ArrayDataset,
    DatasetLoader,
    FederatedDataset,
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

__all__ = [
    "DATASETS",
    "PARTITIONERS",
    "ArrayDataset",
    "DatasetLoader",
    "DirichletPartitioner",
    "FederatedDataset",
    "IIDPartitioner",
    "IndexArray",
    "Partitioner",
    "ShardPartitioner",
    "check_partition",
    "load_dataset",
    "load_digits_dataset",
    "make_partitioner",
]
