"""Tests of the planted-group datasets: rotations, label permutations, groups."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.config import load_config
from redfl.data import (
    DATASETS,
    ArrayDataset,
    FederatedDataset,
    assign_groups,
    load_dataset,
)
from redfl.data.planted import Rotation, label_permutations
from redfl.errors import ConfigError, DataError
from redfl.federation.setup import prepare


@pytest.fixture(scope="module")
def rotated() -> FederatedDataset:
    return load_dataset("rotated_digits", groups=4)


def test_planted_datasets_are_registered() -> None:
    assert {"rotated_digits", "permuted_digits"} <= set(DATASETS)


@pytest.mark.parametrize("group", [0, 1, 2, 3])
def test_rotation_turns_each_image_by_the_groups_quarter_turns(
    rotated: FederatedDataset, group: int
) -> None:
    rows = [0, 5, 17]

    seen = rotated.node_train(rows, group)

    for row, image in zip(rows, seen.x, strict=True):
        expected = np.rot90(rotated.train.x[row].reshape(8, 8), k=group)
        np.testing.assert_array_equal(image.reshape(8, 8), expected)
    np.testing.assert_array_equal(seen.y, rotated.train.y[rows])


def test_rotation_keeps_the_sample_shape_of_unflattened_images() -> None:
    images = np.arange(2 * 64, dtype=np.float32).reshape(2, 1, 8, 8)
    data = ArrayDataset(images, np.array([0, 1]))

    turned = Rotation(4).apply(data, 2)

    assert turned.x.shape == (2, 1, 8, 8)
    np.testing.assert_array_equal(turned.x[0, 0], images[0, 0, ::-1, ::-1])


def test_group_test_split_is_rotated_and_the_shared_arrays_are_not(
    rotated: FederatedDataset,
) -> None:
    before = rotated.test.x.copy()

    turned = rotated.group_test(1)

    assert not np.array_equal(turned.x, rotated.test.x)
    np.testing.assert_array_equal(rotated.test.x, before)
    assert rotated.group_test(None) is rotated.test


def test_label_permutations_are_seeded_distinct_and_keep_group_zero() -> None:
    first = label_permutations(10, 4, seed=3)
    again = label_permutations(10, 4, seed=3)
    other = label_permutations(10, 4, seed=4)

    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(first[0], np.arange(10))
    assert len({tuple(row) for row in first}) == 4
    assert all(sorted(row) == list(range(10)) for row in first)


def test_permuted_digits_map_labels_through_the_group_permutation() -> None:
    dataset = load_dataset("permuted_digits", groups=3, seed=1)
    assert dataset.transform is not None
    permutation = dataset.transform.permutations[2]  # type: ignore[attr-defined]

    seen = dataset.group_test(2)

    np.testing.assert_array_equal(seen.y, permutation[dataset.test.y])
    np.testing.assert_array_equal(seen.x, dataset.test.x)


def test_groups_are_contiguous_blocks_of_near_equal_size() -> None:
    assert assign_groups(8, 4) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert assign_groups(5, 2) == [0, 0, 0, 1, 1]
    with pytest.raises(DataError, match="groups=4 exceeds the 3 nodes"):
        assign_groups(3, 4)


def test_group_out_of_range_names_the_group(rotated: FederatedDataset) -> None:
    with pytest.raises(DataError, match="got group 4"):
        rotated.group_test(4)


def test_prepare_gives_each_node_its_group() -> None:
    config = load_config(
        {
            "data": {"dataset": "rotated_digits", "partition": {"kind": "iid"}},
            "nodes": {"count": 8},
        }
    )

    prepared = prepare(config)

    assert [s.group for s in prepared.node_specs] == [0, 0, 1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize(
    ("data", "nodes", "expected"),
    [
        ({"dataset": "digits", "groups": 2}, 10, "data.groups: only the planted.*2"),
        ({"dataset": "rotated_digits", "groups": 5}, 10, "4 distinct rotations.*5"),
        ({"dataset": "permuted_digits", "groups": 0}, 10, "data.groups: .*got 0"),
        ({"dataset": "permuted_digits", "groups": 12}, 10, "data.groups=12 exceeds"),
        ({"dataset": "rotated_digits"}, 3, "data.groups=4 exceeds nodes.count=3"),
    ],
)
def test_bad_groups_name_key_and_value(data: dict, nodes: int, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config({"data": data, "nodes": {"count": nodes}})
