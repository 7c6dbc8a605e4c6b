"""Learner state: what a node keeps between rounds, outside the worker."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.data.datasets import load_digits_dataset
from redfl.learners.torch_learner import OptimizerSettings, TorchLearner
from redfl.models.registry import build_model


def learner(keep: bool) -> TorchLearner:
    return TorchLearner(
        model_fn=lambda: build_model("logistic_regression"),
        optimizer=OptimizerSettings(momentum=0.9),
        keep_optimizer_state=keep,
    )


def test_optimizer_state_moves_between_learners_unchanged() -> None:
    data = load_digits_dataset(seed=0).train.subset(np.arange(64))
    one, other, start = learner(True), learner(True), learner(True)
    other.set_parameters(one.get_parameters())
    start.set_parameters(one.get_parameters())

    one.fit(data, seed=1, epochs=1)
    other.fit(data, seed=1, epochs=1)
    start.load_state(other.state())
    start.set_parameters(other.get_parameters())
    one.fit(data, seed=2, epochs=1)
    start.fit(data, seed=2, epochs=1)

    assert one.get_parameters().checksum() == start.get_parameters().checksum()
    assert set(one.state()) == {"0.momentum_buffer", "1.momentum_buffer"}


def test_learner_without_kept_state_refuses_state() -> None:
    plain = learner(False)

    plain.load_state({})
    with pytest.raises(ValueError, match="keep_optimizer_state is off"):
        plain.load_state({"0.momentum_buffer": np.zeros(3)})
    assert plain.state() == {}
