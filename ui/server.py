"""The server process: one BLAS thread per session, memory given back, and sessions freed when students leave.

:func:`setup` runs once per process (from ``serve.py`` as the server starts, else from
``dashboard.py`` on the first visit):

* :func:`limit_blas_threads` — the sessions are the parallelism, so BLAS gets one
  thread each instead of every session starting one per core.
* :func:`tune_malloc` — large arrays get their own memory mappings, returned to
  the system when freed, instead of fragmenting the allocator's heaps (a class
  of 30 left ~0.9 GB behind without it).
* :func:`ui.uploads.limit_uploads` — the uploaded files a session, and the whole
  server, hold in memory stay within the budget; Streamlit itself bounds only each file.
* :func:`start_session_reaper` — a thread that frees the sessions of students who
  left and, once nobody is left, empties ended sessions Streamlit still holds
  (:func:`release_ended_sessions`), runs what was registered with
  :func:`when_empty` (e.g. dropping the shared data sets) and gives freed memory back.

``serve.py`` hands :func:`lifespan` (setup before the first request) and
:func:`show_script_error` (one line instead of a traceback) to ``st.App``.

Uses Streamlit internals (``Runtime``'s session storage) where Streamlit has no
public hook; without them the reaper does nothing.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st

from logreg_core.limits import cap_text

from .uploads import drop_files_of_ended_sessions, limit_uploads

__all__ = [
    "lifespan",
    "limit_blas_threads",
    "release_ended_sessions",
    "script_error_line",
    "setup",
    "show_script_error",
    "start_session_reaper",
    "tune_malloc",
    "when_empty",
]

_log = logging.getLogger(__name__)

#: glibc's mallopt parameters (malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Allocations from this size on get their own mapping, unmapped on free (glibc's default moves up to 32 MB).
MMAP_THRESHOLD = 512 * 1024
#: Allocator arenas: few, so freed memory is not spread over one heap per thread that ever ran a script.
ARENA_MAX = 2
#: Called (in order) once the last session has gone.
_ON_EMPTY: list[Callable[[], object]] = []


def when_empty(callback: Callable[[], object]) -> None:
    """Call ``callback()`` whenever the server has become empty (every student left; their sessions expired)."""
    if callback not in _ON_EMPTY:
        _ON_EMPTY.append(callback)


def tune_malloc(mmap_threshold: int = MMAP_THRESHOLD, arena_max: int = ARENA_MAX) -> bool:
    """Fix glibc's mmap threshold and cap its arenas, so memory freed by sessions goes back to the system.

    By default glibc raises the threshold to the largest block freed so far (up to 32 MB): after the
    first data set is freed, every later array of that size comes from a heap, and 30 sessions leave
    those heaps fragmented. Setting ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_ARENA_MAX`` before the
    server starts does the same.

    Returns
    -------
    tuned : bool
        True if glibc took both settings (False on another C library).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(libc.mallopt(_M_ARENA_MAX, arena_max))
    except (OSError, AttributeError):
        return False


def release_ended_sessions(live: Collection[str] = ()) -> int:
    """Shut down and empty every session still in memory whose id is not in ``live``; return how many.

    Streamlit forgets expired sessions without always shutting them down, and its message loop
    keeps the last session it flushed in a local variable, so one student's runs (and the shared
    data their snapshots point at) would outlive the class. The reaper calls this once nobody is
    left (``live`` empty).

    Parameters
    ----------
    live : collection of str, default ()
        Ids of the sessions Streamlit still serves or keeps for a reconnect.
    """
    try:
        from streamlit.runtime.app_session import AppSession, AppSessionState
        from streamlit.runtime.state import SessionState
    except ImportError:  # pragma: no cover - Streamlit moved them: nothing to release
        return 0
    released = 0
    for obj in gc.get_objects():
        if not isinstance(obj, AppSession) or getattr(obj, "id", None) in live:
            continue
        try:
            if getattr(obj, "_state", None) != AppSessionState.SHUTDOWN_REQUESTED:
                obj.shutdown()
            obj._session_state = SessionState()  # clear() would keep the widgets' callbacks and their arguments
            released += 1
        except Exception:
            _log.debug("releasing an ended session failed", exc_info=True)
    return released


def _give_back_memory() -> None:
    gc.collect()  # the sessions' cycles (Streamlit's collection after every run is off: .streamlit/config.toml)
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


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


