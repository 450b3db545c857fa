"""What is the same for every student, made once per server process, and fair turns at training.

* :func:`prepared` — a data set's scaled arrays and kernels (``K = XᵀX`` and the
  test kernel), one read-only copy per data set and scaling, kept with
  ``st.cache_resource`` and keyed by a cheap fingerprint of the data. Raw pixels
  and pixels / 255 share one K (up to 255²).
* :class:`TrainingScheduler` — at most ``slots`` trainers step at once; the others
  wait in a first-come, first-served queue and can be told their place. One per
  process (:func:`scheduler`).
* :class:`ScheduledRun` — a gradient-descent run whose ``step`` waits for a turn,
  so every page that steps runs is scheduled without knowing it.
* :func:`limit_blas_threads` and :func:`start_session_reaper` — one BLAS thread
  per stepping session, and sessions whose students left are freed on time.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from logreg_core.data import Dataset
from logreg_core.pipeline import PreparedDataset, dataset_fingerprint
from logreg_core.training import GradientDescent, Snapshot

__all__ = [
    "ScheduledRun",
    "TrainingScheduler",
    "limit_blas_threads",
    "prepared",
    "queue_place",
    "scheduler",
    "start_session_reaper",
]

_log = logging.getLogger(__name__)

#: Environment variable: how many trainers may step at once (default: the number of CPU cores).
SLOTS_ENV = "LOGREG_TRAIN_SLOTS"
#: Distinct data sets whose scaled arrays a process keeps (each ~75 MB for 209 images of 64×64×3).
MAX_PREPARED = 4


@st.cache_resource(max_entries=MAX_PREPARED, show_spinner=False)
def _prepared(fingerprint: str, _dataset: Dataset) -> PreparedDataset:
    """One :class:`PreparedDataset` per data-set fingerprint (the dataset itself is not hashed)."""
    return PreparedDataset(_dataset)


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

    @contextmanager
    def turn(
        self,
        owner: str = "",
        on_wait: Callable[[int], None] | None = None,
        poll: float = 0.25,
        timeout: float | None = None,
    ) -> Iterator[None]:
        """Wait for a free slot (in order of arrival), hold it for the ``with`` block.

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
        try:
            yield
        finally:
            with self._lock:
                self._running.pop(ticket, None)
                self._dispatch()


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
    """The process-wide training scheduler; made with the first Train, which also sets the server up.

    Setting up: one BLAS thread per stepping session (the scheduler lets as
    many sessions step as there are cores) and the reaper of expired sessions.
    """
    limit_blas_threads(1)
    start_session_reaper()
    return TrainingScheduler(default_slots())


def _session_id() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx is not None else ""
    except ImportError:  # pragma: no cover - older Streamlit
        return ""


def queue_place() -> int | None:
    """This student's place: 0 while their runs step, k ≥ 1 while waiting, None when not training."""
    return scheduler().place(_session_id())


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

    @contextmanager
    def drawing(self) -> Iterator[None]:
        """Count this session as drawing for the ``with`` block (a Stop leaves it too)."""
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    def frame_period(self, period: float, frames_per_second: float = 30.0) -> float:
        """``period`` (s between frames), stretched so the whole server draws about ``frames_per_second``."""
        return max(period, self.count / frames_per_second)


@st.cache_resource(show_spinner=False)
def live_charts() -> LiveCharts:
    """The process-wide count of sessions drawing live charts."""
    return LiveCharts()


class ScheduledRun:
    """A :class:`~logreg_core.training.GradientDescent` whose ``step`` takes a turn from a scheduler.

    Everything else (``costs``, ``snapshots``, ``iteration``, ``done``, ``w``,
    ``b``, …) is the run's own. Set ``on_wait`` to show the student their place.

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
        self.on_wait: Callable[[int], None] | None = None

    def step(self, n_steps: int = 1) -> list[Snapshot]:
        """``run.step(n_steps)`` once a slot is free."""
        with self.gate.turn(self.owner, self.on_wait):
            return self.run.step(n_steps)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.run, name)


#: Names of OpenBLAS's thread setter in the builds numpy ships or links.
_OPENBLAS_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def limit_blas_threads(n: int = 1) -> bool:
    """Let BLAS use ``n`` threads, so concurrent sessions do not oversubscribe the cores.

    Setting ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` before the server
    starts does the same (``deploy/`` sets them). This calls OpenBLAS's own
    setter in the library numpy loaded, or threadpoolctl when installed.

    Returns
    -------
    limited : bool
        True if a limit was applied.
    """
    import numpy  # noqa: F401 - its BLAS must be loaded to be found

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line}
    except OSError:
        paths = set()
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _OPENBLAS_SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(n))
                return True
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    threadpool_limits(limits=n, user_api="blas")
    return True


def _reap_once(runtime: Any) -> int:
    """Remove expired disconnected sessions from Streamlit's storage and shut them down; return how many.

    When no session is left at all, the shared prepared data sets are dropped as well, so a server
    whose students have gone goes back to about its idle memory.
    """
    manager = runtime._session_mgr
    storage = manager._session_storage
    cache = storage._cache
    lock = getattr(manager, "_storage_lock", None) or threading.Lock()
    with lock:
        removed = cache.expire()
    for _, info in removed:
        try:
            info.session.shutdown()
        except Exception:
            _log.debug("shutting down an expired session failed", exc_info=True)
    if removed and manager.num_sessions() == 0:
        # The class has left: the shared scaled data and kernels go too (the next Train makes them again).
        _prepared.clear()
    if removed:
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # give freed memory back to the system
        except (OSError, AttributeError):
            pass
    return len(removed)


@st.cache_resource(show_spinner=False)
def start_session_reaper(interval: float = 30.0) -> threading.Thread | None:
    """Once per process: a daemon thread that frees expired sessions every ``interval`` seconds.

    Streamlit keeps a disconnected session for ``server.disconnectedSessionTTL``
    seconds but only removes it when another session disconnects; after the
    last student leaves, their sessions would stay in memory. Uses Streamlit
    internals; if they are not there, it does nothing and returns None.
    """
    try:
        from streamlit.runtime import Runtime

        runtime: Any = Runtime.instance()
        runtime._session_mgr._session_storage._cache.expire  # noqa: B018 - check the internals exist
    except (ImportError, RuntimeError, AttributeError):
        return None

    def reap() -> None:
        try:
            _reap_once(runtime)
        except Exception:
            _log.warning("session reaper failed", exc_info=True)

    def loop() -> None:
        while True:
            time.sleep(interval)
            try:  # sessions are shut down on the server's event loop, as Streamlit itself does
                runtime._get_async_objs().eventloop.call_soon_threadsafe(reap)
            except (AttributeError, RuntimeError):  # no loop (yet, or any more)
                reap()

    thread = threading.Thread(target=loop, name="logreg-session-reaper", daemon=True)
    thread.start()
    return thread


def scheduled(run: GradientDescent) -> ScheduledRun:
    """``run`` stepping through the process-wide scheduler on behalf of this session."""
    return ScheduledRun(run, scheduler(), _session_id())
