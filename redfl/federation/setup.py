"""Turn a `RunConfig` into the pieces a federation runs: data, nodes, learner.

Everything here happens in the driver before Ray starts, so a bad request
(an infeasible partition, an unknown model) fails before any work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from redfl.config import RunConfig
from redfl.data.datasets import FederatedDataset, load_dataset
from redfl.data.partition import Partitioner, make_partitioner
from redfl.data.planted import assign_groups
from redfl.errors import ConfigError, DataError
from redfl.imports import import_object
from redfl.learners.factory import LearnerSpec
from redfl.learners.torch_learner import OptimizerSettings
from redfl.models.registry import resolve_model_factory
from redfl.models.shapes import data_sizes, fill_sizes
from redfl.nodes.attack import AttackSpec, select_attackers
from redfl.nodes.node import NodeSpec
from redfl.nodes.virtual import VirtualNode
from redfl.parameters import Parameters
from redfl.runtime.placement import PlacementRequest, uniform_split
from redfl.runtime.session import cluster_resources
from redfl.runtime.shipping import ship_by_value
from redfl.seeding import Stream, derive_rng, derive_seed


@dataclass(frozen=True)
class Prepared:
    """The driver-side pieces of a federation, ready to run."""

    dataset: FederatedDataset
    learner_spec: LearnerSpec
    initial_parameters: Parameters
    node_specs: list[NodeSpec]


def prepare(config: RunConfig) -> Prepared:
    """Load and partition the data, check the model, build initial parameters.

    Raises:
        DataError: the dataset or partition request cannot be met.
        ConfigError: the model, learner factory or a partition option is
            invalid.
    """
    seed = config.seed
    dataset = load_config_dataset(config)

    partitioner = make_config_partitioner(config, dataset)
    try:
        parts = partitioner.partition(
            dataset.train.y, config.nodes.count, derive_rng(seed, Stream.PARTITION)
        )
    except DataError as exc:
        raise DataError(f"data.partition: {exc}") from exc
    roles = frozenset(config.nodes.roles)
    attackers, attack = plan_attack(config, dataset.num_classes)
    node_groups = node_groups_of(dataset, config.nodes.count)
    specs = [
        NodeSpec(i, roles, part, attack if i in attackers else None, node_groups[i])
        for i, part in enumerate(parts)
    ]

    learner_spec = make_learner_spec(config, dataset)
    initial = initial_parameters(config, learner_spec)

    return Prepared(dataset, learner_spec, initial, specs)


def load_config_dataset(config: RunConfig) -> FederatedDataset:
    """Load ``data.dataset`` with the file options the configuration sets."""
    data = config.data
    options: dict[str, Any] = {
        key: value
        for key, value in (
            ("path", data.path),
            ("label_column", data.label_column),
            ("group_column", data.group_column),
        )
        if value is not None
    }
    groups = data.planted_groups()
    if groups is not None:
        options["groups"] = groups
    if data.dataset == "synthetic":
        options["options"] = data.synthetic

    return load_dataset(
        data.dataset, test_fraction=data.test_fraction, seed=config.seed, **options
    )


def make_config_partitioner(
    config: RunConfig, dataset: FederatedDataset
) -> Partitioner:
    """Build the configured partitioner; ``group`` takes the dataset's groups.

    Raises:
        DataError: ``group`` is asked of a dataset without a group column.
    """
    kind = config.data.partition.kind
    if kind != "group":
        options = config.data.partition.model_dump(exclude={"kind"})
        return make_partitioner(kind, **options)
    if dataset.train_groups is None:
        raise DataError(
            f"data.partition: kind 'group' needs groups, but dataset "
            f"{config.data.dataset!r} has none (set data.group_column)"
        )

    return make_partitioner(
        kind, groups=dataset.train_groups, group_names=dataset.group_names
    )


def make_learner_spec(config: RunConfig, dataset: FederatedDataset) -> LearnerSpec:
    """Return the learner recipe, sizes filled from the dataset.

    A factory (model or learner) that names ``input_dim``, ``num_classes``,
    ``in_channels``, ``image_size`` or ``input_shape`` receives the value the
    dataset implies unless the configuration sets it.

    Raises:
        ConfigError: the model or ``learner.factory`` cannot be resolved.
    """
    sizes = data_sizes(dataset.input_shape, dataset.num_classes)
    learner = config.learner
    if learner.factory is not None:
        learner_fn = import_object(learner.factory, "learner.factory")
        if not callable(learner_fn):
            raise ConfigError(
                f"learner.factory: {learner.factory!r} is not callable, got "
                f"{type(learner_fn).__name__}"
            )
        ship_by_value(learner_fn)
        return LearnerSpec(
            learner_fn=learner_fn,
            learner_kwargs=fill_sizes(learner_fn, learner.options, sizes),
        )

    model_fn = resolve_model_factory(config.model.name)
    ship_by_value(model_fn)
    return LearnerSpec(
        model=config.model.name,
        model_kwargs=fill_sizes(model_fn, config.model.kwargs, sizes),
        optimizer=OptimizerSettings(
            name=learner.optimizer,
            lr=learner.lr,
            momentum=learner.momentum,
            weight_decay=learner.weight_decay,
        ),
        batch_size=learner.batch_size,
        proximal_mu=learner.proximal_mu,
        keep_optimizer_state=learner.keep_optimizer_state,
        model_fn=model_fn,
    )


def node_groups_of(dataset: FederatedDataset, num_nodes: int) -> list[int | None]:
    """Return each node's planted group, or None for every node without groups.

    Raises:
        DataError: the dataset plants more groups than there are nodes.
    """
    if dataset.groups == 0:
        return [None] * num_nodes
    try:
        return list(assign_groups(num_nodes, dataset.groups))
    except DataError as exc:
        raise DataError(f"data.groups: {exc}") from exc


def plan_attack(
    config: RunConfig, num_classes: int
) -> tuple[list[int], AttackSpec | None]:
    """Return the attacking node ids and what they do (none without ``attack``)."""
    if config.attack is None:
        return [], None
    settings = config.attack
    attackers = select_attackers(
        config.nodes.count, settings.nodes, settings.fraction, config.seed
    )
    spec = AttackSpec(
        kind=settings.kind,
        start_round=settings.start_round,
        scale=settings.scale,
        std=settings.std,
        value=settings.value,
        num_classes=num_classes,
    )

    return attackers, spec


def initial_parameters(
    config: RunConfig, learner_spec: LearnerSpec | None = None
) -> Parameters:
    """Build the learner once with a seed derived from the run seed.

    Without ``learner_spec`` the configured model is built with its kwargs
    as written (no sizes filled from a dataset).

    Args:
        kwargs: the model's kwargs; ``model.kwargs`` when not given.

    Raises:
        ConfigError: the model, its kwargs or the learner factory are invalid.
    """
    spec = learner_spec or LearnerSpec(
        model=config.model.name, model_kwargs=dict(config.model.kwargs)
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(derive_seed(config.seed, Stream.INIT))
        try:
            learner = spec.build()
        except TypeError as exc:
            raise ConfigError(
                f"learner.factory {config.learner.factory!r} rejected "
                f"{spec.learner_kwargs}: {exc}"
            ) from exc

    return learner.get_parameters()


def plan_placement(config: RunConfig) -> PlacementRequest:
    """Decide worker count and CPUs per worker from the config and the cluster.

    ``pooled`` uses one worker per CPU (at most one per node) unless
    ``resources.workers`` says otherwise; ``dedicated`` gives every node its
    own worker. CPUs are split uniformly over the workers.
    """
    resources = config.resources
    cluster_cpus = cluster_resources().get("CPU", 1.0)
    total_cpus = resources.cpus or cluster_cpus

    if resources.hosting == "dedicated":
        workers = config.nodes.count
    elif resources.workers == "auto":
        workers = max(1, min(config.nodes.count, math.floor(total_cpus)))
    else:
        workers = resources.workers

    overrides = {}
    for node, wanted in resources.per_node.items():
        own: dict[str, float] = dict(wanted.custom)
        if wanted.cpus is not None:
            own["CPU"] = wanted.cpus
        if wanted.gpus is not None:
            own["GPU"] = wanted.gpus
        overrides[node] = own

    return PlacementRequest(
        bundles=workers,
        cpus_per_bundle=uniform_split(total_cpus, workers),
        strategy=resources.placement_strategy,
        timeout_s=resources.placement_timeout_s,
        start_timeout_s=resources.worker_start_timeout_s,
        gpus_per_bundle=resources.gpus / workers if resources.gpus else 0.0,
        custom=dict(resources.custom),
        overrides=overrides,
        torch_threads=None if resources.threads == "cpus" else resources.threads,
    )


def assign_hosts(specs: list[NodeSpec], workers: int) -> list[VirtualNode]:
    """Give node ``i`` to worker ``i % workers`` (sticky for the whole run)."""
    return [VirtualNode(spec, host=spec.node_id % workers) for spec in specs]
