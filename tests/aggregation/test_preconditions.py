"""The bounds of Krum, Multi-Krum, Bulyan and trimmed mean: at, below, above."""

from __future__ import annotations

import pytest
from aggregation_helpers import params, updates

from redfl.aggregation import Bulyan, Krum, MultiKrum, TrimmedMean, check_strategy
from redfl.config import load_config
from redfl.errors import AggregationError, ConfigError


def rows(n: int) -> list[list[float]]:
    return [[float(i)] for i in range(n)]


@pytest.mark.parametrize("f", [0, 1, 2])
@pytest.mark.parametrize(("offset", "ok"), [(-1, False), (0, False), (1, True)])
def test_krum_needs_n_above_2f_plus_2(f: int, offset: int, ok: bool) -> None:
    n = 2 * f + 2 + offset

    if ok:
        Krum(f).aggregate(params([0]), updates(rows(n)), round_num=3)
        assert Krum(f).precondition(n) is None
    else:
        with pytest.raises(AggregationError, match=rf"round 3: krum.*n={n}, f={f}"):
            Krum(f).aggregate(params([0]), updates(rows(n)), round_num=3)


@pytest.mark.parametrize("f", [0, 1, 2])
@pytest.mark.parametrize(("offset", "ok"), [(-1, False), (0, True), (1, True)])
def test_bulyan_needs_n_at_least_4f_plus_3(f: int, offset: int, ok: bool) -> None:
    n = 4 * f + 3 + offset

    if ok:
        Bulyan(f).aggregate(params([0]), updates(rows(n)), round_num=2)
    else:
        with pytest.raises(AggregationError, match=rf"round 2: bulyan.*n={n}, f={f}"):
            Bulyan(f).aggregate(params([0]), updates(rows(n)), round_num=2)


@pytest.mark.parametrize(
    ("beta", "n", "ok"),
    [
        (0.5, 2, False),  # 2 * floor(1.0) = 2, not < 2
        (0.5, 3, True),  # 2 * floor(1.5) = 2 < 3
        (0.5, 4, False),  # 2 * floor(2.0) = 4, not < 4
        (0.4, 4, True),  # 2 * floor(1.6) = 2 < 4
        (0.4, 5, True),  # 2 * floor(2.0) = 4 < 5
        (0.0, 1, True),  # nothing trimmed
    ],
)
def test_trimmed_mean_needs_twice_the_trim_below_n(
    beta: float, n: int, ok: bool
) -> None:
    rule = TrimmedMean(beta)

    if ok:
        rule.aggregate(params([0]), updates(rows(n)), round_num=4)
    else:
        with pytest.raises(AggregationError, match=rf"round 4: .*n={n}, beta="):
            rule.aggregate(params([0]), updates(rows(n)), round_num=4)


def test_multikrum_rejects_m_above_n_minus_f() -> None:
    with pytest.raises(AggregationError, match=r"m <= n - f = 4, got m=5"):
        MultiKrum(f=1, m=5).aggregate(params([0]), updates(rows(5)), round_num=1)


@pytest.mark.parametrize(
    ("options", "key"),
    [({"f": -1}, "f"), ({"f": 1.5}, "f"), ({"m": 0}, "m"), ({"f": True}, "f")],
)
def test_krum_options_are_validated_naming_the_key(
    options: dict[str, object], key: str
) -> None:
    with pytest.raises(ConfigError, match=rf"{key} must be an integer"):
        MultiKrum(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("beta", [-0.1, 1.0, "a"])
def test_trimmed_mean_rejects_beta_outside_zero_one(beta: object) -> None:
    with pytest.raises(ConfigError, match="beta must be in"):
        TrimmedMean(beta)  # type: ignore[arg-type]


def test_check_strategy_names_n_and_f() -> None:
    with pytest.raises(ConfigError, match=r"n > 2f \+ 2 = 6, got n=5, f=2"):
        check_strategy("krum", {"f": 2}, 5)


def test_config_rejects_krum_that_sampling_cannot_feed() -> None:
    # 10 nodes at fraction 0.5 -> 5 sampled per round; Krum f=2 needs 7.
    data = {
        "nodes": {"count": 10},
        "sampling": {"fraction_fit": 0.5},
        "strategy": {"name": "krum", "options": {"f": 2}},
    }

    with pytest.raises(ConfigError, match=r"got n=5, f=2"):
        load_config(data)


def test_config_counts_min_fit_nodes_when_sampling_fewer() -> None:
    # ceil(0.1 * 10) = 1, raised to min_fit_nodes = 7 > 2f + 2 = 6.
    data = {
        "nodes": {"count": 10},
        "sampling": {"fraction_fit": 0.1, "min_fit_nodes": 7},
        "strategy": {"name": "krum", "options": {"f": 2}},
    }

    assert load_config(data).strategy.name == "krum"


def test_config_rejects_an_unknown_strategy_option() -> None:
    data = {"strategy": {"name": "bulyan", "options": {"beta": 0.1}}}

    with pytest.raises(ConfigError, match="bulyan"):
        load_config(data)
