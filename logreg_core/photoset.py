"""Data sets made from photos: two groups of files, a folder, or a zip.

Each photo goes through :func:`logreg_core.images.load_photo` (the same path
as a photo given to a trained model). A photo that cannot be read is skipped
with a one-line reason; the rest go through. Each class is split into train
and test with the same fraction (stratified), from a seeded generator.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from .data import MIN_SIDE, Dataset
from .images import MAX_SIZE, load_photo

__all__ = ["order_classes", "dataset_from_groups", "dataset_from_folder", "dataset_from_zip"]

#: A zip may hold at most this many files and this many bytes once unpacked.
ZIP_MAX_FILES = 5_000
ZIP_MAX_BYTES = 256 << 20
_NEGATIVE_PREFIXES = ("non-", "non_", "non ", "not-", "not_", "not ", "no-", "no_", "no ")


def order_classes(names):
    """Order two class names as (label 0, label 1).

    A name that negates the other ("non-cat" beside "cat") is label 0;
    otherwise alphabetical order.

    Parameters
    ----------
    names : iterable of 2 str

    Returns
    -------
    ordered : tuple of 2 str
    """
    names = sorted(names, key=str.casefold)
    if len(names) != 2:
        raise ValueError(f"expected exactly 2 classes; got {len(names)}: {names}")
    first, second = names
    if second.casefold().startswith(_NEGATIVE_PREFIXES) and not first.casefold().startswith(_NEGATIVE_PREFIXES):
        first, second = second, first
    return first, second


def _split(n, test_fraction, rng):
    """Shuffled indices (train, test) of one class, each non-empty."""
    order = rng.permutation(n)
    n_test = min(max(1, int(round(n * test_fraction))), n - 1)
    return order[n_test:], order[:n_test]


def dataset_from_groups(groups, test_fraction=0.2, seed=0, size=64, source="uploaded photos"):
    """Build a data set from photos already grouped by class.

    Parameters
    ----------
    groups : mapping of str to list of (str, bytes)
        Exactly two classes, in label order (first = label 0); each maps to
        ``(file name, file bytes)`` pairs.
    test_fraction : float, default 0.2
        Share of each class held out for testing, in (0, 1).
    seed : int, default 0
        Seed of the shuffle before the split.
    size : int, default 64
        Side of the square images.
    source : str, default "uploaded photos"
        Recorded as ``Dataset.source``.

    Returns
    -------
    dataset : Dataset
    skipped : list of str
        One line per photo that could not be read.
    """
    classes = [str(c).strip() for c in groups]
    if len(classes) != 2:
        raise ValueError(f"expected photos for exactly 2 classes; got {len(classes)}: {classes}")
    if not all(classes) or classes[0].casefold() == classes[1].casefold():
        raise ValueError(f"the two classes need two different, non-empty names; got {classes}")
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIDE <= size <= MAX_SIZE:
        raise ValueError(f"image size must be a whole number from {MIN_SIDE} to {MAX_SIZE}; got {size!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test fraction must be between 0 and 1; got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    skipped = []
    parts = {"train": ([], []), "test": ([], [])}
    for label, (name, files) in enumerate(groups.items()):
        images, refused = [], []
        for file_name, data in files:
            try:
                images.append(load_photo(data, name=f"{name}/{file_name}", size=size))
            except ValueError as exc:
                refused.append(str(exc))
        skipped += refused
        if len(images) < 2:
            why = f" — {refused[0]}" if refused else ""
            raise ValueError(f"class {name!r}: {len(images)} readable photo(s) of {len(files)}; expected at "
                             f"least 2 (one to train on, one to test){why}")
        train_idx, test_idx = _split(len(images), test_fraction, rng)
        for split, idx in (("train", train_idx), ("test", test_idx)):
            parts[split][0].extend(images[i] for i in idx)
            parts[split][1].extend([label] * len(idx))
    arrays = {}
    for split, (xs, ys) in parts.items():
        order = rng.permutation(len(ys))             # mix the classes
        arrays[split] = (np.stack(xs)[order], np.array(ys, dtype=np.int64)[order])
    return (Dataset(*arrays["train"], *arrays["test"], tuple(classes), source), skipped)


def _is_hidden(parts):
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _grouped(entries, where):
    """Group (relative path parts, bytes loader) by their class folder."""
    entries = [(parts, load) for parts, load in entries if not _is_hidden(parts)]
    # One wrapping folder (e.g. "photos/cat/…", "photos/non-cat/…") is looked through.
    while (entries and all(len(p) >= 2 for p, _ in entries) and any(len(p) > 2 for p, _ in entries)
           and len({p[0] for p, _ in entries}) == 1):
        entries = [(p[1:], load) for p, load in entries]
    groups, loose = {}, []
    for parts, load in entries:
        if len(parts) < 2:
            loose.append("/".join(parts))
            continue
        groups.setdefault(parts[0], []).append(("/".join(parts[1:]), load))
    if len(groups) != 2:
        raise ValueError(f"{where}: expected one folder per class, exactly 2 (e.g. cat/ and non-cat/); "
                         f"found {len(groups)}: {sorted(groups)}")
    skipped = [f"{where}/{name}: not inside a class folder; skipped" for name in loose]
    ordered = order_classes(groups)
    return {c: sorted(groups[c]) for c in ordered}, skipped


def _load_all(grouped, where):
    """Read every file's bytes; a file that cannot be read is skipped with its reason."""
    loaded, skipped = {}, []
    for c, files in grouped.items():
        loaded[c] = []
        for name, load in files:
            try:
                loaded[c].append((name, load()))
            except (OSError, RuntimeError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
                skipped.append(f"{where}/{c}/{name}: could not be read ({type(exc).__name__}: {exc}); skipped")
    return loaded, skipped


def dataset_from_folder(folder, test_fraction=0.2, seed=0, size=64):
    """Build a data set from a folder with one sub-folder of photos per class.

    Parameters
    ----------
    folder : str or os.PathLike
        E.g. ``photos/`` holding ``cat/`` and ``non-cat/``.
    test_fraction : float, default 0.2
    seed : int, default 0
    size : int, default 64

    Returns
    -------
    dataset : Dataset
    skipped : list of str
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{folder}: no such folder; expected a folder with one sub-folder per class")
    entries = [(p.relative_to(root).parts, p.read_bytes) for p in sorted(root.rglob("*")) if p.is_file()]
    grouped, skipped = _grouped(entries, root.name)
    loaded, unreadable = _load_all(grouped, root.name)
    dataset, bad = dataset_from_groups(loaded, test_fraction, seed, size, source=f"photos in {root.name}/")
    return dataset, skipped + unreadable + bad


def dataset_from_zip(data, name="upload.zip", test_fraction=0.2, seed=0, size=64):
    """Build a data set from a zip with one folder of photos per class.

    Parameters
    ----------
    data : bytes
    name : str, default "upload.zip"
        Used in messages and as ``Dataset.source``.
    test_fraction : float, default 0.2
    seed : int, default 0
    size : int, default 64

    Returns
    -------
    dataset : Dataset
    skipped : list of str
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValueError(f"{name}: not a zip file; expected a .zip with one folder of photos per class") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > ZIP_MAX_FILES:
            raise ValueError(f"{name}: holds {len(members)} files; at most {ZIP_MAX_FILES} are read")
        total = sum(m.file_size for m in members)
        if total > ZIP_MAX_BYTES:
            raise ValueError(f"{name}: unpacks to {total / 2**20:.0f} MiB; at most {ZIP_MAX_BYTES >> 20} MiB are read")
        entries = [(PurePosixPath(m.filename).parts, (lambda m=m: archive.read(m))) for m in members]
        grouped, skipped = _grouped(entries, name)
        loaded, unreadable = _load_all(grouped, name)
    dataset, bad = dataset_from_groups(loaded, test_fraction, seed, size, source=name)
    return dataset, skipped + unreadable + bad
