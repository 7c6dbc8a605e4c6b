"""`NodeHost`: the body of a worker actor that builds and runs nodes.

`redfl.runtime.pool` wraps `NodeHost` as an actor; only `where` asks Ray
anything. A host can build any node from its id: every node's spec and the
dataset are shared, read-only, by all hosts. It keeps the nodes it built
lately (at most ``max_nodes``, least recently used dropped first) so their
local data need not be sliced again, and one learner serves all of them
when the learner allows it. A node's own state is not the host's to keep:
it arrives with each task and goes back with each training outcome.
"""

from __future__ import annotations

import logging
import traceback
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from redfl.data.datasets import FederatedDataset
from redfl.learners.base import Learner, LearnerState
from redfl.learners.factory import LearnerSpec
from redfl.nodes.faults import Fault
from redfl.nodes.node import EvaluateReport, FederatedNode, FitReport
from redfl.nodes.table import SpecTable
from redfl.parameters import Parameters
from redfl.types import Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeTask:
    """One node's share of a host call and the state the node resumes from."""

    node_id: int
    state: LearnerState = field(default_factory=dict)


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
    state: LearnerState | None = None
    """After training: the node's state to keep (empty when it keeps none)."""

    @property
    def ok(self) -> bool:
        """Return True when the node produced a report."""
        return self.error is None


class NodeHost:
    """Build nodes on first use and run their fit and evaluate calls."""

    share_learner: bool = True
    """Let one learner serve every node when the learner is `shareable`."""

    def __init__(
        self,
        host_id: int,
        dataset: FederatedDataset,
        specs: SpecTable,
        learner_spec: LearnerSpec,
        run_seed: int,
        local_epochs: int,
        faults: Sequence[Fault] = (),
        threads: int = 1,
        max_nodes: int | None = None,
    ) -> None:
        import torch

        if max_nodes is not None and max_nodes < 1:
            raise ValueError(f"max_nodes must be >= 1 or None, got {max_nodes}")
        torch.set_num_threads(threads)
        self.host_id = host_id
        self.dataset = dataset
        self.specs = specs
        self.learner_spec = learner_spec
        self.run_seed = run_seed
        self.local_epochs = local_epochs
        self.faults = tuple(faults)
        self.max_nodes = max_nodes
        self.nodes: OrderedDict[int, FederatedNode] = OrderedDict()
        self.builds = 0
        self.evictions = 0
        self._shared: Learner | None = None

    def fit(
        self, round_num: int, parameters: Parameters, tasks: list[NodeTask]
    ) -> list[NodeOutcome]:
        """Train each task's node from ``parameters``, in task order."""
        return self._run(
            tasks, round_num, lambda n: n.fit(parameters, round_num), keep_state=True
        )

    def evaluate(
        self, round_num: int, parameters: Parameters, tasks: list[NodeTask]
    ) -> list[NodeOutcome]:
        """Evaluate ``parameters`` on each task's node, in task order."""
        return self._run(tasks, round_num, lambda n: n.evaluate(parameters, round_num))

    def ready(self) -> int:
        """Warm a learner up and return the host id once the actor is ready."""
        self._learner().warm_up()

        return self.host_id

    def where(self) -> str:
        """Return the id of the Ray node this worker runs on."""
        import ray

        return str(ray.get_runtime_context().get_node_id())

    def node_ids(self) -> list[int]:
        """Return the ids of the nodes built on this host now."""
        return sorted(self.nodes)

    def stats(self) -> dict[str, int]:
        """Return how many nodes are built now, were built, and were dropped."""
        return {
            "built": len(self.nodes),
            "builds": self.builds,
            "evictions": self.evictions,
        }

    def _run(
        self,
        tasks: list[NodeTask],
        round_num: int,
        work_fn: Callable[[FederatedNode], Report],
        keep_state: bool = False,
    ) -> list[NodeOutcome]:
        outcomes = []
        for task in tasks:
            try:
                node = self._node(task.node_id)
                node.learner.load_state(task.state)
                report = work_fn(node)
                state = node.learner.state() if keep_state else None
                outcomes.append(
                    NodeOutcome(task.node_id, round_num, report=report, state=state)
                )
            except Exception as exc:
                logger.debug(
                    "round %d: node %d failed: %r", round_num, task.node_id, exc
                )
                error = ErrorInfo.from_exception(exc)
                outcomes.append(NodeOutcome(task.node_id, round_num, error=error))

        return outcomes

    def _node(self, node_id: int) -> FederatedNode:
        """Return node ``node_id``, building it (and dropping the oldest) if new."""
        node = self.nodes.get(node_id)
        if node is not None:
            self.nodes.move_to_end(node_id)
            return node

        spec = self.specs.spec(node_id)
        test_data = self.dataset.group_test(spec.group) if spec.has(Role.TEST) else None
        node = FederatedNode(
            spec=spec,
            learner=self._learner(),
            local_data=self.dataset.node_train(spec.indices, spec.group),
            test_data=test_data,
            run_seed=self.run_seed,
            local_epochs=self.local_epochs,
            faults=self.faults,
        )
        self.nodes[node_id] = node
        self.builds += 1
        logger.debug("host %d built node %d", self.host_id, node_id)
        self._evict()

        return node

    def _learner(self) -> Learner:
        """Return the worker's shared learner, or a new one if it cannot share."""
        if self._shared is not None:
            return self._shared
        learner = self.learner_spec.build()
        if self.share_learner and learner.shareable:
            self._shared = learner

        return learner

    def _evict(self) -> None:
        """Drop least recently used nodes until at most ``max_nodes`` remain."""
        while self.max_nodes is not None and len(self.nodes) > self.max_nodes:
            node_id, _ = self.nodes.popitem(last=False)
            self.evictions += 1
            logger.debug("host %d dropped node %d", self.host_id, node_id)
