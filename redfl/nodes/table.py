"""`SpecTable`: every node's spec in a few flat arrays, cheap to share.

The table goes into the object store once and every worker reads it
zero-copy: the index lists of all nodes are one concatenated array with
offsets, so its cost does not grow with the number of workers, and a worker
can build any node from its id alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from redfl.nodes.attack import AttackSpec
from redfl.nodes.node import NodeSpec
from redfl.types import Role


@dataclass(frozen=True)
class SpecTable:
    """Node specs by id: indices ``indices[offsets[i]:offsets[i + 1]]``."""

    indices: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    roles: tuple[frozenset[Role], ...]
    attacks: dict[int, AttackSpec]
    groups: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_specs(cls, specs: Sequence[NodeSpec]) -> SpecTable:
        """Pack ``specs``, whose ids must be 0 .. len(specs) - 1 in order.

        Raises:
            ValueError: the ids are not consecutive from 0.
        """
        ids = [spec.node_id for spec in specs]
        if ids != list(range(len(specs))):
            raise ValueError(f"node ids must be 0..{len(specs) - 1} in order")
        sizes = [len(spec.indices) for spec in specs]
        offsets = np.zeros(len(specs) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        parts = [np.asarray(spec.indices, dtype=np.int64) for spec in specs]
        indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

        return cls(
            indices=indices,
            offsets=offsets,
            roles=tuple(spec.roles for spec in specs),
            attacks={s.node_id: s.attack for s in specs if s.attack is not None},
            groups={s.node_id: s.group for s in specs if s.group is not None},
        )

    def __len__(self) -> int:
        return len(self.roles)

    def spec(self, node_id: int) -> NodeSpec:
        """Return node ``node_id``'s spec.

        Raises:
            KeyError: no node has that id.
        """
        if not 0 <= node_id < len(self):
            raise KeyError(f"no node {node_id}; the table holds 0..{len(self) - 1}")
        start, stop = self.offsets[node_id], self.offsets[node_id + 1]

        return NodeSpec(
            node_id=node_id,
            roles=self.roles[node_id],
            indices=self.indices[start:stop],
            attack=self.attacks.get(node_id),
            group=self.groups.get(node_id),
        )
