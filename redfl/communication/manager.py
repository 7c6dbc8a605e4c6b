"""`TopologyManager`: routes messages along the topology's edges and counts them."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from redfl.communication.message import Message, MessageKind
from redfl.errors import TopologyError
from redfl.topology.graph import Topology

logger = logging.getLogger(__name__)

Edge = tuple[int, int]


class TopologyManager:
    """The one path for messages between nodes.

    A send along a non-edge raises. Each send is counted per directed edge
    and per round (messages and bytes), and delivered to its receivers'
    inboxes keyed by round, so a message from one round is never read in
    another.
    """

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self._traffic: dict[int, dict[Edge, list[int]]] = defaultdict(dict)
        self._inboxes: dict[tuple[int, int], list[Message]] = defaultdict(list)

    def send(
        self,
        kind: MessageKind,
        sender: int,
        receivers: Sequence[int],
        round_num: int,
        payload: Any,
        nbytes: int,
        deliver: bool = False,
    ) -> Message:
        """Route one payload reference from ``sender`` to ``receivers``.

        Args:
            deliver: also queue the message in each receiver's inbox (gossip);
                the client-server schema hands the payload to the call itself.

        Raises:
            TopologyError: a receiver is not linked to the sender.
        """
        for receiver in receivers:
            if not self.topology.has_edge(sender, receiver):
                raise TopologyError(
                    f"round {round_num}: node {sender} cannot send to node "
                    f"{receiver}: no edge in topology {self.topology.name!r}"
                )

        message = Message(kind, sender, tuple(receivers), round_num, payload, nbytes)
        edges = self._traffic[round_num]
        for receiver in receivers:
            counts = edges.setdefault((sender, receiver), [0, 0])
            counts[0] += 1
            counts[1] += nbytes
            if deliver:
                self._inboxes[(round_num, receiver)].append(message)
        logger.debug(
            "round %d: %s from %d to %d node(s), %d bytes each",
            round_num,
            kind,
            sender,
            len(receivers),
            nbytes,
        )

        return message

    def inbox(self, receiver: int, round_num: int) -> list[Message]:
        """Remove and return the messages for ``receiver`` in ``round_num``."""
        return self._inboxes.pop((round_num, receiver), [])

    def bytes_sent(self, round_num: int) -> int:
        """Return the bytes sent over all edges in ``round_num``."""
        return sum(b for _, b in self._traffic.get(round_num, {}).values())

    def edge_traffic(self, round_num: int) -> list[tuple[int, int, int, int]]:
        """Return (src, dst, messages, bytes) rows for ``round_num``, sorted."""
        edges = self._traffic.get(round_num, {})
        return sorted((s, d, m, b) for (s, d), (m, b) in edges.items())

    def end_round(self, round_num: int) -> None:
        """Drop undelivered messages of ``round_num`` (they expire with it)."""
        for key in [k for k in self._inboxes if k[0] == round_num]:
            dropped = self._inboxes.pop(key)
            logger.debug(
                "round %d: %d message(s) to node %d expired",
                round_num,
                len(dropped),
                key[1],
            )
