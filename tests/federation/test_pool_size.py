"""Results do not depend on how many workers run the nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import redfl

pytestmark = pytest.mark.ray


def run(config: dict[str, Any], out: Path, resources: dict[str, Any]) -> Any:
    federation = redfl.Federation.from_config(
        {**config, "resources": resources}, out_dir=out, progress=False
    )
    history = federation.train()
    assert federation.parameters is not None

    return federation.parameters.checksum(), history.series("node_train_loss")


def test_pool_size_does_not_change_results(
    ray_cluster: None, small_config: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    config = small_config(
        nodes={"count": 8, "roles": ["train"]},
        sampling={"fraction_fit": 0.5},
        learner={
            "local_epochs": 1,
            "momentum": 0.9,
            "keep_optimizer_state": True,
        },
        evaluation={"federated": False},
        output={"plots": False, "checkpoint": False},
    )
    sizes = {
        "1": {"workers": 1, "cpus": 2},
        "2": {"workers": 2, "cpus": 2},
        "4": {"workers": 4, "cpus": 2, "max_nodes_per_worker": 1},
        "spilled": {"workers": 2, "cpus": 2, "state_memory_mb": 0.01},
    }

    results = {name: run(config, tmp_path / name, r) for name, r in sizes.items()}

    assert results["1"] == results["2"] == results["4"] == results["spilled"]
    summary = json.loads((tmp_path / "spilled" / "summary.json").read_text())
    assert summary["node_state_spills"] > 0
    assert not (tmp_path / "spilled" / "node_states").exists()


def test_optimizer_state_changes_training(
    ray_cluster: None, small_config: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    config = small_config(
        learner={"local_epochs": 1, "momentum": 0.9},
        evaluation={"federated": False},
        output={"plots": False, "checkpoint": False},
    )
    fresh = run(config, tmp_path / "fresh", {"workers": 2})
    kept_config = {
        **config,
        "learner": {**config["learner"], "keep_optimizer_state": True},
    }

    kept = run(kept_config, tmp_path / "kept", {"workers": 2})

    assert fresh[1][0] == kept[1][0]
    assert fresh[0] != kept[0]
