"""IFCA's assignment step: each node joins the cluster whose model fits it best.

Ghosh et al. 2020, "An Efficient Framework for Clustered Federated Learning".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt


def choose_cluster(losses: Sequence[float]) -> int:
    """Return the index of the lowest loss; the lowest index wins ties.

    A non-finite loss (NaN, infinity) never wins unless every loss is.

    Raises:
        ValueError: ``losses`` is empty.
    """
    if not losses:
        raise ValueError("cannot choose a cluster from an empty list of losses")
    finite = [loss if math.isfinite(loss) else math.inf for loss in losses]

    return int(np.argmin(finite))


def assign_by_loss(losses: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Return each row's chosen cluster for a (nodes x clusters) loss matrix."""
    matrix = np.asarray(losses, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ValueError(
            f"losses must be a (nodes x clusters) matrix, got shape {matrix.shape}"
        )

    return np.array([choose_cluster(list(row)) for row in matrix], dtype=np.int64)


def cluster_members(assignment: Mapping[int, int], k: int) -> list[list[int]]:
    """Return the sorted node ids of each of ``k`` clusters (empty lists kept)."""
    members: list[list[int]] = [[] for _ in range(k)]
    for node in sorted(assignment):
        members[assignment[node]].append(node)

    return members
