"""The README's Python example runs as written; generated docs are current."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.usefixtures("ray_cluster")
def test_readme_python_example_runs(tmp_path, monkeypatch, capsys) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no Python example"
    monkeypatch.chdir(tmp_path)

    exec(compile(blocks[0], "README.md", "exec"), {})

    printed = capsys.readouterr().out.splitlines()
    assert float(printed[-6]) > 0.5
    assert (tmp_path / "runs" / "quickstart" / "summary.json").exists()


def test_configuration_reference_is_current() -> None:
    script = ROOT / "scripts" / "config_reference.py"

    done = subprocess.run([sys.executable, str(script), "--check"], check=False)

    assert done.returncode == 0
