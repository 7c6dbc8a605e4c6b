"""The manager: edges only, byte counts, rounds kept apart, gossip plans."""

from __future__ import annotations

import numpy as np
import pytest

from redfl.communication import MessageKind, TopologyManager
from redfl.errors import TopologyError
from redfl.federation.decentralized import plan_mixing
from redfl.parameters import Parameters
from redfl.runtime.host import SharedReport
from redfl.topology import line, mesh, uniform_neighbour
from redfl.topology.mixing import average_parameters, mix_parameters


def params(value: float) -> Parameters:
    return Parameters(
        {
            "w": np.full((4, 5), value, dtype=np.float32),
            "b": np.full(5, value, dtype=np.float64),
        }
    )


def shared(models: dict[int, Parameters], round_num: int) -> dict[int, SharedReport]:
    return {
        n: SharedReport(n, round_num, parameters_ref=p, nbytes=p.nbytes)
        for n, p in models.items()
    }


def test_send_along_non_edge_names_sender_and_receiver() -> None:
    manager = TopologyManager(line(4))

    with pytest.raises(TopologyError, match=r"round 3: node 0 cannot send to node 2"):
        manager.send(MessageKind.PARAMETERS, 0, [1, 2], 3, None, 8)


def test_byte_counts_match_array_sizes() -> None:
    manager = TopologyManager(mesh(3))
    payload = params(1.0)

    manager.send(MessageKind.PARAMETERS, 0, [1, 2], 1, payload, payload.nbytes)
    manager.send(MessageKind.PARAMETERS, 0, [1], 1, payload, payload.nbytes)

    expected = 4 * 5 * 4 + 5 * 8
    assert payload.nbytes == expected
    assert manager.edge_traffic(1) == [(0, 1, 2, 2 * expected), (0, 2, 1, expected)]
    assert manager.bytes_sent(1) == 3 * expected
    assert manager.bytes_sent(2) == 0


def test_message_of_one_round_is_never_read_in_another() -> None:
    manager = TopologyManager(mesh(2))
    manager.send(MessageKind.PARAMETERS, 0, [1], 1, "round-1", 4, deliver=True)

    assert manager.inbox(1, 2) == []
    manager.end_round(1)
    assert manager.inbox(1, 1) == []


def test_plan_ignores_stale_round_messages() -> None:
    manager = TopologyManager(mesh(2))
    manager.send(MessageKind.PARAMETERS, 0, [1], 1, params(99.0), 60, deliver=True)
    weights = uniform_neighbour(mesh(2))

    plan = plan_mixing(manager, 2, weights, shared({0: params(0.0), 1: params(2.0)}, 2))

    senders = [sender for sender, _, _ in plan[1]]
    assert senders == [1, 0]
    assert all(float(ref["w"][0, 0]) != 99.0 for _, _, ref in plan[1])


def test_one_uniform_exchange_on_complete_graph_gives_exact_average() -> None:
    n = 5
    topology = mesh(n)
    manager = TopologyManager(topology)
    rng = np.random.default_rng(0)
    models = {
        i: Parameters(
            {
                "w": rng.normal(size=(4, 5)).astype(np.float32),
                "b": rng.normal(size=5),
            }
        )
        for i in range(n)
    }

    plan = plan_mixing(manager, 1, uniform_neighbour(topology), shared(models, 1))
    mixed = {
        node: mix_parameters([(w, ref) for _, w, ref in pairs])
        for node, pairs in plan.items()
    }

    average = average_parameters([models[i] for i in range(n)])
    for node in range(n):
        np.testing.assert_allclose(mixed[node]["w"], average["w"], rtol=1e-6)
        np.testing.assert_allclose(mixed[node]["b"], average["b"], rtol=1e-12)
    assert manager.bytes_sent(1) == n * (n - 1) * models[0].nbytes
