"""Participants: the node body and the driver's lazy handle on it."""

from redfl.nodes.node import EvaluateReport, FederatedNode, FitReport, NodeSpec
from redfl.nodes.virtual import VirtualNode

__all__ = ["EvaluateReport", "FederatedNode", "FitReport", "NodeSpec", "VirtualNode"]
