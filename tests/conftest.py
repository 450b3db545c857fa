"""Fixtures and helpers every test gets: the built-in data set, the router on every AppTest run, page helpers."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from logreg_core.data import synthetic_dataset, write_h5
from logreg_core.pipeline import fit
from logreg_core.settings import TrainSettings
from ui import router

#: The app, resolved against the test files' folder (AppTest's rule).
DASHBOARD = "../dashboard.py"

#: ui.session keeps (model, description, origin) here.
MODEL_KEY = "model"
#: Kept so a test can restore Streamlit's own behaviour (see test_router).
ORIGINAL_PAGES_MANAGER_INIT = PagesManager.__init__


@pytest.fixture(autouse=True)
def default_data(monkeypatch):
    """Every test uses the built-in synthetic set, whatever the machine has."""
    monkeypatch.delenv("LOGREG_DATA_DIR", raising=False)


@pytest.fixture(autouse=True)
def router_every_run(monkeypatch):
    """Run dashboard.py on every AppTest run, as the real server does.

    A folder named pages/ beside the main script puts Streamlit in its old
    pages-folder mode until st.navigation first runs in the process; the real
    server then stays out of it (ui.router). AppTest resets the mode before
    every run, so from the second run on it would run the page file alone (no
    router, no sidebar). Keep the mode off, like the server after its first run.
    """

    def init(self, *args, **kwargs):
        ORIGINAL_PAGES_MANAGER_INIT(self, *args, **kwargs)
        router.leave_pages_directory_mode(rerun=False)

    monkeypatch.setattr(PagesManager, "__init__", init)


def decoded(value):
    """A plotly JSON array: a plain list, or a typed array {"dtype", "bdata" (base64), "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if isinstance(shape, str):
            shape = [int(d) for d in shape.split(",")]
        return array.reshape(shape) if shape else array
    return np.asarray(value)


def open_page(page, state=None, model=None, description="a test model"):
    """Run the dashboard, switch to ``page`` and check nothing raised.

    Parameters
    ----------
    page : str
        E.g. "pages/train.py".
    state : dict or None, default None
        Session-state entries to set before the first run.
    model : Model or None, default None
        Made the Predict page's model (as if uploaded), if given.
    description : str
    """
    state = dict(state or {})
    if model is not None:
        state[MODEL_KEY] = (model, description, "upload")
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def model():
    """A model of the synthetic set, trained once (short: these tests check the page, not the fit)."""
    trained, _ = fit(synthetic_dataset(), TrainSettings(num_iterations=200))
    return trained


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def cost_chart(at):
    """The Train page's cost chart: the chart whose y axis is the cost."""
    for spec in charts(at):
        if "cost" in spec["layout"]["yaxis"]["title"]["text"]:
            return spec
    raise AssertionError("no cost chart on the page")


def lines(spec):
    """The per-run line traces of a cost chart (not the ✕ markers of diverged runs)."""
    return [t for t in spec["data"] if t.get("mode") == "lines"]


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def h5_bytes(split, m=12, size=32, seed=0, classes=("dog", "cat")):
    """A small valid data-set file in the course's format, as bytes."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(m, size, size, 3), dtype=np.uint8)
    y = np.array([0, 1] * (m // 2))
    buffer = io.BytesIO()
    write_h5(buffer, x, y, classes, split)
    return buffer.getvalue()


def png_bytes(seed=0, size=(40, 30)):
    """A small colour PNG made in memory; ``size`` is (width, height)."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def texts(elements):
    return [e.value for e in elements]


def _refuse(constant):
    raise AssertionError(f"{constant} in a figure")


def plotly_specs(at):
    return [json.loads(chart.proto.spec, parse_constant=_refuse) for chart in at.get("plotly_chart")]
