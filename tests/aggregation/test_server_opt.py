"""FedAvgM, FedAdam, FedYogi, FedAdagrad against hand-computed steps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from aggregation_helpers import params, updates

from redfl.aggregation import (
    FedAdagrad,
    FedAdam,
    FedAvg,
    FedAvgM,
    FedProx,
    FedYogi,
    Update,
    make_aggregator,
)
from redfl.aggregation.server_opt import ServerOptimizer
from redfl.errors import AggregationError, ConfigError
from redfl.parameters import Parameters


def value(result: Parameters) -> float:
    return float(result["w"][0])


def test_fedavgm_accumulates_server_momentum() -> None:
    rule = FedAvgM(server_lr=1.0, momentum=0.5)

    # Round 1: delta = 2 - 0 = 2, v = 2, new = 2.
    first = rule.aggregate(params([0]), updates([[1], [3]]), round_num=1)
    # Round 2: delta = 3 - 2 = 1, v = 0.5 * 2 + 1 = 2, new = 4.
    second = rule.aggregate(first, updates([[3], [3]]), round_num=2)

    assert value(first) == 2.0
    assert value(second) == 4.0


def test_fedavgm_without_momentum_and_unit_lr_is_fedavg() -> None:
    batch = updates([[1, 2], [4, -2], [0.5, 7]], examples=[3, 1, 2])
    current = params([0.25, -0.5])

    got = FedAvgM(server_lr=1.0, momentum=0.0).aggregate(current, batch, 1)
    want = FedAvg().aggregate(current, batch, 1)

    np.testing.assert_allclose(got["w"], want["w"], rtol=1e-6)


def test_fedadam_two_rounds() -> None:
    rule = FedAdam(eta=1.0, beta1=0.5, beta2=0.5, tau=1.0)

    # Round 1: delta = 1, m = 0.5, v = 0.5 * 1 + 0.5 * 1 = 1 (v starts at
    # tau**2 = 1), step = 0.5 / (1 + 1) = 0.25.
    first = rule.aggregate(params([0]), updates([[1]]), round_num=1)
    # Round 2: delta = 1.25 - 0.25 = 1, m = 0.75, v = 1, step = 0.375.
    second = rule.aggregate(first, updates([[1.25]]), round_num=2)

    assert value(first) == 0.25
    assert value(second) == 0.625


def test_fedyogi_two_rounds() -> None:
    rule = FedYogi(eta=3.0, beta1=0.5, beta2=0.25, tau=1.0)

    # Round 1: delta = 2, m = 1, v = 1 - 0.75 * 4 * sign(1 - 4) = 4,
    # step = 3 * 1 / (2 + 1) = 1.
    first = rule.aggregate(params([0]), updates([[2]]), round_num=1)
    # Round 2: delta = 0.5, m = 0.75, v = 4 - 0.75 * 0.25 * sign(4 - 0.25)
    # = 3.8125, step = 3 * 0.75 / (sqrt(3.8125) + 1).
    second = rule.aggregate(first, updates([[1.5]]), round_num=2)

    assert value(first) == 1.0
    assert value(second) == pytest.approx(1 + 2.25 / (math.sqrt(3.8125) + 1))


def test_fedyogi_and_fedadam_differ_when_deltas_shrink() -> None:
    adam = FedAdam(eta=3.0, beta1=0.5, beta2=0.25, tau=1.0)
    yogi = FedYogi(eta=3.0, beta1=0.5, beta2=0.25, tau=1.0)

    # Adam, round 1: v = 0.25 * 1 + 0.75 * 4 = 3.25, step = 3 / (sqrt(3.25) + 1).
    got = value(adam.aggregate(params([0]), updates([[2]]), 1))

    assert got == pytest.approx(3 / (math.sqrt(3.25) + 1))
    assert value(yogi.aggregate(params([0]), updates([[2]]), 1)) != got


def test_fedadagrad_sums_squared_deltas() -> None:
    rule = FedAdagrad(eta=1.0, beta1=0.0, tau=4.0)

    # Round 1: delta = 3, m = 3, v = 16 + 9 = 25, step = 3 / (5 + 4) = 1/3.
    first = rule.aggregate(params([0]), updates([[3]]), round_num=1)
    # Round 2: the mean sits 8 above the model, so delta = 8, m = 8,
    # v = 25 + 64 = 89, step = 8 / (sqrt(89) + 4).
    second = rule.aggregate(first, updates([[value(first) + 8]]), round_num=2)

    assert value(first) == pytest.approx(1 / 3)
    assert value(second) == pytest.approx(1 / 3 + 8 / (math.sqrt(89) + 4), rel=1e-6)


def test_server_optimizers_average_integers_and_running_statistics() -> None:
    current = Parameters(
        {
            "bn.weight": np.array([1.0], np.float32),
            "bn.running_var": np.array([1.0], np.float32),
            "bn.num_batches_tracked": np.array(10, np.int64),
        }
    )
    batch = [
        _update(0, weight=2.0, var=0.5, tracked=13, examples=1),
        _update(1, weight=4.0, var=2.0, tracked=16, examples=3),
    ]
    rule = FedAdam(eta=1.0, beta1=0.5, beta2=0.5, tau=1.0)

    result = rule.aggregate(current, batch, round_num=1)

    # The running variance is the weighted mean (0.5 + 3 * 2) / 4 = 1.625.
    assert float(result["bn.running_var"][0]) == 1.625
    # The counter: (13 + 3 * 16) / 4 = 15.25 -> 15, still int64.
    assert result["bn.num_batches_tracked"].dtype == np.int64
    assert int(result["bn.num_batches_tracked"]) == 15
    # The weight is stepped: delta = 3.5 - 1, not simply averaged.
    assert float(result["bn.weight"][0]) != 3.5
    assert set(rule.state["m"]) == {"bn.weight"}


def _update(
    node: int, weight: float, var: float, tracked: int, examples: int
) -> Update:
    return Update(
        node,
        Parameters(
            {
                "bn.weight": np.array([weight], np.float32),
                "bn.running_var": np.array([var], np.float32),
                "bn.num_batches_tracked": np.array(tracked, np.int64),
            }
        ),
        examples,
    )


@pytest.mark.parametrize("cls", [FedAdam, FedYogi, FedAdagrad, FedAvgM])
def test_state_dict_round_trip_continues_identically(
    cls: type[ServerOptimizer],
) -> None:
    original = cls()
    current = params([0.1, -0.2])
    for round_num, rows in enumerate([[[1, 2], [0, 1]], [[0.5, 0.5], [2, -1]]], 1):
        current = original.aggregate(current, updates(rows), round_num)

    state = original.state_dict()
    restored = cls()
    restored.load_state_dict(state)
    batch = updates([[0.3, 0.7], [-1, 4]])

    assert all(isinstance(a, np.ndarray) for a in state.values())
    assert state
    assert restored.aggregate(current, batch, 3).equals(
        original.aggregate(current, batch, 3)
    )


def test_state_dict_is_a_copy() -> None:
    rule = FedAdam()
    rule.aggregate(params([0]), updates([[1]]), 1)

    state = rule.state_dict()
    state["m/w"][...] = 99.0

    assert rule.state["m"]["w"][0] != 99.0


def test_load_state_dict_rejects_an_unknown_slot() -> None:
    with pytest.raises(ConfigError, match=r"unknown state key 'q/w'"):
        FedAdam().load_state_dict({"q/w": np.zeros(1)})


def test_non_finite_step_raises_naming_round_and_array() -> None:
    rule = FedAvgM(server_lr=1e308, momentum=0.0)

    with pytest.raises(AggregationError, match=r"round 5: fedavgm .* 'w'"):
        rule.aggregate(params([0]), updates([[1e10]]), round_num=5)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("fedadam", {"eta": 0}, "eta and tau must be > 0"),
        ("fedyogi", {"beta1": 1.0}, "beta1 must be in"),
        ("fedadam", {"beta2": -0.1}, "beta2 must be in"),
        ("fedavgm", {"momentum": 1.5}, "momentum must be in"),
        ("fedadagrad", {"beta2": 0.9}, "bad options"),
        ("fedprox", {"mu": 0.1}, "bad options"),
    ],
)
def test_bad_options_name_the_strategy_and_key(
    name: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_aggregator(name, **options)


def test_fedprox_aggregates_exactly_as_fedavg() -> None:
    batch = updates([[1, 2], [4, -2], [0.5, 7]], counts=[1, 2, 9], examples=[3, 1, 2])
    current = params([0.25, -0.5])

    assert (
        FedProx()
        .aggregate(current, batch, 1)
        .equals(FedAvg().aggregate(current, batch, 1))
    )
