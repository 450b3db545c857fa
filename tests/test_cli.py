"""`python -m logreg_core`: output formats, exit codes, and no tracebacks."""

import json

import pytest
from PIL import Image

from cli_runner import cli
from paths import REAL_TEST, REAL_TRAIN, needs_real_data


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    result = cli("make-synthetic", "--out", folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "train_catvnoncat.h5").is_file() and (folder / "test_catvnoncat.h5").is_file()
    return folder


@pytest.fixture(scope="module")
def model_path(synthetic_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    result = cli("train", "--iterations", 200, "--out", path, env_dir=synthetic_dir)
    assert result.returncode == 0, result.stderr
    return path


def png_file(path, colour=(200, 120, 40)):
    Image.new("RGB", (90, 70), colour).save(path)
    return path


def test_train_prints_readable_progress(synthetic_dir):
    result = cli("train", "--iterations", 300, "--print-every", 100, env_dir=synthetic_dir)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert "iteration      0: cost 0.693147" in lines
    assert sum(line.startswith("iteration ") for line in lines) == 3
    assert any(line.startswith("train accuracy:") for line in lines)
    assert any(line.startswith("test accuracy:") for line in lines)


def test_train_json_is_exactly_one_object(synthetic_dir):
    result = cli("train", "--iterations", 50, "--scale", "zscore", "--lr", 0.01, "--json", env_dir=synthetic_dir)
    assert result.returncode == 0
    report = json.loads(result.stdout)  # the whole of stdout is one JSON value
    assert isinstance(report, dict)
    assert len(report["costs"]) == 50 and report["costs"][0] == pytest.approx(0.693147, abs=1e-6)
    assert 0 <= report["train_accuracy"] <= 100 and 0 <= report["test_accuracy"] <= 100
    assert report["settings"]["scaling"] == "zscore" and report["settings"]["learning_rate"] == 0.01
    assert report["settings"]["num_iterations"] == 50


@needs_real_data
def test_train_json_on_the_real_files_reproduces_the_course():
    result = cli("train", "--train", REAL_TRAIN, "--test", REAL_TEST, "--json")
    report = json.loads(result.stdout)
    assert report["costs"][100] == pytest.approx(0.584508, abs=1e-6)
    assert report["train_accuracy"] == 99.04306220095694 and report["test_accuracy"] == 70.0


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--lr", "0"], "learning rate must be a finite number > 0; got 0.0"),
        (["train", "--lr", "-1"], "learning rate must be a finite number > 0"),
        (["train", "--lr", "nan"], "learning rate must be a finite number > 0; got nan"),
        (["train", "--lr", "inf"], "learning rate"),
        (["train", "--iterations", "0"], "number of iterations must be a whole number ≥ 1; got 0"),
        (["train", "--train", "missing.h5", "--test", "missing2.h5"], "missing.h5: no such file"),
        (["train", "--train", "x.h5"], "give both --train and --test"),
        (["train", "--scale", "minmax"], "invalid choice: 'minmax'"),
        (["train", "--lr", "fast"], "invalid float value: 'fast'"),
        (["predict", "--model", "missing.npz", "x.png"], "missing.npz: no such file"),
        (["info", "missing.h5"], "missing.h5: no such file"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_data_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"this is not hdf5")
    result = cli("train", "--train", bad, "--test", bad)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}: damaged or not a data file; expected an HDF5 "
        f"file in the course's format (train_set_x, train_set_y, "
        f"list_classes)"
    ]


def test_predict_lines_and_json(model_path, tmp_path):
    good = png_file(tmp_path / "good.png")
    also = png_file(tmp_path / "also.jpg", (10, 10, 10))
    result = cli("predict", "--model", model_path, good, also)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{good}: ") and "P(cat) = " in lines[0]
    result = cli("predict", "--model", model_path, good, also, "--json")
    items = json.loads(result.stdout)
    assert [item["file"] for item in items] == [str(good), str(also)]
    for item in items:
        assert item["label"] in ("cat", "non-cat") and 0 <= item["probability"] <= 1


def test_a_bad_photo_never_stops_the_others(model_path, tmp_path):
    good = png_file(tmp_path / "good.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    result = cli("predict", "--model", model_path, broken, good, empty, tmp_path / "gone.png", "--json")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert [("error" in item) for item in items] == [True, False, True, True]
    assert items[0]["error"].startswith(f"{broken}:")
    assert "empty" in items[2]["error"]
    text = cli("predict", "--model", model_path, broken, good)
    assert text.returncode == 1 and text.stdout.startswith(f"{good}: ")
    assert text.stderr.startswith(f"error: {broken}:")


def test_make_dataset_then_info_then_train(tmp_path):
    for cls, colour in (("cat", (220, 40, 40)), ("non-cat", (40, 40, 220))):
        (tmp_path / "photos" / cls).mkdir(parents=True)
        for i in range(5):
            png_file(tmp_path / "photos" / cls / f"{i}.png", colour)
    (tmp_path / "photos" / "cat" / "bad.jpg").write_bytes(b"nope")
    out = tmp_path / "h5"
    result = cli("make-dataset", tmp_path / "photos", "--out", out, "--size", 32)
    assert result.returncode == 0
    assert "skipped: cat/bad.jpg:" in result.stderr
    info = cli("info", out / "train_catvnoncat.h5")
    assert info.returncode == 0 and "train split, 8 images of 32×32×3" in info.stdout
    assert "label 1 = 'cat': 4 images" in info.stdout
    trained = cli("train", "--iterations", 20, "--json", env_dir=out)
    assert trained.returncode == 0 and json.loads(trained.stdout)["data"]["train"] == 8


def test_info_on_a_file_that_is_not_hdf5(tmp_path):
    notes = tmp_path / "notes.h5"
    notes.write_text("hello")
    result = cli("info", notes)
    assert result.returncode == 2 and f"{notes}: damaged or not a data file" in result.stderr


def test_predict_with_a_model_of_non_square_images(tmp_path):
    import numpy as np

    from logreg_core.persistence import save_model
    from logreg_core.pipeline import Model
    from logreg_core.preprocess import Scaler
    from logreg_core.settings import TrainSettings

    model = Model(np.full(8 * 16 * 3, 0.01), -1.0, Scaler("255"), (8, 16, 3), ("dog", "cat"), TrainSettings(), [0.693])
    save_model(model, tmp_path / "wide.npz")
    result = cli("predict", "--model", tmp_path / "wide.npz", png_file(tmp_path / "p.png"), "--json")
    assert result.returncode == 0
    item = json.loads(result.stdout)[0]
    assert item["label"] in ("dog", "cat") and 0 < item["probability"] < 1
