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

from redfl.errors import CheckpointError, ConfigError
from redfl.parameters import Parameters
from redfl.results.history import History
from redfl.results.plots import plot_accuracy, plot_bytes, plot_loss, plot_node_accuracy
from redfl.results.tensorboard import TensorBoardLog

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


PLOTS = {
    "accuracy.png": plot_accuracy,
    "loss.png": plot_loss,
    "node_accuracy.png": plot_node_accuracy,
    "bytes.png": plot_bytes,
}
"""Plot files a run writes, each drawn only when its series were recorded."""

RUN_LOG = "run.log"


class RunWriter:
    """Write config, per-round history, summary, model and plots of a run.

    While the run is open, the ``redfl`` loggers' INFO and higher messages
    also go to ``run.log`` in the folder, and with ``output.tensorboard``
    every round is written as TensorBoard scalars to ``tensorboard/``.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self._log_handler: logging.Handler | None = None
        self._tensorboard: TensorBoardLog | None = None
        self._saved_level = logging.NOTSET

    def open(self, config: dict[str, Any]) -> None:
        """Create the folder, write the resolved configuration, start the logs.

        Raises:
            ConfigError: TensorBoard output is asked for but not installed.
        """
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"output folder {self.out_dir} cannot be created: {exc.strerror}"
            ) from exc
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
        (self.out_dir / "history.jsonl").touch()
        self.write_config(config)

    def write_config(self, config: dict[str, Any]) -> None:
        """Write the resolved configuration as ``config.yaml``."""
        text = yaml.safe_dump(config, sort_keys=False)
        write_atomic(self.out_dir / "config.yaml", text)
        if config.get("output", {}).get("tensorboard"):
            self._tensorboard = TensorBoardLog(self.out_dir / "tensorboard")
        self._start_log()

    def _start_log(self) -> None:
        """Send the package's INFO messages to ``run.log`` (handlers elsewhere
        keep their own level)."""
        handler = logging.FileHandler(self.out_dir / RUN_LOG, mode="w")
        handler.setLevel(logging.INFO)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        package = logging.getLogger("redfl")
        self._saved_level = package.level
        if package.getEffectiveLevel() > logging.INFO:
            package.setLevel(logging.INFO)
        package.addHandler(handler)
        self._log_handler = handler

    def _stop_log(self) -> None:
        if self._log_handler is not None:
            package = logging.getLogger("redfl")
            package.removeHandler(self._log_handler)
            package.setLevel(self._saved_level)
            self._log_handler.close()
            self._log_handler = None

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
        if self._tensorboard is not None:
            self._tensorboard.add_round(record)
        self.append_failures(record["round"], record.get("failures", []))

    def append_failures(self, round_num: int, failures: list[dict[str, Any]]) -> None:
        """Append a round's failure records (with tracebacks) to ``failures.jsonl``."""
        if not failures:
            return
        with open(self.out_dir / "failures.jsonl", "a") as file:
            for failure in failures:
                file.write(json.dumps({"round": round_num, **failure}) + "\n")

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
        """Write the summary, history CSV, final model and plots; close logs."""
        try:
            self._write_csv(history)
            if parameters is not None:
                parameters.save(self.out_dir / "model.npz")
            if plots and len(history):
                self.write_plots(history, summary.get("name", ""))
            write_atomic(
                self.out_dir / "summary.json", json.dumps(summary, indent=2) + "\n"
            )
        finally:
            if self._tensorboard is not None:
                self._tensorboard.close()
            self._stop_log()

    def write_plots(self, history: History, name: str = "") -> dict[str, list[str]]:
        """Draw every plot that has data; return the series drawn per file."""
        drawn = {}
        for filename, plot_fn in PLOTS.items():
            title = f"{name}: {filename.removesuffix('.png').replace('_', ' ')}"
            series = plot_fn(history, self.out_dir / filename, title if name else "")
            if series:
                drawn[filename] = series
            elif filename != "accuracy.png":
                (self.out_dir / filename).unlink(missing_ok=True)

        return drawn

    def _write_csv(self, history: History) -> None:
        with open(self.out_dir / "history.csv", "w", newline="") as file:
            writer = csv.DictWriter(file, CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for record in history:
                writer.writerow(record)
