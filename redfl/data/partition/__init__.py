"""Partitioners: split sample indices among nodes (IID, Dirichlet, shards)."""

from __future__ import annotations

from typing import Any

from redfl.data.partition.base import (
    IndexArray,
    LabelArray,
    Partitioner,
    check_partition,
    to_index_arrays,
    validate_request,
)
from redfl.data.partition.dirichlet import DirichletPartitioner
from redfl.data.partition.group import GroupPartitioner
from redfl.data.partition.iid import IIDPartitioner
from redfl.data.partition.shards import ShardPartitioner
from redfl.errors import ConfigError

PARTITIONERS: dict[str, type[Partitioner]] = {
    "iid": IIDPartitioner,
    "dirichlet": DirichletPartitioner,
    "shards": ShardPartitioner,
    "group": GroupPartitioner,
}


def make_partitioner(kind: str, **options: Any) -> Partitioner:
    """Build the partitioner registered as ``kind`` with ``options``.

    Args:
        kind: One of ``"iid"``, ``"dirichlet"``, ``"shards"`` or ``"group"``.
        **options: Constructor arguments, such as ``alpha`` for Dirichlet or
            ``groups`` (one group id per row) for ``group``.

    Returns:
        A new partitioner.

    Raises:
        ConfigError: If ``kind`` is unknown or the options do not match its
            constructor.
        DataError: If an option has an out-of-range value.
    """
    cls = PARTITIONERS.get(kind)
    if cls is None:
        known = ", ".join(PARTITIONERS)
        raise ConfigError(f"unknown partitioner kind {kind!r}; known kinds: {known}")

    try:
        return cls(**options)
    except TypeError as exc:
        raise ConfigError(
            f"partitioner {kind!r} rejected options {options}: {exc}"
        ) from exc


__all__ = [
    "PARTITIONERS",
    "DirichletPartitioner",
    "GroupPartitioner",
    "IIDPartitioner",
    "IndexArray",
    "LabelArray",
    "Partitioner",
    "ShardPartitioner",
    "check_partition",
    "make_partitioner",
    "to_index_arrays",
    "validate_request",
]
