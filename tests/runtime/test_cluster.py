"""Red on a multi-node Ray cluster (three Ray nodes on this machine)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCENARIOS = Path(__file__).with_name("cluster_scenarios.py")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> dict[str, Any]:
    """Run every cluster scenario once, in a process of its own."""
    result = tmp_path_factory.mktemp("cluster") / "result.json"
    done = subprocess.run(
        [sys.executable, str(SCENARIOS), str(result)],
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome: dict[str, Any] = json.loads(result.read_text())
    return outcome


def test_strict_spread_puts_dedicated_nodes_on_different_ray_nodes(outcome) -> None:
    where = outcome["spread"]["ray_node_of_node"]

    assert len(where) == 2
    assert where["0"] != where["1"]


def test_custom_resource_routes_a_node_to_the_ray_node_that_has_it(outcome) -> None:
    assert outcome["labelled"]["ray_node_of_node"]["1"] == outcome["site_b"]
    assert outcome["labelled"]["cluster_resources"]["site_b"] == 1.0


@pytest.mark.parametrize(
    ("case", "message", "max_seconds"),
    [
        ("too_many", "needs 3 Ray nodes, one per bundle, and 2 can hold", 10),
        ("unknown", "needs 2 site_z in total", 10),
        ("unplaceable", "not placed within 3 s", 15),
    ],
)
def test_infeasible_requests_fail_within_a_bounded_time(
    outcome, case, message, max_seconds
) -> None:
    failure = outcome[case]

    assert failure["error"] is not None and message in failure["error"]
    assert "the cluster has 2 CPU" in failure["error"]
    assert failure["seconds"] < max_seconds


def test_losing_a_ray_node_mid_run_still_records_every_round(outcome) -> None:
    lossy = outcome["lossy"]
    rounds = [record["round"] for record in lossy["history"]]
    failed = [n for record in lossy["history"] for n in record["failed_nodes"]]
    where = lossy["summary"]["placement"]["ray_node_of_worker"]

    assert lossy["summary"]["status"] == "completed"
    assert rounds == [1, 2, 3, 4, 5, 6]
    assert failed, "the removed Ray node hosted a worker; its node must fail"
    assert lossy["history"][-1]["failed_nodes"] == []
    assert lossy["removed"] is not None
    assert lossy["removed"] not in where.values()
    assert len(where) == 2
