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
  PUT from its ``Content-Length`` before Streamlit reads the body, and counts
  the bodies being received: parallel uploads cannot hold more than the budget
  in memory either, even for the moment before they are stored.

The uploader itself shows only "413", so the line is kept for the session's next
page run to show (:func:`pop_upload_refusal`).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from logreg_core.limits import BUDGET, cap_text

__all__ = [
    "UPLOAD_FILE_OVERHEAD",
    "UploadGate",
    "installed_budget",
    "limit_uploads",
    "pop_upload_refusal",
]

_log = logging.getLogger(__name__)

#: What one uploaded file costs besides its bytes, name and type (Streamlit's record of it, dict entries).
UPLOAD_FILE_OVERHEAD = 1024
#: What a PUT without a Content-Length may bring besides the file: multipart framing, name and type.
MULTIPART_ALLOWANCE = 64 * 1024


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 2**10:,.1f} KB"


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
    """Running totals of what each session's uploaded files cost (and its bodies being received).

    Stored files are counted by wrapping Streamlit's upload manager; bodies still
    arriving are *pending*, reserved by :class:`UploadGate` from their
    Content-Length and released once the request ends. A stored file whose
    request has not ended yet counts twice for that moment, never zero times.
    """

    def __init__(self, manager: Any, storage: dict[str, Any], session_bytes: int, server_bytes: int) -> None:
        self.session_bytes, self.server_bytes = session_bytes, server_bytes
        self.lock = threading.Lock()  # the check, the add and the count are one step
        self.costs: dict[str, dict[str, int]] = {}  # session id → file id → cost
        self.held: dict[str, int] = {}  # session id → its total
        self.total = 0
        self.pending: dict[str, int] = {}  # session id → bodies being received
        self.pending_total = 0
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
            replaced = self.costs.get(session_id, {}).get(file.file_id, 0)  # the same file sent again
            cost = _upload_cost(file)
            name = cap_text(getattr(file, "name", "") or "upload", 100)
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

    def reserve(self, session_id: str, file_id: str, nbytes: int) -> str | None:
        """Count a body of ``nbytes`` about to arrive; the refusal line instead if it would pass the budget."""
        with self.lock:
            replaced = self.costs.get(session_id, {}).get(file_id, 0)
            session = self.held.get(session_id, 0) + self.pending.get(session_id, 0) - replaced + nbytes
            everyone = self.total + self.pending_total - replaced + nbytes
            line = self._over(f"an upload of {_mb(nbytes)}", session, everyone)
            if line is None:
                self.pending[session_id] = self.pending.get(session_id, 0) + nbytes
                self.pending_total += nbytes
            return line

    def release(self, session_id: str, nbytes: int) -> None:
        """The body reserved by :meth:`reserve` is no longer arriving (stored, refused or dropped)."""
        with self.lock:
            left = self.pending.get(session_id, 0) - nbytes
            if left > 0:
                self.pending[session_id] = left
            else:
                self.pending.pop(session_id, None)
            self.pending_total -= nbytes


#: The budget :func:`limit_uploads` installed on the running server's manager, for :class:`UploadGate`.
_installed: _UploadBudget | None = None


def installed_budget() -> _UploadBudget | None:
    """The running server's upload budget, or None before :func:`limit_uploads` installed one."""
    return _installed


def limit_uploads(
    manager: Any = None,
    session_bytes: int = BUDGET.upload_session_bytes,
    server_bytes: int = BUDGET.upload_server_bytes,
) -> bool:
    """Refuse an upload that would take a session's, or the server's, uploaded files past the budget.

    A refused upload gets HTTP 413 with one line saying what was wrong and what
    is expected. Installed once per manager: the first budget holds.

    Parameters
    ----------
    manager : object or None, default None
        The uploaded-file manager; None takes the running server's (and makes
        its budget the one :class:`UploadGate` checks).
    session_bytes : int, default ``BUDGET.upload_session_bytes``
    server_bytes : int, default ``BUDGET.upload_server_bytes``

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
    budget = _UploadBudget(manager, storage, session_bytes, server_bytes)
    manager.add_file = budget.limited_add_file
    manager.remove_file = budget.limited_remove_file
    manager.remove_session_files = budget.limited_remove_session_files
    manager._logreg_limited = budget
    if running:
        _installed = budget
    return True


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


class UploadGate:
    """ASGI middleware: a PUT to Streamlit's upload route past the budget gets 413 before its body is read.

    The body a request declares (``Content-Length``, or Streamlit's largest file
    when it declares none) is reserved in the budget for as long as the request
    runs, so a session sending many files at once is refused as soon as they
    would pass its budget, not after each was received. Requests for a session
    the server does not know pass through untouched (Streamlit answers 400
    before reading them), as do all other requests, and everything when no
    budget is installed.

    Parameters
    ----------
    app : ASGI app
    budget : _UploadBudget or None, default None
        The budget to check; None uses :func:`installed_budget` at each request.
    active : callable or None, default None
        ``active(session_id) -> bool``; None asks the running server.
    """

    def __init__(self, app: Any, budget: _UploadBudget | None = None, active: Any = None) -> None:
        self.app = app
        self.budget = budget
        self.active = active or _is_active_session

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        budget = self.budget or _installed
        match = _UPLOAD_PATH.search(scope.get("path", "")) if scope.get("type") == "http" else None
        if budget is None or match is None or scope.get("method") != "PUT" or not self.active(match["session"]):
            await self.app(scope, receive, send)
            return
        session_id, file_id = match["session"], match["file"]
        declared = _content_length(scope)
        if declared is None:  # chunked: Streamlit stops it past its largest file
            declared = _max_upload_bytes() + MULTIPART_ALLOWANCE
        if declared < 0:  # not a number: Streamlit answers 400 before reading anything
            await self.app(scope, receive, send)
            return
        nbytes = declared + UPLOAD_FILE_OVERHEAD
        line = budget.reserve(session_id, file_id, nbytes)
        if line is not None:
            _remember_refusal(session_id, line)
            await _plain_response(send, 413, line)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            budget.release(session_id, nbytes)


def _content_length(scope: Any) -> int | None:
    """The request's Content-Length; None without one, −1 if it is not a whole number."""
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else -1
    return None


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
