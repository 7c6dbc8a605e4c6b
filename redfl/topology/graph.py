"""`Topology`: who may talk to whom, as a validated networkx graph."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from redfl.errors import TopologyError

SERVER_ID = -1
"""The node id of the server vertex in client-server topologies."""


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
        if not nx.is_connected(self.graph):
            parts = [sorted(c) for c in nx.connected_components(self.graph)]
            raise TopologyError(
                f"topology {self.name!r} is disconnected; components: {parts}"
            )

    @property
    def nodes(self) -> list[int]:
        """Return the node ids in ascending order."""
        return sorted(self.graph.nodes)

    def has_edge(self, src: int, dst: int) -> bool:
        """Return True when ``src`` and ``dst`` are linked."""
        return bool(self.graph.has_edge(src, dst))

    def neighbors(self, node: int) -> list[int]:
        """Return the neighbours of ``node`` in ascending order."""
        return sorted(self.graph.neighbors(node))

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
