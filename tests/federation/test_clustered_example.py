"""The clustered example validates as shipped."""

from __future__ import annotations

from pathlib import Path

from redfl.config import load_config

ROOT = Path(__file__).resolve().parents[2]


def test_clustered_example_describes_ifca_on_rotated_digits() -> None:
    config = load_config(ROOT / "examples" / "clustered_ifca.yaml")

    assert config.schema_ == "clustered"
    assert config.clustering.algorithm == "ifca"
    assert config.clustering.k == config.data.planted_groups() == 4
    assert config.nodes.count == 20
