"""The upload budget: what the files students upload may hold in the server's memory.

Streamlit keeps every file an uploader holds in memory until the student removes
it or the session ends, and bounds only each file (``server.maxUploadSize``).
Without a budget, one student's script could PUT files until the server runs out
of memory. Two parts keep uploads within ``BUDGET.upload_session_bytes`` per
session and ``BUDGET.upload_server_bytes`` for the server:

* :func:`limit_uploads` wraps Streamlit's upload manager: each stored file counts
  its bytes, name and type and ``UPLOAD_FILE_OVERHEAD`` (so a flood of empty files
  is bounded too), in running totals kept as files are added and removed, and a
  file past the budget is refused with HTTP 413 and one line.
* :class:`UploadGate`, an ASGI middleware (``serve.py`` installs it), refuses a
  PUT from its declared size before Streamlit sees it, and counts every body as
  it arrives, whatever its headers claim: parallel uploads cannot hold more than
  the budget in memory either, even for the moment before they are stored, and
  requests that send nothing take nothing from the class.
* :func:`drop_files_of_ended_sessions` (the session reaper calls it) removes
  files stored for a session that has gone.

The uploader itself shows only "413", so the line is kept for the session's next
page run to show (:func:`pop_upload_refusal`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Callable, Collection
from typing import Any

from logreg_core.limits import BUDGET, cap_text

__all__ = [
    "UPLOAD_FILE_OVERHEAD",
    "UploadGate",
    "drop_files_of_ended_sessions",
    "limit_uploads",
    "pop_upload_refusal",
]

_log = logging.getLogger(__name__)

#: What one uploaded file costs besides its bytes, name and type (Streamlit's record of it, dict entries).
UPLOAD_FILE_OVERHEAD = 1024
#: What a PUT without a Content-Length may bring besides the file: multipart framing, name and type.
MULTIPART_ALLOWANCE = 64 * 1024


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n / 2**10:,.1f} KB"


#: The last upload refused per session, until its page shows it.
_refusals: dict[str, str] = {}
_refusals_lock = threading.Lock()
_MAX_REFUSALS = 1000


def pop_upload_refusal(session_id: str) -> str | None:
    """The line saying why this session's last upload was refused, once; None if none was."""
    with _refusals_lock:
        return _refusals.pop(session_id, None)


def _remember_refusal(session_id: str, line: str) -> None:
    with _refusals_lock:
        _refusals.pop(session_id, None)
        _refusals[session_id] = line
        while len(_refusals) > _MAX_REFUSALS:
            del _refusals[next(iter(_refusals))]


def _refuse(session_id: str, line: str) -> Exception:
    from starlette.exceptions import HTTPException

    _remember_refusal(session_id, line)
    return HTTPException(status_code=413, detail=line)


def _upload_cost(file: Any) -> int:
    name, kind = str(getattr(file, "name", "")), str(getattr(file, "type", ""))
    return (
        len(file.data)
        + len(name.encode("utf-8", "replace"))
        + len(kind.encode("utf-8", "replace"))
        + UPLOAD_FILE_OVERHEAD
    )


