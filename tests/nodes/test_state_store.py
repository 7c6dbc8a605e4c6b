"""Nodes' states between rounds: the memory budget and spilling to disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redfl.nodes.state_store import NodeStateStore, state_nbytes


def state(value: float) -> dict[str, np.ndarray]:
    """Return a 96-byte state: a float32 buffer and an int64 counter."""
    return {
        "0.momentum_buffer": np.full(16, value, dtype=np.float32),
        "steps": np.array([int(value)] * 4, dtype=np.int64),
    }


def test_states_past_the_budget_go_to_disk_oldest_first(tmp_path: Path) -> None:
    store = NodeStateStore(2 * state_nbytes(state(0)), tmp_path / "spill")

    for node in range(4):
        store[node] = state(node)

    assert store.spilled == 2
    assert sorted(p.name for p in (tmp_path / "spill").iterdir()) == [
        "node_0.npz",
        "node_1.npz",
    ]
    assert store.memory_bytes <= 2 * state_nbytes(state(0))
    assert list(store) == [0, 1, 2, 3] and len(store) == 4


def test_a_spilled_state_comes_back_with_names_dtypes_and_values(
    tmp_path: Path,
) -> None:
    store = NodeStateStore(state_nbytes(state(0)), tmp_path)
    store[7] = state(7)
    store[8] = state(8)

    back = store[7]

    assert list(back) == ["0.momentum_buffer", "steps"]
    assert back["0.momentum_buffer"].dtype == np.float32
    assert back["steps"].dtype == np.int64
    assert np.array_equal(back["steps"], [7, 7, 7, 7])
    assert not (tmp_path / "node_7.npz").exists()
    assert (tmp_path / "node_8.npz").exists()


def test_overwrite_and_delete_leave_no_stale_file(tmp_path: Path) -> None:
    store = NodeStateStore(state_nbytes(state(0)), tmp_path)
    store[1] = state(1)
    store[2] = state(2)

    store[1] = state(10)
    del store[2]

    assert 2 not in store and store.get(2, {}) == {}
    assert float(store[1]["0.momentum_buffer"][0]) == 10.0
    assert not (tmp_path / "node_2.npz").exists()
    with pytest.raises(KeyError):
        del store[2]


def test_without_a_budget_nothing_touches_disk(tmp_path: Path) -> None:
    store = NodeStateStore()
    for node in range(100):
        store[node] = state(node)

    assert store.spilled == 0 and store.spill_writes == 0
    assert store.memory_bytes == 100 * state_nbytes(state(0))


def test_close_removes_the_spill_folder(tmp_path: Path) -> None:
    store = NodeStateStore(1, tmp_path / "spill")
    store[0] = state(0)

    store.close()

    assert not (tmp_path / "spill").exists() and len(store) == 0


@pytest.mark.parametrize(
    ("budget", "folder", "message"),
    [(0, Path("x"), "must be > 0"), (10, None, "needs a spill_dir")],
)
def test_bad_store_settings_are_refused(
    budget: int, folder: Path | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        NodeStateStore(budget, folder)
