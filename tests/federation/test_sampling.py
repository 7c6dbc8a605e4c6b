import numpy as np
import pytest

from redfl.federation.base import sample_nodes


@pytest.mark.parametrize(
    ("fraction", "minimum", "expected"),
    [(1.0, 1, 10), (0.3, 1, 3), (0.1, 4, 4), (0.05, 1, 1)],
)
def test_sample_size_follows_fraction_and_minimum(
    fraction: float, minimum: int, expected: int
) -> None:
    chosen = sample_nodes(range(10), fraction, minimum, np.random.default_rng(0))

    assert len(chosen) == expected
    assert chosen == sorted(set(chosen))


def test_sampling_is_seeded() -> None:
    a = sample_nodes(range(100), 0.1, 1, np.random.default_rng(3))
    b = sample_nodes(range(100), 0.1, 1, np.random.default_rng(3))
    c = sample_nodes(range(100), 0.1, 1, np.random.default_rng(4))

    assert a == b
    assert a != c
