"""What is the same for every student, made once per server process, and fair turns at training.

* :func:`prepared` — a data set's scaled arrays and kernels (``K = XᵀX`` and the
  test kernel), one read-only copy per data set and scaling, kept with
  ``st.cache_resource`` and keyed by a cheap fingerprint of the data. Raw pixels
  and pixels / 255 share one K (up to 255²). A run with the same scaling and
  settings as one another student trained follows that run's checkpoints
  (:mod:`logreg_core.trajectory`) instead of computing the same numbers again
  (:func:`share_runs`).
* :class:`TrainingScheduler` — at most ``slots`` trainers step at once; the others
  wait in a first-come, first-served queue and can be told their place. One per
  process (:func:`scheduler`).
* :class:`ScheduledRun` — a gradient-descent run whose ``step`` waits for a turn,
  so every page that steps runs is scheduled without knowing it; :func:`turn` and
  :func:`step_runs` let a page step several runs in one turn.

The process itself (one BLAS thread per session, the allocator, the reaper of
sessions whose students left) is set up by :mod:`ui.server`; when the last
student has gone, it drops the shared data made here.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st

from logreg_core.data import Dataset
from logreg_core.kernel_product import BLOCKED_MIN_EXAMPLES
from logreg_core.pipeline import PreparedDataset, dataset_fingerprint
from logreg_core.training import GradientDescent, Snapshot, step_together
from ui import server

__all__ = [
    "ScheduledRun",
    "TrainingScheduler",
    "prepared",
    "queue_place",
    "scheduler",
    "session_id",
    "share_runs",
    "step_runs",
    "turn",
]

#: Environment variable: how many trainers may step at once (default: the number of CPU cores).
SLOTS_ENV = "LOGREG_TRAIN_SLOTS"
#: Environment variable: "0" makes every run compute all its updates itself, even when another
#: student already trained the same run (to measure a class that all train different runs).
SHARE_RUNS_ENV = "LOGREG_SHARE_RUNS"
#: Live training frames the whole process draws per second when many students train at once (each draws
#: its share): at 30 students the frames would otherwise take the time page clicks and training need.
SERVER_FRAMES_PER_SECOND = 20.0
#: Distinct data sets whose scaled arrays a process keeps (each ~75 MB for 209 images of 64×64×3).
MAX_PREPARED = 4


@st.cache_resource(max_entries=MAX_PREPARED, show_spinner=False)
def _prepared(fingerprint: str, _dataset: Dataset) -> PreparedDataset:
    """One :class:`PreparedDataset` per data-set fingerprint (the dataset itself is not hashed)."""
    return PreparedDataset(_dataset)


server.when_empty(_prepared.clear)  # the class has left: the next Train makes them again


def prepared(dataset: Dataset) -> PreparedDataset:
    """The shared scaled arrays and kernels of ``dataset`` (made on first use, read-only).

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    prepared : PreparedDataset
        ``prepared.scaled(kind)`` gives the data scaled one way, shared by every
        session that trains on the same data.
    """
    return _prepared(dataset_fingerprint(dataset), dataset)


class TrainingScheduler:
    """A fair gate in front of gradient-descent steps: at most ``slots`` step at once.

    Waiting callers are served first come, first served; each :meth:`turn`
    is short (one ``step`` call), so trainers take turns round-robin.

    Parameters
    ----------
    slots : int
        Trainers allowed to step at the same time; ≥ 1.
    """

    def __init__(self, slots: int) -> None:
        if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
            raise ValueError(f"slots must be a whole number ≥ 1; got {slots!r}")
        self.slots = slots
        self._lock = threading.Lock()
        self._queue: deque[tuple[int, str, threading.Event]] = deque()
        self._running: dict[int, str] = {}
        self._tickets = itertools.count()
        self._held = threading.local()  # the turn this thread holds (a turn inside it, same owner, is free)

    def _dispatch(self) -> None:
        """Give free slots to the longest-waiting callers (with the lock held); wakes only them."""
        while len(self._running) < self.slots and self._queue:
            ticket, owner, granted = self._queue.popleft()
            self._running[ticket] = owner
            granted.set()

    def _place_of(self, ticket: int) -> int:
        with self._lock:
            for i, (t, _, _) in enumerate(self._queue):
                if t == ticket:
                    return i + 1
            return 0

    def place(self, owner: str) -> int | None:
        """0 while ``owner`` steps, k ≥ 1 when k − 1 others wait before it, None when it neither steps nor waits."""
        with self._lock:
            if owner in self._running.values():
                return 0
            for i, (_, who, _) in enumerate(self._queue):
                if who == owner:
                    return i + 1
            return None

    @property
    def waiting(self) -> int:
        """Trainers waiting for a turn."""
        with self._lock:
            return len(self._queue)

    @property
    def stepping(self) -> int:
        """Trainers stepping now."""
        with self._lock:
            return len(self._running)

    @contextlib.contextmanager
    def turn(
        self,
        owner: str = "",
        on_wait: Callable[[int], None] | None = None,
        poll: float = 0.25,
        timeout: float | None = None,
    ) -> Iterator[None]:
        """Wait for a free slot (in order of arrival), hold it for the ``with`` block.

        A thread that already holds a turn for ``owner`` gets the inner one at once: a page
        holds one turn for a time slice and steps several runs in it, instead of
        queueing for every step (on a busy server each hand-over waits for the GIL).

        Parameters
        ----------
        owner : str, default ""
            Who waits (e.g. a session id), for :meth:`place`.
        on_wait : callable or None, default None
            Called as ``on_wait(place)`` (1 = next) when the caller has to wait,
            and again every ``poll`` seconds while it still waits.
        poll : float, default 0.25
        timeout : float or None, default None
            Give up after this many seconds with TimeoutError (None: wait).
        """
        if getattr(self._held, "depth", 0) and self._held.owner == owner:
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        ticket, granted = next(self._tickets), threading.Event()
        start = time.monotonic()
        with self._lock:
            self._queue.append((ticket, owner, granted))
            self._dispatch()
        try:
            while not granted.is_set():
                if on_wait is not None:
                    place = self._place_of(ticket)
                    if place:
                        on_wait(place)
                if timeout is not None and time.monotonic() - start > timeout:
                    raise TimeoutError(f"no training slot within {timeout:g} s")
                granted.wait(poll)
        except BaseException:
            with self._lock:
                self._queue = deque(item for item in self._queue if item[0] != ticket)
                self._running.pop(ticket, None)  # granted meanwhile: give it back
                self._dispatch()
            raise
        self._held.depth, self._held.owner = 1, owner
        try:
            yield
        finally:
            self._held.depth = 0
            with self._lock:
                self._running.pop(ticket, None)
                self._dispatch()


def share_runs(environ: dict[str, str] | None = None) -> bool:
    """False if ``LOGREG_SHARE_RUNS`` is "0": runs then never follow a shared trajectory.

    By default a run on the same data, scaling and settings as one another student trained jumps
    along that run's checkpoints (:mod:`logreg_core.trajectory`): the same numbers, computed once.
    """
    environ = dict(os.environ) if environ is None else environ
    text = environ.get(SHARE_RUNS_ENV, "1").strip()
    if text not in ("0", "1"):
        raise ValueError(f"{SHARE_RUNS_ENV} must be 0 or 1; got {text!r}")
    return text == "1"


def default_slots(environ: dict[str, str] | None = None) -> int:
    """``LOGREG_TRAIN_SLOTS`` if set (a whole number ≥ 1), else the number of CPU cores."""
    environ = dict(os.environ) if environ is None else environ
    text = environ.get(SLOTS_ENV, "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{SLOTS_ENV} must be a whole number ≥ 1; got {text!r}")
        return int(text)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@st.cache_resource(show_spinner=False)
def scheduler() -> TrainingScheduler:
    """The process-wide training scheduler (as many sessions step at once as there are cores)."""
    server.setup()  # one BLAS thread per stepping session; done already when served by serve.py
    return TrainingScheduler(default_slots())


def session_id() -> str:
    """This browser session's id ("" outside a running script)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx is not None else ""
    except ImportError:  # pragma: no cover - older Streamlit
        return ""


