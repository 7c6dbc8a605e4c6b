"""Small reference models for flat or 8x8 image inputs; each call builds anew."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from redfl.errors import ConfigError


def logistic_regression(input_dim: int = 64, num_classes: int = 10) -> nn.Module:
    """Build a multinomial logistic regression: one linear layer over flat input.

    Args:
        input_dim: Features per sample; inputs of any shape are flattened.
        num_classes: Number of output logits.

    Returns:
        A fresh module mapping (N, input_dim) to (N, num_classes) logits.

    Raises:
        ConfigError: If a size is below 1.
    """
    _require_positive(input_dim=input_dim, num_classes=num_classes)

    return nn.Sequential(nn.Flatten(), nn.Linear(input_dim, num_classes))


def mlp(
    input_dim: int = 64,
    hidden: int | Sequence[int] = (64,),
    num_classes: int = 10,
) -> nn.Module:
    """Build a multilayer perceptron: Linear and ReLU per hidden layer, then a head.

    Args:
        input_dim: Features per sample; inputs of any shape are flattened.
        hidden: Width of the one hidden layer, or widths of several.
        num_classes: Number of output logits.

    Returns:
        A fresh module mapping (N, input_dim) to (N, num_classes) logits.

    Raises:
        ConfigError: If a size is below 1.
    """
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    _require_positive(input_dim=input_dim, num_classes=num_classes)
    _require_positive(**{f"hidden[{i}]": w for i, w in enumerate(widths)})

    layers: list[nn.Module] = [nn.Flatten()]
    for fan_in, fan_out in zip([input_dim, *widths], widths, strict=False):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    layers.append(nn.Linear(widths[-1] if widths else input_dim, num_classes))

    return nn.Sequential(*layers)


class SmallCNN(nn.Module):  # type: ignore[misc]
    """Two 3x3 convolutions (16 and 32 channels), one 2x2 max-pool, a linear head.

    A BatchNorm2d follows the first convolution. Inputs may be images
    (N, C, H, W) or the same images flattened to (N, C*H*W).
    """

    def __init__(self, in_channels: int, num_classes: int, image_size: int):
        super().__init__()
        self.in_channels = in_channels
        self.image_size = image_size
        pooled = image_size // 2
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Linear(32 * pooled * pooled, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class logits for a batch of images, flat or not."""
        if x.dim() == 2:
            x = x.reshape(-1, self.in_channels, self.image_size, self.image_size)

        return self.head(torch.flatten(self.features(x), start_dim=1))


def cnn(in_channels: int = 1, num_classes: int = 10, image_size: int = 8) -> nn.Module:
    """Build `SmallCNN`, a small convolutional network for square images.

    Args:
        in_channels: Channels per image.
        num_classes: Number of output logits.
        image_size: Height and width of the images, at least 2.

    Returns:
        A fresh module mapping (N, C, H, W) or (N, C*H*W) to (N, num_classes).

    Raises:
        ConfigError: If a size is out of range.
    """
    _require_positive(in_channels=in_channels, num_classes=num_classes)
    if image_size < 2:
        raise ConfigError(f"image_size must be >= 2, got {image_size}")

    return SmallCNN(in_channels, num_classes, image_size)


def _require_positive(**sizes: Any) -> None:
    """Raise ConfigError naming the first size that is not an integer >= 1."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
