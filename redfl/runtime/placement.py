"""Placement groups: one bundle per worker actor, placed within a bounded wait."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import ray
from ray.util.placement_group import (
    PlacementGroup,
    placement_group,
    remove_placement_group,
)

from redfl.errors import PlacementError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlacementRequest:
    """How many bundles, what each holds, and how Ray may spread them."""

    bundles: int
    cpus_per_bundle: float
    strategy: str = "PACK"
    timeout_s: float = 30.0

    def bundle_list(self) -> list[dict[str, float]]:
        """Return the bundles in the form Ray expects."""
        return [{"CPU": self.cpus_per_bundle} for _ in range(self.bundles)]


def uniform_split(total_cpus: float, workers: int) -> float:
    """Return each worker's share of ``total_cpus``, split evenly.

    Rounded down to 1/100 of a CPU (Ray's granularity is 1/10000) so the
    shares always fit in the total.
    """
    return max(0.01, int(total_cpus / workers * 100) / 100)


def reserve(request: PlacementRequest) -> PlacementGroup:
    """Create a placement group and wait until Ray has placed every bundle.

    Raises:
        PlacementError: the group was not placed within ``timeout_s``; the
            message says what was asked and what the cluster has. The group is
            removed so nothing stays pending.
    """
    check_feasible(request)
    group = placement_group(request.bundle_list(), strategy=request.strategy)
    ready, _ = ray.wait([group.ready()], timeout=request.timeout_s)
    if ready:
        logger.info(
            "placement group ready: %d bundle(s) of %.2f CPU, %s",
            request.bundles,
            request.cpus_per_bundle,
            request.strategy,
        )
        return group

    remove_placement_group(group)
    raise PlacementError(
        f"{describe(request)} not placed within {request.timeout_s:g} s; "
        f"{describe_cluster()}"
    )


def check_feasible(request: PlacementRequest) -> None:
    """Fail at once when no wait could ever place ``request``.

    Raises:
        PlacementError: one worker's share cannot be given (below Ray's
            granularity, a fraction above one CPU, more than the largest Ray
            node has), more CPU than the cluster has, or more strictly spread
            bundles than it has Ray nodes.
    """
    check_worker_fits(request)
    total = ray.cluster_resources().get("CPU", 0.0)
    asked = request.bundles * request.cpus_per_bundle
    if asked > total + 1e-9:
        raise PlacementError(
            f"{describe(request)} needs {asked:g} CPU in total; {describe_cluster()}"
        )
    hosts = len([n for n in ray.nodes() if n.get("Alive")])
    if request.strategy == "STRICT_SPREAD" and request.bundles > hosts:
        raise PlacementError(
            f"{describe(request)} needs {request.bundles} Ray nodes, one per "
            f"bundle; {describe_cluster()}"
        )


def check_worker_fits(request: PlacementRequest) -> None:
    """Fail when not even one worker's CPU share could ever be placed.

    Raises:
        PlacementError: names the share, the setting that made it and the
            largest Ray node.
    """
    share = request.cpus_per_bundle
    hint = "set resources.cpus or resources.workers so each worker gets"
    if share < MIN_CPU_SHARE:
        raise PlacementError(
            f"each worker would get {share:g} CPU, below Ray's smallest share "
            f"{MIN_CPU_SHARE:g}; {hint} at least that"
        )
    if share > 1 and not float(share).is_integer():
        raise PlacementError(
            f"each worker would get {share:g} CPU; Ray takes fractions only "
            f"below one CPU; {hint} a whole number of CPUs or less than one"
        )
    largest = max(
        (n.get("Resources", {}).get("CPU", 0.0) for n in ray.nodes() if n["Alive"]),
        default=0.0,
    )
    if share > largest + 1e-9:
        raise PlacementError(
            f"each worker needs {share:g} CPU on one Ray node, but the largest "
            f"has {largest:g}; {hint} at most {largest:g}; {describe_cluster()}"
        )


MIN_CPU_SHARE = 0.0001
"""Ray's granularity for fractional resources."""


def describe(request: PlacementRequest) -> str:
    """Say what a request asks for."""
    return (
        f"placement group of {request.bundles} bundle(s) x "
        f"{request.cpus_per_bundle:g} CPU ({request.strategy})"
    )


def describe_cluster() -> str:
    """Say what the connected cluster has."""
    total = ray.cluster_resources().get("CPU", 0.0)
    free = ray.available_resources().get("CPU", 0.0)
    hosts = len([n for n in ray.nodes() if n.get("Alive")])
    return f"the cluster has {total:g} CPU ({free:g} free) on {hosts} Ray node(s)"


def release(group: PlacementGroup | None) -> None:
    """Remove a placement group, ignoring one that is already gone."""
    if group is None:
        return
    try:
        remove_placement_group(group)
    except Exception as exc:  # the cluster may already be shutting down
        logger.debug("placement group removal failed: %r", exc)
