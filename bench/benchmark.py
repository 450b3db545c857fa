"""Benchmark logreg_core's gradient descent against the course loop, in one process.

Run from the repository root (``-m``: the project's packages import without
any path patching)::

    python -m bench.benchmark [--iterations 2000] [--repeat 3] [--data-dir DIR] [--scale]

Every time is compared with a baseline measured in the same process (the
course's loop written plainly below), so the table shows ratios, never
absolute-time assertions. The targets are informational: the exit status is 0
whether they pass or not.

Rows:

1. the course loop (baseline, 1.0×);
2. ``logreg_core`` direct form (``TrainSettings(method="direct")``);
3. ``logreg_core`` kernel form (``method="kernel"``, K = XᵀX included);
4. scikit-learn ``LogisticRegression`` (lbfgs, no penalty) stopped at the
   first iteration whose training cost is ≤ the gradient-descent cost;
5. photo bytes → prediction (JPEG and PNG of 1000×800 made in memory);
6. peak extra memory (tracemalloc) of the direct vs the kernel form;
7. with ``--scale``: peak RSS and time of a three-run Train at 209, 1,000,
   4,000 and 20,000 images, each size in its own child process
   (:mod:`bench.scale`).

Data: as the app picks it (:func:`logreg_core.data.resolve_dataset`): the
folder in ``--data-dir``, else ``$LOGREG_DATA_DIR``, else the project's
``data/``, else the synthetic set (the output says which).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

# -- setup --------------------------------------------------------------------


def parse_args(argv=None):
    """Parse the command line.

    Parameters
    ----------
    argv : list of str or None, default None (``sys.argv[1:]``)

    Returns
    -------
    args : argparse.Namespace
    """
    parser = argparse.ArgumentParser(
        description="Time the course loop, logreg_core's direct and kernel forms, "
        "scikit-learn and photo prediction in one process."
    )
    parser.add_argument(
        "--iterations", type=int, default=2000, help="gradient-descent iterations for every run (default 2000)"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=0.005,
        help="gradient-descent learning rate (default 0.005, the course's)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each fast row; the best (min) is reported (default 3)"
    )
    parser.add_argument(
        "--slow-repeat", type=int, default=1, help="runs of the slow rows (course loop, direct form); default 1"
    )
    parser.add_argument(
        "--photo-runs", type=int, default=20, help="timed loads per photo; the median is reported (default 20)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="folder holding train_catvnoncat.h5 and test_catvnoncat.h5"
    )
    parser.add_argument("--profile", action="store_true", help="also print a cProfile summary of one kernel-form run")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="also measure peak RSS and time of a three-run Train per image count (slow)",
    )
    parser.add_argument(
        "--scale-sizes", default="209,1000,4000,20000", help="image counts for --scale (default 209,1000,4000,20000)"
    )
    parser.add_argument(
        "--scale-iterations",
        type=int,
        default=100,
        help="iterations per run for --scale, extrapolated to 2000 (default 100)",
    )
    args = parser.parse_args(argv)
    for name in ("iterations", "repeat", "slow_repeat", "photo_runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be ≥ 1")
    return args


def load_data(cli_dir, environ):
    """The data set the app would use, or the one in ``--data-dir``.

    Parameters
    ----------
    cli_dir : Path or None
        ``--data-dir``; when given it must hold both course files.
    environ : mapping
        Searched for ``LOGREG_DATA_DIR``.

    Returns
    -------
    dataset : logreg_core.data.Dataset
    folder : str or None
        Where the files came from (None for the synthetic set).
    """
    from logreg_core.data import DATA_ENV, PROJECT_DATA_DIR, resolve_dataset

    if cli_dir is not None:
        environ = {**environ, DATA_ENV: str(cli_dir)}
    try:
        dataset = resolve_dataset(environ=environ)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    folder = environ.get(DATA_ENV) or (None if dataset.synthetic else str(PROJECT_DATA_DIR))
    return dataset, folder


def prepare_arrays(dataset):
    """Flatten and scale a data set as the app does (pixels / 255).

    Returns
    -------
    arrays : dict
        ``X`` (n, m), ``Y`` (m,), ``X_test``, ``Y_test`` as float64, and the
        fitted ``scaler``.
    """
    from logreg_core.preprocess import fit_scaler, flatten

    X_raw = flatten(dataset.train_x)
    scaler = fit_scaler("255", X_raw)
    return {
        "X": scaler.transform(X_raw),
        "Y": dataset.train_y.astype(np.float64),
        "X_test": scaler.transform(flatten(dataset.test_x)),
        "Y_test": dataset.test_y.astype(np.float64),
        "scaler": scaler,
    }


# -- environment description -----------------------------------------------


def blas_description():
    """One line per BLAS library numpy uses (threadpoolctl, else numpy's config)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        lines = []
        for info in threadpool_info():
            if info.get("user_api") != "blas":
                continue
            lines.append(
                f"{info.get('internal_api')} {info.get('version')}, "
                f"threads: {info.get('num_threads')}, arch {info.get('architecture')}, "
                f"{info.get('threading_layer')} ({Path(info.get('filepath', '?')).name})"
            )
        if lines:
            return lines
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return [f"{blas.get('name')} {blas.get('version')} (numpy build config; threadpoolctl not installed)"]
    except Exception as exc:  # older numpy: no dict mode
        return [f"unknown ({type(exc).__name__}: install threadpoolctl for details)"]


def header_lines(dataset, folder, args, environ):
    """The text above the table: date, versions, BLAS, machine and data."""
    coretype = environ.get("OPENBLAS_CORETYPE")
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    try:
        one, five, fifteen = os.getloadavg()
        load = f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
    except OSError:
        load = "load average unknown"
    data_kind = "synthetic set (real files not found)" if dataset.synthetic else f"real files in {folder}"
    lines = [
        f"# logreg_core benchmark — {datetime.datetime.now().isoformat(timespec='seconds')}",
        "",
        f"- Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{cores} usable cores, {load} at start",
    ]
    lines += [f"- BLAS: {line}" for line in blas_description()]
    lines += [
        f"- OPENBLAS_CORETYPE: {coretype!r} (may be set on this machine to pick OpenBLAS kernels)"
        if coretype is not None
        else "- OPENBLAS_CORETYPE: not set (it may be set on this machine)",
        f"- Data: {data_kind} — {dataset.summary()}",
        f"- Gradient descent: {args.iterations} iterations, learning rate {args.learning_rate}, X / 255, "
        f"w = 0, b = 0; times are the best of {args.repeat} runs, taken in turn "
        f"({args.slow_repeat} for the course loop and the direct form)",
    ]
    return lines


# -- timing helpers -----------------------------------------------------------


def best_time(fn, repeat):
    """Run ``fn()`` ``repeat`` times.

    Returns
    -------
    seconds : float
        The fastest run (time.perf_counter).
    result : object
        What the last run returned.
    """
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def round_robin(tasks, repeat):
    """Time several callables in turn, ``repeat`` rounds, so they share the machine's load.

    Parameters
    ----------
    tasks : dict of str to callable
    repeat : int

    Returns
    -------
    timings : dict of str to (seconds, result)
        The fastest run of each task and what its last run returned.
    """
    best = {name: float("inf") for name in tasks}
    results = {}
    for _ in range(repeat):
        for name, fn in tasks.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: (best[name], results[name]) for name in tasks}


