"""AppTest of the router, the sidebar and the Data, Train and Weights pages.

Everything runs on the built-in synthetic data set (LOGREG_DATA_DIR removed),
except one test that uploads the real course files when they are beside the
repository. AppTest shows only the final state of a live chart.
"""
import io
import json
import math
import zipfile

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from logreg_core.compare import RunRecord
from logreg_core.data import synthetic_dataset, write_h5
from logreg_core.pipeline import start_training
from logreg_core.settings import TrainSettings
from ui import figures
from ui.session import TrainedRun

from conftest import DASHBOARD, ORIGINAL_PAGES_MANAGER_INIT, decoded, open_page
from paths import REAL_TEST, REAL_TRAIN, needs_real_data

LN2 = math.log(2.0)


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


def png_bytes(seed, size=(40, 30)):
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


# -- every page, empty session ---------------------------------------------------------

@pytest.mark.parametrize("page", ["pages/data.py", "pages/train.py", "pages/weights.py"])
def test_page_runs_on_an_empty_session(page):
    at = open_page(page)
    assert at.title[0].value


def test_a_page_run_without_the_router_reroutes_itself(monkeypatch):
    """A deep link right after a server start: Streamlit runs pages/train.py alone; the page reroutes."""
    monkeypatch.setattr(PagesManager, "__init__", ORIGINAL_PAGES_MANAGER_INIT)
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    at.run()                                  # AppTest now runs the page file alone, as after a deep link
    ok(at)
    assert "Train" in at.title[0].value
    assert any("SYNTHETIC" in m.value for m in at.sidebar.markdown)     # the router's sidebar is there


def test_sidebar_names_the_synthetic_data_set_and_its_counts():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    side = " ".join(m.value for m in at.sidebar.markdown)
    assert "SYNTHETIC" in side and "209 images (137 non-cat / 72 cat)" in side
    assert "50 images (17 non-cat / 33 cat)" in side and "64×64×3 = 12,288" in side
    assert any("none yet" in c.value for c in at.sidebar.caption)      # no model for Predict yet


