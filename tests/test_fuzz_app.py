"""Hostile uploads in the dashboard: one st.error each, never an exception box; data, runs and model kept."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import DASHBOARD
from hostile import SECRET, good_h5, good_members, hostile_h5, hostile_zips, plant_secret, zip_bytes

LEAK = SECRET[:12].decode()
H5 = "application/octet-stream"


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def state(at):
    model = at.session_state["model"] if "model" in at.session_state else None  # noqa: SIM401 - no .get()
    runs = at.session_state["runs"] if "runs" in at.session_state else None  # noqa: SIM401
    return at.session_state["dataset"], model, runs


@pytest.fixture
def trained():
    """A session that trained once on the default data: the state a bad upload must not disturb."""
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=120).run())
    at.switch_page("pages/train.py").run()
    at.text_input(key="train_iterations").set_value("20").run()
    at.button(key="train_go").click().run()
    _, model, runs = state(at)
    assert model is not None and len(runs) == 3
    return ok(at)


def test_a_series_of_hostile_hdf5_uploads_never_breaks_the_session(trained, tmp_path):
    at = trained
    dataset, model, runs = state(at)
    cases = hostile_h5(tmp_path, plant_secret(tmp_path))
    for name in (
        "external storage",
        "virtual dataset naming itself",
        "external link",
        "dangling soft link",
        "compound pixels",
        "2 MB list_classes",
        "compression bomb",
        "images of 4×4000",
        "20 million tiny chunks",
        "20,000 keys and no data",
        "flipped superblock",
        "truncated",
    ):
        at.file_uploader(key="upload_h5_train").set_value((f"{name}.h5", cases[name], H5))
        at.file_uploader(key="upload_h5_test").set_value(("test_ok.h5", good_h5("test"), H5))
        at.run()
        ok(at)
        errors = [e.value for e in at.sidebar.error]
        assert len(errors) == 1, (name, errors)
        assert f"{name}.h5" in errors[0] and "\n" not in errors[0] and LEAK not in errors[0], errors[0]
        assert len(errors[0]) < 700
        now = state(at)
        assert now[0] is dataset and now[1] is model, name
        assert list(now[2]) == list(runs)
        assert at.sidebar.markdown, "the sidebar is still drawn"


def test_hostile_zips_give_one_error_or_skip_the_bad_members(trained):
    at = trained
    dataset, model, _ = state(at)
    zips = hostile_zips()
    at.radio(key="data_source_choice").set_value("A zip of photos").run()
    for name in ("version needed 9.9", "300 MB bomb", "too many members", "truncated", "three classes"):
        at.file_uploader(key="upload_zip").set_value((f"{name}.zip", zips[name], "application/zip"))
        at.run()
        at.button(key="zip_build").click().run()
        ok(at)
        errors = [e.value for e in at.sidebar.error]
        assert len(errors) == 1 and f"{name}.zip" in errors[0], (name, errors)
        assert state(at)[0] is dataset and state(at)[1] is model
    at.file_uploader(key="upload_zip").set_value(("lzma.zip", zips["corrupt LZMA member"], "application/zip"))
    at.run()
    at.button(key="zip_build").click().run()
    ok(at)
    assert not at.sidebar.error
    assert any("cat/broken.png" in m.value for m in at.sidebar.markdown)  # listed among the photos left out
    assert state(at)[0].source == "lzma.zip"
    at.file_uploader(key="upload_zip").set_value(("good.zip", zip_bytes(good_members()), "application/zip"))
    at.run()
    ok(at)
