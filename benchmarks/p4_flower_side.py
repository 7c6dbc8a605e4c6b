"""P4, Flower side: run an exported FedAvg workload in Flower 1.42's simulation.

Runs in its own environment (flwr[simulation]==1.42.0, torch, numpy), never
imports redfl. The workload file written by ``p4_flower.py`` holds the data,
each node's rows, the initial weights, the per-(round, node) shuffling seeds
and the nodes to train each round; this script trains exactly those with
``flwr.simulation.start_simulation`` and writes per-round durations, test
accuracies and the final weight checksum as JSON.

    python p4_flower_side.py WORKLOAD.npz RESULT.json [--cpus 2]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import flwr
import numpy as np
import torch
from flwr.client import NumPyClient
from flwr.common import FitIns, ndarrays_to_parameters
from flwr.server import ServerConfig
from flwr.server.criterion import Criterion
from flwr.server.strategy import FedAvg
from flwr.simulation import start_simulation

NDArrays = list[np.ndarray]


@functools.cache
def load_workload(path: str) -> dict[str, np.ndarray]:
    """Read the workload file once per process."""
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


def node_rows(workload: dict[str, np.ndarray], node: int) -> np.ndarray:
    """Return the training rows of ``node``."""
    offsets = workload["part_offsets"]

    return workload["part_indices"][offsets[node] : offsets[node + 1]]


def build_model(workload: dict[str, np.ndarray]) -> torch.nn.Module:
    """Build the MLP whose layer shapes the initial weights give."""
    shapes = [
        workload[f"param_{i}"].shape
        for i, name in enumerate(workload["param_names"])
        if str(name).endswith("weight")
    ]
    layers: list[torch.nn.Module] = [torch.nn.Flatten()]
    for fan_out, fan_in in shapes:
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]

    return torch.nn.Sequential(*layers[:-1])


def set_weights(model: torch.nn.Module, arrays: NDArrays) -> None:
    """Load ``arrays`` into ``model`` in state-dict order."""
    keys = model.state_dict().keys()
    model.load_state_dict(
        {k: torch.from_numpy(np.copy(a)) for k, a in zip(keys, arrays, strict=True)}
    )


def get_weights(model: torch.nn.Module) -> NDArrays:
    """Return the model's weights as numpy arrays in state-dict order."""
    return [v.detach().numpy().copy() for v in model.state_dict().values()]


def train_one_epoch(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    batch: int,
    seed: int,
) -> None:
    """Run one pass of minibatch SGD over ``x`` in a seeded order."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    model.train()
    for start in range(0, len(x), batch):
        rows = order[start : start + batch]
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
        optimizer.step()


class WorkloadClient(NumPyClient):
    """One node of the exported workload: its rows, its seeds, the shared model."""

    def __init__(self, path: str, node: int):
        self.workload = load_workload(path)
        self.node = node
        rows = node_rows(self.workload, node)
        self.x = torch.from_numpy(self.workload["x_train"][rows])
        self.y = torch.from_numpy(self.workload["y_train"][rows])

    def fit(
        self, parameters: NDArrays, config: dict[str, Any]
    ) -> tuple[NDArrays, int, dict[str, Any]]:
        """Train one local epoch from ``parameters`` with this round's seed."""
        torch.set_num_threads(1)
        round_num = int(config["server_round"])
        model = build_model(self.workload)
        set_weights(model, parameters)
        seed = int(self.workload["seeds"][round_num - 1, self.node])
        lr, batch = float(self.workload["lr"]), int(self.workload["batch_size"])
        train_one_epoch(model, self.x, self.y, lr, batch, seed)

        return get_weights(model), len(self.y), {}


def build_client(path: str, context: flwr.common.Context) -> flwr.client.Client:
    """Return the client of the node named by ``context``'s partition id."""
    node = int(context.node_config["partition-id"])

    return WorkloadClient(path, node).to_client()


class PartitionCriterion(Criterion):
    """Accept the clients whose partition id is in a given set."""

    def __init__(self, partitions: set[int]):
        self.partitions = partitions

    def select(self, client: Any) -> bool:
        """Return True when ``client`` serves one of the wanted partitions."""
        return int(client.partition_id) in self.partitions


