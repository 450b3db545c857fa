"""Image data sets in the course's HDF5 format, validated on the way in.

A file holds ``{split}_set_x`` (m, height, width, 3) uint8, ``{split}_set_y``
(m,) labels 0/1, and ``list_classes`` (2,) bytes, with split "train" or "test".
:func:`resolve_dataset` decides which data a run uses: explicit paths, else the
folder in ``LOGREG_DATA_DIR``, else ``data/`` in the project, else the
generated synthetic set.
"""

from __future__ import annotations

import io
import math
import os
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union

import h5py
import numpy as np
from h5py import h5d, h5z

from .limits import BUDGET, cap_list, cap_text

__all__ = [
    "DATA_ENV",
    "PROJECT_DATA_DIR",
    "SYNTHETIC_ATTR",
    "TEST_FILE",
    "TRAIN_FILE",
    "Dataset",
    "h5_keys",
    "load_dataset",
    "read_h5",
    "read_split",
    "resolve_dataset",
    "synthetic_dataset",
    "write_h5",
]

DATA_ENV = "LOGREG_DATA_DIR"
TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
PROJECT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CLASSES = ("non-cat", "cat")
#: HDF5 attribute that marks a file written from the generated (synthetic) set.
SYNTHETIC_ATTR = "logreg_synthetic"
#: Smallest image side read, and the most pixel values one file may hold (see :mod:`logreg_core.limits`).
MIN_SIDE = BUDGET.min_side
MAX_PIXELS = BUDGET.max_pixel_values
LOCAL_PIXELS = BUDGET.max_local_pixel_values
_EXPECTED_FILE = "an HDF5 file in the course's format (train_set_x, train_set_y, list_classes)"
#: Filters a data file may use: gzip, shuffle, fletcher32, lzf. Anything else is refused before reading.
_FILTERS = (h5z.FILTER_DEFLATE, h5z.FILTER_SHUFFLE, h5z.FILTER_FLETCHER32, 32000)
H5Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]


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
    classes: tuple[str, ...]
    source: str
    synthetic: bool = False

    @property
    def image_shape(self) -> tuple[int, ...]:
        """(height, width, channels) of every image."""
        return tuple(int(d) for d in self.train_x.shape[1:])

    def summary(self) -> str:
        """One line: source, counts and shape."""
        kind = "synthetic" if self.synthetic else "loaded"
        return (
            f"{self.source} ({kind}): {len(self.train_y)} train / {len(self.test_y)} test images "
            f"of {'×'.join(map(str, self.image_shape))}"
        )


def _describe(source: object, name: str | None) -> str:
    if name:
        return cap_text(name, 100)
    if isinstance(source, (str, os.PathLike)):
        return cap_text(os.fspath(source), 100)
    return "upload"


def _damaged(label: str) -> ValueError:
    return ValueError(f"{label}: damaged or not a data file; expected {_EXPECTED_FILE}")


