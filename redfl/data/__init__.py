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
from redfl.data.images import load_cifar10_dataset, load_idx_dataset, read_idx
from redfl.data.partition import (
    PARTITIONERS,
    DirichletPartitioner,
    GroupPartitioner,
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
from redfl.data.tables import load_csv_dataset, load_npz_dataset

DATASETS.update(PLANTED_DATASETS)
DATASETS.update(
    {
        "idx": load_idx_dataset,
        "cifar10": load_cifar10_dataset,
        "npz": load_npz_dataset,
        "csv": load_csv_dataset,
    }
)
FILE_DATASETS = ("idx", "cifar10", "npz", "csv")
"""Datasets read from ``data.path``."""

__all__ = [
    "DATASETS",
    "FILE_DATASETS",
    "PARTITIONERS",
    "PLANTED_DATASETS",
    "ArrayDataset",
    "DatasetLoader",
    "DirichletPartitioner",
    "FederatedDataset",
    "GroupPartitioner",
    "GroupTransform",
    "IIDPartitioner",
    "IndexArray",
    "LabelPermutation",
    "Partitioner",
    "Rotation",
    "ShardPartitioner",
    "assign_groups",
    "check_partition",
    "load_cifar10_dataset",
    "load_csv_dataset",
    "load_dataset",
    "load_digits_dataset",
    "load_idx_dataset",
    "load_npz_dataset",
    "load_permuted_digits",
    "load_rotated_digits",
    "make_partitioner",
    "read_idx",
]
