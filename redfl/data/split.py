"""A seeded train/test holdout that keeps row groups aligned."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from redfl.data.datasets import ArrayDataset
from redfl.errors import DataError


def holdout_indices(
    num_rows: int, test_fraction: float, seed: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return sorted (train, test) row indices, ``test_fraction`` held out.

    Raises:
        DataError: the fraction is outside (0, 1) or leaves a side empty.
    """
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"data.test_fraction must be in (0, 1), got {test_fraction}")
    num_test = round(test_fraction * num_rows)
    if num_test < 1 or num_test >= num_rows:
        raise DataError(
            f"data.test_fraction={test_fraction} of {num_rows} rows leaves "
            f"{num_test} test and {num_rows - num_test} training rows; both need one"
        )

    order = np.random.default_rng(seed).permutation(num_rows)
    return np.sort(order[num_test:]), np.sort(order[:num_test])


def holdout_split(
    data: ArrayDataset, test_fraction: float, seed: int
) -> tuple[ArrayDataset, ArrayDataset]:
    """Split ``data`` into seeded train and test parts."""
    train, test = holdout_indices(len(data), test_fraction, seed)

    return data.subset(train), data.subset(test)
