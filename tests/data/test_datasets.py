"""Tests of the in-memory datasets and the digits loader."""

from __future__ import annotations

import re

import numpy as np
import pytest

from redfl.data import (
    DATASETS,
    ArrayDataset,
    FederatedDataset,
    load_dataset,
    load_digits_dataset,
)
from redfl.errors import DataError


@pytest.fixture(scope="module")
def digits() -> FederatedDataset:
    return load_digits_dataset()


def test_digits_shapes_dtypes_and_ranges(digits: FederatedDataset) -> None:
    train, test = digits.train, digits.test

    assert len(train) + len(test) == 1797
    assert len(test) == pytest.approx(0.2 * 1797, abs=1)
    assert train.x.shape[1:] == (64,)
    assert digits.input_shape == (64,)
    assert train.x.dtype == np.float32
    assert train.y.dtype == np.int64
    assert test.y.dtype == np.int64
    assert float(train.x.min()) >= 0.0 and float(train.x.max()) == 1.0
    assert set(np.unique(train.y)) == set(range(10))
    assert digits.num_classes == 10
    assert digits.name == "digits"


def test_digits_unflattened_has_image_shape() -> None:
    dataset = load_digits_dataset(flatten=False)

    assert dataset.train.x.shape[1:] == (1, 8, 8)
    assert dataset.input_shape == (1, 8, 8)
    assert dataset.test.x.ndim == 4


def test_digits_split_is_stratified(digits: FederatedDataset) -> None:
    train_share = np.bincount(digits.train.y, minlength=10) / len(digits.train)
    test_share = np.bincount(digits.test.y, minlength=10) / len(digits.test)

    assert np.abs(train_share - test_share).max() < 0.02


def test_digits_split_is_reproducible_and_seeded() -> None:
    first = load_digits_dataset(seed=3)
    again = load_digits_dataset(seed=3)
    other = load_digits_dataset(seed=4)

    np.testing.assert_array_equal(first.train.x, again.train.x)
    np.testing.assert_array_equal(first.test.y, again.test.y)
    assert not np.array_equal(first.train.x, other.train.x)


def test_digits_train_and_test_are_disjoint(digits: FederatedDataset) -> None:
    train_rows = {row.tobytes() for row in digits.train.x}
    test_rows = [row.tobytes() for row in digits.test.x]

    # Digits has a few duplicate images; almost no test row is in train.
    assert sum(row in train_rows for row in test_rows) < 5


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_digits_rejects_test_fraction_outside_open_interval(fraction: float) -> None:
    with pytest.raises(DataError, match=re.escape(str(fraction))):
        load_digits_dataset(test_fraction=fraction)


def test_digits_too_small_test_fraction_raises_data_error() -> None:
    with pytest.raises(DataError, match=r"0\.001"):
        load_digits_dataset(test_fraction=0.001)


def test_array_dataset_rejects_mismatched_lengths() -> None:
    with pytest.raises(DataError, match=r"len\(x\)=3.*len\(y\)=2"):
        ArrayDataset(np.zeros((3, 2)), np.zeros(2, dtype=np.int64))


def test_array_dataset_rejects_float_labels() -> None:
    with pytest.raises(DataError, match="float64"):
        ArrayDataset(np.zeros((2, 2)), np.zeros(2))  # type: ignore[arg-type]


def test_array_dataset_casts_integer_labels_to_int64() -> None:
    dataset = ArrayDataset(np.zeros((2, 2)), np.array([0, 1], dtype=np.int32))

    assert dataset.y.dtype == np.int64


def test_subset_selects_rows_in_order() -> None:
    dataset = ArrayDataset(np.arange(10.0).reshape(5, 2), np.arange(5))

    part = dataset.subset([4, 1])

    assert len(part) == 2
    np.testing.assert_array_equal(part.x, [[8.0, 9.0], [2.0, 3.0]])
    np.testing.assert_array_equal(part.y, [4, 1])


def test_subset_rejects_out_of_range_index() -> None:
    dataset = ArrayDataset(np.zeros((5, 2)), np.arange(5))

    with pytest.raises(DataError, match=r"\[0, 5\)"):
        dataset.subset([0, 5])


def test_load_dataset_passes_options_to_loader() -> None:
    dataset = load_dataset("digits", test_fraction=0.5, seed=1)

    assert "digits" in DATASETS
    assert len(dataset.test) == pytest.approx(1797 / 2, abs=1)


def test_load_dataset_unknown_name_lists_known_names() -> None:
    with pytest.raises(DataError, match=r"'mnist'.*digits"):
        load_dataset("mnist")


def test_load_dataset_bad_option_raises_data_error() -> None:
    with pytest.raises(DataError, match="colour"):
        load_dataset("digits", colour=True)