def turn(on_wait: Callable[[int], None] | None = None) -> contextlib.AbstractContextManager[None]:
    """This session's turn at the process-wide scheduler; the runs it steps inside do not queue again.

    Parameters
    ----------
    on_wait : callable or None, default None
        Called as ``on_wait(place)`` while the session waits (1 = next).
    """
    return scheduler().turn(session_id(), on_wait)


def queue_place() -> int | None:
    """This student's place: 0 while their runs step, k ≥ 1 while waiting, None when not training."""
    return scheduler().place(session_id())


class LiveCharts:
    """How many sessions are drawing a live training chart right now, so each can draw its share.

    The server draws frames under one GIL: with many students training at once, each session draws
    fewer frames per second (see :meth:`frame_period`) instead of all of them waiting on each other.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        """Sessions drawing live charts now."""
        with self._lock:
            return self._count

    @contextlib.contextmanager
    def drawing(self) -> Iterator[None]:
        """Count this session as drawing for the ``with`` block (a Stop leaves it too)."""
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    def frame_period(self, period: float, frames_per_second: float = SERVER_FRAMES_PER_SECOND) -> float:
        """``period`` (s between frames), stretched so the whole server draws about ``frames_per_second``."""
        return max(period, self.count / frames_per_second)


@st.cache_resource(show_spinner=False)
def live_charts() -> LiveCharts:
    """The process-wide count of sessions drawing live charts."""
    return LiveCharts()


class ScheduledRun:
    """A :class:`~logreg_core.training.GradientDescent` whose ``step`` takes a turn from a scheduler.

    Everything else (``costs``, ``snapshots``, ``iteration``, ``done``, ``w``,
    ``b``, …) is the run's own. A page that shows the student their place holds a
    :func:`turn` with its own ``on_wait`` around the steps.

    Parameters
    ----------
    run : GradientDescent
    gate : TrainingScheduler
    owner : str
    """

    def __init__(self, run: GradientDescent, gate: TrainingScheduler, owner: str) -> None:
        self.run = run
        self.gate = gate
        self.owner = owner

    def step(self, n_steps: int = 1) -> list[Snapshot]:
        """``run.step(n_steps)`` once a slot is free."""
        with self.gate.turn(self.owner):
            return self.run.step(n_steps)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.run, name)


def step_runs(runs: list[ScheduledRun], n_steps: int) -> None:
    """Step scheduled runs by up to ``n_steps`` each, inside a turn this session already holds.

    Runs on big kernels step together (:func:`logreg_core.training.step_together`), so the runs
    that share one K (raw pixels and / 255, or one scaling at several rates) read it once per
    step; runs on small data step one by one, the quicker way for them.
    """
    big = [r for r in runs if r.method == "kernel" and r.X.shape[1] >= BLOCKED_MIN_EXAMPLES]
    if len(big) < 2:
        big = []
    step_together([r.run for r in big], n_steps)
    together = {id(r) for r in big}
    for r in runs:
        if id(r) not in together:
            r.step(n_steps)


def scheduled(run: GradientDescent) -> ScheduledRun:
    """``run`` stepping through the process-wide scheduler on behalf of this session."""
    return ScheduledRun(run, scheduler(), session_id())