class ReplayedFedAvg(FedAvg):
    """FedAvg that trains each round's nodes as listed in the workload."""

    def __init__(self, samples: np.ndarray, **kwargs: Any):
        super().__init__(**kwargs)
        self.samples = samples

    def configure_fit(
        self, server_round: int, parameters: Any, client_manager: Any
    ) -> list[tuple[Any, FitIns]]:
        """Pick this round's listed nodes and send them the global weights."""
        wanted = {int(n) for n in self.samples[server_round - 1]}
        clients = client_manager.sample(
            len(wanted), criterion=PartitionCriterion(wanted)
        )
        instructions = FitIns(parameters, {"server_round": server_round})

        return [(client, instructions) for client in clients]

    def aggregate_fit(
        self, server_round: int, results: list[Any], failures: list[Any]
    ) -> Any:
        """Average the updates; refuse a round in which a client failed."""
        if failures:
            raise RuntimeError(
                f"round {server_round}: {len(failures)} client(s) failed, "
                f"first: {failures[0]!r}"
            )

        return super().aggregate_fit(server_round, results, failures)


class CentralEvaluator:
    """Test the global model each round and note when each test ends."""

    def __init__(self, workload: dict[str, np.ndarray]):
        self.model = build_model(workload)
        self.x = torch.from_numpy(workload["x_test"])
        self.y = torch.from_numpy(workload["y_test"])
        self.stamps: list[float] = []
        self.accuracies: list[float] = []
        self.checksum = 0.0

    def __call__(
        self, server_round: int, arrays: NDArrays, config: dict[str, Any]
    ) -> tuple[float, dict[str, float]]:
        """Return test loss and accuracy of ``arrays``; note the time."""
        set_weights(self.model, arrays)
        self.model.eval()
        with torch.no_grad():
            logits = self.model(self.x)
            loss = float(torch.nn.functional.cross_entropy(logits, self.y))
            accuracy = float((logits.argmax(1) == self.y).float().mean())
        self.accuracies.append(accuracy)
        self.checksum = float(sum(np.abs(a.astype(np.float64)).sum() for a in arrays))
        self.stamps.append(time.perf_counter())

        return loss, {"accuracy": accuracy}


def make_strategy(
    workload: dict[str, np.ndarray], evaluator: CentralEvaluator
) -> FedAvg:
    """Build the replaying FedAvg with central evaluation every round."""
    samples = workload["samples"]
    nodes = len(workload["part_offsets"]) - 1
    initial = [workload[f"param_{i}"] for i in range(len(workload["param_names"]))]

    return ReplayedFedAvg(
        samples,
        fraction_fit=samples.shape[1] / nodes,
        fraction_evaluate=0.0,
        min_fit_clients=samples.shape[1],
        min_available_clients=nodes,
        initial_parameters=ndarrays_to_parameters(initial),
        evaluate_fn=evaluator,
    )


def run(path: str, cpus: int) -> dict[str, Any]:
    """Run the workload in Flower's simulation and return its timings."""
    workload = load_workload(path)
    evaluator = CentralEvaluator(workload)
    rounds, nodes = workload["seeds"].shape
    start = time.perf_counter()
    start_simulation(
        client_fn=functools.partial(build_client, path),
        num_clients=nodes,
        config=ServerConfig(num_rounds=rounds),
        strategy=make_strategy(workload, evaluator),
        client_resources={"num_cpus": 1, "num_gpus": 0.0},
        ray_init_args={
            "num_cpus": cpus,
            "include_dashboard": False,
            "logging_level": logging.WARNING,
        },
    )
    stamps = evaluator.stamps

    return {
        "flwr": flwr.__version__,
        "setup_s": stamps[0] - start,
        "durations_s": np.diff(stamps).tolist(),
        "accuracy": evaluator.accuracies[-1],
        "checksum": evaluator.checksum,
    }


def main() -> None:
    """Parse the arguments, run the workload and write the result file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload")
    parser.add_argument("result")
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()

    result = run(str(Path(args.workload).resolve()), args.cpus)
    Path(args.result).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    # Ray's workers import the client code from this folder by module name.
    here = str(Path(__file__).resolve().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [here, os.environ.get("PYTHONPATH")])
    )
    sys.path.insert(0, here)
    from p4_flower_side import main as imported_main

    imported_main()
