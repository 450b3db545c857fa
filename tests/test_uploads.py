"""The upload budget: stored files counted per session and server, and the gate refusing a PUT before its body."""

import asyncio

import pytest

from ui import uploads


def test_uploads_past_a_sessions_or_the_servers_budget_are_refused_with_one_line():
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    def cost(size, name="cat.jpg"):  # bytes, name, type and the fixed overhead of one file
        return size + len(name) + len("image/jpeg") + uploads.UPLOAD_FILE_OVERHEAD

    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    manager.add_file("z", UploadedFileRec("0", "cat.jpg", "image/jpeg", b"z" * 100))  # there before the limit
    per_session = cost(4000) + cost(6000)
    per_server = per_session + cost(10000) + cost(100) + 2000
    assert uploads.limit_uploads(manager, session_bytes=per_session, server_bytes=per_server)
    assert uploads.limit_uploads(manager, session_bytes=1, server_bytes=1)  # installed once: the first budget holds

    def put(session, file_id, size, name="cat.jpg"):
        manager.add_file(session, UploadedFileRec(file_id, name, "image/jpeg", b"x" * size))

    put("a", "1", 4000)
    put("a", "2", 4000)
    put("a", "2", 6000)  # the same file sent again replaces it: the session is exactly at its budget
    with pytest.raises(HTTPException) as refused:
        put("a", "3", 1, "dog.jpg")
    assert refused.value.status_code == 413
    assert refused.value.detail.startswith("dog.jpg: your uploads would hold") and "per student" in refused.value.detail
    assert "\n" not in refused.value.detail and "3" not in manager.file_storage["a"]
    assert uploads.pop_upload_refusal("a") == refused.value.detail  # for the page to show, once
    assert uploads.pop_upload_refusal("a") is None
    put("b", "1", 10000)
    put("b", "1", 10000)  # sent again: counted once for the class
    with pytest.raises(HTTPException) as refused:
        put("c", "1", 6000)
    assert "the class's uploads would hold" in refused.value.detail
    manager.remove_file("a", "2")  # a student removes a file: room again
    put("a", "3", 5000)
    put("c", "1", 10)
    held = {session: sum(len(f.data) for f in files.values()) for session, files in manager.file_storage.items()}
    assert held == {"z": 100, "a": 4000 + 5000, "b": 10000, "c": 10}
    manager.remove_session_files("b")  # a student leaves: their files no longer count
    put("c", "2", 6000)


def test_a_flood_of_empty_uploads_is_bounded_by_their_names_and_overhead():
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    assert uploads.limit_uploads(manager, session_bytes=1 << 20, server_bytes=1 << 30)
    with pytest.raises(HTTPException):
        for i in range(1000):
            manager.add_file("a", UploadedFileRec(str(i), "n" * 3000, "t" * 3000, b""))
    assert 100 < len(manager.file_storage["a"]) < 200  # 1 MiB / (6000 + 1024) bytes a file


def test_uploads_are_not_limited_without_streamlits_in_memory_manager():

    assert not uploads.limit_uploads(object())


# The gate ---------------------------------------------------------------------------------------------------


class _Downstream:
    """Streamlit's side of the gate: reads the whole body, optionally waits, answers 200."""

    def __init__(self, wait: asyncio.Event | None = None, fail: bool = False) -> None:
        self.calls = 0
        self.read = 0
        self.wait, self.fail = wait, fail

    async def __call__(self, scope, receive, send):
        self.calls += 1
        while True:
            message = await receive()
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        if self.wait is not None:
            await self.wait.wait()
        if self.fail:
            raise RuntimeError("Streamlit failed")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _budget(session_bytes, server_bytes=10**9):
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    assert uploads.limit_uploads(manager, session_bytes=session_bytes, server_bytes=server_bytes)
    return manager, manager._logreg_limited


async def _put(gate, session="s", file_id="f", length=1000, method="PUT", path=None, body=None, headers=None):
    """One request through ``gate``; returns (status, response body, how often the body was asked for)."""
    scope = {
        "type": "http",
        "method": method,
        "path": path or f"/_stcore/upload_file/{session}/{file_id}",
        "headers": headers if headers is not None else [(b"content-length", str(length).encode())],
    }
    asked = 0
    chunk = body if body is not None else b"x" * length

    async def receive():
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": chunk, "more_body": False}

    sent = []

    async def send(message):
        sent.append(message)

    await gate(scope, receive, send)
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), None)
    text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
    return status, text, asked


def test_the_gate_refuses_a_put_past_the_budget_from_its_content_length_without_reading_the_body():
    _, budget = _budget(session_bytes=10_000)
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
    status, text, asked = asyncio.run(_put(gate, length=20_000))
    assert (status, asked, app.calls) == (413, 0, 0)  # answered before Streamlit or the body
    assert text.startswith("an upload of 20.5 KB: your uploads would hold") and "per student" in text
    assert "\n" not in text
    assert uploads.pop_upload_refusal("s") == text  # the page says it once
    assert budget.pending == {} and budget.pending_total == 0
    status, _, asked = asyncio.run(_put(gate, length=5_000))  # within the budget: Streamlit gets it
    assert (status, asked, app.calls, app.read) == (200, 1, 1, 5_000)
    assert budget.pending == {} and budget.pending_total == 0  # released once the request ended


