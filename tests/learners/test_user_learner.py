"""User learners plugged in by import path, as the README and docs show them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import redfl
from redfl.cli import main
from redfl.data import load_digits_dataset
from redfl.errors import ConfigError
from redfl.federation.setup import make_learner_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository folder, as the examples expect."""
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))


def test_readme_learner_is_the_example_file() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```python\n# examples/my_learner.py\n(.*?)```", readme, re.S)

    assert block is not None, "README shows no examples/my_learner.py block"
    assert block.group(1) == (ROOT / "examples" / "my_learner.py").read_text()


@pytest.mark.usefixtures("in_repository")
def test_numpy_learner_learns_digits_without_ray() -> None:
    from examples.numpy_learner import SoftmaxLearner

    data = load_digits_dataset()
    learner = SoftmaxLearner(input_dim=64, num_classes=10)
    before = learner.evaluate(data.test).accuracy

    learner.set_parameters(learner.get_parameters())
    result = learner.fit(data.train, seed=0, epochs=2)

    assert result.num_examples == len(data.train)
    assert before < 0.2 < 0.9 < learner.evaluate(data.test).accuracy


@pytest.mark.usefixtures("in_repository")
def test_factory_receives_options_and_data_sizes() -> None:
    config = redfl.load_config(
        {"learner": {"factory": "examples.numpy_learner:SoftmaxLearner"}}
    )

    spec = make_learner_spec(config, load_digits_dataset())

    assert spec.learner_kwargs == {"input_dim": 64, "num_classes": 10}
    assert type(spec.build()).__name__ == "SoftmaxLearner"


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        ("examples.numpy_learner", "expected an import path"),
        ("examples.nowhere:Learner", "module not found"),
        ("examples.numpy_learner:Missing", "has no attribute 'Missing'"),
    ],
)
@pytest.mark.usefixtures("in_repository")
def test_bad_factory_names_the_key(factory: str, message: str) -> None:
    config = redfl.load_config({"learner": {"factory": factory}})

    with pytest.raises(ConfigError, match=f"learner.factory: .*{message}"):
        make_learner_spec(config, load_digits_dataset())


@pytest.mark.usefixtures("ray_cluster", "in_repository")
@pytest.mark.parametrize(
    "factory", ["my_learner:LinearLearner", "numpy_learner:SoftmaxLearner"]
)
def test_user_learner_trains_on_workers(factory: str, tmp_path: Path) -> None:
    sys.modules.pop("examples.my_learner", None)
    argv = ["run", str(ROOT / "examples" / "custom_learner.yaml"), "--quiet"]
    sets = ["rounds=2", f"learner.factory=examples.{factory}"]

    code = main(
        [*argv, "--out", str(tmp_path)] + [a for s in sets for a in ("--set", s)]
    )

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0
    assert summary["final_test_accuracy"] > 0.6
