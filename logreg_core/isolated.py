"""Read uploads in a child process, so that a file that crashes HDF5 or an image decoder ends only the child.

The loader in :mod:`logreg_core.data` already refuses everything hostile it
knows of before reading. This is the second wall, for the server: the child
runs under a memory limit (``RLIMIT_AS``) and a time limit, and any way it
can end other than with a data set or a one-line refusal becomes the same
one-line ``ValueError`` as a damaged file.

The child gets the files' bytes on stdin and answers on stdout with a ``.npz``
(plain arrays, read with ``allow_pickle=False``).

A single photo (Predict, Capture) is decoded the same way but in a child of
:mod:`logreg_core.fork_server`, which has the decoder imported already
(:func:`load_photo_isolated`): a few milliseconds instead of a fresh
interpreter's few hundred. Its answer is one ``.npy`` array, also read without
pickles: the server never unpickles what a child that read a hostile file
sends back.
"""

from __future__ import annotations

import io
import json
import logging
import os
import struct
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import fork_server
from .data import Dataset
from .images import EXPECTED_IMAGE
from .limits import BUDGET, cap_text

__all__ = [
    "DecoderBusy",
    "call_forked",
    "dataset_from_groups_isolated",
    "dataset_from_zip_isolated",
    "load_dataset_isolated",
    "load_photo_isolated",
]

_ROOT = Path(__file__).resolve().parent.parent
_CHILD = "from logreg_core.isolated import _child; _child()"
_NO_MEMORY = "the upload needs more memory than the lab allows; expected files within the budget (see SECURITY.md)"


def _pack(*parts: bytes) -> bytes:
    return b"".join(struct.pack("<Q", len(p)) + p for p in parts)


def _unpack(data: bytes) -> list[bytes]:
    parts, at = [], 0
    while at < len(data):
        (size,) = struct.unpack_from("<Q", data, at)
        parts.append(data[at + 8 : at + 8 + size])
        at += 8 + size
    return parts


def _answer(dataset: Dataset, skipped: list[str]) -> bytes:
    out = io.BytesIO()
    np.savez(
        out,
        train_x=dataset.train_x,
        train_y=dataset.train_y,
        test_x=dataset.test_x,
        test_y=dataset.test_y,
        classes=np.array(dataset.classes),
        source=np.array(dataset.source),
        synthetic=np.array(dataset.synthetic),
        skipped=np.array(skipped, dtype=str),
    )
    return out.getvalue()


def _child() -> None:
    """The child's side: limit memory, build the data set, answer with a .npz or an error line."""
    import resource

    limit = int(os.environ.get("LOGREG_CHILD_MEMORY", BUDGET.upload_memory_bytes))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from .data import load_dataset
    from .photoset import dataset_from_groups, dataset_from_zip

    kind, options, *files = _unpack(sys.stdin.buffer.read())
    args = json.loads(options)
    try:
        if kind == b"h5":
            train, test = files
            answer = _answer(load_dataset(train, test, args["train_name"], args["test_name"]), [])
        elif kind == b"zip":
            answer = _answer(*dataset_from_zip(files[0], **args))
        else:
            counts, names = args.pop("counts"), args.pop("names")
            groups, at = {}, 0
            for (label, n), file_names in zip(counts, names, strict=True):
                groups[label] = list(zip(file_names, files[at : at + n], strict=True))
                at += n
            answer = _answer(*dataset_from_groups(groups, **args))
    except ValueError as exc:
        out = io.BytesIO()
        np.savez(out, error=np.array(str(exc)))
        answer = out.getvalue()
    except MemoryError:
        out = io.BytesIO()
        np.savez(out, error=np.array(_NO_MEMORY))
        answer = out.getvalue()
    sys.stdout.buffer.write(answer)


