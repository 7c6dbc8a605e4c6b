"""`History`: one record per round, the run's metrics in order."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIMING_KEYS = frozenset({"duration_s", "fit_s", "aggregate_s", "evaluate_s"})
"""Record keys that measure time; every other key is a deterministic metric."""


@dataclass
class History:
    """The per-round records of a run, as plain JSON-ready dicts."""

    records: list[dict[str, Any]] = field(default_factory=list)

    def append(self, record: dict[str, Any]) -> None:
        """Add the record of the next round."""
        self.records.append(record)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def series(self, key: str) -> list[Any]:
        """Return ``key`` for every round (None where a round lacks it)."""
        return [r.get(key) for r in self.records]

    def last(self, key: str) -> Any:
        """Return the latest non-null value of ``key``, or None."""
        for record in reversed(self.records):
            if record.get(key) is not None:
                return record[key]
        return None

    def metrics(self) -> list[dict[str, Any]]:
        """Return the records without timings: equal for equal seeds."""
        return [{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in self]

    @classmethod
    def read(cls, path: str | Path) -> History:
        """Load a ``history.jsonl`` file."""
        lines = Path(path).read_text().splitlines()
        return cls([json.loads(line) for line in lines if line.strip()])


def clean_number(value: float | None) -> float | None:
    """Return ``value`` as a float, with NaN and infinities as None (JSON-safe)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)
