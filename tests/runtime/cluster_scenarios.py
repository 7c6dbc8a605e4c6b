"""Run federations on a local multi-node Ray cluster; write what happened as JSON.

    python tests/runtime/cluster_scenarios.py RESULT.json


Started by tests/runtime/test_cluster.py in its own process, because the test
session already holds a single-node Ray instance. Three Ray nodes run on this
machine (``ray.cluster_utils.Cluster``): a head without CPUs and two nodes of
one CPU each, the second also labelled with the custom resource ``site_b``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import ray._private.state as ray_state
from ray.cluster_utils import Cluster

import redfl
from redfl.errors import PlacementError

BASE: dict[str, Any] = {
    "rounds": 2,
    "nodes": {"count": 2, "roles": ["train"]},
    "learner": {"local_epochs": 1},
    "data": {"partition": {"kind": "iid"}},
    "evaluation": {"federated": False},
    "output": {"plots": False},
}


def run(config: dict[str, Any], address: str, out: Path) -> dict[str, Any]:
    """Train ``config`` on the cluster and return its summary."""
    config = {**config, "ray": {"address": address}}
    federation = redfl.Federation.from_config(config, out_dir=out, progress=False)
    federation.train()
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text())
    return summary


def failure(config: dict[str, Any], address: str, out: Path) -> dict[str, Any]:
    """Train ``config`` expecting a placement error; return message and time."""
    start = time.perf_counter()
    try:
        run(config, address, out)
    except PlacementError as exc:
        return {"error": str(exc), "seconds": time.perf_counter() - start}
    return {"error": None, "seconds": time.perf_counter() - start}


def wait_for_rounds(path: Path, rounds: int) -> None:
    """Return once ``path`` records ``rounds`` rounds (or after two minutes)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= rounds:
            return
        time.sleep(0.05)


def remove_a_worker_node(path: Path, cluster: Cluster, removed: list[str]) -> None:
    """Once round 2 is recorded, remove the Ray node that hosts a live worker.

    Both workers are busy in round 3 (their nodes sleep there), so the worker
    on the removed machine dies in the middle of its call.
    """
    wait_for_rounds(path, 2)
    hosting = {
        actor["Address"]["NodeID"]
        for actor in ray_state.actors().values()
        if actor["ActorClassName"] == "NodeHost" and actor["State"] == "ALIVE"
    }
    for node in cluster.list_all_nodes():
        if node.node_id in hosting and not node.head:
            cluster.remove_node(node, allow_graceful=False)
            removed.append(node.node_id)
            return


def main() -> None:
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    first = cluster.add_node(num_cpus=1)
    site_b = cluster.add_node(num_cpus=1, resources={"site_b": 1})
    cluster.wait_for_nodes()
    address = cluster.address
    results: dict[str, Any] = {"first": first.node_id, "site_b": site_b.node_id}
    dedicated = {"hosting": "dedicated", "cpus": 2, "placement_timeout_s": 20}

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spread = {
            **BASE,
            "resources": {**dedicated, "placement_strategy": "STRICT_SPREAD"},
        }
        results["spread"] = run(spread, address, root / "spread")["placement"]

        labelled = {
            **BASE,
            "resources": {
                **dedicated,
                "cpus": 1,
                "per_node": {1: {"cpus": 0.5, "custom": {"site_b": 1}}},
            },
        }
        results["labelled"] = run(labelled, address, root / "labelled")["placement"]

        too_many = {
            **BASE,
            "nodes": {"count": 3},
            "resources": {**dedicated, "placement_strategy": "STRICT_SPREAD"},
        }
        results["too_many"] = failure(too_many, address, root / "too_many")
        unknown = {**BASE, "resources": {**dedicated, "custom": {"site_z": 1}}}
        results["unknown"] = failure(unknown, address, root / "unknown")
        # Two bundles of one CPU fit the cluster, but no Ray node holds both.
        unplaceable = {
            **BASE,
            "resources": {
                "hosting": "dedicated",
                "cpus": 2,
                "placement_strategy": "STRICT_PACK",
                "placement_timeout_s": 3,
            },
        }
        results["unplaceable"] = failure(unplaceable, address, root / "unplaceable")

        lossy = {
            **BASE,
            "rounds": 6,
            "round_timeout_s": 60,
            "faults": [
                {"node": n, "round": 3, "kind": "sleep", "seconds": 15} for n in (0, 1)
            ],
            "resources": {"workers": 2, "cpus": 2, "worker_start_timeout_s": 120},
        }
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        history = root / "lossy" / "history.jsonl"
        removed: list[str] = []
        remover = threading.Thread(
            target=remove_a_worker_node,
            args=(history, cluster, removed),
            daemon=True,
        )
        remover.start()
        summary = run(lossy, address, root / "lossy")
        remover.join(timeout=5)
        results["lossy"] = {
            "summary": summary,
            "history": [json.loads(x) for x in history.read_text().splitlines()],
            "removed": removed[0] if removed else None,
        }

    cluster.shutdown()
    Path(sys.argv[1]).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
