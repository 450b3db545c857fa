"""Image data sets in the course's HDF5 format, validated on the way in.

A file holds ``{split}_set_x`` (m, height, width, 3) uint8, ``{split}_set_y``
(m,) labels 0/1, and ``list_classes`` (2,) bytes, with split "train" or "test".
:func:`resolve_dataset` decides which data a run uses: explicit paths, else the
folder in ``LOGREG_DATA_DIR``, else ``data/`` in the project, else the
generated synthetic set.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

__all__ = [
    "Dataset", "read_h5", "write_h5", "load_dataset", "synthetic_dataset",
    "resolve_dataset", "DATA_ENV", "TRAIN_FILE", "TEST_FILE", "PROJECT_DATA_DIR",
]

DATA_ENV = "LOGREG_DATA_DIR"
TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
PROJECT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CLASSES = ("non-cat", "cat")
#: Smallest image side read, and the most pixel values one file may hold (about 250 MB of uint8).
MIN_SIDE = 4
MAX_PIXELS = 20_000 * 64 * 64 * 3


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test pair of labelled images.

    Attributes
    ----------
    train_x : ndarray of shape (m_train, height, width, 3), dtype uint8
    train_y : ndarray of shape (m_train,), dtype int64
    test_x : ndarray of shape (m_test, height, width, 3), dtype uint8
    test_y : ndarray of shape (m_test,), dtype int64
    classes : tuple of str
        Names of label 0 and label 1.
    source : str
        Where it came from, for display ("synthetic …", file names, a folder).
    synthetic : bool, default False
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple
    source: str
    synthetic: bool = False

    @property
    def image_shape(self):
        """(height, width, channels) of every image."""
        return tuple(int(d) for d in self.train_x.shape[1:])

    def summary(self):
        """One line: source, counts and shape."""
        kind = "synthetic" if self.synthetic else "loaded"
        return (f"{self.source} ({kind}): {len(self.train_y)} train / {len(self.test_y)} test images "
                f"of {'×'.join(map(str, self.image_shape))}")


def _describe(source, name):
    if name:
        return str(name)
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return "upload"


def _open_h5(source, label):
    """Open a path, bytes or a binary file object as HDF5, or raise ValueError."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ValueError(f"{label}: the file is empty; expected an HDF5 file")
        source = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise ValueError(f"{label}: no such file")
        if path.is_dir():
            raise ValueError(f"{label}: is a folder; expected an HDF5 file")
        if path.stat().st_size == 0:
            raise ValueError(f"{label}: the file is empty; expected an HDF5 file")
    elif not hasattr(source, "read"):
        raise ValueError(f"{label}: expected a path, bytes or a binary file; got {type(source).__name__}")
    try:
        return h5py.File(source, "r")
    except Exception as exc:  # h5py raises OSError and friends for anything not HDF5
        raise ValueError(f"{label}: not a readable HDF5 file ({type(exc).__name__}); "
                         f"expected the course's .h5 format") from None


def _read_classes(f, label):
    if "list_classes" not in f:
        return DEFAULT_CLASSES
    raw = f["list_classes"]
    if not isinstance(raw, h5py.Dataset) or raw.shape != (2,):
        raise ValueError(f"{label}: key 'list_classes' must hold 2 class names; "
                         f"found shape {getattr(raw, 'shape', None)}")
    names = []
    for item in raw[()]:
        names.append(item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item))
    return tuple(names)


