"""Injected faults: make a chosen node fail in a chosen round, for tests and demos."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from redfl.parameters import Parameters

FaultKind = Literal["raise", "nan", "wrong_shape", "sleep", "kill"]


class InjectedFault(RuntimeError):
    """The error a node raises when a ``raise`` fault is injected."""


@dataclass(frozen=True)
class Fault:
    """Node ``node`` misbehaves in round ``round_num`` as ``kind`` says."""

    node: int
    round_num: int
    kind: FaultKind
    seconds: float = 0.0


def before_fit(fault: Fault | None) -> None:
    """Act out faults that strike before training: raise, sleep, kill."""
    if fault is None:
        return
    if fault.kind == "raise":
        raise InjectedFault(
            f"injected fault at node {fault.node}, round {fault.round_num}"
        )
    if fault.kind == "sleep":
        time.sleep(fault.seconds)
    if fault.kind == "kill":
        os._exit(1)


def corrupt(fault: Fault | None, parameters: Parameters) -> Parameters:
    """Act out faults that strike the update: NaN values or a wrong shape."""
    if fault is None or fault.kind not in ("nan", "wrong_shape"):
        return parameters
    name = next(iter(parameters))
    arrays = dict(parameters)
    if fault.kind == "nan":
        arrays[name] = np.full_like(arrays[name], np.nan)
    else:
        arrays[name] = np.zeros(arrays[name].size + 1, dtype=arrays[name].dtype)

    return Parameters(arrays)
