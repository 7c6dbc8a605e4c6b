"""Federation schemas and the `Federation` entry point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from redfl.config import RunConfig, load_config
from redfl.federation.base import FederatedBase
from redfl.federation.client_server import ClientServerFederation
from redfl.federation.clustered import ClusteredFederation
from redfl.federation.decentralized import DecentralizedFederation

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
        config = load_config(source, overrides)
        schema = SCHEMAS[config.schema_]

        return schema(config, out_dir=out_dir, progress=progress)


__all__ = [
    "SCHEMAS",
    "ClientServerFederation",
    "ClusteredFederation",
    "DecentralizedFederation",
    "FederatedBase",
    "Federation",
]
