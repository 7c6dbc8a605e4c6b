"""Write small datasets in the file formats Red reads (for tests)."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> Path:
    """Write ``array`` (uint8) as an IDX file, gzip-compressed if asked."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def write_mnist_folder(
    folder: Path, n_train: int = 40, n_test: int = 10, compress: bool = True
) -> Path:
    """Write the four MNIST IDX files of random 6x6 images, labels 0-9."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if compress else ""
    for split, count in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(count, 6, 6), dtype=np.uint8)
        labels = np.arange(count, dtype=np.uint8) % 10
        write_idx(folder / f"{split}-images-idx3-ubyte{suffix}", images, compress)
        write_idx(folder / f"{split}-labels-idx1-ubyte{suffix}", labels, compress)
    return folder


def write_cifar_folder(
    folder: Path, batches: int = 2, rows: int = 6, test: bool = True
) -> Path:
    """Write CIFAR-10 python batches with ``rows`` random images each."""
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i + 1}" for i in range(batches)]
    for name in [*names, "test_batch"] if test else names:
        batch = {
            b"data": rng.integers(0, 256, size=(rows, 3072), dtype=np.uint8),
            b"labels": [int(v) for v in rng.integers(0, 10, size=rows)],
        }
        with open(folder / name, "wb") as handle:
            pickle.dump(batch, handle)
    return folder


def blobs(rows: int, features: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return two well-separated Gaussian classes: features and labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(rows) % 2
    x = rng.normal(size=(rows, features)) + 3.0 * y[:, None]
    return x.astype(np.float32), y.astype(np.int64)


def write_npz(path: Path, rows: int = 60, groups: int = 3) -> Path:
    """Write an NPZ with ``x``, ``y`` and a ``site`` array of ``groups`` names."""
    x, y = blobs(rows)
    site = np.asarray([f"site{i % groups}" for i in range(rows)])
    np.savez(path, x=x, y=y, site=site)
    return path


def write_csv(path: Path, rows: int = 30, groups: int = 3) -> Path:
    """Write a CSV with columns f0..f3, ``label`` and ``hospital``."""
    x, y = blobs(rows)
    lines = ["f0,f1,f2,f3,label,hospital"]
    for i in range(rows):
        values = ",".join(f"{v:.4f}" for v in x[i])
        lines.append(f"{values},{y[i]},h{i % groups}")
    path.write_text("\n".join(lines) + "\n")
    return path
