"""`VirtualNode`: a lazy, rebuildable handle on a participant."""

from __future__ import annotations

from dataclasses import dataclass

from redfl.nodes.node import NodeSpec
from redfl.types import Role


@dataclass
class VirtualNode:
    """A participant as the driver sees it, before and after it exists.

    Nothing is built for a node until it is first scheduled. A pooled node
    runs on whichever worker its round deals it to; ``host`` is the worker
    (and placement-group bundle) it stays on when the pool is sticky, where
    ``built`` says whether that worker holds it now. When that worker dies
    the node is marked unbuilt and is built again the next time it is
    scheduled; ``builds`` counts how often it went from unbuilt to built.
    """

    spec: NodeSpec
    host: int
    built: bool = False
    builds: int = 0

    @property
    def node_id(self) -> int:
        """Return the node's id."""
        return self.spec.node_id

    def has(self, role: Role) -> bool:
        """Return True when the node plays ``role``."""
        return self.spec.has(role)

    def mark_built(self) -> None:
        """Record that the host now holds this node."""
        if not self.built:
            self.built = True
            self.builds += 1

    def mark_lost(self) -> None:
        """Record that the node's host is gone; it will be rebuilt on next use."""
        self.built = False
