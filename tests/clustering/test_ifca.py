"""IFCA's assignment step on hand-made losses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from redfl.clustering import assign_by_loss, choose_cluster, cluster_members


@pytest.mark.parametrize(
    ("losses", "expected"),
    [
        ([0.9, 0.2, 0.5], 1),
        ([0.3, 0.3, 0.1], 2),
        ([0.4, 0.4, 0.9], 0),
        ([math.nan, 0.8, 0.7], 2),
        ([math.inf, 5.0], 1),
        ([math.nan, math.nan], 0),
        ([1.5], 0),
    ],
)
def test_choose_cluster_takes_the_lowest_loss_lowest_index_on_ties(
    losses: list[float], expected: int
) -> None:
    assert choose_cluster(losses) == expected


def test_choose_cluster_refuses_no_losses() -> None:
    with pytest.raises(ValueError, match="empty"):
        choose_cluster([])


def test_assign_by_loss_picks_per_node() -> None:
    losses = np.array(
        [
            [0.1, 2.0, 2.1],
            [2.0, 0.2, 1.9],
            [1.0, 1.0, 0.3],
            [0.5, 0.5, 0.5],
        ]
    )

    assert assign_by_loss(losses).tolist() == [0, 1, 2, 0]


def test_assign_by_loss_rejects_a_vector() -> None:
    with pytest.raises(ValueError, match=r"got shape \(3,\)"):
        assign_by_loss([0.1, 0.2, 0.3])


def test_cluster_members_lists_empty_clusters_too() -> None:
    members = cluster_members({3: 0, 0: 2, 1: 0}, k=3)

    assert members == [[1, 3], [], [0]]
