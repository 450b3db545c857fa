"""AppTest of the Data page and of the sidebar's data sets (uploads of HDF5 files, photos, zips)."""

import io
import json
import zipfile

from streamlit.testing.v1 import AppTest

from conftest import (
    DASHBOARD,
    charts,
    cost_chart,
    decoded,
    h5_bytes,
    lines,
    ok,
    open_page,
    png_bytes,
    texts,
)
from paths import REAL_TEST, REAL_TRAIN, needs_real_data


def test_sidebar_names_the_synthetic_data_set_and_its_counts():
    at = ok(AppTest.from_file(DASHBOARD, default_timeout=60).run())
    side = " ".join(m.value for m in at.sidebar.markdown)
    assert "SYNTHETIC" in side and "209 images (137 non-cat / 72 cat)" in side
    assert "50 images (17 non-cat / 33 cat)" in side and "64×64×3 = 12,288" in side
    assert any("none yet" in c.value for c in at.sidebar.caption)  # no model for Predict yet


def test_data_page_shows_images_counts_flattening_and_histograms():
    at = open_page("pages/data.py")
    captions = [c for img in at.get("image") for c in img.captions]
    assert len(captions) == 24 and "#0 · cat" in captions
    # Sent as the PNG encoded once per picture: "auto" would have Streamlit encode a (blurred) JPEG every run.
    assert {i.url.rsplit(".", 1)[-1] for img in at.get("image") for i in img.proto.imgs} == {"png"}
    specs = charts(at)
    bars = [s for s in specs if s["data"] and s["data"][0]["type"] == "bar" and len(s["data"]) == 2]
    assert bars, "class counts chart"
    assert [int(v) for v in bars[0]["data"][0]["y"]] == [137, 17]  # label 0 in train / test
    flat = next(s for s in specs if "column x (12,288, 1)" in json.dumps(s, ensure_ascii=False))
    texts = [a["text"] for a in flat["layout"]["annotations"]]
    assert "x[192]" in texts and "x[12287]" in texts  # row 1 starts at 64·3; last index
    hist = next(s for s in specs if len([t for t in s["data"] if t["type"] == "bar"]) == 3)
    assert [t["name"] for t in hist["data"]] == ["raw pixels (0–255)", "pixels / 255", "z-score (standardized)"]
    # Filter by class: only label-1 captions.
    at.radio(key="data_class").set_value(1).run()
    ok(at)
    captions = [c for img in at.get("image") for c in img.captions]
    assert len(captions) == 24 and all(c.endswith(" · cat") for c in captions)


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
    binary = "application/octet-stream"
    at.file_uploader(key="upload_h5_train").set_value(("train_small.h5", h5_bytes("train", 16), binary))
    at.file_uploader(key="upload_h5_test").set_value(("test_small.h5", h5_bytes("test", 8, seed=1), binary))
    at.run()
    ok(at)
    dataset = at.session_state["dataset"]
    assert dataset.image_shape == (32, 32, 3) and dataset.classes == ("dog", "cat")
    assert not at.sidebar.error
    assert any("32×32×3 = 3,072" in m.value for m in at.sidebar.markdown)
    at.text_input(key="train_iterations").set_value("60").run()
    at.button(key="train_go").click().run()
    ok(at)
    assert len(lines(cost_chart(at))) == 3
    at.switch_page("pages/weights.py").run()
    ok(at)
    assert all(decoded(s["data"][0]["z"]).shape == (32, 32) for s in charts(at))
    at.button(key="weights_play").click().run()  # the animation ends on the chosen iteration
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
    at.file_uploader(key="upload_photos0").set_value(
        [(f"a{i}.png", png_bytes(i), "image/png") for i in range(3)] + [("broken.png", b"not a png", "image/png")]
    )
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
    binary = "application/octet-stream"
    at.file_uploader(key="upload_h5_train").set_value((REAL_TRAIN.name, REAL_TRAIN.read_bytes(), binary))
    at.file_uploader(key="upload_h5_test").set_value((REAL_TEST.name, REAL_TEST.read_bytes(), binary))
    at.run()
    ok(at)
    dataset = at.session_state["dataset"]
    assert not dataset.synthetic and len(dataset.train_y) == 209 and len(dataset.test_y) == 50
    assert not any("SYNTHETIC" in m.value for m in at.sidebar.markdown)


def test_data_page_gives_the_majority_baseline_on_train_and_test():
    at = open_page("pages/data.py")
    text = " ".join(texts(at.markdown))
    # synthetic set, balanced as the real one: 137 of 209 training images and 17 of 50 test images are non-cat
    assert "“non-cat”" in text and f"**{137 / 209 * 100:.2f} %** of the time on the training set" in text
    assert f"**{17 / 50 * 100:.2f} %** on the test set" in text
