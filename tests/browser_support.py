"""What both real-browser test files share: Chromium's flags, the skip rule, and a dashboard server.

Debian's Chromium driven by PyPI's playwright (never ``playwright install``). Without either the browser
tests are skipped with the reason, except under ``CI=true``, where that is an error.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from paths import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 90_000


def missing_browser():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not os.path.exists(CHROMIUM):
        return "Debian's chromium is not installed (apt-get install chromium)"
    return None


def browser_marks():
    """``pytestmark`` for a browser test file (raises under CI=true when the browser is missing)."""
    reason = missing_browser()
    if reason and os.environ.get("CI") == "true":
        raise RuntimeError(f"CI needs the browser test: {reason}")
    return [
        pytest.mark.browser,
        pytest.mark.skipif(reason is not None, reason=reason or ""),
        pytest.mark.filterwarnings("ignore::ResourceWarning"),
        pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    ]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(extra_env=None, seconds=600):
    """The dashboard on a free 127.0.0.1 port with its default data; yields its URL.

    It stops by itself after ``seconds`` (``timeout``) and is stopped by PID when the block ends.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "LOGREG_DATA_DIR"}
    env.update(extra_env or {})
    cmd = ["timeout", str(seconds), sys.executable, "-m", "streamlit", "run", "serve.py"]
    cmd += ["--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port)]
    cmd += ["--browser.gatherUsageStats", "false"]
    # The server's log goes to a file, never a pipe: a pipe nobody reads fills at 64 KB and freezes the server.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"streamlit exited: {log.read().decode(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not answer /_stcore/health within 90 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