def extra_memory(fn):
    """Memory allocated by ``fn()`` above what was live before it (tracemalloc).

    Returns
    -------
    peak : int
        Highest extra bytes at any moment during the call.
    retained : int
        Extra bytes still held just after it, while its result is alive.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        current, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak - before, current - before


def speedup_text(baseline, seconds):
    """'×N faster than the course loop' (or slower)."""
    ratio = baseline / seconds
    if 0.95 <= ratio < 1.05:
        return f"×{ratio:.2f}, about the same as the course loop"
    if ratio >= 1:
        return f"×{ratio:.1f} faster than the course loop"
    return f"×{1 / ratio:.1f} slower than the course loop"


def status(passed):
    """PASS or MISS."""
    return "PASS" if passed else "MISS"


# -- row 1: the course loop ---------------------------------------------------


def course_loop(X, Y, num_iterations, learning_rate):
    """The course's gradient descent, written plainly.

    Parameters
    ----------
    X : ndarray of shape (n, m)
    Y : ndarray of shape (m,)
    num_iterations : int
    learning_rate : float

    Returns
    -------
    w : ndarray of shape (n, 1)
    b : float
    costs : list of float
        The cost every 100 iterations, as the course records it.
    """
    n, m = X.shape
    Y = Y.reshape(1, m)
    w = np.zeros((n, 1))
    b = 0.0
    costs = []
    for i in range(num_iterations):
        A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dw = np.dot(X, (A - Y).T) / m
        db = np.sum(A - Y) / m
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(float(cost))
    return w, float(b), costs


def evaluate(w, b, arrays):
    """Final training cost and train/test accuracy (percent) of (w, b)."""
    from logreg_core.model import accuracy, cost_from_z, predict

    w = np.asarray(w).reshape(-1)
    z = w @ arrays["X"] + b
    return {
        "cost": cost_from_z(z, arrays["Y"]),
        "train_acc": accuracy(predict(w, b, arrays["X"]), arrays["Y"]),
        "test_acc": accuracy(predict(w, b, arrays["X_test"]), arrays["Y_test"]),
    }


def bench_course_loop(arrays, iterations, learning_rate, repeat):
    """Row 1: time the course loop and evaluate its result."""
    seconds, (w, b, _) = best_time(lambda: course_loop(arrays["X"], arrays["Y"], iterations, learning_rate), repeat)
    return {"seconds": seconds, **evaluate(w, b, arrays)}


# -- rows 2 and 3: logreg_core ----------------------------------------------


def library_run(arrays, method, iterations, learning_rate, snapshot_every=100):
    """One full logreg_core run (set-up, K for the kernel form, all steps)."""
    from logreg_core.settings import TrainSettings
    from logreg_core.training import GradientDescent

    settings = TrainSettings(
        learning_rate=learning_rate, num_iterations=iterations, method=method, snapshot_every=snapshot_every
    )
    return GradientDescent(arrays["X"], arrays["Y"], settings, arrays["X_test"], arrays["Y_test"]).run()


def library_row(seconds, run):
    """Rows 2–3: a timing and the final snapshot of a logreg_core run.

    Returns
    -------
    row : dict
        seconds, cost, train_acc, test_acc, run.
    """
    final = run.final
    return {
        "seconds": seconds,
        "cost": final.cost,
        "train_acc": final.train_accuracy,
        "test_acc": final.test_accuracy,
        "run": run,
    }


def bench_fast_rows(arrays, iterations, learning_rate, repeat, sk):
    """Time the kernel form (with and without snapshots), K = XᵀX and scikit-learn in turn.

    Parameters
    ----------
    arrays : dict
        From :func:`prepare_arrays`.
    iterations : int
    learning_rate : float
    repeat : int
        Rounds; the best of each is kept.
    sk : dict or None
        From :func:`sklearn_setup`; scikit-learn is timed only when it reached the target.

    Returns
    -------
    timings : dict of str to (seconds, result)
        Keys "kernel", "kernel_bare", "gram" and, when timed, "sklearn".
    """
    tasks = {
        "kernel": lambda: library_run(arrays, "kernel", iterations, learning_rate),
        "kernel_bare": lambda: library_run(arrays, "kernel", iterations, learning_rate, snapshot_every=iterations),
        "gram": lambda: arrays["X"].T @ arrays["X"],
    }
    if sk is not None and not sk["unreached"]:
        tasks["sklearn"] = lambda: sklearn_fit(sk["X_rows"], sk["Y"], sk["max_iter"])
    return round_robin(tasks, repeat)


def max_relative_difference(values):
    """Largest |a − b| / |b| over pairs of ``values`` (b the first)."""
    ref = values[0]
    return max(abs(v - ref) / abs(ref) for v in values[1:])


def profile_kernel(arrays, iterations, learning_rate, top=15):
    """cProfile summary (by own time) of one kernel-form run, as text."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(library_run, arrays, "kernel", iterations, learning_rate)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# -- row 4: scikit-learn ------------------------------------------------------