class _UploadBudget:
    """Running totals of what uploaded files cost: stored per session, and bodies still arriving.

    Stored files are counted by wrapping Streamlit's upload manager. A body
    still arriving counts twice over (see :class:`UploadGate`): against its
    session with the size it declared (``pending``), so a session cannot
    start more than its budget at once, and against the server with the bytes
    that really arrived (``arrived``), so requests that send nothing cannot
    crowd out the class. A stored file whose request has not ended yet counts
    twice for that moment, never zero times.
    """

    def __init__(
        self,
        manager: Any,
        storage: dict[str, Any],
        session_bytes: int,
        server_bytes: int,
        active: Callable[[str], bool] | None = None,
    ) -> None:
        self.session_bytes, self.server_bytes = session_bytes, server_bytes
        self.active = active  # active(session_id): a file for a session that ended is refused
        self.lock = threading.Lock()  # the check, the add and the count are one step
        self.costs: dict[str, dict[str, int]] = {}  # session id → file id → cost
        self.held: dict[str, int] = {}  # session id → its total
        self.total = 0
        self.pending: dict[str, int] = {}  # session id → bytes its bodies in flight declared
        self.arrived = 0  # bytes of bodies in flight received so far, every session
        for session_id, files in list(storage.items()):  # files uploaded before the limit was installed
            for file in list(files.values()):
                self._count(session_id, file.file_id, _upload_cost(file))
        self.add_file, self.remove_file = manager.add_file, manager.remove_file
        self.remove_session_files = manager.remove_session_files

    def _count(self, session_id: str, file_id: str, cost: int) -> None:
        mine = self.costs.setdefault(session_id, {})
        before = mine.pop(file_id, 0)
        if cost:
            mine[file_id] = cost
        self.held[session_id] = self.held.get(session_id, 0) - before + cost
        self.total += cost - before
        if not mine:
            del self.costs[session_id]
            self.held.pop(session_id, None)

    def _over(self, what: str, session: int, everyone: int) -> str | None:
        """The line refusing ``what`` if the session would hold ``session`` bytes and the class ``everyone``."""
        if session > self.session_bytes:
            return (
                f"{what}: your uploads would hold {_mb(session)}; expected at most "
                f"{_mb(self.session_bytes)} per student - remove files from an uploader, or shrink the photos"
            )
        if everyone > self.server_bytes:
            return (
                f"{what}: the class's uploads would hold {_mb(everyone)}; expected at most "
                f"{_mb(self.server_bytes)} on this server - try again once others have removed theirs"
            )
        return None

    def limited_add_file(self, session_id: str, file: Any) -> None:
        with self.lock:
            name = cap_text(getattr(file, "name", "") or "upload", 100)
            if self.active is not None and not self.active(session_id):  # its body finished after the tab closed
                raise _refuse(session_id, f"{name}: arrived after its page was closed; expected an open page")
            replaced = self.costs.get(session_id, {}).get(file.file_id, 0)  # the same file sent again
            cost = _upload_cost(file)
            line = self._over(name, self.held.get(session_id, 0) - replaced + cost, self.total - replaced + cost)
            if line:
                raise _refuse(session_id, line)
            self.add_file(session_id=session_id, file=file)
            self._count(session_id, file.file_id, cost)

    def limited_remove_file(self, session_id: str, file_id: str) -> None:
        with self.lock:
            self.remove_file(session_id=session_id, file_id=file_id)
            self._count(session_id, file_id, 0)

    def limited_remove_session_files(self, session_id: str) -> None:
        with self.lock:
            self.remove_session_files(session_id=session_id)
            for file_id in list(self.costs.get(session_id, {})):
                self._count(session_id, file_id, 0)

    def sessions_holding_files(self) -> list[str]:
        """Ids of the sessions that hold uploaded files now."""
        with self.lock:
            return list(self.costs)

    def admit(self, session_id: str, file_id: str, nbytes: int) -> str | None:
        """Reserve a body that declares ``nbytes``; the refusal line instead if it could not fit.

        The session counts what its bodies in flight declared; the server counts what
        the others really received, plus this one's declared size.
        """
        with self.lock:
            replaced = self.costs.get(session_id, {}).get(file_id, 0)
            session = self.held.get(session_id, 0) + self.pending.get(session_id, 0) - replaced + nbytes
            everyone = self.total + self.arrived - replaced + nbytes
            line = self._over(f"an upload of {_mb(nbytes)}", session, everyone)
            if line is None:
                self.pending[session_id] = self.pending.get(session_id, 0) + nbytes
            return line

    def grow(self, session_id: str, nbytes: int) -> str | None:
        """Reserve ``nbytes`` more for a body that sends more than it declared; the refusal line if it cannot."""
        with self.lock:
            session = self.held.get(session_id, 0) + self.pending.get(session_id, 0) + nbytes
            line = self._over("an upload longer than it declared", session, 0)
            if line is None:
                self.pending[session_id] = self.pending.get(session_id, 0) + nbytes
            return line

    def arrive(self, nbytes: int) -> str | None:
        """Count ``nbytes`` of a body received; the refusal line instead if the server would pass its budget."""
        with self.lock:
            line = self._over("an upload", 0, self.total + self.arrived + nbytes)
            if line is None:
                self.arrived += nbytes
            return line

    def finish(self, session_id: str, reserved: int, arrived: int) -> None:
        """A request ended (stored, refused or dropped): its reservation and its bytes no longer count."""
        with self.lock:
            left = self.pending.get(session_id, 0) - reserved
            if left > 0:
                self.pending[session_id] = left
            else:
                self.pending.pop(session_id, None)
            self.arrived -= arrived


