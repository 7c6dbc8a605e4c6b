"""Every example configuration runs through the command line (one round)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from redfl.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def run_by_docs() -> set[str]:
    """Return examples a docs page runs as is (``redfl run FILE --out DIR``);
    ``test_docs_commands`` runs those, with the same one-round overrides."""
    from test_docs_commands import PAGES, commands

    covered = set()
    for page in PAGES:
        for command in commands(page):
            argv = shlex.split(command)
            if argv[:2] == ["redfl", "run"] and len(argv) == 5 and argv[3] == "--out":
                covered.add(argv[2])
    return covered


@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_one_round(example: Path, tmp_path, monkeypatch) -> None:
    if f"examples/{example.name}" in run_by_docs():
        pytest.skip("run as is by a docs page in test_docs_commands")
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    argv = ["run", str(example), "--quiet", "--out", str(tmp_path)]

    code = main([*argv, "--set", "rounds=1", "--set", "output.plots=false"])

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0
    assert summary["status"] == "completed" and summary["rounds"] == 1
