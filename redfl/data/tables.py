"""Tabular datasets from NPZ and CSV files, with an optional group column.

Features are cast to float32 and otherwise left as they are; labels must be
integers (class ids from 0). A group column gives each row its natural
owner (a hospital, a phone, a writer) for the ``group`` partition.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from redfl.data.datasets import ArrayDataset, FederatedDataset
from redfl.data.split import holdout_indices
from redfl.errors import DataError


def _integer_labels(values: npt.NDArray[Any], where: str) -> npt.NDArray[np.int64]:
    """Return ``values`` as int64 class ids, or raise naming ``where``."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise DataError(f"{where}: labels must be one-dimensional, got {array.shape}")
    if np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise DataError(f"{where}: labels must be integers, got dtype {array.dtype}")
    if array.size and array.min() < 0:
        raise DataError(f"{where}: labels must be >= 0, got {array.min()}")

    return array.astype(np.int64)


def _group_codes(
    values: npt.NDArray[Any],
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Return a group id per row (sorted group order) and the group names."""
    names, codes = np.unique(np.asarray(values).astype(str), return_inverse=True)

    return codes.astype(np.int64), tuple(str(n) for n in names)


def _assemble(
    name: str,
    x: npt.NDArray[Any],
    y: npt.NDArray[np.int64],
    groups: npt.NDArray[Any] | None,
    test: ArrayDataset | None,
    test_fraction: float,
    seed: int,
) -> FederatedDataset:
    """Hold out a test split unless given one, and attach group ids."""
    x = x.astype(np.float32)
    codes, names = _group_codes(groups) if groups is not None else (None, ())
    if test is None:
        train_rows, test_rows = holdout_indices(len(y), test_fraction, seed)
        test = ArrayDataset(x[test_rows], y[test_rows])
        x, y = x[train_rows], y[train_rows]
        if codes is not None:
            codes, names = _group_codes(np.asarray(names)[codes[train_rows]])
    train = ArrayDataset(x, y)

    num_classes = int(max(train.y.max(initial=0), test.y.max(initial=0))) + 1
    return FederatedDataset(
        train, test, num_classes, name, train_groups=codes, group_names=names
    )


def load_npz_dataset(
    path: str,
    test_fraction: float = 0.2,
    seed: int = 0,
    label_column: str | None = None,
    group_column: str | None = None,
) -> FederatedDataset:
    """Load arrays ``x`` and ``y`` (and optional groups) from an NPZ file.

    ``x`` holds the features, one row per sample in any shape; the labels
    are the array named ``label_column`` (default ``y``) and the groups the
    array named ``group_column``. When the file also holds ``x_test`` and
    ``y_test`` they are the test split; otherwise a seeded ``test_fraction``
    of the rows is held out.

    Raises:
        DataError: the file is missing or unreadable, an array is missing,
            or lengths and dtypes do not fit; the message names the file.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"data.path: NPZ file not found: {file}")
    try:
        with np.load(file, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{file}: not a readable NPZ file: {exc}") from exc

    label_key = label_column or "y"
    wanted = ["x", label_key] + ([group_column] if group_column else [])
    missing = [key for key in wanted if key not in arrays]
    if missing:
        raise DataError(
            f"{file}: missing array(s) {missing}; the file holds {sorted(arrays)}"
        )
    x, y = arrays["x"], _integer_labels(arrays[label_key], f"{file}[{label_key!r}]")
    groups = arrays[group_column] if group_column else None
    for key, array in (("x", x), (group_column, groups)):
        if array is not None and len(array) != len(y):
            raise DataError(
                f"{file}: array {key!r} has {len(array)} rows but "
                f"{label_key!r} has {len(y)}"
            )

    test = None
    if "x_test" in arrays and "y_test" in arrays:
        y_test = _integer_labels(arrays["y_test"], f"{file}['y_test']")
        test = ArrayDataset(arrays["x_test"].astype(np.float32), y_test)
    return _assemble("npz", x, y, groups, test, test_fraction, seed)


def load_csv_dataset(
    path: str,
    test_fraction: float = 0.2,
    seed: int = 0,
    label_column: str | None = None,
    group_column: str | None = None,
) -> FederatedDataset:
    """Load a CSV file with a header row: numeric features and a label column.

    The label column is ``label_column`` (default ``label``); every other
    column except ``group_column`` is a numeric feature. A seeded
    ``test_fraction`` of the rows is held out for testing.

    Raises:
        DataError: the file or a column is missing, or a value is not a
            number; the message names the file, the row and the column.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"data.path: CSV file not found: {file}")
    with open(file, newline="") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 2:
        raise DataError(f"{file}: needs a header row and at least one data row")

    header = [name.strip() for name in rows[0]]
    label_key = label_column or "label"
    for role, column in (("label", label_key), ("group", group_column)):
        if column is not None and column not in header:
            raise DataError(
                f"{file}: no {role} column {column!r}; the header has {header}"
            )
    skip = [label_key] + ([group_column] if group_column else [])
    features = [i for i, name in enumerate(header) if name not in skip]
    if not features:
        raise DataError(f"{file}: no feature columns besides {skip}")

    x = np.empty((len(rows) - 1, len(features)), dtype=np.float32)
    labels = np.empty(len(rows) - 1, dtype=np.float64)
    label_at = header.index(label_key)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(
                f"{file}, line {line}: {len(row)} values for {len(header)} columns"
            )
        x[line - 2] = [_number(row[i], file, line, header[i]) for i in features]
        labels[line - 2] = _number(row[label_at], file, line, label_key)

    y = _integer_labels(labels, f"{file}, column {label_key!r}")
    groups = None
    if group_column is not None:
        at = header.index(group_column)
        groups = np.asarray([row[at].strip() for row in rows[1:]])
    return _assemble("csv", x, y, groups, None, test_fraction, seed)


def _number(text: str, file: Path, line: int, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise DataError(
            f"{file}, line {line}, column {column!r}: not a number: {text!r} "
            "(features must be numbers; name a text column data.group_column)"
        ) from None
