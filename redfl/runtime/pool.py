"""`NodePool`: worker actors in placement-group bundles that run nodes.

The pool is where Ray meets the federation. Each worker actor (a `NodeHost`)
sits in its own bundle. Every call deals the nodes it names over the
workers (sorted ids, round-robin), so the work of a round follows the nodes
sampled, not how many exist; one call per worker carries the parameters
reference and its nodes' tasks. The pool keeps each node's learner state
between rounds, sends it with the node's next task and takes it back from
the outcome, so a node's state does not depend on which worker ran it.
Errors are turned into `NodeOutcome` failures here: a node that raises, a
worker that dies, a worker that misses the deadline.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

from redfl.data.datasets import FederatedDataset
from redfl.errors import WorkerStartError
from redfl.learners.factory import LearnerSpec
from redfl.nodes.faults import Fault
from redfl.nodes.state_store import NodeStateStore
from redfl.nodes.table import SpecTable
from redfl.nodes.virtual import VirtualNode
from redfl.runtime.host import ErrorInfo, NodeHost, NodeOutcome, NodeTask
from redfl.runtime.placement import PlacementRequest, release, reserve

logger = logging.getLogger(__name__)

RemoteHost = ray.remote(NodeHost)


def deal(node_ids: Sequence[int], workers: int) -> dict[int, list[int]]:
    """Deal sorted ``node_ids`` round-robin over ``workers``; empty hands left out.

    The ``k``-th smallest id goes to worker ``k % workers``, so a worker's
    share depends only on the ids named.
    """
    by_host: dict[int, list[int]] = defaultdict(list)
    for position, node_id in enumerate(sorted(node_ids)):
        by_host[position % workers].append(node_id)

    return dict(by_host)


class NodePool:
    """Run the fit and evaluate calls of virtual nodes on worker actors."""

    host_class: Any = RemoteHost
    """The actor class of the workers; subclasses may add methods."""

    sticky: bool = False
    """Run every node on its fixed worker (``VirtualNode.host``) and never
    drop a built node, for schemas whose nodes keep models in the worker."""

    def __init__(
        self,
        nodes: Sequence[VirtualNode],
        placement: PlacementRequest,
        dataset: FederatedDataset,
        learner_spec: LearnerSpec,
        run_seed: int,
        local_epochs: int,
        faults: Sequence[Fault] = (),
        max_nodes_per_worker: int | None = None,
        pinned: bool = False,
        states: NodeStateStore | None = None,
    ) -> None:
        """Set up the pool; no Ray work happens before `start`.

        Args:
            pinned: run every node on its own worker's bundle (``dedicated``
                hosting), as a sticky pool does.
            states: where nodes' learner states wait between rounds; by
                default all in the driver's memory.
        """
        self.sticky = self.sticky or pinned
        self.nodes = {node.node_id: node for node in nodes}
        self.placement = placement
        self.states = states if states is not None else NodeStateStore()
        """Each node's learner state after its last successful training."""
        max_nodes = None if self.sticky else max_nodes_per_worker
        self._host_args = (
            learner_spec,
            run_seed,
            local_epochs,
            tuple(faults),
        )
        self._max_nodes = max_nodes
        specs = SpecTable.from_specs([self.nodes[n].spec for n in sorted(self.nodes)])
        self._shared_refs = (ray.put(dataset), ray.put(specs))
        self._group: Any = None
        self._hosts: dict[int, Any] = {}

    @property
    def num_hosts(self) -> int:
        """Return the number of worker actors."""
        return self.placement.bundles

    def start(self) -> None:
        """Reserve the placement group and start every worker.

        Workers are up before round 1, so their start-up never counts against
        a round's deadline; nodes are still built lazily on first use.

        Raises:
            PlacementError: the resources cannot be placed in time.
            WorkerStartError: a worker did not come up in time.
        """
        start = time.perf_counter()
        self._group = reserve(self.placement)
        calls = [self._launch(index) for index in range(self.num_hosts)]
        ready, _ = ray.wait(
            calls, num_returns=len(calls), timeout=self.placement.start_timeout_s
        )
        if len(ready) < len(calls):
            raise WorkerStartError(
                f"{len(calls) - len(ready)} of {len(calls)} worker(s) did not "
                f"start within resources.worker_start_timeout_s="
                f"{self.placement.start_timeout_s:g} s"
            )
        try:
            ray.get(ready)
        except (RayActorError, RayTaskError) as exc:
            cause = getattr(exc, "cause", None) or exc
            raise WorkerStartError(
                f"a worker could not set up its learner: {type(cause).__name__}: "
                f"{cause}"
            ) from exc
        logger.info(
            "%d worker(s) ready in %.2f s", len(calls), time.perf_counter() - start
        )

    def put(self, value: Any) -> Any:
        """Store ``value`` once in the object store and return its reference."""
        return ray.put(value)

    def fit(
        self,
        round_num: int,
        parameters_ref: Any,
        node_ids: Sequence[int],
        timeout_s: float | None = None,
        kill: Sequence[int] = (),
    ) -> list[NodeOutcome]:
        """Train ``node_ids`` from the referenced parameters; outcomes by node id.

        Args:
            kill: nodes whose workers are killed as the round starts, so
                their calls fail (chaos testing).
        """
        return self._dispatch(
            "fit", round_num, parameters_ref, node_ids, timeout_s, kill
        )

    def evaluate(
        self,
        round_num: int,
        parameters_ref: Any,
        node_ids: Sequence[int],
        timeout_s: float | None = None,
    ) -> list[NodeOutcome]:
        """Evaluate the referenced parameters on ``node_ids``; outcomes by node id."""
        return self._dispatch(
            "evaluate", round_num, parameters_ref, node_ids, timeout_s
        )

    def locate(self, timeout_s: float = 30.0) -> dict[int, str]:
        """Return worker index -> Ray node id for the workers alive now."""
        hosts = sorted(self._hosts)
        calls = [self._hosts[h].where.remote() for h in hosts]
        try:
            found = ray.get(calls, timeout=timeout_s)
        except (RayActorError, RayTaskError, GetTimeoutError) as exc:
            logger.warning("could not locate every worker: %r", exc)
            return {}

        return dict(zip(hosts, found, strict=True))

    def schedule(self, node_ids: Sequence[int]) -> dict[int, list[int]]:
        """Return the nodes each worker runs in one call, in node-id order.

        Sorted ids are dealt round-robin over the workers, so the split
        depends only on the nodes named, never on how many exist; a sticky
        pool keeps each node on its own worker.
        """
        if not self.sticky:
            return deal(node_ids, self.num_hosts)
        by_host: dict[int, list[int]] = defaultdict(list)
        for node_id in sorted(node_ids):
            by_host[self.nodes[node_id].host].append(node_id)

        return dict(by_host)

    def host_stats(self) -> dict[int, dict[str, int]]:
        """Return each running worker's counts of nodes built now, builds, drops."""
        calls = {index: h.stats.remote() for index, h in sorted(self._hosts.items())}

        return {index: ray.get(ref) for index, ref in calls.items()}

    def built_nodes(self) -> dict[int, list[int]]:
        """Return the ids of the nodes each running worker holds built now."""
        calls = {i: h.node_ids.remote() for i, h in sorted(self._hosts.items())}

        return {index: ray.get(ref) for index, ref in calls.items()}

    def shutdown(self) -> None:
        """Kill every worker, release the placement group, drop spilled states."""
        for handle in self._hosts.values():
            ray.kill(handle, no_restart=True)
        self._hosts.clear()
        release(self._group)
        self._group = None
        self.states.close()

    def _dispatch(
        self,
        method: str,
        round_num: int,
        parameters_ref: Any,
        node_ids: Sequence[int],
        timeout_s: float | None,
        kill: Sequence[int] = (),
    ) -> list[NodeOutcome]:
        assignment = self.schedule(node_ids)
        by_host = {
            host: [NodeTask(n, self.states.get(n, {})) for n in ids]
            for host, ids in assignment.items()
        }

        host_of = {n: host for host, ids in assignment.items() for n in ids}
        self._kill(sorted({host_of[n] for n in kill if n in host_of}), round_num)
        calls = {
            getattr(self._host(h), method).remote(round_num, parameters_ref, tasks): h
            for h, tasks in by_host.items()
        }
        ready, pending = ray.wait(
            list(calls), num_returns=len(calls), timeout=timeout_s
        )

        outcomes: list[NodeOutcome] = []
        for ref in ready:
            host = calls[ref]
            outcomes.extend(self._collect(ref, host, by_host[host], round_num))
        for ref in pending:
            host = calls[ref]
            error = ErrorInfo(
                "RoundTimeout", f"no answer within round_timeout_s={timeout_s:g}"
            )
            outcomes.extend(self._fail(host, by_host[host], round_num, error))

        return sorted(outcomes, key=lambda o: o.node_id)

    def _kill(self, hosts: Sequence[int], round_num: int) -> None:
        """Kill workers through Ray and wait until Ray reports them dead.

        Chaos kills happen before the round's calls go out: a call already
        running on a worker could finish before the kill lands, and the
        node chosen to fail would not.
        """
        for host in hosts:
            logger.info("round %d: killing worker %d (chaos)", round_num, host)
            ray.kill(self._hosts[host], no_restart=True)
        for host in hosts:
            handle = self._hosts[host]
            deadline = time.monotonic() + self.placement.start_timeout_s
            while time.monotonic() < deadline:
                try:
                    ray.get(handle.where.remote(), timeout=1.0)
                except RayActorError:
                    break
                except GetTimeoutError:
                    continue
                time.sleep(0.01)

    def _collect(
        self, ref: Any, host: int, tasks: list[NodeTask], round_num: int
    ) -> list[NodeOutcome]:
        try:
            outcomes: list[NodeOutcome] = ray.get(ref)
        except (RayActorError, RayTaskError, GetTimeoutError) as exc:
            return self._fail(host, tasks, round_num, ErrorInfo.from_exception(exc))

        for outcome in outcomes:
            if not outcome.ok:
                continue
            self.nodes[outcome.node_id].mark_built()
            if outcome.state:
                self.states[outcome.node_id] = outcome.state
            elif outcome.state is not None:
                self.states.pop(outcome.node_id, None)

        return outcomes

    def _fail(
        self, host: int, tasks: list[NodeTask], round_num: int, error: ErrorInfo
    ) -> list[NodeOutcome]:
        """Record every task of a lost worker as failed and retire the worker."""
        logger.warning(
            "round %d: worker %d lost (%s: %s); nodes %s fail this round",
            round_num,
            host,
            error.type,
            error.message.splitlines()[0][:200],
            [t.node_id for t in tasks],
        )
        handle = self._hosts.pop(host, None)
        if handle is not None:
            ray.kill(handle, no_restart=True)
        for node in self.nodes.values():
            if self.sticky and node.host == host:
                node.mark_lost()
        self._launch(host)  # the replacement warms up before the next round

        return [NodeOutcome(t.node_id, round_num, error=error) for t in tasks]

    def _host(self, index: int) -> Any:
        """Return worker ``index``, starting it in its bundle if needed."""
        if index not in self._hosts:
            self._launch(index)

        return self._hosts[index]

    def _launch(self, index: int) -> Any:
        """Start worker ``index`` in its bundle; return its warm-up call.

        The warm-up (imports, building the learner) is the worker's first
        call, so it is done before any round's call reaches the worker.
        """
        start = time.perf_counter()
        strategy = PlacementGroupSchedulingStrategy(
            placement_group=self._group, placement_group_bundle_index=index
        )
        handle = self.host_class.options(
            **self.placement.actor_options(index),
            scheduling_strategy=strategy,
            max_concurrency=1,
        ).remote(
            index,
            *self._shared_refs,
            *self._host_args,
            self.placement.threads(index),
            self._max_nodes,
        )
        self._hosts[index] = handle
        logger.debug("worker %d started in %.3f s", index, time.perf_counter() - start)

        return handle.ready.remote()
