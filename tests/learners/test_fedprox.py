"""The FedProx proximal term in `TorchLearner`."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from redfl.data.datasets import ArrayDataset
from redfl.learners.factory import LearnerSpec
from redfl.learners.torch_learner import OptimizerSettings, TorchLearner
from redfl.models.registry import build_model
from redfl.parameters import Parameters


def small_data(seed: int = 0, rows: int = 48) -> ArrayDataset:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 64)).astype(np.float32)
    y = rng.integers(0, 10, size=rows).astype(np.int64)
    return ArrayDataset(x, y)


def fitted(mu: float | None, start: Parameters, data: ArrayDataset) -> Parameters:
    """Train from ``start`` for 3 epochs; mu=None leaves the argument out."""
    options = {} if mu is None else {"proximal_mu": mu}
    learner = TorchLearner(
        lambda: build_model("mlp", {"hidden": [16]}),
        OptimizerSettings(lr=0.5),
        batch_size=8,
        **options,
    )
    learner.set_parameters(start)
    learner.fit(data, seed=7, epochs=3)
    return learner.get_parameters()


@pytest.fixture
def start() -> Parameters:
    torch.manual_seed(0)
    from redfl.learners.torch_learner import state_dict_to_parameters

    return state_dict_to_parameters(build_model("mlp", {"hidden": [16]}))


def distance(a: Parameters, b: Parameters) -> float:
    return float(
        sum(np.sum((a[k].astype(np.float64) - b[k]) ** 2) for k in a if k in b)
    )


def test_mu_zero_trains_bit_for_bit_like_plain_local_training(
    start: Parameters,
) -> None:
    data = small_data()

    assert fitted(0.0, start, data).equals(fitted(None, start, data))


def test_positive_mu_keeps_the_model_closer_to_the_global_one(
    start: Parameters,
) -> None:
    data = small_data()

    free = fitted(0.0, start, data)
    held = fitted(1.0, start, data)

    assert not held.equals(free)
    assert distance(held, start) < 0.8 * distance(free, start)


def test_learner_spec_passes_mu_through() -> None:
    spec = LearnerSpec(model="mlp", model_kwargs={"hidden": [8]}, proximal_mu=0.3)

    learner = spec.build()

    assert isinstance(learner, TorchLearner)
    assert learner.proximal_mu == 0.3


def test_negative_mu_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"proximal_mu must be >= 0, got -1"):
        TorchLearner(lambda: build_model("mlp", {}), proximal_mu=-1)
