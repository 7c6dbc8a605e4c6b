"""Chaos: 20 nodes, 30 rounds, the workers of 20% of each round's nodes killed.

Each node has its own worker (``hosting: dedicated``); every round Red kills
the workers of a seeded 20% of the sampled nodes with ``ray.kill`` as the
round starts, so their calls fail. The run must record every round, finish without a
hang, and end within 2 accuracy points of the same run without faults.

    python benchmarks/chaos.py [--rounds 30] [--nodes 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

import ray

import redfl


def run(config: dict[str, Any]) -> tuple[redfl.History, float]:
    """Train ``config`` and return its history and wall time."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        federation = redfl.Federation.from_config(config, out_dir=out, progress=False)
        history = federation.train()
    return history, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--kill-fraction", type=float, default=0.2)
    args = parser.parse_args()

    base: dict[str, Any] = {
        "name": "chaos",
        "rounds": args.rounds,
        "nodes": {"count": args.nodes, "roles": ["train"]},
        "learner": {"local_epochs": 2},
        "resources": {"hosting": "dedicated", "placement_timeout_s": 120},
        "evaluation": {"federated": False},
        "output": {"plots": False, "checkpoint": False},
    }
    chaotic = dict(base, chaos={"kill_fraction": args.kill_fraction})

    ray.init(
        address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING"
    )
    calm, calm_s = run(base)
    wild, wild_s = run(chaotic)
    ray.shutdown()

    killed = sum(len(r["chaos_killed"]) for r in wild)
    failed = sum(r["num_failed"] for r in wild)
    print(f"{'run':<12}{'rounds':>8}{'final acc':>11}{'failed':>8}{'wall s':>9}")
    print(
        f"{'fault-free':<12}{len(calm):>8}{calm.last('test_accuracy'):>11.4f}"
        f"{0:>8}{calm_s:>9.1f}"
    )
    print(
        f"{'chaos':<12}{len(wild):>8}{wild.last('test_accuracy'):>11.4f}"
        f"{failed:>8}{wild_s:>9.1f}"
    )
    gap = calm.last("test_accuracy") - wild.last("test_accuracy")
    print(f"workers killed: {killed}; accuracy gap {gap * 100:+.2f} points")


if __name__ == "__main__":
    main()
