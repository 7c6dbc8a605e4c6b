"""The run configuration: pydantic models of the YAML file.

Unknown keys are errors, and every message names the dotted key and the bad
value, so ``redfl validate`` can point at the line to fix.
"""

from __future__ import annotations

import difflib
import math
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from redfl.data.planted import DEFAULT_GROUPS, PLANTED_DATASETS, check_groups
from redfl.data.synthetic import SyntheticOptions
from redfl.errors import ConfigError
from redfl.types import Role


class StrictModel(BaseModel):
    """A config section: unknown keys are rejected, values validated on set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IIDPartition(StrictModel):
    """Shuffle and split the training set into near-equal parts."""

    kind: Literal["iid"] = "iid"


class DirichletPartition(StrictModel):
    """Label skew: each class is spread over nodes by Dirichlet(alpha)."""

    kind: Literal["dirichlet"] = "dirichlet"
    alpha: float = Field(0.5, gt=0)
    min_size: int = Field(10, ge=0)
    max_retries: int = Field(100, ge=1)


class ShardPartition(StrictModel):
    """Pathological skew: each node holds ``labels_per_node`` label shards."""

    kind: Literal["shards"] = "shards"
    labels_per_node: int = Field(2, ge=1)


class GroupPartition(StrictModel):
    """Natural partitions: the rows of each group in ``data.group_column``
    go to one node (groups in sorted order); needs as many groups as nodes."""

    kind: Literal["group"] = "group"


def kind_reader(default: str | None) -> Callable[[Any], str | None]:
    """Return the discriminator of a union keyed by ``kind``.

    A mapping without ``kind`` takes ``default``; a kind that is not a
    string gives None, which pydantic reports with the union's own message.
    """

    def kind_of(value: Any) -> str | None:
        if isinstance(value, Mapping):
            kind = value.get("kind", default)
        else:
            kind = getattr(value, "kind", None)
        return kind if isinstance(kind, str) else None

    return kind_of


PartitionConfig = Annotated[
    Annotated[IIDPartition, Tag("iid")]
    | Annotated[DirichletPartition, Tag("dirichlet")]
    | Annotated[ShardPartition, Tag("shards")]
    | Annotated[GroupPartition, Tag("group")],
    Discriminator(
        kind_reader("dirichlet"),
        custom_error_type="partition_kind",
        custom_error_message=(
            "kind must be one of 'iid', 'dirichlet', 'shards', 'group'"
        ),
    ),
]


FILE_DATASETS = ("idx", "cifar10", "npz", "csv")


class DataConfig(StrictModel):
    """Which dataset, how it is split into train/test and over nodes.

    ``groups`` applies to the planted datasets only (``rotated_digits``,
    ``permuted_digits``; 4 when left out): node ``i`` of ``n`` joins group
    ``i * groups // n``.

    ``idx``, ``cifar10``, ``npz`` and ``csv`` read ``path`` (a folder for the
    first two, a file for the others); ``label_column`` and ``group_column``
    name a column (CSV) or an array (NPZ).
    """

    dataset: str = "digits"
    path: str | None = None
    label_column: str | None = None
    group_column: str | None = None
    test_fraction: float = Field(0.2, gt=0, lt=1)
    partition: PartitionConfig = Field(default_factory=DirichletPartition)
    groups: int | None = Field(None, ge=1)

    @field_validator("groups")
    @classmethod
    def _groups_fit_dataset(cls, groups: int | None, info: ValidationInfo) -> Any:
        dataset = info.data.get("dataset")
        if groups is None or not isinstance(dataset, str):
            return groups
        if dataset not in PLANTED_DATASETS:
            raise ValueError(
                f"only the planted datasets ({', '.join(PLANTED_DATASETS)}) "
                f"take groups, got dataset {dataset!r}"
            )
        problem = check_groups(dataset, groups)
        if problem is not None:
            raise ValueError(problem)
        return groups

    def planted_groups(self) -> int | None:
        """Return the number of planted groups, or None for other datasets."""
        if self.dataset not in PLANTED_DATASETS:
            return None
        return DEFAULT_GROUPS if self.groups is None else self.groups

    @model_validator(mode="after")
    def _file_options(self) -> DataConfig:
        if self.dataset in FILE_DATASETS and not self.path:
            raise ValueError(f"dataset {self.dataset!r} reads a file: set data.path")
        tabular = self.dataset in ("npz", "csv")
        for key in ("label_column", "group_column"):
            if getattr(self, key) is not None and not tabular:
                raise ValueError(
                    f"{key} applies to the npz and csv datasets, not {self.dataset!r}"
                )
        if self.partition.kind == "group" and self.group_column is None:
            raise ValueError("partition kind 'group' needs data.group_column")
        return self

    synthetic: SyntheticOptions = Field(default_factory=SyntheticOptions)


class NodesConfig(StrictModel):
    """How many participants and what they do."""

    count: int = Field(10, ge=1)
    roles: list[Role] = Field(default_factory=lambda: [Role.TRAIN, Role.EVAL])

    @model_validator(mode="after")
    def _roles_not_empty(self) -> NodesConfig:
        if not self.roles:
            raise ValueError("roles must name at least one of train, eval, test")
        return self


class ModelConfig(StrictModel):
    """A model by registered name or import path ``package.module:factory``.

    ``kwargs`` go to the factory as they are; the built-in ``mlp`` has one
    hidden layer of 64 units unless ``hidden`` says otherwise.
    """

    name: str = "mlp"
    kwargs: dict[str, Any] = Field(default_factory=dict)


class LearnerConfig(StrictModel):
    """Local training on each node.

    ``factory`` (``package.module:callable``) builds a user `Learner` from
    ``options`` instead of the built-in PyTorch learner; ``local_epochs``
    still applies, the optimizer keys and ``model`` then do not.
    """

    local_epochs: int = Field(5, ge=1)
    batch_size: int = Field(16, ge=1)
    optimizer: Literal["sgd", "adam"] = "sgd"
    lr: float = Field(0.1, gt=0)
    momentum: float = Field(0.0, ge=0, lt=1)
    weight_decay: float = Field(0.0, ge=0)
    proximal_mu: float = Field(0.0, ge=0)
    factory: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    keep_optimizer_state: bool = False

    @model_validator(mode="after")
    def _options_need_a_factory(self) -> LearnerConfig:
        if self.options and self.factory is None:
            raise ValueError(
                f"options {sorted(self.options)} go to a user learner, but "
                "learner.factory is not set (the built-in learner takes lr, "
                "momentum, batch_size, ... directly under learner)"
            )
        return self


class StrategyConfig(StrictModel):
    """The aggregation strategy and its options."""

    name: str = "fedavg"
    options: dict[str, Any] = Field(default_factory=dict)


class AttackConfig(StrictModel):
    """Byzantine nodes: who attacks, from which round, and how."""

    kind: Literal["sign_flip", "scale", "gaussian", "label_flip", "same_value"]
    nodes: list[int] | None = None
    fraction: float | None = Field(None, gt=0, le=1)
    start_round: int = Field(1, ge=1)
    scale: float = 10.0
    std: float = Field(1.0, ge=0)
    value: float = 100.0

    @model_validator(mode="after")
    def _one_selection(self) -> AttackConfig:
        if (self.nodes is None) == (self.fraction is None):
            raise ValueError("give exactly one of nodes (a list of ids) or fraction")
        if self.nodes is not None and len(set(self.nodes)) != len(self.nodes):
            raise ValueError(f"nodes lists an id twice: {self.nodes}")
        return self


class SamplingConfig(StrictModel):
    """Which training nodes work in a round (seeded by run seed and round)."""

    fraction_fit: float = Field(1.0, gt=0, le=1)
    min_fit_nodes: int = Field(1, ge=1)
    min_fit_fraction: float = Field(0.0, ge=0, le=1)

    def required_results(self, sampled: int) -> int:
        """Return how many usable results a round of ``sampled`` nodes needs.

        The larger of ``min_fit_nodes`` and ``ceil(min_fit_fraction *
        sampled)``, and never more than were sampled.
        """
        by_fraction = math.ceil(self.min_fit_fraction * sampled - 1e-9)
        return min(sampled, max(self.min_fit_nodes, by_fraction))


class StarTopology(StrictModel):
    """A hub linked to every other node (the client-server schema's shape)."""

    kind: Literal["star"] = "star"


class RingTopology(StrictModel):
    """Each node linked to the next, the last to the first."""

    kind: Literal["ring"] = "ring"


class LineTopology(StrictModel):
    """A path: a ring without its closing link."""

    kind: Literal["line"] = "line"


class MeshTopology(StrictModel):
    """The complete graph."""

    kind: Literal["mesh"] = "mesh"


class KRegularTopology(StrictModel):
    """A connected random graph with ``k`` links per node."""

    kind: Literal["k_regular"] = "k_regular"
    k: int = Field(4, ge=1)
    seed: int | None = Field(None, ge=0)
    max_attempts: int = Field(100, ge=1)


class ErdosRenyiTopology(StrictModel):
    """A connected G(n, p) graph, drawn again while disconnected."""

    kind: Literal["erdos_renyi"] = "erdos_renyi"
    p: float = Field(0.3, gt=0, le=1)
    seed: int | None = Field(None, ge=0)
    max_attempts: int = Field(100, ge=1)


class SmallWorldTopology(StrictModel):
    """A connected Watts-Strogatz graph: ring lattice of degree k, rewired."""

    kind: Literal["small_world"] = "small_world"
    k: int = Field(4, ge=2)
    beta: float = Field(0.1, ge=0, le=1)
    seed: int | None = Field(None, ge=0)
    max_attempts: int = Field(100, ge=1)


class CustomTopology(StrictModel):
    """A CSV adjacency matrix (``.csv``) or an edge list (other suffixes)."""

    kind: Literal["custom"] = "custom"
    path: str


TopologyConfig = Annotated[
    Annotated[StarTopology, Tag("star")]
    | Annotated[RingTopology, Tag("ring")]
    | Annotated[LineTopology, Tag("line")]
    | Annotated[MeshTopology, Tag("mesh")]
    | Annotated[KRegularTopology, Tag("k_regular")]
    | Annotated[ErdosRenyiTopology, Tag("erdos_renyi")]
    | Annotated[SmallWorldTopology, Tag("small_world")]
    | Annotated[CustomTopology, Tag("custom")],
    Discriminator(
        kind_reader(None),
        custom_error_type="topology_kind",
        custom_error_message=(
            "kind must be one of 'star', 'ring', 'line', 'mesh', 'k_regular', "
            "'erdos_renyi', 'small_world', 'custom' (set topology.kind)"
        ),
    ),
]
"""Who may talk to whom; ``seed`` (random kinds) defaults to one derived
from the run seed. The client-server schema needs a star."""


class GossipConfig(StrictModel):
    """How the decentralized schema mixes neighbours' parameters."""

    mixing: Literal["metropolis_hastings", "uniform", "matrix"] = "metropolis_hastings"
    matrix_path: str | None = None
    steps: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _matrix_given(self) -> GossipConfig:
        if self.mixing == "matrix" and not self.matrix_path:
            raise ValueError("mixing 'matrix' needs gossip.matrix_path (a CSV file)")
        return self


class NodeResources(StrictModel):
    """What one node's own worker reserves (``hosting: dedicated`` only)."""

    cpus: float | None = Field(None, gt=0)
    gpus: float | None = Field(None, ge=0)
    custom: dict[str, float] = Field(default_factory=dict)


class ClusteringConfig(StrictModel):
    """How the clustered schema groups nodes and how many models it keeps.

    ``k`` is the number of cluster models for ``ifca`` and ``data_driven``,
    and the most clusters ``cfl`` may split into. ``cfl`` splits a cluster
    when its mean update norm is below ``eps1`` while some node's update norm
    exceeds ``eps2``. ``ifca`` starts from K models seeded by ``init_seed``
    (derived from the run seed when left out) with ``init: random``, or with
    ``init: farthest`` from the shared initial model trained on K nodes
    picked farthest-first: a seeded first node, then each time the node
    whose best loss under the models so far is highest.
    """

    algorithm: Literal["ifca", "cfl", "data_driven"] = "ifca"
    k: int = Field(2, ge=1)
    init: Literal["farthest", "random"] = "farthest"
    eps1: float = Field(0.3, gt=0)
    eps2: float = Field(0.4, gt=0)
    init_seed: int | None = Field(None, ge=0)


class ResourcesConfig(StrictModel):
    """How nodes are hosted on Ray actors and what each actor reserves.

    ``cpus`` and ``gpus`` are totals split uniformly over the workers;
    ``custom`` Ray resources (a site label, say) are reserved by every
    worker; ``per_node`` gives single nodes their own amounts.

    ``threads`` is the number of torch threads each worker computes with.
    Floating-point sums depend on how many threads split them, so results
    are bit-identical across pool sizes only at a fixed thread count: the
    default 1 keeps them so; ``cpus`` uses every CPU of the worker's bundle
    (faster for large models, results then depend on the CPUs per worker).

    ``state_memory_mb`` caps the memory the driver gives to nodes' learner
    states between rounds; past it the least recently used go to disk in
    the run folder (``node_states/``, removed when the run ends). None keeps
    them all in memory.
    """

    hosting: Literal["pooled", "dedicated"] = "pooled"
    workers: int | Literal["auto"] = "auto"
    cpus: float | None = Field(None, gt=0)
    gpus: float = Field(0.0, ge=0)
    custom: dict[str, float] = Field(default_factory=dict)
    per_node: dict[int, NodeResources] = Field(default_factory=dict)
    split: Literal["uniform"] = "uniform"
    placement_strategy: Literal["PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD"] = (
        "PACK"
    )
    placement_timeout_s: float = Field(30.0, gt=0)
    worker_start_timeout_s: float = Field(120.0, gt=0)
    max_nodes_per_worker: int = Field(1000, ge=1)
    threads: int | Literal["cpus"] = 1
    state_memory_mb: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _workers_positive(self) -> ResourcesConfig:
        if isinstance(self.workers, int) and self.workers < 1:
            raise ValueError(f"workers must be >= 1 or 'auto', got {self.workers}")
        if isinstance(self.threads, int) and self.threads < 1:
            raise ValueError(f"threads must be >= 1 or 'cpus', got {self.threads}")
        if self.per_node and self.hosting != "dedicated":
            raise ValueError(
                "per_node resources need hosting: dedicated (a pooled worker "
                f"hosts several nodes); got hosting: {self.hosting}"
            )
        for name, amount in self.custom.items():
            if amount <= 0:
                raise ValueError(f"custom.{name} must be > 0, got {amount}")
        return self


class EvaluationConfig(StrictModel):
    """When the global model is evaluated."""

    every: int = Field(1, ge=1)
    federated: bool = True


class FaultConfig(StrictModel):
    """Make node ``node`` fail in round ``round`` (for tests and demos).

    ``raise`` throws in fit, ``nan`` returns NaN parameters, ``wrong_shape``
    returns a mis-shaped array, ``sleep`` waits ``seconds`` before training
    (past ``round_timeout_s`` to play a straggler), ``kill`` ends the worker
    process (every node hosted on that worker fails that round).
    """

    node: int = Field(ge=0)
    round: int = Field(ge=1)
    kind: Literal["raise", "nan", "wrong_shape", "sleep", "kill"]
    seconds: float = Field(0.0, ge=0)


class ChaosConfig(StrictModel):
    """Kill the workers of a seeded fraction of each round's nodes, through Ray.

    The workers are killed with ``ray.kill`` as the round starts, before its
    calls reach them: a real actor death, handled as any other. With
    ``pooled`` hosting a killed worker takes all the nodes it hosts down for
    that round; use ``hosting: dedicated`` to lose exactly the chosen nodes.
    """

    kill_fraction: float = Field(gt=0, lt=1)
    start_round: int = Field(1, ge=1)


class RayConfig(StrictModel):
    """Where Ray runs: a new local instance, or an existing cluster."""

    address: str | None = None
    num_cpus: int | None = Field(None, ge=1)
    runtime_env: dict[str, Any] = Field(default_factory=dict)
    """Passed to ``ray.init``: ``working_dir`` or ``py_modules`` bring the
    user's own model and learner modules to every worker."""
    ship_redfl: bool = True
    """With an ``address``, add Red's own package to ``py_modules`` so
    workers need not have it installed."""


class OutputConfig(StrictModel):
    """Where results go."""

    dir: str | None = None
    overwrite: bool = False
    """Write into a folder that already holds a run's results, replacing them."""
    plots: bool = True
    checkpoint: bool = True
    tensorboard: bool = False


class RunConfig(StrictModel):
    """A whole federation: participants, data, model, schema and resources."""

    name: str = "digits-fedavg"
    seed: int = Field(0, ge=0)
    rounds: int = Field(20, ge=1)
    schema_: Literal["client_server", "decentralized", "clustered"] = Field(
        "client_server", alias="schema"
    )
    round_timeout_s: float | None = Field(None, gt=0)
    data: DataConfig = Field(default_factory=DataConfig)
    nodes: NodesConfig = Field(default_factory=NodesConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    learner: LearnerConfig = Field(default_factory=LearnerConfig)
    strategy: StrategyConfig = Field(default_factory=StrategyConfig)
    sampling: SamplingConfig = Field(default_factory=SamplingConfig)
    topology: TopologyConfig = Field(default_factory=StarTopology)
    gossip: GossipConfig = Field(default_factory=GossipConfig)
    clustering: ClusteringConfig = Field(default_factory=ClusteringConfig)
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    faults: list[FaultConfig] = Field(default_factory=list)
    chaos: ChaosConfig | None = None
    ray: RayConfig = Field(default_factory=RayConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    attack: AttackConfig | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _gossip_nodes_test_by_default(self) -> RunConfig:
        """Let gossip nodes test their own models unless roles are given.

        A decentralized run has no global model for ``eval`` nodes to
        evaluate; its accuracy is each ``test`` node's own model's.
        """
        if (
            self.schema_ == "decentralized"
            and "roles" not in self.nodes.model_fields_set
        ):
            self.nodes.roles = [Role.TRAIN, Role.TEST]
        return self

    @model_validator(mode="after")
    def _check_counts(self) -> RunConfig:
        trainers = self.nodes.count if Role.TRAIN in self.nodes.roles else 0
        if trainers == 0:
            raise ValueError(f"nodes.roles: the {self.schema_} schema needs 'train'")
        if self.schema_ != "decentralized" and self.topology.kind != "star":
            raise ValueError(
                f"topology.kind: the {self.schema_} schema needs 'star', got "
                f"{self.topology.kind!r}; use schema: decentralized"
            )
        if self.sampling.min_fit_nodes > trainers:
            raise ValueError(
                f"sampling.min_fit_nodes={self.sampling.min_fit_nodes} exceeds the "
                f"{trainers} training nodes (nodes.count={self.nodes.count}); "
                "no round could ever complete"
            )
        for node in self.resources.per_node:
            if not 0 <= node < self.nodes.count:
                raise ValueError(
                    f"resources.per_node.{node}: no such node "
                    f"(nodes.count={self.nodes.count})"
                )
        groups = self.data.planted_groups()
        if groups is not None and groups > self.nodes.count:
            raise ValueError(
                f"data.groups={groups} exceeds nodes.count={self.nodes.count}; "
                "a planted group would have no node"
            )
        k = self.clustering.k
        if self.schema_ == "clustered" and k > self.nodes.count:
            raise ValueError(
                f"clustering.k={k} exceeds nodes.count={self.nodes.count}; "
                "a cluster could never hold a node"
            )
        for index, fault in enumerate(self.faults):
            if fault.node >= self.nodes.count:
                raise ValueError(
                    f"faults.{index}.node={fault.node}: no such node "
                    f"(nodes.count={self.nodes.count})"
                )
        workers = self.resources.workers
        if self.resources.hosting == "dedicated" and isinstance(workers, int):
            raise ValueError(
                "resources.workers: dedicated hosting gives every node its own "
                f"worker; remove workers={workers} or use hosting: pooled"
            )
        if isinstance(workers, int) and workers > self.nodes.count:
            raise ValueError(
                f"resources.workers={workers} exceeds nodes.count="
                f"{self.nodes.count}; a worker would host no node"
            )
        return self

    @model_validator(mode="after")
    def _check_strategy_and_attack(self) -> RunConfig:
        from redfl.aggregation import check_strategy

        check_strategy(self.strategy.name, self.strategy.options, self.sampled_count())
        attackers = self.attack.nodes if self.attack is not None else None
        bad = [n for n in attackers or [] if not 0 <= n < self.nodes.count]
        if bad:
            raise ValueError(
                f"attack.nodes: ids {bad} are not in 0..{self.nodes.count - 1} "
                f"(nodes.count={self.nodes.count})"
            )
        return self

    def sampled_count(self) -> int:
        """Return how many training nodes each round samples."""
        trainers = self.nodes.count if Role.TRAIN in self.nodes.roles else 0
        wanted = math.ceil(self.sampling.fraction_fit * trainers)

        return min(trainers, max(self.sampling.min_fit_nodes, wanted))

    def to_dict(self) -> dict[str, Any]:
        """Return the resolved configuration as plain YAML-ready data."""
        return self.model_dump(mode="json", by_alias=True)


def format_validation_error(error: ValidationError, data: Any) -> str:
    """Turn pydantic's report into lines of ``key: problem (got value)``."""
    lines = []
    for item in error.errors():
        path = [str(p) for p in item["loc"] if not _is_union_tag(p)]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(item["loc"])
        if not path:
            lines.append(message)
            continue
        got = _lookup(data, item["loc"])
        suffix = "" if got is _MISSING else f" (got {got!r})"
        lines.append(f"{'.'.join(path)}: {message}{suffix}")

    return "\n".join(lines)


_MISSING = object()


def _suggestion(loc: Sequence[Any]) -> str:
    """Return `` (did you mean 'x'?)`` for an unknown key close to a known one."""
    model = _model_at(loc[:-1])
    if model is None or not isinstance(loc[-1], str):
        return ""
    known = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)

    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """Return the configuration model that holds the keys at ``loc``."""
    model: type[BaseModel] = RunConfig
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            continue
        field = next(
            (f for n, f in model.model_fields.items() if part in (n, f.alias)), None
        )
        if field is None:
            return None
        members = _models_in(field.annotation)
        if len(members) > 1 and parts:
            tag = parts.pop(0)
            members = [m for m in members if _kind_default(m) == tag]
        if len(members) != 1:
            return None
        model = members[0]

    return model


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Return the configuration models an annotation admits, in order."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]

    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _kind_default(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("kind")
    return None if field is None else field.default


def _is_union_tag(part: Any) -> bool:
    return part in ("iid", "dirichlet", "shards", "group", *TOPOLOGY_KINDS)


TOPOLOGY_KINDS = (
    "star",
    "ring",
    "line",
    "mesh",
    "k_regular",
    "erdos_renyi",
    "small_world",
    "custom",
)


def _lookup(data: Any, loc: Sequence[Any]) -> Any:
    node = data
    for part in loc:
        if _is_union_tag(part):
            continue
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return _MISSING
    return node


def parse_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """Parse ``key.sub=value`` strings into a nested dict (values as YAML).

    Raises:
        ConfigError: a pair has no ``=`` or an empty key.
    """
    nested: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, got {pair!r}")
        parts = key.strip().split(".")
        target = nested
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {key}: {part!r} is already set to a value")
            target = child
        target[parts[-1]] = yaml.safe_load(raw) if raw.strip() else ""

    return nested


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``overrides`` merged in, nested dicts key by key.

    An empty mapping replaces what it overrides (``--set model.kwargs={}``
    clears the kwargs), since merging nothing in would change nothing.
    """
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping) and value:
            merged[key] = merge(current, value)
        else:
            merged[key] = value
    return merged


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path``.

    Raises:
        ConfigError: the file is missing, not YAML, or not a mapping.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file not found: {file}")
    try:
        data = yaml.safe_load(file.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the top level must be a mapping of keys")

    return data


FILE_KEYS = (("data", "path"), ("topology", "path"), ("gossip", "matrix_path"))
"""Keys that name files a run reads."""


def resolve_beside(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Return ``data`` with relative file keys found beside the config made absolute.

    A relative path is read from the working folder; when nothing is there
    but the file stands next to the YAML file, that one is meant (and the
    resolved configuration names it absolutely, so a resume from anywhere
    finds it).
    """
    resolved = dict(data)
    for section, key in FILE_KEYS:
        part = resolved.get(section)
        if not isinstance(part, Mapping):
            continue
        value = part.get(key)
        if not isinstance(value, str) or not value or Path(value).is_absolute():
            continue
        beside = folder / value
        if not Path(value).exists() and beside.exists():
            resolved[section] = {**part, key: str(beside.resolve())}

    return resolved


def load_config(
    source: RunConfig | Mapping[str, Any] | str | Path | None = None,
    overrides: Mapping[str, Any] | Sequence[str] = (),
) -> RunConfig:
    """Build a validated `RunConfig` from a file, a mapping or defaults.

    Args:
        source: a YAML path, a mapping, an existing config, or None for the
            built-in default federation.
        overrides: ``key.sub=value`` strings or a nested mapping, applied on
            top of ``source``.

    Raises:
        ConfigError: a key is unknown or a value invalid; the message names
            every offending key and value.
    """
    if isinstance(source, RunConfig):
        data = source.to_dict()
    elif isinstance(source, Mapping):
        data = dict(source)
    elif source is None:
        data = {}
    else:
        data = read_yaml(source)

    if not isinstance(overrides, Mapping):
        overrides = parse_overrides(list(overrides))
    data = merge(data, overrides)
    if isinstance(source, str | Path):
        data = resolve_beside(data, Path(source).resolve().parent)
        data.setdefault("name", Path(source).stem)

    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, data)) from exc
