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

OVERHEAD = uploads.UPLOAD_FILE_OVERHEAD


class _Downstream:
    """Streamlit's side of the gate: reads the whole body, optionally waits or fails, answers 200."""

    def __init__(self, wait: asyncio.Event | None = None, fail: Exception | None = None) -> None:
        self.calls = 0
        self.read = 0
        self.wait, self.fail = wait, fail

    async def __call__(self, scope, receive, send):
        from starlette.requests import ClientDisconnect

        self.calls += 1
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()  # what Starlette's request.stream() does
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        if self.wait is not None:
            await self.wait.wait()
        if self.fail is not None:
            raise self.fail
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _budget(session_bytes, server_bytes=10**9, active=None):
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    assert uploads.limit_uploads(manager, session_bytes=session_bytes, server_bytes=server_bytes, active=active)
    return manager, manager._logreg_limited


async def _put(gate, session="s", file_id="f", length=1000, method="PUT", path=None, chunks=None, headers=None, gap=0):
    """One request through ``gate``; returns (status, response text, chunks the body was asked for).

    ``chunks``: the body's chunks (default one of ``length`` bytes); after them the client sends nothing
    (``None`` in the list: the client stalls there).
    """
    scope = {
        "type": "http",
        "method": method,
        "path": path or f"/_stcore/upload_file/{session}/{file_id}",
        "headers": headers if headers is not None else [(b"content-length", str(length).encode())],
    }
    parts = list(chunks) if chunks is not None else [b"x" * length]
    asked = 0

    async def receive():
        nonlocal asked
        asked += 1
        if gap:
            await asyncio.sleep(gap)
        if not parts or parts[0] is None:
            await asyncio.sleep(3600)  # a client that sends nothing more
        part = parts.pop(0)
        return {"type": "http.request", "body": part, "more_body": bool(parts)}

    sent = []

    async def send(message):
        sent.append(message)

    await gate(scope, receive, send)
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), None)
    text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
    return status, text, asked


def _idle(budget):
    return budget.pending == {} and budget.arrived == 0


def test_a_put_past_the_budget_is_refused_from_its_declared_size_and_its_body_never_reaches_streamlit():
    _, budget = _budget(session_bytes=10_000)
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
    status, text, asked = asyncio.run(_put(gate, length=20_000))
    assert (status, app.calls) == (413, 0)  # Streamlit never saw it
    assert asked == 1  # the body was read and dropped, so that the client gets the answer
    assert text.startswith("an upload of 20.5 KB: your uploads would hold") and "per student" in text
    assert "\n" not in text
    assert uploads.pop_upload_refusal("s") == text  # the page says it once
    assert _idle(budget)
    status, _, asked = asyncio.run(_put(gate, length=5_000))  # within the budget: Streamlit gets it
    assert (status, asked, app.calls, app.read) == (200, 1, 1, 5_000)
    assert _idle(budget)  # released once the request ended


def test_a_declared_size_too_large_to_drain_is_answered_at_once():
    _, budget = _budget(session_bytes=10_000)
    gate = uploads.UploadGate(_Downstream(), budget=budget, active=lambda s: True)
    status, text, asked = asyncio.run(_put(gate, length=600 * 2**20, chunks=[None]))
    assert (status, asked) == (413, 0) and "an upload of 600.0 MB" in text


def test_parallel_puts_are_refused_once_the_bodies_they_declare_would_pass_the_sessions_budget():
    _, budget = _budget(session_bytes=3 * (4_000 + OVERHEAD), server_bytes=10**9)

    async def scenario():
        release = asyncio.Event()
        app = _Downstream(wait=release)
        gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
        held = [asyncio.create_task(_put(gate, file_id=str(i), length=4_000)) for i in range(3)]
        await asyncio.sleep(0.05)
        assert budget.pending == {"s": 3 * (4_000 + OVERHEAD)} and budget.arrived == 3 * 4_000
        status, text, _ = await _put(gate, file_id="3", length=4_000)  # a fourth while three arrive
        assert status == 413 and "your uploads would hold" in text
        other = asyncio.create_task(_put(gate, session="t", length=4_000))
        await asyncio.sleep(0.05)
        assert budget.pending["t"] == 4_000 + OVERHEAD  # another student is not held up
        release.set()
        done = await asyncio.gather(*held, other)
        assert [d[0] for d in done] == [200, 200, 200, 200]
        assert _idle(budget)
        assert (await _put(gate, file_id="3", length=4_000))[0] == 200  # nothing was stored (the fake stores none)

    asyncio.run(scenario())


