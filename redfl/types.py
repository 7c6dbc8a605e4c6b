"""Names shared across packages."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a node does in a round.

    ``train`` fits the global model on local data; ``eval`` evaluates the
    global model on local data (federated evaluation); ``test`` evaluates the
    node's own model, after local training, on the held-out test split.
    """

    TRAIN = "train"
    EVAL = "eval"
    TEST = "test"
