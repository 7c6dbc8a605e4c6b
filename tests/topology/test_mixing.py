"""Mixing matrices, parameter mixing and consensus distance (no Ray)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redfl.config import load_config
from redfl.errors import TopologyError
from redfl.parameters import Parameters
from redfl.topology import (
    check_mixing_matrix,
    k_regular,
    mesh,
    metropolis_hastings,
    restrict,
    ring,
    spectral_gap,
    star_topology,
    uniform_neighbour,
)
from redfl.topology.describe import (
    config_mixing_matrix,
    describe_topology,
    plot_topology,
)
from redfl.topology.generators import line
from redfl.topology.graph import from_adjacency
from redfl.topology.mixing import consensus_distance, mix_parameters

TOPOLOGIES = [
    pytest.param(ring(6), id="ring"),
    pytest.param(line(5), id="line"),
    pytest.param(star_topology(5), id="star"),
    pytest.param(k_regular(8, 3, seed=0), id="k_regular"),
    pytest.param(from_adjacency([[0, 2, 0], [2, 0, 0.5], [0, 0.5, 0]]), id="weighted"),
]


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_metropolis_hastings_is_doubly_stochastic_on_edges(topology) -> None:  # type: ignore[no-untyped-def]
    weights = metropolis_hastings(topology)

    check_mixing_matrix(weights, topology, doubly_stochastic=True)
    np.testing.assert_allclose(weights, weights.T)
    assert (np.diag(weights) > 0).all()


def test_uniform_is_row_stochastic_and_doubly_on_regular_graphs() -> None:
    star_weights = uniform_neighbour(star_topology(4))

    np.testing.assert_allclose(star_weights.sum(axis=1), 1.0)
    assert not np.allclose(star_weights.sum(axis=0), 1.0)
    check_mixing_matrix(uniform_neighbour(ring(5)), ring(5), doubly_stochastic=True)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        pytest.param(
            (0, 2, 0.1), r"weight 0.1 at row 0, column 2, but nodes 0", id="edge"
        ),
        pytest.param(
            (1, 1, -0.2), r"negative weight -0.2 at row 1, column 1", id="neg"
        ),
        pytest.param((3, 3, 0.9), r"row 3 sums to 1.56667, expected 1", id="row"),
    ],
)
def test_bad_mixing_matrix_is_named(
    change: tuple[int, int, float], pattern: str
) -> None:
    topology = ring(4)
    weights = uniform_neighbour(topology)
    row, col, value = change
    weights[row, col] = value

    with pytest.raises(TopologyError, match=pattern):
        check_mixing_matrix(weights, topology)


def test_row_stochastic_only_matrix_fails_column_check() -> None:
    topology = star_topology(4)

    with pytest.raises(TopologyError, match=r"column 0 sums to .*doubly stochastic"):
        check_mixing_matrix(uniform_neighbour(topology), topology)


def test_mixing_matrix_shape_is_checked() -> None:
    with pytest.raises(TopologyError, match=r"must be 4x4 .* got shape \(3, 3\)"):
        check_mixing_matrix(np.eye(3), ring(4))


def test_restrict_keeps_double_stochasticity_and_freezes_inactive() -> None:
    weights = metropolis_hastings(ring(6))

    kept = restrict(weights, [0, 1, 2, 4])

    np.testing.assert_allclose(kept.sum(axis=0), 1.0)
    np.testing.assert_allclose(kept.sum(axis=1), 1.0)
    assert kept[3, 3] == 1.0 and kept[5, 5] == 1.0
    assert kept[0, 5] == 0.0 and kept[0, 1] == weights[0, 1]


def model(value: float, step: int = 0) -> Parameters:
    return Parameters(
        {
            "w": np.full((2, 3), value, dtype=np.float32),
            "steps": np.array(step, dtype=np.int64),
        }
    )


def test_mix_parameters_weighs_floats_and_keeps_own_integers() -> None:
    mixed = mix_parameters([(0.25, model(4.0, 7)), (0.75, model(8.0, 9))], own=0)

    np.testing.assert_allclose(mixed["w"], 7.0)
    assert mixed["w"].dtype == np.float32
    assert int(mixed["steps"]) == 7


def test_mix_parameters_rejects_mismatched_layout() -> None:
    other = Parameters({"w": np.zeros((3, 2), dtype=np.float32)})

    with pytest.raises(TopologyError, match="model 1 has layout"):
        mix_parameters([(0.5, model(1.0)), (0.5, other)])


def test_consensus_distance_is_mean_distance_from_average() -> None:
    distance, mean = consensus_distance([model(0.0), model(2.0)])

    np.testing.assert_allclose(mean["w"], 1.0)
    assert distance == pytest.approx(np.sqrt(6.0))
    assert consensus_distance([model(3.0)] * 3)[0] == 0.0


def test_spectral_gap_orders_topologies() -> None:
    assert spectral_gap(uniform_neighbour(mesh(6))) == pytest.approx(1.0)
    assert spectral_gap(metropolis_hastings(ring(12))) < spectral_gap(
        metropolis_hastings(k_regular(12, 4, seed=0))
    )
    assert spectral_gap(metropolis_hastings(line(12))) < spectral_gap(
        metropolis_hastings(ring(12))
    )


def test_describe_and_plot_topology(tmp_path: Path) -> None:
    config = load_config(
        {"schema": "decentralized", "nodes": {"count": 8}, "topology": {"kind": "ring"}}
    )

    info = describe_topology(config)
    plot_topology(ring(8), tmp_path / "ring.png")

    assert info["nodes"] == 8 and info["edges"] == 8
    assert info["degree_min"] == info["degree_max"] == 2
    assert info["diameter"] == 4
    assert 0 < info["spectral_gap"] < 1
    assert (tmp_path / "ring.png").stat().st_size > 1000


def test_user_matrix_from_config_is_checked(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(
        "0.5,0.25,0,0.25\n0.25,0.5,0.25,0\n0,0.25,0.5,0.25\n0.25,0,0.25,0.5\n"
    )
    bad.write_text("0.5,0.5,0,0\n0.25,0.5,0.25,0\n0,0.25,0.5,0.25\n0.25,0,0.25,0.5\n")
    base = {
        "schema": "decentralized",
        "nodes": {"count": 4},
        "topology": {"kind": "ring"},
    }

    weights = config_mixing_matrix(
        load_config({**base, "gossip": {"mixing": "matrix", "matrix_path": str(good)}}),
        ring(4),
    )
    with pytest.raises(
        TopologyError,
        match=r"column 1 sums to 1.25, expected 1 \(the matrix must be doubly",
    ):
        config_mixing_matrix(
            load_config(
                {**base, "gossip": {"mixing": "matrix", "matrix_path": str(bad)}}
            ),
            ring(4),
        )

    assert weights[0, 1] == 0.25
