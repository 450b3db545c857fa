"""Preprocessing: images to columns, and pixel scalings fitted on the training set.

Flattening puts each (height, width, 3) image in one column of X, in the
row-major order of ``images.reshape(m, -1).T``.

"255" divides by 255 — min-max *scaling* to [0, 1], not standardization.
"zscore" is standardization: per feature (x − mean) / std with mean and std
fitted on the training set only; a constant feature (std 0) is only centred.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .settings import SCALINGS

__all__ = ["SCALING_LABELS", "Scaler", "fit_scaler", "flatten", "unflatten"]

def flatten(images):
    """Turn a stack of images into a data matrix, one image per column.

    Parameters
    ----------
    images : ndarray of shape (m, height, width, channels)

    Returns
    -------
    X : ndarray of shape (height * width * channels, m), same dtype
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"expected images of shape (m, height, width, channels); got an array of shape {images.shape}"
        )
    return images.reshape(images.shape[0], -1).T


def unflatten(x, image_shape):
    """Inverse of :func:`flatten` for one column (e.g. the weights w).

    Parameters
    ----------
    x : ndarray of shape (height * width * channels,)
    image_shape : tuple of int (height, width, channels)

    Returns
    -------
    image : ndarray of shape image_shape
    """
    x = np.asarray(x).reshape(-1)
    if x.size != int(np.prod(image_shape)):
        raise ValueError(f"cannot reshape {x.size} values into an image of shape {tuple(image_shape)}")
    return x.reshape(tuple(image_shape))


SCALING_LABELS = {
    "none": "raw pixels (0–255)",
    "255": "pixels / 255",
    "zscore": "z-score (standardized)",
}


@dataclass(frozen=True, eq=False)
class Scaler:
    """A fitted scaling.

    Parameters
    ----------
    kind : {"none", "255", "zscore"}
    mean : ndarray of shape (n_features,) or None
        Per-feature training mean ("zscore" only).
    std : ndarray of shape (n_features,) or None
        Per-feature training standard deviation with zeros replaced by 1
        ("zscore" only).
    """

    kind: str
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def __post_init__(self):
        if self.kind not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {self.kind!r}")
        if self.kind == "zscore":
            if self.mean is None or self.std is None:
                raise ValueError("a z-score scaling needs its fitted mean and std")
            mean = np.asarray(self.mean, dtype=np.float64).reshape(-1)
            std = np.asarray(self.std, dtype=np.float64).reshape(-1)
            if mean.shape != std.shape:
                raise ValueError(f"z-score mean and std must have one shape; got {mean.shape} and {std.shape}")
            if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
                raise ValueError("z-score mean must be finite and std finite and > 0")
            object.__setattr__(self, "mean", mean)
            object.__setattr__(self, "std", std)

    @property
    def label(self):
        """Human-readable name, e.g. ``"pixels / 255"``."""
        return SCALING_LABELS[self.kind]

    def transform(self, X):
        """Scale a data matrix.

        Parameters
        ----------
        X : ndarray of shape (n_features, m)
            Raw pixels, any numeric dtype (uint8 from images).

        Returns
        -------
        X_scaled : ndarray of shape (n_features, m), dtype float64
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"expected X of shape (n_features, m); got an array of shape {X.shape}")
        if self.kind == "none":
            return X
        if self.kind == "255":
            return X / 255.0
        if X.shape[0] != self.mean.shape[0]:
            raise ValueError(
                f"this scaling was fitted on {self.mean.shape[0]} features; got {X.shape[0]}"
            )
        return (X - self.mean[:, None]) / self.std[:, None]


def fit_scaler(kind, X):
    """Fit a scaling on training data.

    Parameters
    ----------
    kind : {"none", "255", "zscore"}
    X : ndarray of shape (n_features, m)
        Raw training pixels.

    Returns
    -------
    scaler : Scaler
    """
    if kind not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {kind!r}")
    if kind != "zscore":
        return Scaler(kind)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"expected X of shape (n_features, m) with m ≥ 1; got {X.shape}")
    mean = X.mean(axis=1)
    std = X.std(axis=1)
    std = np.where(std > 0, std, 1.0)   # a constant feature is centred to 0, not divided by 0
    return Scaler("zscore", mean, std)
