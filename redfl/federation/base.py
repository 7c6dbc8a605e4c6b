"""`FederatedBase`: the lifecycle every schema shares.

Prepare (data, partitions, model) before Ray starts; reserve the placement
group; run rounds; write each round as it ends; and release every actor and
the placement group afterwards, on success, on error and on Ctrl-C.
"""

from __future__ import annotations

import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from redfl.aggregation import Aggregator, make_aggregator
from redfl.communication.manager import TopologyManager
from redfl.config import RunConfig, load_config
from redfl.errors import CheckpointError, ConfigError, RedError, RoundError
from redfl.federation.setup import Prepared, assign_hosts, plan_placement, prepare
from redfl.nodes.faults import Fault
from redfl.nodes.state_store import NodeStateStore
from redfl.nodes.virtual import VirtualNode
from redfl.parameters import Parameters
from redfl.results.checkpoint import Checkpoint, save_checkpoint
from redfl.results.history import History
from redfl.results.progress import RoundProgress
from redfl.results.writer import RunWriter, default_run_dir
from redfl.runtime.host import ErrorInfo
from redfl.runtime.pool import NodePool
from redfl.runtime.session import cluster_resources, ray_session
from redfl.seeding import Stream, derive_rng
from redfl.topology.graph import Topology
from redfl.types import Role

logger = logging.getLogger(__name__)


def sample_nodes(
    candidates: Sequence[int], fraction: float, minimum: int, rng: np.random.Generator
) -> list[int]:
    """Return a sorted, seeded sample of ``candidates``.

    The sample holds ``ceil(fraction * n)`` nodes, at least ``minimum`` and
    at most all of them.
    """
    count = min(len(candidates), max(minimum, math.ceil(fraction * len(candidates))))
    chosen = rng.choice(np.asarray(candidates), size=count, replace=False)

    return sorted(int(c) for c in chosen)


RUN_FILES = ("summary.json", "history.jsonl", "checkpoint.pkl")
"""Files whose presence marks a folder as holding a run."""


def check_out_dir(out_dir: Path, overwrite: bool) -> None:
    """Refuse an output folder that is a file or already holds another run.

    Raises:
        ConfigError: names the folder and how to proceed.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"output folder {out_dir} is a file, not a folder")
    held = [name for name in RUN_FILES if (out_dir / name).exists()]
    if held and not overwrite:
        raise ConfigError(
            f"output folder {out_dir} already holds a run ({', '.join(held)}); "
            "choose another --out, continue it with `redfl resume "
            f"{out_dir}`, or replace it with --overwrite (output.overwrite: true)"
        )


def failure_record(round_num: int, node_id: int, error: ErrorInfo) -> dict[str, Any]:
    """Log a node's failure and return it as a history entry."""
    first_line = error.message.splitlines()[0] if error.message else ""
    logger.warning(
        "round %d: node %d failed: %s: %s", round_num, node_id, error.type, first_line
    )

    return {
        "node": node_id,
        "error": error.type,
        "message": error.message,
        "traceback": error.traceback,
    }


