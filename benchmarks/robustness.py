"""Robustness and heterogeneity benchmark for the aggregation strategies.

Part 1: 10 nodes on IID digits, 3 of them Byzantine (chosen by the run
seed), 20 rounds, under a sign flip scaled by 10 and under Gaussian noise;
final test accuracy per robust rule. Part 2: 20 nodes on Dirichlet(0.1)
digits; rounds until the global model first reaches 0.85 test accuracy for
FedAvg, FedProx, FedAdam and FedYogi.

Run from the repository root::

    python benchmarks/robustness.py            # both parts
    python benchmarks/robustness.py --part 1   # robustness only
"""

from __future__ import annotations

import argparse
import logging
import math
import tempfile
import time
from typing import Any

import ray

import redfl
from redfl.aggregation import make_aggregator

TARGET = 0.85

ATTACKS: dict[str, dict[str, Any]] = {
    "sign flip x10": {"kind": "sign_flip", "scale": 10.0},
    "gaussian std 1": {"kind": "gaussian", "std": 1.0},
    "gaussian std 3": {"kind": "gaussian", "std": 3.0},
}

# name, options; Bulyan needs n >= 4f + 3, so with n = 10 it runs with f = 1.
ROBUST: list[tuple[str, dict[str, Any]]] = [
    ("fedavg", {}),
    ("fedmedian", {}),
    ("trimmed_mean", {"beta": 0.3}),
    ("krum", {"f": 3}),
    ("multikrum", {"f": 3}),
    ("bulyan", {"f": 3}),
    ("bulyan", {"f": 1}),
]

HETEROGENEOUS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("fedavg", {}, {}),
    ("fedprox", {}, {"proximal_mu": 0.1}),
    ("fedadam", {"eta": 0.03}, {}),
    ("fedyogi", {"eta": 0.03}, {}),
]


def run(config: dict[str, Any]) -> redfl.History:
    """Train one federation in a scratch folder and return its history."""
    with tempfile.TemporaryDirectory() as out_dir:
        federation = redfl.Federation.from_config(
            config, out_dir=out_dir, progress=False
        )
        return federation.train()


def robustness(rounds: int, seed: int) -> list[list[str]]:
    """Return table rows: strategy, options, accuracy under each attack."""
    rows = []
    for name, options in ROBUST:
        problem = make_aggregator(name, **options).precondition(10)
        row = [name, _options(options)]
        for attack in ATTACKS.values():
            if problem is not None:
                row.append("n/a")
                continue
            config = {
                "name": f"robust-{name}",
                "seed": seed,
                "rounds": rounds,
                "nodes": {"count": 10},
                "data": {"partition": {"kind": "iid"}},
                "strategy": {"name": name, "options": options},
                "attack": {**attack, "fraction": 0.3},
                "evaluation": {"federated": False},
                "output": {"plots": False},
            }
            history = run(config)
            row.append(f"{history.last('test_accuracy'):.3f}")
        rows.append(row)
        print(" | ".join(row), flush=True)

    return rows


def heterogeneity(rounds: int, seed: int) -> list[list[str]]:
    """Return table rows: strategy, rounds to the target, best, final accuracy."""
    rows = []
    for name, options, learner in HETEROGENEOUS:
        config = {
            "name": f"dirichlet-{name}",
            "seed": seed,
            "rounds": rounds,
            "nodes": {"count": 20},
            "data": {"partition": {"kind": "dirichlet", "alpha": 0.1}},
            "strategy": {"name": name, "options": options},
            "learner": learner,
            "evaluation": {"federated": False},
            "output": {"plots": False},
        }
        accuracy = [a or 0.0 for a in run(config).series("test_accuracy")]
        reached = next((i + 1 for i, a in enumerate(accuracy) if a >= TARGET), None)
        row = [
            name,
            _options({**options, **learner}),
            str(reached) if reached else f"not in {rounds}",
            f"{max(accuracy):.3f}",
            f"{accuracy[-1]:.3f}",
        ]
        rows.append(row)
        print(" | ".join(row), flush=True)

    return rows


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Print a Markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _options(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items()) or "-"


def main() -> None:
    """Run the requested parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", type=int, choices=(1, 2), default=None)
    parser.add_argument("--rounds", type=int, default=20, help="part 1 rounds")
    parser.add_argument("--max-rounds", type=int, default=40, help="part 2 rounds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-cpus", type=int, default=2)
    args = parser.parse_args()

    logging.basicConfig(level=logging.ERROR)
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter()
    try:
        if args.part in (None, 1):
            rows = robustness(args.rounds, args.seed)
            print(f"\n10 nodes, IID digits, 3 Byzantine, {args.rounds} rounds:")
            print_table(["strategy", "options", *ATTACKS], rows)
        if args.part in (None, 2):
            rows = heterogeneity(args.max_rounds, args.seed)
            print(f"\n20 nodes, Dirichlet(0.1) digits, target {TARGET}:")
            print_table(
                ["strategy", "options", "rounds to target", "best", "final"], rows
            )
    finally:
        ray.shutdown()
    print(f"\n{math.ceil(time.perf_counter() - started)} s")


if __name__ == "__main__":
    main()
