"""Placement groups: one bundle per worker actor, placed within a bounded wait."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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
    start_timeout_s: float = 120.0
    gpus_per_bundle: float = 0.0
    custom: dict[str, float] = field(default_factory=dict)
    """Custom Ray resources every bundle holds (a site label, say)."""
    overrides: dict[int, dict[str, float]] = field(default_factory=dict)
    """Per-bundle resources that replace the shared ones (``CPU``, ``GPU``, ...)."""
    torch_threads: int | None = 1
    """Torch threads per worker; None for as many as the bundle has CPUs."""

    def bundle(self, index: int) -> dict[str, float]:
        """Return bundle ``index`` in the form Ray expects."""
        shared = {"CPU": self.cpus_per_bundle, "GPU": self.gpus_per_bundle}
        merged = {**shared, **self.custom, **self.overrides.get(index, {})}

        return {name: amount for name, amount in merged.items() if amount > 0}

    def bundle_list(self) -> list[dict[str, float]]:
        """Return every bundle in the form Ray expects."""
        return [self.bundle(i) for i in range(self.bundles)]

    def actor_options(self, index: int) -> dict[str, object]:
        """Return the resource options of the actor that fills bundle ``index``."""
        wanted = dict(self.bundle(index))
        options: dict[str, object] = {"num_cpus": wanted.pop("CPU", 0.0)}
        if "GPU" in wanted:
            options["num_gpus"] = wanted.pop("GPU")
        if wanted:
            options["resources"] = wanted

        return options

    def threads(self, index: int) -> int:
        """Return the torch threads a worker in bundle ``index`` should use."""
        if self.torch_threads is not None:
            return self.torch_threads
        return max(1, int(self.bundle(index).get("CPU", 1.0)))


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
            "placement group ready: %d bundle(s) %s, %s",
            request.bundles,
            request.bundle(0),
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
        PlacementError: one worker's CPU share cannot be given (below Ray's
            granularity, a fraction above one CPU, more than the largest Ray
            node has), a resource asked for beyond what the whole cluster
            has, or more strictly spread bundles than it has Ray nodes.
    """
    check_worker_fits(request)
    totals = ray.cluster_resources()
    asked: dict[str, float] = {}
    for bundle in request.bundle_list():
        for name, amount in bundle.items():
            asked[name] = asked.get(name, 0.0) + amount
    for name, amount in sorted(asked.items()):
        if amount > totals.get(name, 0.0) + 1e-9:
            raise PlacementError(
                f"{describe(request)} needs {amount:g} {name} in total; "
                f"{describe_cluster()}"
            )
    hosts = ray_nodes_that_fit(request.bundle(0))
    if request.strategy == "STRICT_SPREAD" and request.bundles > hosts:
        raise PlacementError(
            f"{describe(request)} needs {request.bundles} Ray nodes, one per "
            f"bundle, and {hosts} can hold a bundle; {describe_cluster()}"
        )


def ray_nodes_that_fit(bundle: dict[str, float]) -> int:
    """Return how many live Ray nodes have the resources of ``bundle``."""
    return sum(
        1
        for node in ray.nodes()
        if node.get("Alive")
        and all(
            node.get("Resources", {}).get(name, 0.0) >= amount
            for name, amount in bundle.items()
        )
    )


def check_worker_fits(request: PlacementRequest) -> None:
    """Fail when not even one worker's CPU share could ever be placed.

    Raises:
        PlacementError: names the share, the setting that made it and the
            largest Ray node.
    """
    shares = {bundle.get("CPU", 0.0) for bundle in request.bundle_list()}
    for share in sorted(shares):
        check_share_fits(share)


def check_share_fits(share: float) -> None:
    """Fail when a worker's CPU ``share`` could never be placed."""
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
    shapes = sorted({str(b) for b in request.bundle_list()})
    return (
        f"placement group of {request.bundles} bundle(s) "
        f"{', '.join(shapes)} ({request.strategy})"
    )


def describe_cluster() -> str:
    """Say what the connected cluster has."""
    totals, free = ray.cluster_resources(), ray.available_resources()
    hosts = len([n for n in ray.nodes() if n.get("Alive")])
    hidden = ("CPU", "GPU", "memory", "object_store_memory")
    custom = sorted(k for k in totals if k not in hidden and not k.startswith("node"))
    names = ["CPU", "GPU", *custom]
    have = ", ".join(
        f"{totals.get(k, 0.0):g} {k} ({free.get(k, 0.0):g} free)"
        for k in names
        if k in totals or k == "CPU"
    )
    return f"the cluster has {have} on {hosts} Ray node(s)"


def release(group: PlacementGroup | None) -> None:
    """Remove a placement group, ignoring one that is already gone."""
    if group is None:
        return
    try:
        remove_placement_group(group)
    except Exception as exc:  # the cluster may already be shutting down
        logger.debug("placement group removal failed: %r", exc)
