"""P2 and P3: many virtual nodes on a few workers, and memory over many rounds.

P2 runs a synthetic dataset split over 10,000 and over 1,000 nodes (60
samples each), 100 nodes sampled per round, 20 rounds, and reports setup
time, per-round medians and the peak memory of the driver plus every Ray
process. P3 runs 100 rounds of the P1 workload and reports how the memory
of every Ray process changed from round 10 to round 100.

    python benchmarks/p2_scale.py [--p2-rounds 20] [--p3-rounds 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from typing import Any

import psutil
import ray

import redfl
from redfl.federation.base import FederatedBase

SAMPLES_PER_NODE = 60


def p2_workload(nodes: int, rounds: int) -> dict[str, Any]:
    """Return the P2 configuration for ``nodes`` nodes, 100 sampled a round."""
    return {
        "name": f"p2-{nodes}",
        "seed": 0,
        "rounds": rounds,
        "nodes": {"count": nodes, "roles": ["train"]},
        "data": {
            "dataset": "synthetic",
            "synthetic": {"samples": nodes * SAMPLES_PER_NODE, "features": 20},
            "partition": {"kind": "iid"},
        },
        "model": {"name": "mlp", "kwargs": {"hidden": [64]}},
        "learner": {"local_epochs": 1, "batch_size": 16, "lr": 0.1},
        "sampling": {"fraction_fit": 100 / nodes},
        "evaluation": {"federated": False, "every": 10},
        "output": {"plots": False, "checkpoint": False},
    }


def ray_processes() -> list[psutil.Process]:
    """Return the Ray processes this driver started: GCS, raylet, workers."""
    return psutil.Process().children(recursive=True)


def rss_total() -> int:
    """Return the summed RSS of the driver and its Ray processes, in bytes."""
    total = psutil.Process().memory_info().rss
    for process in ray_processes():
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


class PeakSampler:
    """Sample the summed RSS every 50 ms in a thread and keep the peak."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_total())
            time.sleep(0.05)


class Timed(redfl.federation.ClientServerFederation):
    """A client-server federation that notes when round 1 starts."""

    first_round_at = 0.0
    on_round: Any = None

    def run_round(self, round_num: int) -> dict[str, Any]:
        if round_num == 1:
            self.first_round_at = time.perf_counter()
        record = super().run_round(round_num)
        if self.on_round is not None:
            self.on_round(self, round_num)
        return record


def run_p2(nodes: int, rounds: int) -> dict[str, float]:
    """Run P2 with ``nodes`` nodes; return setup, round median and peak memory."""
    with tempfile.TemporaryDirectory() as out, PeakSampler() as sampler:
        federation = Timed(p2_workload(nodes, rounds), out_dir=out, progress=False)
        start = time.perf_counter()
        history = federation.train()
    durations = history.series("duration_s")[1:]
    return {
        "setup_s": federation.first_round_at - start,
        "median_ms": statistics.median(durations) * 1e3,
        "mean_ms": statistics.mean(durations) * 1e3,
        "peak_gb": sampler.peak / 2**30,
        "accuracy": history.last("test_accuracy"),
    }


def worker_rss(federation: FederatedBase) -> dict[int, int]:
    """Return the RSS of every Ray process of the session, by pid."""
    del federation
    sizes = {}
    for process in ray_processes():
        try:
            sizes[process.pid] = process.memory_info().rss
        except psutil.Error:
            continue
    return sizes


def run_p3(rounds: int) -> dict[int, tuple[int, int]]:
    """Run P1 for ``rounds`` rounds; return each Ray process's RSS at 10 and end."""
    from p1_fedavg import WORKLOAD

    snapshots: dict[int, dict[int, int]] = {}

    def note(federation: FederatedBase, round_num: int) -> None:
        if round_num in (10, rounds):
            snapshots[round_num] = worker_rss(federation)

    with tempfile.TemporaryDirectory() as out:
        config = {**WORKLOAD, "rounds": rounds, "output": {"plots": False}}
        federation = Timed(config, out_dir=out, progress=False)
        federation.on_round = note
        federation.train()
    first, last = snapshots[10], snapshots[rounds]
    return {pid: (first[pid], last[pid]) for pid in sorted(first) if pid in last}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--p2-rounds", type=int, default=20)
    parser.add_argument("--p3-rounds", type=int, default=100)
    args = parser.parse_args()

    ray.init(
        address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING"
    )

    print(f"P2: 100 sampled per round, {args.p2_rounds} rounds, 2 workers")
    print(
        f"{'total nodes':>12}{'setup':>10}{'round median':>14}{'mean':>10}"
        f"{'peak RSS':>11}{'accuracy':>10}"
    )
    results = {}
    for nodes in (1_000, 10_000):
        r = run_p2(nodes, args.p2_rounds)
        results[nodes] = r
        print(
            f"{nodes:>12}{r['setup_s']:>8.1f} s{r['median_ms']:>11.1f} ms"
            f"{r['mean_ms']:>7.1f} ms{r['peak_gb']:>8.2f} GB{r['accuracy']:>10.4f}"
        )
    ratio = results[10_000]["median_ms"] / results[1_000]["median_ms"]
    print(f"round median 10,000 / 1,000 nodes: {ratio:.3f}")

    print(f"\nP3: {args.p3_rounds} rounds of P1; RSS of each Ray process")
    growth = run_p3(args.p3_rounds)
    print(
        f"{'pid':>8}{'round 10':>12}{'round ' + str(args.p3_rounds):>12}{'growth':>9}"
    )
    for pid, (first, last) in growth.items():
        print(
            f"{pid:>8}{first / 2**20:>9.1f} MB{last / 2**20:>9.1f} MB"
            f"{(last - first) / first * 100:>8.2f}%"
        )
    worst = max((last - first) / first for first, last in growth.values())
    print(f"largest growth: {worst * 100:.2f}%")
    ray.shutdown()


if __name__ == "__main__":
    main()
