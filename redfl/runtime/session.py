"""Starting and stopping Ray around a run."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import ray

logger = logging.getLogger(__name__)


@contextmanager
def ray_session(
    address: str | None = None, num_cpus: int | None = None
) -> Iterator[bool]:
    """Use the running Ray instance, or start one and shut it down after.

    Yields:
        True when this call started Ray (and will shut it down).
    """
    if ray.is_initialized():
        yield False
        return

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DEDUP_LOGS", "1")
    ray.init(
        address=address or "local",
        num_cpus=None if address else num_cpus,
        include_dashboard=False,
        logging_level=logging.WARNING,
        log_to_driver=True,
    )
    logger.info("started Ray (address=%s)", address or "local")
    try:
        yield True
    finally:
        ray.shutdown()
        logger.info("stopped Ray")


def available_cpus() -> float:
    """Return the CPUs the connected Ray cluster has in total."""
    return float(ray.cluster_resources().get("CPU", 0.0))
