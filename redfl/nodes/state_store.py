"""`NodeStateStore`: nodes' learner states between rounds, within a memory budget.

A pooled node keeps no actor between rounds, so the driver holds what its
learner declared as state (optimizer buffers, a personal layer, counters)
until the node is scheduled again. With thousands of stateful nodes that can
outgrow the driver's memory; past ``memory_budget_bytes`` the least recently
used states are written to one ``.npz`` file each in ``spill_dir`` and read
back, dtypes and names kept, when their node next needs them.
"""

from __future__ import annotations

import logging
import shutil
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import numpy as np

from redfl.learners.base import LearnerState

logger = logging.getLogger(__name__)


def state_nbytes(state: LearnerState) -> int:
    """Return the bytes the arrays of ``state`` hold."""
    return sum(int(np.asarray(a).nbytes) for a in state.values())


class NodeStateStore(MutableMapping[int, LearnerState]):
    """Node id -> learner state, in memory up to a budget and on disk beyond it.

    Args:
        memory_budget_bytes: the most state bytes kept in memory; None keeps
            everything in memory.
        spill_dir: where spilled states go; needed with a budget. Created on
            the first spill, removed by `close`.

    Raises:
        ValueError: a budget is not positive, or is given without a folder.
    """

    def __init__(
        self, memory_budget_bytes: int | None = None, spill_dir: Path | None = None
    ) -> None:
        if memory_budget_bytes is not None and memory_budget_bytes <= 0:
            raise ValueError(
                f"memory_budget_bytes must be > 0 or None, got {memory_budget_bytes}"
            )
        if memory_budget_bytes is not None and spill_dir is None:
            raise ValueError("a memory budget needs a spill_dir to write states to")
        self.memory_budget_bytes = memory_budget_bytes
        self.spill_dir = spill_dir
        self.memory_bytes = 0
        self.spill_writes = 0
        self._memory: OrderedDict[int, LearnerState] = OrderedDict()
        self._spilled: set[int] = set()

    def __getitem__(self, node_id: int) -> LearnerState:
        if node_id in self._memory:
            self._memory.move_to_end(node_id)
            return self._memory[node_id]
        if node_id not in self._spilled:
            raise KeyError(node_id)

        path = self._path(node_id)
        with np.load(path) as saved:
            state: LearnerState = {name: saved[name] for name in saved.files}
        self._spilled.discard(node_id)
        path.unlink()
        self._keep(node_id, state)

        return state

    def __setitem__(self, node_id: int, state: LearnerState) -> None:
        self._drop(node_id)
        self._keep(node_id, dict(state))

    def __delitem__(self, node_id: int) -> None:
        if node_id not in self:
            raise KeyError(node_id)
        self._drop(node_id)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._memory or node_id in self._spilled

    def __iter__(self) -> Iterator[int]:
        return iter(sorted([*self._memory, *self._spilled]))

    def __len__(self) -> int:
        return len(self._memory) + len(self._spilled)

    @property
    def spilled(self) -> int:
        """Return how many nodes' states are on disk now."""
        return len(self._spilled)

    def close(self) -> None:
        """Forget every state and remove the spill folder."""
        self._memory.clear()
        self._spilled.clear()
        self.memory_bytes = 0
        if self.spill_dir is not None and self.spill_dir.exists():
            shutil.rmtree(self.spill_dir)

    def _keep(self, node_id: int, state: LearnerState) -> None:
        """Hold ``state`` in memory, then spill the oldest past the budget."""
        self._memory[node_id] = state
        self.memory_bytes += state_nbytes(state)
        budget = self.memory_budget_bytes
        while budget is not None and self.memory_bytes > budget and self._memory:
            oldest, spilled = self._memory.popitem(last=False)
            self.memory_bytes -= state_nbytes(spilled)
            self._spill(oldest, spilled)

    def _spill(self, node_id: int, state: LearnerState) -> None:
        assert self.spill_dir is not None
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        np.savez(self._path(node_id), **state)  # type: ignore[arg-type]
        self._spilled.add(node_id)
        self.spill_writes += 1
        logger.debug("node %d: state spilled to %s", node_id, self.spill_dir)

    def _drop(self, node_id: int) -> None:
        """Remove ``node_id``'s state from memory or disk, if held."""
        state = self._memory.pop(node_id, None)
        if state is not None:
            self.memory_bytes -= state_nbytes(state)
        if node_id in self._spilled:
            self._spilled.discard(node_id)
            self._path(node_id).unlink()

    def _path(self, node_id: int) -> Path:
        assert self.spill_dir is not None
        return self.spill_dir / f"node_{node_id}.npz"
