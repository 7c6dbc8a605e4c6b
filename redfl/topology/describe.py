"""Describe and draw a configured topology: degrees, diameter, spectral gap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from redfl.config import RunConfig
from redfl.topology.custom import read_matrix_csv
from redfl.topology.factory import make_topology
from redfl.topology.graph import Matrix, Topology
from redfl.topology.mixing import mixing_matrix, spectral_gap


def config_mixing_matrix(config: RunConfig, topology: Topology) -> Matrix:
    """Return the mixing matrix the configuration's gossip settings give.

    Raises:
        TopologyError: a user matrix is missing, malformed or not doubly
            stochastic over ``topology``.
    """
    gossip = config.gossip
    given = read_matrix_csv(gossip.matrix_path) if gossip.matrix_path else None

    return mixing_matrix(topology, gossip.mixing, given)


def describe_topology(config: RunConfig) -> dict[str, Any]:
    """Return node and edge counts, degree statistics, diameter and spectral gap.

    Raises:
        TopologyError: the configured topology or mixing matrix is invalid.
    """
    topology = make_topology(config.topology, config.nodes.count, config.seed)
    degrees = np.array([d for _, d in topology.graph.degree()], dtype=np.float64)
    weights = config_mixing_matrix(config, topology)

    return {
        "name": topology.name,
        "nodes": topology.num_nodes,
        "edges": int(topology.graph.number_of_edges()),
        "degree_min": int(degrees.min()),
        "degree_mean": float(degrees.mean()),
        "degree_max": int(degrees.max()),
        "diameter": int(nx.diameter(topology.graph)),
        "mixing": config.gossip.mixing,
        "spectral_gap": spectral_gap(weights),
    }


def plot_topology(topology: Topology, path: str | Path, title: str = "") -> None:
    """Draw ``topology`` into an image file at ``path`` (format from suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5.0, 5.0))
    graph = topology.graph
    layout = (
        nx.circular_layout(graph)
        if graph.number_of_nodes() <= 32
        else (nx.spring_layout(graph, seed=0))
    )
    weights = [w for _, _, w in graph.edges(data="weight", default=1.0)]
    widths = [1.0 + 2.0 * w / max(weights) for w in weights] if weights else []

    nx.draw_networkx_edges(graph, layout, ax=axes, width=widths, alpha=0.6)
    nx.draw_networkx_nodes(graph, layout, ax=axes, node_size=300, node_color="#c0392b")
    nx.draw_networkx_labels(graph, layout, ax=axes, font_size=8, font_color="white")
    axes.set_title(title or repr(topology))
    axes.set_axis_off()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
