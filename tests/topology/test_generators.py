"""Generators: shape, connectivity, seeding and bounded resampling."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from redfl.config import load_config
from redfl.errors import ConfigError, TopologyError
from redfl.topology import (
    Topology,
    erdos_renyi,
    k_regular,
    make_topology,
    mesh,
    ring,
    small_world,
    star_topology,
)
from redfl.topology.generators import line


def degrees(topology: Topology) -> list[int]:
    return [d for _, d in sorted(topology.graph.degree())]


def edges(topology: Topology) -> list[tuple[int, int]]:
    return sorted(tuple(sorted(e)) for e in topology.graph.edges)


@pytest.mark.parametrize("n", [3, 8])
def test_fixed_generators_have_their_degrees(n: int) -> None:
    assert degrees(ring(n)) == [2] * n
    assert degrees(mesh(n)) == [n - 1] * n
    assert degrees(line(n)) == [1] + [2] * (n - 2) + [1]
    assert degrees(star_topology(n)) == [n - 1] + [1] * (n - 1)


def test_k_regular_is_connected_regular_and_seeded() -> None:
    first = k_regular(16, 4, seed=3)

    assert degrees(first) == [4] * 16
    assert nx.is_connected(first.graph)
    assert edges(first) == edges(k_regular(16, 4, seed=3))
    assert edges(first) != edges(k_regular(16, 4, seed=4))


def test_k_regular_rejects_odd_degree_sum() -> None:
    with pytest.raises(TopologyError, match="k=3 and 5 nodes"):
        k_regular(5, 3, seed=0)


def test_k_regular_rejects_k_out_of_range() -> None:
    with pytest.raises(TopologyError, match=r"k must be in 1..3, got 4"):
        k_regular(4, 4, seed=0)


def test_erdos_renyi_is_connected_and_seeded() -> None:
    first = erdos_renyi(16, 0.25, seed=1)

    assert nx.is_connected(first.graph)
    assert edges(first) == edges(erdos_renyi(16, 0.25, seed=1))


def test_erdos_renyi_gives_up_after_bounded_attempts() -> None:
    with pytest.raises(TopologyError, match=r"no connected graph in 3 draw\(s\)"):
        erdos_renyi(30, 0.01, seed=0, max_attempts=3)


def test_small_world_is_connected_with_mean_degree_k() -> None:
    topology = small_world(16, 4, 0.2, seed=5)

    assert nx.is_connected(topology.graph)
    assert sum(degrees(topology)) == 16 * 4


def test_make_topology_derives_seed_from_run_seed() -> None:
    config = load_config(
        {"schema": "decentralized", "topology": {"kind": "k_regular", "k": 4}}
    )
    run_a = make_topology(config.topology, 10, run_seed=0)
    run_b = make_topology(config.topology, 10, run_seed=0)

    assert edges(run_a) == edges(run_b)


def test_make_topology_custom_csv_counts_nodes(tmp_path: Path) -> None:
    path = tmp_path / "tri.csv"
    path.write_text("0,1,1\n1,0,1\n1,1,0\n")
    config = load_config(
        {"schema": "decentralized", "topology": {"kind": "custom", "path": str(path)}}
    )

    assert make_topology(config.topology, 3, run_seed=0).num_nodes == 3
    with pytest.raises(TopologyError, match=r"3 row\(s\) but nodes.count=4"):
        make_topology(config.topology, 4, run_seed=0)


def test_config_rejects_option_of_another_kind() -> None:
    with pytest.raises(ConfigError, match=r"topology.p: unknown key \(got 0.5\)"):
        load_config({"schema": "decentralized", "topology": {"kind": "ring", "p": 0.5}})


def test_config_client_server_needs_star() -> None:
    with pytest.raises(ConfigError, match="client_server schema needs 'star'"):
        load_config({"topology": {"kind": "mesh"}})


def test_config_matrix_mixing_needs_path() -> None:
    with pytest.raises(ConfigError, match=r"gossip\.matrix_path"):
        load_config({"schema": "decentralized", "gossip": {"mixing": "matrix"}})
