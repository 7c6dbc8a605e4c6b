"""CFL's split test and bipartition over node updates.

Sattler et al. 2020, "Clustered Federated Learning: Model-Agnostic
Distributed Multitask Optimization Under Privacy Constraints". A cluster has
reached a stationary point of its joint objective when the mean of its
nodes' updates is small; if some nodes' updates are still large there, the
nodes pull in different directions, and the cluster is split in two by the
cosine similarity of their updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from redfl.parameters import Parameters

Vectors = npt.NDArray[np.float64]


@dataclass(frozen=True)
class UpdateNorms:
    """The two norms CFL's split test compares with its thresholds."""

    mean: float
    max: float


def flat_update(new: Parameters, old: Parameters) -> Vectors:
    """Return ``new - old`` over the floating arrays, flattened, in float64.

    Integer buffers (BatchNorm's counter) are not part of the update.
    """
    parts = [
        (np.asarray(new[name], np.float64) - np.asarray(array, np.float64)).ravel()
        for name, array in old.items()
        if np.issubdtype(array.dtype, np.floating)
    ]

    return np.concatenate(parts) if parts else np.zeros(0)


def update_norms(updates: Vectors, weights: Sequence[float]) -> UpdateNorms:
    """Return the norm of the weighted mean update and the largest update norm.

    Args:
        updates: one flat update per row.
        weights: one non-negative weight per row (examples trained on); all
            zero means equal weights.
    """
    rows = np.atleast_2d(np.asarray(updates, dtype=np.float64))
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(len(rows))
    mean = (w[:, None] * rows).sum(axis=0) / w.sum()

    return UpdateNorms(
        mean=float(np.linalg.norm(mean)),
        max=float(np.linalg.norm(rows, axis=1).max()),
    )


def should_split(norms: UpdateNorms, eps1: float, eps2: float, size: int) -> bool:
    """Return True when a cluster of ``size`` reporting nodes should split.

    The cluster must have at least two nodes, a mean update norm below
    ``eps1`` and a largest node update norm above ``eps2``.
    """
    return size >= 2 and norms.mean < eps1 and norms.max > eps2


def cosine_similarity(updates: Vectors) -> Vectors:
    """Return the pairwise cosine similarity of the rows (zero rows give 0)."""
    rows = np.asarray(updates, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1)
    unit = rows / np.where(norms > 0, norms, 1.0)[:, None]

    return np.clip(unit @ unit.T, -1.0, 1.0)


def bipartition(updates: Vectors) -> tuple[list[int], list[int]]:
    """Split the rows in two by the cosine similarity of the updates.

    Complete-linkage agglomerative clustering on the distance
    ``1 - similarity`` merges rows until two groups remain, so the most
    dissimilar pair of groups is kept apart. The group holding row 0 comes
    first.

    Raises:
        ValueError: fewer than two rows.
    """
    rows = np.asarray(updates, dtype=np.float64)
    if len(rows) < 2:
        raise ValueError(f"a bipartition needs at least 2 updates, got {len(rows)}")
    from sklearn.cluster import AgglomerativeClustering

    distance = 1.0 - cosine_similarity(rows)
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=2, metric="precomputed", linkage="complete"
    ).fit_predict(distance)
    first = [i for i in range(len(rows)) if labels[i] == labels[0]]
    second = [i for i in range(len(rows)) if labels[i] != labels[0]]

    return first, second
