"""A data set made in class: photos of two classes, kept as small uint8 images, saved as the lab's two .h5 files.

Each photo is decoded and shrunk to ``size x size`` once, when it is taken,
in a forked child (:func:`logreg_core.isolated.load_photo_isolated`: a bad
file is refused with one line, a decoder crash ends only the child); only
that small array is kept, never the photo's bytes.
"""

from __future__ import annotations

import io

import numpy as np

from .data import Dataset, write_h5
from .isolated import load_photo_isolated

__all__ = ["CAPTURE_SIZE", "MAX_PER_CLASS", "capture_photo", "h5_pair", "split_by_class"]

#: Photos one class may hold in a session (64×64×3 uint8 = 12 KB each: 200 per class = 4.9 MB for both).
MAX_PER_CLASS = 200
#: Side of the images a captured set holds.
CAPTURE_SIZE = 64


def capture_photo(
    data: bytes, name: str, count: int, size: int = CAPTURE_SIZE, max_per_class: int = MAX_PER_CLASS
) -> np.ndarray:
    """Turn one photo into the small image a captured set keeps.

    Parameters
    ----------
    data : bytes
        The encoded photo (camera JPEG, an uploaded file, …).
    name : str
        For the error message.
    count : int
        Photos the class already holds.
    size : int, default CAPTURE_SIZE
    max_per_class : int, default MAX_PER_CLASS

    Returns
    -------
    image : ndarray of shape (size, size, 3), dtype uint8

    Raises
    ------
    ValueError
        One line: the class is full, or the photo cannot be used (see ``load_photo_isolated``).
    """
    if count >= max_per_class:
        raise ValueError(
            f"{name}: this class holds {count} photos already; expected at most {max_per_class} "
            f"per class — remove some first"
        )
    return load_photo_isolated(data, name=name, size=size)


def h5_pair(dataset: Dataset) -> tuple[bytes, bytes]:
    """The data set as the two files the lab reads (``train_set_x``… and ``test_set_x``…).

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    train, test : bytes
        HDF5 files, readable by :func:`logreg_core.data.load_dataset`.
    """
    out = []
    for split, x, y in (("train", dataset.train_x, dataset.train_y), ("test", dataset.test_x, dataset.test_y)):
        buffer = io.BytesIO()
        write_h5(buffer, x, y, dataset.classes, split)
        out.append(buffer.getvalue())
    return out[0], out[1]


def split_by_class(
    dataset: Dataset, size: int = CAPTURE_SIZE, max_per_class: int = MAX_PER_CLASS
) -> tuple[np.ndarray, np.ndarray]:
    """All images of a data set (train then test) grouped by label, to edit a saved set again.

    Parameters
    ----------
    dataset : Dataset
        Images of ``size x size x 3``.
    size : int, default CAPTURE_SIZE
    max_per_class : int, default MAX_PER_CLASS

    Returns
    -------
    images0 : ndarray of shape (m0, size, size, 3), dtype uint8
    images1 : ndarray of shape (m1, size, size, 3), dtype uint8
    """
    if dataset.image_shape != (size, size, 3):
        shape = "×".join(map(str, dataset.image_shape))
        raise ValueError(f"{dataset.source}: images are {shape}; expected {size}×{size}×3 like a captured set")
    x = np.concatenate([dataset.train_x, dataset.test_x])
    y = np.concatenate([dataset.train_y, dataset.test_y])
    groups = x[y == 0], x[y == 1]
    for name, g in zip(dataset.classes, groups, strict=False):
        if len(g) > max_per_class:
            raise ValueError(
                f"{dataset.source}: class {name!r} holds {len(g)} images; expected at most {max_per_class} per class"
            )
    return groups[0], groups[1]
