"""Every validation fault of a topology gives an error naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redfl.errors import TopologyError
from redfl.topology import from_adjacency, load_custom, mesh, ring, star_topology
from redfl.topology.generators import line

RING4 = np.array(
    [[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]], dtype=np.float64
)


def with_entry(row: int, col: int, value: float) -> np.ndarray:
    matrix = RING4.copy()
    matrix[row, col] = value
    return matrix


@pytest.mark.parametrize(
    ("matrix", "count", "pattern"),
    [
        pytest.param(np.ones((2, 3)), None, r"square, got shape \(2, 3\)", id="shape"),
        pytest.param(np.ones(4), None, r"square, got shape \(4,\)", id="vector"),
        pytest.param(
            with_entry(2, 2, 1), None, r"self-loop at node\(s\) \[2\]", id="loop"
        ),
        pytest.param(
            with_entry(0, 2, 1),
            None,
            r"entry \(0, 2\) is 1 but \(2, 0\) is 0",
            id="asymmetric",
        ),
        pytest.param(
            with_entry(1, 3, -0.5),
            None,
            r"negative weight -0.5 at row 1, column 3",
            id="negative",
        ),
        pytest.param(
            with_entry(3, 0, np.nan), None, r"row 3, column 0 is nan", id="nan"
        ),
        pytest.param(RING4, 5, r"4 row\(s\) but nodes.count=5", id="count"),
        pytest.param(
            np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 2], [0, 0, 2, 0]]),
            None,
            r"disconnected; components: \[\[0, 1\], \[2, 3\]\]",
            id="disconnected",
        ),
        pytest.param([["a", "b"], ["c", "d"]], None, r"not numeric", id="text"),
    ],
)
def test_fault_gives_named_error(
    matrix: np.ndarray, count: int | None, pattern: str
) -> None:
    with pytest.raises(TopologyError, match=pattern):
        from_adjacency(matrix, num_nodes=count)


def test_valid_weighted_matrix_keeps_weights() -> None:
    matrix = RING4 * 2.5

    topology = from_adjacency(matrix, num_nodes=4)

    assert topology.weight(0, 1) == 2.5
    assert topology.neighbors(0) == [1, 3]
    np.testing.assert_array_equal(topology.adjacency(), matrix)


@pytest.mark.parametrize(
    ("build", "edges"),
    [
        pytest.param(lambda: ring(2), 1, id="ring2"),
        pytest.param(lambda: mesh(2), 1, id="mesh2"),
        pytest.param(lambda: ring(1), 0, id="ring1"),
        pytest.param(lambda: mesh(1), 0, id="mesh1"),
        pytest.param(lambda: line(1), 0, id="line1"),
        pytest.param(lambda: star_topology(1), 0, id="star1"),
    ],
)
def test_degenerate_topologies_are_valid(build, edges: int) -> None:  # type: ignore[no-untyped-def]
    topology = build()

    assert topology.graph.number_of_edges() == edges
    assert topology.nodes == list(range(topology.num_nodes))


def test_csv_cell_that_is_not_a_number_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("0,1,1\n1,0,x\n1,1,0\n")

    with pytest.raises(TopologyError, match=r"row 1, column 2: 'x' is not a number"):
        load_custom(path, 3)


def test_csv_ragged_rows_are_not_square(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("0,1,1\n1,0\n1,1,0\n")

    with pytest.raises(TopologyError, match=r"row 1 has 2 column\(s\)"):
        load_custom(path, 3)


def test_csv_asymmetric_names_the_pair(tmp_path: Path) -> None:
    path = tmp_path / "asym.csv"
    path.write_text("0,1,1\n1,0,1\n0,1,0\n")

    with pytest.raises(TopologyError, match=r"entry \(0, 2\) is 1 but \(2, 0\) is 0"):
        load_custom(path, 3)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TopologyError, match="topology file not found"):
        load_custom(tmp_path / "none.csv", 3)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        pytest.param("0 1\n1 1\n", r"line 2: self-loop at node 1", id="loop"),
        pytest.param("0 1\n1 7\n", r"line 2: node 7 is outside 0..2", id="range"),
        pytest.param("0 1 -2\n", r"line 1: negative weight -2", id="negative"),
        pytest.param("0 1 1\n1 0 3\n", r"line 2: link \(1, 0\) listed again", id="dup"),
        pytest.param("0 1 2 3\n", r"line 1: expected 'src dst \[weight\]'", id="wide"),
        pytest.param("0 1\n", r"components: \[\[0, 1\], \[2\]\]", id="isolated"),
    ],
)
def test_edge_list_fault_names_line(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "edges.txt"
    path.write_text(text)

    with pytest.raises(TopologyError, match=pattern):
        load_custom(path, 3)


def test_edge_list_with_comments_and_weights(tmp_path: Path) -> None:
    path = tmp_path / "edges.txt"
    path.write_text("# a triangle\n0 1 0.5\n1, 2\n2 0 2  # heavy\n1 0 0.5\n")

    topology = load_custom(path, 3)

    assert topology.weight(0, 1) == 0.5
    assert topology.weight(1, 2) == 1.0
    assert topology.weight(0, 2) == 2.0
