"""Robust rules against hand-computed values on tiny arrays."""

from __future__ import annotations

import numpy as np
import pytest
from aggregation_helpers import params, updates

from redfl.aggregation import Bulyan, FedMedian, Krum, MultiKrum, TrimmedMean
from redfl.aggregation.bulyan import bulyan_select, closest_to_median_mean


def test_median_takes_each_coordinate_median_and_weighted_integer_mean() -> None:
    rows = [[1, 10], [2, 20], [100, -5]]
    batch = updates(rows, counts=[1, 2, 3], examples=[1, 1, 2])

    result = FedMedian().aggregate(params([0, 0]), batch, round_num=1)

    np.testing.assert_array_equal(result["w"], np.array([2, 10], np.float32))
    # (1*1 + 1*2 + 2*3) / 4 = 2.25, rounded to 2, dtype kept.
    assert result["count"].dtype == np.int64
    assert int(result["count"]) == 2


def test_median_of_an_even_count_averages_the_middle_pair() -> None:
    batch = updates([[1], [2], [4], [100]])

    result = FedMedian().aggregate(params([0]), batch, round_num=1)

    assert float(result["w"][0]) == 3.0


def test_trimmed_mean_drops_floor_beta_n_per_side() -> None:
    # beta=0.2, n=5 -> k=1: drop 1 and 100 in the first coordinate.
    batch = updates([[1, 5], [2, 4], [3, 3], [4, 2], [100, -50]])

    result = TrimmedMean(beta=0.2).aggregate(params([0, 0]), batch, round_num=1)

    np.testing.assert_allclose(result["w"], [3.0, 3.0])


def test_trimmed_mean_with_beta_zero_is_the_plain_mean() -> None:
    batch = updates([[1], [2], [6]], examples=[1, 1, 10])

    result = TrimmedMean(beta=0.0).aggregate(params([0]), batch, round_num=1)

    assert float(result["w"][0]) == 3.0


# Points 0, 1, 2, 3, 100 with f=1: each score sums the squared distances to
# the n - f - 2 = 2 nearest others: 0 -> 1+4=5, 1 -> 1+1=2, 2 -> 1+1=2,
# 3 -> 1+4=5, 100 -> 97**2 + 98**2.
KRUM_ROWS = [[0.0], [1.0], [2.0], [3.0], [100.0]]


def test_krum_returns_the_lowest_score_with_ties_to_the_lower_node() -> None:
    krum = Krum(f=1)

    result = krum.aggregate(params([0]), updates(KRUM_ROWS), round_num=1)

    assert float(result["w"][0]) == 1.0
    assert krum.last_selected == [1]


def test_multikrum_averages_the_m_lowest_scores() -> None:
    # Order of scores: nodes 1, 2 (2), then 0, 3 (5): m=3 picks 0, 1, 2.
    multi = MultiKrum(f=1, m=3)

    result = multi.aggregate(params([0]), updates(KRUM_ROWS), round_num=1)

    assert float(result["w"][0]) == 1.0
    assert multi.last_selected == [0, 1, 2]


def test_multikrum_defaults_to_n_minus_f_and_leaves_the_outlier_out() -> None:
    multi = MultiKrum(f=1)

    result = multi.aggregate(params([0]), updates(KRUM_ROWS), round_num=1)

    assert multi.last_selected == [0, 1, 2, 3]
    assert float(result["w"][0]) == 1.5


def test_krum_measures_distance_over_all_floating_arrays_only() -> None:
    # Node 2 sits far away in "w"; the integer counter must not count.
    batch = updates([[0, 0], [0, 1], [50, 50], [1, 0]], counts=[0, 0, 0, 10**6])

    krum = Krum(f=0)
    krum.aggregate(params([0, 0]), batch, round_num=1)

    # Scores with 2 neighbours: 0 -> 1+1=2, 1 -> 1+2=3, 3 -> 1+2=3.
    assert krum.last_selected == [0]


def test_closest_to_median_mean_keeps_the_values_nearest_the_median() -> None:
    stacked = np.array([[0.0], [1.0], [2.0], [6.0], [7.0]])

    # Median 2; distances 2, 1, 0, 4, 5; keep 3 -> 0, 1, 2.
    assert closest_to_median_mean(stacked, keep=3)[0] == 1.0


def test_bulyan_selects_by_repeated_krum_then_trims_around_the_median() -> None:
    # f=1, n=7: theta = 5 selected, beta = 3 kept per coordinate. The worked
    # selection (scores over 4, 3, 2, 1, 1 neighbours) picks values
    # 3, 2, 1, 0, 7; around the median 2 the nearest three are 1, 2, 3.
    rows = [[0.0], [1.0], [2.0], [3.0], [7.0], [50.0], [-60.0]]
    bulyan = Bulyan(f=1)

    result = bulyan.aggregate(params([0]), updates(rows), round_num=1)

    assert bulyan.last_selected == [0, 1, 2, 3, 4]
    assert float(result["w"][0]) == 2.0


def test_bulyan_select_picks_in_the_hand_worked_order() -> None:
    vectors = np.array([[0.0], [1.0], [2.0], [3.0], [7.0], [50.0], [-60.0]])

    assert bulyan_select(vectors, f=1) == [0, 1, 2, 3, 4]


def test_bulyan_with_f_zero_is_the_plain_mean() -> None:
    batch = updates([[1.0, 0.0], [2.0, 3.0], [6.0, 3.0]])

    result = Bulyan(f=0).aggregate(params([0, 0]), batch, round_num=1)

    np.testing.assert_allclose(result["w"], [3.0, 2.0])


@pytest.mark.parametrize("rule", [FedMedian(), TrimmedMean(0.2), Krum(1), Bulyan(1)])
def test_robust_rules_combine_in_node_id_order_whatever_the_arrival(
    rule: object,
) -> None:
    rows = [[0.5, 2.0], [1.0, -1.0], [0.25, 0.0], [3.0, 1.0], [0.0, 0.1]]
    rows += [[9.0, 9.0], [-9.0, 4.0]]
    batch = updates(rows)

    forward = rule.aggregate(params([0, 0]), batch, round_num=1)  # type: ignore[attr-defined]
    backward = rule.aggregate(params([0, 0]), batch[::-1], round_num=1)  # type: ignore[attr-defined]

    assert forward.equals(backward)
