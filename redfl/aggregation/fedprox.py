"""FedProx (Li et al. 2020): FedAvg on the server, a proximal term on nodes.

FedProx changes local training, not aggregation: each node minimises its
loss plus ``(mu / 2) * ||w - w_global||**2`` over the trainable parameters,
which keeps heterogeneous nodes close to the global model. ``mu`` is set in
the configuration as ``learner.proximal_mu``; the server combines updates
exactly as FedAvg. With ``proximal_mu: 0`` a run equals FedAvg bit for bit.
"""

from __future__ import annotations

from redfl.aggregation.fedavg import FedAvg


class FedProx(FedAvg):
    """Aggregate as FedAvg; the proximal term lives in `TorchLearner`."""

    name = "fedprox"
