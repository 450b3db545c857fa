"""Preprocessing: images to columns, and pixel scalings fitted on the training set.

Flattening puts each (height, width, 3) image in one column of X, in the
row-major order of ``images.reshape(m, -1).T``.

"255" divides by 255 — min-max *scaling* to [0, 1], not standardization.
"zscore" is standardization: per feature (x − mean) / std with mean and std
fitted on the training set only; a constant feature (std 0) is only centred.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .settings import SCALINGS

__all__ = ["SCALING_LABELS", "Scaler", "fit_scaler", "flatten", "scale_images", "unflatten"]

#: Images converted to float64 at a time: bounds the temporaries of a one-pass scaling (~50 MB at 64×64×3).
CHUNK_IMAGES = 512


def flatten(images: ArrayLike) -> np.ndarray:
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
        raise ValueError(f"expected images of shape (m, height, width, channels); got an array of shape {images.shape}")
    return images.reshape(images.shape[0], -1).T


def unflatten(x: ArrayLike, image_shape: tuple[int, ...]) -> np.ndarray:
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

    def __post_init__(self) -> None:
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
    def label(self) -> str:
        """Human-readable name, e.g. ``"pixels / 255"``."""
        return SCALING_LABELS[self.kind]

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Scale a data matrix.

        Parameters
        ----------
        X : ndarray of shape (n_features, m)
            Raw pixels, any numeric dtype (uint8 from images).

        Returns
        -------
        X_scaled : ndarray of shape (n_features, m), dtype float64
        """
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"expected X of shape (n_features, m); got an array of shape {X.shape}")
        if self.mean is not None and X.shape[0] != self.mean.shape[0]:
            raise ValueError(f"this scaling was fitted on {self.mean.shape[0]} features; got {X.shape[0]}")
        # One float64 array, filled a block of columns at a time: no second whole copy.
        out = np.empty((X.shape[1], X.shape[0])).T  # (n_features, m), each column contiguous
        for j0 in range(0, X.shape[1], CHUNK_IMAGES):
            self._scale_into(out[:, j0 : j0 + CHUNK_IMAGES], X[:, j0 : j0 + CHUNK_IMAGES])
        return out

    def _scale_into(self, out: np.ndarray, X: np.ndarray) -> None:
        """Write the scaled block ``X`` into ``out`` (same shape), in place."""
        out[...] = X
        if self.kind == "255":
            out /= 255.0
        elif self.kind == "zscore":
            assert self.mean is not None and self.std is not None  # set by __post_init__
            out -= self.mean[:, None]
            out /= self.std[:, None]


def _column_blocks(X: np.ndarray) -> Iterator[np.ndarray]:
    """Blocks of at most ``CHUNK_IMAGES`` columns of X, as float64."""
    for j0 in range(0, X.shape[1], CHUNK_IMAGES):
        yield np.asarray(X[:, j0 : j0 + CHUNK_IMAGES], dtype=np.float64)


def scale_images(images: ArrayLike, scaler: Scaler) -> np.ndarray:
    """Flatten and scale a stack of images in one pass, into one float64 array.

    At the peak this holds the images (1 byte per uint8 pixel) and the result
    (8 bytes per pixel), plus one block of ``CHUNK_IMAGES`` images.

    Parameters
    ----------
    images : ndarray of shape (m, height, width, channels)
    scaler : Scaler

    Returns
    -------
    X : ndarray of shape (height * width * channels, m), dtype float64
    """
    return scaler.transform(flatten(images))


def fit_scaler(kind: str, X: ArrayLike) -> Scaler:
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
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"expected X of shape (n_features, m) with m ≥ 1; got {X.shape}")
    # Two passes over blocks of columns (mean, then squared deviations): never a whole float copy.
    m = X.shape[1]
    mean = np.zeros(X.shape[0])
    for block in _column_blocks(X):
        mean += block.sum(axis=1)
    mean /= m
    var = np.zeros(X.shape[0])
    for block in _column_blocks(X):
        block -= mean[:, None]
        var += np.einsum("ij,ij->i", block, block)
    std = np.sqrt(var / m)
    std = np.where(std > 0, std, 1.0)  # a constant feature is centred to 0, not divided by 0
    return Scaler("zscore", mean, std)
