"""Resolve user code given as an import path ``package.module:attribute``."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from redfl.errors import ConfigError


def add_import_folders(config_path: str | Path | None) -> None:
    """Let a configuration name modules in the working folder or beside it.

    The working folder is searched first, then the YAML file's folder.
    """
    folders = [os.getcwd()]
    if config_path:
        folders.append(str(Path(config_path).resolve().parent))
    for folder in reversed(folders):
        if folder not in sys.path:
            sys.path.insert(0, folder)


def import_object(path: str, key: str) -> Any:
    """Return the object at ``package.module:attr.sub`` for config key ``key``.

    The working folder is searched as well, so a module next to the YAML
    file (or a package folder such as ``examples``) is found when Red is
    started from there.

    Raises:
        ConfigError: the path is malformed, the module cannot be imported
            or the attribute is missing; the message names ``key``.
    """
    module_name, sep, attr_path = path.partition(":")
    if not sep or not module_name or not attr_path:
        raise ConfigError(
            f"{key}: expected an import path 'package.module:name', got {path!r}"
        )

    target: Any = import_module(module_name, key, path)
    for attr in attr_path.split("."):
        if not hasattr(target, attr):
            raise ConfigError(
                f"{key}: {path!r}: {getattr(target, '__name__', target)!r} has no "
                f"attribute {attr!r}"
            )
        target = getattr(target, attr)

    return target


def import_module(module_name: str, key: str, path: str) -> ModuleType:
    """Import ``module_name``, also from the working folder; translate errors."""
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.append(cwd)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"{key}: {path!r}: module not found: {exc.name or module_name!r}"
        ) from exc
    except Exception as exc:
        raise ConfigError(
            f"{key}: {path!r}: importing {module_name!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
