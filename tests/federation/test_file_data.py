"""A federation trained on data read from a file, split by its group column."""

from __future__ import annotations

import json

import pytest
from file_formats import write_npz

import redfl

pytestmark = pytest.mark.usefixtures("ray_cluster")


def test_npz_groups_train_one_node_each(tmp_path) -> None:
    path = write_npz(tmp_path / "sites.npz", rows=90, groups=3)
    config = {
        "name": "npz-sites",
        "rounds": 3,
        "nodes": {"count": 3, "roles": ["train", "eval"]},
        "learner": {"local_epochs": 2, "lr": 0.1},
        "model": {"name": "mlp", "kwargs": {"hidden": [8]}},
        "data": {
            "dataset": "npz",
            "path": str(path),
            "group_column": "site",
            "partition": {"kind": "group"},
        },
        "output": {"plots": False},
    }

    history = redfl.Federation.from_config(
        config, out_dir=tmp_path / "run", progress=False
    ).train()

    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert history.records[-1]["fit_nodes"] == [0, 1, 2]
    assert history.last("test_accuracy") > 0.7