#: The budget :func:`limit_uploads` installed on the running server's manager, for :class:`UploadGate`.
_installed: _UploadBudget | None = None


def limit_uploads(
    manager: Any = None,
    session_bytes: int = BUDGET.upload_session_bytes,
    server_bytes: int = BUDGET.upload_server_bytes,
    active: Callable[[str], bool] | None = None,
) -> bool:
    """Refuse an upload that would take a session's, or the server's, uploaded files past the budget.

    A refused upload gets HTTP 413 with one line saying what was wrong and what
    is expected. So does a file whose body finished arriving after its session
    ended (it would be kept for nobody). Installed once per manager: the first
    budget holds.

    Parameters
    ----------
    manager : object or None, default None
        The uploaded-file manager; None takes the running server's (and makes
        its budget the one :class:`UploadGate` checks).
    session_bytes : int, default ``BUDGET.upload_session_bytes``
    server_bytes : int, default ``BUDGET.upload_server_bytes``
    active : callable or None, default None
        ``active(session_id) -> bool``; None asks the running server, or
        checks nothing for another manager.

    Returns
    -------
    installed : bool
        False where there is no server or its manager is not Streamlit's
        in-memory one (whose ``file_storage`` this reads once).
    """
    global _installed
    running = manager is None
    if running:
        try:
            from streamlit.runtime import Runtime

            manager = Runtime.instance().uploaded_file_mgr
        except (ImportError, RuntimeError, AttributeError):
            return False
    existing = getattr(manager, "_logreg_limited", None)
    if isinstance(existing, _UploadBudget):
        if running:
            _installed = existing
        return True
    storage = getattr(manager, "file_storage", None)
    if not isinstance(storage, dict) or not all(
        hasattr(manager, name) for name in ("add_file", "remove_file", "remove_session_files")
    ):
        return False
    if active is None and running:
        active = _is_active_session
    budget = _UploadBudget(manager, storage, session_bytes, server_bytes, active)
    manager.add_file = budget.limited_add_file
    manager.remove_file = budget.limited_remove_file
    manager.remove_session_files = budget.limited_remove_session_files
    manager._logreg_limited = budget
    if running:
        _installed = budget
    return True


def drop_files_of_ended_sessions(manager: Any, live: Collection[str]) -> int:
    """Remove the uploaded files of every session not in ``live``; return how many sessions had some.

    Streamlit removes a session's files when it shuts the session down; a body
    that finished arriving just after that would otherwise stay for nobody. The
    session reaper calls this on each pass, on the server's event loop (where
    files are added), with the ids of the sessions Streamlit still serves or keeps.
    """
    storage = getattr(manager, "file_storage", None)
    if not isinstance(storage, dict):
        return 0
    gone = [session_id for session_id in list(storage) if session_id not in live]
    for session_id in gone:
        manager.remove_session_files(session_id=session_id)
    return len(gone)


