"""End-to-end clustered federations on planted groups (session Ray instance)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import redfl
from redfl.errors import ConfigError
from redfl.parameters import Parameters

pytestmark = pytest.mark.usefixtures("ray_cluster")

PLANTED = {"dataset": "rotated_digits", "groups": 2, "partition": {"kind": "iid"}}


def clustered(small_config: Any, algorithm: str, **sections: Any) -> dict[str, Any]:
    """Return a 4-node, 2-group clustered federation (nodes 0-1 and 2-3)."""
    settings = {"algorithm": algorithm, "k": 2, **sections.pop("clustering", {})}
    defaults: dict[str, Any] = {
        "schema": "clustered",
        "rounds": 2,
        "data": PLANTED,
        "learner": {"local_epochs": 3},
        "clustering": settings,
        "resources": {"workers": 1},
    }
    return small_config(**{**defaults, **sections})


def train(config: dict[str, Any], out_dir: Any) -> redfl.FederatedBase:
    federation = redfl.Federation.from_config(config, out_dir=out_dir, progress=False)
    federation.train()
    return federation


def test_ifca_recovers_two_planted_groups_and_writes_them(
    small_config, tmp_path
) -> None:
    config = clustered(small_config, "ifca", output={"plots": True})

    federation = train(config, tmp_path)

    records = [json.loads(x) for x in (tmp_path / "history.jsonl").open()]
    summary = json.loads((tmp_path / "summary.json").read_text())
    final = records[-1]["cluster_assignment"]
    assert final["0"] == final["1"] != final["2"] == final["3"]
    assert summary["adjusted_rand_index"] == 1.0
    assert summary["final_assignment"] == final
    assert summary["planted_groups"] == {"0": 0, "1": 0, "2": 1, "3": 1}
    assert set(summary["cluster_test_accuracy"]) == {"0", "1"}
    assert summary["final_test_accuracy"] > 0.5
    assert all(len(v) == 2 for v in records[0]["cluster_losses"].values())
    assert (tmp_path / "clusters.png").stat().st_size > 0
    saved = [Parameters.load(tmp_path / "clusters" / f"model_{c}.npz") for c in (0, 1)]
    assert all(s.equals(m) for s, m in zip(saved, federation.models, strict=True))  # type: ignore[attr-defined]


def test_same_seed_gives_the_same_assignments(small_config, tmp_path) -> None:
    config = clustered(small_config, "ifca", clustering={"init": "random"})

    first = train(config, tmp_path / "a").history
    again = train(config, tmp_path / "b").history

    assert first.series("cluster_assignment") == again.series("cluster_assignment")
    assert first.metrics() == again.metrics()


def test_cfl_splits_a_cluster_when_the_thresholds_say_so(
    small_config, tmp_path
) -> None:
    config = clustered(small_config, "cfl", clustering={"eps1": 100, "eps2": 1e-6})

    history = train(config, tmp_path).history

    first = next(iter(history))
    assert first["splits"] and first["splits"][0]["cluster"] == 0
    assert first["num_clusters"] == 2
    assert set(first["update_norms"]) == {"0"}
    assert list(history)[-1]["num_clusters"] == 2  # k caps the splits


def test_cfl_with_unreachable_thresholds_stays_one_cluster(
    small_config, tmp_path
) -> None:
    config = clustered(small_config, "cfl", clustering={"eps1": 1e-9})

    history = train(config, tmp_path).history

    assert history.series("num_clusters") == [1, 1]
    assert list(history)[-1]["unchanged_clusters"] == {}


def test_data_driven_clusters_label_skew_before_training(
    small_config, tmp_path
) -> None:
    config = clustered(
        small_config,
        "data_driven",
        data={**PLANTED, "partition": {"kind": "shards", "labels_per_node": 2}},
    )

    history = train(config, tmp_path).history

    assignments = history.series("cluster_assignment")
    assert assignments[0] == assignments[-1]
    assert sorted(set(assignments[0].values())) == [0, 1]


@pytest.mark.parametrize(
    ("clustering", "expected"),
    [
        ({"k": 0}, r"clustering.k: .*greater than or equal to 1.*\(got 0\)"),
        ({"k": 5}, "clustering.k=5 exceeds nodes.count=4"),
        ({"algorithm": "kmeans"}, "clustering.algorithm: .*got 'kmeans'"),
        ({"eps1": -1}, r"clustering.eps1: .*\(got -1\)"),
    ],
)
def test_bad_clustering_names_key_and_value(
    small_config, clustering: dict[str, Any], expected: str
) -> None:
    config = small_config(schema="clustered", clustering=clustering)

    with pytest.raises(ConfigError, match=expected):
        redfl.load_config(config)
