"""The exceptions Red raises: one small tree under `RedError`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class RedError(Exception):
    """Base of every error Red raises on purpose."""


class ConfigError(RedError, ValueError):
    """A configuration key or value is invalid; the message names both."""


class DataError(RedError, ValueError):
    """A dataset or partition request cannot be satisfied."""


class TopologyError(RedError, ValueError):
    """A topology is malformed, or a message does not follow its edges."""


class AggregationError(RedError, ValueError):
    """Updates cannot be combined (no examples, mismatched keys or shapes)."""


class PlacementError(RedError, RuntimeError):
    """Ray cannot place the requested resources within the allowed wait."""


class WorkerStartError(RedError, RuntimeError):
    """A worker actor did not come up in time, or could not build its learner."""


class RoundError(RedError, RuntimeError):
    """A round could not complete: too few nodes returned a usable result.

    Args:
        round_num: the round that stopped.
        failures: the round's failure records (node, error, message,
            traceback), written to ``failures.jsonl`` before the run stops.
    """

    def __init__(
        self,
        message: str,
        round_num: int | None = None,
        failures: Sequence[dict[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.round_num = round_num
        self.failures = list(failures)


class CheckpointError(RedError, RuntimeError):
    """A run folder has no usable checkpoint to resume from."""
