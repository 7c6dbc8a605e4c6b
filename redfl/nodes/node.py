"""`FederatedNode`: the body of one participant, independent of Ray."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from redfl.data.datasets import ArrayDataset
from redfl.learners.base import Learner
from redfl.nodes.attack import AttackSpec, attack_rng
from redfl.nodes.faults import Fault, before_fit, corrupt
from redfl.parameters import Parameters
from redfl.seeding import Stream, derive_seed
from redfl.types import Role


@dataclass(frozen=True)
class NodeSpec:
    """Who a node is: its id, its roles and its rows of the shared dataset.

    ``group`` is the node's planted group when the dataset has them: its
    rows and its test split are seen through that group's transform.
    """

    node_id: int
    roles: frozenset[Role]
    indices: npt.NDArray[np.int64]
    attack: AttackSpec | None = None
    group: int | None = None

    def has(self, role: Role) -> bool:
        """Return True when the node plays ``role``."""
        return role in self.roles


@dataclass(frozen=True)
class FitReport:
    """A node's training result for one round."""

    node_id: int
    round_num: int
    parameters: Parameters
    num_examples: int
    loss: float
    duration_s: float
    test_loss: float | None = None
    test_accuracy: float | None = None


@dataclass(frozen=True)
class EvaluateReport:
    """A node's evaluation of the global model on its local data."""

    node_id: int
    round_num: int
    num_examples: int
    loss: float
    accuracy: float
    duration_s: float
    metrics: dict[str, float] = field(default_factory=dict)


class FederatedNode:
    """One participant: a learner, its local data, its roles.

    Local shuffling is seeded from the run seed, the round and the node id,
    so a node gives the same result wherever and whenever it runs. A node
    whose spec carries an `AttackSpec` turns Byzantine from its start round.
    """

    def __init__(
        self,
        spec: NodeSpec,
        learner: Learner,
        local_data: ArrayDataset,
        test_data: ArrayDataset | None,
        run_seed: int,
        local_epochs: int,
        faults: Sequence[Fault] = (),
    ) -> None:
        self.spec = spec
        self.learner = learner
        self.local_data = local_data
        self.test_data = test_data
        self.run_seed = run_seed
        self.local_epochs = local_epochs
        self.rounds_trained = 0
        self.faults = {f.round_num: f for f in faults if f.node == spec.node_id}

    @property
    def node_id(self) -> int:
        """Return the node's id."""
        return self.spec.node_id

    def fit(self, parameters: Parameters, round_num: int) -> FitReport:
        """Train the global ``parameters`` locally and report the result."""
        self.learner.set_parameters(parameters)

        return self.train(round_num, test=True)

    def train(self, round_num: int, test: bool = False) -> FitReport:
        """Train the node's current model locally and report the result.

        Args:
            test: also evaluate the trained model on the test split when the
                node plays the ``test`` role.
        """
        start = time.perf_counter()
        seed = derive_seed(self.run_seed, Stream.FIT, round_num, self.node_id)
        fault = self.faults.get(round_num)
        before_fit(fault)

        attack = self.spec.attack
        attacking = attack is not None and attack.active(round_num)
        data = self.local_data
        if attack is not None and attacking and attack.kind == "label_flip":
            data = attack.flip(data)
        start_parameters = self.learner.get_parameters() if attacking else None

        result = self.learner.fit(data, seed=seed, epochs=self.local_epochs)
        self.rounds_trained += 1

        test_loss = test_accuracy = None
        if test and self.spec.has(Role.TEST) and self.test_data is not None:
            tested = self.learner.evaluate(self.test_data)
            test_loss, test_accuracy = tested.loss, tested.accuracy

        sent = self.learner.get_parameters()
        if attack is not None and start_parameters is not None:
            rng = attack_rng(self.run_seed, round_num, self.node_id)
            sent = attack.corrupt(start_parameters, sent, rng)

        return FitReport(
            node_id=self.node_id,
            round_num=round_num,
            parameters=corrupt(fault, sent),
            num_examples=result.num_examples,
            loss=result.loss,
            duration_s=time.perf_counter() - start,
            test_loss=test_loss,
            test_accuracy=test_accuracy,
        )

    def test(self, round_num: int) -> EvaluateReport:
        """Evaluate the node's own current model on the test split.

        Raises:
            ValueError: the node does not play the ``test`` role.
        """
        if self.test_data is None:
            raise ValueError(
                f"round {round_num}: node {self.node_id} has no test split "
                "(it does not play the 'test' role)"
            )

        return self._evaluate_on(self.test_data, round_num)

    def evaluate(self, parameters: Parameters, round_num: int) -> EvaluateReport:
        """Evaluate the global ``parameters`` on the node's local data."""
        self.learner.set_parameters(parameters)

        return self._evaluate_on(self.local_data, round_num)

    def _evaluate_on(self, data: ArrayDataset, round_num: int) -> EvaluateReport:
        start = time.perf_counter()
        result = self.learner.evaluate(data)

        return EvaluateReport(
            node_id=self.node_id,
            round_num=round_num,
            num_examples=result.num_examples,
            loss=result.loss,
            accuracy=result.accuracy,
            duration_s=time.perf_counter() - start,
            metrics=dict(result.metrics),
        )
