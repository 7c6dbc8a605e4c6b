"""`Topology`: who may talk to whom, as a validated networkx graph."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from redfl.errors import TopologyError

SERVER_ID = -1
"""The node id of the server vertex in client-server topologies."""

Matrix = npt.NDArray[np.float64]


class Topology:
    """An undirected graph over integer node ids, checked on construction.

    Edges are the only links messages may travel; an edge weight (default 1)
    is available to schemas that mix parameters by weight.
    """

    def __init__(self, graph: nx.Graph, name: str = "custom") -> None:
        self.graph = graph
        self.name = name
        self._validate()

    def _validate(self) -> None:
        if self.graph.number_of_nodes() == 0:
            raise TopologyError(f"topology {self.name!r} has no nodes")
        loops = sorted(node for node, _ in nx.selfloop_edges(self.graph))
        if loops:
            raise TopologyError(f"topology {self.name!r}: self-loop at node(s) {loops}")
        for src, dst, weight in self.graph.edges(data="weight", default=1.0):
            if not np.isfinite(weight) or weight <= 0:
                raise TopologyError(
                    f"topology {self.name!r}: edge ({src}, {dst}) has weight "
                    f"{weight}; weights must be positive and finite"
                )
        if not nx.is_connected(self.graph):
            parts = [sorted(c) for c in nx.connected_components(self.graph)]
            parts.sort()
            raise TopologyError(
                f"topology {self.name!r} is disconnected; components: {parts}"
            )

    @property
    def nodes(self) -> list[int]:
        """Return the node ids in ascending order."""
        return sorted(self.graph.nodes)

    @property
    def num_nodes(self) -> int:
        """Return the number of nodes."""
        return int(self.graph.number_of_nodes())

    def has_edge(self, src: int, dst: int) -> bool:
        """Return True when ``src`` and ``dst`` are linked."""
        return bool(self.graph.has_edge(src, dst))

    def neighbors(self, node: int) -> list[int]:
        """Return the neighbours of ``node`` in ascending order."""
        return sorted(self.graph.neighbors(node))

    def weight(self, src: int, dst: int) -> float:
        """Return the weight of edge (``src``, ``dst``), 1 when unweighted."""
        return float(self.graph.edges[src, dst].get("weight", 1.0))

    def adjacency(self) -> Matrix:
        """Return the weighted adjacency matrix in ascending node-id order."""
        return np.asarray(
            nx.to_numpy_array(self.graph, nodelist=self.nodes, weight="weight"),
            dtype=np.float64,
        )

    def check_node_count(self, count: int) -> None:
        """Check that the topology has exactly the nodes ``0 .. count - 1``.

        Raises:
            TopologyError: the node count or the ids differ; names them.
        """
        if self.num_nodes != count:
            raise TopologyError(
                f"topology {self.name!r} has {self.num_nodes} node(s) but "
                f"nodes.count={count}"
            )
        unexpected = [n for n in self.nodes if not 0 <= n < count]
        if unexpected:
            raise TopologyError(
                f"topology {self.name!r}: node id(s) {unexpected} outside "
                f"0..{count - 1}"
            )

    def __repr__(self) -> str:
        n, m = self.graph.number_of_nodes(), self.graph.number_of_edges()
        return f"Topology({self.name!r}, nodes={n}, edges={m})"


def star(node_ids: Iterable[int], center: int = SERVER_ID) -> Topology:
    """Return a star linking ``center`` to every id in ``node_ids``.

    Raises:
        TopologyError: ``center`` is also among the leaves.
    """
    leaves = list(node_ids)
    if center in leaves:
        raise TopologyError(f"star: center {center} is also listed as a leaf")
    graph = nx.Graph()
    graph.add_node(center)
    graph.add_edges_from((center, leaf) for leaf in leaves)

    return Topology(graph, name="star")


def validate_adjacency(
    matrix: Any, name: str = "custom", num_nodes: int | None = None
) -> Matrix:
    """Check an adjacency matrix and return it as float64.

    Entry (i, j) is the weight of the link between nodes i and j; zero means
    no link. The checks run in this order: numeric, square, node count,
    finite, non-negative, no self-loops, symmetric. Connectivity is checked
    when the matrix becomes a `Topology`.

    Raises:
        TopologyError: the first fault found, naming its row and column.
    """
    try:
        array = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TopologyError(f"topology {name!r}: matrix is not numeric: {exc}") from exc
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise TopologyError(
            f"topology {name!r}: adjacency matrix must be square, got shape "
            f"{array.shape}"
        )
    if num_nodes is not None and array.shape[0] != num_nodes:
        raise TopologyError(
            f"topology {name!r}: matrix has {array.shape[0]} row(s) but "
            f"nodes.count={num_nodes}"
        )
    _check_entries(array, name)

    return array


def _check_entries(array: Matrix, name: str) -> None:
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        row, col = (int(v) for v in bad[0])
        raise TopologyError(
            f"topology {name!r}: entry at row {row}, column {col} is "
            f"{array[row, col]}; weights must be finite"
        )
    negative = np.argwhere(array < 0)
    if negative.size:
        row, col = (int(v) for v in negative[0])
        raise TopologyError(
            f"topology {name!r}: negative weight {array[row, col]:g} at row "
            f"{row}, column {col}"
        )
    loops = np.flatnonzero(np.diag(array))
    if loops.size:
        raise TopologyError(
            f"topology {name!r}: self-loop at node(s) {loops.tolist()} "
            "(non-zero diagonal)"
        )
    asymmetric = np.argwhere(~np.isclose(array, array.T))
    if asymmetric.size:
        row, col = (int(v) for v in asymmetric[0])
        raise TopologyError(
            f"topology {name!r}: matrix is not symmetric: entry ({row}, {col}) "
            f"is {array[row, col]:g} but ({col}, {row}) is {array[col, row]:g}; "
            "links are undirected"
        )


def from_adjacency(
    matrix: Any, name: str = "custom", num_nodes: int | None = None
) -> Topology:
    """Return the topology of a validated, weighted adjacency matrix.

    Raises:
        TopologyError: the matrix fails `validate_adjacency`, or the graph
            is disconnected (the message lists the components).
    """
    array = validate_adjacency(matrix, name, num_nodes)
    graph = nx.Graph()
    graph.add_nodes_from(range(array.shape[0]))
    rows, cols = np.nonzero(np.triu(array))
    graph.add_edges_from(
        (int(i), int(j), {"weight": float(array[i, j])})
        for i, j in zip(rows, cols, strict=True)
    )

    return Topology(graph, name=name)
