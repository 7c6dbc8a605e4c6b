"""Topology generators over node ids ``0 .. n - 1``; random ones are seeded.

Random generators that can produce a disconnected graph (Erdos-Renyi,
k-regular, small world) draw again with a seed derived from the given seed
and the attempt number, and give up with a clear error after a bounded
number of attempts.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import numpy as np

from redfl.errors import TopologyError
from redfl.topology.graph import Topology, star

DEFAULT_ATTEMPTS = 100
"""How many draws a random generator makes before it gives up."""


def _require_nodes(name: str, num_nodes: int, minimum: int = 1) -> None:
    if num_nodes < minimum:
        raise TopologyError(
            f"{name}: needs at least {minimum} node(s), got {num_nodes}"
        )


def star_topology(num_nodes: int, center: int = 0) -> Topology:
    """Return a star over ``num_nodes`` nodes with ``center`` as the hub.

    Raises:
        TopologyError: fewer than one node, or ``center`` is not a node.
    """
    _require_nodes("star", num_nodes)
    if not 0 <= center < num_nodes:
        raise TopologyError(f"star: center {center} is not in 0..{num_nodes - 1}")

    return star((n for n in range(num_nodes) if n != center), center=center)


def ring(num_nodes: int) -> Topology:
    """Return a cycle; two nodes give one link, one node no link."""
    _require_nodes("ring", num_nodes)

    graph = nx.cycle_graph(num_nodes) if num_nodes > 2 else nx.path_graph(num_nodes)

    return Topology(graph, name="ring")


def line(num_nodes: int) -> Topology:
    """Return a path ``0 - 1 - ... - n-1``."""
    _require_nodes("line", num_nodes)

    return Topology(nx.path_graph(num_nodes), name="line")


def mesh(num_nodes: int) -> Topology:
    """Return the complete graph: every node linked to every other."""
    _require_nodes("mesh", num_nodes)

    return Topology(nx.complete_graph(num_nodes), name="mesh")


def k_regular(
    num_nodes: int, k: int, seed: int, max_attempts: int = DEFAULT_ATTEMPTS
) -> Topology:
    """Return a connected random graph in which every node has ``k`` links.

    Raises:
        TopologyError: ``k`` is out of range, ``k * num_nodes`` is odd, or no
            connected draw was found in ``max_attempts``.
    """
    _require_nodes("k_regular", num_nodes, minimum=2)
    if not 1 <= k < num_nodes:
        raise TopologyError(f"k_regular: k must be in 1..{num_nodes - 1}, got {k}")
    if (k * num_nodes) % 2:
        raise TopologyError(
            f"k_regular: k * nodes must be even, got k={k} and {num_nodes} nodes"
        )

    def draw(attempt_seed: int) -> nx.Graph:
        return nx.random_regular_graph(k, num_nodes, seed=attempt_seed)

    return _draw_connected(f"k_regular(k={k})", draw, seed, max_attempts)


def erdos_renyi(
    num_nodes: int, p: float, seed: int, max_attempts: int = DEFAULT_ATTEMPTS
) -> Topology:
    """Return a connected G(n, p) graph: each link present with probability p.

    Raises:
        TopologyError: ``p`` is outside (0, 1], or no connected draw was found
            in ``max_attempts`` (raise ``p`` or the attempts).
    """
    _require_nodes("erdos_renyi", num_nodes)
    if not 0 < p <= 1:
        raise TopologyError(f"erdos_renyi: p must be in (0, 1], got {p}")

    def draw(attempt_seed: int) -> nx.Graph:
        return nx.gnp_random_graph(num_nodes, p, seed=attempt_seed)

    return _draw_connected(f"erdos_renyi(p={p:g})", draw, seed, max_attempts)


def small_world(
    num_nodes: int,
    k: int,
    beta: float,
    seed: int,
    max_attempts: int = DEFAULT_ATTEMPTS,
) -> Topology:
    """Return a connected Watts-Strogatz graph.

    Each node starts linked to its ``k`` nearest ring neighbours (``k // 2``
    on each side); each link is rewired with probability ``beta``.

    Raises:
        TopologyError: ``k`` or ``beta`` is out of range, or no connected
            draw was found in ``max_attempts``.
    """
    _require_nodes("small_world", num_nodes, minimum=3)
    if not 2 <= k < num_nodes:
        raise TopologyError(f"small_world: k must be in 2..{num_nodes - 1}, got {k}")
    if not 0 <= beta <= 1:
        raise TopologyError(f"small_world: beta must be in [0, 1], got {beta}")

    def draw(attempt_seed: int) -> nx.Graph:
        return nx.watts_strogatz_graph(num_nodes, k, beta, seed=attempt_seed)

    name = f"small_world(k={k}, beta={beta:g})"
    return _draw_connected(name, draw, seed, max_attempts)


def attempt_seed(seed: int, attempt: int) -> int:
    """Return the seed of draw number ``attempt`` for a generator seeded ``seed``."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=(attempt,))

    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def _draw_connected(
    name: str,
    draw_fn: Callable[[int], nx.Graph],
    seed: int,
    max_attempts: int,
) -> Topology:
    """Draw graphs until one is connected; raise after ``max_attempts``."""
    if max_attempts < 1:
        raise TopologyError(f"{name}: max_attempts must be >= 1, got {max_attempts}")
    for attempt in range(max_attempts):
        graph = draw_fn(attempt_seed(seed, attempt))
        if nx.is_connected(graph):
            return Topology(graph, name=name.split("(")[0])

    raise TopologyError(
        f"{name}: no connected graph in {max_attempts} draw(s) with seed {seed}; "
        "raise the connection parameter or max_attempts"
    )
