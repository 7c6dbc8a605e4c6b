"""The ``redfl`` command: exit codes, one-line errors, and real runs."""

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from redfl.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_validate_accepts_the_default(capsys) -> None:
    assert main(["validate"]) == 0
    assert "ok: digits-fedavg" in capsys.readouterr().out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_validates(example: Path) -> None:
    assert main(["validate", str(example)]) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["rounds=-1"], "rounds"),
        (["nodes.colour=red"], "nodes.colour: unknown key"),
        (["model.name=nowhere.module:f"], "module not found"),
        (["data.partition.alpha=0.001", "nodes.count=60"], "infeasible"),
        (["strategy.name=fedbogus"], "unknown strategy"),
    ],
)
def test_bad_config_exits_2_with_one_clear_line(overrides, message, capsys) -> None:
    argv = ["validate"] + [x for o in overrides for x in ("--set", o)]

    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2
    assert "configuration error" in err and message in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("ray_cluster")
def test_run_in_process_writes_results(tmp_path, capsys) -> None:
    sets = ["rounds=2", "nodes.count=3", "learner.local_epochs=1"]
    argv = ["run", "--out", str(tmp_path)] + [x for s in sets for x in ("--set", s)]

    assert main(argv) == 0

    out = capsys.readouterr().out
    assert re.search(r"round 2/2  acc 0\.\d{4}", out)
    assert f"results in {tmp_path}" in out.replace("\n", "")
    assert json.loads((tmp_path / "summary.json").read_text())["rounds"] == 2


@pytest.mark.usefixtures("ray_cluster")
def test_failed_run_exits_1(tmp_path, capsys) -> None:
    sets = [
        "rounds=2",
        "nodes.count=2",
        "sampling.min_fit_nodes=2",
        "learner.local_epochs=1",
        "faults=[{node: 0, round: 1, kind: raise}]",
    ]
    argv = ["run", "--out", str(tmp_path)] + [x for s in sets for x in ("--set", s)]

    assert main(argv) == 1
    assert "run failed: round 1" in capsys.readouterr().err


def test_redfl_run_as_a_new_process(tmp_path) -> None:
    sets = ["rounds=2", "nodes.count=3", "learner.local_epochs=1"]
    command = [sys.executable, "-m", "redfl", "run", "--quiet", "--out", str(tmp_path)]

    done = subprocess.run(
        command + [x for s in sets for x in ("--set", s)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "summary.json")
    for name in ("config.yaml", "history.jsonl", "summary.json", "model.npz"):
        assert (tmp_path / name).exists()


def test_ctrl_c_stops_cleanly_and_records_the_run(tmp_path) -> None:
    command = [
        sys.executable,
        "-m",
        "redfl",
        "run",
        "--out",
        str(tmp_path),
        "--set",
        "rounds=1000",
        "--set",
        "learner.local_epochs=1",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.split()[:2] == ["round", "3/1000"]:
            process.send_signal(signal.SIGINT)
            break

    _, err = process.communicate(timeout=60)

    assert process.returncode == 130
    assert "interrupted" in err
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert 3 <= summary["rounds"] < 1000
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    assert len(lines) == summary["rounds"]


def test_topology_command_prints_facts_and_draws(tmp_path, capsys) -> None:
    plot = tmp_path / "ring.png"
    argv = ["topology", "--set", "schema=decentralized", "--set", "topology.kind=ring"]

    code = main([*argv, "--set", "nodes.count=6", "--plot", str(plot)])

    out = capsys.readouterr().out
    assert code == 0
    assert "ring: 6 nodes, 6 edges" in out and "diameter 3" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.usefixtures("ray_cluster")
def test_out_folder_of_an_earlier_run_is_refused_unless_overwritten(
    tmp_path, capsys
) -> None:
    sets = ["rounds=1", "nodes.count=2", "learner.local_epochs=1"]
    argv = ["run", "--out", str(tmp_path)] + [x for s in sets for x in ("--set", s)]
    assert main(argv) == 0
    first = (tmp_path / "summary.json").read_text()

    refused = main(argv)

    assert refused == 2
    assert "already holds a run" in capsys.readouterr().err
    assert (tmp_path / "summary.json").read_text() == first
    assert main([*argv, "--overwrite"]) == 0


def test_out_path_that_is_a_file_is_a_one_line_error(tmp_path, capsys) -> None:
    target = tmp_path / "afile"
    target.write_text("")

    assert main(["run", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err


def test_validate_builds_the_topology(capsys) -> None:
    sets = ["schema=decentralized", "topology.kind=k_regular", "topology.k=3"]
    argv = ["validate", "--set", "nodes.count=15"]

    code = main(argv + [x for s in sets for x in ("--set", s)])

    assert code == 2
    assert "k * nodes must be even" in capsys.readouterr().err


def test_resume_takes_only_rounds(tmp_path, capsys) -> None:
    assert main(["resume", str(tmp_path / "missing")]) == 2
    assert "run folder not found" in capsys.readouterr().err

    assert main(["resume", str(tmp_path), "--set", "learner.lr=0.5"]) == 2
    assert "resume takes only rounds=N" in capsys.readouterr().err
