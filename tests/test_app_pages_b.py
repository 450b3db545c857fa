"""AppTest of the Predict, Why-standardize and Math pages, run through the dashboard's router."""
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from logreg_core.data import synthetic_dataset
from logreg_core.persistence import model_to_bytes
from logreg_core.pipeline import Model, fit
from logreg_core.preprocess import Scaler
from logreg_core.settings import TrainSettings

from conftest import decoded
from conftest import open_page as open_app_page

MODEL_KEY = "model"                # ui.session keeps (model, description) here


@pytest.fixture(scope="module")
def model():
    """A model of the synthetic set, trained once (short: these tests check the page, not the fit)."""
    trained, _ = fit(synthetic_dataset(), TrainSettings(num_iterations=200))
    return trained


def png_bytes(width=90, height=70, seed=0):
    """A small colour PNG made in memory."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def open_page(page, model=None, description="a test model"):
    """The page, with ``model`` already the one used for predictions (if given)."""
    return open_app_page(page, {MODEL_KEY: (model, description)} if model is not None else None)


def texts(elements):
    return [e.value for e in elements]


def _refuse(constant):
    raise AssertionError(f"{constant} in a figure")


def plotly_specs(at):
    return [json.loads(chart.proto.spec, parse_constant=_refuse) for chart in at.get("plotly_chart")]


# -- every page ----------------------------------------------------------------

@pytest.mark.parametrize("page", ["pages/predict.py", "pages/why_standardize.py", "pages/math.py"])
def test_page_runs_without_exception(page):
    at = open_page(page)
    assert at.title, "the page has a title"


# -- Predict ------------------------------------------------------------------

def test_predict_without_model_offers_default_training():
    at = open_page("pages/predict.py")
    assert any("no model yet" in t.lower() for t in texts(at.info))
    button = at.button(key="predict_train_default")
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    trained, description = at.session_state[MODEL_KEY]
    assert trained is not None and "defaults" in description
    assert not any(b.key == "predict_train_default" for b in at.button)
    assert any("Model:" in t for t in texts(at.markdown))


def test_predict_classifies_an_uploaded_photo(model):
    at = open_page("pages/predict.py", model)
    at.file_uploader(key="predict_photos").set_value(("cat.png", png_bytes(), "image/png")).run()
    assert not at.exception and not at.error, texts(at.error)
    metrics = [m for m in at.metric if m.label == f"P({model.classes[1]})"]
    assert len(metrics) == 1
    assert 0.0 <= float(metrics[0].value) <= 1.0
    heatmaps = [t for spec in plotly_specs(at) for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 1
    assert heatmaps[0]["zmid"] == 0 and heatmaps[0]["zmin"] == -heatmaps[0]["zmax"]
    assert decoded(heatmaps[0]["z"]).shape == model.image_shape[:2]


def test_predict_corrupt_photo_gets_its_own_error_and_the_good_one_is_classified(model):
    at = open_page("pages/predict.py", model)
    at.file_uploader(key="predict_photos").set_value([
        ("broken.png", b"\x89PNG\r\n\x1a\n this is not really a png", "image/png"),
        ("good.png", png_bytes(seed=1), "image/png"),
    ]).run()
    assert not at.exception
    errors = texts(at.error)
    assert len(errors) == 1 and "broken.png" in errors[0]
    assert "good.png" not in errors[0]
    assert len([m for m in at.metric if m.label.startswith("P(")]) == 1
    assert any("good.png" in t for t in texts(at.markdown))


def test_predict_bad_npz_keeps_the_previous_model(model):
    at = open_page("pages/predict.py", model, description="the first model")
    at.file_uploader(key="predict_model_file").set_value(("broken.npz", b"PK\x03\x04 not a zip", "application/zip"))
    at.run()
    assert not at.exception
    errors = texts(at.error)
    assert len(errors) == 1 and "broken.npz" in errors[0] and "previous model is kept" in errors[0]
    kept, description = at.session_state[MODEL_KEY]
    assert kept is model and description == "the first model"
    at.run()                                   # a rerun keeps saying so, and still keeps the model
    assert len(at.error) == 1 and at.session_state[MODEL_KEY][0] is model


def test_predict_bad_npz_without_a_model_says_none_is_loaded():
    at = open_page("pages/predict.py")
    at.file_uploader(key="predict_model_file").set_value(("empty.npz", b"", "application/zip")).run()
    assert not at.exception
    assert len(at.error) == 1 and "empty.npz" in at.error[0].value and "No model is loaded" in at.error[0].value
    if MODEL_KEY in at.session_state:
        assert at.session_state[MODEL_KEY][0] is None
    assert at.button(key="predict_train_default")


def test_predict_camera_is_off_until_asked_then_classifies_a_shot(model):
    at = open_page("pages/predict.py", model)
    assert len(at.camera_input) == 0
    at.toggle(key="predict_camera_on").set_value(True).run()
    assert len(at.camera_input) == 1
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png_bytes(seed=2))).save(jpeg, format="JPEG")
    at.camera_input(key="predict_camera").set_value(("shot.jpg", jpeg.getvalue(), "image/jpeg")).run()
    assert not at.exception and not at.error
    assert len([m for m in at.metric if m.label.startswith("P(")]) == 1
    assert any("camera photo" in t for t in texts(at.markdown))


def test_predict_good_npz_replaces_the_model(model):
    other = Model(model.w * 2, model.b + 1, model.scaler, model.image_shape, model.classes, model.settings,
                  model.costs)
    at = open_page("pages/predict.py", model)
    at.file_uploader(key="predict_model_file").set_value(("mine.npz", model_to_bytes(other), "application/zip"))
    at.run()
    assert not at.exception and not at.error
    loaded, description = at.session_state[MODEL_KEY]
    assert "mine.npz" in description and loaded.b == pytest.approx(model.b + 1)


def test_predict_lists_false_positives_and_negatives(model):
    at = open_page("pages/predict.py", model)
    headings = texts(at.markdown)
    assert any(h.startswith("##### False positives") for h in headings)
    assert any(h.startswith("##### False negatives") for h in headings)
    assert any("Test accuracy" in h for h in headings)


def test_predict_model_for_another_image_shape_is_explained_not_a_crash():
    """A (non-square) model for 6×10 images on the 64×64 data: a warning, no mistakes, photos still work."""
    small = Model(np.zeros(6 * 10 * 3), 0.0, Scaler("255"), (6, 10, 3), ("non-cat", "cat"), TrainSettings(),
                  np.zeros(0))
    at = open_page("pages/predict.py", small)
    assert any("6×10×3" in w for w in texts(at.warning))
    assert not any(h.startswith("##### False") for h in texts(at.markdown))
    at.file_uploader(key="predict_photos").set_value(("cat.png", png_bytes(), "image/png")).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric if m.label == "P(cat)"] == ["0.500"]
    heatmap = [t for spec in plotly_specs(at) for t in spec["data"] if t["type"] == "heatmap"][0]
    assert decoded(heatmap["z"]).shape == (6, 10)


# -- Why standardize ---------------------------------------------------------------

def test_why_standardize_shows_both_curves_and_flags_divergence():
    at = open_page("pages/why_standardize.py")
    assert at.select_slider(key="ws_alpha").value == 0.1
    specs = plotly_specs(at)
    names = [t.get("name", "") for t in specs[0]["data"]]
    assert any(n.startswith("raw x") for n in names) and any(n.startswith("standardized x") for n in names)
    assert any("DIVERGED" in n for n in names if n.startswith("raw x"))
    assert len(specs) >= 3 and sum(t["type"] == "contour" for s in specs for t in s["data"]) == 2
    errors = texts(at.error)
    assert len(errors) == 1 and "Raw x: DIVERGED" in errors[0]
    for spec in specs:                         # nothing non-finite reaches the screen
        for trace in spec["data"]:
            for field in ("x", "y", "z"):
                if field in trace:
                    values = decoded(trace[field])
                    assert values.dtype != object and np.all(np.isfinite(values)), (trace.get("name"), field)


def test_why_standardize_small_step_converges_and_large_step_diverges_both():
    at = open_page("pages/why_standardize.py")
    at.select_slider(key="ws_alpha").set_value(5e-4).run()
    assert not at.exception and not at.error
    assert len(at.success) == 2
    at.toggle(key="ws_excess").set_value(True).run()        # J − J*: the slow crawl of raw x shows
    curves = plotly_specs(at)[0]
    assert "J − J*" in curves["layout"]["title"]["text"]
    raw = decoded(curves["data"][0]["y"])
    assert raw[-1] > 1.0 and np.all(raw > 0)               # raw x is still well above the lowest cost
    at.button(key="ws_preset_4").click().run()             # α = 2.5
    assert at.select_slider(key="ws_alpha").value == 2.5
    assert len(at.error) == 2 and all("DIVERGED" in e for e in texts(at.error))


# -- Math -----------------------------------------------------------------------------

def _cost(at):
    for body in texts(at.latex):
        found = re.search(r"\\mathcal\{L\}\^\{\(i\)\} = ([0-9.]+)", body)
        if found:
            return float(found.group(1))
    raise AssertionError("no cost shown")


def test_math_gradient_check_is_below_1e_7():
    at = open_page("pages/math.py")
    at.button(key="math_gradcheck").click().run()
    assert not at.exception
    metric = [m for m in at.metric if m.label == "relative error"]
    assert len(metric) == 1 and float(metric[0].value) < 1e-7
    assert at.success and "< 10⁻⁷" in at.success[0].value


def test_math_shows_live_numbers_and_a_step_lowers_the_cost():
    at = open_page("pages/math.py")
    bodies = " ".join(texts(at.latex))
    for piece in ("X =", "z = w^{\\mathsf T}X + b", "A = \\sigma(z)", "dZ = A - Y", "dw =", "db ="):
        assert piece in bodies
    before = _cost(at)
    at.button(key="math_step").click().run()
    assert not at.exception
    assert _cost(at) < before
    at.button(key="math_reset").click().run()
    assert _cost(at) == pytest.approx(before)
