"""`ClientServerFederation`: a server and its nodes over a star (FedAvg and kin)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from redfl.aggregation.base import Update, describe_mismatch
from redfl.communication.message import MessageKind
from redfl.federation.base import FederatedBase, failure_record
from redfl.learners.base import Learner
from redfl.nodes.node import EvaluateReport, FitReport
from redfl.parameters import Parameters
from redfl.results.history import clean_number
from redfl.runtime.host import ErrorInfo, NodeOutcome
from redfl.seeding import Stream, derive_rng
from redfl.topology.graph import SERVER_ID, Topology, star
from redfl.types import Role

logger = logging.getLogger(__name__)


def check_update(report: FitReport, current: Parameters) -> str | None:
    """Return why an update cannot be aggregated, or None when it can."""
    expected, got = current.signature(), report.parameters.signature()
    if got != expected:
        return describe_mismatch(expected, got)
    for name, array in report.parameters.items():
        if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
            return f"array {name!r} holds non-finite values"
    return None


def weighted(values: Sequence[tuple[float, int]]) -> float | None:
    """Return the count-weighted mean of (value, count) pairs, or None."""
    total = sum(n for _, n in values)
    if total == 0:
        return None
    return float(sum(v * n for v, n in values) / total)


class ClientServerFederation(FederatedBase):
    """Each round: sample nodes, send the global model, train, aggregate, test.

    The server is the driver process. It sends one parameters reference to
    the sampled nodes through the `TopologyManager`, aggregates the updates
    that pass the checks in node-id order, and evaluates the global model on
    the held-out test split.
    """

    _evaluator: Learner | None = None
    _restored: dict[int, Parameters] | None = None

    def node_states(self) -> dict[int, Parameters]:
        """Return the learner state each node keeps between rounds, if any."""
        if self.pool is None:
            return {}
        return {n: Parameters(state) for n, state in sorted(self.pool.states.items())}

    def restore_node_states(self, states: dict[int, Parameters]) -> None:
        """Give nodes back their checkpointed learner state before the next round."""
        self._restored = dict(states)

    def build_topology(self) -> Topology:
        """Return a star with the server at the center."""
        return star(range(self.config.nodes.count), center=SERVER_ID)

    def run_round(self, round_num: int) -> dict[str, Any]:
        """Run one client-server round and return its record."""
        assert self.pool is not None and self.manager is not None
        assert self.parameters is not None
        current = self.parameters
        if self._restored:
            self.pool.states.update({n: dict(p) for n, p in self._restored.items()})
            self._restored = None

        sampled = self.sample(round_num)
        ref = self.pool.put(current)
        self.manager.send(
            MessageKind.PARAMETERS, SERVER_ID, sampled, round_num, ref, current.nbytes
        )
        victims = self._chaos_victims(round_num, sampled)
        outcomes = self.pool.fit(
            round_num,
            ref,
            sampled,
            timeout_s=self.config.round_timeout_s,
            kill=victims,
        )
        reports, failures = self._screen(outcomes, current, round_num)
        usable = sum(1 for r in reports if r.num_examples > 0)
        self.require_enough(round_num, len(sampled), usable, failures)

        updates = [Update(r.node_id, r.parameters, r.num_examples) for r in reports]
        self.parameters = self.aggregator.aggregate(current, updates, round_num)

        record = self._record(round_num, sampled, reports, failures)
        if self.config.chaos is not None:
            record["chaos_killed"] = victims
        if round_num % self.config.evaluation.every == 0 or (
            round_num == self.config.rounds
        ):
            record.update(self._evaluate(round_num))

        return record

    def _chaos_victims(self, round_num: int, sampled: list[int]) -> list[int]:
        """Return the nodes whose workers chaos kills this round (seeded)."""
        chaos = self.config.chaos
        if chaos is None or round_num < chaos.start_round:
            return []
        count = round(chaos.kill_fraction * len(sampled))
        rng = derive_rng(self.config.seed, Stream.CHAOS, round_num)
        victims = rng.choice(np.asarray(sampled), size=count, replace=False)

        return sorted(int(v) for v in victims)

    def _screen(
        self, outcomes: list[NodeOutcome], current: Parameters, round_num: int
    ) -> tuple[list[FitReport], list[dict[str, Any]]]:
        """Split outcomes into usable updates and recorded failures."""
        assert self.manager is not None
        reports, failures = [], []
        for outcome in outcomes:
            report = outcome.report
            error = outcome.error
            if error is None and isinstance(report, FitReport):
                problem = check_update(report, current)
                if problem is None:
                    self.manager.send(
                        MessageKind.UPDATE,
                        outcome.node_id,
                        [SERVER_ID],
                        round_num,
                        None,
                        report.parameters.nbytes,
                    )
                    reports.append(report)
                    continue
                error = ErrorInfo("RejectedUpdate", problem)
            assert error is not None
            failures.append(failure_record(round_num, outcome.node_id, error))

        return reports, failures

    def _record(
        self,
        round_num: int,
        sampled: list[int],
        reports: list[FitReport],
        failures: list[dict[str, Any]],
    ) -> dict[str, Any]:
        local_tests = [r.test_accuracy for r in reports if r.test_accuracy is not None]
        return {
            "round": round_num,
            "sampled_nodes": sampled,
            "fit_nodes": [r.node_id for r in reports],
            "failed_nodes": [f["node"] for f in failures],
            "attacked_nodes": self._attacked(sampled, round_num),
            "num_fit": len(reports),
            "num_failed": len(failures),
            "train_loss": clean_number(
                weighted([(r.loss, r.num_examples) for r in reports])
            ),
            "local_test_accuracy": clean_number(
                float(np.mean(local_tests)) if local_tests else None
            ),
            "node_train_loss": {str(r.node_id): clean_number(r.loss) for r in reports},
            "failures": failures,
        }

    def _attacked(self, sampled: list[int], round_num: int) -> list[int]:
        """Return the sampled nodes that act Byzantine in ``round_num``."""
        by_id = {n.node_id: n for n in self.nodes} if self.config.attack else {}
        return [
            n
            for n in sampled
            if n in by_id
            and (attack := by_id[n].spec.attack) is not None
            and attack.active(round_num)
        ]

    def _evaluate(self, round_num: int) -> dict[str, Any]:
        """Test the global model centrally and, if enabled, on eval nodes."""
        assert self.prepared is not None and self.parameters is not None
        if self._evaluator is None:
            self._evaluator = self.prepared.learner_spec.build()
        self._evaluator.set_parameters(self.parameters)
        loss, accuracy = self._central_test(self._evaluator)
        result: dict[str, Any] = {
            "test_loss": clean_number(loss),
            "test_accuracy": clean_number(accuracy),
        }

        evaluators = self.roles[Role.EVAL]
        if self.config.evaluation.federated and evaluators:
            result.update(self._federated_evaluate(round_num, evaluators))

        return result

    def _central_test(self, evaluator: Learner) -> tuple[float, float]:
        """Return the test loss and accuracy of the evaluator's model.

        With planted groups each node sees the test split through its group,
        so the result is the mean over nodes of the model's loss and
        accuracy on its group's test split.
        """
        assert self.prepared is not None
        dataset = self.prepared.dataset
        if dataset.groups == 0:
            tested = evaluator.evaluate(dataset.test)
            return tested.loss, tested.accuracy

        groups = [n.spec.group for n in self.nodes]
        results = {g: evaluator.evaluate(dataset.group_test(g)) for g in set(groups)}
        loss = float(np.mean([results[g].loss for g in groups]))
        accuracy = float(np.mean([results[g].accuracy for g in groups]))

        return loss, accuracy

    def _federated_evaluate(
        self, round_num: int, node_ids: list[int]
    ) -> dict[str, Any]:
        assert self.pool is not None and self.manager is not None
        assert self.parameters is not None
        ref = self.pool.put(self.parameters)
        self.manager.send(
            MessageKind.PARAMETERS,
            SERVER_ID,
            node_ids,
            round_num,
            ref,
            self.parameters.nbytes,
        )
        outcomes = self.pool.evaluate(
            round_num, ref, node_ids, timeout_s=self.config.round_timeout_s
        )
        reports = [o.report for o in outcomes if isinstance(o.report, EvaluateReport)]

        return {
            "eval_loss": clean_number(
                weighted([(r.loss, r.num_examples) for r in reports])
            ),
            "eval_accuracy": clean_number(
                weighted([(r.accuracy, r.num_examples) for r in reports])
            ),
            "node_eval_accuracy": {str(r.node_id): r.accuracy for r in reports},
            "eval_failed_nodes": [o.node_id for o in outcomes if not o.ok],
        }
