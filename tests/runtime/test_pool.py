"""The worker pool: state across workers, eviction, lazy build, resource checks."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from counting_learner import BrokenSpec, CountingSpec

from redfl.config import load_config
from redfl.data.datasets import FederatedDataset, load_digits_dataset
from redfl.data.partition import IIDPartitioner
from redfl.errors import PlacementError, WorkerStartError
from redfl.federation.setup import initial_parameters
from redfl.learners.factory import LearnerSpec
from redfl.nodes.node import FitReport, NodeSpec
from redfl.nodes.virtual import VirtualNode
from redfl.runtime.placement import PlacementRequest, check_feasible
from redfl.runtime.pool import NodePool, deal
from redfl.types import Role

pytestmark = pytest.mark.ray

WORKERS = 2


@pytest.fixture(scope="module")
def digits() -> FederatedDataset:
    return load_digits_dataset(seed=0)


def make_pool(
    digits: FederatedDataset,
    count: int,
    max_nodes: int | None,
    spec: LearnerSpec | None = None,
) -> NodePool:
    parts = IIDPartitioner().partition(digits.train.y, count, np.random.default_rng(0))
    roles = frozenset({Role.TRAIN})
    nodes = [
        VirtualNode(NodeSpec(i, roles, part), host=i % WORKERS)
        for i, part in enumerate(parts)
    ]
    placement = PlacementRequest(bundles=WORKERS, cpus_per_bundle=0.5)

    return NodePool(
        nodes,
        placement,
        digits,
        spec or CountingSpec(),
        run_seed=0,
        local_epochs=1,
        max_nodes_per_worker=max_nodes,
    )


@pytest.fixture
def pool_factory(
    ray_cluster: None, digits: FederatedDataset
) -> Iterator[list[NodePool]]:
    pools: list[NodePool] = []
    yield pools
    for pool in pools:
        pool.shutdown()


def start(pools: list[NodePool], pool: NodePool) -> NodePool:
    pools.append(pool)
    pool.start()
    return pool


def counts(pool: NodePool, round_num: int, node_ids: list[int]) -> dict[int, float]:
    """Train ``node_ids`` once and return each node's reported round count."""
    parameters = initial_parameters(
        load_config({"model": {"name": "logistic_regression", "kwargs": {}}})
    )
    outcomes = pool.fit(round_num, pool.put(parameters), node_ids)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    reports = [o.report for o in outcomes]

    return {r.node_id: r.loss for r in reports if isinstance(r, FitReport)}


@pytest.mark.parametrize("max_nodes", [None, 1], ids=["kept", "evicted"])
def test_state_persists_across_rounds_on_different_workers(
    pool_factory: list[NodePool], digits: FederatedDataset, max_nodes: int | None
) -> None:
    pool = start(pool_factory, make_pool(digits, 4, max_nodes))
    rounds = [[0, 1, 2, 3], [1, 2, 3], [0, 1, 2, 3], [2]]
    moved = deal(rounds[0], WORKERS)[1] != deal(rounds[1], WORKERS)[1]

    seen = [counts(pool, r, ids) for r, ids in enumerate(rounds, start=1)]

    assert moved
    assert seen == [
        {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0},
        {1: 2.0, 2: 2.0, 3: 2.0},
        {0: 2.0, 1: 3.0, 2: 3.0, 3: 3.0},
        {2: 4.0},
    ]
    stats = pool.host_stats()
    if max_nodes == 1:
        assert all(s["built"] <= 1 for s in stats.values())
        assert sum(s["evictions"] for s in stats.values()) > 0
    else:
        assert sum(s["evictions"] for s in stats.values()) == 0


def test_a_node_never_sampled_is_never_built(
    pool_factory: list[NodePool], digits: FederatedDataset
) -> None:
    pool = start(pool_factory, make_pool(digits, 6, 1000))

    counts(pool, 1, [0, 4])
    counts(pool, 2, [0, 4])

    built = pool.built_nodes()
    assert sorted(n for ids in built.values() for n in ids) == [0, 4]
    assert sum(s["builds"] for s in pool.host_stats().values()) == 2


def test_learner_that_cannot_be_built_stops_the_start_with_its_error(
    pool_factory: list[NodePool], digits: FederatedDataset
) -> None:
    pool = make_pool(digits, 2, None, spec=BrokenSpec())
    pool_factory.append(pool)

    with pytest.raises(WorkerStartError, match="ValueError: model factory failed"):
        pool.start()


def test_deal_follows_sorted_ids_round_robin() -> None:
    assert deal([7, 3, 9, 1, 5], 2) == {0: [1, 5, 9], 1: [3, 7]}
    assert deal([4, 2], 4) == {0: [2], 1: [4]}
    assert deal(range(100, 10_100, 100), 3) == deal(range(100, 10_100, 100), 3)


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (1.5, "fractions only below one CPU"),
        (3.0, "the largest has 2"),
        (0.00001, "below Ray's smallest share"),
    ],
)
def test_pool_refuses_a_worker_share_that_cannot_fit(
    ray_cluster: None, share: float, expected: str
) -> None:
    request = PlacementRequest(bundles=1, cpus_per_bundle=share, timeout_s=1.0)

    with pytest.raises(PlacementError, match=expected):
        check_feasible(request)
