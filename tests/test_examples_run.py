"""Every example configuration runs through the command line (one round)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redfl.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_one_round(example: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    argv = ["run", str(example), "--quiet", "--out", str(tmp_path)]

    code = main([*argv, "--set", "rounds=1", "--set", "output.plots=false"])

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0
    assert summary["status"] == "completed" and summary["rounds"] == 1
