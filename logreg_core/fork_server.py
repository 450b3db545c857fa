"""A fork server: call a function on untrusted bytes in a child forked from a small, clean process.

Decoding a photo in the dashboard's process would let a crash in a native
decoder take the whole class down; starting a fresh interpreter per photo
costs a few hundred milliseconds. The fork server is one fresh interpreter,
started on first use, that imports the decoder and nothing else, runs one
thread, and forks a child per call: milliseconds.

Before it reads anything, each child limits its own address space
(``RLIMIT_AS``) and its time (a real-time timer whose signal ends it). It
answers with one ``.npy`` array (``b"A"``), one error line (``b"E"``) or
"out of memory" (``b"M"``). The caller reads the answer with
``allow_pickle=False``: the server never unpickles what a child that read a
hostile file sends back. Calls go the other way pickled, from the trusted
caller to a child of its own.

The multiprocessing module's fork server would re-run the caller's
``__main__`` in every child, which under Streamlit is the page script.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import pickle
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["BACKLOG", "MAX_CHILDREN", "PHOTOS", "START_SECONDS", "Answer", "ForkServer", "available"]

_ROOT = Path(__file__).resolve().parent.parent
_SERVE = "import sys; from logreg_core.fork_server import _serve; _serve(sys.argv[1], sys.argv[2:])"
#: Seconds the fork server may take to start and import what it preloads.
START_SECONDS = 30.0
#: Children decoding at once (each may use the memory budget of one upload): the rest wait their turn.
MAX_CHILDREN = 4
#: Connections the fork server's socket queues.
BACKLOG = 256

#: What a call gives back: its kind (``"A"`` array as .npy, ``"E"`` error line, ``"M"`` out of memory,
#: ``"T"`` out of time, ``"X"`` the child ended without an answer, ``"B"`` no child free within the time)
#: and the payload.
Answer = tuple[str, bytes]


def available() -> bool:
    """True where a fork server can run (POSIX: fork and Unix sockets)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


