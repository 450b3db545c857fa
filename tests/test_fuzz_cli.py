"""Hostile files through `python -m logreg_core`: exit 2, one line, no traceback, no byte of the secret."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cli_runner import cli as run_cli
from hostile import SECRET, good_h5, good_members, hostile_h5, plant_secret, zip_bytes
from paths import ROOT

LEAK = SECRET[:12].decode()


def cli(*args, cwd=ROOT, timeout=120, env_dir=None):
    """The CLI run as a user does: never a traceback, "unexpected" or a byte of the planted secret."""
    result = run_cli(*args, env_dir=env_dir, cwd=cwd, timeout=timeout)
    assert "unexpected" not in result.stderr
    assert LEAK not in result.stdout and LEAK not in result.stderr
    return result


def one_line_error(result):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert len(lines[0]) < 600
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_hostile")
    paths = {}
    for i, (name, data) in enumerate(hostile_h5(folder, plant_secret(folder)).items()):
        path = folder / f"case{i}.h5"
        path.write_bytes(data)
        paths[name] = path
    good = folder / "good_test.h5"
    good.write_bytes(good_h5("test"))
    paths["good test"] = good
    return paths


@pytest.mark.parametrize(
    "name",
    [
        "external storage",
        "external storage of class names",
        "virtual dataset naming itself",
        "external link",
        "dangling soft link",
        "looping soft links",
        "compound pixels",
        "variable-length class names",
        "compression bomb",
        "images of 4×4000",
        "chunk of 77 MB",
        "20 million tiny chunks",
        "20,000 keys and no data",
        "flipped superblock",
    ],
)
def test_train_and_info_refuse_each_hostile_file_in_one_line(files, name):
    line = one_line_error(cli("train", "--train", files[name], "--test", files["good test"], "--iterations", 5))
    assert str(files[name]) in line
    line = one_line_error(cli("info", files[name]))
    assert str(files[name]) in line


def test_a_message_listing_keys_is_capped(files):
    line = one_line_error(cli("info", files["20,000 keys and no data"]))
    assert "and 19,995 more" in line


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "folder"])
def test_non_regular_files_are_refused_without_blocking(tmp_path, special):
    if special == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif special == "folder":
        target = tmp_path
    else:
        target = special
    one_line_error(cli("info", target, timeout=30))
    one_line_error(cli("predict", "--model", target, "x.png", timeout=30))
    line = one_line_error(cli("train", "--train", target, "--test", target, timeout=30))
    assert "regular file" in line or "folder" in line


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    result = cli("train", "--iterations", 20, "--out", folder / "m")
    assert result.returncode == 0
    path = folder / "m.npz"
    assert result.stdout.splitlines()[-1] == f"model saved to {path}"
    assert path.is_file() and not (folder / "m").exists()
    return path


def test_out_without_suffix_gets_npz_and_the_printed_path_works(model, tmp_path):
    fifo = tmp_path / "photo.png"
    os.mkfifo(fifo)
    result = cli("predict", "--model", model, fifo, "--json", timeout=30)
    assert result.returncode == 1
    assert "not a regular file" in json.loads(result.stdout)[0]["error"]


def test_out_with_a_suffix_is_written_exactly(tmp_path):
    result = cli("train", "--iterations", 3, "--out", tmp_path / "model.bin", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["model"] == str(tmp_path / "model.bin")
    assert (tmp_path / "model.bin").is_file() and not (tmp_path / "model.bin.npz").exists()


@pytest.mark.parametrize("where", ["folder", "/dev/full", "missing/x.npz"])
def test_an_unwritable_out_is_refused_before_training(tmp_path, where):
    target = {"folder": tmp_path, "/dev/full": "/dev/full", "missing/x.npz": tmp_path / "missing" / "x.npz"}[where]
    result = cli("train", "--iterations", 2000, "--out", target)
    one_line_error(result)
    assert result.stdout == ""  # nothing trained


def test_a_huge_model_field_is_not_echoed(model, tmp_path):
    with np.load(model) as npz:
        arrays = dict(npz)
    arrays["classes"] = np.array(["x" * 1_000_000, "cat"])
    np.savez(tmp_path / "big.npz", **arrays)
    line = one_line_error(cli("predict", "--model", tmp_path / "big.npz", "x.png"))
    assert "classes must be 2 names" in line and "xxxxxxxxxx" not in line


def test_usage_errors_are_one_line():
    for args in (["train", "--lr", "fast"], ["frobnicate"], [], ["train", "--print-every", "0"]):
        line = one_line_error(cli(*args))
        assert line.endswith("see 'python -m logreg_core --help'") or "--help'" in line


def test_help_shows_the_defaults():
    text = cli("train", "--help").stdout
    for words in ("(default auto)", "(default 100)", "(default: not saved)", "(default 0.005)"):
        assert words in " ".join(text.split())


def test_a_closed_pipe_ends_quietly():
    command = f"{sys.executable} -m logreg_core train --iterations 3000 --print-every 1 | head -3"
    result = subprocess.run(
        command,
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "LOGREG_DATA_DIR"},
    )
    assert len(result.stdout.splitlines()) == 3 and result.stderr == ""


def test_final_cost_is_printed_without_json():
    lines = cli("train", "--iterations", 10).stdout.splitlines()
    assert any(line.startswith("final cost:") for line in lines)


def test_make_synthetic_marks_its_files_and_they_load_as_synthetic(tmp_path):
    assert cli("make-synthetic", "--out", tmp_path).returncode == 0
    report = json.loads(cli("train", "--iterations", 2, "--json", env_dir=tmp_path).stdout)
    assert report["data"]["synthetic"] is True and "synthetic" in report["data"]["source"]
    assert "(synthetic)" in cli("train", "--iterations", 2, env_dir=tmp_path).stdout.splitlines()[0]
    assert "(synthetic: the file carries logreg_synthetic)" in cli("info", tmp_path / "test_catvnoncat.h5").stdout


def test_make_dataset_takes_a_zip_and_refuses_a_bad_one(tmp_path):
    good = tmp_path / "photos.zip"
    good.write_bytes(zip_bytes(good_members()))
    result = cli("make-dataset", good, "--out", tmp_path / "out", "--size", 16)
    assert result.returncode == 0 and (tmp_path / "out" / "train_catvnoncat.h5").is_file()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_bytes(good_members())[:-30])
    one_line_error(cli("make-dataset", bad, "--out", tmp_path / "out2"))
    one_line_error(cli("make-dataset", tmp_path / "out" / "train_catvnoncat.h5"))
