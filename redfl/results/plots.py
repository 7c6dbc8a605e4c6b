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
