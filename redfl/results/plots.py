"""Plots of a run's history (matplotlib, imported only when a plot is drawn).

Every function returns the series it drew; each drawn artist carries the
series name as its ``gid``, so tests and tools can find it in the figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from redfl.results.history import History

ACCURACY_SERIES = {
    "test_accuracy": "global model, test split",
    "eval_accuracy": "global model, nodes' local data",
    "local_test_accuracy": "nodes' own models, test split (mean)",
}

LOSS_SERIES = {
    "train_loss": "local training (weighted mean)",
    "test_loss": "global model, test split",
    "eval_loss": "global model, nodes' local data",
}

NODE_ACCURACY_KEYS = ("node_eval_accuracy", "node_test_accuracy")
"""Per-node accuracy records, in the order they are preferred."""


def _axes(figsize: tuple[float, float] = (6.4, 4.0)) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=figsize)
    return figure, axes


def _round_axis(axes: Any) -> None:
    """Label the x axis as rounds, with whole-number ticks only."""
    from matplotlib.ticker import MaxNLocator

    axes.set_xlabel("round")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))


def _save(figure: Any, path: str | Path) -> None:
    import matplotlib.pyplot as plt

    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _points(history: History, key: str) -> list[tuple[Any, Any]]:
    rounds = history.series("round")
    values = history.series(key)
    return [(r, v) for r, v in zip(rounds, values, strict=True) if v is not None]


def _plot_series(
    history: History,
    path: str | Path,
    series: Mapping[str, str],
    ylabel: str,
    title: str,
) -> list[str]:
    figure, axes = _axes()
    drawn = []
    for key, label in series.items():
        points = _points(history, key)
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, marker="o", markersize=3, label=label, gid=key)
        drawn.append(key)

    _round_axis(axes)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    axes.set_title(title)
    if ylabel == "accuracy":
        axes.set_ylim(0.0, 1.0)
    if drawn:
        axes.legend(loc="best")
    _save(figure, path)

    return drawn


def plot_accuracy(history: History, path: str | Path, title: str = "") -> list[str]:
    """Draw accuracy per round into ``path``; return the series drawn."""
    return _plot_series(
        history, path, ACCURACY_SERIES, "accuracy", title or "accuracy per round"
    )


def plot_loss(history: History, path: str | Path, title: str = "") -> list[str]:
    """Draw training and test loss per round into ``path``; return the series."""
    return _plot_series(history, path, LOSS_SERIES, "loss", title or "loss per round")


def final_node_accuracy(history: History) -> tuple[str, dict[str, float]]:
    """Return the last recorded per-node accuracies and the key they came from.

    The global model on each node's data (``node_eval_accuracy``) is
    preferred; gossip runs record each node's own model on the test split
    (``node_test_accuracy``). Both empty gives ``("", {})``.
    """
    for key in NODE_ACCURACY_KEYS:
        latest = history.last(key)
        if latest:
            return key, {str(k): float(v) for k, v in latest.items()}
    return "", {}


def plot_node_accuracy(
    history: History, path: str | Path, title: str = ""
) -> list[str]:
    """Draw the final accuracy of every node, sorted, with its mean and spread.

    Returns:
        ``[key]`` (the per-node record drawn), or ``[]`` when the run holds
        no per-node accuracy; then no file is written.
    """
    key, accuracies = final_node_accuracy(history)
    if not accuracies:
        return []
    nodes = sorted(accuracies, key=lambda n: (accuracies[n], int(n)))
    values = [accuracies[n] for n in nodes]

    figure, axes = _axes()
    axes.bar(range(len(nodes)), values, gid=key, color="tab:blue")
    mean = sum(values) / len(values)
    axes.axhline(mean, color="tab:red", linestyle="--", gid="mean", label="mean")
    axes.set_xticks(range(len(nodes)), nodes, fontsize=7)
    axes.set_xlabel("node (sorted by accuracy)")
    axes.set_ylabel("accuracy")
    axes.set_ylim(0.0, 1.0)
    axes.set_title(
        title or f"final accuracy per node: min {min(values):.3f}, mean {mean:.3f}"
    )
    axes.legend(loc="lower right")
    _save(figure, path)

    return [key]


def plot_bytes(history: History, path: str | Path, title: str = "") -> list[str]:
    """Draw the bytes sent in each round as bars; return ``["bytes_sent"]``."""
    points = _points(history, "bytes_sent")
    if not points:
        return []
    xs, ys = zip(*points, strict=True)

    figure, axes = _axes()
    axes.bar(xs, [y / 1e6 for y in ys], gid="bytes_sent", color="tab:green")
    _round_axis(axes)
    axes.set_ylabel("MB sent")
    axes.set_title(title or f"traffic per round, {sum(ys) / 1e6:.2f} MB in total")
    axes.grid(alpha=0.3, axis="y")
    _save(figure, path)

    return ["bytes_sent"]


def plot_runs(
    runs: Mapping[str, History],
    path: str | Path,
    key: str = "test_accuracy",
    title: str = "",
) -> list[str]:
    """Draw ``key`` per round for several runs, one line each; return names."""
    figure, axes = _axes()
    drawn = []
    for name, history in runs.items():
        points = _points(history, key)
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, marker="o", markersize=3, label=name, gid=name)
        drawn.append(name)

    _round_axis(axes)
    axes.set_ylabel(key.replace("_", " "))
    axes.grid(alpha=0.3)
    axes.set_title(title or f"{key.replace('_', ' ')} per round")
    if drawn:
        axes.legend(loc="best", fontsize=8)
    _save(figure, path)

    return drawn


def plot_cluster_assignments(
    history: History, path: str | Path, title: str = ""
) -> int:
    """Draw each node's cluster per round (``cluster_assignment``) into ``path``.

    Rows are nodes, columns rounds, colours clusters; a node without a
    cluster yet is left blank. Returns the number of rounds drawn.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    records = [r for r in history if r.get("cluster_assignment") is not None]
    nodes = sorted({int(n) for r in records for n in r["cluster_assignment"]})
    grid = np.full((len(nodes), len(records)), np.nan)
    for column, record in enumerate(records):
        for node, cluster in record["cluster_assignment"].items():
            grid[nodes.index(int(node)), column] = cluster

    figure, axes = plt.subplots(figsize=(6.4, max(2.5, 0.22 * len(nodes) + 1.2)))
    clusters = int(np.nanmax(grid)) + 1 if np.isfinite(grid).any() else 1
    image = axes.imshow(
        grid,
        aspect="auto",
        interpolation="nearest",
        cmap=plt.get_cmap("tab10", clusters),
        vmin=-0.5,
        vmax=clusters - 0.5,
        extent=(0.5, len(records) + 0.5, len(nodes) - 0.5, -0.5),
    )
    figure.colorbar(image, ax=axes, ticks=range(clusters), label="cluster")
    axes.set_yticks(range(len(nodes)), [str(n) for n in nodes], fontsize=7)
    _round_axis(axes)
    axes.set_ylabel("node")
    axes.set_title(title or "cluster assignment per round")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

    return len(records)
