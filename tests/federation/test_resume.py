"""Checkpoints and resume: a stopped run continues to the same metrics."""

import json
import os
import signal
import subprocess
import sys

import pytest

import redfl
from redfl.cli import main
from redfl.errors import CheckpointError
from redfl.federation import resume
from redfl.parameters import Parameters
from redfl.results.checkpoint import load_checkpoint

pytestmark = pytest.mark.usefixtures("ray_cluster")


def train(config, out_dir) -> redfl.History:
    return redfl.Federation.from_config(config, out_dir=out_dir, progress=False).train()


def metrics_of(run_dir) -> list[dict]:
    return redfl.History.read(run_dir / "history.jsonl").metrics()


@pytest.mark.parametrize(
    "extra",
    [
        {"strategy": {"name": "fedadam", "options": {"eta": 0.03}}},
        {
            "schema": "decentralized",
            "topology": {"kind": "ring"},
            "nodes": {"count": 4, "roles": ["train", "test"]},
        },
    ],
    ids=["fedadam", "gossip-ring"],
)
def test_stop_and_resume_equals_an_uninterrupted_run(
    small_config, tmp_path, extra
) -> None:
    config = small_config(rounds=5, **extra)
    train(config, tmp_path / "whole")
    train(dict(config, rounds=2), tmp_path / "parts")

    resume(tmp_path / "parts", ["rounds=5"], progress=False).train()

    assert metrics_of(tmp_path / "parts") == metrics_of(tmp_path / "whole")
    whole = Parameters.load(tmp_path / "whole" / "model.npz")
    assert Parameters.load(tmp_path / "parts" / "model.npz").equals(whole)
    summary = json.loads((tmp_path / "parts" / "summary.json").read_text())
    assert summary["resumed_after_round"] == 2 and summary["rounds"] == 5


def test_sigkilled_driver_resumes_to_identical_metrics(tmp_path) -> None:
    sets = ["rounds=8", "nodes.count=4", "learner.local_epochs=1"]
    killed = tmp_path / "killed"
    command = [sys.executable, "-m", "redfl", "run", "--out", str(killed)]
    process = subprocess.Popen(
        command + [x for s in sets for x in ("--set", s)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.split()[:2] == ["round", "4/8"]:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=30)
    stopped_at = load_checkpoint(killed).round_num

    resume(killed, progress=False).train()
    train(redfl.load_config(None, sets), tmp_path / "whole")

    assert process.returncode == -signal.SIGKILL
    assert 4 <= stopped_at < 8
    assert metrics_of(killed) == metrics_of(tmp_path / "whole")


def test_resume_drops_rounds_written_after_the_checkpoint(
    small_config, tmp_path
) -> None:
    train(small_config(rounds=2), tmp_path)
    with open(tmp_path / "history.jsonl", "a") as file:
        file.write('{"round": 3, "test_accuracy": 0.1}\n{"round": 4, "te')

    history = resume(tmp_path, ["rounds=3"], progress=False).train()

    assert [r["round"] for r in history] == [1, 2, 3]
    assert history.records[2]["test_accuracy"] != 0.1


def test_resume_without_checkpoint_is_a_clear_error(tmp_path, capsys) -> None:
    with pytest.raises(CheckpointError, match=r"no checkpoint\.pkl"):
        resume(tmp_path)

    assert main(["resume", str(tmp_path)]) == 2
    assert "no checkpoint.pkl" in capsys.readouterr().err


def test_resume_cannot_shorten_a_run(small_config, tmp_path) -> None:
    train(small_config(rounds=3), tmp_path)

    with pytest.raises(redfl.ConfigError, match="rounds=2 is below the 3 rounds"):
        resume(tmp_path, ["rounds=2"])


@pytest.mark.parametrize(
    "clustering",
    [
        {"algorithm": "ifca", "k": 2},
        {"algorithm": "cfl", "k": 2, "eps1": 100.0, "eps2": 1e-6},
    ],
    ids=["ifca", "cfl-splits"],
)
def test_clustered_run_resumes_to_the_same_clusters_and_metrics(
    small_config, tmp_path, clustering
) -> None:
    config = small_config(
        schema="clustered",
        rounds=4,
        data={"dataset": "rotated_digits", "groups": 2, "partition": {"kind": "iid"}},
        clustering=clustering,
        strategy={"name": "fedavgm", "options": {"momentum": 0.5}},
    )
    train(config, tmp_path / "whole")
    train(dict(config, rounds=2), tmp_path / "parts")

    resume(tmp_path / "parts", ["rounds=4"], progress=False).train()

    whole, parts = metrics_of(tmp_path / "whole"), metrics_of(tmp_path / "parts")
    assert parts == whole
    assert max(r["num_clusters"] for r in whole) == 2
    for cluster in (0, 1):
        name = f"clusters/model_{cluster}.npz"
        saved = Parameters.load(tmp_path / "parts" / name)
        assert saved.equals(Parameters.load(tmp_path / "whole" / name))
