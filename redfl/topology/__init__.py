"""Topologies: the graph of links messages may travel."""

from redfl.topology.graph import SERVER_ID, Topology, star

__all__ = ["SERVER_ID", "Topology", "star"]
