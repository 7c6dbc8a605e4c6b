"""Shared fixtures: one Ray instance for the whole test session."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
import ray


@pytest.fixture(scope="session")
def ray_instance() -> Iterator[None]:
    """Start Ray once (2 CPUs, no dashboard) and stop it after the session."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
    yield
    ray.shutdown()
