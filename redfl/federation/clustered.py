"""`ClusteredFederation`: one model per cluster of nodes (IFCA, CFL, data-driven).

The server keeps a list of cluster models and each node's cluster. Rounds
follow the client-server pattern (sample, send, train, screen, aggregate),
with one aggregator per cluster:

- ``ifca``: K seeded models; every sampled node measures each model's loss
  on its training data, trains the lowest, and joins that cluster.
- ``cfl``: one cluster to start; a cluster whose mean update is small while
  some node's update is large splits in two by the cosine similarity of
  the updates, up to ``k`` clusters.
- ``data_driven``: k-means on the nodes' label distributions fixes the
  clusters before round 1; then FedAvg (or the configured strategy) runs
  per cluster.

A cluster that receives no usable update in a round keeps its model, and
the round's record says so under ``unchanged_clusters``.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from redfl.aggregation import Aggregator, make_aggregator
from redfl.aggregation.base import Update
from redfl.clustering import (
    bipartition,
    cluster_by_labels,
    flat_update,
    label_histograms,
    should_split,
    update_norms,
)
from redfl.communication.message import MessageKind
from redfl.config import RunConfig
from redfl.errors import CheckpointError, RoundError
from redfl.federation.client_server import ClientServerFederation
from redfl.learners.torch_learner import state_dict_to_parameters
from redfl.models.registry import build_model
from redfl.nodes.node import FitReport
from redfl.parameters import Parameters
from redfl.results.history import History, clean_number
from redfl.results.plots import plot_cluster_assignments
from redfl.runtime.clustered import (
    ClusterEvaluateReport,
    ClusterFitReport,
    ClusterPlan,
    ClusterPool,
)
from redfl.seeding import Stream, derive_rng, derive_seed
from redfl.topology.graph import SERVER_ID
from redfl.types import Role

logger = logging.getLogger(__name__)

INIT_KEY, KMEANS_KEY, FIRST_NODE_KEY = 1, 2, 3
"""Sub-keys of the CLUSTER seed stream: random models, k-means, first node."""


def cluster_initial_parameters(config: RunConfig, cluster: int) -> Parameters:
    """Build cluster ``cluster``'s initial model with its own derived seed.

    The seed comes from ``clustering.init_seed`` (the run seed when unset)
    and the cluster index, so the K models differ and are reproducible.
    """
    base = config.clustering.init_seed
    seed = derive_seed(
        config.seed if base is None else base, Stream.CLUSTER, INIT_KEY, cluster
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(config.model.name, config.model.kwargs)

    return state_dict_to_parameters(model)


class ClusteredFederation(ClientServerFederation):
    """Train one model per cluster; assign nodes by IFCA, CFL or label k-means."""

    pool_class = ClusterPool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = self.config.clustering
        self.models: list[Parameters] = []
        self.aggregators: list[Aggregator] = []
        self.assignment: dict[int, int] = {}

    def train(self) -> History:
        """Run every round, then save each cluster's model and the plot."""
        try:
            return super().train()
        finally:
            self._write_cluster_files()

    def run_round(self, round_num: int) -> dict[str, Any]:
        """Run one clustered round and return its record."""
        if not self.models:
            self._start_clusters()
        sampled = self.sample(round_num)

        choose = self.settings.algorithm == "ifca"
        plan = self._send_models(round_num, sampled, choose=choose)
        outcomes = self._cluster_pool().fit_clustered(
            round_num, plan, sampled, timeout_s=self.config.round_timeout_s
        )
        reports, failures = self._screen(outcomes, self.models[0], round_num)
        usable = sum(1 for r in reports if r.num_examples > 0)
        self.require_enough(round_num, len(sampled), usable, failures)
        trained = [r for r in reports if isinstance(r, ClusterFitReport)]

        record = self._record(round_num, sampled, reports, failures)
        if self.settings.algorithm == "ifca":
            self.assignment.update({r.node_id: r.cluster for r in trained})
            record["cluster_losses"] = {
                str(r.node_id): [clean_number(x) for x in r.cluster_losses]
                for r in trained
            }
        if self.settings.algorithm == "cfl":
            record.update(self._split_clusters(round_num, trained))
        record["unchanged_clusters"] = self._aggregate(round_num, trained)
        self.parameters = self.models[0]

        record.update(self._assignment_record())
        if round_num % self.config.evaluation.every == 0 or (
            round_num == self.config.rounds
        ):
            record.update(self._test_clusters(round_num))

        return record

    def schema_state(self) -> dict[str, Any]:
        """Return the cluster models, their strategies' state and the assignment."""
        return {
            "models": list(self.models),
            "strategy_states": [a.state_dict() for a in self.aggregators],
            "assignment": dict(self.assignment),
        }

    def restore_schema_state(self, state: dict[str, Any]) -> None:
        """Continue from checkpointed clusters instead of starting new ones.

        Raises:
            CheckpointError: the checkpoint holds no cluster state.
        """
        if not state.get("models"):
            raise CheckpointError(
                "the checkpoint holds no cluster models; it was not written by "
                "a clustered run"
            )
        self.models = list(state["models"])
        self.aggregators = [self._new_aggregator() for _ in self.models]
        for aggregator, saved in zip(
            self.aggregators, state["strategy_states"], strict=True
        ):
            aggregator.load_state_dict(saved)
        self.assignment = dict(state["assignment"])

    def _cluster_pool(self) -> ClusterPool:
        assert isinstance(self.pool, ClusterPool)
        return self.pool

    def _start_clusters(self) -> None:
        """Create the first cluster models and, where fixed, the assignment."""
        assert self.prepared is not None
        initial = self.prepared.initial_parameters
        nodes = [n.node_id for n in self.nodes]
        k = self.settings.k

        if self.settings.algorithm == "ifca" and self.settings.init == "random":
            self.models = [cluster_initial_parameters(self.config, c) for c in range(k)]
        elif self.settings.algorithm == "ifca":
            self.models = self._farthest_first_models(initial)
        elif self.settings.algorithm == "cfl":
            self.models = [initial]
            self.assignment = dict.fromkeys(nodes, 0)
        else:
            self.models = [initial] * k
            self.assignment = self._cluster_by_labels()
        self.aggregators = [self._new_aggregator() for _ in self.models]
        logger.info(
            "%s: %d cluster model(s) over %d node(s)",
            self.settings.algorithm,
            len(self.models),
            len(nodes),
        )

    def _farthest_first_models(self, initial: Parameters) -> list[Parameters]:
        """Train ``initial`` on K nodes picked farthest-first by loss.

        The first node is drawn with a seed derived from the run seed; each
        next one is the node whose lowest loss under the models so far is
        highest (lowest id on ties). This is round 1's opening step, and its
        traffic counts in round 1.

        Raises:
            RoundError: a picked node fails to train or no node can be tested.
        """
        trainers = self.roles[Role.TRAIN]
        rng = derive_rng(self.config.seed, Stream.CLUSTER, FIRST_NODE_KEY)
        picked = [int(rng.choice(trainers))]
        models = [self._train_one(picked[0], initial)]

        while len(models) < self.settings.k:
            losses = self._losses(models, trainers)
            candidates = [n for n in trainers if n not in picked and n in losses]
            if not candidates:
                raise RoundError("round 1: no node left to seed a cluster model")
            far = max(candidates, key=lambda n: (min(losses[n]), -n))
            picked.append(far)
            models.append(self._train_one(far, initial))
        logger.info("round 1: cluster models seeded from nodes %s", picked)

        return models

    def _train_one(self, node_id: int, start: Parameters) -> Parameters:
        """Train ``start`` on one node (round 1's seeding) and return the result."""
        plan = self._plan([start], [node_id], {node_id: 0})
        outcomes = self._cluster_pool().fit_clustered(
            1, plan, [node_id], timeout_s=self.config.round_timeout_s
        )
        reports, failures = self._screen(outcomes, start, 1)
        if not reports:
            detail = "; ".join(f"{f['error']}: {f['message']}" for f in failures)
            raise RoundError(
                f"round 1: node {node_id} failed to seed a cluster model: {detail}"
            )

        return reports[0].parameters

    def _losses(
        self, models: list[Parameters], node_ids: list[int]
    ) -> dict[int, tuple[float, ...]]:
        """Return each answering node's training loss under every model."""
        plan = self._plan(models, node_ids, {})
        outcomes = self._cluster_pool().evaluate_clustered(
            1, plan, node_ids, timeout_s=self.config.round_timeout_s
        )

        return {
            o.node_id: o.report.cluster_losses
            for o in outcomes
            if isinstance(o.report, ClusterEvaluateReport)
        }

    def _new_aggregator(self) -> Aggregator:
        strategy = self.config.strategy
        return make_aggregator(strategy.name, **strategy.options)

    def _cluster_by_labels(self) -> dict[int, int]:
        """Cluster the nodes by k-means on the labels each node trains on."""
        assert self.prepared is not None
        dataset = self.prepared.dataset
        labels = [
            dataset.node_train(n.spec.indices, n.spec.group).y for n in self.nodes
        ]
        histograms = label_histograms(labels, dataset.num_classes)
        seed = derive_seed(self.config.seed, Stream.CLUSTER, KMEANS_KEY)
        clusters = cluster_by_labels(histograms, self.settings.k, seed)

        return {n.node_id: int(c) for n, c in zip(self.nodes, clusters, strict=True)}

    def _send_models(
        self, round_num: int, node_ids: list[int], choose: bool = False
    ) -> ClusterPlan:
        """Put each cluster model once; send each to the nodes that need it.

        Args:
            choose: every node measures every model and picks (IFCA's fit);
                otherwise nodes use their assigned cluster, and only nodes
                without one pick.
        """
        assignment = {} if choose else dict(self.assignment)

        return self._plan(self.models, node_ids, assignment, round_num)

    def _plan(
        self,
        models: list[Parameters],
        node_ids: list[int],
        assignment: dict[int, int],
        round_num: int = 1,
    ) -> ClusterPlan:
        """Put ``models`` once each and send each to the nodes that use it."""
        assert self.manager is not None
        refs = [self._cluster_pool().put(model) for model in models]
        for cluster, ref in enumerate(refs):
            receivers = [n for n in node_ids if assignment.get(n, cluster) == cluster]
            if receivers:
                self.manager.send(
                    MessageKind.PARAMETERS,
                    SERVER_ID,
                    receivers,
                    round_num,
                    ref,
                    models[cluster].nbytes,
                )

        return ClusterPlan(refs, assignment)

    def _split_clusters(
        self, round_num: int, trained: list[ClusterFitReport]
    ) -> dict[str, Any]:
        """Apply CFL's split test to every cluster that trained this round."""
        by_cluster: dict[int, list[ClusterFitReport]] = defaultdict(list)
        for report in trained:
            by_cluster[report.cluster].append(report)

        norms, splits = {}, []
        for cluster in sorted(by_cluster):
            reports = by_cluster[cluster]
            model = self.models[cluster]
            updates = np.stack([flat_update(r.parameters, model) for r in reports])
            measured = update_norms(updates, [r.num_examples for r in reports])
            norms[str(cluster)] = {"mean": measured.mean, "max": measured.max}
            room = len(self.models) < self.settings.k
            eps1, eps2 = self.settings.eps1, self.settings.eps2
            if room and should_split(measured, eps1, eps2, len(reports)):
                _, moved = bipartition(updates)
                splits.append(self._split(round_num, cluster, reports, moved))

        return {"update_norms": norms, "splits": splits}

    def _split(
        self,
        round_num: int,
        cluster: int,
        reports: list[ClusterFitReport],
        moved: list[int],
    ) -> dict[str, Any]:
        """Move the ``moved`` reports' nodes into a new copy of ``cluster``."""
        new = len(self.models)
        self.models.append(self.models[cluster])
        self.aggregators.append(copy.deepcopy(self.aggregators[cluster]))
        nodes = [reports[i].node_id for i in moved]
        for node in nodes:
            self.assignment[node] = new
        logger.info(
            "round %d: cluster %d splits; nodes %s form cluster %d",
            round_num,
            cluster,
            nodes,
            new,
        )

        return {"cluster": cluster, "new_cluster": new, "moved_nodes": nodes}

    def _aggregate(
        self, round_num: int, trained: Sequence[FitReport]
    ) -> dict[str, str]:
        """Aggregate each cluster's updates; return the clusters left as they were."""
        updates: dict[int, list[Update]] = defaultdict(list)
        for r in trained:
            if r.num_examples > 0:
                cluster = self.assignment[r.node_id]
                updates[cluster].append(Update(r.node_id, r.parameters, r.num_examples))

        unchanged = {}
        for cluster, aggregator in enumerate(self.aggregators):
            mine = updates.get(cluster, [])
            problem = aggregator.precondition(len(mine)) if mine else "no update"
            if problem is not None:
                unchanged[str(cluster)] = problem
                logger.warning(
                    "round %d: cluster %d keeps its model: %s",
                    round_num,
                    cluster,
                    problem,
                )
                continue
            current = self.models[cluster]
            self.models[cluster] = aggregator.aggregate(current, mine, round_num)

        return unchanged

    def _assignment_record(self) -> dict[str, Any]:
        sizes = [0] * len(self.models)
        for cluster in self.assignment.values():
            sizes[cluster] += 1

        return {
            "num_clusters": len(self.models),
            "cluster_sizes": sizes,
            "cluster_assignment": {
                str(n): c for n, c in sorted(self.assignment.items())
            },
        }

    def _test_clusters(self, round_num: int) -> dict[str, Any]:
        """Test every node with its cluster's model on its group's test split."""
        node_ids = [n.node_id for n in self.nodes]
        plan = self._send_models(round_num, node_ids)
        outcomes = self._cluster_pool().evaluate_clustered(
            round_num, plan, node_ids, timeout_s=self.config.round_timeout_s
        )
        reports = [
            o.report for o in outcomes if isinstance(o.report, ClusterEvaluateReport)
        ]
        failed = [o.node_id for o in outcomes if not o.ok]
        if not reports:
            return {"test_failed_nodes": failed}

        by_cluster: dict[int, list[float]] = defaultdict(list)
        for r in reports:
            by_cluster[r.cluster].append(r.accuracy)

        return {
            "test_loss": clean_number(float(np.mean([r.loss for r in reports]))),
            "test_accuracy": clean_number(
                float(np.mean([r.accuracy for r in reports]))
            ),
            "node_test_accuracy": {str(r.node_id): r.accuracy for r in reports},
            "node_test_cluster": {str(r.node_id): r.cluster for r in reports},
            "cluster_test_accuracy": {
                str(c): float(np.mean(a)) for c, a in sorted(by_cluster.items())
            },
            "test_failed_nodes": failed,
        }

    def planted_groups(self) -> dict[int, int] | None:
        """Return each node's planted group, or None without planted groups."""
        groups = {n.node_id: n.spec.group for n in self.nodes}
        if not groups or any(g is None for g in groups.values()):
            return None
        return {n: g for n, g in groups.items() if g is not None}

    def summary(self, status: str, error: str | None, wall_s: float) -> dict[str, Any]:
        """Return the base summary plus the final clusters and their accuracy."""
        summary = super().summary(status, error, wall_s)
        planted = self.planted_groups()
        summary.update(
            {
                "algorithm": self.settings.algorithm,
                "k": self.settings.k,
                "num_clusters": len(self.models),
                "final_assignment": {
                    str(n): c for n, c in sorted(self.assignment.items())
                },
                "final_mean_node_accuracy": self.history.last("test_accuracy"),
                "cluster_test_accuracy": self.history.last("cluster_test_accuracy"),
                "planted_groups": (
                    None if planted is None else {str(n): g for n, g in planted.items()}
                ),
                "adjusted_rand_index": self.adjusted_rand_index(),
            }
        )

        return summary

    def adjusted_rand_index(self) -> float | None:
        """Return the ARI of the assignment against the planted groups, or None.

        None when the dataset plants no groups or a node has no cluster yet.
        """
        planted = self.planted_groups()
        if planted is None or set(planted) != set(self.assignment):
            return None
        from sklearn.metrics import adjusted_rand_score

        nodes = sorted(planted)
        return float(
            adjusted_rand_score(
                [planted[n] for n in nodes], [self.assignment[n] for n in nodes]
            )
        )

    def _write_cluster_files(self) -> None:
        """Save ``clusters/model_<c>.npz`` and draw ``clusters.png``."""
        if not self.out_dir.is_dir() or not self.models:
            return
        folder = Path(self.out_dir) / "clusters"
        folder.mkdir(exist_ok=True)
        for cluster, model in enumerate(self.models):
            model.save(folder / f"model_{cluster}.npz")
        if self.config.output.plots and len(self.history):
            plot_cluster_assignments(
                self.history, self.out_dir / "clusters.png", self.config.name
            )
