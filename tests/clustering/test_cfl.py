"""CFL's split test and bipartition on constructed update vectors."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.clustering import (
    UpdateNorms,
    bipartition,
    cosine_similarity,
    flat_update,
    should_split,
    update_norms,
)
from redfl.parameters import Parameters


def test_opposing_updates_have_a_small_mean_and_large_members() -> None:
    updates = np.array([[3.0, 0.0], [3.0, 0.0], [-3.0, 0.0], [-3.0, 0.0]])

    norms = update_norms(updates, [1, 1, 1, 1])

    assert norms.mean == pytest.approx(0.0)
    assert norms.max == pytest.approx(3.0)
    assert should_split(norms, eps1=0.5, eps2=1.0, size=4)


def test_update_norms_weight_the_mean_by_examples() -> None:
    updates = np.array([[1.0, 0.0], [-1.0, 0.0]])

    norms = update_norms(updates, [3, 1])

    assert norms.mean == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("norms", "size", "expected"),
    [
        (UpdateNorms(mean=0.1, max=2.0), 4, True),
        (UpdateNorms(mean=0.6, max=2.0), 4, False),  # not yet stationary
        (UpdateNorms(mean=0.1, max=0.9), 4, False),  # every node is content
        (UpdateNorms(mean=0.1, max=2.0), 1, False),  # one node cannot split
    ],
)
def test_split_needs_small_mean_large_max_and_two_nodes(
    norms: UpdateNorms, size: int, expected: bool
) -> None:
    assert should_split(norms, eps1=0.5, eps2=1.0, size=size) is expected


def test_bipartition_separates_two_directions() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=50), rng.normal(size=50)
    rows = [a + 0.1 * rng.normal(size=50) for _ in range(3)]
    rows += [b + 0.1 * rng.normal(size=50) for _ in range(3)]
    order = [0, 3, 1, 4, 5, 2]

    first, second = bipartition(np.array([rows[i] for i in order]))

    assert first == [0, 2, 5]
    assert second == [1, 3, 4]


def test_bipartition_ignores_scale() -> None:
    updates = np.array([[1.0, 0.0], [100.0, 1.0], [0.0, 1.0], [0.1, 50.0]])

    assert bipartition(updates) == ([0, 1], [2, 3])


def test_bipartition_needs_two_updates() -> None:
    with pytest.raises(ValueError, match="got 1"):
        bipartition(np.ones((1, 3)))


def test_cosine_similarity_of_a_zero_update_is_zero() -> None:
    similarity = cosine_similarity(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))

    assert similarity[0, 1] == 0.0
    assert similarity[1, 2] == pytest.approx(1.0)


def test_flat_update_skips_integer_buffers() -> None:
    old = Parameters(
        {"w": np.zeros((2, 2), np.float32), "count": np.array(3, np.int64)}
    )
    new = Parameters({"w": np.ones((2, 2), np.float32), "count": np.array(9, np.int64)})

    delta = flat_update(new, old)

    assert delta.dtype == np.float64
    assert delta.tolist() == [1.0, 1.0, 1.0, 1.0]
