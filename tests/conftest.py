"""Shared fixtures: one Ray instance for the whole test session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# Start a private Ray instance; never join another one running on this machine.
os.environ.setdefault("RAY_ADDRESS", "local")


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    """Start Ray once (2 CPUs) for every test that needs it.

    Workers can import the test learners in ``tests/runtime``.
    """
    import ray

    helpers = str(Path(__file__).parent / "runtime")
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        logging_level="WARNING",
        runtime_env={"env_vars": {"PYTHONPATH": helpers}},
    )
    yield
    ray.shutdown()


def _small_config(**sections: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "name": "test",
        "rounds": 3,
        "nodes": {"count": 4},
        "learner": {"local_epochs": 1},
        "data": {"partition": {"kind": "iid"}},
        "output": {"plots": False},
    }
    config.update(sections)
    return config


@pytest.fixture
def small_config() -> Callable[..., dict[str, Any]]:
    """Return a builder of fast federations: 4 nodes, 3 rounds, 1 epoch."""
    return _small_config
