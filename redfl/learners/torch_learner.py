"""`TorchLearner`: a PyTorch model factory, a loss and an optimizer setting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from redfl.data.datasets import ArrayDataset
from redfl.learners.base import (
    EvaluateResult,
    FitResult,
    Learner,
    LearnerState,
    copy_state,
)
from redfl.parameters import Parameters

OptimizerName = Literal["sgd", "adam"]


@dataclass(frozen=True)
class OptimizerSettings:
    """How a node builds its local optimizer at the start of each fit."""

    name: OptimizerName = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    weight_decay: float = 0.0


def state_dict_to_parameters(module: nn.Module) -> Parameters:
    """Copy a module's state dict into numpy arrays, dtypes kept."""
    return Parameters(
        (name, tensor.detach().cpu().numpy().copy())
        for name, tensor in module.state_dict().items()
    )


def parameters_to_state_dict(parameters: Parameters) -> dict[str, torch.Tensor]:
    """Wrap numpy arrays as tensors (copied, so the model owns its memory)."""
    return {name: torch.from_numpy(np.array(a)) for name, a in parameters.items()}


class TorchLearner(Learner):
    """Train a `torch.nn.Module` with minibatch gradient descent.

    With ``proximal_mu > 0`` (FedProx) each batch loss gains
    ``(mu / 2) * ||w - w_start||**2`` over the trainable parameters, where
    ``w_start`` are the weights at the start of `fit` (the global model the
    node was sent). The reported loss is the data loss alone.

    The optimizer is built anew for every `fit`. With
    ``keep_optimizer_state`` its buffers (SGD momentum, Adam moments and step)
    are the node's state instead: they outlive the round and continue in the
    node's next one. Without it the learner keeps nothing between rounds, so
    one instance serves every node of a worker.
    """

    shareable = True

    def __init__(
        self,
        model_fn: Callable[[], nn.Module],
        optimizer: OptimizerSettings | None = None,
        batch_size: int = 16,
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        proximal_mu: float = 0.0,
        keep_optimizer_state: bool = False,
    ) -> None:
        if proximal_mu < 0:
            raise ValueError(f"proximal_mu must be >= 0, got {proximal_mu}")
        self.proximal_mu = proximal_mu
        self.model = model_fn()
        self.optimizer = optimizer or OptimizerSettings()
        self.batch_size = batch_size
        self.loss_fn = loss_fn or nn.functional.cross_entropy
        self.keep_optimizer_state = keep_optimizer_state
        self._optimizer_state: LearnerState = {}

    def get_parameters(self) -> Parameters:
        """Return the model's state dict as numpy arrays."""
        return state_dict_to_parameters(self.model)

    def set_parameters(self, parameters: Parameters) -> None:
        """Load parameters into the model; names and shapes must match."""
        self.model.load_state_dict(parameters_to_state_dict(parameters), strict=True)

    def warm_up(self) -> None:
        """Build the optimizer once: torch imports its compiler on first use.

        That import takes over a second; done here, it happens while the
        worker starts rather than inside round 1.
        """
        self._build_optimizer()

    def state(self) -> LearnerState:
        """Return the optimizer buffers when ``keep_optimizer_state`` is set."""
        return copy_state(self._optimizer_state)

    def load_state(self, state: LearnerState) -> None:
        """Take back optimizer buffers; empty for a node's first round.

        Raises:
            ValueError: buffers arrive but ``keep_optimizer_state`` is off.
        """
        if state and not self.keep_optimizer_state:
            raise ValueError(
                "TorchLearner keeps no optimizer state (keep_optimizer_state is "
                f"off), got arrays {sorted(state)}"
            )
        self._optimizer_state = dict(state)

    def fit(self, data: ArrayDataset, seed: int, epochs: int) -> FitResult:
        """Run ``epochs`` passes of minibatch training over ``data``."""
        x, y = torch.from_numpy(data.x), torch.from_numpy(data.y)
        generator = torch.Generator().manual_seed(seed)
        optimizer = self._build_optimizer()
        if self._optimizer_state:
            optimizer.load_state_dict(
                unflatten_optimizer_state(self._optimizer_state, optimizer)
            )
        anchor = self._proximal_anchor()
        self.model.train()

        total_loss, seen = 0.0, 0
        for _ in range(epochs):
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), self.batch_size):
                batch = order[start : start + self.batch_size]
                optimizer.zero_grad()
                loss = self.loss_fn(self.model(x[batch]), y[batch])
                objective = loss + self._proximal_term(anchor) if anchor else loss
                objective.backward()
                optimizer.step()
                total_loss += float(loss.detach()) * len(batch)
                seen += len(batch)

        if self.keep_optimizer_state:
            self._optimizer_state = flatten_optimizer_state(optimizer)
        mean_loss = total_loss / seen if seen else float("nan")
        return FitResult(num_examples=len(x), loss=mean_loss)

    def evaluate(self, data: ArrayDataset) -> EvaluateResult:
        """Return loss and accuracy of the current model on ``data``."""
        if len(data) == 0:
            return EvaluateResult(num_examples=0, loss=float("nan"), accuracy=0.0)
        self.model.eval()
        with torch.no_grad():
            logits = self.model(torch.from_numpy(np.require(data.x, requirements="W")))
            labels = torch.from_numpy(np.require(data.y, requirements="W"))
            loss = float(self.loss_fn(logits, labels))
            accuracy = float((logits.argmax(dim=1) == labels).float().mean())

        return EvaluateResult(num_examples=len(data), loss=loss, accuracy=accuracy)

    def _proximal_anchor(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Pair each trainable parameter with a frozen copy (empty if mu is 0)."""
        if self.proximal_mu == 0:
            return []
        return [
            (param, param.detach().clone())
            for param in self.model.parameters()
            if param.requires_grad
        ]

    def _proximal_term(
        self, anchor: list[tuple[torch.Tensor, torch.Tensor]]
    ) -> torch.Tensor:
        squared = sum(((p - start) ** 2).sum() for p, start in anchor)
        return 0.5 * self.proximal_mu * squared

    def _build_optimizer(self) -> torch.optim.Optimizer:
        settings = self.optimizer
        params = self.model.parameters()
        if settings.name == "adam":
            return torch.optim.Adam(
                params, lr=settings.lr, weight_decay=settings.weight_decay
            )
        return torch.optim.SGD(
            params,
            lr=settings.lr,
            momentum=settings.momentum,
            weight_decay=settings.weight_decay,
        )


def flatten_optimizer_state(optimizer: torch.optim.Optimizer) -> LearnerState:
    """Return an optimizer's per-parameter buffers as ``"<index>.<name>"`` arrays."""
    arrays: LearnerState = {}
    for index, entries in optimizer.state_dict()["state"].items():
        for name, value in entries.items():
            if isinstance(value, torch.Tensor):
                arrays[f"{index}.{name}"] = value.detach().cpu().numpy().copy()
            elif value is not None:
                arrays[f"{index}.{name}"] = np.asarray(value)

    return arrays


def unflatten_optimizer_state(
    arrays: LearnerState, optimizer: torch.optim.Optimizer
) -> dict[str, object]:
    """Return a state dict for ``optimizer`` holding the flattened ``arrays``."""
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in arrays.items():
        index, _, name = key.partition(".")
        state.setdefault(int(index), {})[name] = torch.from_numpy(np.array(value))

    return {"state": state, "param_groups": optimizer.state_dict()["param_groups"]}
