"""TensorBoard scalars of a run: global metrics and one series per node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redfl.errors import ConfigError

GLOBAL_SCALARS = (
    "test_accuracy",
    "test_loss",
    "train_loss",
    "eval_accuracy",
    "eval_loss",
    "local_test_accuracy",
    "consensus_distance",
    "num_fit",
    "num_failed",
    "bytes_sent",
    "duration_s",
)
"""Record keys written as ``global/<key>`` when a round has them."""

NODE_SCALARS = ("node_train_loss", "node_eval_accuracy", "node_test_accuracy")
"""Per-node record keys written as ``<key>/<node id>``."""


class TensorBoardLog:
    """Write each round's record as TensorBoard scalars under ``log_dir``.

    Raises:
        ConfigError: the ``tensorboard`` package is not installed.
    """

    def __init__(self, log_dir: str | Path) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:
            raise ConfigError(
                "output.tensorboard: true needs the tensorboard package; install "
                "it with pip install 'redfl[tensorboard]'"
            ) from exc
        self.log_dir = Path(log_dir)
        self._writer = SummaryWriter(log_dir=str(self.log_dir))

    def add_round(self, record: dict[str, Any]) -> None:
        """Write the scalars of one round's record at step ``round``."""
        step = int(record["round"])
        for key in GLOBAL_SCALARS:
            value = record.get(key)
            if isinstance(value, int | float):
                self._writer.add_scalar(f"global/{key}", value, step)
        for key in NODE_SCALARS:
            for node, value in (record.get(key) or {}).items():
                if value is not None:
                    self._writer.add_scalar(f"{key}/{node}", value, step)
        self._writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self._writer.close()
