"""`NodeHost`: the body of a worker actor that builds and runs nodes.

`redfl.runtime.pool` wraps `NodeHost` as an actor; only `where` asks Ray
anything. A host builds a node the first time it is sent the node's spec and
keeps it, with its learner and local data, for the rest of the run.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redfl.data.datasets import FederatedDataset
from redfl.learners.factory import LearnerSpec
from redfl.nodes.faults import Fault
from redfl.nodes.node import EvaluateReport, FederatedNode, FitReport, NodeSpec
from redfl.parameters import Parameters
from redfl.types import Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeTask:
    """One node's share of a host call; ``spec`` is set when it must be built."""

    node_id: int
    spec: NodeSpec | None = None


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong on a node: exception type, message and traceback."""

    type: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        """Capture ``exc`` with its formatted traceback."""
        text = "".join(traceback.format_exception(exc))
        return cls(type=type(exc).__name__, message=str(exc), traceback=text)


@dataclass(frozen=True)
class SharedReport:
    """A node's parameters left in the object store: a reference and its size.

    ``num_examples`` and ``loss`` describe the local training that produced
    them, when they come from training rather than mixing.
    """

    node_id: int
    round_num: int
    parameters_ref: Any
    nbytes: int
    num_examples: int = 0
    loss: float | None = None
    duration_s: float = 0.0


Report = FitReport | EvaluateReport | SharedReport


@dataclass(frozen=True)
class NodeOutcome:
    """A node's answer for a round: a report, or the error it hit."""

    node_id: int
    round_num: int
    report: Report | None = None
    error: ErrorInfo | None = None

    @property
    def ok(self) -> bool:
        """Return True when the node produced a report."""
        return self.error is None


class NodeHost:
    """Build nodes on first use and run their fit and evaluate calls."""

    def __init__(
        self,
        host_id: int,
        dataset: FederatedDataset,
        learner_spec: LearnerSpec,
        run_seed: int,
        local_epochs: int,
        faults: Sequence[Fault] = (),
        threads: int = 1,
    ) -> None:
        import torch

        torch.set_num_threads(threads)
        self.host_id = host_id
        self.dataset = dataset
        self.learner_spec = learner_spec
        self.run_seed = run_seed
        self.local_epochs = local_epochs
        self.faults = tuple(faults)
        self.nodes: dict[int, FederatedNode] = {}

    def fit(
        self, round_num: int, parameters: Parameters, tasks: list[NodeTask]
    ) -> list[NodeOutcome]:
        """Train each task's node from ``parameters``, in task order."""
        return self._run(tasks, round_num, lambda n: n.fit(parameters, round_num))

    def evaluate(
        self, round_num: int, parameters: Parameters, tasks: list[NodeTask]
    ) -> list[NodeOutcome]:
        """Evaluate ``parameters`` on each task's node, in task order."""
        return self._run(tasks, round_num, lambda n: n.evaluate(parameters, round_num))

    def ready(self) -> int:
        """Return the host id once the actor is up (imports done)."""
        return self.host_id

    def where(self) -> str:
        """Return the id of the Ray node this worker runs on."""
        import ray

        return str(ray.get_runtime_context().get_node_id())

    def node_ids(self) -> list[int]:
        """Return the ids of the nodes built on this host."""
        return sorted(self.nodes)

    def _run(
        self,
        tasks: list[NodeTask],
        round_num: int,
        work_fn: Callable[[FederatedNode], Report],
    ) -> list[NodeOutcome]:
        outcomes = []
        for task in tasks:
            try:
                node = self._node(task)
                report = work_fn(node)
                outcomes.append(NodeOutcome(task.node_id, round_num, report=report))
            except Exception as exc:
                logger.debug(
                    "round %d: node %d failed: %r", round_num, task.node_id, exc
                )
                error = ErrorInfo.from_exception(exc)
                outcomes.append(NodeOutcome(task.node_id, round_num, error=error))

        return outcomes

    def _node(self, task: NodeTask) -> FederatedNode:
        if task.node_id in self.nodes:
            return self.nodes[task.node_id]
        if task.spec is None:
            raise RuntimeError(
                f"node {task.node_id} is not built on host {self.host_id} "
                "and no spec was sent"
            )

        spec = task.spec
        test_data = self.dataset.group_test(spec.group) if spec.has(Role.TEST) else None
        node = FederatedNode(
            spec=spec,
            learner=self.learner_spec.build(),
            local_data=self.dataset.node_train(spec.indices, spec.group),
            test_data=test_data,
            run_seed=self.run_seed,
            local_epochs=self.local_epochs,
            faults=self.faults,
        )
        self.nodes[spec.node_id] = node
        logger.debug("host %d built node %d", self.host_id, spec.node_id)

        return node
