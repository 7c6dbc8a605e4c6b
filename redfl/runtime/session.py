"""Starting and stopping Ray around a run."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ray

import redfl

logger = logging.getLogger(__name__)


@contextmanager
def ray_session(
    address: str | None = None,
    num_cpus: int | None = None,
    runtime_env: dict[str, Any] | None = None,
    ship_redfl: bool = True,
) -> Iterator[bool]:
    """Use the running Ray instance, or start or join one and leave it after.

    Args:
        address: an existing cluster (``auto``, ``host:port``, ``ray://...``);
            None starts a local instance.
        runtime_env: Ray's runtime environment for every worker.
        ship_redfl: with an ``address``, upload Red's package with the job.

    Yields:
        True when this call started or joined Ray (and will disconnect).
    """
    if ray.is_initialized():
        yield False
        return

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DEDUP_LOGS", "1")
    ray.init(
        address=address or "local",
        runtime_env=job_environment(address, runtime_env or {}, ship_redfl),
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


def job_environment(
    address: str | None, runtime_env: dict[str, Any], ship_redfl: bool
) -> dict[str, Any] | None:
    """Return the runtime environment for the job, Red's package added to it.

    On a cluster the workers may run on machines where Red is not installed;
    Ray's ``py_modules`` uploads the package with the job.
    """
    env = dict(runtime_env)
    if address and ship_redfl:
        package = str(Path(redfl.__file__).resolve().parent)
        modules = list(env.get("py_modules", []))
        if package not in modules:
            env["py_modules"] = [*modules, package]

    return env or None


def cluster_resources() -> dict[str, float]:
    """Return the connected cluster's resources, without Ray's own labels.

    Per-node labels (``node:...``) and placement-group entries
    (``CPU_group_...``) are left out.
    """
    return {
        name: float(amount)
        for name, amount in sorted(ray.cluster_resources().items())
        if not name.startswith("node:") and "_group_" not in name
    }
