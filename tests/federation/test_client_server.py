"""End-to-end client-server federations on the session's Ray instance."""

import json
from typing import Any

import numpy as np
import pytest

import redfl
from redfl.cli import main
from redfl.errors import PlacementError, RoundError
from redfl.federation.setup import initial_parameters
from redfl.parameters import Parameters

pytestmark = pytest.mark.usefixtures("ray_cluster")

HISTORY_KEYS = {
    "round",
    "fit_nodes",
    "failed_nodes",
    "train_loss",
    "test_loss",
    "test_accuracy",
    "bytes_sent",
    "duration_s",
}


def train(config: dict[str, Any], out_dir) -> redfl.History:
    federation = redfl.Federation.from_config(config, out_dir=out_dir, progress=False)
    return federation.train()


def test_run_writes_the_results_contract(small_config, tmp_path) -> None:
    config = small_config(output={"plots": True})

    history = train(config, tmp_path)

    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [r["round"] for r in records] == [1, 2, 3]
    assert all(set(r) >= HISTORY_KEYS for r in records)
    assert records[-1]["fit_nodes"] == [0, 1, 2, 3]
    assert summary["status"] == "completed"
    assert summary["final_test_accuracy"] == history.last("test_accuracy")
    assert {"rounds", "wall_s", "seed"} <= set(summary)
    assert (tmp_path / "accuracy.png").stat().st_size > 0
    assert (tmp_path / "config.yaml").exists()
    model = Parameters.load(tmp_path / "model.npz")
    initial = initial_parameters(redfl.load_config(config))
    assert model.signature() == initial.signature()
    assert not model.equals(initial)


def test_bytes_sent_counts_parameters_both_ways(small_config, tmp_path) -> None:
    config = small_config(evaluation={"federated": False})

    history = train(config, tmp_path)

    model = Parameters.load(tmp_path / "model.npz")
    assert history.series("bytes_sent") == [2 * 4 * model.nbytes] * 3
    edges = (tmp_path / "edges.csv").read_text().splitlines()[1:]
    per_round = sum(int(row.split(",")[4]) for row in edges if row.startswith("1,"))
    assert per_round == history.series("bytes_sent")[0]


def test_training_learns_digits(small_config, tmp_path) -> None:
    config = small_config(rounds=5, learner={"local_epochs": 2})

    history = train(config, tmp_path)

    accuracy = history.series("test_accuracy")
    assert accuracy[-1] > 0.85
    assert accuracy[-1] > accuracy[0]


def test_same_seed_gives_identical_metrics_across_runs_and_workers(
    small_config, tmp_path
) -> None:
    config = small_config(data={"partition": {"kind": "dirichlet", "alpha": 0.5}})
    one = dict(config, resources={"workers": 1})
    two = dict(config, resources={"workers": 2})

    first = train(two, tmp_path / "a")
    again = train(two, tmp_path / "b")
    single = train(one, tmp_path / "c")

    assert first.metrics() == again.metrics() == single.metrics()
    models = [Parameters.load(tmp_path / d / "model.npz") for d in "abc"]
    assert models[0].equals(models[1]) and models[0].equals(models[2])


def test_different_seeds_give_different_results(small_config, tmp_path) -> None:
    first = train(small_config(seed=1), tmp_path / "a")
    second = train(small_config(seed=2), tmp_path / "b")

    assert first.series("train_loss") != second.series("train_loss")


def test_sampling_selects_the_seeded_fraction(small_config, tmp_path) -> None:
    config = small_config(
        nodes={"count": 8}, sampling={"fraction_fit": 0.25, "min_fit_nodes": 2}
    )

    history = train(config, tmp_path)

    sampled = history.series("sampled_nodes")
    assert all(len(s) == 2 for s in sampled)
    assert len({tuple(s) for s in sampled}) > 1


@pytest.mark.parametrize("kind", ["raise", "nan", "wrong_shape"])
def test_faulty_node_is_recorded_and_left_out(small_config, tmp_path, kind) -> None:
    config = small_config(faults=[{"node": 2, "round": 2, "kind": kind}])

    history = train(config, tmp_path)

    second = history.records[1]
    assert second["failed_nodes"] == [2]
    assert second["fit_nodes"] == [0, 1, 3]
    assert history.records[2]["fit_nodes"] == [0, 1, 2, 3]
    failures = [json.loads(x) for x in (tmp_path / "failures.jsonl").open()]
    assert failures[0]["round"] == 2 and failures[0]["node"] == 2
    assert np.isfinite(history.series("test_loss")).all()


def test_killed_worker_fails_its_nodes_then_is_rebuilt(small_config, tmp_path) -> None:
    config = small_config(
        resources={"workers": 2}, faults=[{"node": 1, "round": 2, "kind": "kill"}]
    )

    history = train(config, tmp_path)

    # Node 1 lives on worker 1 with node 3: both are lost in round 2.
    assert history.records[1]["failed_nodes"] == [1, 3]
    assert history.records[2]["fit_nodes"] == [0, 1, 2, 3]
    assert history.records[1]["failures"][0]["error"] == "ActorDiedError"


