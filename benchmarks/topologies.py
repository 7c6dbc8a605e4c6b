"""Gossip learning on digits over several topologies: accuracy, agreement, traffic.

Runs the example configurations (16 nodes, Dirichlet alpha=0.5, 30 rounds)
one after another on one Ray instance and prints a Markdown table of the
final mean and minimum node accuracy, the consensus distance (at its peak
and at the end) and the bytes sent per round.

Usage, from the repository root:

    python benchmarks/topologies.py [--rounds 30] [--out runs/bench-topologies]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import ray

from redfl.federation import Federation

EXAMPLES = {
    "ring": "examples/ring.yaml",
    "mesh": "examples/mesh.yaml",
    "k_regular(4)": "examples/k_regular.yaml",
    "custom (two rings + bridges)": "examples/custom_csv.yaml",
}


def run_one(label: str, path: str, rounds: int, out_dir: Path) -> dict[str, Any]:
    """Run one example and return its row of the table."""
    federation = Federation.from_config(
        path, overrides={"rounds": rounds}, out_dir=out_dir, progress=False
    )
    history = federation.train()
    config = federation.config
    last = list(history)[-1]
    distances = [d for d in history.series("consensus_distance") if d is not None]

    return {
        "topology": label,
        "mean_accuracy": last["test_accuracy"],
        "min_accuracy": last["test_accuracy_min"],
        "peak_consensus_distance": max(distances),
        "final_consensus_distance": distances[-1],
        "bytes_per_round": sum(history.series("bytes_sent")) / len(history),
        "local_epochs": config.learner.local_epochs,
        "gossip_steps": config.gossip.steps,
        "mixing": config.gossip.mixing,
        "wall_s": sum(history.series("duration_s")),
    }


def format_table(rows: list[dict[str, Any]]) -> str:
    """Return the rows as a Markdown table."""
    lines = [
        "| topology | mean acc | min acc | consensus peak -> final | bytes/round "
        "| epochs | steps |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['topology']} | {r['mean_accuracy']:.3f} | {r['min_accuracy']:.3f} "
            f"| {r['peak_consensus_distance']:.3f} -> "
            f"{r['final_consensus_distance']:.3f} | {r['bytes_per_round']:,.0f} "
            f"| {r['local_epochs']} | {r['gossip_steps']} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run every example and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("runs/bench-topologies"))
    args = parser.parse_args()

    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        rows = [
            run_one(label, path, args.rounds, args.out / path.split("/")[-1][:-5])
            for label, path in EXAMPLES.items()
        ]
    finally:
        ray.shutdown()

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(format_table(rows))


if __name__ == "__main__":
    main()
