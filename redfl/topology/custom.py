"""Custom topologies from a numpy array, a CSV matrix or an edge-list file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from redfl.errors import TopologyError
from redfl.topology.graph import Matrix, Topology, from_adjacency


def from_array(
    matrix: Any, num_nodes: int | None = None, name: str = "custom"
) -> Topology:
    """Return the topology of a weighted adjacency matrix (zero: no link).

    Raises:
        TopologyError: not square, self-loops, asymmetric, negative or
            non-finite weights, wrong node count, or disconnected.
    """
    return from_adjacency(matrix, name=name, num_nodes=num_nodes)


def read_matrix_csv(path: str | Path) -> Matrix:
    """Read a comma-separated adjacency matrix, one row per line.

    Raises:
        TopologyError: the file is missing, empty, or a cell is not a number
            (the message names the row and column).
    """
    file = _existing(path)
    rows: list[list[float]] = []
    with open(file, newline="") as handle:
        for row_num, cells in enumerate(csv.reader(handle)):
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(
                [_number(file, cell, row_num, col) for col, cell in enumerate(cells)]
            )
    if not rows:
        raise TopologyError(f"{file}: adjacency matrix file is empty")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        short = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise TopologyError(
            f"{file}: row {short} has {len(rows[short])} column(s) but row 0 "
            f"has {len(rows[0])}; the matrix must be square"
        )

    return np.asarray(rows, dtype=np.float64)


def read_edge_list(path: str | Path, num_nodes: int) -> Matrix:
    """Read ``src dst [weight]`` lines into an adjacency matrix.

    Separators may be spaces or commas; ``#`` starts a comment. Each link is
    undirected; listing both directions is allowed when the weights agree.

    Raises:
        TopologyError: a line is malformed, a node id is outside
            ``0 .. num_nodes - 1``, or a link is listed with two weights.
    """
    file = _existing(path)
    matrix = np.zeros((num_nodes, num_nodes), dtype=np.float64)
    for line_num, raw in enumerate(file.read_text().splitlines(), start=1):
        text = raw.split("#", 1)[0].replace(",", " ").split()
        if not text:
            continue
        if len(text) not in (2, 3):
            raise TopologyError(
                f"{file}, line {line_num}: expected 'src dst [weight]', got {raw!r}"
            )
        src, dst = (_node_id(file, line_num, v, num_nodes) for v in text[:2])
        weight = _number(file, text[2], line_num, 2) if len(text) == 3 else 1.0
        _add_edge(matrix, src, dst, weight, f"{file}, line {line_num}")

    return matrix


def load_custom(path: str | Path, num_nodes: int) -> Topology:
    """Load a CSV matrix (``.csv``) or an edge list (any other suffix).

    Raises:
        TopologyError: the file is missing or malformed, or the topology
            fails validation; the message names the fault.
    """
    file = Path(path)
    if file.suffix.lower() == ".csv":
        matrix = read_matrix_csv(file)
    else:
        matrix = read_edge_list(file, num_nodes)

    return from_adjacency(matrix, name=file.name, num_nodes=num_nodes)


def _existing(path: str | Path) -> Path:
    file = Path(path)
    if not file.is_file():
        raise TopologyError(f"topology file not found: {file}")
    return file


def _number(file: Path, cell: str, row: int, col: int) -> float:
    try:
        return float(cell)
    except ValueError as exc:
        raise TopologyError(
            f"{file}: row {row}, column {col}: {cell.strip()!r} is not a number"
        ) from exc


def _node_id(file: Path, line_num: int, value: str, num_nodes: int) -> int:
    try:
        node = int(value)
    except ValueError as exc:
        raise TopologyError(
            f"{file}, line {line_num}: node id {value!r} is not an integer"
        ) from exc
    if not 0 <= node < num_nodes:
        raise TopologyError(
            f"{file}, line {line_num}: node {node} is outside 0..{num_nodes - 1} "
            f"(nodes.count={num_nodes})"
        )
    return node


def _add_edge(matrix: Matrix, src: int, dst: int, weight: float, where: str) -> None:
    if src == dst:
        raise TopologyError(f"{where}: self-loop at node {src}")
    if weight < 0:
        raise TopologyError(f"{where}: negative weight {weight:g} on ({src}, {dst})")
    current = matrix[src, dst]
    if current and current != weight:
        raise TopologyError(
            f"{where}: link ({src}, {dst}) listed again with weight {weight:g}, "
            f"earlier {current:g}; links are undirected"
        )
    matrix[src, dst] = matrix[dst, src] = weight
