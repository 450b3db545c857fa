"""A real browser against a real server: every page opens, training draws, a photo is classified.

Debian's Chromium (``apt-get install chromium``) driven by PyPI's playwright; never
``playwright install``. Screenshots land in ``artifacts/screenshots/`` to be looked at.
Without Chromium or playwright the test is skipped, except under ``CI=true`` where it fails.
"""
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from PIL import Image, ImageDraw

from paths import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 90_000


def _missing_browser():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not os.path.exists(CHROMIUM):
        return "Debian's chromium is not installed (apt-get install chromium)"
    return None


_reason = _missing_browser()
if _reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"CI needs the browser test: {_reason}")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_reason is not None, reason=_reason or ""),
    # playwright's event loop may leave a socket for the garbage collector; that is not our code.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The dashboard on 127.0.0.1 with its default data; stopped by PID, and by itself after 10 minutes."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "LOGREG_DATA_DIR"}
    cmd = ["timeout", "600", sys.executable, "-m", "streamlit", "run", "dashboard.py",
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
                raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
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
        proc.stderr.close()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        yield pg
        context.close()
        browser.close()


def cat_png():
    """A cat-ish drawing: orange head, two ears, two eyes."""
    im = Image.new("RGB", (300, 240), (90, 140, 200))
    d = ImageDraw.Draw(im)
    d.ellipse((90, 60, 210, 180), fill=(230, 140, 40))
    d.polygon([(95, 90), (110, 20), (145, 70)], fill=(230, 140, 40))
    d.polygon([(205, 90), (190, 20), (155, 70)], fill=(230, 140, 40))
    d.ellipse((120, 100, 140, 120), fill=(20, 20, 20))
    d.ellipse((160, 100, 180, 120), fill=(20, 20, 20))
    buffer = io.BytesIO()
    im.save(buffer, "PNG")
    return buffer.getvalue()


def shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.wait_for_timeout(600)           # let plotly finish its transition before the picture
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_exception(pg):
    assert pg.locator('[data-testid="stException"]').count() == 0


def go(pg, title):
    """Switch page the way a user does (a full reload would start a new session)."""
    pg.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    pg.wait_for_load_state("networkidle")


def wait_for_chart(pg, min_traces=1):
    pg.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', state="attached")
    pg.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot')].some(p => (p.data || []).length >= n)",
        arg=min_traces)


def test_a_lesson_in_the_browser(page, server):
    pg = page
    # The first visit of a fresh server is a deep link: it must still get the router and its sidebar.
    pg.goto(f"{server}/predict")
    pg.get_by_role("heading", name="Predict").first.wait_for()
    pg.locator('[data-testid="stSidebar"]').get_by_text("Data set in use").wait_for()
    no_exception(pg)

    # Train: three scalings, one chart, curves for each.
    go(pg, "Train")
    pg.get_by_role("button", name="Train", exact=False).filter(has_text="▶").first.click()
    pg.get_by_text("Download", exact=False).first.wait_for()
    wait_for_chart(pg, 3)
    traces = pg.evaluate("""() => Math.max(...[...document.querySelectorAll('.js-plotly-plot')]
                              .map(p => (p.data || []).filter(t => (t.name || '').length).length))""")
    assert traces >= 3
    no_exception(pg)
    shot(pg, "train")

    go(pg, "Data")
    wait_for_chart(pg)
    no_exception(pg)
    shot(pg, "data")

    go(pg, "Weights")
    wait_for_chart(pg)
    no_exception(pg)
    shot(pg, "weights")

    go(pg, "Predict")
    uploader = pg.locator('[data-testid="stFileUploader"]').filter(has_text="photo").locator('input[type="file"]')
    uploader.first.set_input_files([
        {"name": "drawn-cat.png", "mimeType": "image/png", "buffer": cat_png()},
        {"name": "broken.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff not really"},
    ])
    pg.get_by_text("broken.jpg", exact=False).first.wait_for()
    pg.get_by_text("drawn-cat.png", exact=False).first.wait_for()
    wait_for_chart(pg)
    assert pg.locator('[data-testid="stAlert"]').filter(has_text="broken.jpg").count() >= 1
    no_exception(pg)
    shot(pg, "predict")

    go(pg, "Why standardize")
    wait_for_chart(pg, 2)
    no_exception(pg)
    shot(pg, "why_standardize")

    go(pg, "Math")
    pg.locator(".katex").first.wait_for()
    no_exception(pg)
    shot(pg, "math")
