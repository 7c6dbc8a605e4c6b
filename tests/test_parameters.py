import pickle

import numpy as np

from redfl.parameters import Parameters


def make() -> Parameters:
    return Parameters(
        [
            ("w", np.arange(6, dtype=np.float32).reshape(2, 3)),
            ("count", np.array(7, dtype=np.int64)),
        ]
    )


def test_parameters_keep_order_and_dtypes() -> None:
    params = make()

    assert list(params) == ["w", "count"]
    assert params["w"].dtype == np.float32
    assert params["count"].dtype == np.int64
    assert params.nbytes == 6 * 4 + 8


def test_parameters_save_load_round_trip(tmp_path) -> None:
    params = make()

    params.save(tmp_path / "model.npz")
    loaded = Parameters.load(tmp_path / "model.npz")

    assert loaded.equals(params)
    assert loaded["count"].dtype == np.int64


def test_parameters_survive_pickling() -> None:
    params = make()

    assert pickle.loads(pickle.dumps(params)).equals(params)


def test_equals_detects_value_dtype_and_order_changes() -> None:
    params = make()
    other_value = Parameters({"w": params["w"] + 1, "count": params["count"]})
    other_dtype = Parameters(
        {"w": params["w"].astype(np.float64), "count": params["count"]}
    )
    other_order = Parameters({"count": params["count"], "w": params["w"]})

    assert not params.equals(other_value)
    assert not params.equals(other_dtype)
    assert not params.equals(other_order)


def test_signature_lists_shapes_and_dtypes() -> None:
    assert make().signature() == {"w": ((2, 3), "<f4"), "count": ((), "<i8")}
