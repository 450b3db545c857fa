"""The router: every page opens through dashboard.py, even on a cold deep link; the private flag it needs."""

import inspect
import sys

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from ui import router

from conftest import (
    DASHBOARD,
    ORIGINAL_PAGES_MANAGER_INIT,
    h5_bytes,
    ok,
    open_page,
)

PAGES = [
    "pages/data.py",
    "pages/train.py",
    "pages/weights.py",
    "pages/predict.py",
    "pages/why_standardize.py",
    "pages/math.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_an_empty_session(page):
    at = open_page(page)
    assert at.title[0].value


def test_a_page_run_without_the_router_reroutes_itself(monkeypatch):
    """A deep link right after a server start: Streamlit runs pages/train.py alone; importing ui reroutes it."""
    monkeypatch.setattr(PagesManager, "__init__", ORIGINAL_PAGES_MANAGER_INIT)
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    monkeypatch.delitem(sys.modules, "ui")  # a fresh server process has not imported ui yet
    at.run()  # AppTest now runs the page file alone, as after a deep link
    ok(at)
    assert "Train" in at.title[0].value
    assert any("SYNTHETIC" in m.value for m in at.sidebar.markdown)  # the router's sidebar is there


def test_the_private_flag_the_router_needs_is_still_there():
    """Fails loudly the day Streamlit renames or drops PagesManager.uses_pages_directory (see ui/router.py)."""
    from streamlit.runtime.scriptrunner import script_runner

    assert router.FLAG in vars(PagesManager), f"PagesManager.{router.FLAG} is gone: rework ui/router.py"
    assert router.FLAG in inspect.getsource(script_runner), "Streamlit no longer reads the flag: rework ui/router.py"
    PagesManager.uses_pages_directory = True
    try:
        assert router.in_pages_directory_mode()
        assert router.leave_pages_directory_mode(rerun=False) and not router.in_pages_directory_mode()
    finally:
        PagesManager.uses_pages_directory = False


def test_serve_py_switches_the_pages_folder_mode_off_before_the_first_session():
    """Streamlit decides the mode only while the flag is None: ``use_navigation_only`` decides it first."""
    before = PagesManager.uses_pages_directory
    PagesManager.uses_pages_directory = None
    try:
        assert router.use_navigation_only()
        assert PagesManager.uses_pages_directory is False and not router.in_pages_directory_mode()
    finally:
        PagesManager.uses_pages_directory = before


def test_the_config_hides_file_name_menus_and_the_router_shows_its_own_at_the_top():
    import tomllib

    from paths import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showSidebarNavigation"] is False
    assert config["client"]["toolbarMode"] != "minimal"  # "minimal" hides the running indicator
    assert 'position="top"' in (ROOT / "dashboard.py").read_text()
    assert not any("ensure_router" in p.read_text() for p in (ROOT / "pages").glob("*.py"))


def test_the_lesson_round_trips_through_the_url():
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params.update({"mode": "rates", "rates": "0.02,0.002", "iterations": "300", "present": "1"})
    ok(at.run())
    at.switch_page("pages/train.py").run()
    ok(at)
    assert at.radio(key="train_mode").value == "Compare learning rates"
    assert at.text_input(key="train_rates").value == "0.02,0.002"
    assert at.text_input(key="train_iterations").value == "300"
    assert at.toggle(key="present").value is True
    at.text_input(key="train_iterations").set_value("400").run()
    ok(at)
    assert at.query_params["iterations"] == "400" and at.query_params["mode"] == "rates"
    at.switch_page("pages/data.py").run()  # the lesson stays in the URL on every page
    assert ok(at).query_params["rates"] == "0.02,0.002"
    at.switch_page("pages/train.py").run()
    at.button(key="train_reset").click().run()
    ok(at)
    assert at.text_input(key="train_iterations").value == "2000" and "iterations" not in at.query_params
    assert at.radio(key="train_mode").value == "Compare pixel scalings"


def test_a_bad_url_value_is_named_and_the_default_used():
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params.update({"scalings": "255,cubic", "mode": "rates"})
    ok(at.run())
    assert any("scalings must be a comma-separated list" in w.value for w in at.warning)
    assert at.radio(key="train_mode").value == "Compare learning rates"


def test_a_link_can_ask_for_the_built_in_synthetic_set(monkeypatch, tmp_path):
    (tmp_path / "train_catvnoncat.h5").write_bytes(h5_bytes("train", 12))
    (tmp_path / "test_catvnoncat.h5").write_bytes(h5_bytes("test", 6, seed=1))
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params["data"] = "synthetic"
    ok(at.run())
    assert at.session_state["dataset"].synthetic
    plain = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    assert not plain.session_state["dataset"].synthetic
