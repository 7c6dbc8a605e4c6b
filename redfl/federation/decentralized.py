"""`DecentralizedFederation`: gossip learning over any connected topology.

There is no server. Each round the sampled training nodes train their own
models locally, send them to their neighbours through the `TopologyManager`
and replace them by a weighted mix (Metropolis-Hastings weights by default),
``gossip.steps`` times. Then every ``test`` node evaluates its own model on
the test split, and a worker measures how far the models are from agreeing.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from redfl.communication.manager import TopologyManager
from redfl.communication.message import MessageKind
from redfl.errors import TopologyError
from redfl.federation.base import FederatedBase, failure_record
from redfl.federation.client_server import weighted
from redfl.nodes.node import EvaluateReport
from redfl.parameters import Parameters
from redfl.results.history import clean_number
from redfl.runtime.gossip import GossipPool, MixingPlan, StartingPoints
from redfl.runtime.host import NodeOutcome, SharedReport
from redfl.topology.describe import config_mixing_matrix
from redfl.topology.factory import make_topology
from redfl.topology.graph import Matrix, Topology
from redfl.topology.mixing import restrict
from redfl.types import Role

logger = logging.getLogger(__name__)


def plan_mixing(
    manager: TopologyManager,
    round_num: int,
    weights: Matrix,
    shared: dict[int, SharedReport],
) -> MixingPlan:
    """Send each node's parameters to the neighbours that weigh them; plan mixes.

    Every node in ``shared`` sends its reference along each edge whose
    receiver gives it a non-zero weight; the receiver's plan lists its own
    model first, then the messages of its inbox for ``round_num`` in sender
    order, so the mix never depends on arrival order.

    Raises:
        TopologyError: a message of another round reached the inbox, or a
            send follows no edge (from the manager).
    """
    active = sorted(shared)
    for src in active:
        receivers = [d for d in active if d != src and weights[d, src] > 0]
        if receivers:
            report = shared[src]
            manager.send(
                MessageKind.PARAMETERS,
                src,
                receivers,
                round_num,
                report.parameters_ref,
                report.nbytes,
                deliver=True,
            )

    plan: MixingPlan = {}
    for dst in active:
        pairs = [(dst, float(weights[dst, dst]), shared[dst].parameters_ref)]
        for message in sorted(manager.inbox(dst, round_num), key=lambda m: m.sender):
            if message.round_num != round_num:
                raise TopologyError(
                    f"round {round_num}: node {dst} received a message of round "
                    f"{message.round_num} from node {message.sender}"
                )
            weight = float(weights[dst, message.sender])
            pairs.append((message.sender, weight, message.payload))
        plan[dst] = pairs

    return plan


class DecentralizedFederation(FederatedBase):
    """Gossip learning: local training, then neighbour mixing, every round."""

    pool_class = GossipPool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topology: Topology | None = None
        self.weights: Matrix | None = None
        self._initial_ref: Any = None
        self._latest: dict[int, Any] = {}
        self._restored: dict[int, Parameters] = {}
        self._saved: dict[int, Parameters] = {}
        """Each node's model as the last checkpoint read it: what a node whose
        worker died starts again from (its own reference died with the worker)."""

    def build_topology(self) -> Topology:
        """Build and validate the configured topology and its mixing matrix.

        Raises:
            TopologyError: the topology or the mixing matrix is invalid.
        """
        self.topology = make_topology(
            self.config.topology, self.config.nodes.count, self.config.seed
        )
        self.weights = config_mixing_matrix(self.config, self.topology)
        if Role.TEST not in self.config.nodes.roles:
            logger.warning(
                "no node plays the 'test' role: node accuracies will not be "
                "measured (nodes.roles: %s)",
                [role.value for role in self.config.nodes.roles],
            )
        logger.info(
            "topology %r with %s mixing, %d gossip step(s) per round",
            self.topology,
            self.config.gossip.mixing,
            self.config.gossip.steps,
        )

        return self.topology

    def run_round(self, round_num: int) -> dict[str, Any]:
        """Train, exchange and mix, then test; return the round's record."""
        pool = self._gossip_pool()
        if self._initial_ref is None:
            self._initial_ref = pool.put(self.parameters)
            self._latest.update({n: pool.put(p) for n, p in self._restored.items()})

        sampled = self.sample(round_num)
        timeout_s = self.config.round_timeout_s
        outcomes = pool.fit_own(round_num, self._starts(sampled), sampled, timeout_s)
        trained, failures = self._screen(outcomes, round_num)
        self.require_enough(round_num, len(sampled), len(trained), failures)

        shared = {r.node_id: r for r in trained}
        for _ in range(self.config.gossip.steps):
            shared = self._gossip_step(round_num, shared, failures)
        self._latest.update({n: r.parameters_ref for n, r in shared.items()})

        record = self._record(round_num, sampled, trained, failures)
        record.update(self._consensus(round_num))
        if round_num % self.config.evaluation.every == 0 or (
            round_num == self.config.rounds
        ):
            record.update(self._test(round_num))

        return record

    def node_states(self) -> dict[int, Parameters]:
        """Return every node's own model, read from the object store.

        This is the one place node models reach the driver, once a round for
        the checkpoint; ``output.checkpoint: false`` avoids it. The copies
        are kept, so a node whose worker dies later resumes from them.
        """
        self._saved = self._gossip_pool().read_models(self._latest)

        return self._saved

    def restore_node_states(self, states: dict[int, Parameters]) -> None:
        """Start each node from its checkpointed model in the next round."""
        self._restored = dict(states)

    def _starts(self, node_ids: list[int]) -> StartingPoints:
        """Name the last model of each node whose worker does not hold it.

        A node whose worker died lost the reference to its model with the
        worker; it starts from the copy the last checkpoint read instead.
        """
        pool = self._gossip_pool()
        own = {}
        for node_id in node_ids:
            if self.nodes[node_id].built:
                continue
            if node_id in self._saved:
                own[node_id] = pool.put(self._saved[node_id])
            elif node_id in self._latest:
                own[node_id] = self._latest[node_id]

        return StartingPoints(initial=self._initial_ref, own=own)

    def _gossip_pool(self) -> GossipPool:
        assert isinstance(self.pool, GossipPool)
        return self.pool

    def _gossip_step(
        self,
        round_num: int,
        shared: dict[int, SharedReport],
        failures: list[dict[str, Any]],
    ) -> dict[int, SharedReport]:
        """Exchange and mix once among the nodes in ``shared``."""
        assert self.manager is not None and self.weights is not None
        weights = restrict(self.weights, sorted(shared))
        plan = plan_mixing(self.manager, round_num, weights, shared)

        outcomes = self._gossip_pool().mix(round_num, plan, self.config.round_timeout_s)
        mixed, lost = self._screen(outcomes, round_num)
        failures.extend(lost)

        return {r.node_id: r for r in mixed}

    def _screen(
        self, outcomes: list[NodeOutcome], round_num: int
    ) -> tuple[list[SharedReport], list[dict[str, Any]]]:
        """Split outcomes into shared parameters and recorded failures."""
        reports, failures = [], []
        for outcome in outcomes:
            if outcome.error is None and isinstance(outcome.report, SharedReport):
                reports.append(outcome.report)
                continue
            error = outcome.error
            assert error is not None
            failures.append(failure_record(round_num, outcome.node_id, error))

        return reports, failures

    def _record(
        self,
        round_num: int,
        sampled: list[int],
        trained: list[SharedReport],
        failures: list[dict[str, Any]],
    ) -> dict[str, Any]:
        failed = sorted({f["node"] for f in failures})
        fit_nodes = [r.node_id for r in trained if r.node_id not in failed]
        losses = [(r.loss, r.num_examples) for r in trained if r.loss is not None]
        return {
            "round": round_num,
            "sampled_nodes": sampled,
            "fit_nodes": fit_nodes,
            "failed_nodes": failed,
            "num_fit": len(fit_nodes),
            "num_failed": len(failed),
            "train_loss": clean_number(weighted(losses)),
            "node_train_loss": {str(r.node_id): clean_number(r.loss) for r in trained},
            "gossip_steps": self.config.gossip.steps,
            "failures": failures,
        }

    def _consensus(self, round_num: int) -> dict[str, Any]:
        """Measure the consensus distance over every node's current model."""
        pool = self._gossip_pool()
        refs = [self._latest.get(n.node_id, self._initial_ref) for n in self.nodes]
        last = round_num == self.config.rounds
        distance, mean = pool.consensus(refs, want_mean=last)
        if mean is not None:
            self.parameters = mean

        return {"consensus_distance": clean_number(distance)}

    def _test(self, round_num: int) -> dict[str, Any]:
        """Test every ``test`` node's own model; mean, min and max accuracy."""
        testers = self.roles[Role.TEST]
        if not testers:
            return {}
        outcomes = self._gossip_pool().evaluate_own(
            round_num, self._starts(testers), testers, self.config.round_timeout_s
        )
        reports = [o.report for o in outcomes if isinstance(o.report, EvaluateReport)]
        accuracies = [r.accuracy for r in reports]
        losses = [r.loss for r in reports]
        if not accuracies:
            return {"test_failed_nodes": [o.node_id for o in outcomes if not o.ok]}

        return {
            "test_loss": clean_number(float(np.mean(losses))),
            "test_accuracy": clean_number(float(np.mean(accuracies))),
            "test_accuracy_min": clean_number(min(accuracies)),
            "test_accuracy_max": clean_number(max(accuracies)),
            "node_test_accuracy": {str(r.node_id): r.accuracy for r in reports},
            "test_failed_nodes": [o.node_id for o in outcomes if not o.ok],
        }

    def summary(self, status: str, error: str | None, wall_s: float) -> dict[str, Any]:
        """Return the base summary plus node accuracy and consensus distance."""
        summary = super().summary(status, error, wall_s)
        summary.update(
            {
                "topology": self.topology.name if self.topology else None,
                "mixing": self.config.gossip.mixing,
                "gossip_steps": self.config.gossip.steps,
                "final_mean_test_accuracy": self.history.last("test_accuracy"),
                "final_min_test_accuracy": self.history.last("test_accuracy_min"),
                "final_max_test_accuracy": self.history.last("test_accuracy_max"),
                "final_consensus_distance": self.history.last("consensus_distance"),
                "bytes_per_round": (
                    summary["bytes_sent"] / len(self.history) if self.history else None
                ),
            }
        )

        return summary
