"""Plots of a run's history (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from redfl.results.history import History

ACCURACY_SERIES = {
    "test_accuracy": "global model, test split",
    "eval_accuracy": "global model, nodes' local data",
    "local_test_accuracy": "nodes' own models, test split (mean)",
}


def plot_accuracy(history: History, path: str | Path, title: str = "") -> list[str]:
    """Draw accuracy per round into ``path``; return the series drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    drawn = []
    rounds = history.series("round")
    for key, label in ACCURACY_SERIES.items():
        values = history.series(key)
        points = [(r, v) for r, v in zip(rounds, values, strict=True) if v is not None]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, marker="o", markersize=3, label=label, gid=key)
        drawn.append(key)

    axes.set_xlabel("round")
    axes.set_ylabel("accuracy")
    axes.set_ylim(0.0, 1.0)
    axes.grid(alpha=0.3)
    axes.set_title(title or "accuracy per round")
    if drawn:
        axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

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
    axes.set_xlabel("round")
    axes.set_ylabel("node")
    axes.set_title(title or "cluster assignment per round")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

    return len(records)
