"""Turn a `RunConfig` into the pieces a federation runs: data, nodes, learner.

Everything here happens in the driver before Ray starts, so a bad request
(an infeasible partition, an unknown model) fails before any work.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ray
import torch

from redfl.config import RunConfig
from redfl.data.datasets import FederatedDataset, load_dataset
from redfl.data.partition import make_partitioner
from redfl.errors import DataError
from redfl.learners.factory import LearnerSpec
from redfl.learners.torch_learner import OptimizerSettings
from redfl.models.registry import build_model, resolve_model_factory
from redfl.nodes.attack import AttackSpec, select_attackers
from redfl.nodes.node import NodeSpec
from redfl.nodes.virtual import VirtualNode
from redfl.parameters import Parameters
from redfl.runtime.placement import PlacementRequest, uniform_split
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
        ConfigError: the model or a partition option is invalid.
    """
    seed = config.seed
    dataset = load_dataset(
        config.data.dataset,
        test_fraction=config.data.test_fraction,
        seed=seed,
        **config.data.loader_options(),
    )

    options = config.data.partition.model_dump(exclude={"kind"})
    partitioner = make_partitioner(config.data.partition.kind, **options)
    try:
        parts = partitioner.partition(
            dataset.train.y, config.nodes.count, derive_rng(seed, Stream.PARTITION)
        )
    except DataError as exc:
        raise DataError(f"data.partition: {exc}") from exc
    roles = frozenset(config.nodes.roles)
    attackers, attack = plan_attack(config, dataset.num_classes)
    specs = [
        NodeSpec(i, roles, part, attack if i in attackers else None)
        for i, part in enumerate(parts)
    ]

    kwargs = model_kwargs(config, dataset)
    learner_spec = LearnerSpec(
        model=config.model.name,
        model_kwargs=kwargs,
        optimizer=OptimizerSettings(
            name=config.learner.optimizer,
            lr=config.learner.lr,
            momentum=config.learner.momentum,
            weight_decay=config.learner.weight_decay,
        ),
        batch_size=config.learner.batch_size,
        proximal_mu=config.learner.proximal_mu,
        keep_optimizer_state=config.learner.keep_optimizer_state,
    )

    initial = initial_parameters(config, kwargs)

    return Prepared(dataset, learner_spec, initial, specs)


def model_kwargs(config: RunConfig, dataset: FederatedDataset) -> dict[str, Any]:
    """Return the model's kwargs, sized to the dataset where the user did not.

    A factory that takes ``input_dim`` or ``num_classes`` gets the dataset's
    flattened sample size and class count unless ``model.kwargs`` sets them.

    Raises:
        ConfigError: the model name or import path is invalid.
    """
    kwargs = dict(config.model.kwargs)
    accepted = inspect.signature(resolve_model_factory(config.model.name)).parameters
    sizes = {
        "input_dim": math.prod(dataset.input_shape),
        "num_classes": dataset.num_classes,
    }
    for name, value in sizes.items():
        if name in accepted and name not in kwargs:
            kwargs[name] = value

    return kwargs


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
    config: RunConfig, kwargs: Mapping[str, Any] | None = None
) -> Parameters:
    """Build the model once with a seed derived from the run seed.

    Args:
        kwargs: the model's kwargs; ``model.kwargs`` when not given.

    Raises:
        ConfigError: the model name, import path or kwargs are invalid.
    """
    from redfl.learners.torch_learner import state_dict_to_parameters

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(derive_seed(config.seed, Stream.INIT))
        model = build_model(
            config.model.name, config.model.kwargs if kwargs is None else kwargs
        )

    return state_dict_to_parameters(model)


def plan_placement(config: RunConfig) -> PlacementRequest:
    """Decide worker count and CPUs per worker from the config and the cluster.

    ``pooled`` uses one worker per CPU (at most one per node) unless
    ``resources.workers`` says otherwise; ``dedicated`` gives every node its
    own worker. CPUs are split uniformly over the workers.
    """
    resources = config.resources
    cluster_cpus = float(ray.cluster_resources().get("CPU", 1.0))
    total_cpus = resources.cpus or cluster_cpus

    if resources.hosting == "dedicated":
        workers = config.nodes.count
    elif resources.workers == "auto":
        workers = max(1, min(config.nodes.count, math.floor(total_cpus)))
    else:
        workers = resources.workers

    return PlacementRequest(
        bundles=workers,
        cpus_per_bundle=uniform_split(total_cpus, workers),
        strategy=resources.placement_strategy,
        timeout_s=resources.placement_timeout_s,
    )


def assign_hosts(specs: list[NodeSpec], workers: int) -> list[VirtualNode]:
    """Give node ``i`` to worker ``i % workers`` (sticky for the whole run)."""
    return [VirtualNode(spec, host=spec.node_id % workers) for spec in specs]
