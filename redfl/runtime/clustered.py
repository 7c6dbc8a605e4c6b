"""Workers and pool for the clustered schema: K models, one per cluster.

The driver puts each cluster model into the object store once per round and
sends every worker one plan: the K references and the nodes' assignments. A
worker reads the models it needs once for all its nodes. A node with an
assignment trains (or is tested with) its cluster's model; a node without
one first measures every model's loss on its training data and takes the
lowest (IFCA).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ray

from redfl.clustering.ifca import choose_cluster
from redfl.data.datasets import ArrayDataset
from redfl.nodes.node import EvaluateReport, FederatedNode, FitReport
from redfl.parameters import Parameters
from redfl.runtime.host import NodeHost, NodeOutcome
from redfl.runtime.pool import NodePool


@dataclass(frozen=True)
class ClusterPlan:
    """The cluster models of a round and who uses which.

    ``refs[c]`` references cluster ``c``'s parameters; ``assignment`` maps a
    node id to its cluster. Nodes missing from it choose by loss.
    """

    refs: list[Any]
    assignment: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterFitReport(FitReport):
    """A fit report with the cluster trained and, when chosen, every loss."""

    cluster: int = 0
    cluster_losses: tuple[float, ...] = ()


@dataclass(frozen=True)
class ClusterEvaluateReport(EvaluateReport):
    """A node's test of its cluster's model on its group's test split.

    ``cluster_losses`` holds every model's training loss when the node chose.
    """

    cluster: int = 0
    cluster_losses: tuple[float, ...] = ()


class ClusterHost(NodeHost):
    """A worker that trains and tests nodes on their cluster's model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tests: dict[int | None, ArrayDataset] = {}

    def fit_clustered(
        self, round_num: int, plan: ClusterPlan, tasks: list[Any]
    ) -> list[NodeOutcome]:
        """Train each node on its cluster's model, choosing one first if unset."""
        models = self._models(plan, tasks)

        def fit_fn(node: FederatedNode) -> ClusterFitReport:
            cluster, losses = self._cluster_of(node, plan, models)
            report = node.fit(models[cluster], round_num)
            return ClusterFitReport(
                **vars(report), cluster=cluster, cluster_losses=losses
            )

        return self._run(tasks, round_num, fit_fn)

    def evaluate_clustered(
        self, round_num: int, plan: ClusterPlan, tasks: list[Any]
    ) -> list[NodeOutcome]:
        """Test each node's cluster model on the node's group's test split."""
        models = self._models(plan, tasks)

        def test_fn(node: FederatedNode) -> ClusterEvaluateReport:
            start = time.perf_counter()
            cluster, losses = self._cluster_of(node, plan, models)
            node.learner.set_parameters(models[cluster])
            tested = node.learner.evaluate(self._group_test(node.spec.group))
            return ClusterEvaluateReport(
                node_id=node.node_id,
                round_num=round_num,
                num_examples=tested.num_examples,
                loss=tested.loss,
                accuracy=tested.accuracy,
                duration_s=time.perf_counter() - start,
                cluster=cluster,
                cluster_losses=losses,
            )

        return self._run(tasks, round_num, test_fn)

    def _models(self, plan: ClusterPlan, tasks: list[Any]) -> dict[int, Parameters]:
        """Read the cluster models these tasks need, each once."""
        assigned = [plan.assignment.get(t.node_id) for t in tasks]
        if any(c is None for c in assigned):
            wanted = list(range(len(plan.refs)))
        else:
            wanted = sorted({c for c in assigned if c is not None})
        values = ray.get([plan.refs[c] for c in wanted])

        return dict(zip(wanted, values, strict=True))

    def _cluster_of(
        self, node: FederatedNode, plan: ClusterPlan, models: dict[int, Parameters]
    ) -> tuple[int, tuple[float, ...]]:
        """Return the node's cluster and, when it chose by loss, every loss."""
        cluster = plan.assignment.get(node.node_id)
        if cluster is not None:
            return cluster, ()
        losses = []
        for index in range(len(plan.refs)):
            node.learner.set_parameters(models[index])
            losses.append(node.learner.evaluate(node.local_data).loss)

        return choose_cluster(losses), tuple(losses)

    def _group_test(self, group: int | None) -> ArrayDataset:
        if group not in self._tests:
            self._tests[group] = self.dataset.group_test(group)
        return self._tests[group]


class ClusterPool(NodePool):
    """A `NodePool` whose workers run nodes on their cluster's model."""

    host_class = ray.remote(ClusterHost)

    def fit_clustered(
        self,
        round_num: int,
        plan: ClusterPlan,
        node_ids: Sequence[int],
        timeout_s: float | None = None,
    ) -> list[NodeOutcome]:
        """Train ``node_ids`` under ``plan``; outcomes by node id."""
        plan_ref = ray.put(plan)
        return self._dispatch("fit_clustered", round_num, plan_ref, node_ids, timeout_s)

    def evaluate_clustered(
        self,
        round_num: int,
        plan: ClusterPlan,
        node_ids: Sequence[int],
        timeout_s: float | None = None,
    ) -> list[NodeOutcome]:
        """Test ``node_ids`` on their cluster's model; outcomes by node id."""
        plan_ref = ray.put(plan)
        return self._dispatch(
            "evaluate_clustered", round_num, plan_ref, node_ids, timeout_s
        )
