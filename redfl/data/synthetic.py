"""A generated classification dataset, as large as a federation needs.

Built with scikit-learn's ``make_classification`` from a seed derived from
the run seed, so it is the same on every run and needs no download.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from redfl.data.datasets import ArrayDataset, FederatedDataset
from redfl.errors import DataError
from redfl.seeding import Stream, derive_seed


class SyntheticOptions(BaseModel):
    """Size and shape of the generated dataset (``data.dataset: synthetic``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    samples: int = Field(10_000, ge=2)
    features: int = Field(20, ge=1)
    informative: int = Field(10, ge=1)
    classes: int = Field(10, ge=2)
    class_sep: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _fits(self) -> SyntheticOptions:
        if self.informative > self.features:
            raise ValueError(
                f"informative={self.informative} exceeds features={self.features}"
            )
        if self.classes > 2**self.informative:
            raise ValueError(
                f"classes={self.classes} needs informative >= "
                f"{int(np.ceil(np.log2(self.classes)))}, got {self.informative}"
            )
        return self


def load_synthetic_dataset(
    test_fraction: float = 0.2,
    seed: int = 0,
    options: SyntheticOptions | None = None,
) -> FederatedDataset:
    """Generate a classification dataset and split it into train and test.

    Features are float32, labels int64 in ``0 .. classes - 1``. The samples
    and the split are drawn from seeds derived from ``seed``.

    Raises:
        DataError: ``test_fraction`` is outside (0, 1) or leaves a split empty.
    """
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test_fraction must be in (0, 1), got {test_fraction}")
    settings = options or SyntheticOptions()
    test_size = round(settings.samples * test_fraction)
    if not 0 < test_size < settings.samples:
        raise DataError(
            f"test_fraction={test_fraction} of samples={settings.samples} leaves "
            "the train or the test split empty"
        )

    # scikit-learn is slow to import; only the driver needs it, and only here.
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=settings.samples,
        n_features=settings.features,
        n_informative=settings.informative,
        n_redundant=0,
        n_classes=settings.classes,
        class_sep=settings.class_sep,
        random_state=derive_seed(seed, Stream.DATA),
    )
    x, y = x.astype(np.float32), y.astype(np.int64)
    order = np.random.default_rng(derive_seed(seed, Stream.SPLIT)).permutation(len(y))
    test, train = order[:test_size], order[test_size:]

    return FederatedDataset(
        train=ArrayDataset(x[train], y[train]),
        test=ArrayDataset(x[test], y[test]),
        num_classes=settings.classes,
        name="synthetic",
    )
