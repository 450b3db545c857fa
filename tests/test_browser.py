"""A real browser against a real server, at a projector's 1280×720 and at 150 % zoom (853×480 CSS px).

Every page opens through the router (a cold deep link too), nothing is cut to "…", the chart is in the
first viewport after training, the running indicator shows, Stop on a third comparison freezes it where
the chart was, a lesson survives a round trip through the URL, a class's photos go into one table, and
the live chart is counted where it matters: frames the browser rendered.

Debian's Chromium (``apt-get install chromium``) driven by PyPI's playwright; never
``playwright install``. Screenshots land in ``artifacts/screenshots/`` to be looked at; the rendered
frame rate and first-curve latency in ``artifacts/live_rate.txt`` (measurements, not pass/fail limits:
the machines are shared).
"""

import io
import re

import pytest
from PIL import Image, ImageDraw

from browser_support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, browser_marks, dashboard_server
from paths import ROOT

SHOTS = ROOT / "artifacts" / "screenshots"


pytestmark = browser_marks()


@pytest.fixture(scope="module")
def server():
    """The dashboard on 127.0.0.1 with its default data; stopped by PID, and by itself after 10 minutes."""
    with dashboard_server() as url:
        yield url


PAGES = {
    "data": "Data: pictures become numbers",
    "train": "Train the one-neuron network",
    "weights": "Weights",
    "predict": "Predict",
    "why_standardize": "Why standardize",
    "math": "The math of one neuron",
    "capture": "Capture",
    "evaluate": "Evaluate",
}
SIZES = [(1280, 720), (853, 480)]
#: Each page's main figure (the first element matching the selector, in the page's state named in the test):
#: its top must be in the first screen with enough of it showing to read. The class board's ranking is
#: checked in test_browser_beyond.py, where the server has a board with runs on it.
MAIN_FIGURE = {
    "train": '[data-testid="stPlotlyChart"]',  # cost and accuracy curves, after training
    "data": '[data-testid="stImage"]',  # the sample images
    "weights": '[data-testid="stPlotlyChart"]',  # the first run's weights as pictures, after training
    "predict": '[data-testid="stDataFrame"]',  # the table of the class's photos, after an upload
    "why_standardize": '[data-testid="stPlotlyChart"]',  # cost of both runs
    "math": ".katex-display",  # the data set X, Y whose numbers every control changes
    "capture": '[data-testid="stCameraInput"]',  # the camera, under the one row of settings
    "evaluate": '[data-testid="stPlotlyChart"]',  # the confusion matrices, with a model trained
}
#: Pages another part of the project still has to fit (an entry fails the test once the page fits: remove it).
KNOWN_BELOW_THE_FOLD: dict[tuple[str, int], str] = {}
#: Visible part of a main figure that counts as shown (or all of it when it is smaller).
SHOWN_PX = 120
#: Text cut by its box: "…" or hidden overflow (KaTeX's hidden MathML, charts, tables and code excluded).
OVERFLOW_JS = """() => {
  const bad = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    const box = e.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0) continue;   // 1 px: a screen-reader-only label
    if (e.closest('.katex, .js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stCode"], pre, code')) continue;
    if (!e.textContent.trim() || e.querySelector('.katex')) continue;
    const cs = getComputedStyle(e);
    if (cs.fontFamily.includes('Material')) continue;              // an icon's ligature, not a label
    if (!(cs.textOverflow === 'ellipsis' || cs.overflowX === 'hidden' || cs.overflowX === 'clip')) continue;
    const r = document.createRange(); r.selectNodeContents(e);
    if (e.scrollWidth > e.clientWidth + 1 || r.getBoundingClientRect().width > box.width + 1)
      bad.push((e.getAttribute('data-testid') || e.tagName) + ': ' + e.textContent.trim().slice(0, 40));
  }
  return bad;
}"""
#: The sidebar takes room (Streamlit 1.67 keeps no aria-expanded on it: its width tells).
SIDEBAR_OPEN = "() => (document.querySelector('[data-testid=stSidebar]')?.getBoundingClientRect().width || 0) > 100"
#: Text cut without "…" too: a button's, label's, pill's, tab's or select's text wider than its box
#: (scrollWidth > clientWidth), or its box reaching out of the box that holds it.
CLIPPED_JS = """() => {
  const bad = [];
  const sel = ['button', 'label', '[data-testid="stWidgetLabel"]', '[data-baseweb="select"]', '[role="tab"]',
               '[data-testid="stButtonGroup"]'].map(s => '[data-testid="stMain"] ' + s + ' *').join(', ');
  for (const e of document.querySelectorAll(sel)) {
    if (!e.textContent.trim() || e.children.length && e.querySelector('*:not(span):not(p):not(div)')) continue;
    if (e.closest('.katex, [data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"]')) continue;
    if (e.tagName === 'INPUT' || getComputedStyle(e).fontFamily.includes('Material')) continue;
    const box = e.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    let holder = e.parentElement;  // the nearest box around it (a display: contents wrapper has none)
    while (holder && holder.getBoundingClientRect().width <= 1) holder = holder.parentElement;
    const parent = holder.getBoundingClientRect();
    const name = (e.getAttribute('data-testid') || e.tagName) + ': ' + e.textContent.trim().slice(0, 40);
    if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) bad.push('cut ' + name);
    else if (box.right > parent.right + 1 || box.left < parent.left - 1) bad.push('out of its box ' + name);
  }
  return bad;
}"""
#: A chart's title, subtitle or note reaching out of the chart (Plotly draws a title of two lines half above the
#: top; a long note anchored at the right runs off the left).
CHART_TITLE_JS = """() => {
  const bad = [];
  for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const svg = plot.querySelector('.main-svg');
    if (!svg) continue;
    const frame = svg.getBoundingClientRect();
    for (const t of plot.querySelectorAll('.gtitle, .gtitle-subtitle, .annotation-text')) {
      const box = t.getBoundingClientRect();
      if (box.height > 1 && (box.top < frame.top - 1 || box.bottom > frame.bottom + 1 ||
                             box.left < frame.left - 1 || box.right > frame.right + 1))
        bad.push(t.textContent.trim().slice(0, 50));
    }
  }
  return bad;
}"""
#: Watch the Train chart: each distinct live frame (layout.meta.frame) the browser has drawn, with its time.
WATCH_JS = """() => { window.__frames = []; const t0 = performance.now(); const seen = new Set();
  const tick = () => {
    const p = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const f = p && p.layout && p.layout.meta ? p.layout.meta.frame : undefined;
    if (f !== undefined && !seen.has(f)) {
      seen.add(f);
      window.__frames.push([f, performance.now() - t0, p.layout.meta.iteration]);
    }
    if (performance.now() - t0 < 60000) requestAnimationFrame(tick); };
  window.__status = false;
  const look = () => { if (document.querySelector('[data-testid="stStatusWidget"]')) window.__status = true;
    if (performance.now() - t0 < 60000) setTimeout(look, 50); };
  requestAnimationFrame(tick); look(); }"""


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def new_page(browser, size=(1280, 720)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    return pg


def settle(pg):
    """Wait until the script run is over (and the one a click may start)."""
    pg.wait_for_timeout(300)
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    pg.wait_for_timeout(300)
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")


def wait_value(pg, key, value, timeout=30_000):
    """Wait until the text field with this widget key shows ``value`` (fails with the value it shows)."""
    js = f"() => {{ const e = document.querySelector('.st-key-{key} input'); return e && e.value === {value!r}; }}"
    try:
        pg.wait_for_function(js, timeout=timeout)
    except Exception:
        shown = pg.evaluate(f"() => (document.querySelector('.st-key-{key} input') || {{}}).value")
        raise AssertionError(f"{key} shows {shown!r}, expected {value!r}") from None


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


def shot(pg, name, full_page=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.wait_for_timeout(600)  # let plotly finish its transition before the picture
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def no_exception(pg):
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert pg.get_by_text("Page not found").count() == 0


def go(pg, path):
    """Switch page the way a user does (a full reload would start a new session); a page folded into the
    menu's "more" at 150 % is opened by its address instead."""
    link = pg.locator(f'[data-testid="stTopNavLink"][href$="/{path}"]:not([inert] *)').first
    if link.count() and link.is_visible():
        link.click()
    else:
        pg.goto(pg.url.split("?")[0].rsplit("/", 1)[0] + f"/{path}")
    settle(pg)


def main_figure_shown(pg, path, size):
    """Where the page's main figure is: None when its top is in the first screen with SHOWN_PX of it showing."""
    pg.locator(MAIN_FIGURE[path]).first.wait_for()
    pg.evaluate("window.scrollTo(0, 0)")
    box = pg.locator(MAIN_FIGURE[path]).first.bounding_box()
    if box["y"] >= 0 and box["y"] + min(box["height"], SHOWN_PX) <= size[1]:
        return None
    return f"{path}: main figure at y={box['y']:.0f}, height {box['height']:.0f} in a {size[1]}-px screen"


def no_clipped_text(pg, where):
    assert pg.evaluate(OVERFLOW_JS) == [], where
    assert pg.evaluate(CLIPPED_JS) == [], where
    assert pg.evaluate(CHART_TITLE_JS) == [], where


def train(pg):
    pg.locator(".st-key-train_go button").first.click()
    settle(pg)
    pg.locator('[data-testid="stDataFrame"]').first.wait_for()


def test_a_cold_deep_link_opens_its_page_through_the_router(browser, server):
    """The first visit of a fresh server is /train: the page, the router's menu and sidebar, no file names."""
    pg = new_page(browser)
    pg.goto(f"{server}/train")
    settle(pg)
    pg.get_by_role("heading", name=PAGES["train"]).first.wait_for()
    no_exception(pg)
    assert pg.locator('[data-testid="stSidebarNav"]').count() == 0  # never a menu of file names
    assert pg.locator('[data-testid="stTopNavLink"]').count() >= 3  # the router's own menu
    assert pg.locator('[data-testid="stSidebar"]').get_by_text("Data set in use").count() == 1
    assert pg.url.endswith("/train")
    for path, heading in PAGES.items():  # every page has its own address
        pg.goto(f"{server}/{path}")
        settle(pg)
        pg.get_by_role("heading", name=heading).first.wait_for()
        no_exception(pg)
    pg.goto(server)  # the root opens Train at /train
    settle(pg)
    assert pg.url.rstrip("/").endswith("/train")
    pg.context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_a_projector_and_the_chart_is_in_the_first_viewport(browser, server, size):
    """Every page at 1280×720 and at 150 % zoom: its main figure starts in the first screen, no text is cut."""
    pg = new_page(browser, size)
    tag = f"{size[0]}x{size[1]}"
    pg.goto(f"{server}/train")
    settle(pg)
    pg.evaluate(WATCH_JS)
    train(pg)
    no_exception(pg)
    assert pg.evaluate("window.__status"), "the running indicator never showed while training"
    box = pg.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= size[1] + 2, (box, size)  # whole chart, no scrolling
    no_clipped_text(pg, "train")
    shot(pg, f"train_{tag}")
    pg.locator(".st-key-train_log label").first.click()  # linear cost axis: raw pixels' note must stay in the chart
    settle(pg)
    no_clipped_text(pg, "train, linear cost axis")
    pg.locator(".st-key-train_log label").first.click()
    settle(pg)
    below, fixed = [], []
    for path in ("data", "weights", "predict", "why_standardize", "math", "capture", "evaluate"):
        go(pg, path)
        pg.get_by_role("heading", name=PAGES[path]).first.wait_for()
        if path == "predict":  # the page's state with its figure: a photo uploaded
            pg.locator('.st-key-predict_photos input[type="file"]').set_input_files(
                [{"name": "cat.png", "mimeType": "image/png", "buffer": cat_png()}]
            )
            settle(pg)
        offer = pg.get_by_role("button", name="Train a model with the defaults")
        if path == "evaluate" and offer.count():  # opened by its address (folded menu): a new session
            offer.click()
            settle(pg)
        no_exception(pg)
        no_clipped_text(pg, path)
        problem = main_figure_shown(pg, path, size)
        known = (path, size[0]) in KNOWN_BELOW_THE_FOLD
        if problem and not known:
            below.append(problem)
        if known and not problem:
            fixed.append(path)
        shot(pg, f"{path}_{tag}")
    assert below == [], below
    assert fixed == [], f"these pages fit now: remove them from KNOWN_BELOW_THE_FOLD: {fixed}"
    pg.context.close()


def test_a_narrow_main_column_wraps_instead_of_cutting(browser, server):
    """The sidebar open at 150 % zoom leaves the page about 370 px: Train's and Capture's controls stay whole."""
    pg = new_page(browser, (853, 480))
    pg.goto(f"{server}/train")
    settle(pg)
    expand = pg.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.first.is_visible():
        expand.first.click()
    pg.wait_for_function(SIDEBAR_OPEN)
    pg.wait_for_timeout(600)  # the sidebar's slide-in
    width = pg.locator('[data-testid="stMain"]').first.bounding_box()["width"]
    assert width < 560, width  # the case this test is about
    train(pg)
    for path in ("train", "capture"):
        go(pg, path)
        no_exception(pg)
        no_clipped_text(pg, path)
        shot(pg, f"{path}_sidebar_853x480", full_page=True)
    go(pg, "train")  # the check itself can fail: a button squeezed to 40 px, its text kept on one line, cuts "Train"
    squeeze = (
        "b => { b.style.width = '40px'; b.style.overflow = 'hidden';"
        " b.querySelector('p').style.setProperty('white-space', 'nowrap', 'important'); }"
    )
    pg.locator(".st-key-train_go button").first.evaluate(squeeze)
    assert any("Train" in line for line in pg.evaluate(CLIPPED_JS))
    pg.context.close()


def test_presentation_mode_collapses_the_sidebar_and_enlarges_the_text(browser, server):
    pg = new_page(browser)
    pg.goto(f"{server}/train?present=1")
    settle(pg)
    size = pg.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 19
    assert not pg.evaluate(SIDEBAR_OPEN)
    assert "present=1" in pg.url
    train(pg)
    no_clipped_text(pg, "train")
    shot(pg, "train_presentation_1280x720")
    for path in ("data", "weights"):  # the shuffle button and the comparison's label keep their text
        go(pg, path)
        no_exception(pg)
        no_clipped_text(pg, path)
        shot(pg, f"{path}_presentation_1280x720")
    pg.context.close()
    # At 150 % zoom the larger text must wrap, not be cut: "α = 0.0005" and Capture's long button.
    pg = new_page(browser, (853, 480))
    for path in ("why_standardize", "capture"):  # both folded into the menu's "more" at this size
        pg.goto(f"{server}/{path}?present=1")
        settle(pg)
        pg.wait_for_function("parseFloat(getComputedStyle(document.documentElement).fontSize) >= 19", timeout=20_000)
        settle(pg)
        no_exception(pg)
        no_clipped_text(pg, f"{path}, presentation mode, 853×480")
        shot(pg, f"{path}_presentation_853x480")
    pg.context.close()


def test_the_live_chart_is_rendered_and_the_first_curve_comes_early(browser, server):
    """Counted in the browser: distinct live frames drawn, and the first one's delay after the click."""
    pg = new_page(browser)
    pg.goto(f"{server}/train")
    settle(pg)
    train(pg)  # warm-up: the server's first Train also imports Plotly's figure code and prepares the shared data
    results = []
    for _ in range(3):
        pg.evaluate(WATCH_JS)
        train(pg)
        frames = pg.evaluate("window.__frames")
        assert len(frames) >= 3, frames  # the class watched it grow
        span = (frames[-1][1] - frames[0][1]) / 1000
        results.append((frames[0][1] / 1000, len(frames), (len(frames) - 1) / span if span > 0 else 0.0))
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"first curve {first:.2f} s after the click, {n} frames rendered, {rate:.1f} rendered updates/s"
        for first, n, rate in results
    ]
    (SHOTS.parent / "live_rate.txt").write_text("\n".join(lines + [f"load average {' '.join(load)}"]) + "\n")
    print("\n".join(lines), "load", load)
    pg.context.close()


def test_stop_on_a_third_comparison_freezes_it_where_the_chart_was(browser, server):
    pg = new_page(browser)
    pg.goto(f"{server}/train?iterations=300")
    settle(pg)
    train(pg)
    train(pg)
    pg.locator(".st-key-train_slow label").first.click()  # slow motion: 5 s for the third
    settle(pg)
    pg.evaluate(WATCH_JS)
    pg.locator(".st-key-train_go button").first.click()
    pg.wait_for_function("window.__frames.length >= 8")
    pg.locator(".st-key-train_stop button:not([disabled])").first.click()
    settle(pg)
    no_exception(pg)
    frames = pg.evaluate("window.__frames")
    warning = pg.locator('[data-testid="stAlert"]').filter(has_text="Training was stopped")
    warning.first.wait_for()
    text = warning.first.inner_text()
    stopped_at = [int(n.replace(",", "")) for n in re.findall(r"at ([\d,]+)", text)]
    assert stopped_at and max(stopped_at) < 300
    last_drawn = max(f[2] for f in frames)  # the iteration of the last live frame the browser drew
    assert abs(max(stopped_at) - last_drawn) <= 30, (stopped_at, last_drawn)  # within about one frame
    names = pg.evaluate("[...document.querySelectorAll('.js-plotly-plot')][0].data.map(t => t.name || '')")
    assert any("stopped after" in n for n in names)  # the chart shows the stopped (third) comparison
    shot(pg, "train_stopped_1280x720")
    pg.context.close()


def test_a_lesson_survives_a_round_trip_through_the_url(browser, server):
    pg = new_page(browser)
    pg.goto(f"{server}/train?mode=rates&rates=0.02,0.002&iterations=300")
    settle(pg)
    wait_value(pg, "train_rates", "0.02,0.002")
    wait_value(pg, "train_iterations", "300")
    field = pg.locator(".st-key-train_iterations input").first
    field.fill("400")
    field.press("Enter")
    settle(pg)
    pg.wait_for_function("location.search.includes('iterations=400')")
    link = pg.url
    go(pg, "weights")
    assert "iterations=400" in pg.url and "mode=rates" in pg.url  # every page keeps the lesson
    other = new_page(browser)  # a student opens the link
    other.goto(link)
    settle(other)
    wait_value(other, "train_iterations", "400")
    wait_value(other, "train_rates", "0.02,0.002")
    other.locator(".st-key-train_reset button").first.click()
    settle(other)
    wait_value(other, "train_iterations", "2000")
    other.wait_for_function("!location.search.includes('iterations')")
    other.context.close()
    pg.context.close()


def test_a_class_photos_in_one_table(browser, server):
    pg = new_page(browser)
    pg.goto(f"{server}/predict")
    settle(pg)
    pg.locator(".st-key-predict_train_default button").first.click()
    settle(pg)
    uploader = pg.locator('.st-key-predict_photos input[type="file"]')
    uploader.set_input_files(
        [{"name": f"cat-{i}.png", "mimeType": "image/png", "buffer": cat_png()} for i in range(3)]
        + [{"name": "broken.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff no"}]
    )
    settle(pg)
    pg.locator('[data-testid="stDataFrame"]').first.wait_for()
    alert = pg.locator('[data-testid="stAlert"]').filter(has_text="broken.jpg")
    assert alert.count() == 1
    table_top = pg.locator('[data-testid="stDataFrame"]').first.bounding_box()["y"]
    assert alert.first.bounding_box()["y"] < table_top  # the error comes first
    no_exception(pg)
    no_clipped_text(pg, "predict")
    shot(pg, "predict_1280x720", full_page=True)
    pg.context.close()
