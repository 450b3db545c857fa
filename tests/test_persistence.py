"""Saving and loading models as .npz, and every way a model file can be wrong."""

import io
import zipfile

import numpy as np
import pytest

from logreg_core.data import synthetic_dataset
from logreg_core.persistence import load_model, model_to_bytes, save_model
from logreg_core.pipeline import fit
from logreg_core.settings import TrainSettings


@pytest.fixture(scope="module")
def trained():
    ds = synthetic_dataset()
    model, _ = fit(ds, TrainSettings(num_iterations=150, scaling="zscore"))
    return ds, model


def test_round_trip_gives_identical_predictions(tmp_path, trained):
    ds, model = trained
    save_model(model, tmp_path / "m.npz")
    back = load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.predict_proba_images(ds.test_x), model.predict_proba_images(ds.test_x))
    np.testing.assert_array_equal(back.costs, model.costs)
    assert back.settings == model.settings
    assert back.classes == model.classes and back.image_shape == model.image_shape
    np.testing.assert_array_equal(back.scaler.mean, model.scaler.mean)
    assert load_model(model_to_bytes(model)).b == model.b


def rewrite(model, **changes):
    buffer = io.BytesIO(model_to_bytes(model))
    with np.load(buffer) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    for k in [k for k, v in changes.items() if v is None]:
        del arrays[k]
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda m: b"", r"m\.npz: not a \.npz file"),
        (lambda m: b"hello", r"m\.npz: not a \.npz file"),
        (lambda m: model_to_bytes(m)[:200], r"m\.npz: not a readable model file"),
        (lambda m: rewrite(m, w=None), r"m\.npz: not a model file of this lab — missing 'w'"),
        (lambda m: rewrite(m, w=np.zeros(5)), r"inconsistent \(w has 5 weights"),
        (lambda m: rewrite(m, scaling=np.array("l2")), r"inconsistent \(scaling must be one of"),
        (lambda m: rewrite(m, settings_json=np.array('{"learning_rate": -1}')), r"inconsistent \(learning rate"),
        (lambda m: rewrite(m, format_version=np.array(99)), r"model format must be 1; got 99"),
        (lambda m: rewrite(m, image_shape=np.array([-64, -64, 3])), r"image shape must be \(height, width, 3\)"),
        (lambda m: rewrite(m, image_shape=np.array([64, 64, 3, 1])), r"image shape must be \(height, width, 3\)"),
        (lambda m: rewrite(m, image_shape=np.array([4096, 3, 1])), r"image shape must be"),
        (lambda m: rewrite(m, format_version=np.array([1, 1])), r"model format must be 1; got \[1, 1\]"),
        (lambda m: rewrite(m, format_version=np.array("one")), r"model format must be 1; got one"),
        (lambda m: rewrite(m, classes=np.array([{"a": 1}], dtype=object)), r"key .classes. holds Python objects"),
    ],
)
def test_bad_model_files(trained, make, match):
    _, model = trained
    with pytest.raises(ValueError, match=match):
        load_model(make(model), name="m.npz")


def test_plain_zip_and_missing_path(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(ValueError, match="not a model file of this lab|not a readable model file"):
        load_model(buffer.getvalue(), name="x.npz")
    with pytest.raises(ValueError, match="no such file"):
        load_model(tmp_path / "none.npz")


def test_a_compressed_bomb_is_refused_before_it_is_read(trained):
    _, model = trained
    buffer = io.BytesIO(model_to_bytes(model))
    with np.load(buffer) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["costs"] = np.zeros(10_000_000)  # 80 MB of zeros, a few hundred kB compressed
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(ValueError, match=r"big\.npz: unpacks to \d+ MiB; a model of this lab is at most 64 MiB"):
        load_model(out.getvalue(), name="big.npz")


def test_an_array_header_that_lies_about_its_size_is_refused_before_reading(tmp_path, trained):
    save_model(trained[1], tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        members = {n: z.read(n) for n in z.namelist()}
    header = members["w.npy"]
    members["w.npy"] = header.replace(b"'shape': (12288,)", b"'shape': (9999999999,)")
    assert members["w.npy"] != header
    with zipfile.ZipFile(tmp_path / "lie.npz", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(ValueError, match=r"key 'w' declares 79,999,999,992 bytes but holds"):
        load_model(tmp_path / "lie.npz")