def test_requests_that_send_nothing_take_nothing_from_the_class_and_end_after_the_idle_time():
    _, budget = _budget(session_bytes=10**9, server_bytes=100_000)

    async def scenario():
        gate = uploads.UploadGate(
            _Downstream(), budget=budget, active=lambda s: True, idle_seconds=0.3, drain_seconds=0.2
        )
        stalled = [  # declare 80 KB each, send nothing: together far past the server's 100 KB
            asyncio.create_task(_put(gate, session=f"attacker{i}", length=80_000, chunks=[None])) for i in range(5)
        ]
        await asyncio.sleep(0.05)
        assert budget.arrived == 0 and len(budget.pending) == 5
        assert (await _put(gate, session="student", length=50_000))[0] == 200  # the class can still upload
        answers = await asyncio.gather(*stalled)
        assert all(status == 413 and "sent nothing for 0.3 s" in text for status, text, _ in answers)
        assert _idle(budget)

    asyncio.run(scenario())


def test_bytes_that_arrive_count_against_the_servers_budget_and_end_the_request_past_it():
    _, budget = _budget(session_bytes=10**9, server_bytes=100_000)

    async def scenario():
        release = asyncio.Event()
        gate = uploads.UploadGate(_Downstream(wait=release), budget=budget, active=lambda s: True)
        first = asyncio.create_task(_put(gate, session="a", length=60_000))
        await asyncio.sleep(0.05)
        assert budget.arrived == 60_000
        app = _Downstream()
        gate2 = uploads.UploadGate(app, budget=budget, active=lambda s: True)
        # declares little, sends 5 chunks of 10 KB: the fifth would pass 100 KB with the 60 KB that arrived
        status, text, _ = await _put(gate2, session="b", length=1_000, chunks=[b"y" * 10_000] * 5)
        assert status == 413 and "the class's uploads would hold" in text
        assert app.read == 40_000  # Streamlit got four chunks, then the request was ended
        release.set()
        assert (await first)[0] == 200
        assert _idle(budget)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "headers",
    [
        [(b"content-length", b"0"), (b"transfer-encoding", b"chunked")],  # h11 reads it chunked
        [(b"transfer-encoding", b"chunked"), (b"content-length", b"0")],
        [(b"content-length", b"0000000000000000000047185920")],  # zero-padded: 45 MiB
        [(b"content-length", b"100"), (b"content-length", b"100")],
        [],
    ],
)
def test_a_body_is_counted_at_the_largest_file_whatever_its_headers_claim(monkeypatch, headers):
    _, budget = _budget(session_bytes=1 << 20)
    monkeypatch.setattr(uploads, "_max_upload_bytes", lambda: 45 * 2**20)
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
    status, text, _ = asyncio.run(_put(gate, length=10, headers=headers))
    assert (status, app.calls) == (413, 0) and "your uploads would hold 45." in text


def test_a_body_longer_than_it_declared_grows_its_reservation_until_the_sessions_budget():
    _, budget = _budget(session_bytes=3 * 2**20)
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
    status, _, _ = asyncio.run(_put(gate, length=10, chunks=[b"z" * 500_000] * 3))  # 1.5 MB, declared 10 bytes
    assert status == 200 and app.read == 1_500_000 and _idle(budget)
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: True)
    status, text, _ = asyncio.run(_put(gate, length=10, chunks=[b"z" * 1_000_000] * 5))
    assert status == 413 and "an upload longer than it declared: your uploads would hold" in text
    assert app.read < 4_000_000 and _idle(budget)


