"""In-memory datasets and the loaders that build them, all without downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from redfl.errors import DataError

Features = npt.NDArray[Any]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ArrayDataset:
    """Samples ``x`` and their integer class labels ``y``, aligned by row.

    Labels are stored as int64; integer labels of another width are cast.
    """

    x: Features
    y: Labels

    def __post_init__(self) -> None:
        x = np.asarray(self.x)
        y = np.asarray(self.y)
        if y.ndim != 1:
            raise DataError(f"labels must be one-dimensional, got shape {y.shape}")
        if y.size and not np.issubdtype(y.dtype, np.integer):
            raise DataError(f"labels must have an integer dtype, got {y.dtype}")
        if len(x) != len(y):
            raise DataError(
                f"x and y must have the same length, got len(x)={len(x)} "
                f"and len(y)={len(y)}"
            )

        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y.astype(np.int64, copy=False))

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, indices: npt.ArrayLike) -> ArrayDataset:
        """Return the samples at ``indices``, in that order.

        Args:
            indices: Integer positions into this dataset.

        Returns:
            A new dataset holding copies of the selected rows.

        Raises:
            DataError: If an index is not an integer or is out of range.
        """
        index = np.asarray(indices)
        if index.size and not np.issubdtype(index.dtype, np.integer):
            raise DataError(f"indices must be integers, got dtype {index.dtype}")
        index = index.astype(np.int64, copy=False)
        if index.size and (index.min() < -len(self) or index.max() >= len(self)):
            raise DataError(
                f"indices must lie in [0, {len(self)}), got values from "
                f"{index.min()} to {index.max()}"
            )

        return ArrayDataset(self.x[index], self.y[index])


class GroupTransform(Protocol):
    """How each planted group of nodes sees the shared data."""

    @property
    def groups(self) -> int:
        """Return the number of planted groups."""
        ...

    def apply(self, data: ArrayDataset, group: int) -> ArrayDataset:
        """Return ``data`` as the nodes of ``group`` see it."""
        ...


@dataclass(frozen=True)
class FederatedDataset:
    """A named train/test pair with the number of classes it is labelled with.

    A dataset with planted groups carries a ``transform``: the shared arrays
    are stored once, and each node's train rows and test split are
    transformed by its group where the node is built.

    ``train_groups`` gives each training row a group id (0, 1, ...) when the
    data come with natural partitions; ``group_names`` names those ids.
    """

    train: ArrayDataset
    test: ArrayDataset
    num_classes: int
    name: str
    transform: GroupTransform | None = None
    train_groups: npt.NDArray[np.int64] | None = None
    group_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.num_classes < 1:
            raise DataError(f"num_classes must be >= 1, got {self.num_classes}")
        groups = self.train_groups
        if groups is not None and groups.shape != self.train.y.shape:
            raise DataError(
                f"train_groups must give one group per training row, got shape "
                f"{groups.shape} for {len(self.train)} rows"
            )
        train_shape = self.train.x.shape[1:]
        test_shape = self.test.x.shape[1:]
        if train_shape != test_shape:
            raise DataError(
                f"train and test samples must have the same shape, got "
                f"{train_shape} and {test_shape}"
            )

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Return the shape of one sample, without the batch dimension."""
        return tuple(int(d) for d in self.train.x.shape[1:])

    @property
    def groups(self) -> int:
        """Return the number of planted groups (0 without a transform)."""
        return 0 if self.transform is None else self.transform.groups

    def node_train(
        self, indices: npt.ArrayLike, group: int | None = None
    ) -> ArrayDataset:
        """Return the training rows at ``indices`` as ``group`` sees them."""
        return self._as_group(self.train.subset(indices), group)

    def group_test(self, group: int | None = None) -> ArrayDataset:
        """Return the test split as ``group`` sees it (unchanged without one)."""
        return self._as_group(self.test, group)

    def _as_group(self, data: ArrayDataset, group: int | None) -> ArrayDataset:
        if group is None or self.transform is None:
            return data
        if not 0 <= group < self.transform.groups:
            raise DataError(
                f"dataset {self.name!r} has groups 0..{self.transform.groups - 1}, "
                f"got group {group}"
            )
        return self.transform.apply(data, group)


def load_digits_dataset(
    test_fraction: float = 0.2, seed: int = 0, flatten: bool = True
) -> FederatedDataset:
    """Load scikit-learn's 8x8 handwritten digits and split them, stratified.

    The data ships with scikit-learn, so nothing is downloaded. Pixel values
    (0 to 16) are scaled to [0, 1] as float32; labels are int64 digits 0-9.

    Args:
        test_fraction: Share of the samples held out for testing, in (0, 1).
        seed: Seed of the train/test split.
        flatten: Give samples of shape (64,) when True, (1, 8, 8) otherwise.

    Returns:
        The digits as a `FederatedDataset` named ``"digits"``.

    Raises:
        DataError: If ``test_fraction`` is outside (0, 1) or leaves too few
            test samples to hold every class.
    """
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test_fraction must be in (0, 1), got {test_fraction}")

    # scikit-learn takes ~2 s to import; only the driver needs it, and only here.
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    # Scale pixels and fix dtypes before splitting.
    pixels, digits = load_digits(return_X_y=True)
    x = (np.asarray(pixels, dtype=np.float64) / 16.0).astype(np.float32)
    y = np.asarray(digits, dtype=np.int64)
    if not flatten:
        x = x.reshape(-1, 1, 8, 8)

    try:
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=test_fraction, random_state=seed, stratify=y
        )
    except ValueError as exc:
        raise DataError(
            f"cannot split digits with test_fraction={test_fraction}: {exc}"
        ) from exc

    return FederatedDataset(
        train=ArrayDataset(x_train, y_train),
        test=ArrayDataset(x_test, y_test),
        num_classes=10,
        name="digits",
    )


DatasetLoader = Callable[..., FederatedDataset]


def _load_synthetic(**kwargs: Any) -> FederatedDataset:
    from redfl.data.synthetic import load_synthetic_dataset

    return load_synthetic_dataset(**kwargs)


DATASETS: dict[str, DatasetLoader] = {
    "digits": load_digits_dataset,
    "synthetic": _load_synthetic,
}


def load_dataset(name: str, **kwargs: Any) -> FederatedDataset:
    """Load the registered dataset ``name``, passing ``kwargs`` to its loader.

    Args:
        name: A key of `DATASETS`, such as ``"digits"``.
        **kwargs: Options of that loader (``test_fraction``, ``seed``, ...).

    Returns:
        The loaded dataset.

    Raises:
        DataError: If ``name`` is not registered or the loader rejects an
            option.
    """
    loader = DATASETS.get(name)
    if loader is None:
        known = ", ".join(sorted(DATASETS))
        raise DataError(f"unknown dataset {name!r}; known datasets: {known}")

    try:
        return loader(**kwargs)
    except TypeError as exc:
        raise DataError(f"dataset {name!r} rejected options {kwargs}: {exc}") from exc
