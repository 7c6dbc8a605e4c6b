"""Every ``bash`` block in the README and docs runs, with one round per run."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from redfl.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^[ \t]*```bash\n(.*?)^[ \t]*```", re.S | re.M)
FAST = ["--set", "rounds=1", "--set", "learner.local_epochs=1", "--quiet"]
NOT_RUN = {"make run", "make test"}
"""The README's two make targets: ``make test`` is this suite's own entry
point, and ``make run`` is ``redfl run`` with the defaults, run below."""


def commands(page: Path) -> list[str]:
    """Return the commands of a page's bash blocks, comments removed."""
    found = []
    for block in BLOCK.findall(page.read_text()):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command and not command.startswith("#"):
                found.append(command)
    return found


def test_docs_have_commands() -> None:
    assert sum(len(commands(p)) for p in PAGES) >= 10


@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_commands_run(page: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "scripts").symlink_to(ROOT / "scripts")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))

    for command in commands(page):
        if command in NOT_RUN:
            continue
        argv = shlex.split(command)
        if argv[:3] == ["python", "-m", "redfl"]:
            argv = ["redfl", *argv[3:]]
        if argv[0] == "redfl":
            if argv[1] == "--version":
                continue
            extra = FAST if argv[1] == "run" else []
            assert main(argv[1:] + extra) == 0, f"{page.name}: {command}"
        else:
            done = subprocess.run(
                [sys.executable, *argv[1:]] if argv[0] == "python" else argv,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, f"{page.name}: {command}\n{done.stderr}"


def test_mkdocs_builds_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-d",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "howto" / "custom-learner" / "index.html").exists()
    assert "load_npz_dataset" in (tmp_path / "api" / "index.html").read_text()


def test_docs_learner_is_the_example_file() -> None:
    page = (ROOT / "docs" / "howto" / "custom-learner.md").read_text()
    block = re.search(r"```python\n# examples/my_learner.py\n(.*?)```", page, re.S)

    assert block is not None
    assert block.group(1) == (ROOT / "examples" / "my_learner.py").read_text()