class _Reaper:
    """One pass at a time: shut down expired sessions; once nobody is left, run the empty-server callbacks.

    Streamlit also expires stored sessions by itself (when another session disconnects), so an empty
    server is recognised by its session count, not by what a pass removed. Sessions end their script
    threads a moment after they are shut down, so an empty server is cleaned on its first
    :data:`EMPTY_PASSES` passes, then left alone while it stays empty.
    """

    EMPTY_PASSES = 2

    def __init__(self) -> None:
        self.empty_passes = 0  # passes in a row that found no session

    def __call__(self, runtime: Any) -> int:
        """Run one pass; return how many expired sessions it shut down."""
        manager = runtime._session_mgr
        cache = manager._session_storage._cache
        lock = getattr(manager, "_storage_lock", None) or threading.Lock()
        with lock:
            removed = cache.expire()
        for _, info in removed:
            try:
                info.session.shutdown()
            except Exception:
                _log.debug("shutting down an expired session failed", exc_info=True)
        live = {info.session.id for info in manager.list_sessions()}
        drop_files_of_ended_sessions(getattr(runtime, "uploaded_file_mgr", None), live)  # a late upload's files
        self.empty_passes = self.empty_passes + 1 if manager.num_sessions() == 0 else 0
        cleaning = 0 < self.empty_passes <= self.EMPTY_PASSES
        if cleaning:
            # Nobody is left: every session still in memory has ended (the ids are read again, on the event
            # loop thread, where new sessions are made, so a student arriving now is never touched).
            release_ended_sessions({info.session.id for info in manager.list_sessions()})
            for callback in _ON_EMPTY:
                try:
                    callback()
                except Exception:
                    _log.warning("a callback for an empty server failed", exc_info=True)
        if removed or cleaning:
            _give_back_memory()
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

    reap_once = _Reaper()

    def reap() -> None:
        try:
            reap_once(runtime)
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


_setup_lock = threading.Lock()
_tuned = False
_setup_done = False


def setup() -> bool:
    """Once per process: one BLAS thread per session, the allocator tuned, uploads bounded, the session reaper started.

    ``serve.py`` calls it when the server starts, before the first request;
    ``dashboard.py`` calls it on every run (only the first call does anything),
    which is what guards a server started with ``streamlit run dashboard.py``.

    Returns
    -------
    ready : bool
        True once the server's upload budget is installed (False without a
        running Streamlit server, as under AppTest: then the next call tries again).
    """
    global _tuned, _setup_done
    with _setup_lock:
        if not _tuned:
            limit_blas_threads(1)
            tune_malloc()
            _tuned = True
        if not _setup_done:
            _setup_done = limit_uploads()
            if _setup_done:
                start_session_reaper()
        return _setup_done


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """``st.App``'s lifespan: :func:`setup` as the server starts (its runtime exists by then), before any request.

    Also routes by ``st.navigation`` only from the first session on (:func:`ui.router.use_navigation_only`).
    """
    from .router import use_navigation_only

    setup()
    use_navigation_only()
    yield


#: An absolute path's folders (POSIX or Windows): a student sees only the file's own name.
_FOLDERS = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[^\s'\"\\/]+[\\/])+")
#: Characters Markdown (and Streamlit's :icon: codes and $math$) would read as formatting.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def script_error_line(exc: BaseException) -> str:
    """One line for a page that raised what no page expected: the error's kind and first line.

    No traceback, no folders of the server's paths, and Markdown shown as typed.
    """
    try:
        first = (str(exc).strip().splitlines() or [""])[0]
    except Exception:  # an exception whose message itself fails
        first = ""
    first = _MARKDOWN.sub(r"\\\1", _FOLDERS.sub("…/", cap_text(first, 160)))
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return (
        f"This page stopped on an error it did not expect ({what}). What you loaded and trained is kept; "
        "open the page again, and if it happens again tell the teacher (the server's log has the details)."
    )


def show_script_error(exc: BaseException) -> bool:
    """``st.App``'s ``on_script_error``: log the traceback, show the student one line instead of it.

    Returns
    -------
    handled : bool
        True when the line was shown (Streamlit then shows no traceback);
        False if it could not be, so that Streamlit shows its own.
    """
    _log.error("a page raised", exc_info=exc)
    try:
        st.error(script_error_line(exc), icon=":material/error:")
    except Exception:  # outside a script run there is nothing to show it in
        _log.debug("could not show the error line", exc_info=True)
        return False
    return True
