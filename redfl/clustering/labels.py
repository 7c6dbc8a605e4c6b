"""One-shot clustering of nodes by their label distributions (k-means)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def label_histograms(
    labels: Sequence[npt.ArrayLike], num_classes: int
) -> npt.NDArray[np.float64]:
    """Return each node's label distribution as a row of class shares.

    A node without samples gets a row of zeros.
    """
    rows = np.zeros((len(labels), num_classes), dtype=np.float64)
    for row, node_labels in enumerate(labels):
        counts = np.bincount(np.asarray(node_labels, np.int64), minlength=num_classes)
        total = counts.sum()
        if total:
            rows[row] = counts[:num_classes] / total

    return rows


def cluster_by_labels(
    histograms: npt.ArrayLike, k: int, seed: int
) -> npt.NDArray[np.int64]:
    """Return a cluster per node from k-means on the label distributions.

    Clusters are renumbered in order of first appearance (node 0's cluster
    is 0), so the same grouping always gets the same numbers.

    Raises:
        ValueError: ``k`` is below 1 or above the number of nodes.
    """
    rows = np.asarray(histograms, dtype=np.float64)
    if not 1 <= k <= len(rows):
        raise ValueError(f"k must be in 1..{len(rows)} (the nodes), got {k}")
    from sklearn.cluster import KMeans

    raw = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(rows)

    return renumber(raw)


def renumber(labels: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Return ``labels`` renumbered 0, 1, ... in order of first appearance."""
    order: dict[int, int] = {}
    for label in np.asarray(labels).tolist():
        order.setdefault(int(label), len(order))

    return np.array([order[int(x)] for x in np.asarray(labels).tolist()], np.int64)
