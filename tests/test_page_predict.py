"""AppTest of the Predict page: the class table, uploads of photos and models, the test-set mistakes."""

import io

import numpy as np
import pytest
from PIL import Image

from logreg_core.persistence import model_to_bytes
from logreg_core.pipeline import Model
from logreg_core.preprocess import Scaler
from logreg_core.settings import TrainSettings

from conftest import MODEL_KEY, decoded, open_page, plotly_specs, png_bytes, texts


def table(at):
    """The class table: one row per photo that could be read."""
    return at.dataframe[0].value


def test_predict_without_model_offers_default_training():
    at = open_page("pages/predict.py")
    assert any("no model yet" in t.lower() for t in texts(at.info))
    button = at.button(key="predict_train_default")
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    trained, description, origin = at.session_state[MODEL_KEY]
    assert origin == "run"
    assert trained is not None and "defaults" in description
    assert not any(b.key == "predict_train_default" for b in at.button)
    assert any("Model:" in t for t in texts(at.caption))


def test_predict_classifies_an_uploaded_photo(model):
    at = open_page("pages/predict.py", model=model)
    at.file_uploader(key="predict_photos").set_value(("cat.png", png_bytes(), "image/png")).run()
    assert not at.exception and not at.error, texts(at.error)
    rows = table(at)
    assert list(rows["file"]) == ["cat.png"] and rows["photo"][0].startswith("data:image/png;base64,")
    p = rows[f"P({model.classes[1]})"][0]
    assert 0.0 <= p <= 1.0 and rows["label"][0] == model.classes[int(p > 0.5)]
    assert any(f"P({model.classes[1]}) = {p:.3f}" in t for t in texts(at.markdown))  # the detail of one photo
    heatmaps = [t for spec in plotly_specs(at) for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 1
    assert heatmaps[0]["zmid"] == 0 and heatmaps[0]["zmin"] == -heatmaps[0]["zmax"]
    assert decoded(heatmaps[0]["z"]).shape == model.image_shape[:2]
    # The photo up close and the gallery of mistakes go as PNG (square pixels), not re-encoded as JPEG each run.
    urls = [i.url for img in at.get("image") for i in img.proto.imgs]
    assert len(urls) > 1 and all(u.endswith(".png") for u in urls), urls


def test_predict_corrupt_photo_gets_its_own_error_and_the_good_one_is_classified(model):
    at = open_page("pages/predict.py", model=model)
    at.file_uploader(key="predict_photos").set_value(
        [
            ("broken.png", b"\x89PNG\r\n\x1a\n this is not really a png", "image/png"),
            ("good.png", png_bytes(seed=1), "image/png"),
        ]
    ).run()
    assert not at.exception
    errors = texts(at.error)
    assert len(errors) == 1 and "broken.png" in errors[0]
    assert "good.png" not in errors[0]
    assert list(table(at)["file"]) == ["good.png"]


def test_predict_bad_npz_keeps_the_previous_model(model):
    at = open_page("pages/predict.py", model=model, description="the first model")
    at.file_uploader(key="predict_model_file").set_value(("broken.npz", b"PK\x03\x04 not a zip", "application/zip"))
    at.run()
    assert not at.exception
    errors = texts(at.error)
    assert len(errors) == 1 and "broken.npz" in errors[0] and "previous model is kept" in errors[0]
    kept, description, _ = at.session_state[MODEL_KEY]
    assert kept is model and description == "the first model"
    at.run()  # a rerun keeps saying so, and still keeps the model
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
    at = open_page("pages/predict.py", model=model)
    assert len(at.camera_input) == 0
    at.toggle(key="predict_camera_on").set_value(True).run()
    assert len(at.camera_input) == 1
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png_bytes(seed=2))).save(jpeg, format="JPEG")
    at.camera_input(key="predict_camera").set_value(("shot.jpg", jpeg.getvalue(), "image/jpeg")).run()
    assert not at.exception and not at.error
    assert list(table(at)["file"]) == ["camera photo"]


def test_predict_good_npz_replaces_the_model(model):
    other = Model(model.w * 2, model.b + 1, model.scaler, model.image_shape, model.classes, model.settings, model.costs)
    at = open_page("pages/predict.py", model=model)
    at.file_uploader(key="predict_model_file").set_value(("mine.npz", model_to_bytes(other), "application/zip"))
    at.run()
    assert not at.exception and not at.error
    loaded, description, origin = at.session_state[MODEL_KEY]
    assert origin == "upload"
    assert "mine.npz" in description and loaded.b == pytest.approx(model.b + 1)


