"""Image datasets from files a user already has: MNIST-style IDX, CIFAR-10.

Nothing is downloaded. Pixels are scaled to [0, 1] as float32 and images
keep their channel axis: IDX images become (N, 1, H, W), CIFAR-10 images
(N, 3, 32, 32). Labels are int64.
"""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from redfl.data.datasets import ArrayDataset, FederatedDataset
from redfl.data.split import holdout_split
from redfl.errors import DataError

IDX_DTYPES: dict[int, type[np.generic]] = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.int16,
    0x0C: np.int32,
    0x0D: np.float32,
    0x0E: np.float64,
}
"""IDX type codes and the numpy types they name (stored big-endian)."""


def read_idx(path: str | Path) -> npt.NDArray[Any]:
    """Read one IDX file, raw or gzip-compressed, into a numpy array.

    Raises:
        DataError: the file is missing, truncated or not in IDX format; the
            message names the file.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"IDX file not found: {file}")
    raw = file.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)

    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise DataError(
            f"{file}: not an IDX file (expected magic 00 00 <type> <ndim>, "
            f"got {raw[:4].hex(' ') or 'an empty file'})"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{file}: IDX header truncated ({len(raw)} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">u4"))

    dtype = np.dtype(IDX_DTYPES[raw[2]]).newbyteorder(">")
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(
            f"{file}: IDX shape {shape} needs {expected} data bytes, "
            f"found {len(raw) - header}"
        )

    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def _find(folder: Path, prefix: str) -> Path | None:
    """Return the file in ``folder`` whose name starts with ``prefix``."""
    matches = sorted(p for p in folder.glob(f"{prefix}*") if p.is_file())
    return matches[0] if matches else None


def _idx_pair(folder: Path, split: str) -> ArrayDataset | None:
    """Read ``<split>-images*`` and ``<split>-labels*``; None if both absent."""
    images, labels = _find(folder, f"{split}-images"), _find(folder, f"{split}-labels")
    if images is None and labels is None:
        return None
    if images is None or labels is None:
        missing = f"{split}-images" if images is None else f"{split}-labels"
        raise DataError(
            f"{folder}: found one half of the {split} set; {missing}* is missing"
        )

    x, y = read_idx(images), read_idx(labels)
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
        raise DataError(
            f"{images.name} and {labels.name}: expected images (N, H, W) and "
            f"labels (N,), got shapes {x.shape} and {y.shape}"
        )
    pixels = (x.astype(np.float32) / 255.0)[:, None, :, :]

    return ArrayDataset(pixels, y.astype(np.int64))


def load_idx_dataset(
    path: str, test_fraction: float = 0.2, seed: int = 0
) -> FederatedDataset:
    """Load MNIST or Fashion-MNIST from a folder of IDX files.

    The folder holds ``train-images-idx3-ubyte`` and
    ``train-labels-idx1-ubyte`` (each may end in ``.gz``), and optionally
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``. Without the
    ``t10k`` pair a seeded ``test_fraction`` of the training files is held out.

    Raises:
        DataError: the folder or a file is missing or malformed.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"data.path: IDX folder not found: {folder}")
    train = _idx_pair(folder, "train")
    if train is None:
        raise DataError(f"{folder}: no train-images* and train-labels* IDX files")
    test = _idx_pair(folder, "t10k")
    if test is None:
        train, test = holdout_split(train, test_fraction, seed)

    num_classes = int(max(train.y.max(initial=0), test.y.max(initial=0))) + 1
    return FederatedDataset(train, test, num_classes=num_classes, name="idx")


def _read_cifar_batch(file: Path) -> ArrayDataset:
    """Read one pickled CIFAR-10 batch into images (N, 3, 32, 32) and labels."""
    try:
        with open(file, "rb") as handle:
            batch = pickle.load(handle, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError) as exc:
        raise DataError(f"{file}: not a pickled CIFAR-10 batch: {exc}") from exc
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DataError(
            f"{file}: a CIFAR-10 batch needs the keys b'data' and b'labels'"
        )

    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise DataError(
            f"{file}: expected data (N, 3072) and N labels, got data "
            f"{data.shape} and {len(labels)} labels"
        )
    images = data.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0

    return ArrayDataset(images, labels)


def _concat(parts: list[ArrayDataset]) -> ArrayDataset:
    return ArrayDataset(
        np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts])
    )


def load_cifar10_dataset(
    path: str, test_fraction: float = 0.2, seed: int = 0
) -> FederatedDataset:
    """Load CIFAR-10 from its python batches (``data_batch_*``, ``test_batch``).

    ``path`` is the ``cifar-10-batches-py`` folder or a folder holding it.
    Any number of ``data_batch_*`` files is accepted; without ``test_batch``
    a seeded ``test_fraction`` of the training rows is held out. The batches
    are pickles: load only files you trust.

    Raises:
        DataError: the folder, the batches or their contents are wrong.
    """
    folder = Path(path)
    if (folder / "cifar-10-batches-py").is_dir():
        folder = folder / "cifar-10-batches-py"
    if not folder.is_dir():
        raise DataError(f"data.path: CIFAR-10 folder not found: {folder}")
    batches = sorted(folder.glob("data_batch_*"))
    if not batches:
        raise DataError(f"{folder}: no data_batch_* files (CIFAR-10 python batches)")

    train = _concat([_read_cifar_batch(b) for b in batches])
    if (folder / "test_batch").is_file():
        test = _read_cifar_batch(folder / "test_batch")
    else:
        train, test = holdout_split(train, test_fraction, seed)

    return FederatedDataset(train, test, num_classes=10, name="cifar10")
