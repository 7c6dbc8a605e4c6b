"""Fill a factory's size arguments from the dataset when the user left them out.

A factory that declares ``input_dim``, ``num_classes``, ``in_channels``,
``image_size`` or ``input_shape`` gets them from the loaded dataset, unless
the configuration gives them. Arguments the factory does not name are never
passed, so user factories opt in by naming them.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any


def data_sizes(input_shape: tuple[int, ...], num_classes: int) -> dict[str, Any]:
    """Return the size arguments a dataset of this sample shape implies.

    ``in_channels`` and ``image_size`` come from (C, H, W) samples with
    H == W, or from flat samples whose length is a perfect square (one
    channel); other shapes give neither.
    """
    sizes: dict[str, Any] = {
        "input_dim": math.prod(input_shape),
        "num_classes": num_classes,
        "input_shape": list(input_shape),
    }
    if len(input_shape) == 3 and input_shape[1] == input_shape[2]:
        sizes["in_channels"], sizes["image_size"] = input_shape[0], input_shape[1]
    elif len(input_shape) == 1 and math.isqrt(input_shape[0]) ** 2 == input_shape[0]:
        sizes["in_channels"], sizes["image_size"] = 1, math.isqrt(input_shape[0])

    return sizes


def accepted_names(factory: Callable[..., Any]) -> set[str]:
    """Return the keyword names ``factory`` declares (empty if unknown)."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return set()
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)

    return {p.name for p in parameters if p.kind in kinds}


def fill_sizes(
    factory: Callable[..., Any],
    given: Mapping[str, Any],
    sizes: Mapping[str, Any],
) -> dict[str, Any]:
    """Return ``given`` plus every size ``factory`` names and ``given`` lacks."""
    names = accepted_names(factory)
    filled = dict(given)
    for name, value in sizes.items():
        if name in names and name not in filled:
            filled[name] = value

    return filled
