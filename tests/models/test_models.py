"""Tests of the reference models and model resolution by name or path."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
import torch
from torch import nn

from redfl.config import load_config
from redfl.errors import ConfigError
from redfl.federation import Federation
from redfl.federation.setup import prepare
from redfl.models import (
    MODELS,
    build_model,
    cnn,
    logistic_regression,
    mlp,
    resolve_model_factory,
)


@pytest.mark.parametrize(
    ("factory", "batch"),
    [
        (logistic_regression, torch.zeros(5, 64)),
        (mlp, torch.zeros(5, 64)),
        (cnn, torch.zeros(5, 1, 8, 8)),
        (cnn, torch.zeros(5, 64)),
    ],
)
def test_models_map_a_batch_to_class_logits(
    factory: Callable[[], nn.Module], batch: torch.Tensor
) -> None:
    model = factory()

    assert model(batch).shape == (5, 10)


@pytest.mark.parametrize("hidden", [32, (32,), (32, 16), ()])
def test_mlp_accepts_int_or_sequence_hidden(hidden: int | tuple[int, ...]) -> None:
    model = mlp(input_dim=20, hidden=hidden, num_classes=3)

    linear = [m for m in model.modules() if isinstance(m, nn.Linear)]
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    assert [m.out_features for m in linear] == [*widths, 3]
    assert model(torch.zeros(2, 20)).shape == (2, 3)


def test_mlp_rejects_zero_width() -> None:
    with pytest.raises(ConfigError, match=r"hidden\[1\].*0"):
        mlp(hidden=(8, 0))


def test_cnn_state_dict_has_integer_batchnorm_counter() -> None:
    state = cnn().state_dict()

    counters = [k for k in state if k.endswith("num_batches_tracked")]
    assert counters
    assert all(not state[k].is_floating_point() for k in counters)


def test_cnn_supports_other_image_sizes_and_channels() -> None:
    model = cnn(in_channels=3, num_classes=4, image_size=12)

    assert model(torch.zeros(2, 3, 12, 12)).shape == (2, 4)
    assert model(torch.zeros(2, 3 * 12 * 12)).shape == (2, 4)


def test_factories_build_fresh_modules() -> None:
    first, second = mlp(), mlp()

    assert first is not second
    assert first[1].weight.data_ptr() != second[1].weight.data_ptr()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_registered_names_resolve_to_their_factories(name: str) -> None:
    assert resolve_model_factory(name) is MODELS[name]


def test_import_path_resolves_to_the_factory() -> None:
    assert resolve_model_factory("redfl.models.zoo:mlp") is mlp


def test_build_model_from_import_path_with_kwargs() -> None:
    model = build_model("redfl.models.zoo:mlp", {"input_dim": 4, "num_classes": 2})

    assert model(torch.zeros(3, 4)).shape == (3, 2)


def test_missing_module_error_names_the_path() -> None:
    with pytest.raises(ConfigError, match=r"'no_such_pkg\.models:net'.*not found"):
        resolve_model_factory("no_such_pkg.models:net")


def test_missing_attribute_error_names_the_path_and_attribute() -> None:
    with pytest.raises(ConfigError, match=r"'redfl\.models\.zoo:resnet'.*'resnet'"):
        resolve_model_factory("redfl.models.zoo:resnet")


def test_non_callable_attribute_is_rejected() -> None:
    with pytest.raises(ConfigError, match="not callable"):
        resolve_model_factory("redfl.models.registry:MODELS")


def test_unknown_plain_name_lists_registered_models() -> None:
    with pytest.raises(ConfigError, match=r"'resnet'.*logistic_regression, mlp, cnn"):
        resolve_model_factory("resnet")


def test_build_model_bad_kwargs_names_model_and_kwargs() -> None:
    with pytest.raises(ConfigError, match=r"'cnn'.*'depth': 3"):
        build_model("cnn", {"depth": 3})


def test_build_model_rejects_factory_returning_non_module() -> None:
    with pytest.raises(ConfigError, match=r"torch\.nn\.Module"):
        build_model("redfl.errors:ConfigError", {})


def test_user_model_named_without_kwargs_gets_only_the_dataset_sizes(
    tmp_path, monkeypatch
) -> None:
    (tmp_path / "tiny_models.py").write_text(
        "from torch import nn\n\n"
        "def tiny(input_dim, num_classes, width=8):\n"
        "    return nn.Sequential(nn.Linear(input_dim, width), nn.ReLU(),\n"
        "                         nn.Linear(width, num_classes))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = load_config({"model": {"name": "tiny_models:tiny"}})

    prepared = prepare(config)

    assert prepared.learner_spec.model_kwargs == {"input_dim": 64, "num_classes": 10}
    assert prepared.initial_parameters["0.weight"].shape == (8, 64)


def test_python_api_finds_a_model_module_beside_its_yaml(tmp_path, monkeypatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "beside_models.py").write_text(
        "from torch import nn\n\n"
        "def wide(input_dim, num_classes):\n"
        "    return nn.Linear(input_dim, num_classes)\n"
    )
    (project / "run.yaml").write_text("model: {name: 'beside_models:wide'}\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(tmp_path)

    federation = Federation.from_config(project / "run.yaml")

    prepared = prepare(federation.config)
    assert prepared.initial_parameters["weight"].shape == (10, 64)
    assert federation.config.name == "run"
