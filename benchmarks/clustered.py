"""Clustered FL on planted groups: IFCA and CFL against plain FedAvg.

Twenty nodes in four planted groups of five (rotated digits: 0, 90, 180 and
270 degrees; IID split of the training set). Runs IFCA, CFL and FedAvg (the
client-server schema) on the same data and prints a Markdown table: the
adjusted Rand index (ARI) of the final assignment against the planted
groups, and the mean per-node test accuracy (each node tested with its
cluster's model on its group's rotation of the test split).

Usage, from the repository root:

    python benchmarks/clustered.py [--out runs/bench-clustered] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import ray

from redfl.federation import Federation

EXAMPLE = "examples/clustered_ifca.yaml"

RUNS: dict[str, dict[str, Any]] = {
    "IFCA (k=4)": {"rounds": 15, "clustering": {"algorithm": "ifca", "k": 4}},
    "CFL (k<=4)": {
        "rounds": 40,
        "clustering": {"algorithm": "cfl", "k": 4, "eps1": 0.3, "eps2": 0.4},
    },
    "FedAvg, 15 rounds": {"rounds": 15, "schema": "client_server"},
    "FedAvg, 40 rounds": {"rounds": 40, "schema": "client_server"},
}


def run_one(
    label: str, overrides: dict[str, Any], seed: int, out_dir: Path
) -> dict[str, Any]:
    """Run one federation and return its row of the table."""
    federation = Federation.from_config(
        EXAMPLE,
        overrides={**overrides, "seed": seed, "name": label},
        out_dir=out_dir,
        progress=False,
    )
    history = federation.train()
    summary = json.loads((out_dir / "summary.json").read_text())

    return {
        "run": label,
        "rounds": len(history),
        "ari": summary.get("adjusted_rand_index"),
        "clusters": summary.get("num_clusters"),
        "accuracy": history.last("test_accuracy"),
        "wall_s": summary["wall_s"],
    }


def format_table(rows: list[dict[str, Any]]) -> str:
    """Return the rows as a Markdown table."""
    lines = [
        "| run | rounds | clusters | ARI vs planted | mean node accuracy | wall s |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        ari = "n/a" if r["ari"] is None else f"{r['ari']:.3f}"
        clusters = "1 (global)" if r["clusters"] is None else str(r["clusters"])
        lines.append(
            f"| {r['run']} | {r['rounds']} | {clusters} | {ari} "
            f"| {r['accuracy']:.3f} | {r['wall_s']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run IFCA, CFL and FedAvg and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench-clustered"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    ray.init(
        address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING"
    )
    try:
        rows = [
            run_one(label, overrides, args.seed, args.out / f"run{i}")
            for i, (label, overrides) in enumerate(RUNS.items())
        ]
    finally:
        ray.shutdown()
    print(format_table(rows))


if __name__ == "__main__":
    main()
