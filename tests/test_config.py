import pytest

from redfl.config import RunConfig, load_config, parse_overrides
from redfl.errors import ConfigError


def test_defaults_describe_the_reference_federation() -> None:
    config = load_config()

    assert config.nodes.count == 10
    assert config.rounds == 20
    assert config.schema_ == "client_server"
    assert config.strategy.name == "fedavg"
    assert config.data.partition.kind == "dirichlet"
    assert config.data.partition.alpha == 0.5


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"rounds": 0}, "rounds: .*greater than or equal to 1.*got 0"),
        ({"nodes": {"count": 3, "bogus": 1}}, "nodes.bogus: unknown key"),
        ({"typo_key": 1}, "typo_key: unknown key"),
        ({"data": {"partition": {"kind": "iid", "alpha": 3}}}, "data.partition.alpha"),
        ({"data": {"partition": {"kind": "zipf"}}}, "data.partition: kind must be"),
        ({"data": {"partition": {"alpha": -1}}}, "alpha: .*greater than 0.*got -1"),
        ({"sampling": {"fraction_fit": 1.5}}, "fraction_fit.*got 1.5"),
        ({"sampling": {"min_fit_nodes": 11}}, "min_fit_nodes=11 exceeds the 10"),
        ({"resources": {"workers": 12}}, "workers=12 exceeds nodes.count=10"),
        ({"resources": {"workers": 0}}, "workers must be >= 1"),
        ({"resources": {"threads": 0}}, "threads must be >= 1 or 'cpus', got 0"),
        ({"schema": "gossip"}, "schema: .*got 'gossip'"),
        ({"nodes": {"roles": ["eval"]}}, "needs 'train'"),
    ],
)
def test_bad_values_name_key_and_value(data: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config(data)


def test_overrides_apply_nested_keys_with_yaml_types() -> None:
    config = load_config(None, ["rounds=3", "learner.lr=0.05", "nodes.roles=[train]"])

    assert config.rounds == 3
    assert config.learner.lr == 0.05
    assert config.nodes.roles == ["train"]


def test_override_of_partition_option_keeps_default_kind() -> None:
    config = load_config(None, ["data.partition.alpha=0.1"])

    assert config.data.partition.kind == "dirichlet"
    assert config.data.partition.alpha == 0.1


def test_override_without_equals_is_rejected() -> None:
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides(["rounds"])


def test_yaml_file_round_trips(tmp_path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("rounds: 4\nnodes:\n  count: 5\n")

    config = load_config(path)
    again = load_config(config.to_dict())

    assert config.rounds == 4 and config.nodes.count == 5
    assert again == config


def test_missing_and_malformed_files_are_config_errors(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rounds: [1, 2\n")
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")

    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="mapping"):
        load_config(listing)


def test_run_config_accepts_existing_config_object() -> None:
    base = RunConfig(rounds=2)

    assert load_config(base, ["seed=5"]).seed == 5


def test_relative_files_beside_the_config_are_found_from_any_folder(
    tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "ring4.csv").write_text("0,1,0,1\n1,0,1,0\n0,1,0,1\n1,0,1,0\n")
    (folder / "run.yaml").write_text(
        "schema: decentralized\nnodes: {count: 4}\n"
        "topology: {kind: custom, path: ring4.csv}\n"
    )
    monkeypatch.chdir(tmp_path)

    config = load_config(folder / "run.yaml")

    assert config.topology.path == str(folder / "ring4.csv")


def test_relative_files_in_the_working_folder_come_first(tmp_path, monkeypatch) -> None:
    (tmp_path / "sub").mkdir()
    for where in (tmp_path, tmp_path / "sub"):
        (where / "ring4.csv").write_text("0,1\n1,0\n")
    (tmp_path / "sub" / "run.yaml").write_text(
        "schema: decentralized\ntopology: {kind: custom, path: ring4.csv}\n"
    )
    monkeypatch.chdir(tmp_path)

    config = load_config(tmp_path / "sub" / "run.yaml", ["nodes.count=2"])

    assert config.topology.path == "ring4.csv"


def test_a_yaml_file_without_a_name_is_named_after_the_file(tmp_path) -> None:
    (tmp_path / "ring_small.yaml").write_text("rounds: 2\n")
    (tmp_path / "named.yaml").write_text("name: mine\n")

    assert load_config(tmp_path / "ring_small.yaml").name == "ring_small"
    assert load_config(tmp_path / "named.yaml").name == "mine"
    assert load_config(None).name == "digits-fedavg"


def test_gossip_nodes_test_their_own_models_unless_roles_are_given() -> None:
    default = load_config({"schema": "decentralized", "topology": {"kind": "ring"}})
    chosen = load_config(
        {
            "schema": "decentralized",
            "topology": {"kind": "ring"},
            "nodes": {"roles": ["train"]},
        }
    )

    assert [r.value for r in default.nodes.roles] == ["train", "test"]
    assert [r.value for r in chosen.nodes.roles] == ["train"]
    assert [r.value for r in load_config(None).nodes.roles] == ["train", "eval"]


@pytest.mark.parametrize(
    "overrides", [["topology.k=4"], ["schema=decentralized", "topology.kind=ringg"]]
)
def test_topology_without_a_known_kind_names_the_kinds(overrides) -> None:
    with pytest.raises(ConfigError, match=r"topology: kind must be one of 'star'"):
        load_config(None, overrides)


def test_an_empty_mapping_override_clears_the_section(tmp_path) -> None:
    (tmp_path / "run.yaml").write_text("model: {name: mlp, kwargs: {hidden: [8]}}\n")

    cleared = load_config(tmp_path / "run.yaml", ["model.kwargs={}"])
    merged = load_config(tmp_path / "run.yaml", ["model.kwargs.dropout=0.1"])

    assert cleared.model.kwargs == {}
    assert merged.model.kwargs == {"hidden": [8], "dropout": 0.1}


def test_learner_options_without_a_factory_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"learner: options \['foo'\] go to a user"):
        load_config(None, ["learner.options.foo=1"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("nodes.cout=3", "nodes.cout: unknown key (did you mean 'count'?)"),
        ("learnr.lr=0.1", "learnr: unknown key (did you mean 'learner'?)"),
        ("data.partition.alpah=0.3", "(did you mean 'alpha'?)"),
        ("schem=decentralized", "(did you mean 'schema'?)"),
        ("nodes.zzz=1", "nodes.zzz: unknown key (got 1)"),
    ],
)
def test_misspelt_key_suggests_the_closest_known_one(override, message) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, [override])

    assert message in str(caught.value)
