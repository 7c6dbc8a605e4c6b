"""A learner written from scratch: softmax regression in plain numpy.

Plug it in with ``learner.factory: examples.numpy_learner:SoftmaxLearner``.
Red calls ``set_parameters``, then ``fit`` or ``evaluate``, then
``get_parameters``; the data arrive as a `redfl.data.ArrayDataset` (``x``
and integer labels ``y``) holding only this node's rows.
"""

from __future__ import annotations

import numpy as np

from redfl import EvaluateResult, FitResult, Learner, Parameters
from redfl.data import ArrayDataset


class SoftmaxLearner(Learner):
    """Multinomial logistic regression trained by minibatch gradient descent."""

    def __init__(
        self, input_dim: int, num_classes: int, lr: float = 0.5, batch_size: int = 32
    ) -> None:
        self.weights = np.zeros((input_dim, num_classes), dtype=np.float32)
        self.bias = np.zeros(num_classes, dtype=np.float32)
        self.lr = lr
        self.batch_size = batch_size

    def get_parameters(self) -> Parameters:
        """Return copies of the weights and the bias."""
        return Parameters({"weights": self.weights.copy(), "bias": self.bias.copy()})

    def set_parameters(self, parameters: Parameters) -> None:
        """Load the weights and the bias sent by the federation."""
        self.weights = np.array(parameters["weights"], dtype=np.float32)
        self.bias = np.array(parameters["bias"], dtype=np.float32)

    def fit(self, data: ArrayDataset, seed: int, epochs: int) -> FitResult:
        """Run ``epochs`` shuffled passes of minibatch gradient descent."""
        x, y = data.x.reshape(len(data), -1), data.y
        rng = np.random.default_rng(seed)
        losses = []
        for _ in range(epochs):
            order = rng.permutation(len(y))
            for start in range(0, len(y), self.batch_size):
                batch = order[start : start + self.batch_size]
                probs = self._probabilities(x[batch])
                losses.append(_cross_entropy(probs, y[batch]))
                probs[np.arange(len(batch)), y[batch]] -= 1.0
                self.weights -= self.lr * x[batch].T @ probs / len(batch)
                self.bias -= self.lr * probs.mean(axis=0)

        return FitResult(num_examples=len(y), loss=float(np.mean(losses)))

    def evaluate(self, data: ArrayDataset) -> EvaluateResult:
        """Return the loss and accuracy on ``data``."""
        if len(data) == 0:
            return EvaluateResult(num_examples=0, loss=float("nan"), accuracy=0.0)
        probs = self._probabilities(data.x.reshape(len(data), -1))
        accuracy = float(np.mean(probs.argmax(axis=1) == data.y))

        return EvaluateResult(len(data), _cross_entropy(probs, data.y), accuracy)

    def _probabilities(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def _cross_entropy(probs: np.ndarray, labels: np.ndarray) -> float:
    picked = probs[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, None))))
