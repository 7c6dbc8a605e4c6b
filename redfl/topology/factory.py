"""Build the topology a configuration describes, validated for its node count."""

from __future__ import annotations

from redfl.config import CustomTopology, TopologyConfig
from redfl.seeding import Stream, derive_seed
from redfl.topology import generators
from redfl.topology.custom import load_custom
from redfl.topology.graph import Topology


def topology_seed(config: TopologyConfig, run_seed: int) -> int:
    """Return the topology's own seed, or one derived from the run seed."""
    seed = getattr(config, "seed", None)
    if seed is not None:
        return int(seed)

    return derive_seed(run_seed, Stream.TOPOLOGY)


def make_topology(config: TopologyConfig, num_nodes: int, run_seed: int) -> Topology:
    """Return the topology of ``config`` over nodes ``0 .. num_nodes - 1``.

    A relative ``path`` of a custom topology is read from the working folder.

    Raises:
        TopologyError: the generator cannot meet the request, or the graph
            fails validation (node count, loops, symmetry, connectivity).
    """
    seed = topology_seed(config, run_seed)
    if isinstance(config, CustomTopology):
        topology = load_custom(config.path, num_nodes)
    elif config.kind == "star":
        topology = generators.star_topology(num_nodes)
    elif config.kind == "ring":
        topology = generators.ring(num_nodes)
    elif config.kind == "line":
        topology = generators.line(num_nodes)
    elif config.kind == "mesh":
        topology = generators.mesh(num_nodes)
    elif config.kind == "k_regular":
        topology = generators.k_regular(num_nodes, config.k, seed, config.max_attempts)
    elif config.kind == "erdos_renyi":
        topology = generators.erdos_renyi(
            num_nodes, config.p, seed, config.max_attempts
        )
    else:
        topology = generators.small_world(
            num_nodes, config.k, config.beta, seed, config.max_attempts
        )
    topology.check_node_count(num_nodes)

    return topology