def test_straggler_past_the_deadline_is_dropped(small_config, tmp_path) -> None:
    config = small_config(
        round_timeout_s=3.0,
        resources={"workers": 2},
        faults=[{"node": 0, "round": 2, "kind": "sleep", "seconds": 30}],
    )

    history = train(config, tmp_path)

    assert history.records[1]["failed_nodes"] == [0, 2]
    assert history.records[1]["failures"][0]["error"] == "RoundTimeout"
    assert history.records[2]["fit_nodes"] == [0, 1, 2, 3]


def test_too_few_results_stop_the_run_naming_round_and_nodes(
    small_config, tmp_path
) -> None:
    config = small_config(
        sampling={"min_fit_nodes": 4},
        faults=[{"node": 3, "round": 2, "kind": "raise"}],
    )

    with pytest.raises(RoundError, match=r"round 2: .*node 3: InjectedFault"):
        train(config, tmp_path)

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert summary["rounds"] == 1
    assert "round 2" in summary["error"]
    assert "failures.jsonl" in summary["error"]
    failures = [json.loads(x) for x in (tmp_path / "failures.jsonl").open()]
    assert [(f["round"], f["node"], f["error"]) for f in failures] == [
        (2, 3, "InjectedFault")
    ]
    assert "Traceback" in failures[0]["traceback"]


def test_run_whose_first_round_fails_leaves_a_readable_run_folder(
    small_config, tmp_path, capsys
) -> None:
    config = small_config(
        sampling={"min_fit_nodes": 4},
        faults=[{"node": n, "round": 1, "kind": "raise"} for n in range(4)],
    )

    with pytest.raises(RoundError, match="round 1: 0 usable"):
        train(config, tmp_path)

    assert (tmp_path / "history.jsonl").read_text() == ""
    assert len((tmp_path / "failures.jsonl").read_text().splitlines()) == 4
    assert main(["compare", str(tmp_path)]) == 0
    assert "failed" in capsys.readouterr().out


def test_unplaceable_resources_fail_fast(small_config, tmp_path) -> None:
    config = small_config(
        resources={"workers": 2, "placement_strategy": "STRICT_SPREAD"}
    )

    with pytest.raises(PlacementError, match="needs 2 Ray nodes"):
        train(config, tmp_path)


def test_placement_wait_is_bounded(small_config, tmp_path) -> None:
    config = small_config(
        resources={"workers": 2, "cpus": 2.0, "placement_timeout_s": 2.0}
    )
    import ray
    from ray.util.placement_group import placement_group, remove_placement_group

    blocker = placement_group([{"CPU": 1.5}])
    ray.get(blocker.ready())
    try:
        with pytest.raises(PlacementError, match="not placed within 2 s"):
            train(config, tmp_path)
    finally:
        remove_placement_group(blocker)


def test_user_model_by_import_path(small_config, tmp_path) -> None:
    config = small_config(
        rounds=1, model={"name": "redfl.models.zoo:logistic_regression", "kwargs": {}}
    )

    train(config, tmp_path)

    model = Parameters.load(tmp_path / "model.npz")
    assert [a.shape for a in model.values()] == [(10, 64), (10,)]


def test_test_role_reports_each_nodes_own_model(small_config, tmp_path) -> None:
    config = small_config(rounds=2, nodes={"count": 4, "roles": ["train", "test"]})

    history = train(config, tmp_path)

    local = history.series("local_test_accuracy")
    assert all(0.0 < a <= 1.0 for a in local)
    assert history.series("eval_accuracy") == [None, None]


def test_default_federation_reaches_094_on_digits(tmp_path) -> None:
    history = train({}, tmp_path)

    assert len(history) == 20
    assert history.last("test_accuracy") >= 0.94


def test_chaos_kills_the_chosen_nodes_workers_and_the_run_goes_on(
    small_config, tmp_path
) -> None:
    config = small_config(
        rounds=4,
        resources={"hosting": "dedicated"},
        chaos={"kill_fraction": 0.25, "start_round": 2},
    )

    history = train(config, tmp_path)

    assert history.records[0]["chaos_killed"] == []
    for record in history.records[1:]:
        assert len(record["chaos_killed"]) == 1
        assert record["failed_nodes"] == record["chaos_killed"]
        assert record["failures"][0]["error"] == "ActorDiedError"
        assert record["num_fit"] == 3
    assert np.isfinite(history.series("test_loss")).all()


def test_min_fit_fraction_counts_against_the_sampled_nodes(
    small_config, tmp_path
) -> None:
    faults = [{"node": 1, "round": 1, "kind": "raise"}]
    lenient = small_config(rounds=1, sampling={"min_fit_fraction": 0.75}, faults=faults)
    strict = small_config(rounds=1, sampling={"min_fit_fraction": 0.8}, faults=faults)

    history = train(lenient, tmp_path / "lenient")

    assert history.records[0]["num_fit"] == 3
    with pytest.raises(RoundError, match=r"3 usable result\(s\) of 4 .* 4 needed"):
        train(strict, tmp_path / "strict")
