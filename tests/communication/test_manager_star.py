import pytest

from redfl.communication import MessageKind, TopologyManager
from redfl.errors import TopologyError
from redfl.topology import SERVER_ID, star


def manager() -> TopologyManager:
    return TopologyManager(star(range(3), center=SERVER_ID))


def test_send_along_a_non_edge_names_sender_and_receiver() -> None:
    with pytest.raises(TopologyError, match="node 0 cannot send to node 2"):
        manager().send(MessageKind.UPDATE, 0, [2], 1, None, 10)


def test_bytes_are_counted_per_edge_and_round() -> None:
    mgr = manager()

    mgr.send(MessageKind.PARAMETERS, SERVER_ID, [0, 1, 2], 1, None, 100)
    mgr.send(MessageKind.UPDATE, 1, [SERVER_ID], 1, None, 100)
    mgr.send(MessageKind.PARAMETERS, SERVER_ID, [0], 2, None, 100)

    assert mgr.bytes_sent(1) == 400
    assert mgr.bytes_sent(2) == 100
    assert (SERVER_ID, 0, 1, 100) in mgr.edge_traffic(1)
    assert (1, SERVER_ID, 1, 100) in mgr.edge_traffic(1)


def test_inbox_never_mixes_rounds() -> None:
    mgr = manager()
    mgr.send(MessageKind.PARAMETERS, SERVER_ID, [0], 1, "round-1", 8, deliver=True)
    mgr.send(MessageKind.PARAMETERS, SERVER_ID, [0], 2, "round-2", 8, deliver=True)

    second = mgr.inbox(0, 2)
    mgr.end_round(1)

    assert [m.payload for m in second] == ["round-2"]
    assert mgr.inbox(0, 1) == []


def test_star_rejects_center_among_leaves() -> None:
    with pytest.raises(TopologyError, match="center 1"):
        star([0, 1, 2], center=1)
