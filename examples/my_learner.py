from torch import nn

from redfl.learners import OptimizerSettings, TorchLearner


class LinearLearner(TorchLearner):
    """Softmax regression; Red fills input_dim and num_classes from the data."""

    def __init__(self, input_dim: int, num_classes: int, lr: float = 0.1) -> None:
        def model_fn() -> nn.Module:
            return nn.Sequential(nn.Flatten(), nn.Linear(input_dim, num_classes))

        super().__init__(model_fn, OptimizerSettings(lr=lr), batch_size=32)
