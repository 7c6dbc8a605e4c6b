"""`Parameters`: an ordered mapping of name to numpy array, dtypes kept."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.generic]


class Parameters(Mapping[str, Array]):
    """An ordered, read-only mapping of parameter name to numpy array.

    Order is the order of insertion (a model's ``state_dict`` order) and is
    part of equality. Arrays keep their dtype, integer buffers included.
    """

    __slots__ = ("_arrays",)

    def __init__(self, arrays: Mapping[str, Array] | Iterable[tuple[str, Array]]):
        items = arrays.items() if isinstance(arrays, Mapping) else arrays
        self._arrays: dict[str, Array] = {name: np.asarray(a) for name, a in items}

    def __getitem__(self, name: str) -> Array:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}: {v.dtype}{list(v.shape)}" for k, v in self.items())
        return f"Parameters({inner})"

    def __reduce__(self) -> tuple[type[Parameters], tuple[dict[str, Array]]]:
        return (Parameters, (self._arrays,))

    @property
    def nbytes(self) -> int:
        """Return the total size of the arrays in bytes."""
        return sum(int(a.nbytes) for a in self._arrays.values())

    def signature(self) -> dict[str, tuple[tuple[int, ...], str]]:
        """Return name -> (shape, dtype), the layout an update must match."""
        return {k: (tuple(v.shape), v.dtype.str) for k, v in self._arrays.items()}

    def equals(self, other: Parameters) -> bool:
        """Return True when names, order, dtypes and values all match exactly."""
        if list(self) != list(other):
            return False
        return all(
            self[k].dtype == other[k].dtype and np.array_equal(self[k], other[k])
            for k in self
        )

    def checksum(self) -> float:
        """Return the sum of absolute values over all arrays, as float64."""
        return float(sum(np.abs(a.astype(np.float64)).sum() for a in self.values()))

    def save(self, path: str | Path) -> None:
        """Write the arrays to an ``.npz`` file, keeping names and order."""
        np.savez(Path(path), **self._arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path) -> Parameters:
        """Read parameters written by `save`."""
        with np.load(Path(path)) as data:
            return cls((name, data[name]) for name in data.files)
