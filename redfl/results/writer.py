"""`RunWriter`: the files a run leaves in its output folder."""

from __future__ import annotations

import csv
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from redfl.errors import CheckpointError
from redfl.parameters import Parameters
from redfl.results.history import History
from redfl.results.plots import plot_accuracy

logger = logging.getLogger(__name__)

CSV_COLUMNS = (
    "round",
    "num_fit",
    "num_failed",
    "train_loss",
    "test_loss",
    "test_accuracy",
    "eval_loss",
    "eval_accuracy",
    "bytes_sent",
    "duration_s",
)


def default_run_dir(root: str | Path = "runs") -> Path:
    """Return ``runs/<timestamp>``, with a suffix if that folder exists."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = Path(root) / stamp
    suffix = 1
    while candidate.exists():
        candidate = Path(root) / f"{stamp}-{suffix}"
        suffix += 1
    return candidate


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


class RunWriter:
    """Write config, per-round history, summary, model and plots of a run."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)

    def open(self, config: dict[str, Any]) -> None:
        """Create the folder and write the resolved configuration."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stale_files = (
            "history.jsonl",
            "history.csv",
            "failures.jsonl",
            "edges.csv",
            "checkpoint.pkl",
            "summary.json",
        )
        for stale in stale_files:
            (self.out_dir / stale).unlink(missing_ok=True)
        self.write_config(config)

    def write_config(self, config: dict[str, Any]) -> None:
        """Write the resolved configuration as ``config.yaml``."""
        text = yaml.safe_dump(config, sort_keys=False)
        write_atomic(self.out_dir / "config.yaml", text)

    def reopen(self, rounds_kept: int) -> list[dict[str, Any]]:
        """Keep the first ``rounds_kept`` rounds of a stopped run's files.

        Records past the last checkpoint (a round written just before the
        process died) and any partly written line are dropped from
        ``history.jsonl``, ``failures.jsonl`` and ``edges.csv``.

        Returns:
            The kept history records.
        """
        history = self.out_dir / "history.jsonl"
        records = []
        if history.exists():
            for line in history.read_text().splitlines()[:rounds_kept]:
                records.append(json.loads(line))
        if len(records) < rounds_kept:
            raise CheckpointError(
                f"{history} holds {len(records)} round(s) but the checkpoint is "
                f"at round {rounds_kept}"
            )
        write_atomic(history, "".join(json.dumps(r) + "\n" for r in records))
        self._keep_rows(self.out_dir / "failures.jsonl", rounds_kept, self._json_round)
        self._keep_rows(self.out_dir / "edges.csv", rounds_kept, self._csv_round)

        return records

    @staticmethod
    def _json_round(line: str) -> int | None:
        try:
            return int(json.loads(line)["round"])
        except (ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def _csv_round(line: str) -> int | None:
        head = line.split(",", 1)[0]
        return int(head) if head.isdigit() else None

    @staticmethod
    def _keep_rows(path: Path, rounds_kept: int, round_of: Any) -> None:
        if not path.exists():
            return
        kept = []
        for index, line in enumerate(path.read_text().splitlines()):
            number = round_of(line)
            is_header = index == 0 and number is None and path.suffix == ".csv"
            if is_header or (number is not None and number <= rounds_kept):
                kept.append(line + "\n")
        write_atomic(path, "".join(kept))

    def append_round(self, record: dict[str, Any]) -> None:
        """Append one round to ``history.jsonl``, its failures and edge traffic."""
        with open(self.out_dir / "history.jsonl", "a") as file:
            file.write(json.dumps(record) + "\n")
        failures = record.get("failures", [])
        if failures:
            with open(self.out_dir / "failures.jsonl", "a") as file:
                for failure in failures:
                    line = {"round": record["round"], **failure}
                    file.write(json.dumps(line) + "\n")

    def append_edges(self, rows: list[tuple[int, int, int, int, int]]) -> None:
        """Append (round, src, dst, messages, bytes) rows to ``edges.csv``."""
        path = self.out_dir / "edges.csv"
        new = not path.exists()
        with open(path, "a", newline="") as file:
            writer = csv.writer(file)
            if new:
                writer.writerow(["round", "src", "dst", "messages", "bytes"])
            writer.writerows(rows)

    def finish(
        self,
        history: History,
        summary: dict[str, Any],
        parameters: Parameters | None,
        plots: bool = True,
    ) -> None:
        """Write the summary, history CSV, final model and plots."""
        self._write_csv(history)
        if parameters is not None:
            parameters.save(self.out_dir / "model.npz")
        if plots and len(history):
            plot_accuracy(
                history, self.out_dir / "accuracy.png", summary.get("name", "")
            )
        write_atomic(
            self.out_dir / "summary.json", json.dumps(summary, indent=2) + "\n"
        )

    def _write_csv(self, history: History) -> None:
        with open(self.out_dir / "history.csv", "w", newline="") as file:
            writer = csv.DictWriter(file, CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for record in history:
                writer.writerow(record)