#: Streamlit's upload route (after any ``server.baseUrlPath``): /_stcore/upload_file/{session_id}/{file_id}.
_UPLOAD_PATH = re.compile(r"(?:^|/)_stcore/upload_file/(?P<session>[^/]+)/(?P<file>[^/]+)/?$")


def _max_upload_bytes() -> int:
    try:
        from streamlit import config

        return int(config.get_option("server.maxUploadSize")) * 2**20
    except Exception:  # no config: Streamlit's own default, 200 MB
        return 200 * 2**20


def _is_active_session(session_id: str) -> bool:
    try:
        from streamlit.runtime import Runtime

        return bool(Runtime.instance().is_active_session(session_id))
    except (ImportError, RuntimeError, AttributeError):
        return False


#: A body that sends nothing for this long is ended (its reservation and its bytes freed).
UPLOAD_IDLE_SECONDS = 30.0
#: After a refusal, the body is read and thrown away for at most this long, so the client gets the answer.
DRAIN_SECONDS = 10.0


class UploadGate:
    """ASGI middleware: PUTs to Streamlit's upload route stay within the upload budget while they arrive.

    * A body whose declared size (``Content-Length``; Streamlit's largest file
      when it declares none or is chunked) would take its session past the
      budget is refused before Streamlit sees it. The declared size stays
      reserved for the session while the request runs, so parallel uploads
      cannot together pass it.
    * Every chunk that arrives is counted: against the server's budget (the
      bytes really received, so requests that send nothing take nothing from
      the class), and against the session's reservation, which grows if a body
      sends more than it declared. Past either, or after
      ``UPLOAD_IDLE_SECONDS`` without a byte, the request is ended.
    * A refused body is read and thrown away (``DRAIN_SECONDS`` at most, never
      kept) before the 413 and its one line are sent, so the client gets them.

    Requests for a session the server does not know pass through untouched
    (Streamlit answers 400 before reading them), as do all other requests, and
    everything when no budget is installed.

    Parameters
    ----------
    app : ASGI app
    budget : _UploadBudget or None, default None
        The budget to check; None uses, at each request, the one :func:`limit_uploads` installed on the server.
    active : callable or None, default None
        ``active(session_id) -> bool``; None asks the running server.
    idle_seconds : float, default ``UPLOAD_IDLE_SECONDS``
    drain_seconds : float, default ``DRAIN_SECONDS``
    """

    def __init__(
        self,
        app: Any,
        budget: _UploadBudget | None = None,
        active: Callable[[str], bool] | None = None,
        idle_seconds: float = UPLOAD_IDLE_SECONDS,
        drain_seconds: float = DRAIN_SECONDS,
    ) -> None:
        self.app = app
        self.budget = budget
        self.active = active or _is_active_session
        self.idle_seconds, self.drain_seconds = idle_seconds, drain_seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        budget = self.budget or _installed
        match = _UPLOAD_PATH.search(scope.get("path", "")) if scope.get("type") == "http" else None
        if budget is None or match is None or scope.get("method") != "PUT" or not self.active(match["session"]):
            await self.app(scope, receive, send)
            return
        session_id, file_id = match["session"], match["file"]
        declared = _declared_length(scope)
        expected = _max_upload_bytes() + MULTIPART_ALLOWANCE if declared is None else declared
        reserved = expected + UPLOAD_FILE_OVERHEAD
        line = budget.admit(session_id, file_id, reserved)
        if line is not None:
            whole = expected <= _max_upload_bytes() + MULTIPART_ALLOWANCE  # else Streamlit would not read it either
            await _refuse_request(session_id, line, receive, send, expected if whole else None, self.drain_seconds)
            return
        body = _MeteredBody(budget, session_id, receive, reserved, self.idle_seconds)
        started = False

        async def tracked_send(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body.receive, tracked_send)
        except Exception as error:
            if not (body.ended or _is_client_disconnect(error)):
                raise
            if body.refusal is None:  # the client left mid-body: Streamlit's traceback would say only that
                _log.info("an upload to session %s ended early: the client stopped sending", session_id[:8])
        finally:
            budget.finish(session_id, body.reserved, body.arrived)
        if body.refusal is not None and not started:
            drain = None if body.complete else _max_upload_bytes() + MULTIPART_ALLOWANCE
            await _refuse_request(session_id, body.refusal, body.raw_receive, send, drain, self.drain_seconds)