def test_the_gate_releases_the_reservation_when_streamlit_fails_and_counts_a_resent_file_once():
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    manager, budget = _budget(session_bytes=2 * (3_000 + OVERHEAD) + 500)
    gate = uploads.UploadGate(_Downstream(fail=RuntimeError("Streamlit failed")), budget=budget, active=lambda s: True)
    with pytest.raises(RuntimeError):
        asyncio.run(_put(gate, length=3_000))
    assert _idle(budget)
    manager.add_file("s", UploadedFileRec("f", "", "", b"x" * 3_000))  # stored: 3 000 + 1 KiB
    gate = uploads.UploadGate(_Downstream(), budget=budget, active=lambda s: True)
    assert asyncio.run(_put(gate, file_id="f", length=3_000))[0] == 200  # the same file again: not twice
    assert asyncio.run(_put(gate, file_id="g", length=3_000))[0] == 200
    manager.add_file("s", UploadedFileRec("g", "", "", b"x" * 3_000))
    assert asyncio.run(_put(gate, file_id="h", length=3_000))[0] == 413


def test_a_client_that_leaves_mid_body_is_one_log_line_not_a_traceback(caplog):
    from starlette.requests import ClientDisconnect

    _, budget = _budget(session_bytes=1 << 20)
    gate = uploads.UploadGate(_Downstream(fail=ClientDisconnect()), budget=budget, active=lambda s: True)
    with caplog.at_level("INFO", logger="ui.uploads"):
        status, _, _ = asyncio.run(_put(gate, length=3_000))
    assert status is None and _idle(budget)
    assert [r.getMessage() for r in caplog.records] == [
        "an upload to session s ended early: the client stopped sending"
    ]


@pytest.mark.parametrize(
    ("method", "path", "active"),
    [
        ("GET", None, True),  # not an upload
        ("DELETE", None, True),
        ("PUT", "/_stcore/health", True),
        ("PUT", None, False),  # a session the server does not know: Streamlit answers 400, unread
    ],
)
def test_the_gate_leaves_other_requests_to_streamlit(method, path, active):
    _, budget = _budget(session_bytes=10)  # anything counted would be refused
    app = _Downstream()
    gate = uploads.UploadGate(app, budget=budget, active=lambda s: active)
    status, _, _ = asyncio.run(_put(gate, length=20_000, method=method, path=path))
    assert (status, app.calls) == (200, 1)
    assert _idle(budget)


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


def test_a_file_that_arrives_after_its_session_ended_is_refused_and_strays_are_dropped():
    from starlette.exceptions import HTTPException
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    live = {"a"}
    manager, _ = _budget(session_bytes=1 << 20, active=lambda s: s in live)
    manager.add_file("a", UploadedFileRec("1", "cat.jpg", "image/jpeg", b"x"))
    with pytest.raises(HTTPException) as refused:
        manager.add_file("gone", UploadedFileRec("1", "cat.jpg", "image/jpeg", b"x" * 1000))
    assert refused.value.status_code == 413 and "arrived after its page was closed" in refused.value.detail
    assert set(manager.file_storage) == {"a"}
    manager.file_storage["stray"] = {}  # as if stored before the check: the reaper's sweep drops it
    assert uploads.drop_files_of_ended_sessions(manager, live) == 1 and set(manager.file_storage) == {"a"}
    assert uploads.drop_files_of_ended_sessions(object(), live) == 0


def test_after_the_whole_body_the_idle_timer_no_longer_runs():
    """A handler that waits for the client to leave once the body is in is not cut off by the idle time."""
    _, budget = _budget(session_bytes=1 << 20)
    seen = []

    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        seen.append(await receive())  # e.g. Starlette listening for a disconnect while it answers
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def scenario():
        gate = uploads.UploadGate(app, budget=budget, active=lambda s: True, idle_seconds=0.05)
        left = {"type": "http.disconnect", "from": "the client"}
        messages = [{"type": "http.request", "body": b"x" * 100, "more_body": False}, left]

        async def receive():
            if len(messages) == 1:
                await asyncio.sleep(0.2)  # longer than the idle time
            return messages.pop(0)

        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "PUT", "path": "/_stcore/upload_file/s/f"}
        scope["headers"] = [(b"content-length", b"100")]
        await gate(scope, receive, send)
        return [m.get("status") for m in sent if m["type"] == "http.response.start"]

    assert asyncio.run(scenario()) == [204]
    assert seen == [{"type": "http.disconnect", "from": "the client"}] and _idle(budget)  # not one of the gate's