def read_h5(source, split, name=None):
    """Read and validate one split of a data set.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
    split : {"train", "test"}
        Which keys to read: ``{split}_set_x`` and ``{split}_set_y``.
    name : str or None, default None
        Used in error messages; defaults to the path, or "upload".

    Returns
    -------
    x : ndarray of shape (m, height, width, 3), dtype uint8
    y : ndarray of shape (m,), dtype int64
    classes : tuple of str
        Names of label 0 and label 1 (``("non-cat", "cat")`` if the file has none).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    label = _describe(source, name)
    kx, ky = f"{split}_set_x", f"{split}_set_y"
    with _open_h5(source, label) as f:
        missing = [k for k in (kx, ky) if k not in f]
        if missing:
            other = "test" if split == "train" else "train"
            hint = (f" — this looks like a {other} file" if f"{other}_set_x" in f else "")
            raise ValueError(f"{label}: missing key {missing[0]!r}; expected keys {kx!r} and {ky!r}, "
                             f"found {sorted(f.keys())}{hint}")
        for k in (kx, ky):
            if not isinstance(f[k], h5py.Dataset):
                raise ValueError(f"{label}: key {k!r} is a group; expected an array")
        dx, dy = f[kx], f[ky]
        if dx.ndim != 4 or dx.shape[3] != 3:
            raise ValueError(f"{label}: key {kx!r} must have shape (m, height, width, 3); found {dx.shape}")
        if dx.dtype != np.uint8:
            raise ValueError(f"{label}: key {kx!r} must hold uint8 pixels (0–255); found dtype {dx.dtype}")
        if dy.ndim == 2 and dy.shape[0] == 1:
            pass  # (1, m) as some copies of the course store it
        elif dy.ndim != 1:
            raise ValueError(f"{label}: key {ky!r} must have shape (m,); found {dy.shape}")
        if not (np.issubdtype(dy.dtype, np.integer) or dy.dtype == np.bool_):
            raise ValueError(f"{label}: key {ky!r} must hold integer labels 0/1; found dtype {dy.dtype}")
        m = dx.shape[0]
        if dy.size != m:
            raise ValueError(f"{label}: {kx!r} holds {m} images but {ky!r} holds {dy.size} labels; "
                             f"expected one label per image")
        if m == 0:
            raise ValueError(f"{label}: key {kx!r} holds no images; expected at least one")
        if min(dx.shape[1:3]) < MIN_SIDE:
            raise ValueError(f"{label}: key {kx!r} has images of {dx.shape[1]}×{dx.shape[2]} pixels; "
                             f"expected at least {MIN_SIDE}×{MIN_SIDE}")
        if dx.size > MAX_PIXELS:
            raise ValueError(f"{label}: key {kx!r} holds {dx.size:,} pixel values ({dx.shape}); "
                             f"this lab reads at most {MAX_PIXELS:,} (e.g. 20,000 images of 64×64×3)")
        try:
            y = np.asarray(dy[()]).reshape(-1).astype(np.int64)
            x = np.asarray(dx[()])
            classes = _read_classes(f, label)
        except ValueError:
            raise
        except Exception as exc:  # a damaged chunk, a filter h5py lacks, …: h5py raises OSError and others
            raise ValueError(f"{label}: the data could not be read ({type(exc).__name__}: {exc}); "
                             f"expected an intact HDF5 file") from None
        bad = np.setdiff1d(np.unique(y), [0, 1])
        if bad.size:
            raise ValueError(f"{label}: key {ky!r} must hold labels 0 or 1; found {bad[:5].tolist()}")
    return x, y, classes


def write_h5(path, x, y, classes, split):
    """Write one split in the course's format.

    Parameters
    ----------
    path : str or os.PathLike
    x : ndarray of shape (m, height, width, 3), dtype uint8
    y : ndarray of shape (m,)
    classes : sequence of 2 str
    split : {"train", "test"}
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[3] != 3 or x.dtype != np.uint8:
        raise ValueError(f"x must be uint8 of shape (m, height, width, 3); got {x.dtype} {x.shape}")
    y = np.asarray(y).reshape(-1).astype(np.int64)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must hold one label per image ({x.shape[0]}); got {y.shape}")
    if len(classes) != 2:
        raise ValueError(f"classes must name 2 classes; got {list(classes)}")
    with h5py.File(path, "w") as f:
        f.create_dataset(f"{split}_set_x", data=x)
        f.create_dataset(f"{split}_set_y", data=y)
        f.create_dataset("list_classes", data=np.array([c.encode("utf-8") for c in classes]))


def load_dataset(train, test, train_name=None, test_name=None):
    """Read a train file and a test file and check they belong together.

    Parameters
    ----------
    train, test : str, os.PathLike, bytes or binary file object
    train_name, test_name : str or None, default None
        Names for messages and for ``Dataset.source``.

    Returns
    -------
    dataset : Dataset
    """
    train_x, train_y, classes = read_h5(train, "train", train_name)
    test_x, test_y, test_classes = read_h5(test, "test", test_name)
    tl, sl = _describe(train, train_name), _describe(test, test_name)
    if train_x.shape[1:] != test_x.shape[1:]:
        raise ValueError(f"{sl}: test images are {test_x.shape[1:]} but train images ({tl}) are "
                         f"{train_x.shape[1:]}; expected the same image shape")
    if tuple(test_classes) != tuple(classes):
        raise ValueError(f"{sl}: classes {list(test_classes)} differ from the train file's {list(classes)}")
    source = f"{Path(tl).name} + {Path(sl).name}"
    return Dataset(train_x, train_y, test_x, test_y, tuple(classes), source)


def synthetic_dataset(seed=0):
    """The generated default data set (see :mod:`logreg_core.synthetic`).

    Parameters
    ----------
    seed : int, default 0

    Returns
    -------
    dataset : Dataset
        209 train and 50 test images of 64×64×3, classes non-cat / cat.
    """
    from .synthetic import make_synthetic_arrays

    train_x, train_y, test_x, test_y, classes = make_synthetic_arrays(seed=seed)
    names = tuple(c.decode() if isinstance(c, bytes) else str(c) for c in classes)
    return Dataset(train_x, train_y, test_x, test_y, names,
                   f"synthetic cats (generated, seed {seed})", synthetic=True)


def resolve_dataset(train=None, test=None, environ=None, data_dir=PROJECT_DATA_DIR):
    """Pick the data set to use and load it.

    Order: explicit ``train``/``test`` paths; else the folder named by
    ``LOGREG_DATA_DIR``; else ``data_dir`` if it holds both files; else the
    synthetic set.

    Parameters
    ----------
    train, test : str, os.PathLike or None, default None
        Both or neither.
    environ : mapping or None, default None (``os.environ``)
    data_dir : str or os.PathLike, default the project's ``data/``

    Returns
    -------
    dataset : Dataset
    """
    if (train is None) != (test is None):
        raise ValueError("give both a train file and a test file, or neither")
    if train is not None:
        return load_dataset(train, test)
    environ = os.environ if environ is None else environ
    folder = environ.get(DATA_ENV)
    if folder:
        folder = Path(folder)
        if not folder.is_dir():
            raise ValueError(f"{DATA_ENV}={folder}: no such folder; expected a folder holding "
                             f"{TRAIN_FILE} and {TEST_FILE}")
        return load_dataset(folder / TRAIN_FILE, folder / TEST_FILE)
    data_dir = Path(data_dir)
    if (data_dir / TRAIN_FILE).is_file() and (data_dir / TEST_FILE).is_file():
        return load_dataset(data_dir / TRAIN_FILE, data_dir / TEST_FILE)
    return synthetic_dataset()
