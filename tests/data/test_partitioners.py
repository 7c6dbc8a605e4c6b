"""Tests of the partitioners: coverage, seeding, skew and feasibility."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.data.partition import (
    DirichletPartitioner,
    IIDPartitioner,
    IndexArray,
    Partitioner,
    ShardPartitioner,
    check_partition,
    make_partitioner,
)
from redfl.errors import ConfigError, DataError

# 10 classes of 60 samples each, interleaved so label order is not index order.
LABELS = np.tile(np.arange(10, dtype=np.int64), 60)

PARTITIONERS = [
    pytest.param(IIDPartitioner(), id="iid"),
    pytest.param(DirichletPartitioner(alpha=0.5, min_size=5), id="dirichlet"),
    pytest.param(ShardPartitioner(labels_per_node=2), id="shards"),
]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _label_skew(parts: list[IndexArray], labels: np.ndarray) -> float:
    """Return the mean total-variation distance of node label mix from global."""
    global_share = np.bincount(labels, minlength=10) / len(labels)
    distances = [
        0.5 * np.abs(np.bincount(labels[p], minlength=10) / len(p) - global_share).sum()
        for p in parts
    ]
    return float(np.mean(distances))


@pytest.mark.parametrize("partitioner", PARTITIONERS)
@pytest.mark.parametrize("num_nodes", [1, 4, 10])
def test_every_sample_lands_on_exactly_one_node(
    partitioner: Partitioner, num_nodes: int
) -> None:
    parts = partitioner.partition(LABELS, num_nodes, _rng(0))

    check_partition(parts, len(LABELS), num_nodes)
    assert sum(len(p) for p in parts) == len(LABELS)
    assert len(np.unique(np.concatenate(parts))) == len(LABELS)
    assert all(p.dtype == np.int64 and np.all(np.diff(p) > 0) for p in parts)


@pytest.mark.parametrize("partitioner", PARTITIONERS)
def test_same_seed_gives_identical_partitions(partitioner: Partitioner) -> None:
    first = partitioner.partition(LABELS, 8, _rng(7))
    again = partitioner.partition(LABELS, 8, _rng(7))

    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("partitioner", PARTITIONERS)
def test_different_seeds_give_different_partitions(partitioner: Partitioner) -> None:
    first = partitioner.partition(LABELS, 8, _rng(1))
    other = partitioner.partition(LABELS, 8, _rng(2))

    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("partitioner", PARTITIONERS)
@pytest.mark.parametrize("num_nodes", [0, -1, len(LABELS) + 1])
def test_rejects_num_nodes_out_of_range(
    partitioner: Partitioner, num_nodes: int
) -> None:
    with pytest.raises(DataError, match=str(num_nodes)):
        partitioner.partition(LABELS, num_nodes, _rng(0))


def test_iid_parts_are_near_equal() -> None:
    parts = IIDPartitioner().partition(LABELS, 7, _rng(0))

    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1


def test_dirichlet_small_alpha_skews_labels_more_than_large_alpha() -> None:
    skewed = DirichletPartitioner(alpha=0.1, min_size=0).partition(LABELS, 10, _rng(0))
    mixed = DirichletPartitioner(alpha=100.0, min_size=0)
    balanced = mixed.partition(LABELS, 10, _rng(0))

    assert _label_skew(skewed, LABELS) > 0.4
    assert _label_skew(balanced, LABELS) < 0.15


def test_dirichlet_respects_min_size() -> None:
    parts = DirichletPartitioner(alpha=0.3, min_size=20).partition(LABELS, 10, _rng(0))

    assert min(len(p) for p in parts) >= 20


def test_dirichlet_infeasible_after_retries_names_the_values() -> None:
    partitioner = DirichletPartitioner(alpha=0.01, min_size=50, max_retries=3)

    with pytest.raises(DataError) as info:
        partitioner.partition(LABELS, 10, _rng(0))

    message = str(info.value)
    for text in ["alpha=0.01", "min_size=50", "num_nodes=10", "600", "4 draws"]:
        assert text in message
    assert "larger alpha" in message and "smaller min_size" in message


def test_dirichlet_min_size_beyond_dataset_is_infeasible_up_front() -> None:
    partitioner = DirichletPartitioner(alpha=1.0, min_size=61, max_retries=10**9)

    with pytest.raises(DataError, match=r"min_size=61.*num_nodes=10.*600"):
        partitioner.partition(LABELS, 10, _rng(0))


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("nan")])
def test_dirichlet_rejects_non_positive_alpha(alpha: float) -> None:
    with pytest.raises(DataError, match="alpha"):
        DirichletPartitioner(alpha=alpha)


def test_dirichlet_rejects_negative_min_size() -> None:
    with pytest.raises(DataError, match="-1"):
        DirichletPartitioner(alpha=1.0, min_size=-1)


@pytest.mark.parametrize("labels_per_node", [1, 2, 3])
def test_shards_are_label_pure_when_boundaries_align(labels_per_node: int) -> None:
    # 600 samples, 10 nodes: 10 * k shards of 60 / k samples, one label each.
    parts = ShardPartitioner(labels_per_node).partition(LABELS, 10, _rng(0))

    for part in parts:
        assert len(np.unique(LABELS[part])) <= labels_per_node
        assert len(part) == 60


def test_shards_distribute_remainder_samples() -> None:
    labels = np.arange(103, dtype=np.int64) % 5

    parts = ShardPartitioner(labels_per_node=2).partition(labels, 5, _rng(0))

    check_partition(parts, 103, 5)
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 2


def test_shards_reject_more_shards_than_samples() -> None:
    labels = np.zeros(10, dtype=np.int64)

    with pytest.raises(DataError, match=r"6 \* 2 = 12.*10"):
        ShardPartitioner(labels_per_node=2).partition(labels, 6, _rng(0))


def test_shards_reject_zero_labels_per_node() -> None:
    with pytest.raises(DataError, match="0"):
        ShardPartitioner(labels_per_node=0)


@pytest.mark.parametrize(
    ("parts", "match"),
    [
        ([np.array([0, 1]), np.array([2])], "no node"),
        ([np.array([0, 1, 2]), np.array([2, 3])], "more than once"),
        ([np.array([0, 1, 2, 3, 4])], r"\[0, 4\)"),
        ([np.array([1, 0]), np.array([2, 3])], "not sorted"),
        ([np.array([0, 1], dtype=np.int32), np.array([2, 3])], "int64"),
    ],
)
def test_check_partition_rejects_bad_partitions(
    parts: list[IndexArray], match: str
) -> None:
    with pytest.raises(DataError, match=match):
        check_partition(parts, 4)


def test_make_partitioner_builds_each_kind() -> None:
    assert isinstance(make_partitioner("iid"), IIDPartitioner)
    dirichlet = make_partitioner("dirichlet", alpha=0.3, min_size=2)
    assert isinstance(dirichlet, DirichletPartitioner) and dirichlet.alpha == 0.3
    shards = make_partitioner("shards", labels_per_node=3)
    assert isinstance(shards, ShardPartitioner) and shards.labels_per_node == 3


def test_make_partitioner_unknown_kind_lists_kinds() -> None:
    with pytest.raises(ConfigError, match=r"'natural'.*iid, dirichlet, shards"):
        make_partitioner("natural")


def test_make_partitioner_bad_option_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="beta"):
        make_partitioner("dirichlet", beta=0.5)
