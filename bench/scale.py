"""Peak memory and time of a Train click (three runs: raw, / 255, z-score) as the data set grows.

Each image count runs in its own child process, so one size's peak RSS cannot
hide in another's. The child builds a data set of ``m`` training images (and
50 test images) by drawing, with replacement and random flips, from the
loaded data set; then, like the Train page, prepares the shared scaled arrays
and kernels (:class:`logreg_core.pipeline.PreparedDataset`) and steps the three
runs. Run from the repository root::

    python -m bench.scale [--sizes 209,1000,4000,20000] [--iterations 100]
                          [--threads 2] [--compare]

By default the runs are stepped together (:func:`logreg_core.training.step_together`:
raw and / 255 read their shared K once per step, each K's upper triangle only).
``--in-turn`` steps them one after another with full ``K @ v`` products and one
preparing thread, as before; ``--compare`` measures both per size and adds
their ratio.

Times are given as ratios to the smallest size (and with ``--compare`` to the
old way), measured in the same run, with the load average (machines are
shared): no absolute target is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from logreg_core.data import DATA_ENV, Dataset, resolve_dataset
from logreg_core.pipeline import PreparedDataset, start_training
from logreg_core.settings import TrainSettings
from logreg_core.training import step_together

ROOT = Path(__file__).resolve().parent.parent
SIZES = (209, 1000, 4000, 20000)
SCALINGS = ("none", "255", "zscore")


def rss_bytes() -> int:
    """This process's resident set size now."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far (VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def grown(base: Dataset, m: int, seed: int = 0) -> Dataset:
    """A data set of ``m`` training images drawn from ``base`` (half of them mirrored), same test set."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(base.train_y), size=m)
    x = base.train_x[idx]  # one new uint8 array
    flip = rng.random(m) < 0.5
    x[flip] = x[flip, :, ::-1]
    return Dataset(x, base.train_y[idx], base.test_x, base.test_y, base.classes, f"{base.source} ×{m}")


def child(
    m: int, iterations: int, data_dir: str | None, in_turn: bool = False, prepare_threads: int = 1
) -> dict[str, float]:
    """Measure one size in this process; returns the numbers (printed as JSON by ``--child``).

    ``in_turn``: full ``K @ v`` products, runs stepped one after another, kernels one at a time (the old way).
    """
    environ = {DATA_ENV: data_dir} if data_dir else {}
    base = resolve_dataset(environ=environ)
    start_rss = rss_bytes()
    data = grown(base, m)
    pixels = data.train_x.size + data.test_x.size
    del base
    t0 = time.perf_counter()
    # Two threads step z-score's K @ v in one BLAS call (no GIL held) beside the blocked raw and / 255.
    block = 0 if in_turn else {"zscore": 0} if prepare_threads > 1 else None
    prepared = PreparedDataset(data, block=block)
    prepared.scaled("zscore")  # the biggest one-pass scaling first
    scale_peak = peak_rss_bytes()
    if not in_turn:
        prepared.prepare(("zscore", *SCALINGS), threads=prepare_threads)
    runs = []
    for kind in SCALINGS:
        settings = TrainSettings(scaling=kind, num_iterations=iterations, snapshot_every=max(1, iterations // 20))
        run, _ = start_training(data, settings, prepared.scaled(kind))
        runs.append(run)
    t1 = time.perf_counter()
    while not all(r.done for r in runs):
        if in_turn:
            for r in runs:
                r.step(10)
        else:
            step_together(runs, 10, threads=prepare_threads)
    t2 = time.perf_counter()
    return {
        "m": m,
        "pixels": pixels,
        "method": runs[0].method,
        "iterations": iterations,
        "prepare_s": t1 - t0,
        "steps_s": t2 - t1,
        "scale_peak_bytes_per_pixel": (scale_peak - start_rss) / pixels,
        "peak_rss": peak_rss_bytes(),
        "start_rss": start_rss,
        "train_peak_bytes_per_pixel": (peak_rss_bytes() - start_rss) / pixels,
        "shared_bytes": prepared.nbytes,
        "costs": [r.costs for r in runs],
    }


def measure(
    m: int,
    iterations: int,
    data_dir: str | None,
    timeout: float,
    blas_threads: int = 1,
    in_turn: bool = False,
    prepare_threads: int = 1,
) -> dict[str, float] | str:
    """Run :func:`child` for ``m`` images in a fresh process; the numbers, or the reason it failed.

    The child gets ``blas_threads`` BLAS threads (1, as the server runs: on a busy machine a
    multi-threaded matrix-vector product can be several times slower).
    """
    cmd = [sys.executable, "-m", "bench.scale", "--child", str(m), "--iterations", str(iterations)]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    if in_turn:
        cmd += ["--in-turn"]
    cmd += ["--threads", str(prepare_threads)]
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(blas_threads)
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"over {timeout:g} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"exit {done.returncode}: {last[:120]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[tuple[int, str, dict[str, float] | str]], sizes: list[int], iterations: int) -> list[str]:
    """Markdown lines: one row per size and way, times as ratios to the first size and to the old way too."""
    gb = 2**30
    lines = [
        (
            f"| train images | way | form | prepare s | {iterations} it. × 3 runs s | est. 2000 it. s | ratio vs "
            f"{sizes[0]} | vs in turn | scaling peak B/pixel | peak RSS GB | shared arrays GB |"
        ),
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base: dict[str, float] = {}
    old: dict[int, float] = {}
    for m, way, row in rows:
        if isinstance(row, str):
            lines.append(f"| {m:,} | {way} | failed: {row} | | | | | | | | |")
            continue
        est = row["prepare_s"] + row["steps_s"] * 2000 / row["iterations"]
        base.setdefault(way, est)
        if way == "in turn":
            old[m] = est
        vs_old = f"{est / old[m]:.2f}×" if m in old else ""
        lines.append(
            f"| {m:,} | {way} | {row['method']} | {row['prepare_s']:.2f} | {row['steps_s']:.2f} | {est:.1f} | "
            f"{est / base[way]:.1f}× | {vs_old} | {row['scale_peak_bytes_per_pixel']:.1f} | "
            f"{row['peak_rss'] / gb:.2f} | {row['shared_bytes'] / gb:.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Peak RSS and time of a three-run Train per image count.")
    p.add_argument("--sizes", default=",".join(map(str, SIZES)), help="training image counts, comma-separated")
    p.add_argument("--iterations", type=int, default=100, help="iterations per run (default 100)")
    p.add_argument(
        "--data-dir",
        default=None,
        help=f"folder with the course files (default: ${DATA_ENV}, then data/, then the synthetic set)",
    )
    p.add_argument("--timeout", type=float, default=1200, help="seconds per size (default 1200)")
    p.add_argument("--blas-threads", type=int, default=1, help="BLAS threads of each child (default 1, as served)")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads making the kernels and stepping the runs at once (default 1, as served)",
    )
    p.add_argument("--in-turn", action="store_true", help="the old way: full K @ v, runs in turn, one kernel at a time")
    p.add_argument("--compare", action="store_true", help="measure the old way and the new one for each size")
    p.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.iterations < 1:
        p.error("--iterations must be ≥ 1")
    if args.threads < 1 or args.blas_threads < 1:
        p.error("--threads and --blas-threads must be ≥ 1")
    data_dir = args.data_dir or os.environ.get(DATA_ENV)
    if args.child is not None:
        print(json.dumps(child(args.child, args.iterations, data_dir, args.in_turn, args.threads)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1:
        p.error("--sizes must be whole numbers ≥ 1, e.g. 209,1000,4000,20000")
    ways = [True, False] if args.compare else [args.in_turn]
    load = os.getloadavg()
    rows: list[tuple[int, str, dict[str, float] | str]] = []
    for m in sizes:
        for in_turn in ways:
            way = "in turn" if in_turn else "together"
            print(f"… {m} images, {way}", file=sys.stderr, flush=True)
            row = measure(m, args.iterations, data_dir, args.timeout, args.blas_threads, in_turn, args.threads)
            rows.append((m, way, row))
    end = os.getloadavg()
    print(
        f"Train click (raw, / 255, z-score) per image count, each in its own process with "
        f"{args.blas_threads} BLAS thread(s), {args.threads} thread(s) preparing and stepping when together; "
        f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at start, "
        f"{end[0]:.2f} / {end[1]:.2f} / {end[2]:.2f} at end, {os.cpu_count()} CPUs\n"
    )
    print("\n".join(table(rows, sizes, args.iterations)))
    by_size: dict[int, dict[str, dict[str, float]]] = {}
    for m, way, row in rows:
        if isinstance(row, dict):
            by_size.setdefault(m, {})[way] = row
    for m, got in by_size.items():
        if len(got) == 2:
            print(f"\n{m:,} images, costs together vs in turn, largest relative difference over all iterations:")
            for kind, a, b in zip(SCALINGS, got["in turn"]["costs"], got["together"]["costs"], strict=True):
                x, y = np.array(a), np.array(b)
                rel = np.abs(y - x) / np.abs(x)
                print(f"  {kind}: {float(rel.max()):.1e} (first 50: {float(rel[:50].max()):.1e})")
    print(
        "\nScaling peak: (peak RSS after scaling − RSS before the images were made) / pixels, uint8 "
        "images included (target ≤ 9). Est. 2000 it.: prepare + steps × 2000 / iterations."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
