"""One-shot k-means on label distributions."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.clustering import cluster_by_labels, label_histograms, renumber


def test_label_histograms_are_class_shares() -> None:
    histograms = label_histograms([[0, 0, 1, 2], [], [2]], num_classes=3)

    np.testing.assert_allclose(
        histograms, [[0.5, 0.25, 0.25], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    )


def test_kmeans_recovers_two_label_skew_groups() -> None:
    rng = np.random.default_rng(1)
    low = [rng.integers(0, 5, size=60) for _ in range(4)]
    high = [rng.integers(5, 10, size=60) for _ in range(4)]
    labels = [low[0], high[0], low[1], high[1], low[2], high[2], low[3], high[3]]

    clusters = cluster_by_labels(label_histograms(labels, 10), k=2, seed=0)

    assert clusters.tolist() == [0, 1, 0, 1, 0, 1, 0, 1]


@pytest.mark.parametrize("k", [0, 4])
def test_kmeans_rejects_k_outside_the_nodes(k: int) -> None:
    with pytest.raises(ValueError, match=f"got {k}"):
        cluster_by_labels(np.eye(3), k=k, seed=0)


def test_renumber_follows_first_appearance() -> None:
    assert renumber([2, 2, 0, 1, 0]).tolist() == [0, 0, 1, 2, 1]