def _recv_exactly(conn: socket.socket, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        part = conn.recv(min(n - got, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _child(conn: socket.socket) -> None:
    """A forked child's side: read one call, limit memory and time, answer."""
    import resource
    import signal

    import numpy as np

    conn.sendall(struct.pack("<q", os.getpid()))
    (size,) = struct.unpack("<Q", _recv_exactly(conn, 8))
    target, args, memory_bytes, seconds = pickle.loads(_recv_exactly(conn, size))  # from our own caller
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the default action ends the process
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        out = io.BytesIO()
        np.save(out, np.asarray(target(*args)), allow_pickle=False)
        answer = b"A" + out.getvalue()
    except ValueError as exc:
        answer = b"E" + str(exc).encode("utf-8", "replace")
    except MemoryError:
        answer = b"M"
    conn.sendall(answer)


def _serve(path: str, preload: Sequence[str]) -> None:
    """The fork server's loop: listen on ``path``, fork a child per connection, end when stdin closes."""
    import importlib
    import signal

    for entry in preload:
        name, _, function = entry.partition(":")
        module = importlib.import_module(name)
        if function:
            getattr(module, function)()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server_pid = os.getpid()
    try:
        listener.bind(path)
        listener.listen(BACKLOG)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # nothing a child prints can fill the pipe nobody reads any more
        waiting = select.poll()
        waiting.register(listener, select.POLLIN)
        waiting.register(sys.stdin.fileno(), select.POLLIN)
        while True:
            events = dict(waiting.poll())
            if sys.stdin.fileno() in events and not os.read(sys.stdin.fileno(), 1):
                return  # the caller's process ended or closed us
            if listener.fileno() in events:
                conn, _ = listener.accept()
                if os.fork() == 0:
                    listener.close()
                    code = 0
                    try:
                        _child(conn)
                    except BaseException:
                        code = 1
                    finally:
                        os._exit(code)
                conn.close()
    finally:
        if os.getpid() == server_pid:  # the server, however it ends, leaves no socket or folder behind
            for remove, where in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
                with contextlib.suppress(OSError):
                    remove(where)


class ForkServer:
    """A fork server started on first use, restarted if it died.

    Parameters
    ----------
    preload : sequence of str, default ("logreg_core.images", "PIL.Image:init")
        Modules the server imports once, so its children start with them;
        ``"module:function"`` also calls the function once (Pillow's
        ``init`` registers every format's plugin: 27 ms a child otherwise).
    children : int, default MAX_CHILDREN
        Children decoding at once; a call waits its time limit for a turn.
    """

    def __init__(
        self, preload: Sequence[str] = ("logreg_core.images", "PIL.Image:init"), children: int = MAX_CHILDREN
    ) -> None:
        self.preload = tuple(preload)
        self._slots = threading.BoundedSemaphore(children)
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._path = ""

    def _socket_path(self, restart: bool = False) -> str:
        """The live server's socket, starting one if there is none, it died, or ``restart``."""
        with self._lock:
            if not restart and self._process is not None and self._process.poll() is None:
                return self._path
            self.close_locked()
            folder = tempfile.mkdtemp(prefix="logreg-fork-")  # mode 0700: only our user connects
            path = os.path.join(folder, "s")
            env = dict(
                os.environ,
                PYTHONPATH=os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]),
                OPENBLAS_NUM_THREADS="1",
                OMP_NUM_THREADS="1",
                MKL_NUM_THREADS="1",
            )
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, path, *self.preload],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                close_fds=True,
            )
            self._process, self._path = process, path  # close_locked() cleans up from here on
            try:
                stdout = process.stdout
                if stdout is None or not _wait_readable(stdout, START_SECONDS) or stdout.readline() != b"ready\n":
                    raise RuntimeError(f"the fork server did not start within {START_SECONDS:g} s")
            except BaseException:
                self.close_locked()
                raise
            return path

    def call(
        self,
        target: Callable[..., Any],
        args: tuple[Any, ...],
        seconds: float,
        memory_bytes: int,
        max_answer_bytes: int = 64 << 20,
    ) -> Answer:
        """``target(*args)`` in a new child: what it answered.

        Parameters
        ----------
        target : callable
            A module-level function (pickled by name) returning an array.
        args : tuple
            Its arguments, picklable.
        seconds : float
            Time the child may take.
        memory_bytes : int
            Address space the child may use.
        max_answer_bytes : int, default 64 MiB
            Longest answer read; a longer one counts as no answer.

        Returns
        -------
        answer : Answer
        """
        request = pickle.dumps((target, tuple(args), int(memory_bytes), float(seconds)))
        if not self._slots.acquire(timeout=seconds):
            return "B", b""  # as many children as allowed were decoding the whole time
        try:
            return self._call(request, seconds, max_answer_bytes)
        finally:
            self._slots.release()

    def _call(self, request: bytes, seconds: float, max_answer_bytes: int) -> Answer:
        with self._connect() as (conn, pid):
            conn.sendall(struct.pack("<Q", len(request)) + request)
            sent = time.monotonic()
            conn.settimeout(seconds + 2.0)  # the child's own timer ends it first; this is a backstop
            parts, got = [], 0
            try:
                while got <= max_answer_bytes:
                    part = conn.recv(1 << 20)
                    if not part:
                        break
                    parts.append(part)
                    got += len(part)
            except TimeoutError:
                _kill(pid)
                return "T", b""
        if got > max_answer_bytes:
            _kill(pid)
            return "X", b""
        answer = b"".join(parts)
        if not answer:  # ended by its own timer, or crashed
            return ("T" if time.monotonic() - sent >= seconds else "X"), b""
        return answer[:1].decode("ascii", "replace"), answer[1:]

    @contextlib.contextmanager
    def _connect(self) -> Iterator[tuple[socket.socket, int]]:
        """A connection to a new child and the child's PID.

        A server that died, or whose socket is gone, is started again; a live
        one that is only busy is tried again a little later, never restarted
        (that would drop every caller waiting on it).
        """
        deadline = time.monotonic() + START_SECONDS
        restart = False
        while True:
            path = self._socket_path(restart)
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.settimeout(START_SECONDS)
                conn.connect(path)
                (pid,) = struct.unpack("<q", _recv_exactly(conn, 8))
            except (OSError, EOFError):
                conn.close()
                if time.monotonic() > deadline:
                    raise
                with self._lock:
                    gone = self._path != path or self._process is None or self._process.poll() is not None
                restart = not gone and not os.path.exists(path)  # alive but unreachable: replace it
                if not gone and not restart:
                    time.sleep(0.05)  # alive and busy
                continue
            with conn:
                yield conn, pid
            return

    def close_locked(self) -> None:
        """Stop the server (its children finish on their own); the caller holds the lock."""
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        if self._path:
            for remove in (os.unlink, os.rmdir):
                try:
                    remove(self._path if remove is os.unlink else os.path.dirname(self._path))
                except OSError:
                    pass
            self._path = ""

    def close(self) -> None:
        """Stop the server; the next call starts a new one."""
        with self._lock:
            self.close_locked()


def _wait_readable(stream: Any, seconds: float) -> bool:
    """True once ``stream`` has something to read (poll, not select: any fd number works)."""
    if stream is None:
        return False
    waiting = select.poll()
    waiting.register(stream.fileno(), select.POLLIN)
    return bool(waiting.poll(int(seconds * 1000)))


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


#: The process's fork server for photos.
PHOTOS = ForkServer()
atexit.register(PHOTOS.close)
