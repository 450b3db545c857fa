"""Seeded, stratified splits: a validation set carved from the training set, and photo classes into a data set.

A validation split keeps the share of each class: with 20 % held out, 20 % of
the cats and 20 % of the non-cats go to validation. The test set is never
touched, so choosing settings on validation leaves the test set for the end.
"""

from __future__ import annotations

import numpy as np

from .checks import check_open_unit
from .data import Dataset
from .model import accuracy
from .settings import TrainSettings

__all__ = [
    "dataset_from_classes",
    "fit_with_validation",
    "stratified_split",
    "validation_accuracy",
    "validation_dataset",
]


def stratified_split(y: np.ndarray, fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a kept part and a held-out part, each class split in the same proportion.

    Parameters
    ----------
    y : ndarray of shape (m,)
        Labels 0/1; each present class needs at least 2 examples.
    fraction : float, default 0.2
        Share of each class held out, in (0, 1); at least one example of each
        class is held out and at least one kept.
    seed : int, default 0
        Seed of the shuffle (``np.random.default_rng(seed)``).

    Returns
    -------
    kept : ndarray of shape (m - k,), dtype int64
    held_out : ndarray of shape (k,), dtype int64
        Both sorted; together they are ``0 … m-1`` once each.
    """
    y = np.asarray(y).reshape(-1)
    fraction = check_open_unit("validation fraction", fraction)
    rng = np.random.default_rng(seed)
    kept, held = [], []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        if idx.size < 2:
            raise ValueError(f"each class needs at least 2 examples to split; got {idx.size} of label {label}")
        idx = rng.permutation(idx)
        k = min(max(1, round(idx.size * fraction)), idx.size - 1)
        held.append(idx[:k])
        kept.append(idx[k:])
    if not held:
        raise ValueError("labels must hold at least 2 examples of each class; got none")
    return np.sort(np.concatenate(kept)).astype(np.int64), np.sort(np.concatenate(held)).astype(np.int64)


def validation_dataset(dataset: Dataset, fraction: float = 0.2, seed: int = 0) -> Dataset:
    """A data set whose test split is a validation split carved from ``dataset``'s training set.

    Parameters
    ----------
    dataset : Dataset
    fraction : float, default 0.2
    seed : int, default 0

    Returns
    -------
    carved : Dataset
        ``train_x``/``train_y`` = the kept training images, ``test_x``/``test_y`` = the
        validation images; the real test set is not in it.
    """
    kept, held = stratified_split(dataset.train_y, fraction, seed)
    return Dataset(
        dataset.train_x[kept],
        dataset.train_y[kept],
        dataset.train_x[held],
        dataset.train_y[held],
        tuple(dataset.classes),
        f"{dataset.source} — validation split {fraction:.0%}, seed {seed}",
        dataset.synthetic,
    )


def validation_accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    """Percent of images a model labels right.

    Parameters
    ----------
    model : logreg_core.pipeline.Model
    images : ndarray of shape (k, height, width, 3)
    labels : ndarray of shape (k,)

    Returns
    -------
    accuracy : float
        In [0, 100].
    """
    labels = np.asarray(labels).reshape(-1)
    predicted = model.predict_images(images)
    if predicted.shape != labels.shape:
        raise ValueError(f"expected one label per image ({predicted.size}); got {labels.size}")
    return float(accuracy(predicted, labels))


def fit_with_validation(
    dataset: Dataset, settings: TrainSettings, fraction: float = 0.2, seed: int = 0
) -> tuple[float, float, float]:
    """Train on the training set minus a validation split; score on the rest, the split and the test set.

    Parameters
    ----------
    dataset : Dataset
    settings : TrainSettings
    fraction : float, default 0.2
        Share of each class held out for validation (seeded: the same split for everyone).
    seed : int, default 0

    Returns
    -------
    train, validation, test : float
        Accuracies in percent; ``test`` is on ``dataset``'s own test set, never used to choose.
    """
    from .pipeline import fit

    carved = validation_dataset(dataset, fraction, seed=seed)
    model, _ = fit(carved, settings)
    return (
        validation_accuracy(model, carved.train_x, carved.train_y),
        validation_accuracy(model, carved.test_x, carved.test_y),
        validation_accuracy(model, dataset.test_x, dataset.test_y),
    )


def dataset_from_classes(
    images0: np.ndarray,
    images1: np.ndarray,
    classes: tuple[str, str],
    test_fraction: float = 0.2,
    seed: int = 0,
    source: str = "captured photos",
) -> Dataset:
    """A train/test data set from the images of each class, split per class.

    Parameters
    ----------
    images0, images1 : ndarray of shape (m0, height, width, 3) and (m1, height, width, 3), dtype uint8
        Label 0 and label 1; at least 2 each.
    classes : (str, str)
        Names of label 0 and label 1.
    test_fraction : float, default 0.2
    seed : int, default 0
    source : str, default "captured photos"

    Returns
    -------
    dataset : Dataset
        Classes mixed in a seeded order inside each split.
    """
    images0, images1 = np.asarray(images0), np.asarray(images1)
    for name, x in ((classes[0], images0), (classes[1], images1)):
        if x.ndim != 4 or x.shape[3] != 3 or x.dtype != np.uint8:
            raise ValueError(
                f"images of {name!r} must be uint8 of shape (m, height, width, 3); got {x.dtype} {x.shape}"
            )
        if x.shape[0] < 2:
            raise ValueError(f"class {name!r} needs at least 2 photos (one to train on, one to test); got {x.shape[0]}")
    if images0.shape[1:] != images1.shape[1:]:
        raise ValueError(f"both classes need images of one shape; got {images0.shape[1:]} and {images1.shape[1:]}")
    names = tuple(str(c).strip() for c in classes)
    if len(names) != 2 or not all(names) or names[0].casefold() == names[1].casefold():
        raise ValueError(f"the two classes need two different, non-empty names; got {list(classes)}")
    x = np.concatenate([images0, images1])
    y = np.r_[np.zeros(len(images0), np.int64), np.ones(len(images1), np.int64)]
    train, test = stratified_split(y, check_open_unit("test fraction", test_fraction), seed)
    rng = np.random.default_rng(seed + 1)
    train, test = rng.permutation(train), rng.permutation(test)
    return Dataset(x[train], y[train], x[test], y[test], names, source)