def sklearn_estimator(max_iter):
    """An unpenalised lbfgs LogisticRegression for this scikit-learn version.

    scikit-learn ≥ 1.8 spells "no penalty" C=inf (``penalty`` is deprecated),
    1.2–1.7 ``penalty=None``; older versions get a huge C. tol=0 so that only
    ``max_iter`` stops it.
    """
    import sklearn
    from sklearn.linear_model import LogisticRegression

    version = tuple(int(p) for p in sklearn.__version__.split(".")[:2] if p.isdigit())
    if version >= (1, 8):
        no_penalty = {"C": np.inf}
    elif version >= (1, 2):
        no_penalty = {"penalty": None}
    else:
        no_penalty = {"C": 1e12}
    return LogisticRegression(
        solver="lbfgs", fit_intercept=True, tol=0.0, max_iter=max_iter, warm_start=False, **no_penalty
    )


def sklearn_fit(X_rows, Y, max_iter):
    """A fresh fit with ``max_iter``, ConvergenceWarning silenced (it is expected here)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sklearn_estimator(max_iter).fit(X_rows, Y)


def sklearn_cost(clf, X_rows, Y):
    """Mean log-loss of a fitted classifier, via logreg_core.model.cost_from_z."""
    from logreg_core.model import cost_from_z

    return cost_from_z(clf.decision_function(X_rows), Y)


def sklearn_iterations_for(X_rows, Y, target, limit=10_000):
    """Smallest max_iter whose fit reaches a training cost ≤ ``target``.

    Doubles max_iter from 1, then bisects (lbfgs iterates do not depend on
    max_iter, and its cost never rises, so the cost falls with max_iter).

    Returns
    -------
    max_iter : int or None
        None when even ``limit`` iterations stay above ``target``.
    """

    def reaches(k):
        return sklearn_cost(sklearn_fit(X_rows, Y, k), X_rows, Y) <= target

    high = 1
    while not reaches(high):
        if high >= limit:
            return None
        high = min(2 * high, limit)
    low = high // 2  # fails (or 0)
    while high - low > 1:
        mid = (low + high) // 2
        if reaches(mid):
            high = mid
        else:
            low = mid
    return high


def sklearn_setup(arrays, target):
    """Find how many lbfgs iterations scikit-learn needs to reach ``target``.

    Returns
    -------
    setup : dict or None
        None when scikit-learn is not installed; else ``version``,
        ``unreached`` and, when reached, ``X_rows``/``X_test_rows`` (m, n),
        ``Y``, ``max_iter`` and ``previous_cost`` (the cost one iteration
        earlier, or None).
    """
    try:
        import sklearn
    except ImportError:
        return None

    X_rows = np.ascontiguousarray(arrays["X"].T)  # scikit-learn wants (m, n)
    Y = arrays["Y"].astype(np.int64)
    max_iter = sklearn_iterations_for(X_rows, Y, target)
    if max_iter is None:
        return {"version": sklearn.__version__, "unreached": True}
    previous = sklearn_cost(sklearn_fit(X_rows, Y, max_iter - 1), X_rows, Y) if max_iter > 1 else None
    return {
        "version": sklearn.__version__,
        "unreached": False,
        "X_rows": X_rows,
        "X_test_rows": np.ascontiguousarray(arrays["X_test"].T),
        "Y": Y,
        "max_iter": max_iter,
        "previous_cost": previous,
    }


def sklearn_row(sk, seconds, clf, arrays):
    """Row 4: a timing and the fitted classifier's cost and accuracies."""
    from logreg_core.model import accuracy

    return {
        **sk,
        "seconds": seconds,
        "cost": sklearn_cost(clf, sk["X_rows"], sk["Y"]),
        "train_acc": accuracy(clf.predict(sk["X_rows"]), sk["Y"]),
        "test_acc": accuracy(clf.predict(sk["X_test_rows"]), arrays["Y_test"]),
        "n_iter": int(np.max(clf.n_iter_)),
    }


