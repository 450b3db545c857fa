"""Save a :class:`~logreg_core.pipeline.Model` as one ``.npz`` and load it back.

The file holds only plain arrays (no pickles): w, b, the scaling and its
fitted mean/std, the image shape, the class names, the settings as JSON and
the cost history. It is read with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import zipfile
from typing import IO, Union

import numpy as np

from .limits import BUDGET, cap_list, cap_text
from .pipeline import Model
from .preprocess import Scaler
from .settings import TrainSettings

__all__ = ["save_model", "load_model", "model_to_bytes", "FORMAT_VERSION"]

FORMAT_VERSION = 1
#: A model holds w, the z-score mean/std and the costs: a few MB. Larger is not a model of ours.
MAX_MODEL_BYTES = 64 << 20
_KEYS = (
    "format_version",
    "w",
    "b",
    "scaling",
    "scaling_mean",
    "scaling_std",
    "image_shape",
    "classes",
    "settings_json",
    "costs",
)


ModelSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]


def _arrays(model: Model) -> dict[str, np.ndarray]:
    empty = np.zeros(0)
    return {
        "format_version": np.array(FORMAT_VERSION),
        "w": model.w,
        "b": np.array(model.b),
        "scaling": np.array(model.scaler.kind),
        "scaling_mean": model.scaler.mean if model.scaler.mean is not None else empty,
        "scaling_std": model.scaler.std if model.scaler.std is not None else empty,
        "image_shape": np.array(model.image_shape, dtype=np.int64),
        "classes": np.array(model.classes, dtype=str),
        "settings_json": np.array(json.dumps(model.settings.to_dict())),
        "costs": model.costs,
    }


def save_model(model: Model, path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write a model to ``path`` (``.npz``).

    Parameters
    ----------
    model : Model
    path : str, os.PathLike or binary file object
    """
    np.savez(path, **_arrays(model))  # type: ignore[arg-type]  # numpy's stub mixes the arrays with allow_pickle


def model_to_bytes(model: Model) -> bytes:
    """The ``.npz`` file's bytes, e.g. for a download button."""
    buffer = io.BytesIO()
    save_model(model, buffer)
    return buffer.getvalue()


def _looks_like_zip(source: str | os.PathLike[str] | IO[bytes]) -> bool:
    """True if the file starts with a zip header; leaves a file object where it was."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            head = f.read(4)
    else:
        position = source.tell()
        head = source.read(4)
        source.seek(position)
    return head == b"PK\x03\x04"


def _check_header(archive: zipfile.ZipFile, key: str, label: str) -> None:
    """Refuse an array whose header declares more bytes than its member holds, or objects, before reading it."""
    info = archive.getinfo(f"{key}.npy")
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    if dtype.hasobject:
        raise ValueError(f"{label}: key {key!r} holds Python objects; expected plain arrays")
    declared = math.prod(shape) * dtype.itemsize
    if declared > info.file_size:
        raise ValueError(
            f"{label}: key {key!r} declares {declared:,} bytes but holds {info.file_size:,}; "
            f"expected a .npz saved by this lab"
        )


def load_model(source: ModelSource, name: str | None = None) -> Model:
    """Read a model saved by :func:`save_model`.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
    name : str or None, default None
        Used in error messages.

    Returns
    -------
    model : Model

    Raises
    ------
    ValueError
        The file is missing, empty, not an ``.npz``, lacks a key, or holds
        values that do not make a model.
    """
    label = cap_text(name or (os.fspath(source) if isinstance(source, (str, os.PathLike)) else "model upload"), 200)
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) > MAX_MODEL_BYTES:
            raise ValueError(
                f"{label}: the file is {len(source):,} bytes; a model of this lab is at most "
                f"{MAX_MODEL_BYTES >> 20} MiB"
            )
        source = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        try:
            info = os.stat(source)
        except OSError:
            raise ValueError(f"{label}: no such file; expected a model .npz saved by this lab") from None
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(
                f"{label}: is not a regular file (a folder, a pipe or a device); "
                f"expected a model .npz saved by this lab"
            )
        if info.st_size > MAX_MODEL_BYTES:
            raise ValueError(
                f"{label}: the file is {info.st_size:,} bytes; a model of this lab is at most "
                f"{MAX_MODEL_BYTES >> 20} MiB"
            )
    if not _looks_like_zip(source):
        raise ValueError(f"{label}: not a .npz file (an .npz is a zip archive); expected a model saved by this lab")
    try:
        with np.load(source, allow_pickle=False) as npz:
            unpacked = sum(info.file_size for info in npz.zip.infolist())
            if unpacked > MAX_MODEL_BYTES:
                raise ValueError(
                    f"{label}: unpacks to {unpacked / 2**20:.0f} MiB; a model of this lab "
                    f"is at most {MAX_MODEL_BYTES >> 20} MiB"
                )
            missing = [k for k in _KEYS if k not in npz.files]
            if missing:
                raise ValueError(
                    f"{label}: not a model file of this lab — missing {cap_text(missing[0], 40)!r}; "
                    f"got keys {cap_list(sorted(npz.files))}"
                )
            for key in _KEYS:
                _check_header(npz.zip, key, label)
            a = {k: npz[k] for k in _KEYS}
    except ValueError as exc:
        if str(exc).startswith(label):
            raise
        raise ValueError(
            f"{label}: not a readable model file ({cap_text(exc, 120)}); expected a .npz saved by this lab"
        ) from None
    except Exception as exc:  # zipfile, zlib and numpy's format reader raise many kinds on a damaged file
        raise ValueError(
            f"{label}: not a readable model file ({type(exc).__name__}); expected a .npz saved by this lab"
        ) from None
    version = a["format_version"]
    if version.shape != () or not np.issubdtype(version.dtype, np.integer) or int(version) != FORMAT_VERSION:
        raise ValueError(f"{label}: model format must be {FORMAT_VERSION}; got {cap_text(version.tolist(), 40)}")
    if (
        a["classes"].shape != (2,)
        or a["classes"].dtype.kind != "U"
        or a["classes"].dtype.itemsize > 4 * BUDGET.max_class_name_bytes
    ):
        raise ValueError(
            f"{label}: classes must be 2 names of at most {BUDGET.max_class_name_bytes} characters; "
            f"got shape {a['classes'].shape}, dtype {cap_text(a['classes'].dtype, 20)}"
        )
    if a["settings_json"].shape != () or a["settings_json"].dtype.kind != "U" or a["settings_json"].size > 1:
        raise ValueError(f"{label}: settings must be one JSON text; got shape {a['settings_json'].shape}")
    try:
        kind = str(a["scaling"])
        scaler = Scaler(kind, a["scaling_mean"], a["scaling_std"]) if kind == "zscore" else Scaler(kind)
        settings = TrainSettings(**json.loads(str(a["settings_json"])))
        model = Model(
            a["w"],
            float(a["b"]),
            scaler,
            tuple(int(d) for d in a["image_shape"]),
            tuple(str(c) for c in a["classes"]),
            settings,
            a["costs"],
        )
        if scaler.mean is not None and scaler.mean.size != model.w.size:
            raise ValueError(f"scaling has {scaler.mean.size} features, w has {model.w.size}")
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ValueError(
            f"{label}: the model file is inconsistent ({cap_text(exc, 160)}); expected a .npz saved by this lab"
        ) from None
    return model
