import matplotlib

from redfl.results.history import History
from redfl.results.plots import plot_accuracy, plot_cluster_assignments

matplotlib.use("Agg")


def test_accuracy_plot_draws_the_recorded_series(tmp_path) -> None:
    history = History(
        [
            {"round": 1, "test_accuracy": 0.5, "eval_accuracy": 0.4},
            {"round": 2, "test_accuracy": 0.7, "eval_accuracy": None},
        ]
    )

    drawn = plot_accuracy(history, tmp_path / "accuracy.png")

    assert drawn == ["test_accuracy", "eval_accuracy"]
    assert (tmp_path / "accuracy.png").read_bytes()[:4] == b"\x89PNG"


def test_history_metrics_leave_out_timings() -> None:
    history = History([{"round": 1, "test_accuracy": 0.5, "duration_s": 0.1}])

    assert history.metrics() == [{"round": 1, "test_accuracy": 0.5}]
    assert history.last("test_accuracy") == 0.5


def test_cluster_plot_draws_rounds_with_an_assignment(tmp_path) -> None:
    history = History(
        [
            {"round": 1, "cluster_assignment": {"0": 0, "1": 1}},
            {"round": 2, "cluster_assignment": {"0": 1, "1": 1, "2": 0}},
            {"round": 3},
        ]
    )

    drawn = plot_cluster_assignments(history, tmp_path / "clusters.png")

    assert drawn == 2
    assert (tmp_path / "clusters.png").read_bytes()[:4] == b"\x89PNG"
