"""P4: Red side by side with Flower 1.42's simulation on the same workloads.

Two workloads, each run by Red and then by Flower on 2 CPUs: P1 (10 nodes,
IID digits, MLP 64-64-10, SGD lr 0.1, batch 16, 1 local epoch) and 1,000
nodes of the synthetic dataset (60 samples each, MLP 20-64-10) with 100
sampled per round; 20 rounds, the global model tested every round.

Red runs first; its data, node rows, initial weights, shuffling seeds and
sampled nodes are written to a file that ``p4_flower_side.py`` replays in
Flower, so both sides do the same work. Flower lives in its own environment,
created here on first use (torch pinned first, so no CUDA build is pulled).

    python benchmarks/p4_flower.py [--rounds 20] [--repeats 1] [--flower-venv DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import ray

import redfl
from redfl.federation.base import FederatedBase
from redfl.seeding import Stream, derive_seed

TORCH_PIN = "torch==2.13.0"
FLOWER_PIN = "flwr[simulation]==1.42.0"
FLOWER_VENV = Path.home() / ".cache" / "redfl-bench" / "flwr-1.42.0"
FLOWER_SIDE = Path(__file__).with_name("p4_flower_side.py")
FLOWER_CHECK = (
    "import flwr, sklearn, torch; "
    "assert flwr.__version__ == '1.42.0' and torch.__version__.startswith('2.13.0')"
)
CPUS = 2


@dataclass
class SideResult:
    """Per-round durations, final test accuracy and weight checksum of one run."""

    durations_s: list[float]
    accuracy: float
    checksum: float


def p1_workload(rounds: int) -> dict[str, Any]:
    """Return the P1 configuration, checkpoints off, on 2 workers."""
    from p1_fedavg import WORKLOAD

    return {
        **WORKLOAD,
        "rounds": rounds,
        "output": {"plots": False, "checkpoint": False},
        "resources": {"workers": CPUS},
    }


def wide_workload(rounds: int) -> dict[str, Any]:
    """Return P2's 1,000-node workload on 2 workers, tested every round."""
    from p2_scale import p2_workload

    return {
        **p2_workload(1_000, rounds),
        "name": "p4-1000",
        "evaluation": {"federated": False},
        "resources": {"workers": CPUS},
    }


