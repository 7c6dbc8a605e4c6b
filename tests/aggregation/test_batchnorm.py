"""A BatchNorm model through every strategy for several rounds.

Guards the faults other frameworks reported: server optimizers turning a
BatchNorm model's outputs into NaN after a few rounds, integer buffers
crashing the average, and running statistics silently left unaveraged.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from redfl.aggregation import Aggregator, Update, make_aggregator
from redfl.data.datasets import ArrayDataset, load_digits_dataset
from redfl.learners.torch_learner import (
    OptimizerSettings,
    TorchLearner,
    state_dict_to_parameters,
)
from redfl.models.zoo import cnn
from redfl.parameters import Parameters

ROUNDS = 4
NODES = 5


NodeData = tuple[list[ArrayDataset], ArrayDataset]


@pytest.fixture(scope="module")
def node_data() -> NodeData:
    dataset = load_digits_dataset(test_fraction=0.2, seed=0)
    parts = np.array_split(np.arange(NODES * 30), NODES)
    return [dataset.train.subset(p) for p in parts], dataset.test.subset(np.arange(60))


def run_rounds(
    aggregator: Aggregator, node_data: NodeData
) -> tuple[Parameters, list[Update]]:
    nodes, _ = node_data
    torch.manual_seed(0)
    current = state_dict_to_parameters(cnn())
    learner = TorchLearner(cnn, OptimizerSettings(lr=0.05), batch_size=10)
    batch: list[Update] = []
    for round_num in range(1, ROUNDS + 1):
        batch = []
        for node_id, data in enumerate(nodes):
            learner.set_parameters(current)
            learner.fit(data, seed=round_num * 100 + node_id, epochs=1)
            batch.append(Update(node_id, learner.get_parameters(), len(data)))
        current = aggregator.aggregate(current, batch, round_num)
    return current, batch


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("fedadam", {"eta": 0.05}),
        ("fedyogi", {"eta": 0.05}),
        ("fedadagrad", {"eta": 0.05}),
        ("fedavgm", {}),
        ("fedmedian", {}),
        ("trimmed_mean", {"beta": 0.2}),
        ("krum", {"f": 1}),
        ("multikrum", {"f": 1}),
        ("bulyan", {"f": 0}),
    ],
)
def test_batchnorm_model_stays_finite_and_keeps_integer_counters(
    name: str, options: dict[str, object], node_data: NodeData
) -> None:
    final, _ = run_rounds(make_aggregator(name, **options), node_data)

    for key, array in final.items():
        assert np.isfinite(array.astype(np.float64)).all(), key
    counter = final["features.1.num_batches_tracked"]
    assert counter.dtype == np.int64
    # 30 examples in batches of 10: 3 steps per round on every node.
    assert int(counter) == 3 * ROUNDS
    assert (final["features.1.running_var"] > 0).all()

    model = cnn()
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in final.items()})
    model.eval()
    _, test = node_data
    assert torch.isfinite(model(torch.from_numpy(test.x))).all()


@pytest.mark.parametrize("name", ["fedadam", "fedyogi", "fedadagrad", "fedavgm"])
def test_server_optimizers_average_running_statistics(
    name: str, node_data: NodeData
) -> None:
    final, last_batch = run_rounds(make_aggregator(name), node_data)

    for key in ("features.1.running_mean", "features.1.running_var"):
        stacked = np.stack([u.parameters[key].astype(np.float64) for u in last_batch])
        weights = np.array([u.num_examples for u in last_batch], np.float64)
        expected = (weights[:, None] * stacked).sum(axis=0) / weights.sum()
        np.testing.assert_allclose(final[key], expected, rtol=1e-6)
