"""The generated dataset and model sizes that follow it."""

from __future__ import annotations

import numpy as np
import pytest

import redfl
from redfl.data.synthetic import SyntheticOptions, load_synthetic_dataset
from redfl.errors import ConfigError, DataError
from redfl.federation.setup import prepare


def test_synthetic_is_seeded_and_shaped() -> None:
    options = SyntheticOptions(samples=500, features=6, informative=4, classes=3)

    first = load_synthetic_dataset(0.2, seed=3, options=options)
    again = load_synthetic_dataset(0.2, seed=3, options=options)
    other = load_synthetic_dataset(0.2, seed=4, options=options)

    assert first.train.x.shape == (400, 6) and first.test.x.shape == (100, 6)
    assert first.train.x.dtype == np.float32 and set(first.train.y) == {0, 1, 2}
    assert np.array_equal(first.train.x, again.train.x)
    assert not np.array_equal(first.train.x, other.train.x)


@pytest.mark.parametrize(
    ("synthetic", "expected"),
    [
        ({"samples": 1}, "data.synthetic.samples"),
        ({"colour": "red"}, "data.synthetic.colour: unknown key"),
        ({"features": 4, "informative": 5}, "informative=5 exceeds features=4"),
    ],
)
def test_synthetic_options_are_checked(
    synthetic: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        redfl.load_config({"data": {"dataset": "synthetic", "synthetic": synthetic}})


def test_split_leaving_no_test_sample_is_refused() -> None:
    with pytest.raises(DataError, match="leaves the train or the test split empty"):
        load_synthetic_dataset(0.01, options=SyntheticOptions(samples=10))


def test_model_sizes_follow_the_dataset_unless_set() -> None:
    data = {"dataset": "synthetic", "synthetic": {"samples": 400, "features": 12}}
    config = redfl.load_config({"data": data, "nodes": {"count": 4}})
    sized = redfl.load_config(
        {
            "data": data,
            "nodes": {"count": 4},
            "model": {"name": "mlp", "kwargs": {"input_dim": 12, "num_classes": 10}},
        }
    )

    prepared = prepare(config)

    assert prepared.learner_spec.model_kwargs["input_dim"] == 12
    assert prepared.learner_spec.model_kwargs["num_classes"] == 10
    assert prepared.initial_parameters["1.weight"].shape == (64, 12)
    assert prepare(sized).initial_parameters.checksum() == (
        prepared.initial_parameters.checksum()
    )
