"""Command line: ``python -m logreg_core {train,predict,make-dataset,make-synthetic,info}``.

Exit status: 0 on success, 1 when some photos could not be classified,
2 for a usage error (bad argument, missing or unreadable file). Errors are
one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np

from .data import Dataset
from .limits import BUDGET, cap_list, cap_text
from .settings import METHODS, SCALINGS, TrainSettings

if TYPE_CHECKING:
    from .pipeline import Model

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line ("error: … ; see --help") and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {cap_text(message, 300)}; see '{self.prog} --help'\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {cap_text(repr(text), 40)}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1; got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {cap_text(repr(text), 40)}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    parser = _Parser(
        prog="python -m logreg_core",
        description="Logistic regression as a one-neuron network, on 64×64×3 images.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("train", help="train from w = 0, b = 0 and report costs and accuracies")
    p.add_argument("--train", type=Path, help="training HDF5 file (default: see README)")
    p.add_argument("--test", type=Path, help="test HDF5 file (give both or neither)")
    p.add_argument("--lr", type=float, default=0.005, help="learning rate α (default 0.005)")
    p.add_argument("--iterations", type=int, default=2000, help="gradient-descent updates (default 2000)")
    p.add_argument(
        "--scale",
        choices=SCALINGS,
        default="255",
        help="pixel scaling: none (raw 0–255), 255 (divide by 255), zscore (default 255)",
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="direct: the course loop; kernel: same iterates, faster when pixels > images; "
        "auto picks the faster (default auto)",
    )
    p.add_argument("--print-every", type=_positive_int, default=100, help="progress every N iterations (default 100)")
    p.add_argument(
        "--out",
        type=Path,
        help="save the trained model to this file; .npz is added if the name has no suffix (default: not saved)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of progress")

    p = sub.add_parser("predict", help="classify photos with a saved model")
    p.add_argument("--model", type=Path, required=True, help="a .npz saved by 'train --out'")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="photos (PNG, JPEG, …)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per file")

    p = sub.add_parser(
        "make-dataset", help="photos in one sub-folder per class (a folder or a .zip) → train/test HDF5 files"
    )
    p.add_argument("folder", type=Path, help="e.g. photos/ holding cat/ and non-cat/, or photos.zip")
    p.add_argument(
        "--out", type=Path, default=Path("."), help="folder to write the two .h5 files in (default: the current folder)"
    )
    p.add_argument("--test-fraction", type=_fraction, default=0.2, help="share held out (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seed of the train/test split (default 0)")
    p.add_argument(
        "--size",
        type=_positive_int,
        default=64,
        help=f"image side in pixels, {BUDGET.min_side} to {BUDGET.max_side} (default 64)",
    )

    p = sub.add_parser("make-synthetic", help="write the generated default data set as HDF5 files, marked synthetic")
    p.add_argument(
        "--out", type=Path, default=Path("."), help="folder to write the two .h5 files in (default: the current folder)"
    )
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")

    p = sub.add_parser("info", help="describe an HDF5 data file")
    p.add_argument("file", type=Path)
    return parser


def _print(*args: object) -> None:
    print(*args, flush=True)


def _model_path(out: Path) -> Path:
    """Where ``train --out`` writes: the path given, plus ``.npz`` if the name has no suffix; checked writable now.

    Raises
    ------
    UsageError
        For a folder, a device or pipe, a missing folder or one we cannot write in.
    """
    for path in (out, out if out.suffix else out.with_name(out.name + ".npz")):
        shown = cap_text(path, 200)
        if path.is_dir():
            raise UsageError(f"--out {shown}: is a folder; expected the path of a model file to write")
        if path.exists() and not path.is_file():
            raise UsageError(
                f"--out {shown}: is not a regular file (a device or a pipe); expected the path of a model file to write"
            )
        if path.exists() and not os.access(path, os.W_OK):
            raise UsageError(f"--out {shown}: is not writable; expected a file we may write")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"--out {shown}: no such folder {cap_text(parent, 200)}; expected an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {shown}: cannot write in {cap_text(parent, 200)}; expected a writable folder")
    return path


def _save(model: Model, path: Path) -> None:
    """Write the model through a temporary file beside ``path``, so a failed write leaves nothing half-made."""
    from .persistence import model_to_bytes

    data = model_to_bytes(model)
    handle, temporary = tempfile.mkstemp(prefix=".model-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageError(f"--out {cap_text(path, 200)}: cannot write the model ({exc.strerror or exc})") from None


def _cmd_train(args: argparse.Namespace) -> int:
    from .data import resolve_dataset
    from .pipeline import model_from_run, start_training

    if (args.train is None) != (args.test is None):
        raise UsageError("give both --train and --test, or neither")
    try:
        settings = TrainSettings(
            learning_rate=args.lr,
            num_iterations=args.iterations,
            scaling=args.scale,
            method=args.method,
            snapshot_every=min(args.print_every, args.iterations),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out = _model_path(args.out) if args.out else None  # refused before any training
    dataset = resolve_dataset(args.train, args.test)
    run, scaler = start_training(dataset, settings)
    if not args.json:
        _print(f"data: {dataset.summary()}")
        _print(
            f"training: scaling {scaler.label}, α = {settings.learning_rate}, "
            f"{settings.num_iterations} iterations ({run.method} form)"
        )
    while not run.done:
        start = run.iteration
        run.step(args.print_every)
        if not args.json:
            for i in range(start, len(run.costs)):
                if i % args.print_every == 0:
                    _print(f"iteration {i:>6}: cost {run.costs[i]:.6f}")
    final = run.final
    assert final is not None  # a run that has started has a snapshot (an invariant, not user input)
    model = model_from_run(run, scaler, dataset)
    if out is not None:
        _save(model, out)
    if args.json:
        _print(
            json.dumps(
                {
                    "costs": [float(c) for c in run.costs],
                    "train_accuracy": final.train_accuracy,
                    "test_accuracy": final.test_accuracy,
                    "final_cost": final.cost,
                    "iterations_run": run.iteration,
                    "diverged": run.diverged,
                    "method": run.method,
                    "settings": settings.to_dict(),
                    "data": {
                        "source": dataset.source,
                        "synthetic": dataset.synthetic,
                        "train": len(dataset.train_y),
                        "test": len(dataset.test_y),
                        "classes": list(dataset.classes),
                    },
                    "model": str(out) if out is not None else None,
                }
            )
        )
        return 0
    if run.diverged:
        _print(f"diverged after {run.iteration} iterations: the cost stopped being finite; try a smaller learning rate")
    _print(f"final cost:     {final.cost:.6f} (after {run.iteration} iterations)")
    _print(f"train accuracy: {final.train_accuracy:.2f} %")
    _print(f"test accuracy:  {final.test_accuracy:.2f} %")
    if out is not None:
        _print(f"model saved to {out}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from .images import load_photo
    from .persistence import load_model

    model = load_model(args.model, name=cap_text(args.model, 200))
    size = (model.image_shape[0], model.image_shape[1])  # (height, width): each photo is cropped to that aspect
    results: list[dict[str, object]] = []
    failed = 0
    for path in args.files:
        shown = cap_text(path, 200)
        try:
            image = load_photo(path, name=shown, size=size)
            p = float(model.predict_proba_images(image)[0])
            label = model.classes[int(p > model.settings.threshold)]
            results.append({"file": str(path), "label": label, "probability": p})
            if not args.json:
                _print(f"{shown}: {label} (P({model.classes[1]}) = {p:.4f})")
        except ValueError as exc:
            failed += 1
            results.append({"file": str(path), "error": cap_text(exc, 400)})
            if not args.json:
                print(f"error: {cap_text(exc, 400)}", file=sys.stderr, flush=True)
    if args.json:
        _print(json.dumps(results))
    return 1 if failed else 0


def _out_folder(out: Path) -> Path:
    """The folder the .h5 files go in, checked before any work: it may not exist yet, but may not be a file."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {cap_text(out, 200)}: is a file; expected a folder to write the .h5 files in")
    return out


