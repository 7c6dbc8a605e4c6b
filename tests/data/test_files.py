"""Datasets read from IDX, CIFAR-10, NPZ and CSV files the tests write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from file_formats import (
    write_cifar_folder,
    write_csv,
    write_idx,
    write_mnist_folder,
    write_npz,
)

import redfl
from redfl.data import GroupPartitioner, load_dataset, read_idx
from redfl.errors import ConfigError, DataError
from redfl.federation.setup import prepare


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "raw"])
def test_idx_round_trip(tmp_path: Path, compress: bool) -> None:
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)

    read = read_idx(write_idx(tmp_path / "a-idx3-ubyte", array, compress))

    assert read.shape == (2, 3, 4)
    np.testing.assert_array_equal(read, array)


def test_idx_folder_loads_as_scaled_images(tmp_path: Path) -> None:
    folder = write_mnist_folder(tmp_path / "mnist", n_train=40, n_test=10)

    dataset = load_dataset("idx", path=str(folder))

    assert dataset.train.x.shape == (40, 1, 6, 6) and len(dataset.test) == 10
    assert dataset.train.x.dtype == np.float32
    assert dataset.train.x.min() >= 0.0 and dataset.train.x.max() <= 1.0
    assert dataset.num_classes == 10


def test_idx_without_test_files_holds_out_a_fraction(tmp_path: Path) -> None:
    folder = write_mnist_folder(tmp_path / "m", n_train=40, compress=False)
    for test_file in folder.glob("t10k-*"):
        test_file.unlink()

    dataset = load_dataset("idx", path=str(folder), test_fraction=0.25)

    assert (len(dataset.train), len(dataset.test)) == (30, 10)


def test_idx_garbage_names_the_file(tmp_path: Path) -> None:
    folder = write_mnist_folder(tmp_path / "m", compress=False)
    (folder / "train-images-idx3-ubyte").write_bytes(b"not an idx file")

    with pytest.raises(DataError, match="train-images-idx3-ubyte: not an IDX file"):
        load_dataset("idx", path=str(folder))


def test_idx_truncated_names_the_shape(tmp_path: Path) -> None:
    folder = write_mnist_folder(tmp_path / "m", compress=False)
    labels = folder / "train-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-3])

    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte: IDX shape \(40,\)"):
        load_dataset("idx", path=str(folder))


def test_cifar_batches_load_as_channel_first_images(tmp_path: Path) -> None:
    folder = write_cifar_folder(tmp_path / "cifar-10-batches-py", batches=2, rows=6)

    dataset = load_dataset("cifar10", path=str(tmp_path))

    assert dataset.train.x.shape == (12, 3, 32, 32) and len(dataset.test) == 6
    assert dataset.train.x.max() <= 1.0
    assert folder.name == "cifar-10-batches-py"


def test_cifar_batch_with_wrong_keys_names_the_file(tmp_path: Path) -> None:
    folder = write_cifar_folder(tmp_path, test=False)
    (folder / "data_batch_2").write_bytes(b"\x80\x04N.")

    with pytest.raises(DataError, match="data_batch_2: a CIFAR-10 batch needs"):
        load_dataset("cifar10", path=str(folder))


def test_npz_with_groups_gives_group_ids(tmp_path: Path) -> None:
    path = write_npz(tmp_path / "d.npz", rows=60, groups=3)

    dataset = load_dataset("npz", path=str(path), group_column="site", seed=1)

    assert len(dataset.train) == 48 and len(dataset.test) == 12
    assert dataset.group_names == ("site0", "site1", "site2")
    assert dataset.train_groups is not None
    assert set(dataset.train_groups.tolist()) == {0, 1, 2}
    assert dataset.num_classes == 2


def test_npz_missing_array_lists_what_is_there(tmp_path: Path) -> None:
    path = write_npz(tmp_path / "d.npz")

    with pytest.raises(DataError, match=r"missing array\(s\) \['label'\].*'site'"):
        load_dataset("npz", path=str(path), label_column="label")


def test_npz_uses_given_test_arrays(tmp_path: Path) -> None:
    x, y = np.ones((8, 2)), np.array([0, 1] * 4)
    np.savez(tmp_path / "t.npz", x=x, y=y, x_test=x[:3], y_test=y[:3])

    dataset = load_dataset("npz", path=str(tmp_path / "t.npz"))

    assert (len(dataset.train), len(dataset.test)) == (8, 3)


def test_csv_reads_features_labels_and_groups(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", rows=30, groups=3)

    dataset = load_dataset("csv", path=str(path), group_column="hospital")

    assert dataset.input_shape == (4,)
    assert len(dataset.train) + len(dataset.test) == 30
    assert dataset.group_names == ("h0", "h1", "h2")


def test_csv_bad_value_names_file_line_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", rows=5)
    lines = path.read_text().splitlines()
    lines[3] = "1,2,x3,4,0,h0"
    path.write_text("\n".join(lines))

    with pytest.raises(DataError, match=r"d.csv, line 4, column 'f2': not a number"):
        load_dataset("csv", path=str(path), group_column="hospital")


def test_csv_missing_label_column_shows_the_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv")

    with pytest.raises(DataError, match="no label column 'target'; the header has"):
        load_dataset("csv", path=str(path), label_column="target")


def test_group_partitioner_gives_each_group_to_one_node() -> None:
    groups = np.array([2, 0, 1, 0, 2, 1])

    parts = GroupPartitioner(groups).partition(
        np.zeros(6, dtype=np.int64), 3, np.random.default_rng(0)
    )

    assert [p.tolist() for p in parts] == [[1, 3], [2, 5], [0, 4]]


def test_group_count_must_match_nodes(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", rows=30, groups=3)
    config = redfl.load_config(
        {
            "nodes": {"count": 4},
            "data": {
                "dataset": "csv",
                "path": str(path),
                "group_column": "hospital",
                "partition": {"kind": "group"},
            },
        }
    )

    with pytest.raises(DataError, match=r"3 groups \['h0', 'h1', 'h2'\].*count=4"):
        prepare(config)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dataset": "npz"}, "data: Value error, dataset 'npz' reads a file"),
        ({"partition": {"kind": "group"}}, "needs data.group_column"),
        ({"label_column": "y"}, "label_column applies to the npz and csv"),
    ],
)
def test_file_options_are_checked_up_front(data, message) -> None:
    with pytest.raises(ConfigError, match=message.split("Value error, ")[-1]):
        redfl.load_config({"data": data})


def test_model_sizes_follow_the_dataset(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", rows=30)
    config = redfl.load_config(
        {
            "nodes": {"count": 2},
            "data": {"dataset": "csv", "path": str(path), "group_column": "hospital"},
        }
    )

    prepared = prepare(config)

    assert prepared.learner_spec.model_kwargs == {"input_dim": 4, "num_classes": 2}
    assert prepared.initial_parameters["1.weight"].shape == (64, 4)


def test_cnn_sizes_follow_image_files(tmp_path: Path) -> None:
    folder = write_mnist_folder(tmp_path / "m", n_train=40)
    config = redfl.load_config(
        {
            "nodes": {"count": 2},
            "data": {
                "dataset": "idx",
                "path": str(folder),
                "partition": {"kind": "iid"},
            },
            "model": {"name": "cnn", "kwargs": {}},
        }
    )

    spec = prepare(config).learner_spec

    assert spec.model_kwargs == {"in_channels": 1, "num_classes": 10, "image_size": 6}
