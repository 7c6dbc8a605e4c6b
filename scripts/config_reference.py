"""Write docs/configuration.md from the pydantic models in redfl.config.

python scripts/config_reference.py          # rewrite the page
python scripts/config_reference.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from redfl import config as cfg
from redfl.data.synthetic import SyntheticOptions

PARTITION_TYPE = cfg.DataConfig.model_fields["partition"].annotation
PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"

INTRO = """# Configuration reference

A run is described by one YAML mapping. Every key is optional; what is left
out takes the default below, and `config.yaml` in the results folder shows
the resolved whole. Unknown keys are errors. Override any key on the command
line with `--set key.sub=value` (values are read as YAML).

This page is generated from `redfl/config.py` by
`python scripts/config_reference.py`; a test fails when it is out of date.
"""


def type_name(annotation: object) -> str:
    """Return a short readable name for a field's type."""
    text = repr(annotation) if not isinstance(annotation, type) else annotation.__name__
    if "Partition" in text or "Topology" in text:
        return "one of the kinds below"
    for noise in ("typing.", "redfl.config.", "redfl.types.", "<class '", "'>"):
        text = text.replace(noise, "")
    return text.replace("NoneType", "None").replace("|", "\\|")


def bounds(info: FieldInfo) -> str:
    """Return the numeric bounds of a field, e.g. ``> 0, <= 1``."""
    parts = []
    for item in info.metadata:
        for attr, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    return ", ".join(parts)


def default_text(info: FieldInfo) -> str:
    """Return the default of a field as it would appear in YAML."""
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        if isinstance(value, BaseModel):
            return "(section)"
        return f"`{json.dumps(to_jsonable_python(value))}`"
    if info.is_required():
        return "required"
    return f"`{json.dumps(to_jsonable_python(info.default))}`"


def section(title: str, model: type[BaseModel], prefix: str) -> list[str]:
    """Return the Markdown lines describing one model's fields."""
    lines = [f"## `{title}`", "", (model.__doc__ or "").strip().splitlines()[0], ""]
    lines += ["| key | type | default | bounds |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = info.alias or name
        lines.append(
            f"| `{prefix}{key}` | {type_name(info.annotation)} | "
            f"{default_text(info)} | {bounds(info)} |"
        )
    return [*lines, ""]


def variants(annotation: object) -> list[type[BaseModel]]:
    """Return the config models inside a field's type (unions unpacked)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += variants(arg)
    return found


def render() -> str:
    """Return the whole page."""
    lines = [INTRO]
    lines += section("top level", cfg.RunConfig, "")
    sections: list[tuple[str, type[BaseModel]]] = [("data", cfg.DataConfig)]
    for name, info in cfg.RunConfig.model_fields.items():
        key = info.alias or name
        sections += [(key, model) for model in variants(info.annotation)]
    sections += [("data.partition", m) for m in variants(PARTITION_TYPE)]
    sections += [("data.synthetic", SyntheticOptions)]
    seen = set()
    for key, model in sections:
        if model in seen:
            continue
        seen.add(model)
        kind = model.model_fields.get("kind")
        title = f"{key} (kind: {kind.default})" if kind else key
        if key == "faults":
            title = "faults[]"
        lines += section(title, model, f"{key}.")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate the configuration page.")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text() != text:
            print(f"{PAGE} is out of date; run scripts/config_reference.py")
            return 1
        return 0
    PAGE.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
