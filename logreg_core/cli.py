"""Command line: ``python -m logreg_core {train,predict,make-dataset,make-synthetic,info}``.

Exit status: 0 on success, 1 when some photos could not be classified,
2 for a usage error (bad argument, missing or unreadable file). Errors are
one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .settings import METHODS, SCALINGS, TrainSettings

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit status 2."""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1; got {value}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text}")
    return value


def build_parser():
    """The argument parser (exposed for tests and ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m logreg_core",
        description="Logistic regression as a one-neuron network, on 64×64×3 images.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("train", help="train from w = 0, b = 0 and report costs and accuracies")
    p.add_argument("--train", type=Path, help="training HDF5 file (default: see README)")
    p.add_argument("--test", type=Path, help="test HDF5 file (give both or neither)")
    p.add_argument("--lr", type=float, default=0.005, help="learning rate α (default 0.005)")
    p.add_argument("--iterations", type=int, default=2000, help="gradient-descent updates (default 2000)")
    p.add_argument("--scale", choices=SCALINGS, default="255",
                   help="pixel scaling: none (raw 0–255), 255 (divide by 255), zscore (default 255)")
    p.add_argument("--method", choices=METHODS, default="auto",
                   help="direct: the course loop; kernel: same iterates, faster when pixels > images")
    p.add_argument("--print-every", type=_positive_int, default=100, help="progress every N iterations")
    p.add_argument("--out", type=Path, help="save the trained model to this .npz")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of progress")

    p = sub.add_parser("predict", help="classify photos with a saved model")
    p.add_argument("--model", type=Path, required=True, help="a .npz saved by 'train --out'")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="photos (PNG, JPEG, …)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per file")

    p = sub.add_parser("make-dataset", help="photos in one sub-folder per class → train/test HDF5 files")
    p.add_argument("folder", type=Path, help="e.g. photos/ holding cat/ and non-cat/")
    p.add_argument("--out", type=Path, default=Path("."), help="folder to write the two .h5 files in")
    p.add_argument("--test-fraction", type=_fraction, default=0.2, help="share held out (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seed of the train/test split (default 0)")
    p.add_argument("--size", type=_positive_int, default=64, help="image side in pixels (default 64)")

    p = sub.add_parser("make-synthetic", help="write the generated default data set as HDF5 files")
    p.add_argument("--out", type=Path, default=Path("."), help="folder to write the two .h5 files in")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")

    p = sub.add_parser("info", help="describe an HDF5 data file")
    p.add_argument("file", type=Path)
    return parser


def _print(*args, **kwargs):
    print(*args, **kwargs, flush=True)


def _cmd_train(args):
    from .data import resolve_dataset
    from .persistence import save_model
    from .pipeline import model_from_run, start_training

    if (args.train is None) != (args.test is None):
        raise UsageError("give both --train and --test, or neither")
    try:
        settings = TrainSettings(learning_rate=args.lr, num_iterations=args.iterations,
                                 scaling=args.scale, method=args.method,
                                 snapshot_every=min(args.print_every, args.iterations))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    dataset = resolve_dataset(args.train, args.test)
    run, scaler = start_training(dataset, settings)
    if not args.json:
        _print(f"data: {dataset.summary()}")
        _print(f"training: scaling {scaler.label}, α = {settings.learning_rate}, "
               f"{settings.num_iterations} iterations ({run.method} form)")
    while not run.done:
        start = run.iteration
        run.step(args.print_every)
        if not args.json:
            for i in range(start, len(run.costs)):
                if i % args.print_every == 0:
                    _print(f"iteration {i:>6}: cost {run.costs[i]:.6f}")
    final = run.final
    model = model_from_run(run, scaler, dataset)
    if args.out:
        try:
            save_model(model, args.out)
        except OSError as exc:
            raise UsageError(f"{args.out}: cannot write the model ({exc.strerror or exc})") from None
    if args.json:
        _print(json.dumps({
            "costs": [float(c) for c in run.costs],
            "train_accuracy": final.train_accuracy,
            "test_accuracy": final.test_accuracy,
            "final_cost": final.cost,
            "iterations_run": run.iteration,
            "diverged": run.diverged,
            "method": run.method,
            "settings": settings.to_dict(),
            "data": {"source": dataset.source, "synthetic": dataset.synthetic,
                     "train": int(len(dataset.train_y)), "test": int(len(dataset.test_y)),
                     "classes": list(dataset.classes)},
            "model": str(args.out) if args.out else None,
        }))
        return 0
    if run.diverged:
        _print(f"diverged after {run.iteration} iterations: the cost stopped being finite; "
               f"try a smaller learning rate")
    _print(f"train accuracy: {final.train_accuracy:.2f} %")
    _print(f"test accuracy:  {final.test_accuracy:.2f} %")
    if args.out:
        _print(f"model saved to {args.out}")
    return 0


def _cmd_predict(args):
    from .images import load_photo
    from .persistence import load_model

    model = load_model(args.model)
    size = model.image_shape[:2]          # (height, width): each photo is cropped to that aspect
    results, failed = [], 0
    for path in args.files:
        try:
            image = load_photo(path, name=str(path), size=size)
            p = float(model.predict_proba_images(image)[0])
            label = model.classes[int(p > model.settings.threshold)]
            results.append({"file": str(path), "label": label, "probability": p})
            if not args.json:
                _print(f"{path}: {label} (P({model.classes[1]}) = {p:.4f})")
        except ValueError as exc:
            failed += 1
            results.append({"file": str(path), "error": str(exc)})
            if not args.json:
                print(f"error: {exc}", file=sys.stderr, flush=True)
    if args.json:
        _print(json.dumps(results))
    return 1 if failed else 0


def _write_splits(dataset, out):
    from .data import TEST_FILE, TRAIN_FILE, write_h5

    try:
        out.mkdir(parents=True, exist_ok=True)
        write_h5(out / TRAIN_FILE, dataset.train_x, dataset.train_y, dataset.classes, "train")
        write_h5(out / TEST_FILE, dataset.test_x, dataset.test_y, dataset.classes, "test")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the data files ({exc.strerror or exc})") from None
    _print(f"wrote {out / TRAIN_FILE} ({len(dataset.train_y)} images) and "
           f"{out / TEST_FILE} ({len(dataset.test_y)} images); classes {list(dataset.classes)}")


def _cmd_make_dataset(args):
    from .photoset import dataset_from_folder

    dataset, skipped = dataset_from_folder(args.folder, args.test_fraction, args.seed, args.size)
    for line in skipped:
        print(f"skipped: {line}", file=sys.stderr, flush=True)
    _write_splits(dataset, args.out)
    return 0


def _cmd_make_synthetic(args):
    from .data import synthetic_dataset

    _write_splits(synthetic_dataset(args.seed), args.out)
    return 0


def _cmd_info(args):
    import h5py

    from .data import read_h5

    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    if not h5py.is_hdf5(args.file):
        raise UsageError(f"{args.file}: not an HDF5 file; expected the course's .h5 format")
    with h5py.File(args.file, "r") as f:
        keys = {k: (f[k].shape, str(f[k].dtype)) for k in f if isinstance(f[k], h5py.Dataset)}
    split = "train" if "train_set_x" in keys else "test"
    x, y, classes = read_h5(args.file, split)
    _print(f"{args.file}: {split} split, {len(y)} images of {'×'.join(map(str, x.shape[1:]))}")
    for k, (shape, dtype) in keys.items():
        _print(f"  {k}: shape {shape}, {dtype}")
    for label, name in enumerate(classes):
        _print(f"  label {label} = {name!r}: {int(np.sum(y == label))} images")
    return 0


COMMANDS = {"train": _cmd_train, "predict": _cmd_predict, "make-dataset": _cmd_make_dataset,
            "make-synthetic": _cmd_make_synthetic, "info": _cmd_info}


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:  # a bug of ours: still one line, not a traceback
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
