"""The ``redfl`` command: run, resume, validate, topology, compare."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from redfl.config import RunConfig, load_config
from redfl.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    RedError,
    TopologyError,
)
from redfl.imports import add_import_folders

EXIT_OK, EXIT_FAILED, EXIT_BAD_CONFIG, EXIT_INTERRUPTED = 0, 1, 2, 130

console = Console(stderr=True, highlight=False)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``redfl`` command."""
    parser = argparse.ArgumentParser(
        prog="redfl", description="Federated learning on Ray."
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="train a federation")
    _add_config_arguments(run)
    run.add_argument(
        "--out", metavar="DIR", help="results folder (default runs/<time>)"
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results of an earlier run in --out",
    )
    run.add_argument(
        "--address",
        help="join a running Ray cluster: auto, host:port or ray://host:port",
    )
    _add_output_arguments(run)

    validate = commands.add_parser("validate", help="check a config, run nothing")
    _add_config_arguments(validate)

    resume = commands.add_parser("resume", help="continue a stopped run")
    resume.add_argument("run_dir", metavar="RUN_DIR", help="the run's results folder")
    _add_set_argument(resume, "rounds only: --set rounds=50 extends the run")
    _add_output_arguments(resume)

    topology = commands.add_parser(
        "topology", help="describe (and draw) a config's topology"
    )
    _add_config_arguments(topology)
    topology.add_argument("--plot", metavar="FILE", help="draw the graph (PNG, SVG)")

    compare = commands.add_parser(
        "compare", help="a table of finished runs, and their accuracy curves"
    )
    compare.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folders")
    compare.add_argument(
        "--plot", metavar="FILE", help="draw test accuracy per round of every run"
    )
    compare.add_argument(
        "--metric",
        default="test_accuracy",
        help="history key to plot (default test_accuracy)",
    )

    return parser


def _add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "config", nargs="?", help="YAML file (default: the built-in federation)"
    )
    _add_set_argument(parser, "override a config key, e.g. --set rounds=5")


def _add_set_argument(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=help_text,
    )


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-round lines")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="log details and tracebacks"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``redfl`` command; return its exit code."""
    args = build_parser().parse_args(argv)
    add_import_folders(getattr(args, "config", None))
    verbose = getattr(args, "verbose", False)
    _configure_logging(verbose)
    try:
        if args.command == "validate":
            return validate(args.config, args.overrides)
        if args.command == "resume":
            return resume(args.run_dir, args.overrides, args.quiet)
        if args.command == "topology":
            return topology(args.config, args.overrides, args.plot)
        if args.command == "compare":
            return compare(args.runs, args.plot, args.metric)
        overrides = list(args.overrides)
        if args.overwrite:
            overrides.append("output.overwrite=true")
        if args.address:
            overrides.append(f"ray.address={args.address}")
        return run(args.config, overrides, args.out, args.quiet)
    except (ConfigError, DataError, TopologyError, CheckpointError) as exc:
        kind = "error" if args.command == "compare" else "configuration error"
        _report(kind, exc, verbose)
        return EXIT_BAD_CONFIG
    except RedError as exc:
        _report("run failed", exc, verbose)
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]: workers and resources released")
        return EXIT_INTERRUPTED


def validate(config_path: str | None, overrides: list[str]) -> int:
    """Check a configuration and print what it describes."""
    config = load_config(config_path, overrides)
    _check_buildable(config)
    partition = config.data.partition
    roles = "+".join(role.value for role in config.nodes.roles)
    combining = (
        f"{config.gossip.mixing} mixing"
        if config.schema_ == "decentralized"
        else f"strategy {config.strategy.name}"
    )
    print(
        f"ok: {config.name}: {config.schema_} schema over a "
        f"{config.topology.kind}, {config.nodes.count} nodes ({roles}), "
        f"{config.rounds} rounds, {config.data.dataset} ({partition.kind}), "
        f"model {config.model.name}, {combining}"
    )
    return EXIT_OK