def ensure_flower_venv(venv: Path) -> float:
    """Create the Flower environment unless it works; return seconds spent."""
    python = venv / "bin" / "python"
    if python.exists():
        check = subprocess.run([python, "-c", FLOWER_CHECK], capture_output=True)
        if check.returncode == 0:
            return 0.0

    print(f"creating the Flower environment in {venv} ...", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [python, "-m", "pip", "install", "--quiet"]
    # torch first and pinned: left to itself pip would pick a CUDA build.
    quiet_run([*pip, TORCH_PIN])
    quiet_run([*pip, TORCH_PIN, FLOWER_PIN, "scikit-learn"])

    return time.perf_counter() - start


def quiet_run(command: list[Any]) -> None:
    """Run ``command``, showing its output only when it fails."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(map(str, command))}")


def run_red(config: dict[str, Any], out: Path) -> tuple[SideResult, FederatedBase]:
    """Train ``config`` with Red on its own Ray instance; return it and its result."""
    ray.init(
        address="local", num_cpus=CPUS, include_dashboard=False, logging_level="WARNING"
    )
    try:
        federation = redfl.Federation.from_config(config, out_dir=out, progress=False)
        history = federation.train()
    finally:
        ray.shutdown()
    assert federation.parameters is not None

    result = SideResult(
        history.series("duration_s"),
        history.last("test_accuracy"),
        federation.parameters.checksum(),
    )
    return result, federation


def export_workload(federation: FederatedBase, path: Path) -> None:
    """Write what Red trained on to ``path`` for the Flower side to replay."""
    prepared, config = federation.prepared, federation.config
    assert prepared is not None and federation.history is not None
    parts = [spec.indices for spec in prepared.node_specs]
    seeds = [
        [derive_seed(config.seed, Stream.FIT, r, n) for n in range(len(parts))]
        for r in range(1, config.rounds + 1)
    ]
    weights = prepared.initial_parameters

    np.savez(
        path,
        x_train=prepared.dataset.train.x,
        y_train=prepared.dataset.train.y,
        x_test=prepared.dataset.test.x,
        y_test=prepared.dataset.test.y,
        part_indices=np.concatenate(parts),
        part_offsets=np.cumsum([0, *(len(p) for p in parts)]),
        seeds=np.asarray(seeds, dtype=np.int64),
        samples=np.asarray(federation.history.series("sampled_nodes")),
        lr=config.learner.lr,
        batch_size=config.learner.batch_size,
        param_names=np.asarray(list(weights)),
        **{f"param_{i}": array for i, array in enumerate(weights.values())},
    )


def run_flower(python: Path, workload: Path) -> SideResult:
    """Replay ``workload`` in Flower's simulation in a separate process."""
    result_path = workload.with_suffix(".json")
    log_path = workload.with_suffix(".log")
    env = {**os.environ, "FLWR_TELEMETRY_ENABLED": "0", "RAY_USAGE_STATS_ENABLED": "0"}
    command = [python, FLOWER_SIDE, workload, result_path, "--cpus", str(CPUS)]
    with log_path.open("w") as log:
        done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    if done.returncode != 0:
        sys.stderr.write(log_path.read_text()[-5000:])
        raise SystemExit(f"the Flower side failed ({done.returncode})")

    result = json.loads(result_path.read_text())
    return SideResult(result["durations_s"], result["accuracy"], result["checksum"])


def run_pair(config: dict[str, Any], python: Path) -> tuple[SideResult, SideResult]:
    """Run ``config`` with Red, then the same work with Flower."""
    with tempfile.TemporaryDirectory() as tmp:
        red, federation = run_red(config, Path(tmp) / "red")
        workload = Path(tmp) / "workload.npz"
        export_workload(federation, workload)
        flower = run_flower(python, workload)

    return red, flower


def run_repeats(
    config: dict[str, Any], python: Path, repeats: int, label: str
) -> tuple[list[SideResult], list[SideResult]]:
    """Run the pair ``repeats`` times and print each run's medians."""
    red_runs, flower_runs = [], []
    for _ in range(repeats):
        red, flower = run_pair(config, python)
        red_runs.append(red)
        flower_runs.append(flower)
        red_ms, flower_ms = median_ms([red]), median_ms([flower])
        print(f"{label}: Red {red_ms:.1f} ms, Flower {flower_ms:.1f} ms", flush=True)

    return red_runs, flower_runs


def median_ms(results: list[SideResult]) -> float:
    """Return the median round duration in ms, round 1 of each run left out."""
    return statistics.median(d for r in results for d in r.durations_s[1:]) * 1e3


def print_table(rows: dict[str, tuple[list[SideResult], list[SideResult]]]) -> None:
    """Print round medians, the Flower/Red ratio, accuracies and checksums."""
    print(
        f"{'workload':<16}{'Red':>11}{'Flower':>11}{'Flower/Red':>12}"
        f"{'acc Red':>9}{'acc Flower':>12}{'sum Red':>13}{'sum Flower':>13}"
    )
    for label, (red, flower) in rows.items():
        red_ms, flower_ms = median_ms(red), median_ms(flower)
        print(
            f"{label:<16}{red_ms:>8.1f} ms{flower_ms:>8.1f} ms"
            f"{flower_ms / red_ms:>11.2f}x{red[-1].accuracy:>9.4f}"
            f"{flower[-1].accuracy:>12.4f}{red[-1].checksum:>13.6f}"
            f"{flower[-1].checksum:>13.6f}"
        )


def main() -> None:
    """Parse the arguments, run both workloads on both sides, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--flower-venv", type=Path, default=FLOWER_VENV)
    args = parser.parse_args()

    install_s = ensure_flower_venv(args.flower_venv)
    print(f"Flower environment: {args.flower_venv} (install took {install_s:.1f} s)")
    python = args.flower_venv / "bin" / "python"

    workloads = {
        "P1, 10 nodes": p1_workload(args.rounds),
        "1,000 nodes": wide_workload(args.rounds),
    }
    rows = {
        label: run_repeats(config, python, args.repeats, label)
        for label, config in workloads.items()
    }
    print(
        f"\nround medians over {args.repeats} x {args.rounds - 1} rounds, {CPUS} CPUs"
    )
    print_table(rows)


if __name__ == "__main__":
    main()
