"""Plots, run.log, TensorBoard scalars and `redfl compare` on finished runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from matplotlib import pyplot as plt

import redfl
from redfl.cli import main
from redfl.results.history import History
from redfl.results.plots import (
    plot_bytes,
    plot_loss,
    plot_node_accuracy,
    plot_runs,
)

matplotlib.use("Agg")

RECORDS = [
    {
        "round": 1,
        "train_loss": 1.2,
        "test_loss": 1.0,
        "test_accuracy": 0.5,
        "bytes_sent": 2_000_000,
        "node_eval_accuracy": {"0": 0.4, "1": 0.6},
    },
    {
        "round": 2,
        "train_loss": 0.8,
        "test_loss": 0.7,
        "test_accuracy": 0.7,
        "bytes_sent": 2_000_000,
        "node_eval_accuracy": {"0": 0.9, "1": 0.5, "2": 0.7},
    },
]


def gids(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Record the artist gids of every figure saved from now on."""
    saved: list[set[str]] = []
    original = matplotlib.figure.Figure.savefig

    def spy(figure: Any, *args: Any, **kwargs: Any) -> None:
        found = {a.get_gid() for a in figure.findobj() if a.get_gid()}
        saved.append(found)
        original(figure, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    return saved


def test_loss_bytes_and_node_plots_hold_their_series(tmp_path, monkeypatch) -> None:
    saved = gids(monkeypatch)
    history = History(RECORDS)

    assert plot_loss(history, tmp_path / "loss.png") == ["train_loss", "test_loss"]
    assert plot_bytes(history, tmp_path / "bytes.png") == ["bytes_sent"]
    assert plot_node_accuracy(history, tmp_path / "n.png") == ["node_eval_accuracy"]

    assert saved[0] == {"train_loss", "test_loss"}
    assert saved[1] == {"bytes_sent"}
    assert saved[2] == {"node_eval_accuracy", "mean"}
    for name in ("loss.png", "bytes.png", "n.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_node_plot_draws_the_last_round_sorted(tmp_path) -> None:
    figures: list[Any] = []
    original_close = plt.close
    plt.close = figures.append  # type: ignore[assignment]
    try:
        plot_node_accuracy(History(RECORDS), tmp_path / "n.png")
    finally:
        plt.close = original_close

    bars = [p for p in figures[0].axes[0].patches if p.get_gid()]
    assert [round(b.get_height(), 2) for b in bars] == [0.5, 0.7, 0.9]
    original_close(figures[0])


def test_node_plot_without_node_metrics_draws_nothing(tmp_path) -> None:
    drawn = plot_node_accuracy(History([{"round": 1}]), tmp_path / "n.png")

    assert drawn == []
    assert not (tmp_path / "n.png").exists()


def write_run(folder: Path, name: str, accuracies: list[float]) -> Path:
    folder.mkdir(parents=True)
    records = [
        {"round": i + 1, "test_accuracy": a, "bytes_sent": 1000}
        for i, a in enumerate(accuracies)
    ]
    (folder / "history.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records)
    )
    summary = {
        "name": name,
        "status": "completed",
        "rounds": len(records),
        "final_test_accuracy": accuracies[-1],
        "best_test_accuracy": max(accuracies),
        "wall_s": 3.5,
        "bytes_sent": 1000 * len(records),
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def test_compare_prints_a_table_and_plots_every_run(tmp_path, capsys) -> None:
    first = write_run(tmp_path / "fedavg", "fedavg", [0.5, 0.8, 0.7])
    second = write_run(tmp_path / "krum", "krum", [0.4, 0.6])
    plot = tmp_path / "compare.png"

    code = main(["compare", str(first), str(second), "--plot", str(plot)])

    out = capsys.readouterr().out
    assert code == 0
    assert "0.7000" in out and "0.8000" in out and "0.6000" in out
    assert "drawn to" in out and "fedavg, krum" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_plot_runs_labels_lines_by_run(tmp_path, monkeypatch) -> None:
    saved = gids(monkeypatch)
    runs = {"a": History(RECORDS), "b": History([{"round": 1}])}

    drawn = plot_runs(runs, tmp_path / "c.png")

    assert drawn == ["a"]
    assert saved == [{"a"}]


def test_compare_names_a_folder_that_is_not_a_run(tmp_path, capsys) -> None:
    (tmp_path / "empty").mkdir()

    code = main(["compare", str(tmp_path / "empty")])

    err = capsys.readouterr().err
    assert code == 2
    assert "summary.json: missing" in err and "Traceback" not in err


@pytest.mark.usefixtures("ray_cluster")
def test_run_writes_plots_log_and_tensorboard(small_config, tmp_path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import (
        EventAccumulator,
    )

    config = small_config(rounds=2, output={"plots": True, "tensorboard": True})

    redfl.Federation.from_config(config, out_dir=tmp_path, progress=False).train()

    for name in ("accuracy.png", "loss.png", "node_accuracy.png", "bytes.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    log = (tmp_path / "run.log").read_text()
    assert "round 2 done" in log
    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"global/test_accuracy", "global/bytes_sent"} <= tags
    assert {f"node_eval_accuracy/{n}" for n in range(4)} <= tags
    assert [e.step for e in events.Scalars("global/test_accuracy")] == [1, 2]


def test_compare_with_an_unknown_metric_draws_nothing(tmp_path, capsys) -> None:
    run = write_run(tmp_path / "fedavg", "fedavg", [0.5, 0.8])
    plot = tmp_path / "bad.png"

    code = main(["compare", str(run), "--metric", "tset_loss", "--plot", str(plot)])

    err = capsys.readouterr().err
    assert code == 2
    assert "--metric 'tset_loss': no run recorded it" in err
    assert "test_accuracy" in err.split("recorded:")[1]
    assert not plot.exists()