def topology(config_path: str | None, overrides: list[str], plot: str | None) -> int:
    """Print a topology's degree, diameter and spectral gap; draw it if asked."""
    from redfl.topology.describe import describe_topology, plot_topology
    from redfl.topology.factory import make_topology

    config = load_config(config_path, overrides)
    facts = describe_topology(config)
    print(
        f"{facts['name']}: {facts['nodes']} nodes, {facts['edges']} edges, "
        f"degree min/mean/max {facts['degree_min']}/{facts['degree_mean']:.2f}/"
        f"{facts['degree_max']}, diameter {facts['diameter']}, spectral gap of "
        f"the {facts['mixing']} mixing matrix {facts['spectral_gap']:.4f}"
    )
    if plot:
        graph = make_topology(config.topology, config.nodes.count, config.seed)
        Path(plot).parent.mkdir(parents=True, exist_ok=True)
        plot_topology(graph, plot, title=f"{config.name}: {facts['name']}")
        print(f"drawn to {plot}")
    return EXIT_OK


def compare(run_dirs: list[str], plot: str | None, metric: str) -> int:
    """Print a table of finished runs; draw their curves if asked."""
    from redfl.results.compare import compare_table, read_runs
    from redfl.results.plots import plot_runs

    runs = read_runs(run_dirs)
    recorded = any(len(r.history) for r in runs)
    if recorded and not any(r.history.last(metric) is not None for r in runs):
        numeric = sorted(
            {
                key
                for r in runs
                for record in r.history
                for key, value in record.items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            }
        )
        raise DataError(
            f"--metric {metric!r}: no run recorded it; recorded: {', '.join(numeric)}"
        )
    Console(highlight=False).print(compare_table(runs))
    if plot:
        Path(plot).parent.mkdir(parents=True, exist_ok=True)
        drawn = plot_runs({r.label: r.history for r in runs}, plot, key=metric)
        print(f"drawn to {plot}: {', '.join(drawn)}")
    return EXIT_OK


def _check_buildable(config: RunConfig) -> None:
    """Check what pydantic cannot: model, strategy, data and partition."""
    from redfl.aggregation import make_aggregator
    from redfl.federation import SCHEMAS
    from redfl.federation.setup import prepare

    make_aggregator(config.strategy.name, **config.strategy.options)
    SCHEMAS[config.schema_](config, progress=False).build_topology()
    prepare(config)


def run(
    config_path: str | None, overrides: list[str], out: str | None, quiet: bool
) -> int:
    """Train the federation a configuration describes."""
    from redfl.federation import Federation

    federation = Federation.from_config(
        config_path, overrides, out_dir=out, progress=not quiet
    )
    try:
        federation.train()
    except KeyboardInterrupt:
        console.print(f"continue it with: redfl resume {federation.out_dir}")
        raise
    if quiet:
        print(Path(federation.out_dir) / "summary.json")
    return EXIT_OK


def resume(run_dir: str, overrides: list[str], quiet: bool) -> int:
    """Continue a stopped run from its last checkpoint."""
    from redfl.federation import resume as resume_federation

    federation = resume_federation(run_dir, overrides, progress=not quiet)
    assert federation.checkpoint is not None
    done = federation.checkpoint.round_num
    if done >= federation.config.rounds:
        print(
            f"{run_dir} has already completed its {done} rounds; nothing to do "
            f"(extend it with --set rounds={done + 10}, say)"
        )
        return EXIT_OK
    federation.train()
    if quiet:
        print(Path(federation.out_dir) / "summary.json")
    return EXIT_OK


def _report(kind: str, exc: BaseException, verbose: bool) -> None:
    if verbose:
        console.print_exception()
    lines = str(exc).splitlines() or [type(exc).__name__]
    console.print(f"[red]{kind}[/red]: {lines[0]}", soft_wrap=True)
    for line in lines[1:]:
        console.print(f"  {line}", soft_wrap=True)


def _configure_logging(verbose: bool) -> None:
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # run.log takes INFO from the package; the terminal keeps its own level.
    for handler in logging.getLogger().handlers:
        if getattr(handler, "stream", None) is sys.stderr:
            handler.setLevel(level)


def _version() -> str:
    from redfl import __version__

    return f"redfl {__version__}"


if __name__ == "__main__":
    sys.exit(main())
