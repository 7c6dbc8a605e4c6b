"""`Message`: a header and a reference to a payload in Ray's object store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class MessageKind(StrEnum):
    """What a message carries."""

    PARAMETERS = "parameters"
    UPDATE = "update"


@dataclass(frozen=True)
class Message:
    """One send: who to whom, in which round, and what it weighs.

    ``payload`` is a reference (a Ray ObjectRef), never the arrays by value;
    every receiver reads the same stored object.
    """

    kind: MessageKind
    sender: int
    receivers: tuple[int, ...]
    round_num: int
    payload: Any
    nbytes: int
