"""Numbers that describe a data set for the dashboard's Data page.

Pure NumPy, no Streamlit: class counts, which images to show, where a pixel
lands when an image is flattened, and pixel-value histograms under the three
scalings (the z-score fitted on the training set only, as in training).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .preprocess import fit_scaler, flatten

__all__ = [
    "Baseline",
    "majority_baseline",
    "class_counts",
    "sample_indices",
    "flat_index",
    "flatten_walkthrough",
    "pixel_histograms",
    "ZSCORE_RANGE",
]

#: Range of the z-score histogram; values outside it are counted, not drawn.
ZSCORE_RANGE = (-5.0, 5.0)


def class_counts(train_y, test_y):
    """Images per class in each split.

    Parameters
    ----------
    train_y, test_y : ndarray of shape (m,)
        Labels 0/1.

    Returns
    -------
    counts : dict
        ``{"train": (n_label0, n_label1), "test": (n_label0, n_label1)}``.
    """
    out = {}
    for split, y in (("train", train_y), ("test", test_y)):
        y = np.asarray(y).reshape(-1)
        out[split] = (int(np.sum(y == 0)), int(np.sum(y == 1)))
    return out


@dataclass(frozen=True)
class Baseline:
    """The "always answer the training set's majority class" model, scored on both splits.

    Attributes
    ----------
    label : int
        The majority label of the training set (0 on a tie).
    train_accuracy : float
        Percent of training images it gets right.
    test_accuracy : float
        Percent of test images it gets right (nan without test images).
    """

    label: int
    train_accuracy: float
    test_accuracy: float


def majority_baseline(train_y: np.ndarray, test_y: np.ndarray) -> Baseline:
    """The bar a model must beat: always answer the training set's most common label.

    The label is chosen on the training set only, then scored on both splits
    (choosing it on the test set would peek).

    Parameters
    ----------
    train_y : ndarray of shape (m,)
        Training labels 0/1 (at least one).
    test_y : ndarray of shape (m_test,)
        Test labels 0/1.

    Returns
    -------
    baseline : Baseline
    """
    train_y = np.asarray(train_y).reshape(-1)
    test_y = np.asarray(test_y).reshape(-1)
    if train_y.size == 0:
        raise ValueError("training labels must hold at least one label; got none")
    label = int(np.sum(train_y == 1) > np.sum(train_y == 0))
    test = float(np.mean(test_y == label) * 100) if test_y.size else float("nan")
    return Baseline(label, float(np.mean(train_y == label) * 100), test)


def sample_indices(labels, which="all", n=24, seed=0):
    """Indices of up to ``n`` images to show, in a reproducible random order.

    Parameters
    ----------
    labels : ndarray of shape (m,)
    which : "all" or int, default "all"
        Keep every image, or only those with this label.
    n : int, default 24
    seed : int, default 0
        Another seed shows other images.

    Returns
    -------
    indices : ndarray of int, shape (k,) with k ≤ n, sorted
    """
    labels = np.asarray(labels).reshape(-1)
    pool = np.arange(labels.size) if which == "all" else np.flatnonzero(labels == int(which))
    if pool.size <= n:
        return pool
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(pool, size=int(n), replace=False))


def flat_index(row, col, channel, image_shape):
    """Position of pixel (row, col, channel) in the flattened column.

    Flattening is row-major (:func:`logreg_core.preprocess.flatten`), so the
    index is ``(row · width + col) · channels + channel``.

    Parameters
    ----------
    row, col, channel : int
    image_shape : tuple of int (height, width, channels)

    Returns
    -------
    index : int
    """
    height, width, channels = (int(d) for d in image_shape)
    if not (0 <= row < height and 0 <= col < width and 0 <= channel < channels):
        raise ValueError(f"pixel ({row}, {col}, {channel}) is outside an image of shape {tuple(image_shape)}")
    return (int(row) * width + int(col)) * channels + int(channel)


def flatten_walkthrough(image, pixels=None):
    """Where chosen pixels of one image land in its flattened column.

    Parameters
    ----------
    image : ndarray of shape (height, width, channels)
    pixels : sequence of (row, col) or None, default None
        Default: the first two pixels of row 0, the last pixel of row 0, the
        first pixel of row 1 (where the index jumps by ``width · channels``) and
        the very last pixel.

    Returns
    -------
    entries : list of dict
        One per (pixel, channel), in index order, with ``index``, ``row``,
        ``col``, ``channel`` and ``value``; ``value`` equals
        ``flatten(image[None])[index, 0]``.
    """
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"expected one image of shape (height, width, channels); got {image.shape}")
    height, width, channels = image.shape
    if pixels is None:
        pixels = [(0, 0), (0, 1), (0, width - 1), (1 % height, 0), (height - 1, width - 1)]
    seen, ordered = set(), []
    for r, c in pixels:
        if (r, c) not in seen:
            seen.add((r, c))
            ordered.append((int(r), int(c)))
    column = flatten(image[None])[:, 0]
    entries = []
    for r, c in sorted(ordered):
        for ch in range(channels):
            i = flat_index(r, c, ch, image.shape)
            entries.append(
                {
                    "index": i,
                    "row": r,
                    "col": c,
                    "channel": ch,
                    "value": int(column[i]) if np.issubdtype(column.dtype, np.integer) else float(column[i]),
                }
            )
    return entries


def _hist(values, bins, value_range):
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    below = int(np.sum(values < value_range[0]))
    above = int(np.sum(values > value_range[1]))
    return {
        "counts": counts.astype(np.int64),
        "edges": edges,
        "below": below,
        "above": above,
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
    }


def pixel_histograms(train_x, bins=64):
    """Histograms of every training pixel value: raw, divided by 255, z-scored.

    Parameters
    ----------
    train_x : ndarray of shape (m, height, width, channels), uint8
    bins : int, default 64

    Returns
    -------
    hists : dict
        Keys "none", "255", "zscore" (the scaling names of
        :data:`logreg_core.settings.SCALINGS`); each a dict with ``counts``
        (bins,), ``edges`` (bins + 1,), ``below``/``above`` (values outside the
        drawn range), ``mean``, ``std``, ``min`` and ``max`` over all values.
        The z-score uses the per-feature mean and std of the training set, so
        every feature has mean 0 and std 1 (a constant feature is only centred).
    """
    X = flatten(np.asarray(train_x))  # (n_features, m)
    raw = X.reshape(-1).astype(np.float64)
    z = fit_scaler("zscore", X).transform(X).reshape(-1)
    return {
        "none": _hist(raw, bins, (0.0, 255.0)),
        "255": _hist(raw / 255.0, bins, (0.0, 1.0)),
        "zscore": _hist(z, bins, ZSCORE_RANGE),
    }
