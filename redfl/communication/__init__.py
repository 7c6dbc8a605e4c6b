"""Messages and the manager that routes them along topology edges."""

from redfl.communication.manager import TopologyManager
from redfl.communication.message import Message, MessageKind

__all__ = ["Message", "MessageKind", "TopologyManager"]
