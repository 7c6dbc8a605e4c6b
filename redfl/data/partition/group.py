"""Natural partitioning: every group of rows belongs to one node."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from redfl.data.partition.base import (
    IndexArray,
    LabelArray,
    Partitioner,
    to_index_arrays,
    validate_request,
)
from redfl.errors import DataError


class GroupPartitioner(Partitioner):
    """Give node ``i`` the rows of group ``i`` (groups in sorted name order).

    The split is fixed by the data, so the generator is not used; the
    number of groups must equal the number of nodes.

    Args:
        groups: One group id per row, ids ``0 .. G-1``.
        group_names: Names of the ids, for error messages.
    """

    def __init__(
        self, groups: npt.ArrayLike, group_names: tuple[str, ...] = ()
    ) -> None:
        self.groups = np.asarray(groups, dtype=np.int64)
        self.group_names = group_names

    def partition(
        self, labels: LabelArray, num_nodes: int, rng: np.random.Generator
    ) -> list[IndexArray]:
        """Return the rows of each group, group ``i`` to node ``i``.

        Raises:
            DataError: the group ids do not align with the labels, or the
                number of groups differs from ``num_nodes``.
        """
        validate_request(labels, num_nodes)
        if self.groups.shape != labels.shape:
            raise DataError(
                f"group ids must give one group per row, got {self.groups.shape} "
                f"for {len(labels)} rows"
            )
        present = np.unique(self.groups)
        if len(present) != num_nodes:
            names = list(self.group_names) or present.tolist()
            shown = names if len(names) <= 8 else [*names[:8], "..."]
            raise DataError(
                f"the group column holds {len(present)} groups {shown} in the "
                f"training rows but nodes.count={num_nodes}; set nodes.count="
                f"{len(present)}"
            )

        return to_index_arrays([np.flatnonzero(self.groups == g) for g in present])
