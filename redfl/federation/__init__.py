"""Federation schemas and the `Federation` entry point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from redfl.config import RunConfig, load_config
from redfl.errors import CheckpointError, ConfigError
from redfl.federation.base import FederatedBase
from redfl.federation.client_server import ClientServerFederation
from redfl.federation.clustered import ClusteredFederation
from redfl.federation.decentralized import DecentralizedFederation
from redfl.imports import add_import_folders
from redfl.results.checkpoint import load_checkpoint

SCHEMAS: dict[str, type[FederatedBase]] = {
    "client_server": ClientServerFederation,
    "decentralized": DecentralizedFederation,
    "clustered": ClusteredFederation,
}


class Federation:
    """Build the federation a configuration describes."""

    @staticmethod
    def from_config(
        source: RunConfig | Mapping[str, Any] | str | Path | None = None,
        overrides: Mapping[str, Any] | Sequence[str] = (),
        out_dir: str | Path | None = None,
        progress: bool = True,
    ) -> FederatedBase:
        """Return the schema's federation for ``source`` with ``overrides``.

        Args:
            source: a YAML path, a mapping, a `RunConfig`, or None for the
                built-in default (10 nodes, digits, FedAvg, 20 rounds).
            overrides: ``key.sub=value`` strings or a nested mapping.
            out_dir: the results folder (default ``runs/<timestamp>``).
            progress: print a line per round.

        Raises:
            ConfigError: a key or value in the configuration is invalid.
        """
        if isinstance(source, str | Path):
            add_import_folders(source)
        config = load_config(source, overrides)
        schema = SCHEMAS[config.schema_]

        return schema(config, out_dir=out_dir, progress=progress)


def resume(
    run_dir: str | Path,
    overrides: Mapping[str, Any] | Sequence[str] = (),
    progress: bool = True,
) -> FederatedBase:
    """Return the federation of ``run_dir``, set to continue after its checkpoint.

    The folder's ``config.yaml`` is used as written, with ``overrides`` on top
    (``rounds=50`` extends a run). Calling ``train()`` runs the remaining
    rounds into the same folder; the metrics equal those of a run that never
    stopped.

    Raises:
        CheckpointError: the folder has no usable checkpoint.
        ConfigError: an override is invalid.
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise CheckpointError(f"run folder not found: {folder}")
    extra = sorted(set(_override_keys(overrides)) - {"rounds"})
    if extra:
        raise ConfigError(
            f"resume takes only rounds=N (a resumed run keeps its settings so "
            f"its metrics match an uninterrupted run); got {', '.join(extra)}"
        )
    checkpoint = load_checkpoint(folder)
    config = load_config(folder / "config.yaml", overrides)
    schema = SCHEMAS[config.schema_]
    if config.rounds < checkpoint.round_num:
        raise ConfigError(
            f"rounds={config.rounds} is below the {checkpoint.round_num} rounds "
            f"{folder} has already completed"
        )
    federation = schema(config, out_dir=folder, progress=progress)
    federation.checkpoint = checkpoint

    return federation


def _override_keys(overrides: Mapping[str, Any] | Sequence[str]) -> list[str]:
    """Return the top-level keys an override list or mapping sets."""
    if isinstance(overrides, Mapping):
        return [str(k) for k in overrides]
    return [item.partition("=")[0].strip() for item in overrides]


__all__ = [
    "SCHEMAS",
    "ClientServerFederation",
    "ClusteredFederation",
    "DecentralizedFederation",
    "FederatedBase",
    "Federation",
    "resume",
]
