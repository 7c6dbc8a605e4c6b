"""Checkpoints: what a run needs to continue after it stopped, written atomically.

A checkpoint holds the last completed round, the global parameters, the
strategy's state, any per-node state the schema keeps (gossip nodes' own
models) and the schema's own state (cluster models and assignments).
Randomness needs no state: every seed is derived from the run seed, the
round and the node id, so round ``r + 1`` draws the same numbers whether
or not the run stopped after round ``r``. The history is not duplicated here:
``history.jsonl`` is written before the checkpoint, and a resume keeps its
first ``round_num`` records.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redfl.errors import CheckpointError
from redfl.parameters import Parameters

CHECKPOINT_FILE = "checkpoint.pkl"
FORMAT_VERSION = 2


@dataclass
class Checkpoint:
    """The state after round ``round_num`` completed."""

    round_num: int
    parameters: Parameters | None
    strategy_state: dict[str, Any] = field(default_factory=dict)
    node_states: dict[int, Parameters] = field(default_factory=dict)
    schema_state: dict[str, Any] = field(default_factory=dict)
    version: int = FORMAT_VERSION


def save_checkpoint(run_dir: str | Path, checkpoint: Checkpoint) -> Path:
    """Write ``checkpoint`` into ``run_dir`` through a temporary file and a rename.

    A process killed at any moment leaves either the previous checkpoint or
    this one, never a partial file.
    """
    path = Path(run_dir) / CHECKPOINT_FILE
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as file:
        pickle.dump(checkpoint, file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)

    return path


def load_checkpoint(run_dir: str | Path) -> Checkpoint:
    """Read the checkpoint of a run folder (written by Red; do not load others').

    Raises:
        CheckpointError: there is no checkpoint, or it cannot be read.
    """
    path = Path(run_dir) / CHECKPOINT_FILE
    if not path.is_file():
        raise CheckpointError(
            f"{run_dir}: no {CHECKPOINT_FILE}; the run stopped before its first "
            "round completed, or was started with output.checkpoint: false"
        )
    try:
        with open(path, "rb") as file:
            checkpoint = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise CheckpointError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(checkpoint, Checkpoint) or checkpoint.version != FORMAT_VERSION:
        raise CheckpointError(f"{path}: not a checkpoint of this version of Red")

    return checkpoint
