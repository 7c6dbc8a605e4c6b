"""Clustering maths for the clustered schema: IFCA, CFL and label k-means.

Pure numpy (scikit-learn for the clustering steps), testable without Ray.
"""

from redfl.clustering.cfl import (
    UpdateNorms,
    bipartition,
    cosine_similarity,
    flat_update,
    should_split,
    update_norms,
)
from redfl.clustering.ifca import assign_by_loss, choose_cluster, cluster_members
from redfl.clustering.labels import cluster_by_labels, label_histograms, renumber

__all__ = [
    "UpdateNorms",
    "assign_by_loss",
    "bipartition",
    "choose_cluster",
    "cluster_by_labels",
    "cluster_members",
    "cosine_similarity",
    "flat_update",
    "label_histograms",
    "renumber",
    "should_split",
    "update_norms",
]