class _MeteredBody:
    """The request's ``receive``, counting each chunk against the budget and ending the body past it."""

    def __init__(self, budget: _UploadBudget, session_id: str, receive: Any, reserved: int, idle: float) -> None:
        self.budget, self.session_id, self.raw_receive = budget, session_id, receive
        self.reserved, self.idle = reserved, idle
        self.arrived = 0
        self.refusal: str | None = None
        self.ended = False  # this told Streamlit the client left
        self.complete = False  # the client sent its whole body

    def _end(self, line: str, message: Any = None) -> dict[str, str]:
        """End the body here with ``line``; ``message`` is the chunk refused, if one was."""
        self.refusal, self.ended = line, True
        self.complete = message is not None and not message.get("more_body")
        return {"type": "http.disconnect"}

    async def receive(self) -> Any:
        if self.ended:
            return {"type": "http.disconnect"}
        if self.complete:  # after the body: what comes is the client leaving, whenever it does
            return await self.raw_receive()
        try:
            message = await asyncio.wait_for(self.raw_receive(), self.idle)
        except TimeoutError:
            return self._end(f"an upload sent nothing for {self.idle:g} s; expected a steady upload - try again")
        if message.get("type") != "http.request":
            return message
        self.complete = not message.get("more_body")
        n = len(message.get("body", b""))
        if not n:
            return message
        line = self.budget.arrive(n)
        if line is not None:
            return self._end(line, message)
        self.arrived += n
        extra = self.arrived + UPLOAD_FILE_OVERHEAD - self.reserved
        if extra > 0:  # more than it declared (chunked, or a lie): the session's reservation grows
            extra = max(extra, 2**20)
            line = self.budget.grow(self.session_id, extra)
            if line is not None:
                return self._end(line, message)
            self.reserved += extra
        return message


def _is_client_disconnect(error: BaseException) -> bool:
    try:
        from starlette.requests import ClientDisconnect
    except ImportError:  # pragma: no cover - Starlette comes with Streamlit
        return False
    return isinstance(error, ClientDisconnect)


def _declared_length(scope: Any) -> int | None:
    """The body size the request declares: its Content-Length, or None if chunked, missing or unreadable."""
    length = None
    for key, value in scope.get("headers", ()):
        name = key.lower()
        if name == b"transfer-encoding":
            return None  # the body is chunked whatever Content-Length says
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isascii() or not text.isdigit() or length is not None:
                return None
            length = int(text)
    return length


async def _refuse_request(
    session_id: str, line: str, receive: Any, send: Any, drain_bytes: int | None, drain_seconds: float
) -> None:
    """Remember ``line`` for the session's page, read and drop up to ``drain_bytes`` of the body, answer 413.

    Without reading the body, the client would often see the connection reset
    instead of the answer. None answers at once (a body too large to drain).
    """
    _remember_refusal(session_id, line)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + drain_seconds
    dropped = 0
    try:
        while drain_bytes is not None and dropped <= drain_bytes and loop.time() < deadline:
            message = await asyncio.wait_for(receive(), deadline - loop.time())
            if message.get("type") != "http.request":
                return  # the client left: nobody to answer
            dropped += len(message.get("body", b""))
            if not message.get("more_body"):
                break
    except TimeoutError:  # (an OSError too: caught first) the client stalls: answer all the same
        pass
    try:
        await _plain_response(send, 413, line)
    except OSError:  # the client left meanwhile
        return


async def _plain_response(send: Any, status: int, line: str) -> None:
    body = line.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),  # the unread body is not read: end the connection after this answer
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
