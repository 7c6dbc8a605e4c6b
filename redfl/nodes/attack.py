"""Byzantine behaviour of a node: what an attacking node does to its update.

An attacking node trains as usual (on flipped labels for ``label_flip``),
then, from ``start_round`` on, replaces what it sends. With ``g`` the global
model it was sent and ``w`` its honestly trained model:

- ``sign_flip``: ``g - scale * (w - g)``, the update reversed and scaled;
- ``scale``: ``g + scale * (w - g)``, the update scaled;
- ``gaussian``: ``w + N(0, std**2)``, noise seeded by run seed, round, node;
- ``same_value``: every coordinate set to ``value``, the same vector from
  every attacker (collusion);
- ``label_flip``: trains on labels ``num_classes - 1 - y``; sends ``w``.

Only floating arrays are changed; integer buffers are sent as trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from redfl.data.datasets import ArrayDataset
from redfl.parameters import Parameters
from redfl.seeding import Stream, derive_rng

Float64 = npt.NDArray[np.float64]
AttackKind = Literal["sign_flip", "scale", "gaussian", "label_flip", "same_value"]


@dataclass(frozen=True)
class AttackSpec:
    """How one Byzantine node misbehaves, and from which round."""

    kind: AttackKind
    start_round: int = 1
    scale: float = 10.0
    std: float = 1.0
    value: float = 100.0
    num_classes: int = 10

    def active(self, round_num: int) -> bool:
        """Return True when the node attacks in ``round_num``."""
        return round_num >= self.start_round

    def corrupt(
        self,
        sent: Parameters,
        trained: Parameters,
        rng: np.random.Generator,
    ) -> Parameters:
        """Return what the node sends instead of ``trained``."""
        corrupted = {}
        for name, local in trained.items():
            if not np.issubdtype(local.dtype, np.floating):
                corrupted[name] = local
                continue
            start = sent[name].astype(np.float64)
            value = self._corrupt_array(start, local.astype(np.float64), rng)
            corrupted[name] = value.astype(local.dtype)

        return Parameters(corrupted)

    def _corrupt_array(
        self, start: Float64, local: Float64, rng: np.random.Generator
    ) -> Float64:
        if self.kind == "sign_flip":
            value = start - self.scale * (local - start)
        elif self.kind == "scale":
            value = start + self.scale * (local - start)
        elif self.kind == "gaussian":
            value = local + rng.normal(0.0, self.std, size=local.shape)
        elif self.kind == "same_value":
            value = np.full(local.shape, self.value)
        else:
            value = local

        return np.asarray(value, dtype=np.float64)

    def flip(self, data: ArrayDataset) -> ArrayDataset:
        """Return ``data`` with labels ``num_classes - 1 - y``."""
        return ArrayDataset(data.x, self.num_classes - 1 - data.y)


def select_attackers(
    node_count: int,
    nodes: Sequence[int] | None,
    fraction: float | None,
    run_seed: int,
) -> list[int]:
    """Return the sorted ids of the attacking nodes.

    Explicit ``nodes`` are taken as given. A ``fraction`` picks
    ``round(fraction * node_count)`` nodes (at least one) with a generator
    seeded by the run seed alone, so the choice does not change with the
    number of workers or rounds.
    """
    if nodes is not None:
        return sorted(int(n) for n in nodes)
    assert fraction is not None
    count = min(node_count, max(1, round(fraction * node_count)))
    rng = derive_rng(run_seed, Stream.ATTACK)
    chosen = rng.choice(node_count, size=count, replace=False)

    return sorted(int(c) for c in chosen)


def attack_rng(run_seed: int, round_num: int, node_id: int) -> np.random.Generator:
    """Return the generator of a node's attack noise in ``round_num``."""
    return derive_rng(run_seed, Stream.ATTACK, round_num, node_id)