def _write_splits(dataset: Dataset, out: Path) -> None:
    from .data import TEST_FILE, TRAIN_FILE, write_h5

    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, split, x, y in (
            (TRAIN_FILE, "train", dataset.train_x, dataset.train_y),
            (TEST_FILE, "test", dataset.test_x, dataset.test_y),
        ):
            write_h5(out / name, x, y, dataset.classes, split, synthetic=dataset.synthetic)
    except OSError as exc:
        raise UsageError(f"{cap_text(out, 200)}: cannot write the data files ({exc.strerror or exc})") from None
    kind = " (marked synthetic)" if dataset.synthetic else ""
    _print(
        f"wrote {out / TRAIN_FILE} ({len(dataset.train_y)} images) and "
        f"{out / TEST_FILE} ({len(dataset.test_y)} images){kind}; classes {list(dataset.classes)}"
    )


def _cmd_make_dataset(args: argparse.Namespace) -> int:
    from .photoset import dataset_from_folder, dataset_from_zip

    out = _out_folder(args.out)
    if args.folder.is_file() and zipfile.is_zipfile(args.folder):
        dataset, skipped = dataset_from_zip(
            args.folder, cap_text(args.folder.name, 100), args.test_fraction, args.seed, args.size
        )
    elif args.folder.exists() and not args.folder.is_dir():
        raise UsageError(
            f"{cap_text(args.folder, 200)}: neither a folder nor a .zip; expected a folder or a zip "
            f"with one sub-folder of photos per class"
        )
    else:
        dataset, skipped = dataset_from_folder(args.folder, args.test_fraction, args.seed, args.size)
    limit = BUDGET.max_message_items * 4
    for line in skipped[:limit]:
        print(f"skipped: {line}", file=sys.stderr, flush=True)
    if len(skipped) > limit:
        print(f"skipped: and {len(skipped) - limit:,} more", file=sys.stderr, flush=True)
    _write_splits(dataset, out)
    return 0


