"""An attack configured in YAML runs end to end and is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import redfl

pytestmark = pytest.mark.ray


@pytest.mark.usefixtures("ray_cluster")
def test_attack_config_runs_and_records_attacked_nodes(tmp_path: Path) -> None:
    config = {
        "rounds": 2,
        "nodes": {"count": 5},
        "data": {"partition": {"kind": "iid"}},
        "learner": {"local_epochs": 1},
        "strategy": {"name": "krum", "options": {"f": 1}},
        "attack": {"kind": "sign_flip", "nodes": [3], "start_round": 2},
        "resources": {"workers": 2},
        "evaluation": {"federated": False},
        "output": {"plots": False},
    }

    history = redfl.Federation.from_config(
        config, out_dir=tmp_path, progress=False
    ).train()

    assert history.series("attacked_nodes") == [[], [3]]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["attack"]["kind"] == "sign_flip"
    assert summary["attack"]["nodes"] == [3]
    assert history.last("test_accuracy") is not None
