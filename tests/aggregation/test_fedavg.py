import numpy as np
import pytest

from redfl.aggregation import FedAvg, Update, make_aggregator, weighted_mean
from redfl.errors import AggregationError, ConfigError
from redfl.parameters import Parameters


def params(w: list[float], count: int = 0) -> Parameters:
    return Parameters(
        {
            "w": np.array(w, dtype=np.float32),
            "num_batches_tracked": np.array(count, dtype=np.int64),
        }
    )


CURRENT = params([0.0, 0.0])


def test_fedavg_weights_by_examples() -> None:
    updates = [Update(0, params([1.0, 2.0]), 10), Update(1, params([4.0, 8.0]), 30)]

    result = FedAvg().aggregate(CURRENT, updates, round_num=1)

    # (10 * [1, 2] + 30 * [4, 8]) / 40 = [3.25, 6.5]
    np.testing.assert_array_equal(result["w"], np.array([3.25, 6.5], np.float32))
    assert result["w"].dtype == np.float32


def test_fedavg_rounds_integer_buffers_and_keeps_their_dtype() -> None:
    updates = [Update(0, params([0, 0], count=10), 1), Update(1, params([0, 0], 13), 2)]

    result = FedAvg().aggregate(CURRENT, updates, round_num=1)

    # (10 * 1 + 13 * 2) / 3 = 12.0
    assert result["num_batches_tracked"].dtype == np.int64
    assert int(result["num_batches_tracked"]) == 12


def test_fedavg_accumulates_in_float64() -> None:
    # In float32, 2**24 / 4 + 3 * (1 / 4) loses the three quarters.
    values = [2.0**24, 1.0, 1.0, 1.0]
    updates = [Update(i, params([v, 0.0]), 1) for i, v in enumerate(values)]

    result = weighted_mean(CURRENT, updates)

    assert result["w"][0] == np.float32((2**24 + 3) / 4)


def test_fedavg_is_independent_of_arrival_order() -> None:
    rng = np.random.default_rng(0)
    updates = [
        Update(i, params(list(rng.normal(size=2))), int(rng.integers(1, 50)))
        for i in range(6)
    ]

    forward = weighted_mean(CURRENT, updates)
    backward = weighted_mean(CURRENT, list(reversed(updates)))

    assert forward.equals(backward)


def test_zero_total_examples_is_an_error_not_nan() -> None:
    updates = [Update(0, params([1.0, 1.0]), 0), Update(1, params([2.0, 2.0]), 0)]

    with pytest.raises(AggregationError, match="0 examples"):
        FedAvg().aggregate(CURRENT, updates, round_num=1)


def test_no_updates_is_an_error() -> None:
    with pytest.raises(AggregationError, match="empty"):
        FedAvg().aggregate(CURRENT, [], round_num=1)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Parameters({"w": np.zeros(2, np.float32)}), "missing array"),
        (
            Parameters(
                {"w": np.zeros(3, np.float32), "num_batches_tracked": np.array(0)}
            ),
            "shape",
        ),
        (
            Parameters(
                {"w": np.zeros(2, np.float64), "num_batches_tracked": np.array(0)}
            ),
            "dtype",
        ),
    ],
)
def test_mismatched_update_names_the_node(bad: Parameters, message: str) -> None:
    updates = [Update(0, params([1.0, 1.0]), 1), Update(5, bad, 1)]

    with pytest.raises(AggregationError, match=f"node 5: .*{message}"):
        FedAvg().aggregate(CURRENT, updates, round_num=1)


def test_unknown_strategy_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown strategy 'fedavgx'"):
        make_aggregator("fedavgx")
