from redfl.seeding import Stream, derive_rng, derive_seed


def test_same_keys_give_same_seed() -> None:
    assert derive_seed(3, Stream.FIT, 5, 2) == derive_seed(3, Stream.FIT, 5, 2)


def test_streams_rounds_nodes_and_run_seeds_differ() -> None:
    base = derive_seed(0, Stream.FIT, 1, 1)
    others = {
        derive_seed(0, Stream.SAMPLE, 1, 1),
        derive_seed(0, Stream.FIT, 2, 1),
        derive_seed(0, Stream.FIT, 1, 2),
        derive_seed(1, Stream.FIT, 1, 1),
    }

    assert base not in others
    assert len(others) == 4


def test_derived_rng_is_reproducible() -> None:
    a = derive_rng(7, Stream.PARTITION).integers(0, 1000, size=5)
    b = derive_rng(7, Stream.PARTITION).integers(0, 1000, size=5)

    assert (a == b).all()
