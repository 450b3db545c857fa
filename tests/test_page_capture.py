"""AppTest of the Capture page: camera and files in, thumbnails per class, remove, train on them, save and load."""

import io

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from logreg_core.capture import MAX_PER_CLASS, h5_pair
from logreg_core.data import load_dataset, synthetic_dataset
from logreg_core.split import dataset_from_classes

from conftest import DASHBOARD, open_page

PAGE = "pages/capture.py"


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def photo(color, fmt="PNG", size=(320, 240)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def stored(at):
    return at.session_state["capture_photos"]


def upload(at, files):
    """Drop files on the Capture page's photo field (its key changes after each batch)."""
    field = next(u for u in at.file_uploader if (u.key or "").startswith("capture_upload_"))
    field.set_value(files)
    return ok(at.run())


def test_camera_and_files_become_small_arrays_per_class():
    at = open_page(PAGE)
    assert [h.value for h in at.subheader][:2] == [
        "Label 0 = non-cat: 0 photos (at most 200)",
        "Label 1 = cat: 0 photos (at most 200)",
    ]
    at.camera_input[0].set_value(("shot.jpg", photo((200, 30, 30), "JPEG", (1280, 720)), "image/jpeg"))
    ok(at.run())
    upload(
        at,
        [(f"p{i}.png", photo((10 * i, 200, 40)), "image/png") for i in range(3)]
        + [("broken.jpg", b"\xff\xd8\xff nope", "image/jpeg")],
    )
    zero, one = stored(at)
    assert len(zero) == 4 and len(one) == 0
    assert all(x.shape == (64, 64, 3) and x.dtype == np.uint8 for _, x in zero)  # arrays, not photo bytes
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("broken.jpg:") and "\n" not in errors[0]
    assert any("shrunk and stored in" in c.value for c in at.caption)
    # the second class
    at.radio(key="capture_target").set_value(1)
    ok(at.run())
    upload(at, [(f"c{i}.png", photo((240, 150, 20 + i)), "image/png") for i in range(3)])
    assert [len(c) for c in stored(at)] == [4, 3]
    assert "Label 1 = cat: 3 photos" in [h.value for h in at.subheader][1]


def test_remove_one_and_train_on_them():
    at = open_page(PAGE)
    upload(at, [(f"p{i}.png", photo((10 * i, 90, 200)), "image/png") for i in range(3)])
    at.radio(key="capture_target").set_value(1)
    ok(at.run())
    upload(at, [(f"c{i}.png", photo((240, 150, 20 + i)), "image/png") for i in range(3)])
    first_id = stored(at)[1][0][0]
    at.button(key=f"capture_rm_{first_id}").click()
    ok(at.run())
    assert [len(c) for c in stored(at)] == [3, 2]
    assert first_id not in [i for i, _ in stored(at)[1]]
    at.text_input(key="capture_name1").set_value("ball")
    at.text_input(key="capture_set_name").set_value("room 12")
    ok(at.run())
    at.button(key="capture_use").click()
    ok(at.run())
    dataset = at.session_state["dataset"]
    assert dataset.classes == ("non-cat", "ball")
    assert dataset.source.startswith("room 12 (captured: 3 non-cat / 2 ball)")
    assert len(dataset.train_y) + len(dataset.test_y) == 5
    assert any("is the data set in use" in s.value for s in at.success)
    # The Train page trains on it.
    at.switch_page("pages/train.py")
    ok(at.run())


def test_budget_refuses_with_one_line():
    full = [[(i, np.zeros((64, 64, 3), np.uint8)) for i in range(MAX_PER_CLASS)], []]
    at = open_page(PAGE, state={"capture_photos": full})
    upload(at, [("one-more.png", photo((1, 2, 3)), "image/png")])
    assert len(stored(at)[0]) == MAX_PER_CLASS
    assert any(e.value.startswith("one-more.png:") and f"at most {MAX_PER_CLASS}" in e.value for e in at.error)


def test_saved_h5_pair_loads_back():
    rng = np.random.default_rng(0)
    images0 = rng.integers(0, 256, (6, 64, 64, 3), dtype=np.uint8)
    images1 = rng.integers(0, 256, (5, 64, 64, 3), dtype=np.uint8)
    dataset = dataset_from_classes(images0, images1, ("dog", "cat"), 0.2, seed=0, source="x")
    train, test = h5_pair(dataset)
    again = load_dataset(train, test)  # what the lab (and the sidebar) reads
    np.testing.assert_array_equal(again.train_x, dataset.train_x)
    np.testing.assert_array_equal(again.test_y, dataset.test_y)
    assert again.classes == ("dog", "cat")

    at = open_page(PAGE)
    at.file_uploader(key="capture_h5_train").set_value(("train_x.h5", train, "application/x-hdf5"))
    at.file_uploader(key="capture_h5_test").set_value(("test_x.h5", test, "application/x-hdf5"))
    ok(at.run())
    at.button(key="capture_load").click()
    ok(at.run())
    assert [len(c) for c in stored(at)] == [6, 5]
    assert at.text_input(key="capture_name0").value == "dog"
    got = np.stack(sorted((x for _, x in stored(at)[0]), key=lambda a: a.tobytes()))
    want = np.stack(sorted(images0, key=lambda a: a.tobytes()))
    np.testing.assert_array_equal(got, want)


def test_a_set_of_other_size_is_refused_and_nothing_is_lost():
    other = synthetic_dataset()
    small = dataset_from_classes(
        other.train_x[other.train_y == 0][:3, :32, :32],
        other.train_x[other.train_y == 1][:3, :32, :32],
        ("a", "b"),
        source="s",
    )
    train, test = h5_pair(small)
    at = open_page(PAGE)
    upload(at, [("p.png", photo((1, 2, 3)), "image/png")])
    at.file_uploader(key="capture_h5_train").set_value(("train_s.h5", train, "application/x-hdf5"))
    at.file_uploader(key="capture_h5_test").set_value(("test_s.h5", test, "application/x-hdf5"))
    ok(at.run())
    at.button(key="capture_load").click()
    ok(at.run())
    assert [len(c) for c in stored(at)] == [1, 0]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "expected 64×64×3" in errors[0]


def test_same_class_names_are_refused():
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    ok(at.run())
    at.text_input(key="capture_name1").set_value("Non-cat")
    ok(at.run())
    assert any("two different, non-empty names" in e.value for e in at.error)
    assert at.button(key="capture_use").disabled