def _cmd_make_synthetic(args: argparse.Namespace) -> int:
    from .data import synthetic_dataset

    out = _out_folder(args.out)
    _write_splits(synthetic_dataset(args.seed), out)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .data import LOCAL_PIXELS, SYNTHETIC_ATTR, h5_keys, read_split

    shown = cap_text(args.file, 200)
    keys = h5_keys(args.file, name=shown)
    split = "test" if "test_set_x" in keys and "train_set_x" not in keys else "train"
    x, y, classes, synthetic = read_split(args.file, split, name=shown, max_pixel_values=LOCAL_PIXELS)
    kind = f" (synthetic: the file carries {SYNTHETIC_ATTR})" if synthetic else ""
    _print(f"{shown}: {split} split, {len(y)} images of {'×'.join(map(str, x.shape[1:]))}{kind}")
    _print(f"  {split}_set_x: shape {x.shape}, {x.dtype}")
    _print(f"  {split}_set_y: {len(y)} labels")
    _print(f"  keys: {cap_list(sorted(keys))}")
    for label, name in enumerate(classes):
        _print(f"  label {label} = {name!r}: {int(np.sum(y == label))} images")
    return 0


COMMANDS = {
    "train": _cmd_train,
    "predict": _cmd_predict,
    "make-dataset": _cmd_make_dataset,
    "make-synthetic": _cmd_make_synthetic,
    "info": _cmd_info,
}


def _quiet_stdout() -> None:
    """After a closed pipe (``train | head -3``): send the rest of stdout nowhere, so exit is quiet too."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        _quiet_stdout()
        return 141  # the status a shell reports for a command ended by SIGPIPE
    except (UsageError, ValueError) as exc:
        print(f"error: {cap_text(exc, 400)}", file=sys.stderr, flush=True)
        return 2
    except (OSError, MemoryError) as exc:  # a file the system could not read or hold: still the user's file
        print(
            f"error: {cap_text(exc, 400)}; expected a readable file within the lab's limits",
            file=sys.stderr,
            flush=True,
        )
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:  # a bug of ours: still one line, not a traceback
        print(f"error: unexpected {type(exc).__name__}: {cap_text(exc, 300)}", file=sys.stderr, flush=True)
        return 1