# -- row 5: photos --------------------------------------------------------------


def make_photo(width, height, seed=0):
    """A photo-like RGB image: smooth gradients, a soft blob and sensor noise.

    Returns
    -------
    image : ndarray of shape (height, width, 3), dtype uint8
    """
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / width, y / height
    blob = np.exp(-(((u - 0.6) / 0.2) ** 2 + ((v - 0.45) / 0.25) ** 2))
    r = 60 + 150 * u + 40 * blob
    g = 90 + 100 * v * (1 - u) + 60 * blob
    b = 140 + 80 * np.sin(3 * u + 2 * v) - 50 * blob
    image = np.stack([r, g, b], axis=-1) + rng.normal(0.0, 8.0, (height, width, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def encode(image, fmt):
    """Encode an RGB array with Pillow (JPEG quality 90, or PNG) to bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    options = {"quality": 90} if fmt == "JPEG" else {}
    Image.fromarray(image).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def bench_photo(model, data, runs, size):
    """Median seconds of load_photo and of predict_proba_images on one photo.

    Returns
    -------
    timing : dict
        ``total``, ``load``, ``predict`` (medians, seconds) and ``p`` (the
        predicted probability, to show it is a real prediction).
    """
    from logreg_core.images import load_photo

    load_photo(data, size=size)  # warm-up: Pillow plugins, caches
    loads, predicts, totals, p = [], [], [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        image = load_photo(data, size=size)
        t1 = time.perf_counter()
        p = float(model.predict_proba_images(image)[0])
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        predicts.append(t2 - t1)
        totals.append(t2 - t0)
    return {
        "total": statistics.median(totals),
        "load": statistics.median(loads),
        "predict": statistics.median(predicts),
        "p": p,
    }


# -- output ---------------------------------------------------------------------


def fmt_seconds(seconds):
    """Seconds as s or ms with three significant figures."""
    return f"{seconds:.3g} s" if seconds >= 1 else f"{seconds * 1e3:.3g} ms"


def fmt_bytes(n):
    """Bytes as kB / MB."""
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def training_table(rows, baseline_seconds):
    """Markdown table of the training rows.

    Parameters
    ----------
    rows : list of (name, row dict or str)
        A str row is printed as a note spanning the table.
    baseline_seconds : float
    """
    lines = [
        "| # | run | time | vs course loop | final train cost | train acc | test acc |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for i, (name, row) in enumerate(rows, start=1):
        if isinstance(row, str):
            lines.append(f"| {i} | {name} | — | {row} | — | — | — |")
            continue
        ratio = "1.0× (baseline)" if i == 1 else speedup_text(baseline_seconds, row["seconds"])
        lines.append(
            f"| {i} | {name} | {fmt_seconds(row['seconds'])} | {ratio} | {row['cost']:.9f} | "
            f"{row['train_acc']:.2f} % | {row['test_acc']:.2f} % |"
        )
    return lines


def photo_table(results):
    """Markdown table of the photo rows: (label, size in bytes, timing dict)."""
    lines = [
        "| photo | file size | load_photo | predict_proba_images | total (median) | photos/s | P(label 1) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, nbytes, t in results:
        lines.append(
            f"| {label} | {fmt_bytes(nbytes)} | {fmt_seconds(t['load'])} | "
            f"{fmt_seconds(t['predict'])} | {fmt_seconds(t['total'])} | {1 / t['total']:.0f} | "
            f"{t['p']:.3f} |"
        )
    return lines


def memory_table(direct, kernel, m):
    """Markdown table of the tracemalloc results, each a (peak, retained) pair in bytes."""
    return [
        "| run | peak extra memory | held by the finished run |",
        "| --- | ---: | ---: |",
        f"| direct form | {fmt_bytes(direct[0])} | {fmt_bytes(direct[1])} |",
        f"| kernel form | {fmt_bytes(kernel[0])} | {fmt_bytes(kernel[1])} |",
        "",
        f"K = XᵀX is {m}×{m} float64 = {fmt_bytes(m * m * 8)} (shared by the runs of one data set in "
        "the app). A direct-form snapshot keeps w, a kernel-form one α (m numbers) and a reference to "
        "the shared X; the finiteness check reads X a block of columns at a time.",
    ]


def training_rows(course, direct, kernel, sk):
    """The (name, row) pairs of the training table, scikit-learn's possibly a note."""
    rows = [
        ("course loop (plain NumPy, in this file)", course),
        ("logreg_core direct form", direct),
        ("logreg_core kernel form (incl. K = XᵀX)", kernel),
    ]
    if sk is None:
        rows.append(("scikit-learn lbfgs", "scikit-learn not installed — row skipped"))
    elif sk["unreached"]:
        rows.append((f"scikit-learn {sk['version']} lbfgs", "did not reach the GD cost in 10 000 iterations"))
    else:
        rows.append((f"scikit-learn {sk['version']} lbfgs, {sk['n_iter']} iterations", sk))
    return rows


def training_notes(rows, sk, gram_seconds, bare_kernel_seconds):
    """The lines under the training table: cost agreement, K's share, scikit-learn's search."""
    course, kernel = rows[0][1], rows[2][1]
    rel = max_relative_difference([row["cost"] for _, row in rows[:3]])
    notes = [
        f"- Same final cost (course loop, direct, kernel) to rel 1e-9: "
        f"{'yes' if rel <= 1e-9 else 'NO'} (max rel. difference {rel:.1e})",
        f"- Kernel form: K = XᵀX alone takes {fmt_seconds(gram_seconds)} of its "
        f"{fmt_seconds(kernel['seconds'])}; with a snapshot only at the end it takes "
        f"{fmt_seconds(bare_kernel_seconds)} ({speedup_text(course['seconds'], bare_kernel_seconds)}).",
        "- Library rows include input checks and the snapshots (w, train/test accuracy "
        "every 100 iterations) the app uses.",
    ]
    if sk is not None and not sk["unreached"]:
        earlier = "" if sk["previous_cost"] is None else f" ({sk['max_iter'] - 1} give {sk['previous_cost']:.9f})"
        notes.append(
            f"- scikit-learn: fresh fits, tol=0, smallest max_iter reaching cost ≤ "
            f"{course['cost']:.9f} is {sk['max_iter']}{earlier}; the timed fit "
            f"includes its input validation."
        )
    return notes


def target_lines(course, kernel, sk, kernel_target):
    """PASS/MISS lines for the two (informational) targets."""
    ratio = course["seconds"] / kernel["seconds"]
    lines = [
        f"- kernel ≥ {kernel_target:.0f}× faster than the course loop: ×{ratio:.1f} — {status(ratio >= kernel_target)}"
    ]
    if sk is None or sk["unreached"]:
        lines.append("- kernel faster than scikit-learn lbfgs to the same cost: n/a")
    else:
        lines.append(
            f"- kernel faster than scikit-learn lbfgs to the same cost: "
            f"{fmt_seconds(kernel['seconds'])} vs {fmt_seconds(sk['seconds'])} — "
            f"{status(kernel['seconds'] < sk['seconds'])}"
        )
    return lines


def report_lines(rows, sk, gram_seconds, bare_kernel_seconds, photos, memory, kernel_target, args):
    """Everything printed below the header, as lines of markdown."""
    course, kernel = rows[0][1], rows[2][1]
    n, m = kernel["run"].X.shape
    out = ["", f"## Training ({n} features × {m} examples)", ""]
    out += training_table(rows, course["seconds"])
    out += [""] + training_notes(rows, sk, gram_seconds, bare_kernel_seconds)
    out += ["", f"## Photo bytes → prediction (kernel-trained model, median of {args.photo_runs})", ""]
    out += photo_table(photos)
    out += ["", "## Memory", ""]
    out += memory_table(memory[0], memory[1], m)
    out += ["", "## Targets (informational)", ""]
    out += target_lines(course, kernel, sk, kernel_target)
    try:
        out.append("\n(load average {:.2f} {:.2f} {:.2f} at the end)".format(*os.getloadavg()))
    except OSError:
        pass
    return out


def progress(message):
    """A progress note on stderr, so stdout holds only the report."""
    print(f"… {message}", file=sys.stderr, flush=True)


# -- main -------------------------------------------------------------------------


def main(argv=None, environ=None):
    """Run every row and print the report; returns 0 (targets are informational)."""
    args = parse_args(argv)
    lr, kernel_target = args.learning_rate, 40.0
    environ = os.environ if environ is None else environ
    from logreg_core.pipeline import model_from_run

    dataset, folder = load_data(args.data_dir, environ)
    arrays = prepare_arrays(dataset)
    header = header_lines(dataset, folder, args, environ)

    progress(f"course loop ({args.iterations} iterations)")
    course = bench_course_loop(arrays, args.iterations, lr, args.slow_repeat)
    progress("logreg_core direct form")
    direct = library_row(*best_time(lambda: library_run(arrays, "direct", args.iterations, lr), args.slow_repeat))
    progress("scikit-learn (searching max_iter)")
    sk = sklearn_setup(arrays, course["cost"])
    progress("kernel form, K = XᵀX and scikit-learn, in turn")
    fast = bench_fast_rows(arrays, args.iterations, lr, args.repeat, sk)
    kernel = library_row(*fast["kernel"])
    gram_seconds, bare_kernel_seconds = fast["gram"][0], fast["kernel_bare"][0]
    if "sklearn" in fast:
        sk = sklearn_row(sk, *fast["sklearn"], arrays)

    progress("photos")
    model = model_from_run(kernel["run"], arrays["scaler"], dataset)
    side = dataset.image_shape[0]
    photo = make_photo(1000, 800)
    photos = []
    for fmt in ("JPEG", "PNG"):
        data = encode(photo, fmt)
        photos.append((f"1000×800 {fmt}", len(data), bench_photo(model, data, args.photo_runs, side)))

    progress("memory (tracemalloc)")
    direct_mem = extra_memory(lambda: library_run(arrays, "direct", args.iterations, lr))
    kernel_mem = extra_memory(lambda: library_run(arrays, "kernel", args.iterations, lr))

    rows = training_rows(course, direct, kernel, sk)
    print(
        "\n".join(
            header
            + report_lines(
                rows, sk, gram_seconds, bare_kernel_seconds, photos, (direct_mem, kernel_mem), kernel_target, args
            )
        )
    )

    if args.scale:
        from bench import scale

        sizes = [int(n) for n in args.scale_sizes.split(",") if n.strip()]
        rows = []
        for m in sizes:
            progress(f"Train click at {m} images (child process)")
            rows.append(scale.measure(m, args.scale_iterations, folder if not dataset.synthetic else None, 1800))
        one, five, fifteen = os.getloadavg()
        print(
            f"\n## A Train click (raw, / 255, z-score) per image count — load average "
            f"{one:.2f} {five:.2f} {fifteen:.2f}\n"
        )
        print("\n".join(scale.table(rows, sizes, args.scale_iterations)))

    if args.profile:
        progress("profiling the kernel form")
        print("\n## cProfile of one kernel-form run\n\n```")
        print(profile_kernel(arrays, args.iterations, lr).rstrip())
        print("```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
