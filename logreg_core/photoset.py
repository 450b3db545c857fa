"""Data sets made from photos: two groups of files, a folder, or a zip.

Each photo goes through :func:`logreg_core.images.load_photo` (the same path
as a photo given to a trained model). A photo that cannot be read is skipped
with a one-line reason; the rest go through. Each class is split into train
and test with the same fraction (stratified), from a seeded generator.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path, PurePosixPath

import numpy as np

from .checks import check_int, check_open_unit
from .data import Dataset
from .images import load_photo
from .limits import BUDGET, cap_list, cap_text

__all__ = ["dataset_from_folder", "dataset_from_groups", "dataset_from_zip", "order_classes"]

#: A zip may hold at most this many files and this many bytes once unpacked (see :mod:`logreg_core.limits`).
ZIP_MAX_FILES = BUDGET.max_zip_members
ZIP_MAX_BYTES = BUDGET.max_zip_bytes
_NEGATIVE_PREFIXES = ("non-", "non_", "non ", "not-", "not_", "not ", "no-", "no_", "no ")
_EXPECTED_ZIP = "expected a .zip with one folder of photos per class"
#: Bytes of a photo, or a function that reads them (a zip member, a file), called once.
PhotoData = bytes | Callable[[], bytes]


def order_classes(names: Iterable[str]) -> tuple[str, str]:
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
    ordered = sorted(names, key=str.casefold)
    if len(ordered) != 2:
        raise ValueError(f"expected exactly 2 classes; got {len(ordered)}: {cap_list(ordered)}")
    first, second = ordered
    if second.casefold().startswith(_NEGATIVE_PREFIXES) and not first.casefold().startswith(_NEGATIVE_PREFIXES):
        first, second = second, first
    return first, second


def _split(n: int, test_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled indices (train, test) of one class, each non-empty."""
    order = rng.permutation(n)
    n_test = min(max(1, int(round(n * test_fraction))), n - 1)
    return order[n_test:], order[:n_test]


def _fetch(data: PhotoData, where: str) -> bytes:
    """The photo's bytes; a read that fails (a damaged zip member, an unreadable file) is one line naming it."""
    if not callable(data):
        return bytes(data)
    try:
        return data()
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    except Exception as exc:  # zipfile, zlib, lzma, bz2 and the OS each raise their own kinds
        raise ValueError(f"{where}: could not be read ({_reason(exc)}); expected an intact file") from None


