"""`SpecTable`: node specs packed into flat arrays."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.nodes.attack import AttackSpec
from redfl.nodes.node import NodeSpec
from redfl.nodes.table import SpecTable
from redfl.types import Role


def test_table_gives_back_every_spec() -> None:
    roles = frozenset({Role.TRAIN})
    attack = AttackSpec(kind="sign_flip")
    specs = [
        NodeSpec(0, roles, np.array([4, 2], dtype=np.int64)),
        NodeSpec(1, roles, np.zeros(0, dtype=np.int64), attack),
        NodeSpec(2, frozenset({Role.EVAL}), np.array([7], dtype=np.int64)),
    ]

    table = SpecTable.from_specs(specs)

    for spec in specs:
        got = table.spec(spec.node_id)
        assert got.roles == spec.roles and got.attack == spec.attack
        assert got.indices.tolist() == spec.indices.tolist()
    with pytest.raises(KeyError, match="no node 3"):
        table.spec(3)


def test_table_needs_consecutive_ids() -> None:
    spec = NodeSpec(1, frozenset({Role.TRAIN}), np.array([0], dtype=np.int64))

    with pytest.raises(ValueError, match=r"0\.\.0 in order"):
        SpecTable.from_specs([spec])