def test_predict_lists_false_positives_and_negatives(model):
    at = open_page("pages/predict.py", model=model)
    headings = texts(at.markdown)
    assert any(h.startswith("##### False positives") for h in headings)
    assert any(h.startswith("##### False negatives") for h in headings)
    assert any("Test accuracy" in h for h in headings)


def test_predict_model_for_another_image_shape_is_explained_not_a_crash():
    """A (non-square) model for 6×10 images on the 64×64 data: a warning, no mistakes, photos still work."""
    small = Model(
        np.zeros(6 * 10 * 3), 0.0, Scaler("255"), (6, 10, 3), ("non-cat", "cat"), TrainSettings(), np.zeros(0)
    )
    at = open_page("pages/predict.py", model=small)
    assert any("6×10×3" in w for w in texts(at.warning))
    assert not any(h.startswith("##### False") for h in texts(at.markdown))
    at.file_uploader(key="predict_photos").set_value(("cat.png", png_bytes(), "image/png")).run()
    assert not at.exception and not at.error
    assert list(table(at)["P(cat)"]) == [0.5]
    heatmap = next(t for spec in plotly_specs(at) for t in spec["data"] if t["type"] == "heatmap")
    assert decoded(heatmap["z"]).shape == (6, 10)


def test_predict_for_a_class_thirty_photos_one_table_detail_on_demand_and_a_bias_note(model):
    """30 photos and one broken file: the error first, one table, the detail only when asked."""
    from logreg_core.pipeline import Model

    always_yes = Model(model.w, 50.0, model.scaler, model.image_shape, model.classes, model.settings, model.costs)
    at = open_page("pages/predict.py", model=always_yes)
    photos = [(f"p{i:02d}.png", png_bytes(seed=i), "image/png") for i in range(30)]
    photos.insert(11, ("notes.txt.png", b"not an image", "image/png"))
    at.file_uploader(key="predict_photos").set_value(photos).run()
    assert not at.exception
    assert len(at.error) == 1 and "notes.txt.png" in at.error[0].value
    rows = table(at)
    assert len(rows) == 30 and list(rows["file"]) == [name for name, _, _ in photos if name != "notes.txt.png"]
    assert (rows["label"] == model.classes[1]).all()
    assert any("model's bias" in w.value for w in at.warning)  # most photos come out as class 1
    assert not plotly_specs(at)  # no detail until asked
    at.selectbox(key="predict_detail").set_value("p07.png").run()
    assert not at.exception and len(plotly_specs(at)) == 1


def test_predict_says_nothing_about_bias_when_the_answers_are_mixed(model):
    at = open_page("pages/predict.py", model=model)
    at.file_uploader(key="predict_photos").set_value(
        [(f"p{i}.png", png_bytes(seed=i), "image/png") for i in range(6)]
    ).run()
    share = (table(at)["label"] == model.classes[1]).mean()
    assert (share >= 0.7) == any("model's bias" in w.value for w in at.warning)


def test_an_upload_the_server_refused_is_explained_once_on_the_page(model, monkeypatch):
    """The uploader marks a file refused past the budget only as "413": the page says why, on its next run."""
    from ui import uploads

    at = open_page("pages/predict.py", model=model)
    line = "dog.jpg: your uploads would hold 530 MB; expected at most 512 MB per student - remove files"
    refusals = [line]
    monkeypatch.setattr(uploads, "pop_upload_refusal", lambda session_id: refusals.pop() if refusals else None)
    at.run()
    assert texts(at.error) == [line]
    at.run()
    assert texts(at.error) == []


def test_a_busy_decoder_is_said_once_and_the_photo_is_decoded_on_the_next_run(model, monkeypatch):
    """A busy decoder says nothing about the photo: its line is not remembered for the next run."""
    from logreg_core import isolated

    real = isolated.load_photo_isolated

    def busy(data, name="upload", size=64, **kwargs):
        raise isolated.DecoderBusy(f"{name}: the lab's photo decoder was busy with other photos for 10 s; try again")

    monkeypatch.setattr(isolated, "load_photo_isolated", busy)
    at = open_page("pages/predict.py", model=model)
    at.file_uploader(key="predict_photos").set_value(("busy.png", png_bytes(seed=7), "image/png")).run()
    assert [e for e in texts(at.error) if "busy.png" in e] and "busy" in texts(at.error)[0]
    monkeypatch.setattr(isolated, "load_photo_isolated", real)
    at.run()
    assert not at.error and list(table(at)["file"]) == ["busy.png"]