def _reason(exc: BaseException) -> str:
    """A short reason for an unpacking error, without the object reprs zipfile puts in its messages."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "encrypted; a password would be needed"
    text = re.sub(r"<[^<>]*>", "a member", str(exc)).strip() or "unreadable"
    return cap_text(text[:1].lower() + text[1:], 100)  # the library's words, never its exception class


def dataset_from_groups(
    groups: Mapping[str, Sequence[tuple[str, PhotoData]]],
    test_fraction: float = 0.2,
    seed: int = 0,
    size: int = 64,
    source: str = "uploaded photos",
) -> tuple[Dataset, list[str]]:
    """Build a data set from photos already grouped by class.

    Parameters
    ----------
    groups : mapping of str to list of (str, bytes or callable)
        Exactly two classes, in label order (first = label 0); each maps to
        ``(file name, file bytes)`` pairs (or a function returning the bytes,
        called once, so a large set is never all in memory at once).
    test_fraction : float, default 0.2
        Share of each class held out for testing, in (0, 1).
    seed : int, default 0
        Seed of the shuffle before the split.
    size : int, default 64
        Side of the square images, from ``BUDGET.min_side`` to ``BUDGET.max_side``.
    source : str, default "uploaded photos"
        Recorded as ``Dataset.source``.

    Returns
    -------
    dataset : Dataset
    skipped : list of str
        One line per photo that could not be read.
    """
    classes = [cap_text(c, 60) for c in groups]
    if len(classes) != 2:
        raise ValueError(f"expected photos for exactly 2 classes; got {len(classes)}: {cap_list(classes)}")
    if not all(classes) or classes[0].casefold() == classes[1].casefold():
        raise ValueError(f"the two classes need two different, non-empty names; got {cap_list(classes)}")
    size = check_int("image size", size, BUDGET.min_side, BUDGET.max_side)
    test_fraction = check_open_unit("test fraction", test_fraction)
    count = sum(len(files) for files in groups.values())
    if count > BUDGET.max_photos:
        raise ValueError(f"{source}: {count:,} photos; expected at most {BUDGET.max_photos:,}")
    if count * size * size * 3 > BUDGET.max_pixel_values:
        raise ValueError(
            f"{source}: {count:,} photos of {size}×{size} make {count * size * size * 3:,} pixel "
            f"values; expected at most {BUDGET.max_pixel_values:,} — choose a smaller size"
        )
    rng = np.random.default_rng(seed)
    skipped: list[str] = []
    parts: dict[str, tuple[list[np.ndarray], list[int]]] = {"train": ([], []), "test": ([], [])}
    for label, (name, files) in enumerate(groups.items()):
        images, refused = [], []
        for file_name, data in files:
            where = f"{cap_text(name, 60)}/{cap_text(file_name, 100)}"
            try:
                images.append(load_photo(_fetch(data, where), name=where, size=int(size)))
            except ValueError as exc:
                refused.append(cap_text(exc, 300))
        skipped += refused
        if len(images) < 2:
            why = f" — {refused[0]}" if refused else ""
            raise ValueError(
                f"class {cap_text(name, 60)!r}: {len(images)} readable photo(s) of {len(files)}; "
                f"expected at least 2 (one to train on, one to test){why}"
            )
        train_idx, test_idx = _split(len(images), test_fraction, rng)
        for split, idx in (("train", train_idx), ("test", test_idx)):
            parts[split][0].extend(images[i] for i in idx)
            parts[split][1].extend([label] * len(idx))
    arrays = {}
    for split, (xs, ys) in parts.items():
        order = rng.permutation(len(ys))  # mix the classes
        arrays[split] = (np.stack(xs)[order], np.array(ys, dtype=np.int64)[order])
    return (Dataset(*arrays["train"], *arrays["test"], tuple(classes), source), skipped)


def _is_hidden(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


Entry = tuple[tuple[str, ...], PhotoData]


def _grouped(entries: list[Entry], where: str) -> tuple[dict[str, list[tuple[str, PhotoData]]], list[str]]:
    """Group (relative path parts, bytes loader) by their class folder."""
    nameless = sum(1 for parts, _ in entries if not parts)
    entries = [(parts, load) for parts, load in entries if parts and not _is_hidden(parts)]
    # One wrapping folder (e.g. "photos/cat/…", "photos/non-cat/…") is looked through.
    while (
        entries
        and all(len(p) >= 2 for p, _ in entries)
        and any(len(p) > 2 for p, _ in entries)
        and len({p[0] for p, _ in entries}) == 1
    ):
        entries = [(p[1:], load) for p, load in entries]
    groups: dict[str, list[tuple[str, PhotoData]]] = {}
    loose = []
    for parts, load in entries:
        if len(parts) < 2:
            loose.append("/".join(parts))
            continue
        groups.setdefault(parts[0], []).append(("/".join(parts[1:]), load))
    if len(groups) != 2:
        raise ValueError(
            f"{where}: expected one folder per class, exactly 2 (e.g. cat/ and non-cat/); "
            f"got {len(groups):,}: {cap_list(sorted(groups))}"
        )
    skipped = [f"{where}/{cap_text(name, 100)}: not inside a class folder; skipped" for name in loose]
    if nameless:
        skipped.append(f"{where}: {nameless} member(s) without a name; skipped")
    ordered = order_classes(groups)
    return {c: sorted(groups[c], key=lambda item: item[0]) for c in ordered}, skipped


def dataset_from_folder(
    folder: str | os.PathLike[str], test_fraction: float = 0.2, seed: int = 0, size: int = 64
) -> tuple[Dataset, list[str]]:
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
        raise ValueError(f"{cap_text(folder, 100)}: no such folder; expected a folder with one sub-folder per class")
    entries: list[Entry] = []
    for p in root.rglob("*"):
        if not p.is_file():  # also leaves out pipes and devices: nothing that could block
            continue
        entries.append((p.relative_to(root).parts, p.read_bytes))
        if len(entries) > BUDGET.max_photos:
            raise ValueError(
                f"{cap_text(root.name, 100)}: holds more than {BUDGET.max_photos:,} files; "
                f"expected at most {BUDGET.max_photos:,} photos"
            )
    entries.sort(key=lambda entry: entry[0])
    grouped, skipped = _grouped(entries, cap_text(root.name, 100))
    dataset, bad = dataset_from_groups(
        grouped, test_fraction, seed, size, source=f"photos in {cap_text(root.name, 100)}/"
    )
    return dataset, skipped + bad


def _members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The files of a zip, checked against the budget from its directory (nothing unpacked yet)."""
    members = [m for m in archive.infolist() if not m.filename.endswith("/")]
    if len(members) > ZIP_MAX_FILES:
        raise ValueError(f"{name}: holds {len(members):,} files; expected at most {ZIP_MAX_FILES:,}")
    total = sum(m.file_size for m in members)
    if total > ZIP_MAX_BYTES:
        raise ValueError(f"{name}: unpacks to {total / 2**20:,.0f} MiB; expected at most {ZIP_MAX_BYTES >> 20} MiB")
    return members


