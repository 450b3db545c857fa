"""Comparing training runs: frozen records, summaries, the default run, cost tables, pacing.

Pure NumPy, no Streamlit: the dashboard keeps a :class:`RunRecord` of every
finished or stopped run (a light copy of a
:class:`~logreg_core.training.GradientDescent` without the training matrices),
summarizes runs for tables, names a comparison's default run, writes the cost histories as
CSV and paces a live chart.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .settings import TrainSettings
from .training import Snapshot

__all__ = [
    "RunRecord",
    "run_status",
    "summarize",
    "default_run_index",
    "costs_csv",
    "paced_target",
    "snapshot_at",
    "snapshot_iterations",
]


@dataclass(frozen=True, eq=False)
class RunRecord:
    """What is left of a gradient-descent run once it stops: costs, snapshots and w; no kernel matrix.

    A kernel-form snapshot keeps α (m numbers) and the read-only training
    matrix the run was given (shared by every session training on the same
    data), and forms w = Xα when read: 21 snapshots cost 35 KB instead of
    2 MB of weights at 209 images of 64×64×3. The record holds no copy of X.

    Reads like a finished :class:`~logreg_core.training.GradientDescent`
    (``costs``, ``snapshots``, ``settings``, ``iteration``, ``diverged``,
    ``done``, ``w``, ``b``, ``final``, ``method``), so code written for a run
    works on a record.

    Attributes
    ----------
    settings : TrainSettings
    costs : list of float
        ``costs[i]`` is the cost before update i (``costs[0] = ln 2``).
    snapshots : list of Snapshot
    iteration : int
        Updates applied.
    diverged : bool
    stopped : bool
        True when the run was interrupted before its last iteration.
    method : str
    w : ndarray of shape (n_features,)
    b : float
    """

    settings: TrainSettings
    costs: list
    snapshots: list
    iteration: int
    diverged: bool
    stopped: bool
    method: str
    w: np.ndarray
    b: float

    @classmethod
    def from_run(cls, run, at: Snapshot | None = None) -> RunRecord:
        """Freeze a run (finished or not) into a record.

        Parameters
        ----------
        run : GradientDescent or RunRecord
        at : Snapshot or None, default None
            Freeze the run at this earlier state of it (e.g. the last one a
            browser showed before a Stop) instead of its current one: costs
            and snapshots after it are dropped and the record counts as
            stopped. Ignored when it is the run's current state.

        Returns
        -------
        record : RunRecord
            ``stopped`` is True when the run had not reached its last iteration
            and had not diverged.
        """
        if isinstance(run, RunRecord):
            return run
        if at is not None and at.iteration < run.iteration:
            k = int(at.iteration)
            kept = [s for s in run.snapshots if s.iteration < k] + [at]
            return cls(
                run.settings,
                list(run.costs[:k]),
                kept,
                k,
                False,
                True,
                str(run.method),
                np.asarray(at.w, dtype=np.float64).copy(),
                float(at.b),
            )
        stopped = (not run.diverged) and run.iteration < run.settings.num_iterations
        w = np.asarray(run.w, dtype=np.float64).copy()
        snapshots = list(run.snapshots)
        if stopped and (not snapshots or snapshots[-1].iteration != run.iteration):
            snapshots.append(run.current_snapshot())  # tables and pictures show where it stopped
        return cls(
            run.settings,
            list(run.costs),
            snapshots,
            int(run.iteration),
            bool(run.diverged),
            bool(stopped),
            str(run.method),
            w,
            float(run.b),
        )

    @property
    def done(self):
        """Always True: a record does not train any further."""
        return True

    @property
    def final(self):
        """The latest snapshot, or None."""
        return self.snapshots[-1] if self.snapshots else None


def run_status(run):
    """One word for a run: "diverged", "stopped", "done" or "running".

    Parameters
    ----------
    run : GradientDescent or RunRecord
    """
    if run.diverged:
        return "diverged"
    if getattr(run, "stopped", False):
        return "stopped"
    if run.iteration >= run.settings.num_iterations:
        return "done"
    return "running"


def summarize(run):
    """The numbers a table shows for a run.

    Parameters
    ----------
    run : GradientDescent or RunRecord

    Returns
    -------
    summary : dict
        ``status``; ``iteration`` (updates applied); ``cost`` (latest finite
        training cost, nan before the first step); ``train_accuracy`` and
        ``test_accuracy`` in percent at the latest snapshot (nan if none);
        ``gap`` = train − test accuracy in percentage points (nan without a test
        set); ``learning_rate``; ``scaling``.
    """
    final = run.final
    train_acc = final.train_accuracy if final is not None else math.nan
    test_acc = final.test_accuracy if final is not None and final.test_accuracy is not None else math.nan
    # Cost at the latest snapshot when it is the last state (the end of a run), else the latest cost.
    if final is not None and final.iteration == run.iteration:
        cost = final.cost
    elif run.costs:
        cost = run.costs[-1]
    else:
        cost = math.nan
    return {
        "status": run_status(run),
        "iteration": int(run.iteration),
        "cost": float(cost),
        "train_accuracy": float(train_acc),
        "test_accuracy": float(test_acc),
        "gap": float(train_acc - test_acc),
        "learning_rate": run.settings.learning_rate,
        "scaling": run.settings.scaling,
    }


def default_run_index(runs: Sequence, scaling: str = "255", learning_rate: float = 0.005) -> int | None:
    """Index of the run a comparison hands to Predict by default: the course's run, never the best-scoring one.

    The first run with the course's scaling (pixels / 255) — among those, the
    one whose learning rate is nearest the course's α on a log scale — that did
    not diverge; else the first run that did not diverge. No accuracy is
    looked at: choosing on the test set and then showing its mistakes would
    be the peeking the lab teaches against.

    Parameters
    ----------
    runs : sequence of GradientDescent or RunRecord
    scaling : str, default "255"
    learning_rate : float, default 0.005

    Returns
    -------
    index : int or None
        None if every run diverged (or there are none).
    """
    usable = [i for i, run in enumerate(runs) if not run.diverged]
    if not usable:
        return None
    course = [i for i in usable if runs[i].settings.scaling == scaling]
    if not course:
        return usable[0]
    return min(course, key=lambda i: abs(math.log(runs[i].settings.learning_rate / learning_rate)))


def costs_csv(names, cost_lists):
    """The cost histories as CSV text: ``iteration`` then one column per run.

    Parameters
    ----------
    names : sequence of str
        Column headers, one per run.
    cost_lists : sequence of sequence of float
        ``cost_lists[k][i]`` is run k's cost before update i. Shorter runs
        (stopped, diverged) leave empty cells.

    Returns
    -------
    text : str
    """
    if len(names) != len(cost_lists):
        raise ValueError(f"got {len(names)} names for {len(cost_lists)} cost histories")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["iteration", *names])
    n = max((len(c) for c in cost_lists), default=0)
    for i in range(n):
        writer.writerow([i, *(repr(float(c[i])) if i < len(c) else "" for c in cost_lists)])
    return buffer.getvalue()


def paced_target(elapsed, duration, total, multiple=1):
    """How many iterations a run spread over ``duration`` seconds should have done by now.

    Parameters
    ----------
    elapsed : float
        Seconds since the start.
    duration : float
        Seconds the whole run should take (> 0).
    total : int
        Iterations of the run.
    multiple : int, default 1
        Round the target up to a multiple of this (below ``total``): runs that
        follow a shared trajectory then stop where it has checkpoints.

    Returns
    -------
    target : int
        In [0, total]; ``total`` once ``elapsed ≥ duration``.
    """
    if duration <= 0 or elapsed >= duration:
        return int(total)
    target = max(0, math.ceil(total * max(elapsed, 0.0) / duration))
    return int(min(total, -(-target // multiple) * multiple))


def snapshot_iterations(runs):
    """Sorted iterations at which any of the runs took a snapshot.

    Parameters
    ----------
    runs : sequence of GradientDescent or RunRecord
    """
    return sorted({s.iteration for run in runs for s in run.snapshots})


def snapshot_weights(snapshots):
    """Every snapshot's w, one row each: one matrix product when they share a training matrix.

    Parameters
    ----------
    snapshots : sequence of Snapshot

    Returns
    -------
    W : ndarray of shape (len(snapshots), n_features)
        ``W[k]`` equals ``snapshots[k].w``; shape (0, 0) for no snapshots.
    """
    if not snapshots:
        return np.zeros((0, 0))
    basis = snapshots[0].basis
    if basis is not None and all(s.basis is basis for s in snapshots):
        return (basis @ np.column_stack([s.coef for s in snapshots])).T
    return np.stack([np.asarray(s.w, dtype=np.float64) for s in snapshots])


def snapshot_at(snapshots, iteration):
    """The latest snapshot taken at or before ``iteration`` (the first one if none).

    Parameters
    ----------
    snapshots : sequence of Snapshot, in increasing iteration
    iteration : int

    Returns
    -------
    snapshot : Snapshot or None
        None only when ``snapshots`` is empty.
    """
    chosen = None
    for snap in snapshots:
        if snap.iteration <= iteration:
            chosen = snap
        else:
            break
    if chosen is None and snapshots:
        chosen = snapshots[0]
    return chosen