def test_parallel_puts_are_refused_once_the_bodies_arriving_would_pass_the_budget():
    _, budget = _budget(session_bytes=3 * (4_000 + uploads.UPLOAD_FILE_OVERHEAD), server_bytes=10**9)

    async def scenario():
        release = asyncio.Event()
        app = _Downstream(wait=release)
        gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
        held = [asyncio.create_task(_put(gate, file_id=str(i), length=4_000)) for i in range(3)]
        await asyncio.sleep(0.05)
        assert budget.pending_total == 3 * (4_000 + uploads.UPLOAD_FILE_OVERHEAD)
        status, text, asked = await _put(gate, file_id="3", length=4_000)  # a fourth while three arrive
        assert "your uploads would hold" in text
        assert (status, asked) == (413, 0)
        other = asyncio.create_task(_put(gate, session="t", length=4_000))
        await asyncio.sleep(0.05)
        assert budget.pending["t"] == 4_000 + uploads.UPLOAD_FILE_OVERHEAD  # another student is not held up
        release.set()
        done = await asyncio.gather(*held, other)
        assert [d[0] for d in done] == [200, 200, 200, 200]
        assert budget.pending_total == 0
        status, _, _ = await _put(gate, file_id="3", length=4_000)  # nothing was stored (the fake stores none)
        assert status == 200

    asyncio.run(scenario())


def test_the_gate_releases_a_reservation_when_streamlit_fails_and_counts_a_resent_file_once():
    manager, budget = _budget(session_bytes=2 * (3_000 + uploads.UPLOAD_FILE_OVERHEAD) + 500)
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    gate = uploads.UploadGate(_Downstream(fail=True), budget=budget, active=lambda s: True)
    with pytest.raises(RuntimeError):
        asyncio.run(_put(gate, length=3_000))
    assert budget.pending_total == 0
    manager.add_file("s", UploadedFileRec("f", "", "", b"x" * 3_000))  # stored: 3 000 + 1 KiB
    gate = uploads.UploadGate(_Downstream(), budget=budget, active=lambda s: True)
    assert asyncio.run(_put(gate, file_id="f", length=3_000))[0] == 200  # the same file again: not twice
    assert asyncio.run(_put(gate, file_id="g", length=3_000))[0] == 200
    manager.add_file("s", UploadedFileRec("g", "", "", b"x" * 3_000))
    assert asyncio.run(_put(gate, file_id="h", length=3_000))[0] == 413


def test_a_put_without_content_length_reserves_the_largest_file_streamlit_accepts(monkeypatch):
    _, budget = _budget(session_bytes=1 << 20)
    gate = uploads.UploadGate(_Downstream(), budget=budget, active=lambda s: True)
    monkeypatch.setattr(uploads, "_max_upload_bytes", lambda: 2 << 20)
    status, text, asked = asyncio.run(_put(gate, length=10, headers=[]))
    assert (status, asked) == (413, 0) and "your uploads would hold 2 MB" in text
    monkeypatch.setattr(uploads, "_max_upload_bytes", lambda: 100_000)
    assert asyncio.run(_put(gate, length=10, headers=[]))[0] == 200


@pytest.mark.parametrize(
    ("method", "path", "active", "headers"),
    [
        ("GET", None, True, None),  # not an upload
        ("DELETE", None, True, None),
        ("PUT", "/_stcore/health", True, None),
        ("PUT", None, False, None),  # a session the server does not know: Streamlit answers 400, unread
        ("PUT", None, True, [(b"content-length", b"12abc")]),  # Streamlit answers 400, unread
    ],
)
def test_the_gate_leaves_other_requests_to_streamlit(method, path, active, headers):
    _, budget = _budget(session_bytes=10)  # anything counted would be refused
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: active)
    status, _, _ = asyncio.run(_put(gate, length=20_000, method=method, path=path, headers=headers))
    assert (status, app.calls) == (200, 1)
    assert budget.pending_total == 0


def test_the_gate_finds_the_upload_route_under_a_base_url_path():
    _, budget = _budget(session_bytes=10)
    gate = uploads.UploadGate(_Downstream(), budget=budget, active=lambda s: True)
    status, _, _ = asyncio.run(_put(gate, path="/lab/_stcore/upload_file/s/f", length=100))
    assert status == 413


def test_the_gate_does_nothing_before_a_budget_is_installed(monkeypatch):
    monkeypatch.setattr(uploads, "_installed", None)
    app = _Downstream()
    gate = uploads.UploadGate(app, active=lambda s: True)
    assert asyncio.run(_put(gate, length=10**6))[0] == 200 and app.calls == 1
