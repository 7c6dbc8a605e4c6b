"""The example configurations validate and build their topologies."""

from __future__ import annotations

from pathlib import Path

import pytest

from redfl.config import load_config
from redfl.topology.describe import describe_topology

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["ring", "mesh", "k_regular", "custom_csv"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_builds_a_connected_topology(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    config = load_config(ROOT / "examples" / f"{name}.yaml")

    info = describe_topology(config)

    assert config.schema_ == "decentralized"
    assert info["nodes"] == config.nodes.count == 16
    assert info["spectral_gap"] > 0
