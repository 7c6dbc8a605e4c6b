"""Datasets with planted groups: the same digits, seen differently per group.

Nodes fall into ``groups`` groups. In ``rotated_digits`` group ``g`` sees
every image rotated by ``g * 90`` degrees; in ``permuted_digits`` group ``g``
sees the labels through its own fixed permutation (group 0 keeps them). A
node's training rows and its test split are both seen through its group, so
a model that fits one group fails another: the structure clustered schemas
should recover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from redfl.data.datasets import ArrayDataset, DatasetLoader, FederatedDataset
from redfl.data.datasets import load_digits_dataset as _load_digits
from redfl.errors import DataError
from redfl.seeding import Stream, derive_rng

ROTATIONS = 4
"""Quarter turns: a rotated dataset has at most this many distinct groups."""

DEFAULT_GROUPS = 4


@dataclass(frozen=True)
class Rotation:
    """Group ``g`` sees each square image turned ``g`` quarter turns."""

    groups: int

    def apply(self, data: ArrayDataset, group: int) -> ArrayDataset:
        """Return ``data`` with its images rotated by ``group * 90`` degrees."""
        if group == 0:
            return data
        shape = data.x.shape
        pixels = int(np.prod(shape[1:]))
        side = math.isqrt(pixels)
        if side * side != pixels:
            raise DataError(
                f"rotation needs square images, got samples of shape {shape[1:]}"
            )
        images = data.x.reshape(len(data), -1, side, side)
        turned = np.rot90(images, k=group, axes=(-2, -1))

        return ArrayDataset(np.ascontiguousarray(turned).reshape(shape), data.y)


@dataclass(frozen=True, eq=False)
class LabelPermutation:
    """Group ``g`` sees label ``y`` as ``permutations[g][y]``."""

    permutations: npt.NDArray[np.int64]

    @property
    def groups(self) -> int:
        """Return the number of planted groups."""
        return int(self.permutations.shape[0])

    def apply(self, data: ArrayDataset, group: int) -> ArrayDataset:
        """Return ``data`` with its labels mapped by the group's permutation."""
        return ArrayDataset(data.x, self.permutations[group][data.y])


def check_groups(dataset: str, groups: int) -> str | None:
    """Return why ``dataset`` cannot plant ``groups`` groups, or None."""
    if groups < 1:
        return f"groups must be >= 1, got {groups}"
    if dataset == "rotated_digits" and groups > ROTATIONS:
        return (
            f"rotated_digits has {ROTATIONS} distinct rotations (0, 90, 180, 270 "
            f"degrees), got groups={groups}"
        )
    return None


def label_permutations(
    num_classes: int, groups: int, seed: int
) -> npt.NDArray[np.int64]:
    """Return one distinct permutation per group; group 0 keeps the labels.

    Each later group's permutation is drawn from a generator seeded by
    ``seed`` and the group, and drawn again while it repeats an earlier one.
    """
    rows = [np.arange(num_classes, dtype=np.int64)]
    for group in range(1, groups):
        rng = derive_rng(seed, Stream.GROUPS, group)
        row = rng.permutation(num_classes).astype(np.int64)
        while num_classes > 1 and any(np.array_equal(row, r) for r in rows):
            row = rng.permutation(num_classes).astype(np.int64)
        rows.append(row)

    return np.stack(rows)


def assign_groups(num_nodes: int, groups: int) -> list[int]:
    """Return each node's group: contiguous blocks of near-equal size.

    Node ``i`` of ``n`` belongs to group ``i * groups // n``, so 20 nodes in
    4 groups give nodes 0-4 to group 0, 5-9 to group 1, and so on.

    Raises:
        DataError: fewer nodes than groups.
    """
    if groups > num_nodes:
        raise DataError(
            f"groups={groups} exceeds the {num_nodes} nodes; a group would be empty"
        )
    return [node * groups // num_nodes for node in range(num_nodes)]


def load_rotated_digits(
    test_fraction: float = 0.2, seed: int = 0, groups: int = DEFAULT_GROUPS
) -> FederatedDataset:
    """Load the digits with ``groups`` rotation groups (0, 90, 180, 270 degrees).

    Raises:
        DataError: ``groups`` is outside 1..4, or the split is infeasible.
    """
    problem = check_groups("rotated_digits", groups)
    if problem is not None:
        raise DataError(problem)
    base = _load_digits(test_fraction=test_fraction, seed=seed)

    return FederatedDataset(
        base.train, base.test, base.num_classes, "rotated_digits", Rotation(groups)
    )


def load_permuted_digits(
    test_fraction: float = 0.2, seed: int = 0, groups: int = DEFAULT_GROUPS
) -> FederatedDataset:
    """Load the digits with ``groups`` label-permutation groups, seeded by ``seed``.

    Raises:
        DataError: ``groups`` is below 1, or the split is infeasible.
    """
    problem = check_groups("permuted_digits", groups)
    if problem is not None:
        raise DataError(problem)
    base = _load_digits(test_fraction=test_fraction, seed=seed)
    permutations = label_permutations(base.num_classes, groups, seed)

    return FederatedDataset(
        base.train,
        base.test,
        base.num_classes,
        "permuted_digits",
        LabelPermutation(permutations),
    )


PLANTED_DATASETS: dict[str, DatasetLoader] = {
    "rotated_digits": load_rotated_digits,
    "permuted_digits": load_permuted_digits,
}
"""Datasets that take a ``groups`` option and plant one group per node block."""
