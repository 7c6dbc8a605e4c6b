"""The decentralized schema end to end on a shared Ray instance."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from redfl.errors import TopologyError
from redfl.federation import DecentralizedFederation, Federation
from redfl.results.history import History

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_cluster")]

MODEL_BYTES = (64 * 16 + 16 + 16 * 10 + 10) * 4


def config(**sections: Any) -> dict[str, Any]:
    """Return a small, fast decentralized run with ``sections`` merged in."""
    base: dict[str, Any] = {
        "name": "test-gossip",
        "seed": 0,
        "rounds": 2,
        "schema": "decentralized",
        "data": {"partition": {"kind": "iid"}},
        "nodes": {"count": 4, "roles": ["train", "test"]},
        "model": {"name": "mlp", "kwargs": {"hidden": [16]}},
        "learner": {"local_epochs": 1, "batch_size": 32},
        "topology": {"kind": "ring"},
        "resources": {"workers": 2},
        "output": {"plots": False},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def run(tmp_path: Path, **sections: Any) -> History:
    federation = Federation.from_config(
        config(**sections), out_dir=tmp_path, progress=False
    )
    assert isinstance(federation, DecentralizedFederation)
    return federation.train()


def read_edges(path: Path) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    with open(path / "edges.csv", newline="") as file:
        for row in csv.DictReader(file):
            totals[int(row["round"])] += int(row["bytes"])
    return dict(totals)


def test_two_node_ring_runs_and_agrees_with_edges_csv(tmp_path: Path) -> None:
    history = run(tmp_path, nodes={"count": 2}, gossip={"steps": 2})

    records = list(history)
    assert [r["round"] for r in records] == [1, 2]
    for record in records:
        assert record["fit_nodes"] == [0, 1] and record["failed_nodes"] == []
        assert record["bytes_sent"] == 2 * 2 * MODEL_BYTES
        assert 0.0 <= record["test_accuracy_min"] <= record["test_accuracy"]
        assert record["test_accuracy"] <= record["test_accuracy_max"] <= 1.0
        assert record["consensus_distance"] >= 0.0
    assert read_edges(tmp_path) == {r["round"]: r["bytes_sent"] for r in records}
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["final_mean_test_accuracy"] == records[-1]["test_accuracy"]
    assert summary["final_consensus_distance"] == records[-1]["consensus_distance"]
    assert (tmp_path / "model.npz").exists()


def test_uniform_mesh_reaches_exact_consensus_each_round(tmp_path: Path) -> None:
    history = run(tmp_path, topology={"kind": "mesh"}, gossip={"mixing": "uniform"})

    for record in history:
        assert record["consensus_distance"] == pytest.approx(0.0, abs=1e-6)
        assert record["test_accuracy_min"] == record["test_accuracy_max"]
        assert record["bytes_sent"] == 4 * 3 * MODEL_BYTES


def test_results_do_not_depend_on_worker_count(tmp_path: Path) -> None:
    one = run(tmp_path / "one", resources={"workers": 1, "cpus": 1})
    two = run(tmp_path / "two", resources={"workers": 2, "cpus": 2})

    assert one.metrics() == two.metrics()


def test_line_converges(tmp_path: Path) -> None:
    history = run(
        tmp_path,
        rounds=8,
        nodes={"count": 6},
        topology={"kind": "line"},
        learner={"local_epochs": 2, "batch_size": 16},
        gossip={"steps": 2},
    )

    accuracy = history.series("test_accuracy")
    distance = history.series("consensus_distance")
    last = list(history)[-1]
    assert accuracy[-1] > 0.8 > accuracy[0]
    assert last["test_accuracy_max"] - last["test_accuracy_min"] < 0.1
    assert distance[-1] - distance[-2] < distance[1] - distance[0]
    assert history.series("bytes_sent") == [2 * 5 * 2 * MODEL_BYTES] * 8


def test_sampling_keeps_inactive_nodes_silent(tmp_path: Path) -> None:
    history = run(
        tmp_path,
        topology={"kind": "mesh"},
        sampling={"fraction_fit": 0.5, "min_fit_nodes": 2},
    )

    for record in history:
        active = record["fit_nodes"]
        assert len(active) == 2
        assert record["bytes_sent"] == 2 * MODEL_BYTES
    assert read_edges(tmp_path) == {r["round"]: r["bytes_sent"] for r in history}


def test_single_node_federation_runs(tmp_path: Path) -> None:
    history = run(tmp_path, nodes={"count": 1}, resources={"workers": 1})

    assert history.series("bytes_sent") == [0, 0]
    assert history.series("consensus_distance") == [0.0, 0.0]


def test_topology_node_count_is_checked_before_work(tmp_path: Path) -> None:
    matrix = tmp_path / "three.csv"
    matrix.write_text("0,1,1\n1,0,1\n1,1,0\n")

    with pytest.raises(TopologyError, match=r"3 row\(s\) but nodes.count=4"):
        run(tmp_path / "out", topology={"kind": "custom", "path": str(matrix)})
    assert not (tmp_path / "out" / "history.jsonl").exists()


def test_node_whose_worker_died_resumes_from_its_own_last_model(
    tmp_path: Path,
) -> None:
    # Worker 1 hosts nodes 1 and 3. Killing it in round 3 must leave them
    # where failing in place leaves them: on their round-2 models.
    def faults(kind: str) -> list[dict[str, Any]]:
        return [{"node": n, "round": 3, "kind": kind} for n in (1, 3)]

    killed = run(tmp_path / "killed", rounds=4, faults=faults("kill"))
    raised = run(tmp_path / "raised", rounds=4, faults=faults("raise"))

    assert [r["failed_nodes"] for r in killed] == [[], [], [1, 3], []]
    assert killed.records[2]["failures"][0]["error"] == "ActorDiedError"
    for died, failed in zip(killed.records[2:], raised.records[2:], strict=True):
        assert died["node_test_accuracy"] == failed["node_test_accuracy"]
        assert died["node_train_loss"] == failed["node_train_loss"]
    distances = [h.records[3]["consensus_distance"] for h in (killed, raised)]
    assert distances[0] == distances[1]
