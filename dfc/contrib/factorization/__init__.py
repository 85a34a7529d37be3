"""tf.contrib.factorization: TF1's k-means (KMeans, KMeansClustering) and Gaussian mixtures (GMM, gmm)."""

from .clustering_ops import (CLUSTERS_VAR_NAME, COSINE_DISTANCE, KMC2_INIT, KMEANS_PLUS_PLUS_INIT, RANDOM_INIT,
                             SQUARED_EUCLIDEAN_DISTANCE, KMeans, KMeansClustering)
from .gmm_ops import GMM, GmmAlgorithm, gmm

__all__ = ["KMeans", "KMeansClustering", "GMM", "GmmAlgorithm", "gmm", "SQUARED_EUCLIDEAN_DISTANCE",
           "COSINE_DISTANCE", "RANDOM_INIT", "KMEANS_PLUS_PLUS_INIT", "KMC2_INIT", "CLUSTERS_VAR_NAME"]
