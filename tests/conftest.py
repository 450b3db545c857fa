"""Fixtures every test gets: the built-in data set, and the router on every AppTest run."""
import base64

import numpy as np
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from ui import router

#: The app, resolved against the test files' folder (AppTest's rule).
DASHBOARD = "../dashboard.py"

#: Kept so a test can restore Streamlit's own behaviour (see test_app_pages_a).
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


def open_page(page, state=None):
    """Run the dashboard, switch to ``page`` and check nothing raised.

    Parameters
    ----------
    page : str
        E.g. "pages/train.py".
    state : dict or None, default None
        Session-state entries to set before the first run.
    """
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
