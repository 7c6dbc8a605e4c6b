import subprocess
import sys

import pytest

import redfl


def test_every_public_name_resolves_and_is_listed() -> None:
    lazy = set(redfl._MODULE_OF)

    assert set(redfl.__all__) == lazy | {"__version__"}
    for name in sorted(lazy):
        assert getattr(redfl, name).__name__ == name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = redfl.no_such_name  # type: ignore[attr-defined]


def test_node_runtime_import_leaves_schemas_and_config_unloaded() -> None:
    code = (
        "import sys, redfl.runtime.host, redfl.learners.torch_learner; "
        "print(sorted(m for m in ('redfl.config', 'redfl.federation', 'pydantic', "
        "'matplotlib') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"
