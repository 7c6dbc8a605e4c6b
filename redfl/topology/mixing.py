"""Mixing matrices for gossip averaging over a topology.

Row ``i`` of a mixing matrix ``W`` holds the weights node ``i`` gives to its
own model and to its neighbours' models; ``W[i, j]`` may be non-zero only
when ``i == j`` or ``i`` and ``j`` are linked. A doubly stochastic ``W``
(rows and columns sum to one) keeps the average of the node models fixed,
so repeated mixing drives every node to that average.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from redfl.errors import TopologyError
from redfl.parameters import Parameters
from redfl.topology.graph import Matrix, Topology

MixingKind = Literal["metropolis_hastings", "uniform", "matrix"]

TOLERANCE = 1e-8
"""How far row and column sums may stray from one."""


def metropolis_hastings(topology: Topology) -> Matrix:
    """Return Metropolis-Hastings weights, using edge weights when present.

    ``W[i, j] = w_ij / (1 + max(s_i, s_j))`` for linked nodes, where ``s`` is
    a node's weighted degree (its degree when links are unweighted), and the
    diagonal takes the rest. The result is symmetric and doubly stochastic.
    """
    adjacency = topology.adjacency()
    strength = adjacency.sum(axis=1)
    denominator = 1.0 + np.maximum.outer(strength, strength)
    weights = np.where(adjacency > 0, adjacency / denominator, 0.0)
    np.fill_diagonal(weights, 1.0 - weights.sum(axis=1))

    return weights


def uniform_neighbour(topology: Topology) -> Matrix:
    """Return weights ``1 / (degree + 1)`` over each node and its neighbours.

    Rows sum to one; columns do only on regular graphs (ring, mesh,
    k-regular), so elsewhere the nodes agree on a degree-weighted average.
    """
    adjacency = (topology.adjacency() > 0).astype(np.float64)
    np.fill_diagonal(adjacency, 1.0)

    return np.asarray(adjacency / adjacency.sum(axis=1, keepdims=True))


def check_mixing_matrix(
    matrix: Matrix, topology: Topology, doubly_stochastic: bool = True
) -> Matrix:
    """Check that ``matrix`` can mix over ``topology`` and return it as float64.

    Raises:
        TopologyError: wrong shape, a negative entry, a weight between
            unlinked nodes, or a row (or column, when ``doubly_stochastic``)
            that does not sum to one; the message names the row or column.
    """
    weights = np.asarray(matrix, dtype=np.float64)
    n = topology.num_nodes
    if weights.shape != (n, n):
        raise TopologyError(
            f"mixing matrix must be {n}x{n} for topology {topology.name!r}, got "
            f"shape {weights.shape}"
        )
    negative = np.argwhere(weights < 0)
    if negative.size:
        row, col = (int(v) for v in negative[0])
        raise TopologyError(
            f"mixing matrix: negative weight {weights[row, col]:g} at row {row}, "
            f"column {col}"
        )
    linked = topology.adjacency() > 0
    np.fill_diagonal(linked, True)
    stray = np.argwhere((weights != 0) & ~linked)
    if stray.size:
        row, col = (int(v) for v in stray[0])
        raise TopologyError(
            f"mixing matrix: weight {weights[row, col]:g} at row {row}, column "
            f"{col}, but nodes {row} and {col} are not linked"
        )
    _check_sums(weights.sum(axis=1), "row")
    if doubly_stochastic:
        _check_sums(weights.sum(axis=0), "column")

    return weights


def _check_sums(sums: Matrix, axis_name: str) -> None:
    off = np.flatnonzero(np.abs(sums - 1.0) > TOLERANCE)
    if not off.size:
        return
    index = int(off[0])
    message = f"mixing matrix: {axis_name} {index} sums to {sums[index]:.6g}, "
    if axis_name == "column":
        message += "expected 1 (the matrix must be doubly stochastic)"
    else:
        message += "expected 1"
    raise TopologyError(message)


def mixing_matrix(
    topology: Topology,
    kind: MixingKind = "metropolis_hastings",
    matrix: Matrix | None = None,
) -> Matrix:
    """Return the mixing matrix of ``kind`` for ``topology``.

    Raises:
        TopologyError: ``kind`` is ``matrix`` and the given matrix is missing
            or fails `check_mixing_matrix` (doubly stochastic required).
    """
    if kind == "metropolis_hastings":
        return metropolis_hastings(topology)
    if kind == "uniform":
        return uniform_neighbour(topology)
    if matrix is None:
        raise TopologyError("mixing 'matrix' needs a matrix (gossip.matrix_path)")

    return check_mixing_matrix(matrix, topology, doubly_stochastic=True)


def restrict(weights: Matrix, active: Sequence[int]) -> Matrix:
    """Return ``weights`` with inactive nodes cut out of every active row.

    An active node keeps the weights of its active neighbours and adds the
    weight of inactive ones to its own; inactive rows become identity. A
    symmetric doubly stochastic matrix stays so.
    """
    mask = np.zeros(weights.shape[0], dtype=bool)
    mask[list(active)] = True
    kept = np.where(np.outer(mask, mask), weights, 0.0)
    np.fill_diagonal(kept, 0.0)
    np.fill_diagonal(kept, 1.0 - kept.sum(axis=1))

    return kept


def spectral_gap(weights: Matrix) -> float:
    """Return ``1 - |lambda_2|``, the gap below the largest eigenvalue modulus.

    A larger gap means faster agreement; zero means mixing never agrees.
    """
    if weights.shape[0] < 2:
        return 1.0
    moduli = np.sort(np.abs(np.linalg.eigvals(weights)))[::-1]

    return float(1.0 - moduli[1])


def mix_parameters(
    weighted_models: Sequence[tuple[float, Parameters]], own: int = 0
) -> Parameters:
    """Return the weighted sum of models, accumulated in float64.

    Floating arrays are mixed in the order given (callers sort by node id, so
    the result does not depend on arrival order) and cast back to their
    dtype. Integer arrays (counters, step buffers) are not averaged: they
    keep the value of model number ``own``, the mixing node's own.

    Raises:
        TopologyError: no models, or the models' names, shapes or dtypes
            differ (the message names the first mismatch).
    """
    if not weighted_models:
        raise TopologyError("mix_parameters needs at least one model")
    reference = weighted_models[own][1]
    layout = reference.signature()
    for index, (_, model) in enumerate(weighted_models):
        if model.signature() != layout:
            raise TopologyError(
                f"model {index} has layout {model.signature()}, expected {layout}"
            )

    mixed = {}
    for name, array in reference.items():
        if not np.issubdtype(array.dtype, np.floating):
            mixed[name] = array.copy()
            continue
        total = np.zeros(array.shape, dtype=np.float64)
        for weight, model in weighted_models:
            total += weight * model[name].astype(np.float64)
        mixed[name] = total.astype(array.dtype)

    return Parameters(mixed)


def average_parameters(models: Sequence[Parameters]) -> Parameters:
    """Return the plain average of ``models`` (float64 accumulation)."""
    share = 1.0 / len(models)

    return mix_parameters([(share, m) for m in models])


def consensus_distance(models: Sequence[Parameters]) -> tuple[float, Parameters]:
    """Return the mean L2 distance of ``models`` from their average, and it.

    Only floating arrays count; the distance of one model is the norm of all
    its floating arrays flattened together.
    """
    mean = average_parameters(models)
    distances = []
    for model in models:
        squared = sum(
            float(np.sum((model[k].astype(np.float64) - v.astype(np.float64)) ** 2))
            for k, v in mean.items()
            if np.issubdtype(v.dtype, np.floating)
        )
        distances.append(np.sqrt(squared))

    return float(np.mean(distances)), mean