def test_train_page_is_the_default_and_says_there_are_no_runs():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    assert "Train" in at.title[0].value
    assert any("No runs yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_data_page_shows_images_counts_flattening_and_histograms():
    at = open_page("pages/data.py")
    captions = [c for img in at.get("image") for c in img.captions]
    assert len(captions) == 24 and "#0 · cat" in captions
    specs = charts(at)
    bars = [s for s in specs if s["data"] and s["data"][0]["type"] == "bar" and len(s["data"]) == 2]
    assert bars, "class counts chart"
    assert [int(v) for v in bars[0]["data"][0]["y"]] == [137, 17]      # label 0 (non-cat) in train / test, as the real set
    flat = next(s for s in specs if "column x (12,288, 1)" in json.dumps(s, ensure_ascii=False))
    texts = [a["text"] for a in flat["layout"]["annotations"]]
    assert "x[192]" in texts and "x[12287]" in texts                   # row 1 starts at 64·3; last index
    hist = next(s for s in specs if len([t for t in s["data"] if t["type"] == "bar"]) == 3)
    assert [t["name"] for t in hist["data"]] == ["raw pixels (0–255)", "pixels / 255", "z-score (standardized)"]
    # Filter by class: only label-1 captions.
    at.radio(key="data_class").set_value(1).run()
    ok(at)
    captions = [c for img in at.get("image") for c in img.captions]
    assert len(captions) == 24 and all(c.endswith(" · cat") for c in captions)


# -- train -------------------------------------------------------------------------------

def test_training_draws_one_curve_per_scaling_from_ln2_and_keeps_runs_across_pages():
    at = open_page("pages/train.py")
    at.button(key="train_go").click().run()
    ok(at)
    spec = cost_chart(at)
    curves = lines(spec)
    assert [c["name"] for c in curves] == ["raw pixels (0–255)", "pixels / 255", "z-score (standardized)"]
    for c in curves:
        y = decoded(c["y"])
        assert y.size == 2000 and np.all(np.isfinite(y))
        assert y[0] == pytest.approx(LN2, abs=1e-12)
    assert spec["layout"]["yaxis"]["type"] == "log"
    table = at.dataframe[0].value
    assert len(table) == 3 and set(table["status"]) == {"done"}
    assert (table["iterations"] == 2000).all()
    model, description = at.session_state["model"]
    assert model is not None and "comparison #1" in description
    assert len(at.get("download_button")) == 2
    # Linear axis: raw pixels explode, so the axis is capped and the curve is announced as off the chart.
    at.toggle(key="train_log").set_value(False).run()
    spec = ok(at) and cost_chart(at)
    assert spec["layout"]["yaxis"]["type"] == "linear"
    assert any("off the chart" in a["text"] for a in spec["layout"]["annotations"])
    # Switching pages keeps the runs.
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/train.py").run()
    ok(at)
    assert len(lines(cost_chart(at))) == 3


def test_course_learning_rates_preset_gives_three_curves_and_a_table():
    at = open_page("pages/train.py")
    at.number_input(key="train_iterations").set_value(300).run()
    at.radio(key="train_mode").set_value("Compare learning rates").run()
    at.button(key="train_preset").click().run()
    ok(at)
    curves = lines(cost_chart(at))
    assert [c["name"] for c in curves] == ["α = 0.01", "α = 0.001", "α = 0.0001"]
    assert all(decoded(c["y"])[0] == pytest.approx(LN2, abs=1e-12) for c in curves)
    table = at.dataframe[0].value
    assert list(table["run"]) == ["α = 0.01", "α = 0.001", "α = 0.0001"]
    gap = table["train accuracy (%)"] - table["test accuracy (%)"]
    assert np.allclose(table["gap train − test"], gap)
    assert at.text_input(key="train_rates").value == "0.01, 0.001, 0.0001"


def test_each_new_comparison_is_the_one_shown():
    """Training again shows the comparison just trained, not the one picked before."""
    at = open_page("pages/train.py")
    at.number_input(key="train_iterations").set_value(50).run()
    for batch, scalings in enumerate((["255"], ["zscore"], ["none"]), start=1):
        at.get("button_group")[0].set_value(scalings).run()       # the pixel-scaling pills
        at.button(key="train_go").click().run()
        ok(at)
        if batch > 1:
            assert at.selectbox(key="train_show_batch").value == batch
        assert len(lines(cost_chart(at))) == 1
    at.selectbox(key="train_show_batch").set_value(1).run()
    at.button(key="train_go").click().run()
    ok(at)
    assert at.selectbox(key="train_show_batch").value == 4


@pytest.mark.parametrize("rate, problem", [(0.0, "learning rate must be a finite number > 0"), (1e-6, None),
                                           (1000.0, None)])
def test_learning_rate_is_validated_by_the_settings(rate, problem):
    at = open_page("pages/train.py")
    at.number_input(key="train_rate").set_value(rate).run()
    ok(at)
    errors = [e.value for e in at.error]
    if problem:
        assert any(problem in e for e in errors), errors
        assert at.button(key="train_go").disabled
    else:
        assert not errors and not at.button(key="train_go").disabled


def test_bad_learning_rate_list_is_an_error_not_a_traceback():
    at = open_page("pages/train.py")
    at.radio(key="train_mode").set_value("Compare learning rates").run()
    at.text_input(key="train_rates").set_value("0.01, fast").run()
    ok(at)
    assert any("'fast' is not a number" in e.value for e in at.error)
    at.text_input(key="train_rates").set_value("0.01, 0.0100000001").run()
    ok(at)
    assert any("α = 0.01 is given twice" in e.value for e in at.error)
    assert at.button(key="train_go").disabled


def _live_batch(iterations_done=30):
    """Three runs as the Train page leaves them when Stop interrupts it: live, part-way."""
    dataset = synthetic_dataset()
    runs = {}
    for scaling, label in (("none", "raw pixels (0–255)"), ("255", "pixels / 255"), ("zscore", "z-score (standardized)")):
        run, scaler = start_training(dataset, TrainSettings(scaling=scaling, num_iterations=2000))
        run.step(iterations_done)
        runs[f"#1 {label}"] = TrainedRun(f"#1 {label}", run, scaler, dataset.source, extra={
            "batch": 1, "label": label, "mode": "scalings", "image_shape": dataset.image_shape,
            "classes": dataset.classes})
    return runs


def test_stop_keeps_the_partial_runs_and_marks_them_stopped():
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state["runs"] = _live_batch(30)
    at.session_state["run_batch_counter"] = 1
    at.run()                                    # the rerun a Stop click triggers
    ok(at)
    curves = lines(cost_chart(at))
    assert len(curves) == 3
    assert all(decoded(c["y"]).size == 30 and "stopped after 30 it." in c["name"] for c in curves)
    accuracy = [t for t in cost_chart(at)["data"] if t.get("xaxis") == "x2"]
    assert accuracy and all(decoded(t["x"])[-1] == 30 for t in accuracy)     # a snapshot where it stopped
    assert any("stopped" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert set(table["status"]) == {"stopped"} and (table["iterations"] == 30).all()
    assert at.session_state["model"][0] is not None        # the best partial run serves Predict
    runs = at.session_state["runs"]
    assert all(isinstance(tr.run, RunRecord) for tr in runs.values())
    for tr in runs.values():                  # the record keeps w itself, not the training matrix
        last = tr.run.snapshots[-1]
        assert last.iteration == 30 and getattr(last, "basis", None) is None
        assert np.array_equal(last.w, tr.model.w) and last.b == tr.model.b and math.isfinite(last.cost)
    at.switch_page("pages/weights.py").run()
    ok(at)
    assert len(charts(at)) == 3 and at.select_slider(key="weights_iteration_1").value == 30


def test_a_diverged_run_is_labelled_not_drawn_as_nan():
    dataset = synthetic_dataset()
    run, scaler = start_training(dataset, TrainSettings(scaling="none", num_iterations=100))
    run.step(10)
    record = RunRecord.from_run(run)
    record = RunRecord(record.settings, record.costs, record.snapshots, record.iteration, True, False,
                       record.method, record.w, record.b)
    trained = TrainedRun("#1 raw pixels (0–255)", record, scaler, dataset.source, extra={
        "batch": 1, "label": "raw pixels (0–255)", "mode": "scalings", "image_shape": dataset.image_shape,
        "classes": dataset.classes})
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state["runs"] = {trained.name: trained}
    at.session_state["run_batch_counter"] = 1
    at.run()
    ok(at)
    spec = cost_chart(at)
    assert "DIVERGED" in lines(spec)[0]["name"]
    assert np.all(np.isfinite(decoded(lines(spec)[0]["y"])))
    assert any(t.get("text") == ["diverged"] for t in spec["data"])
    assert any("diverged" in e.value for e in at.error)
    assert any("no model to use" in w.value for w in at.warning)


# -- weights -------------------------------------------------------------------------------

def test_weights_page_empty_then_one_click_training_shows_three_heatmaps_and_a_composite_per_run():
    at = open_page("pages/weights.py")
    assert any("No runs yet" in i.value for i in at.info)
    at.button(key="weights_train_defaults").click().run()
    ok(at)
    specs = charts(at)
    assert len(specs) == 3
    for spec in specs:
        kinds = [t["type"] for t in spec["data"]]
        assert kinds == ["heatmap", "heatmap", "heatmap", "image"]
        for heat in spec["data"][:3]:
            assert heat["zmid"] == 0 and heat["zmin"] == -heat["zmax"] and heat["zmax"] > 0
            assert decoded(heat["z"]).shape == (64, 64)
    # The slider walks through the snapshots: at iteration 0 every weight is 0.
    at.select_slider(key="weights_iteration_1").set_value(0).run()
    ok(at)
    assert all(np.all(decoded(s["data"][0]["z"]) == 0) for s in charts(at))


# -- sidebar: data sets --------------------------------------------------------------------

def test_bad_hdf5_upload_shows_the_problem_and_keeps_the_data_set():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    before = at.session_state["dataset"].source
    at.file_uploader(key="upload_h5_train").set_value(("train_bad.h5", b"this is not hdf5", "application/octet-stream"))
    at.file_uploader(key="upload_h5_test").set_value(("test_ok.h5", h5_bytes("test"), "application/octet-stream"))
    at.run()
    ok(at)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "train_bad.h5" in errors[0] and "HDF5" in errors[0]
    assert at.session_state["dataset"].source == before


def test_swapped_hdf5_files_are_refused_with_a_hint():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    at.file_uploader(key="upload_h5_train").set_value(("test_x.h5", h5_bytes("test"), "application/octet-stream"))
    at.file_uploader(key="upload_h5_test").set_value(("train_x.h5", h5_bytes("train"), "application/octet-stream"))
    at.run()
    ok(at)
    assert any("looks like a test file" in e.value for e in at.sidebar.error)
    assert at.session_state["dataset"].synthetic


def test_a_32_pixel_data_set_works_on_every_page():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    at.file_uploader(key="upload_h5_train").set_value(("train_small.h5", h5_bytes("train", 16), "application/octet-stream"))
    at.file_uploader(key="upload_h5_test").set_value(("test_small.h5", h5_bytes("test", 8, seed=1), "application/octet-stream"))
    at.run()
    ok(at)
    dataset = at.session_state["dataset"]
    assert dataset.image_shape == (32, 32, 3) and dataset.classes == ("dog", "cat")
    assert not at.sidebar.error
    assert any("32×32×3 = 3,072" in m.value for m in at.sidebar.markdown)
    at.number_input(key="train_iterations").set_value(60).run()
    at.button(key="train_go").click().run()
    ok(at)
    assert len(lines(cost_chart(at))) == 3
    at.switch_page("pages/weights.py").run()
    ok(at)
    assert all(decoded(s["data"][0]["z"]).shape == (32, 32) for s in charts(at))
    at.button(key="weights_play").click().run()               # the animation ends on the chosen iteration
    ok(at)
    assert len(charts(at)) == 3
    at.switch_page("pages/data.py").run()
    ok(at)
    assert any("column x (3,072, 1)" in json.dumps(s, ensure_ascii=False) for s in charts(at))
    at.button(key="data_default").click().run()
    ok(at)
    assert at.session_state["dataset"].synthetic


def test_photos_of_two_classes_become_the_data_set_and_unreadable_ones_are_listed():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    at.radio(key="data_source_choice").set_value("Photos of two classes").run()
    at.text_input(key="photo_name0").set_value("apple")
    at.text_input(key="photo_name1").set_value("pear")
    at.file_uploader(key="upload_photos0").set_value([(f"a{i}.png", png_bytes(i), "image/png") for i in range(3)]
                                                    + [("broken.png", b"not a png", "image/png")])
    at.file_uploader(key="upload_photos1").set_value([(f"p{i}.png", png_bytes(10 + i), "image/png") for i in range(3)])
    at.select_slider(key="photos_size").set_value(32)
    at.run()
    at.button(key="photo_build").click().run()
    ok(at)
    dataset = at.session_state["dataset"]
    assert dataset.classes == ("apple", "pear") and dataset.image_shape == (32, 32, 3)
    assert len(dataset.train_y) + len(dataset.test_y) == 6
    assert any("could not be read" in w.value for w in at.sidebar.warning)
    assert not at.sidebar.error


def test_a_zip_with_one_class_is_refused_and_the_data_set_stays():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for i in range(3):
            z.writestr(f"cat/c{i}.png", png_bytes(i))
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    at.radio(key="data_source_choice").set_value("A zip of photos").run()
    at.file_uploader(key="upload_zip").set_value(("one_class.zip", buffer.getvalue(), "application/zip")).run()
    at.button(key="zip_build").click().run()
    ok(at)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "one_class.zip" in errors[0]
    assert at.session_state["dataset"].synthetic


def test_a_missing_data_folder_warns_and_the_app_still_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path / "no-such-folder"))
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    warnings = [w.value for w in at.sidebar.warning]
    assert any("LOGREG_DATA_DIR" in w and "synthetic" in w for w in warnings), warnings
    assert at.session_state["dataset"].synthetic


