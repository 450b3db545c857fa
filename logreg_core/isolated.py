"""Read uploaded HDF5 files in a child process, so that a file that crashes the HDF5 library ends only the child.

The loader in :mod:`logreg_core.data` already refuses everything hostile it
knows of before reading. This is the second wall, for the server: the child
runs under a memory limit (``RLIMIT_AS``) and a time limit, and any way it
can end other than with a data set or a one-line refusal becomes the same
one-line ``ValueError`` as a damaged file.

The child gets the files' bytes on stdin and answers on stdout with a ``.npz``
(plain arrays, read with ``allow_pickle=False``).
"""
from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np

from .data import Dataset
from .limits import BUDGET, cap_text

__all__ = ["load_dataset_isolated"]

_ROOT = Path(__file__).resolve().parent.parent
_CHILD = "from logreg_core.isolated import _child; _child()"


def _pack(*parts: bytes) -> bytes:
    return b"".join(struct.pack("<Q", len(p)) + p for p in parts)


def _unpack(data: bytes) -> list[bytes]:
    parts, at = [], 0
    while at < len(data):
        (size,) = struct.unpack_from("<Q", data, at)
        parts.append(data[at + 8:at + 8 + size])
        at += 8 + size
    return parts


def _child() -> None:
    """The child's side: limit memory, read the two files, answer with a .npz or an error line."""
    import resource

    limit = int(os.environ.get("LOGREG_CHILD_MEMORY", BUDGET.upload_memory_bytes))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from .data import load_dataset

    train, test, train_name, test_name = _unpack(sys.stdin.buffer.read())
    out = io.BytesIO()
    try:
        dataset = load_dataset(train, test, train_name.decode(), test_name.decode())
    except ValueError as exc:
        np.savez(out, error=np.array(str(exc)))
    except MemoryError:
        np.savez(out, error=np.array(f"{train_name.decode()}: needs more memory than the lab allows; "
                                     f"expected files within the budget (see SECURITY.md)"))
    else:
        np.savez(out, train_x=dataset.train_x, train_y=dataset.train_y, test_x=dataset.test_x,
                 test_y=dataset.test_y, classes=np.array(dataset.classes), source=np.array(dataset.source),
                 synthetic=np.array(dataset.synthetic))
    sys.stdout.buffer.write(out.getvalue())


def load_dataset_isolated(train: bytes, test: bytes, train_name: str = "train upload",
                          test_name: str = "test upload", timeout: float = BUDGET.upload_seconds,
                          memory_bytes: int = BUDGET.upload_memory_bytes) -> Dataset:
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
    stopped = (f"{label}: damaged or not a data file (the reader {{}}); expected HDF5 files in the course's "
               f"format within the lab's limits")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]),
               LOGREG_CHILD_MEMORY=str(int(memory_bytes)), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    payload = _pack(bytes(train), bytes(test), train_name.encode(), test_name.encode())
    try:
        result = subprocess.run([sys.executable, "-c", _CHILD], input=payload, capture_output=True,
                                timeout=timeout, env=env, check=False)
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
            return Dataset(npz["train_x"], npz["train_y"], npz["test_x"], npz["test_y"], classes,
                           str(npz["source"]), synthetic=bool(npz["synthetic"]))
    except ValueError:
        raise
    except Exception:  # an answer that is not what the child writes: treat it as a crash
        raise ValueError(stopped.format("gave no answer")) from None
