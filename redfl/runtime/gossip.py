"""Workers and pool for gossip: nodes train their own models and mix in place.

Parameters stay in the object store: a worker puts each node's trained or
mixed parameters there and answers with a reference; mixing reads the
neighbours' references on the worker, so no arrays pass through the driver.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ray
from ray.exceptions import RayError

from redfl.nodes.node import EvaluateReport, FederatedNode
from redfl.parameters import Parameters
from redfl.runtime.host import NodeHost, NodeOutcome, SharedReport
from redfl.runtime.pool import NodePool
from redfl.topology.mixing import consensus_distance, mix_parameters

logger = logging.getLogger(__name__)

MixingPlan = dict[int, list[tuple[int, float, Any]]]
"""Per receiving node: (sender, weight, parameters reference), sender order."""


@dataclass(frozen=True)
class StartingPoints:
    """Where nodes new to a worker start: their own last model, or the initial."""

    initial: Any
    own: dict[int, Any] = field(default_factory=dict)


class GossipHost(NodeHost):
    """A worker whose nodes keep and train their own models between rounds.

    Each node has its own learner (its model is the node's, not shared).
    """

    share_learner = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._started: set[int] = set()

    def fit_own(
        self, round_num: int, starts: StartingPoints, tasks: list[Any]
    ) -> list[NodeOutcome]:
        """Train each node from its own model.

        A node this worker has not trained yet starts from its last known
        model in ``starts`` (after a resume or a lost worker), else from the
        initial model.
        """
        return self._run(tasks, round_num, lambda n: self._fit(n, starts, round_num))

    def mix(
        self, round_num: int, plan: MixingPlan, tasks: list[Any]
    ) -> list[NodeOutcome]:
        """Replace each node's model by the weighted mix its plan names."""
        return self._run(tasks, round_num, lambda n: self._mix(n, plan, round_num))

    def evaluate_own(
        self, round_num: int, starts: StartingPoints, tasks: list[Any]
    ) -> list[NodeOutcome]:
        """Evaluate each node's own model on the test split.

        A node new to this worker is tested on its last known model in
        ``starts``, as `fit_own` would train it.
        """
        return self._run(tasks, round_num, lambda n: self._test(n, starts, round_num))

    def consensus(
        self, refs: list[Any], want_mean: bool
    ) -> tuple[float, Parameters | None]:
        """Return the mean distance of the referenced models from their average."""
        models = ray.get(refs)
        distance, mean = consensus_distance(models)

        return distance, mean if want_mean else None

    def _fit(
        self, node: FederatedNode, starts: StartingPoints, round_num: int
    ) -> SharedReport:
        self._start(node, starts)
        report = node.train(round_num)
        check_finite(report.parameters, node.node_id, round_num)

        return SharedReport(
            node_id=node.node_id,
            round_num=round_num,
            parameters_ref=ray.put(report.parameters),
            nbytes=report.parameters.nbytes,
            num_examples=report.num_examples,
            loss=report.loss,
            duration_s=report.duration_s,
        )

    def _start(self, node: FederatedNode, starts: StartingPoints) -> None:
        """Give a node new to this worker its starting model, once."""
        if node.node_id not in self._started:
            node.learner.set_parameters(self._starting_point(node.node_id, starts))
            self._started.add(node.node_id)

    def _starting_point(self, node_id: int, starts: StartingPoints) -> Parameters:
        own = starts.own.get(node_id)
        if own is not None:
            try:
                model: Parameters = ray.get(own)
                return model
            except RayError as exc:
                logger.warning(
                    "node %d: last model lost (%s); starting from the initial one",
                    node_id,
                    type(exc).__name__,
                )
        initial: Parameters = ray.get(starts.initial)
        return initial

    def _mix(
        self, node: FederatedNode, plan: MixingPlan, round_num: int
    ) -> SharedReport:
        pairs = plan[node.node_id]
        models = ray.get([ref for _, _, ref in pairs])
        own = [sender for sender, _, _ in pairs].index(node.node_id)
        weights = [weight for _, weight, _ in pairs]

        mixed = mix_parameters(list(zip(weights, models, strict=True)), own=own)
        node.learner.set_parameters(mixed)
        self._started.add(node.node_id)

        return SharedReport(
            node_id=node.node_id,
            round_num=round_num,
            parameters_ref=ray.put(mixed),
            nbytes=mixed.nbytes,
        )

    def _test(
        self, node: FederatedNode, starts: StartingPoints, round_num: int
    ) -> EvaluateReport:
        self._start(node, starts)

        return node.test(round_num)


def check_finite(parameters: Parameters, node_id: int, round_num: int) -> None:
    """Raise when a floating array holds NaN or infinity.

    Raises:
        ValueError: names the node, the round and the array.
    """
    for name, array in parameters.items():
        if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
            raise ValueError(
                f"round {round_num}: node {node_id}: array {name!r} holds "
                "non-finite values after local training"
            )


class GossipPool(NodePool):
    """A `NodePool` whose workers train, mix and test nodes' own models."""

    host_class = ray.remote(GossipHost)
    sticky = True

    def fit_own(
        self,
        round_num: int,
        starts: StartingPoints,
        node_ids: Sequence[int],
        timeout_s: float | None = None,
    ) -> list[NodeOutcome]:
        """Train ``node_ids`` from their own models; outcomes by node id."""
        return self._dispatch("fit_own", round_num, starts, node_ids, timeout_s)

    def mix(
        self,
        round_num: int,
        plan: MixingPlan,
        timeout_s: float | None = None,
    ) -> list[NodeOutcome]:
        """Mix every node in ``plan``; the plan is stored once for all workers."""
        plan_ref = ray.put(plan)

        return self._dispatch("mix", round_num, plan_ref, sorted(plan), timeout_s)

    def evaluate_own(
        self,
        round_num: int,
        starts: StartingPoints,
        node_ids: Sequence[int],
        timeout_s: float | None = None,
    ) -> list[NodeOutcome]:
        """Test the own models of ``node_ids``; outcomes by node id."""
        return self._dispatch("evaluate_own", round_num, starts, node_ids, timeout_s)

    def read_models(self, refs: dict[int, Any]) -> dict[int, Parameters]:
        """Fetch nodes' models by reference; a model lost with its worker is skipped."""
        models = {}
        for node_id, ref in sorted(refs.items()):
            try:
                models[node_id] = ray.get(ref)
            except RayError as exc:
                logger.warning(
                    "node %d: model unavailable, its worker is gone (%s)",
                    node_id,
                    type(exc).__name__,
                )
        return models

    def consensus(
        self, refs: Sequence[Any], want_mean: bool = False, host: int = 0
    ) -> tuple[float | None, Parameters | None]:
        """Compute the consensus distance of ``refs`` (node order) on a worker.

        The models are read by worker ``host``, not the driver; only the
        distance (and, when asked, the average model) comes back. Returns
        (None, None) when a referenced model was lost with its worker.
        """
        start = time.perf_counter()
        try:
            call = self._host(host).consensus.remote(list(refs), want_mean)
            distance, mean = ray.get(call)
        except RayError as exc:
            logger.warning("consensus distance not computed: %s", exc)
            return None, None
        logger.debug(
            "consensus over %d models in %.3f s", len(refs), time.perf_counter() - start
        )

        return float(distance), mean