def _run(
    kind: str, options: Mapping[str, object], files: list[bytes], label: str, timeout: float, memory_bytes: int
) -> tuple[Dataset, list[str]]:
    """Run the child on ``files``; its data set and skipped lines, or the one-line ValueError."""
    stopped = (
        f"{label}: damaged or not a data file (the reader {{}}); expected files in the course's "
        f"format within the lab's limits"
    )
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]),
        LOGREG_CHILD_MEMORY=str(int(memory_bytes)),
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    payload = _pack(kind.encode(), json.dumps(options).encode(), *files)
    try:
        result = subprocess.run(
            [sys.executable, "-c", _CHILD], input=payload, capture_output=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise ValueError(stopped.format(f"took more than {timeout:g} s")) from None
    if result.returncode != 0:
        why = "ran out of memory" if b"MemoryError" in result.stderr else f"stopped with status {result.returncode}"
        raise ValueError(stopped.format(why))
    try:
        with np.load(io.BytesIO(result.stdout), allow_pickle=False) as npz:
            if "error" in npz.files:
                raise ValueError(str(npz["error"]))
            classes = tuple(str(c) for c in npz["classes"])
            dataset = Dataset(
                npz["train_x"],
                npz["train_y"],
                npz["test_x"],
                npz["test_y"],
                classes,
                str(npz["source"]),
                synthetic=bool(npz["synthetic"]),
            )
            return dataset, [str(line) for line in npz["skipped"]]
    except ValueError:
        raise
    except Exception:  # an answer that is not what the child writes: treat it as a crash
        raise ValueError(stopped.format("gave no answer")) from None


def load_dataset_isolated(
    train: bytes,
    test: bytes,
    train_name: str = "train upload",
    test_name: str = "test upload",
    timeout: float = BUDGET.upload_seconds,
    memory_bytes: int = BUDGET.upload_memory_bytes,
) -> Dataset:
    """:func:`logreg_core.data.load_dataset` on uploaded bytes, in a child process with limits.

    Parameters
    ----------
    train, test : bytes
        The two uploaded HDF5 files.
    train_name, test_name : str, default "train upload" and "test upload"
        Names for messages and ``Dataset.source``.
    timeout : float, default ``BUDGET.upload_seconds``
        Seconds the child may take.
    memory_bytes : int, default ``BUDGET.upload_memory_bytes``
        Address space the child may use.

    Returns
    -------
    dataset : Dataset

    Raises
    ------
    ValueError
        The loader's one line, or "damaged or not a data file" when the child
        crashed, ran out of time or memory.
    """
    label = f"{cap_text(train_name, 100)} + {cap_text(test_name, 100)}"
    options = {"train_name": train_name, "test_name": test_name}
    dataset, _ = _run("h5", options, [bytes(train), bytes(test)], label, timeout, memory_bytes)
    return dataset


def dataset_from_zip_isolated(
    data: bytes,
    name: str = "upload.zip",
    test_fraction: float = 0.2,
    seed: int = 0,
    size: int = 64,
    timeout: float = BUDGET.photo_set_seconds,
    memory_bytes: int = BUDGET.upload_memory_bytes,
) -> tuple[Dataset, list[str]]:
    """:func:`logreg_core.photoset.dataset_from_zip` in a child process with limits (same parameters).

    Returns
    -------
    dataset : Dataset
    skipped : list of str
    """
    options = {"name": name, "test_fraction": test_fraction, "seed": seed, "size": size}
    return _run("zip", options, [bytes(data)], cap_text(name, 100), timeout, memory_bytes)


def dataset_from_groups_isolated(
    groups: dict[str, list[tuple[str, bytes]]],
    test_fraction: float = 0.2,
    seed: int = 0,
    size: int = 64,
    source: str = "uploaded photos",
    timeout: float = BUDGET.photo_set_seconds,
    memory_bytes: int = BUDGET.upload_memory_bytes,
) -> tuple[Dataset, list[str]]:
    """:func:`logreg_core.photoset.dataset_from_groups` in a child process with limits (same parameters).

    Returns
    -------
    dataset : Dataset
    skipped : list of str
    """
    counts = [(str(label), len(files)) for label, files in groups.items()]
    names = [[str(name) for name, _ in files] for files in groups.values()]
    files = [bytes(data) for group in groups.values() for _, data in group]
    options = {
        "test_fraction": test_fraction,
        "seed": seed,
        "size": size,
        "source": source,
        "counts": counts,
        "names": names,
    }
    return _run("photos", options, files, cap_text(source, 100), timeout, memory_bytes)


# -- one photo, forked from a fork server ------------------------------------------------------------


class DecoderBusy(ValueError):
    """The photo could not be decoded now (the decoder was busy or not running): nothing is wrong with it.

    Callers that remember refusals (a cache) should not remember this one.
    """


def call_forked(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    label: str,
    timeout: float,
    memory_bytes: int,
    max_answer_bytes: int = 64 << 20,
) -> np.ndarray:
    """``target(*args)`` in a child forked from the fork server: its array, or its one-line ValueError.

    Parameters
    ----------
    target : callable
        A module-level function (the child imports it by name) returning an array.
    args : tuple
        Its arguments, picklable (bytes, str, int).
    label : str
        Names the input in a message.
    timeout : float
        Seconds the child may take.
    memory_bytes : int
        Address space the child may use.
    max_answer_bytes : int, default 64 MiB
        Longest answer read back.

    Returns
    -------
    result : ndarray
        Read with ``allow_pickle=False``.

    Raises
    ------
    ValueError
        ``target``'s own one line; or "damaged or not an image" when the child crashed, ran out of time or
        memory, or answered with something else.
    DecoderBusy
        A ValueError too: no child was free within ``timeout``, or the fork server cannot be reached.
    """
    if not fork_server.available():  # Windows: no fork; decoded in this process
        return np.asarray(target(*args))
    stopped = f"{label}: damaged or not an image (the decoder {{}}); {EXPECTED_IMAGE}"
    try:
        kind, payload = fork_server.PHOTOS.call(target, args, timeout, memory_bytes, max_answer_bytes)
    except (OSError, EOFError, RuntimeError) as exc:
        logging.getLogger(__name__).warning("the photo decoder's fork server is not answering", exc_info=True)
        raise DecoderBusy(
            f"{label}: the lab's photo decoder is not answering ({type(exc).__name__}); "
            f"expected it to run - try again, and tell the teacher if it lasts (the server's log says more)"
        ) from None
    if kind == "B":
        raise DecoderBusy(
            f"{label}: the lab's photo decoder was busy with other photos for {timeout:g} s; "
            f"expected a free moment - try again shortly"
        )
    if kind == "E":
        raise ValueError(cap_text(payload.decode("utf-8", "replace"), 400))
    if kind == "M":
        raise ValueError(stopped.format(f"needed more than {memory_bytes / 2**30:.1f} GiB of memory"))
    if kind == "T":
        raise ValueError(stopped.format(f"took more than {timeout:g} s"))
    try:
        if kind != "A":
            raise ValueError
        result: np.ndarray = np.load(io.BytesIO(payload), allow_pickle=False)
    except Exception:  # a child that crashed, was stopped, or answered with something else
        raise ValueError(stopped.format("crashed or gave no answer")) from None
    return result


def load_photo_isolated(
    data: bytes,
    name: str = "upload",
    size: int | tuple[int, int] = 64,
    timeout: float = BUDGET.upload_seconds,
    memory_bytes: int = BUDGET.upload_memory_bytes,
) -> np.ndarray:
    """:func:`logreg_core.images.load_photo` on uploaded bytes, in a forked child with limits.

    Parameters
    ----------
    data : bytes
        The encoded photo.
    name : str, default "upload"
        For messages.
    size : int or tuple of int (height, width), default 64
    timeout : float, default ``BUDGET.upload_seconds``
    memory_bytes : int, default ``BUDGET.upload_memory_bytes``

    Returns
    -------
    image : ndarray of shape (height, width, 3), dtype uint8

    Raises
    ------
    ValueError
        The loader's one line, or "damaged or not an image" when the decoder crashed, ran out of time or
        memory.
    """
    from .images import load_photo

    height, width = (size, size) if isinstance(size, int) else size
    image = call_forked(load_photo, (bytes(data), str(name), size), cap_text(name, 100), timeout, memory_bytes)
    if image.dtype != np.uint8 or image.shape != (height, width, 3):
        raise ValueError(
            f"{cap_text(name, 100)}: damaged or not an image (the decoder gave an array of shape {image.shape}); "
            f"{EXPECTED_IMAGE}"
        )
    return image