@contextmanager
def _open_h5(source: H5Source, label: str) -> Iterator[h5py.File]:
    """Open a path, bytes or a binary file object as HDF5, read-only, or raise ValueError.

    A path must name a regular file (not a FIFO, a device or a folder) no
    larger than the budget; it is handed to HDF5 as an open Python file, as
    uploaded bytes are, so nothing else is opened by name.
    """
    handle = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ValueError(f"{label}: the file is empty; expected {_EXPECTED_FILE}")
        if len(source) > BUDGET.max_h5_file_bytes:
            raise ValueError(
                f"{label}: the file is {len(source) / 2**20:,.0f} MiB; expected at most "
                f"{BUDGET.max_h5_file_bytes >> 20} MiB"
            )
        fileobj: Any = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        try:
            info = os.stat(source)
        except FileNotFoundError:
            raise ValueError(f"{label}: no such file; expected {_EXPECTED_FILE}") from None
        except OSError as exc:
            raise ValueError(f"{label}: cannot be read ({exc.strerror}); expected {_EXPECTED_FILE}") from None
        if stat.S_ISDIR(info.st_mode):
            raise ValueError(f"{label}: is a folder; expected {_EXPECTED_FILE}")
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{label}: is not a regular file (a pipe or a device); expected {_EXPECTED_FILE}")
        if info.st_size == 0:
            raise ValueError(f"{label}: the file is empty; expected {_EXPECTED_FILE}")
        if info.st_size > BUDGET.max_h5_file_bytes:
            raise ValueError(
                f"{label}: the file is {info.st_size / 2**20:,.0f} MiB; expected at most "
                f"{BUDGET.max_h5_file_bytes >> 20} MiB"
            )
        try:
            handle = fileobj = open(source, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as exc:
            raise ValueError(f"{label}: cannot be read ({exc.strerror}); expected {_EXPECTED_FILE}") from None
    elif callable(getattr(source, "read", None)):
        fileobj = source
    else:
        raise ValueError(f"{label}: expected a path, bytes or a binary file; got {type(source).__name__}")
    try:
        try:
            f = h5py.File(fileobj, "r")
        except Exception:  # h5py raises OSError and friends for anything not HDF5
            raise _damaged(label) from None
        with f:
            yield f
    finally:
        if handle is not None:
            handle.close()


def _link(f: h5py.File, key: str, label: str) -> h5py.Dataset:
    """The dataset at ``key``, reached by a hard link inside the file, checked before any data is read."""
    try:
        link = f.get(key, getlink=True)
    except Exception:
        raise _damaged(label) from None
    if isinstance(link, h5py.ExternalLink):
        raise ValueError(f"{label}: key {key!r} is a link to another file; expected the array stored in this file")
    if isinstance(link, h5py.SoftLink):
        raise ValueError(f"{label}: key {key!r} is a soft link; expected the array stored under its own name")
    if not isinstance(link, h5py.HardLink):
        raise _damaged(label)
    try:
        obj = f[key]
    except Exception:
        raise _damaged(label) from None
    if not isinstance(obj, h5py.Dataset):
        raise ValueError(
            f"{label}: key {key!r} is a {'group' if isinstance(obj, h5py.Group) else 'type'}; expected an array"
        )
    try:
        plist = obj.id.get_create_plist()
        layout = plist.get_layout()
        external = plist.get_external_count()
        filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        shape, dtype, chunks = obj.shape, obj.dtype, obj.chunks
    except Exception:
        raise _damaged(label) from None
    if layout == h5d.VIRTUAL:
        raise ValueError(
            f"{label}: key {key!r} is a virtual dataset (it maps other data); expected an array stored in this file"
        )
    if external:
        raise ValueError(
            f"{label}: key {key!r} keeps its bytes in external files; expected an array stored in this file"
        )
    unknown = [code for code in filters if code not in _FILTERS]
    if unknown:
        raise ValueError(
            f"{label}: key {key!r} uses compression filter {unknown[0]}; "
            f"expected none, gzip, lzf, shuffle or fletcher32"
        )
    if shape is None:
        raise ValueError(f"{label}: key {key!r} holds no array (an empty dataspace); expected an array")
    if (
        dtype.fields is not None
        or dtype.subdtype is not None
        or dtype.kind not in "biufcS"
        or h5py.check_vlen_dtype(dtype) is not None
    ):
        raise ValueError(
            f"{label}: key {key!r} must hold plain numbers or fixed-length text; got dtype {cap_text(dtype, 60)}"
        )
    if chunks is not None and math.prod(chunks) * dtype.itemsize > BUDGET.max_chunk_bytes:
        raise ValueError(
            f"{label}: key {key!r} has chunks of {math.prod(chunks) * dtype.itemsize:,} bytes; "
            f"expected at most {BUDGET.max_chunk_bytes:,}"
        )
    return obj


def _read(ds: h5py.Dataset, label: str) -> np.ndarray:
    """Read a dataset already checked by :func:`_link`; any HDF5 error becomes the one damaged-file line.

    Many tiny chunks are refused first: a small file can declare millions of
    them, which takes HDF5 minutes and gigabytes to walk.
    """
    chunks, shape = ds.chunks, ds.shape
    if chunks is not None and shape is not None and len(chunks) == len(shape):
        count = math.prod(-(-int(n) // int(c)) for n, c in zip(shape, chunks, strict=True))
        if count > BUDGET.max_chunks:
            raise ValueError(
                f"{label}: key {ds.name.lstrip('/')!r} is stored in {count:,} chunks; "
                f"expected at most {BUDGET.max_chunks:,} (larger chunks)"
            )
    try:
        return np.asarray(ds[()])
    except Exception:  # a damaged chunk, a failing filter, …: h5py raises OSError and others
        raise _damaged(label) from None


def _read_classes(f: h5py.File, keys: set[str], label: str) -> tuple[str, str]:
    if "list_classes" not in keys:
        return DEFAULT_CLASSES
    raw = _link(f, "list_classes", label)
    if raw.shape != (2,) or raw.dtype.kind not in "S" or raw.dtype.itemsize > BUDGET.max_class_name_bytes:
        raise ValueError(
            f"{label}: key 'list_classes' must hold 2 names of at most "
            f"{BUDGET.max_class_name_bytes} bytes; got shape {raw.shape}, dtype {cap_text(raw.dtype, 40)}"
        )
    first, second = (cap_text(item.decode("utf-8", "replace"), 60) for item in _read(raw, label))
    return first, second


def _is_synthetic(f: h5py.File, label: str) -> bool:
    """True when the file carries the attribute :func:`write_h5` sets for generated data."""
    try:
        if SYNTHETIC_ATTR not in f.attrs:
            return False
        attr = f.attrs.get_id(SYNTHETIC_ATTR)
        if attr.shape != () or attr.dtype.kind not in "biu":
            return False
        return bool(f.attrs[SYNTHETIC_ATTR])
    except Exception:
        raise _damaged(label) from None


def read_split(
    source: H5Source, split: str, name: str | None = None, max_pixel_values: int = BUDGET.max_pixel_values
) -> tuple[np.ndarray, np.ndarray, tuple[str, str], bool]:
    """:func:`read_h5`, plus whether the file says it holds synthetic data.

    ``max_pixel_values`` (default ``BUDGET.max_pixel_values``, the upload budget)
    bounds the images' pixel values; :func:`resolve_dataset` passes the larger
    ``BUDGET.max_local_pixel_values`` for files the person running the lab names.

    Returns
    -------
    x, y, classes
        As :func:`read_h5`.
    synthetic : bool
        True when the file carries the ``logreg_synthetic`` attribute.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    label = _describe(source, name)
    kx, ky = f"{split}_set_x", f"{split}_set_y"
    with _open_h5(source, label) as f:
        try:
            names = [str(k) for k in f]
        except Exception:
            raise _damaged(label) from None
        keys = set(names)
        missing = [k for k in (kx, ky) if k not in keys]
        if missing:
            other = "test" if split == "train" else "train"
            hint = f" — this looks like a {other} file" if f"{other}_set_x" in keys else ""
            raise ValueError(
                f"{label}: missing key {missing[0]!r}; expected keys {kx!r} and {ky!r}, "
                f"found {cap_list(sorted(names))}{hint}"
            )
        dx, dy = _link(f, kx, label), _link(f, ky, label)
        if dx.ndim != 4 or dx.shape[3] != 3:
            raise ValueError(f"{label}: key {kx!r} must have shape (m, height, width, 3); got {dx.shape}")
        if dx.dtype != np.uint8:
            raise ValueError(f"{label}: key {kx!r} must hold uint8 pixels (0–255); got dtype {dx.dtype}")
        if dy.ndim == 2 and dy.shape[0] == 1:
            pass  # (1, m) as some copies of the course store it
        elif dy.ndim != 1:
            raise ValueError(f"{label}: key {ky!r} must have shape (m,); got {dy.shape}")
        if dy.dtype.kind not in "biu":
            raise ValueError(f"{label}: key {ky!r} must hold integer labels 0/1; got dtype {dy.dtype}")
        m, height, width = dx.shape[:3]
        if dy.size != m:
            raise ValueError(
                f"{label}: {kx!r} holds {m:,} images but {ky!r} holds {dy.size:,} labels; expected one label per image"
            )
        if m == 0:
            raise ValueError(f"{label}: key {kx!r} holds no images; expected at least one")
        lo, hi = BUDGET.min_side, BUDGET.max_side
        if not (lo <= height <= hi and lo <= width <= hi):
            raise ValueError(
                f"{label}: key {kx!r} has images of {height}×{width} pixels; expected sides from {lo} to {hi}"
            )
        if dx.size > max_pixel_values:
            raise ValueError(
                f"{label}: key {kx!r} holds {dx.size:,} pixel values ({m:,} images of "
                f"{height}×{width}×3); expected at most {max_pixel_values:,} "
                f"(e.g. {max_pixel_values // (64 * 64 * 3):,} images of 64×64×3)"
            )
        classes = _read_classes(f, keys, label)
        synthetic = _is_synthetic(f, label)
        y = _read(dy, label).reshape(-1).astype(np.int64)
        bad = np.setdiff1d(np.unique(y), [0, 1])
        if bad.size:
            raise ValueError(f"{label}: key {ky!r} must hold labels 0 or 1; got {bad[:5].tolist()}")
        x = _read(dx, label)
        if x.shape != dx.shape or x.dtype != np.uint8:
            raise _damaged(label)
    return x, y, classes, synthetic


def h5_keys(source: H5Source, name: str | None = None) -> set[str]:
    """The names at the top of an HDF5 file, read without following any of them.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
    name : str or None, default None
        Used in error messages.

    Returns
    -------
    keys : set of str
    """
    label = _describe(source, name)
    with _open_h5(source, label) as f:
        try:
            return {str(k) for k in f}
        except Exception:
            raise _damaged(label) from None


def read_h5(source: H5Source, split: str, name: str | None = None) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """Read and validate one split of a data set, as data only.

    Nothing the file points at is followed: links to other files, soft links,
    external storage and virtual datasets are refused, and so are dtypes other
    than plain numbers and fixed-length text. Shapes, dtypes and sizes are
    checked against :data:`logreg_core.limits.BUDGET` before anything is read.

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
    classes : tuple of 2 str
        Names of label 0 and label 1 (``("non-cat", "cat")`` if the file has none).

    Raises
    ------
    ValueError
        One line for anything wrong with the file, including every HDF5 error
        ("damaged or not a data file; expected …").
    """
    x, y, classes, _ = read_split(source, split, name)
    return x, y, classes


def write_h5(
    path: str | os.PathLike[str] | IO[bytes],
    x: np.ndarray,
    y: np.ndarray,
    classes: tuple[str, ...] | list[str],
    split: str,
    synthetic: bool = False,
) -> None:
    """Write one split in the course's format.

    Parameters
    ----------
    path : str, os.PathLike or binary file object
    x : ndarray of shape (m, height, width, 3), dtype uint8
    y : ndarray of shape (m,)
    classes : sequence of 2 str
    split : {"train", "test"}
    synthetic : bool, default False
        Mark the file as generated data (the ``logreg_synthetic`` attribute), so
        it is labelled synthetic wherever it is loaded.
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
        if synthetic:
            f.attrs[SYNTHETIC_ATTR] = np.int8(1)


def load_dataset(
    train: H5Source,
    test: H5Source,
    train_name: str | None = None,
    test_name: str | None = None,
    max_pixel_values: int = BUDGET.max_pixel_values,
) -> Dataset:
    """Read a train file and a test file and check they belong together.

    Parameters
    ----------
    train, test : str, os.PathLike, bytes or binary file object
    train_name, test_name : str or None, default None
        Names for messages and for ``Dataset.source``.
    max_pixel_values : int, default ``BUDGET.max_pixel_values``
        Pixel values each file may hold (the upload budget unless the caller names a larger one).

    Returns
    -------
    dataset : Dataset
        ``synthetic`` is True when both files carry the synthetic attribute.
    """
    train_x, train_y, classes, train_synthetic = read_split(train, "train", train_name, max_pixel_values)
    test_x, test_y, test_classes, test_synthetic = read_split(test, "test", test_name, max_pixel_values)
    tl, sl = _describe(train, train_name), _describe(test, test_name)
    if train_x.shape[1:] != test_x.shape[1:]:
        raise ValueError(
            f"{sl}: test images are {test_x.shape[1:]} but train images ({tl}) are "
            f"{train_x.shape[1:]}; expected the same image shape"
        )
    if tuple(test_classes) != tuple(classes):
        raise ValueError(f"{sl}: classes {list(test_classes)} differ from the train file's {list(classes)}")
    synthetic = train_synthetic or test_synthetic
    source = f"{Path(tl).name} + {Path(sl).name}"
    if synthetic:
        source = f"synthetic cats (generated, from {source})"
    return Dataset(train_x, train_y, test_x, test_y, tuple(classes), source, synthetic=synthetic)


def synthetic_dataset(seed: int = 0) -> Dataset:
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
    return Dataset(train_x, train_y, test_x, test_y, names, f"synthetic cats (generated, seed {seed})", synthetic=True)


def resolve_dataset(
    train: str | os.PathLike[str] | None = None,
    test: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    data_dir: str | os.PathLike[str] = PROJECT_DATA_DIR,
) -> Dataset:
    """Pick the data set to use and load it: the one resolver of the CLI, the benchmark and the dashboard.

    Order: explicit ``train``/``test`` paths; else the folder named by
    ``LOGREG_DATA_DIR``; else ``data_dir`` if it holds both files; else the
    synthetic set. These are files the person running the lab names, so they may
    hold up to ``BUDGET.max_local_pixel_values`` (uploads: ``BUDGET.max_pixel_values``).

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
    if train is not None and test is not None:
        return load_dataset(train, test, max_pixel_values=LOCAL_PIXELS)
    env = os.environ if environ is None else environ
    named = env.get(DATA_ENV)
    if named:
        folder = Path(named)
        if not folder.is_dir():
            raise ValueError(
                f"{DATA_ENV}={cap_text(folder, 100)}: no such folder; expected a folder holding "
                f"{TRAIN_FILE} and {TEST_FILE}"
            )
        return load_dataset(folder / TRAIN_FILE, folder / TEST_FILE, max_pixel_values=LOCAL_PIXELS)
    project = Path(data_dir)
    if (project / TRAIN_FILE).is_file() and (project / TEST_FILE).is_file():
        return load_dataset(project / TRAIN_FILE, project / TEST_FILE, max_pixel_values=LOCAL_PIXELS)
    return synthetic_dataset()
