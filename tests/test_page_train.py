"""AppTest of the Train page: live training, comparisons, Stop, diverged runs, settings."""

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from logreg_core.compare import RunRecord
from logreg_core.data import synthetic_dataset
from logreg_core.pipeline import start_training
from logreg_core.settings import TrainSettings
from ui.session import RUN_LABELS, RunInfo, TrainedRun

from conftest import DASHBOARD, charts, cost_chart, decoded, lines, ok, open_page
from paths import REAL_TRAIN, needs_real_data

LN2 = math.log(2.0)


def test_train_page_is_the_default_and_says_there_are_no_runs():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    assert "Train" in at.title[0].value
    assert any("No runs yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_training_draws_one_curve_per_scaling_from_ln2_and_keeps_runs_across_pages():
    at = open_page("pages/train.py")
    at.button(key="train_go").click().run()
    ok(at)
    spec = cost_chart(at)
    curves = lines(spec)
    assert [c["name"] for c in curves] == [RUN_LABELS["none"], RUN_LABELS["255"], RUN_LABELS["zscore"]]
    for c in curves:
        y = decoded(c["y"])
        assert y.size == 2000 and np.all(np.isfinite(y))
        assert y[0] == pytest.approx(LN2, abs=1e-12)
    assert spec["layout"]["yaxis"]["type"] == "log"
    table = at.dataframe[0].value
    assert len(table) == 3 and set(table["status"]) == {"done"}
    assert (table["iterations"] == 2000).all()
    model, description, origin = at.session_state["model"]
    assert model is not None and "comparison #1" in description and origin == "default"
    runs = at.session_state["runs"]
    assert model is runs["#1 " + RUN_LABELS["255"]].model  # the course's /255 run, not the best-scoring one
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
    at.radio(key="train_mode").set_value("Compare learning rates").run()
    at.button(key="train_preset").click().run()
    ok(at)
    curves = lines(cost_chart(at))
    assert [c["name"] for c in curves] == ["α = 0.01", "α = 0.001", "α = 0.0001"]
    assert all(decoded(c["y"])[0] == pytest.approx(LN2, abs=1e-12) for c in curves)
    table = at.dataframe[0].value
    assert list(table["run"]) == ["α = 0.01", "α = 0.001", "α = 0.0001"]
    gap = table["train acc. %"] - table["test acc. %"]
    assert np.allclose(table["gap"], gap)
    assert (table["iterations"] == 1500).all()  # the course's table uses 1500 iterations
    assert at.text_input(key="train_rates").value == "0.01, 0.001, 0.0001"
    assert at.text_input(key="train_iterations").value == "1500"


def test_each_new_comparison_is_the_one_shown():
    """Training again shows the comparison just trained, not the one picked before."""
    at = open_page("pages/train.py")
    at.text_input(key="train_iterations").set_value("50").run()
    for batch, scalings in enumerate((["255"], ["zscore"], ["none"]), start=1):
        at.get("button_group")[0].set_value(scalings).run()  # the pixel-scaling pills
        at.button(key="train_go").click().run()
        ok(at)
        if batch > 1:
            assert at.selectbox(key="train_show_batch").value == batch
        assert len(lines(cost_chart(at))) == 1
    at.selectbox(key="train_show_batch").set_value(1).run()
    at.button(key="train_go").click().run()
    ok(at)
    assert at.selectbox(key="train_show_batch").value == 4
    assert at.selectbox(key="train_show_batch").options[0] == "#4 · 1 scaling, α 0.005"  # short: fits 853 px


@pytest.mark.parametrize(
    "key, text, problem",
    [
        ("train_rate", "0", "the learning rate must be a number > 0"),
        ("train_rate", "1e-6", None),
        ("train_rate", "1000", None),
        ("train_rate", "fast", "the learning rate must be a number > 0"),
        ("train_iterations", "0", "iterations must be a whole number from 1 to 100,000; got 0"),
        ("train_iterations", "2.5", "iterations must be a whole number"),
        ("train_iterations", "1_500", None),
    ],
)
def test_an_invalid_value_is_named_and_disables_train(key, text, problem):
    at = open_page("pages/train.py")
    at.text_input(key=key).set_value(text).run()
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


def _info(label, batch=1):
    dataset = synthetic_dataset()
    return RunInfo(batch, label, "scalings", dataset.image_shape, dataset.classes, dataset.source)


def _live_batch(iterations_done=30, shown_at=None):
    """Three runs as the Train page leaves them when Stop interrupts it: live, part-way.

    ``shown_at``: the iteration of the last frame the browser got (the runs trained on after it).
    """
    dataset = synthetic_dataset()
    runs = {}
    for scaling, label in RUN_LABELS.items():
        run, scaler = start_training(dataset, TrainSettings(scaling=scaling, num_iterations=2000))
        shown = None
        if shown_at is not None:
            run.step(shown_at)
            shown = run.current_snapshot()
        run.step(iterations_done - run.iteration)
        runs[f"#1 {label}"] = TrainedRun(f"#1 {label}", run, scaler, _info(label), shown=shown)
    return runs


def test_stop_keeps_the_partial_runs_and_marks_them_stopped():
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    runs_before = _live_batch(30)
    at.session_state["runs"] = runs_before
    at.session_state["run_batch_counter"] = 1
    at.run()  # the rerun a Stop click triggers
    ok(at)
    curves = lines(cost_chart(at))
    assert len(curves) == 3
    assert all(decoded(c["y"]).size == 30 and "stopped after 30 it." in c["name"] for c in curves)
    accuracy = [t for t in cost_chart(at)["data"] if t.get("xaxis") == "x2"]
    assert accuracy and all(decoded(t["x"])[-1] == 30 for t in accuracy)  # a snapshot where it stopped
    assert any("stopped" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert set(table["status"]) == {"stopped"} and (table["iterations"] == 30).all()
    assert at.session_state["model"][0] is runs_before["#1 " + RUN_LABELS["255"]].model  # /255 serves Predict
    runs = at.session_state["runs"]
    assert all(isinstance(tr.run, RunRecord) for tr in runs.values())
    for tr in runs.values():  # the record keeps α and the shared scaled data (no copy), not w per snapshot
        last = tr.run.snapshots[-1]
        m = at.session_state["dataset"].train_x.shape[0]
        assert last.iteration == 30 and last.coef.shape == (m,)
        assert not last.basis.flags.writeable  # the prepared data every session shares (ui/shared.py), not a copy
        assert np.array_equal(last.w, tr.model.w) and last.b == tr.model.b and math.isfinite(last.cost)
    at.switch_page("pages/weights.py").run()
    ok(at)
    assert len(charts(at)) == 3 and at.select_slider(key="weights_iteration").value == 30


def test_a_diverged_run_is_labelled_not_drawn_as_nan():
    dataset = synthetic_dataset()
    run, scaler = start_training(dataset, TrainSettings(scaling="none", num_iterations=100))
    run.step(10)
    record = RunRecord.from_run(run)
    record = RunRecord(
        record.settings,
        record.costs,
        record.snapshots,
        record.iteration,
        True,
        False,
        record.method,
        record.w,
        record.b,
    )
    trained = TrainedRun("#1 raw", record, scaler, _info("raw"))
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


def test_a_stop_freezes_every_run_where_the_chart_showed_it():
    """The runs trained 70 more iterations after the last frame the browser got: those are dropped."""
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state["runs"] = _live_batch(100, shown_at=30)
    at.session_state["run_batch_counter"] = 1
    ok(at.run())
    curves = lines(cost_chart(at))
    assert all(decoded(c["y"]).size == 30 and "stopped after 30 it." in c["name"] for c in curves)
    for tr in at.session_state["runs"].values():
        assert tr.run.iteration == 30 and tr.run.snapshots[-1].iteration == 30
        assert np.array_equal(tr.model.w, tr.run.snapshots[-1].w)
    assert any("30 iterations" in w.value or "at 30" in w.value for w in at.warning)


def test_a_stop_on_the_third_comparison_shows_that_comparison():
    at = open_page("pages/train.py")
    at.text_input(key="train_iterations").set_value("40").run()
    for _ in range(2):
        at.button(key="train_go").click().run()
    ok(at)
    runs = at.session_state["runs"]
    for name, tr in _live_batch(30).items():  # a third comparison, interrupted by Stop
        runs[name.replace("#1", "#3")] = TrainedRun(
            name.replace("#1", "#3"), tr.run, tr.scaler, _info(tr.label, batch=3)
        )
    at.session_state["run_batch_counter"] = 3
    at.session_state["train_show_batch"] = 2  # the page showed comparison 2 before the click
    ok(at.run())
    assert at.selectbox(key="train_show_batch").value == 3
    assert set(at.dataframe[0].value["status"]) == {"stopped"}
    assert any("stopped" in w.value for w in at.warning)
    assert "comparison #3" in at.session_state["model"][1]


def test_a_stop_while_preparing_says_so():
    at = open_page("pages/train.py")
    from ui.session import Comparison

    at.session_state["comparisons"] = {1: Comparison(1, "scalings", tuple(RUN_LABELS.values()))}
    at.session_state["run_batch_counter"] = 1
    at.session_state["runs"] = dict(list(_live_batch(0).items())[:1])  # only the first run was prepared
    at.session_state["train_running"] = 1
    ok(at.run())
    assert any("while the runs were being prepared" in w.value and RUN_LABELS["zscore"] in w.value for w in at.warning)


def test_the_teachers_pick_and_an_uploaded_model_stay_when_a_new_comparison_trains(model):
    at = open_page("pages/train.py")
    at.text_input(key="train_iterations").set_value("40").run()
    at.button(key="train_go").click().run()
    at.selectbox(key="train_pick").set_value("#1 " + RUN_LABELS["zscore"]).run()
    at.button(key="train_use").click().run()
    ok(at)
    assert at.session_state["model"][2] == "run" and "z-score" in at.session_state["model"][1]
    at.button(key="train_go").click().run()  # a new comparison keeps the teacher's pick
    assert ok(at).session_state["model"][2] == "run" and "comparison #1" in at.session_state["model"][1]
    at.session_state["model"] = (model, "uploaded file m.npz", "upload")
    at.button(key="train_go").click().run()
    assert ok(at).session_state["model"][0] is model


@needs_real_data
def test_the_course_preset_reproduces_the_course_table_on_the_real_files(monkeypatch):
    monkeypatch.setenv("LOGREG_DATA_DIR", str(REAL_TRAIN.parent))
    at = AppTest.from_file(DASHBOARD, default_timeout=300)
    ok(at.run())
    at.button(key="train_preset").click().run()
    table = ok(at).dataframe[0].value
    got = [(round(r["train acc. %"], 2), round(r["test acc. %"], 2)) for _, r in table.iterrows()]
    assert got == [(99.52, 68.0), (88.99, 64.0), (68.42, 36.0)]
