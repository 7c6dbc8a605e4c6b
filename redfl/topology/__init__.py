"""Topologies: the graph of links messages may travel, and how nodes mix."""

from redfl.topology.custom import from_array, load_custom
from redfl.topology.factory import make_topology
from redfl.topology.generators import (
    erdos_renyi,
    k_regular,
    line,
    mesh,
    ring,
    small_world,
    star_topology,
)
from redfl.topology.graph import (
    SERVER_ID,
    Topology,
    from_adjacency,
    star,
    validate_adjacency,
)
from redfl.topology.mixing import (
    check_mixing_matrix,
    metropolis_hastings,
    mixing_matrix,
    restrict,
    spectral_gap,
    uniform_neighbour,
)

__all__ = [
    "SERVER_ID",
    "Topology",
    "check_mixing_matrix",
    "erdos_renyi",
    "from_adjacency",
    "from_array",
    "k_regular",
    "line",
    "load_custom",
    "make_topology",
    "mesh",
    "metropolis_hastings",
    "mixing_matrix",
    "restrict",
    "ring",
    "small_world",
    "spectral_gap",
    "star",
    "star_topology",
    "uniform_neighbour",
    "validate_adjacency",
]