class FederatedBase(ABC):
    """Run a federation round by round; subclasses define one round.

    Args:
        config: the run configuration (a `RunConfig`, mapping or YAML path).
        out_dir: where results go; defaults to ``output.dir`` or
            ``runs/<timestamp>``.
        progress: print one line per round.
    """

    pool_class: type[NodePool] = NodePool
    """The worker pool the schema runs its nodes on."""

    def __init__(
        self,
        config: RunConfig | dict[str, Any] | str | Path,
        out_dir: str | Path | None = None,
        progress: bool = True,
    ) -> None:
        self.config = load_config(config)
        self.out_dir = Path(out_dir or self.config.output.dir or default_run_dir())
        self.progress = RoundProgress(self.config.rounds, enabled=progress)
        self.history = History()
        self.aggregator: Aggregator = make_aggregator(
            self.config.strategy.name, **self.config.strategy.options
        )
        self.prepared: Prepared | None = None
        self.parameters: Parameters | None = None
        self.nodes: list[VirtualNode] = []
        self.pool: NodePool | None = None
        self.manager: TopologyManager | None = None
        self.roles: dict[Role, list[int]] = {}
        """Node ids by role, in id order, fixed once the nodes exist."""
        self.locations: dict[int, str] = {}
        """Worker index -> Ray node id at the end of the run."""
        self.cluster: dict[str, float] = {}
        self.checkpoint: Checkpoint | None = None
        """Set by `redfl.federation.resume`: the state to continue from."""

    @abstractmethod
    def build_topology(self) -> Topology:
        """Return the topology the schema sends through."""

    @abstractmethod
    def run_round(self, round_num: int) -> dict[str, Any]:
        """Run one round and return its history record (without timing)."""

    def node_states(self) -> dict[int, Parameters]:
        """Return per-node state a checkpoint must keep (none by default)."""
        return {}

    def restore_node_states(self, states: dict[int, Parameters]) -> None:
        """Take back per-node state from a checkpoint, before the next round.

        Raises:
            CheckpointError: the checkpoint holds node state this schema
                cannot use.
        """
        if states:
            raise CheckpointError(
                f"the checkpoint holds state for {len(states)} node(s), which the "
                f"{self.config.schema_} schema does not keep"
            )

    def schema_state(self) -> dict[str, Any]:
        """Return the schema's own state a checkpoint must keep (none here)."""
        return {}

    def restore_schema_state(self, state: dict[str, Any]) -> None:
        """Take back the schema's own state from a checkpoint.

        Raises:
            CheckpointError: the checkpoint holds state this schema cannot use.
        """
        if state:
            raise CheckpointError(
                f"the checkpoint holds schema state ({', '.join(sorted(state))}) "
                f"that the {self.config.schema_} schema does not keep"
            )

    def train(self) -> History:
        """Run every round and write the results; return the history.

        Raises:
            ConfigError, DataError: bad input, before any work starts.
            PlacementError: Ray cannot place the requested resources.
            RoundError: a round ended with too few usable results.
        """
        started = time.perf_counter()
        if self.checkpoint is None:
            check_out_dir(self.out_dir, self.config.output.overwrite)
        self.prepared = prepare(self.config)
        self.parameters = self.prepared.initial_parameters
        self.manager = TopologyManager(self.build_topology())

        writer = RunWriter(self.out_dir)
        start_round = self._restore(writer)
        status, error = "failed", None
        ray_config = self.config.ray
        with ray_session(
            ray_config.address,
            ray_config.num_cpus,
            ray_config.runtime_env,
            ray_config.ship_redfl,
        ):
            placement = plan_placement(self.config)
            self.nodes = assign_hosts(self.prepared.node_specs, placement.bundles)
            self.roles = {
                role: [n.node_id for n in self.nodes if n.has(role)] for role in Role
            }
            self.pool = self.pool_class(
                self.nodes,
                placement,
                self.prepared.dataset,
                self.prepared.learner_spec,
                self.config.seed,
                self.config.learner.local_epochs,
                faults=[
                    Fault(f.node, f.round, f.kind, f.seconds)
                    for f in self.config.faults
                ],
                max_nodes_per_worker=self.config.resources.max_nodes_per_worker,
                pinned=self.config.resources.hosting == "dedicated",
                states=self._state_store(),
            )
            self.progress.start(
                self.config.name, len(self.nodes), placement.bundles, str(self.out_dir)
            )
            try:
                self.pool.start()
                self._run_rounds(writer, start_round)
                status = "completed"
            except KeyboardInterrupt:
                status, error = "interrupted", "stopped by the user (Ctrl-C)"
                raise
            except RedError as exc:
                error = str(exc)
                raise
            finally:
                self.locations = self.pool.locate() if status == "completed" else {}
                self.cluster = cluster_resources()
                self.pool.shutdown()
                self._finish(writer, status, error, time.perf_counter() - started)

        return self.history

    def _state_store(self) -> NodeStateStore:
        """Return the store for nodes' states, with the configured budget."""
        budget_mb = self.config.resources.state_memory_mb
        budget = None if budget_mb is None else max(1, round(budget_mb * 2**20))

        return NodeStateStore(budget, self.out_dir / "node_states")

    def sample(self, round_num: int) -> list[int]:
        """Return this round's training nodes, seeded by the run seed and round."""
        rng = derive_rng(self.config.seed, Stream.SAMPLE, round_num)

        return sample_nodes(
            self.roles[Role.TRAIN],
            self.config.sampling.fraction_fit,
            self.config.sampling.min_fit_nodes,
            rng,
        )

    def require_enough(
        self, round_num: int, sampled: int, usable: int, failures: list[dict[str, Any]]
    ) -> None:
        """Stop the run when a round has fewer usable results than it needs.

        Raises:
            RoundError: names the round, the counts and each failed node's error.
        """
        needed = self.config.sampling.required_results(sampled)
        if usable >= needed:
            return
        detail = "; ".join(
            f"node {f['node']}: {f['error']}: {f['message']}" for f in failures
        )
        tracebacks = self.out_dir / "failures.jsonl"
        raise RoundError(
            f"round {round_num}: {usable} usable result(s) of {sampled} sampled "
            f"node(s), {needed} needed (sampling.min_fit_nodes="
            f"{self.config.sampling.min_fit_nodes}, min_fit_fraction="
            f"{self.config.sampling.min_fit_fraction:g})"
            + (f"; failures: {detail}; tracebacks in {tracebacks}" if detail else ""),
            round_num=round_num,
            failures=failures,
        )

    def _restore(self, writer: RunWriter) -> int:
        """Open the run folder, fresh or from a checkpoint; return the next round."""
        if self.checkpoint is None:
            writer.open(self.config.to_dict())
            return 1

        done = self.checkpoint.round_num
        if self.checkpoint.parameters is not None:
            self.parameters = self.checkpoint.parameters
        self.aggregator.load_state_dict(self.checkpoint.strategy_state)
        self.restore_node_states(self.checkpoint.node_states)
        self.restore_schema_state(self.checkpoint.schema_state)
        self.history = History(writer.reopen(done))
        writer.write_config(self.config.to_dict())
        logger.info("resuming %s after round %d", self.out_dir, done)

        return done + 1

    def _run_rounds(self, writer: RunWriter, start_round: int) -> None:
        assert self.manager is not None
        for round_num in range(start_round, self.config.rounds + 1):
            start = time.perf_counter()
            try:
                record = self.run_round(round_num)
            except RoundError as exc:
                writer.append_failures(round_num, exc.failures)
                raise
            record["bytes_sent"] = self.manager.bytes_sent(round_num)
            record["duration_s"] = time.perf_counter() - start

            self.history.append(record)
            writer.append_round(record)
            writer.append_edges(
                [(round_num, *row) for row in self.manager.edge_traffic(round_num)]
            )
            self.manager.end_round(round_num)
            if self.config.output.checkpoint:
                save_checkpoint(self.out_dir, self._checkpoint(round_num))
            self.progress.round_done(record)
            logger.info("round %d done in %.3f s", round_num, record["duration_s"])

    def _checkpoint(self, round_num: int) -> Checkpoint:
        return Checkpoint(
            round_num=round_num,
            parameters=self.parameters,
            strategy_state=self.aggregator.state_dict(),
            node_states=self.node_states(),
            schema_state=self.schema_state(),
        )

    def _finish(
        self, writer: RunWriter, status: str, error: str | None, wall_s: float
    ) -> None:
        summary = self.summary(status, error, wall_s)
        state = self.aggregator.state_dict()
        if state and self.out_dir.is_dir():
            np.savez(self.out_dir / "strategy_state.npz", **state)
        writer.finish(self.history, summary, self.parameters, self.config.output.plots)
        if status == "completed":
            self.progress.finish(summary, str(self.out_dir))

    def _attack_summary(self) -> dict[str, Any] | None:
        """Return the attack settings and the attacking node ids, or None."""
        if self.config.attack is None or self.prepared is None:
            return None
        attackers = [s.node_id for s in self.prepared.node_specs if s.attack]
        return {**self.config.attack.model_dump(mode="json"), "nodes": attackers}

    def summary(self, status: str, error: str | None, wall_s: float) -> dict[str, Any]:
        """Return the run's summary, as written to ``summary.json``."""
        durations = [r["duration_s"] for r in self.history]
        return {
            "name": self.config.name,
            "status": status,
            "error": error,
            "schema": self.config.schema_,
            "seed": self.config.seed,
            "rounds": len(self.history),
            "rounds_planned": self.config.rounds,
            "resumed_after_round": (
                self.checkpoint.round_num if self.checkpoint else None
            ),
            "nodes": self.config.nodes.count,
            "workers": self.pool.num_hosts if self.pool else 0,
            "final_test_accuracy": self.history.last("test_accuracy"),
            "final_test_loss": self.history.last("test_loss"),
            "final_eval_accuracy": self.history.last("eval_accuracy"),
            "best_test_accuracy": max(
                (a for a in self.history.series("test_accuracy") if a is not None),
                default=None,
            ),
            "round_median_s": float(np.median(durations)) if durations else None,
            "wall_s": wall_s,
            "bytes_sent": sum(r["bytes_sent"] for r in self.history),
            "failures": sum(r["num_failed"] for r in self.history),
            "node_state_spills": self.pool.states.spill_writes if self.pool else 0,
            "attack": self._attack_summary(),
            "model_checksum": self.parameters.checksum() if self.parameters else None,
            "placement": {
                "ray_node_of_worker": {str(h): n for h, n in self.locations.items()},
                "ray_node_of_node": {
                    str(v.node_id): self.locations[v.host]
                    for v in self.nodes
                    if v.host in self.locations
                },
                "cluster_resources": self.cluster,
            },
        }
