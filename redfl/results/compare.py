"""Compare finished runs: a table of their summaries and their curves."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from redfl.errors import DataError
from redfl.results.history import History


@dataclass(frozen=True)
class RunResult:
    """A finished run read back from its folder."""

    label: str
    path: Path
    summary: dict[str, Any]
    history: History


def read_run(path: str | Path, label: str | None = None) -> RunResult:
    """Read ``summary.json`` and ``history.jsonl`` from a run folder.

    Raises:
        DataError: the folder or one of the two files is missing or broken;
            the message names the file.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"run folder not found: {folder}")
    files = {name: folder / name for name in ("summary.json", "history.jsonl")}
    for file in files.values():
        if not file.is_file():
            raise DataError(f"{file}: missing; is {folder} a redfl run folder?")
    try:
        summary = json.loads(files["summary.json"].read_text())
        history = History.read(files["history.jsonl"])
    except json.JSONDecodeError as exc:
        raise DataError(f"{folder}: a results file is not valid JSON: {exc}") from exc

    return RunResult(label or folder.name, folder, summary, history)


def read_runs(paths: list[str]) -> list[RunResult]:
    """Read several runs; folders with the same name are labelled by path."""
    names = [Path(p).name for p in paths]
    return [read_run(p, p if names.count(Path(p).name) > 1 else None) for p in paths]


def _number(value: Any, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _megabytes(value: Any) -> str:
    return "-" if value is None else f"{value / 1e6:.2f}"


def compare_table(runs: list[RunResult]) -> Table:
    """Return a table: final and best accuracy, rounds, wall time, traffic."""
    table = Table(title="runs")
    for column in ("run", "name"):
        table.add_column(column, overflow="fold")
    table.add_column("status", no_wrap=True)
    for column in ("final acc", "best acc", "rounds", "wall s", "MB sent"):
        table.add_column(column, justify="right", no_wrap=True)

    best = max(
        (r.summary.get("final_test_accuracy") or -1.0 for r in runs), default=None
    )
    for run in runs:
        s = run.summary
        final = s.get("final_test_accuracy")
        style = "bold green" if final is not None and final == best else None
        table.add_row(
            run.label,
            str(s.get("name", "")),
            str(s.get("status", "")),
            _number(final),
            _number(s.get("best_test_accuracy")),
            str(s.get("rounds", len(run.history))),
            _number(s.get("wall_s"), 1),
            _megabytes(s.get("bytes_sent")),
            style=style,
        )

    return table