def _parts(member_name: str) -> tuple[str, ...]:
    """A member's path as parts, without a leading "/", "." or "..": names only, nothing is extracted."""
    return tuple(p for p in PurePosixPath(member_name.replace("\\", "/")).parts if p not in ("/", ".", ".."))


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """One member's bytes, refused unread when it declares more than a photo may be."""
    if member.file_size > BUDGET.max_photo_file_bytes:
        raise ValueError(
            f"unpacks to {member.file_size:,} bytes; expected a photo of at most "
            f"{BUDGET.max_photo_file_bytes >> 20} MiB"
        )
    return archive.read(member)


def dataset_from_zip(
    data: bytes | str | os.PathLike[str],
    name: str = "upload.zip",
    test_fraction: float = 0.2,
    seed: int = 0,
    size: int = 64,
) -> tuple[Dataset, list[str]]:
    """Build a data set from a zip with one folder of photos per class.

    Members are read one at a time, straight into :func:`load_photo`; a
    member that cannot be unpacked (damaged, encrypted, an unknown method or
    version) is skipped with one line naming it.

    Parameters
    ----------
    data : bytes, or a path to a .zip
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
    name = cap_text(name, 100)
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        if not path.is_file():
            raise ValueError(f"{name}: no such file, or not a regular file; {_EXPECTED_ZIP}")
        if path.stat().st_size > BUDGET.max_zip_bytes:
            raise ValueError(
                f"{name}: the file is {path.stat().st_size / 2**20:,.0f} MiB; expected at most "
                f"{BUDGET.max_zip_bytes >> 20} MiB"
            )
        data = path.read_bytes()
    raw = bytes(data)
    # Each directory entry starts with this signature: a cheap upper bound before zipfile parses them all.
    if raw.count(b"PK\x01\x02") > 2 * ZIP_MAX_FILES:
        raise ValueError(f"{name}: holds more than {2 * ZIP_MAX_FILES:,} entries; expected at most {ZIP_MAX_FILES:,}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as exc:  # BadZipFile, NotImplementedError (version 9.9), OSError, …: not usable
        raise ValueError(f"{name}: damaged or not a zip file ({_reason(exc)}); {_EXPECTED_ZIP}") from None
    with archive:
        try:
            members = _members(archive, name)
        except ValueError:
            raise
        except Exception as exc:
            raise ValueError(f"{name}: damaged or not a zip file ({_reason(exc)}); {_EXPECTED_ZIP}") from None
        entries: list[Entry] = [(_parts(m.filename), partial(_read_member, archive, m)) for m in members]
        grouped, skipped = _grouped(entries, name)
        dataset, bad = dataset_from_groups(grouped, test_fraction, seed, size, source=name)
    return dataset, skipped + bad
