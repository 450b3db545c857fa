"""The load test's smoke run: 3 simulated students for 30 s against a server it starts; zero errors.

Timing is not asserted (machines are shared); bench/README.md has the measured tables.
"""

import asyncio
import subprocess
import sys

import pytest

from bench import loadtest

from paths import ROOT


@pytest.mark.slow
def test_three_students_for_thirty_seconds_make_no_errors(tmp_path):
    out = tmp_path / "numbers.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.loadtest",
            "--students",
            "3",
            "--minutes",
            "0.5",
            "--idle",
            "1",
            "--ramp",
            "3",
            "--timeout",
            "120",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "errors: 0" in done.stdout
    rows = loadtest.summary_from_json(out)
    for action in ("open", "train", "weights", "predict", "upload"):
        assert rows[action]["n"] >= 1, (action, done.stdout)


def test_only_local_servers_are_accepted():
    with pytest.raises(SystemExit):
        loadtest.parse_args(["--url", "http://example.org:8501"])
    with pytest.raises(SystemExit):
        loadtest.parse_args(["--minutes", "600"])
    assert loadtest.parse_args(["--url", "http://127.0.0.1:8501"]).url == "http://127.0.0.1:8501"


def test_percentiles_and_the_process_sampler():
    assert loadtest.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert loadtest.percentile([5.0], 0.95) == 5.0
    rss, ticks = loadtest.rss_and_ticks(loadtest.process_tree(__import__("os").getpid()))
    assert rss > 10 * 2**20 and ticks > 0


def test_the_warm_up_visits_every_server_behind_a_proxy(monkeypatch):
    """Visits repeat until each PID's CPU time grew most once; a server never reached is reported."""
    landed: list[int] = []  # the server each scripted visit lands on
    ticks = [0, 0, 0]

    async def visit(url, timeout):
        ticks[landed.pop(0)] += 100

    monkeypatch.setattr(loadtest, "warm_up", visit)
    monkeypatch.setattr(loadtest, "server_ticks", lambda pids: list(ticks))
    landed += [0, 0, 2, 1, 1]
    assert loadtest.warm_every("http://127.0.0.1:1", [10, 11, 12], 1.0) == []
    assert landed == [1]  # stopped once all three had served a visit
    landed[:] = [0] * 12
    assert loadtest.warm_every("http://127.0.0.1:1", [10, 11, 12], 1.0) == [11, 12]
    assert landed == []  # 4 visits per server at most
    with pytest.raises(ValueError, match="same servers"):
        loadtest.busiest([1, 2], [3])


@pytest.mark.slow
def test_a_running_server_refuses_an_upload_past_the_sessions_budget_with_413(tmp_path):
    """Through Streamlit's own upload route: the PUT past the budget answers 413 with the one line."""
    app = tmp_path / "uploads.py"
    app.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import streamlit as st\n"
        "from ui import server\n"
        "server.limit_uploads(session_bytes=5000, server_bytes=10**9)\n"
        "st.file_uploader('files', key='up', accept_multiple_files=True)\n"
    )

    async def student(url):
        s = loadtest.Student(url, 60)
        try:
            await s.open()
            await s.upload("up", "a.png", b"x" * 2000, "image/png")
            with pytest.raises(loadtest.ActionError, match=r"HTTP 413: .*b\.png: your uploads would hold"):
                await s.upload("up", "b.png", b"y" * 2000, "image/png")
        finally:
            await s.close()

    with loadtest.started_server(str(app), tmp_path) as (url, _):
        asyncio.run(student(url))


async def _declared_put(student, declared):
    """A PUT to the student's upload route that declares ``declared`` bytes and sends none; the answer's text."""
    reader, writer = await asyncio.open_connection(student.host, student.port)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in student.cookies.items())
        writer.write(
            (
                f"PUT /_stcore/upload_file/{student.session_id}/f1 HTTP/1.1\r\nHost: {student.host}\r\n"
                f"Content-Length: {declared}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                f"Cookie: {cookie}\r\nX-Xsrftoken: {student.cookies.get('_streamlit_xsrf', '')}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        return (await asyncio.wait_for(reader.read(), 20)).decode("utf-8", "replace")  # the server closes
    finally:
        writer.close()


def _launcher(folder, page, app_arguments):
    """Write ``page.py`` and an ``st.App`` launcher for it (with ``ui`` importable) into ``folder``; its path."""
    (folder / "page.py").write_text(page)
    launcher = folder / "launch.py"
    launcher.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "import streamlit as st\nfrom starlette.middleware import Middleware\n"
        "from ui import server\nfrom ui.uploads import UploadGate\n"
        f"app = st.App('page.py', {app_arguments})\n"
    )
    return str(launcher)


def _one_student(app, folder, action):
    """Start ``app``, open one student, return what ``await action(student)`` returns; stop it all."""

    async def run(url):
        student = loadtest.Student(url, 60)
        try:
            await student.open()
            return await action(student)
        finally:
            await student.close()

    with loadtest.started_server(app, folder) as (url, _):
        return asyncio.run(run(url))


async def _declared_600_mb(student):
    return await _declared_put(student, 600 * 2**20)  # past 512 MiB; nothing of it is ever sent


@pytest.mark.slow
def test_serve_py_refuses_an_upload_past_the_budget_before_reading_its_body(tmp_path):
    """The lab as served: a PUT declaring more than a student's budget is answered 413 with no body sent."""
    answer = _one_student("serve.py", tmp_path, _declared_600_mb)
    assert answer.startswith("HTTP/1.1 413"), answer[:300]
    assert "an upload of 600.0 MB: your uploads would hold 600.0 MB; expected at most 512.0 MB per student" in answer


@pytest.mark.slow
def test_the_budget_is_installed_when_the_server_starts_not_by_a_page(tmp_path):
    """``server.lifespan`` guards a server whose page never calls setup: the first upload is already gated."""
    page = "import streamlit as st\nst.file_uploader('files', key='up')\n"
    launcher = _launcher(tmp_path, page, "lifespan=server.lifespan, middleware=[Middleware(UploadGate)]")
    answer = _one_student(launcher, tmp_path, _declared_600_mb)
    # Streamlit alone would say only "File too large"
    assert answer.startswith("HTTP/1.1 413") and "your uploads would hold 600.0 MB" in answer, answer[-300:]


@pytest.mark.slow
def test_a_page_that_raises_shows_one_line_and_no_traceback_when_served(tmp_path):
    """``server.show_script_error`` (serve.py's ``on_script_error``): one error line, no exception element."""
    page = "raise ValueError('boom\\n  File \"/srv/secret.py\", line 1')\n"
    launcher = _launcher(tmp_path, page, "on_script_error=server.show_script_error")

    async def shown(student):
        return (await student.rerun(page=None)).errors

    errors = _one_student(launcher, tmp_path, shown)
    assert len(errors) == 1 and errors[0].startswith("error shown: This page stopped on an error it did not expect")
    assert "ValueError: boom" in errors[0] and "secret" not in errors[0]
