"""Tiny parameter sets whose aggregates can be worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redfl.aggregation import Update
from redfl.parameters import Parameters


def params(w: Sequence[float], count: int = 0) -> Parameters:
    """Return a float32 vector ``w`` and an int64 counter ``count``."""
    return Parameters(
        {"w": np.asarray(w, dtype=np.float32), "count": np.asarray(count, np.int64)}
    )


def updates(
    rows: Sequence[Sequence[float]],
    counts: Sequence[int] | None = None,
    examples: Sequence[int] | None = None,
) -> list[Update]:
    """Return one update per row, node ids 0, 1, ... in order."""
    counts = counts or [0] * len(rows)
    examples = examples or [1] * len(rows)
    return [
        Update(i, params(row, c), e)
        for i, (row, c, e) in enumerate(zip(rows, counts, examples, strict=True))
    ]
