"""Byzantine behaviour: what an attacking node sends, and who attacks."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.config import load_config
from redfl.data.datasets import ArrayDataset
from redfl.errors import ConfigError
from redfl.learners.base import EvaluateResult, FitResult, Learner
from redfl.nodes.attack import AttackSpec, attack_rng, select_attackers
from redfl.nodes.node import FederatedNode, NodeSpec
from redfl.parameters import Parameters
from redfl.types import Role

SENT = Parameters({"w": np.array([1.0, 2.0], np.float32), "n": np.array(4, np.int64)})
TRAINED = Parameters(
    {"w": np.array([1.5, 1.0], np.float32), "n": np.array(7, np.int64)}
)


def corrupt(spec: AttackSpec, seed: int = 0) -> Parameters:
    return spec.corrupt(SENT, TRAINED, np.random.default_rng(seed))


def test_sign_flip_reverses_and_scales_the_update() -> None:
    # delta = (0.5, -1); sent - 10 * delta = (1 - 5, 2 + 10).
    result = corrupt(AttackSpec("sign_flip", scale=10.0))

    np.testing.assert_array_equal(result["w"], [-4.0, 12.0])
    assert result["w"].dtype == np.float32


def test_scale_multiplies_the_update() -> None:
    result = corrupt(AttackSpec("scale", scale=3.0))

    np.testing.assert_array_equal(result["w"], [2.5, -1.0])


def test_gaussian_adds_seeded_noise_of_the_given_std() -> None:
    spec = AttackSpec("gaussian", std=2.0)

    noise = np.random.default_rng(5).normal(0.0, 2.0, size=2)

    np.testing.assert_allclose(corrupt(spec, seed=5)["w"], np.array([1.5, 1.0]) + noise)


def test_same_value_sends_one_constant_from_every_attacker() -> None:
    result = corrupt(AttackSpec("same_value", value=-3.0))

    np.testing.assert_array_equal(result["w"], [-3.0, -3.0])


@pytest.mark.parametrize(
    "kind", ["sign_flip", "scale", "gaussian", "same_value", "label_flip"]
)
def test_attacks_leave_integer_buffers_as_trained(kind: str) -> None:
    result = corrupt(AttackSpec(kind))  # type: ignore[arg-type]

    assert result["n"].dtype == np.int64
    assert int(result["n"]) == 7


def test_label_flip_maps_y_to_num_classes_minus_one_minus_y() -> None:
    data = ArrayDataset(np.zeros((3, 2), np.float32), np.array([0, 3, 9]))

    flipped = AttackSpec("label_flip", num_classes=10).flip(data)

    np.testing.assert_array_equal(flipped.y, [9, 6, 0])


def test_attack_starts_at_its_start_round() -> None:
    spec = AttackSpec("sign_flip", start_round=3)

    assert [spec.active(r) for r in (1, 2, 3, 4)] == [False, False, True, True]


def test_fraction_selection_is_seeded_and_sized() -> None:
    first = select_attackers(10, None, 0.3, run_seed=1)

    assert len(first) == 3
    assert first == select_attackers(10, None, 0.3, run_seed=1)
    assert first == sorted(first)
    assert any(
        select_attackers(10, None, 0.3, run_seed=s) != first for s in range(2, 6)
    )


def test_explicit_nodes_are_used_as_given() -> None:
    assert select_attackers(10, [7, 2], None, run_seed=0) == [2, 7]


class RecordingLearner(Learner):
    """Moves every weight by +1 and remembers the labels it trained on."""

    def __init__(self) -> None:
        self.params = SENT
        self.labels: list[np.ndarray] = []

    def get_parameters(self) -> Parameters:
        return self.params

    def set_parameters(self, parameters: Parameters) -> None:
        self.params = parameters

    def fit(self, data: ArrayDataset, seed: int, epochs: int) -> FitResult:
        self.labels.append(data.y.copy())
        moved = {k: v + 1 if v.dtype.kind == "f" else v for k, v in self.params.items()}
        self.params = Parameters(moved)
        return FitResult(num_examples=len(data), loss=0.0)

    def evaluate(self, data: ArrayDataset) -> EvaluateResult:
        return EvaluateResult(num_examples=len(data), loss=0.0, accuracy=1.0)


def make_node(attack: AttackSpec | None) -> tuple[FederatedNode, RecordingLearner]:
    learner = RecordingLearner()
    data = ArrayDataset(np.zeros((2, 2), np.float32), np.array([1, 8]))
    spec = NodeSpec(4, frozenset({Role.TRAIN}), np.arange(2), attack)
    node = FederatedNode(spec, learner, data, None, run_seed=0, local_epochs=1)
    return node, learner


def test_node_sends_honest_updates_before_start_round_then_attacks() -> None:
    node, _ = make_node(AttackSpec("sign_flip", scale=2.0, start_round=2))

    honest = node.fit(SENT, round_num=1).parameters
    attacked = node.fit(SENT, round_num=2).parameters

    # Honest: sent + 1. Attacked: sent - 2 * 1.
    np.testing.assert_array_equal(honest["w"], [2.0, 3.0])
    np.testing.assert_array_equal(attacked["w"], [-1.0, 0.0])


def test_node_gaussian_noise_is_seeded_by_run_round_and_node() -> None:
    node, _ = make_node(AttackSpec("gaussian", std=1.0))

    sent = node.fit(SENT, round_num=3).parameters
    noise = attack_rng(0, 3, 4).normal(0.0, 1.0, size=2)

    np.testing.assert_allclose(sent["w"], np.array([2.0, 3.0]) + noise, rtol=1e-6)


def test_node_label_flip_trains_on_flipped_labels() -> None:
    node, learner = make_node(AttackSpec("label_flip", num_classes=10))

    node.fit(SENT, round_num=1)

    np.testing.assert_array_equal(learner.labels[-1], [8, 1])


def test_config_needs_exactly_one_of_nodes_or_fraction() -> None:
    with pytest.raises(ConfigError, match="exactly one of nodes"):
        load_config({"attack": {"kind": "scale", "nodes": [1], "fraction": 0.2}})
    with pytest.raises(ConfigError, match="exactly one of nodes"):
        load_config({"attack": {"kind": "scale"}})


def test_config_rejects_attack_node_ids_outside_the_federation() -> None:
    data = {"nodes": {"count": 4}, "attack": {"kind": "scale", "nodes": [1, 4]}}

    with pytest.raises(ConfigError, match=r"ids \[4\] are not in 0..3"):
        load_config(data)


def test_config_rejects_an_unknown_attack_key() -> None:
    with pytest.raises(ConfigError, match=r"attack.strength: unknown key"):
        load_config({"attack": {"kind": "scale", "fraction": 0.1, "strength": 2}})