@needs_real_data
def test_the_real_course_files_upload():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    at.file_uploader(key="upload_h5_train").set_value((REAL_TRAIN.name, REAL_TRAIN.read_bytes(), "application/octet-stream"))
    at.file_uploader(key="upload_h5_test").set_value((REAL_TEST.name, REAL_TEST.read_bytes(), "application/octet-stream"))
    at.run()
    ok(at)
    dataset = at.session_state["dataset"]
    assert not dataset.synthetic and len(dataset.train_y) == 209 and len(dataset.test_y) == 50
    assert not any("SYNTHETIC" in m.value for m in at.sidebar.markdown)


# -- figures on their own ----------------------------------------------------------------------

def test_cost_figure_floors_zero_costs_on_a_log_axis_and_labels_divergence():
    fig = figures.cost_figure(["a", "b"], [[LN2, 0.1, 0.0], [LN2, 5.0]], ["done", "diverged"])
    a, b = fig.data[0], fig.data[1]
    assert min(a.y) == figures.COST_FLOOR and "DIVERGED" in b.name
    assert fig.layout.yaxis.type == "log"


def test_weights_figure_is_centred_at_zero():
    w = np.zeros((8, 8, 3))
    w[0, 0, 0], w[1, 1, 2] = 2.0, -0.5
    fig = figures.weights_figure(w)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 3 and all(h.zmin == -2.0 and h.zmax == 2.0 and h.zmid == 0 for h in heat)
    composite = np.asarray(fig.data[3].z)
    assert composite.shape == (8, 8, 3) and tuple(composite[4, 4]) == (128, 128, 128)   # grey = 0
