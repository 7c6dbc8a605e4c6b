"""P1: Red against a plain in-process PyTorch loop on the same FedAvg workload.

10 nodes, IID digits (80/20 stratified), MLP 64-64-10, SGD lr 0.1, batch 16,
1 local epoch, 20 rounds. Both sides use the same split, initial weights and
per-(round, node) shuffling seeds, so their final weights must agree; the
script checks that before it prints any timing.

    python benchmarks/p1_fedavg.py [--rounds 20] [--repeats 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np
import torch

import redfl
from redfl.data.datasets import load_digits_dataset
from redfl.data.partition import IIDPartitioner
from redfl.federation.setup import initial_parameters
from redfl.learners.torch_learner import parameters_to_state_dict
from redfl.models.zoo import mlp
from redfl.seeding import Stream, derive_rng, derive_seed

WORKLOAD: dict[str, Any] = {
    "name": "p1-fedavg",
    "seed": 0,
    "rounds": 20,
    "nodes": {"count": 10, "roles": ["train"]},
    "data": {"partition": {"kind": "iid"}},
    "model": {"name": "mlp", "kwargs": {"hidden": [64]}},
    "learner": {"local_epochs": 1, "batch_size": 16, "lr": 0.1},
    "evaluation": {"federated": False},
    "output": {"plots": False},
}


def plain_loop(rounds: int) -> tuple[list[float], float, float]:
    """Train the workload sequentially in this process with one thread."""
    torch.set_num_threads(1)
    config = redfl.load_config(WORKLOAD, [f"rounds={rounds}"])
    data = load_digits_dataset(seed=config.seed)
    parts = IIDPartitioner().partition(
        data.train.y, 10, derive_rng(config.seed, Stream.PARTITION)
    )
    nodes = [
        (torch.from_numpy(data.train.x[p]), torch.from_numpy(data.train.y[p]))
        for p in parts
    ]
    x_test, y_test = torch.from_numpy(data.test.x), torch.from_numpy(data.test.y)
    state = parameters_to_state_dict(initial_parameters(config))
    model = mlp(hidden=[64])

    times, accuracy = [], 0.0
    for round_num in range(1, rounds + 1):
        start = time.perf_counter()
        total = sum(len(y) for _, y in nodes)
        merged = {k: torch.zeros_like(v, dtype=torch.float64) for k, v in state.items()}
        for node_id, (x, y) in enumerate(nodes):
            model.load_state_dict(state)
            seed = derive_seed(config.seed, Stream.FIT, round_num, node_id)
            train_one_epoch(model, x, y, seed)
            for key, value in model.state_dict().items():
                merged[key] += value.double() * (len(y) / total)
        state = {k: v.to(state[k].dtype) for k, v in merged.items()}
        model.load_state_dict(state)
        with torch.no_grad():
            accuracy = float((model(x_test).argmax(1) == y_test).float().mean())
        times.append(time.perf_counter() - start)

    checksum = float(sum(v.double().abs().sum() for v in state.values()))
    return times, accuracy, checksum


def train_one_epoch(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, seed: int
) -> None:
    """One pass of minibatch SGD (lr 0.1, batch 16) in a seeded order."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    model.train()
    for start in range(0, len(x), 16):
        batch = order[start : start + 16]
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()


def red_rounds(rounds: int, workers: int) -> tuple[list[float], float, float]:
    """Run the workload through Red (Ray already started) and time its rounds."""
    with tempfile.TemporaryDirectory() as out:
        federation = redfl.Federation.from_config(
            WORKLOAD,
            [f"rounds={rounds}", f"resources.workers={workers}"],
            out_dir=out,
            progress=False,
        )
        history = federation.train()
        summary_checksum = federation.parameters.checksum()  # type: ignore[union-attr]
    return history.series("duration_s"), history.last("test_accuracy"), summary_checksum


def whole_run_seconds(rounds: int) -> float:
    """Time ``redfl run`` of the workload from process start to exit."""
    overrides = [
        "rounds=" + str(rounds),
        "nodes.count=10",
        "nodes.roles=[train]",
        "data.partition.kind=iid",
        "learner.local_epochs=1",
        "evaluation.federated=false",
        "output.plots=false",
    ]
    command = [sys.executable, "-m", "redfl", "run", "--quiet"]
    for item in overrides:
        command += ["--set", item]
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([*command, "--out", out], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import ray

    ray.init(
        address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING"
    )
    plain, red1, red2 = [], [], []
    for _ in range(args.repeats):
        p_times, p_acc, p_sum = plain_loop(args.rounds)
        r1_times, r1_acc, r1_sum = red_rounds(args.rounds, workers=1)
        r2_times, r2_acc, r2_sum = red_rounds(args.rounds, workers=2)
        plain += p_times[1:]
        red1 += r1_times[1:]
        red2 += r2_times[1:]
    ray.shutdown()

    same = np.isclose(p_sum, r1_sum, rtol=0, atol=1e-9) and p_sum == r2_sum
    print(f"final accuracy: plain {p_acc:.4f}  red/1 {r1_acc:.4f}  red/2 {r2_acc:.4f}")
    print(
        f"weights checksum: plain {p_sum:.6f}  red/1 {r1_sum:.6f}  red/2 {r2_sum:.6f}"
        f"  identical={same}"
    )
    base = statistics.median(plain)
    print(f"{'run':<22}{'round median':>14}{'ratio to plain':>16}")
    for label, times in [
        ("plain loop, 1 thread", plain),
        ("red, 1 worker", red1),
        ("red, 2 workers", red2),
    ]:
        median = statistics.median(times)
        print(f"{label:<22}{median * 1e3:>11.1f} ms{median / base:>16.2f}")
    print(
        f"whole `redfl run` (20 rounds, start to exit): {whole_run_seconds(20):.1f} s"
    )


if __name__ == "__main__":
    main()
