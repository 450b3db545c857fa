"""Hostile HDF5 files against the loader: each refused with one ValueError line, nothing read from the server.

Anything that could crash the interpreter (a damaged file reaching the HDF5
C library) runs in a child process, so a crash fails the test instead of
ending the test run.
"""

import os
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from logreg_core.data import load_dataset, read_h5, resolve_dataset
from logreg_core.limits import BUDGET

from hostile import SECRET, good_h5, h5_bytes, hostile_h5, plant_secret
from paths import ROOT


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return hostile_h5(folder, plant_secret(folder))


def test_the_builders_make_what_they_say(cases, tmp_path):
    """The external-storage file really does read the secret when opened naively: the refusal is what stops it."""
    path = tmp_path / "naive.h5"
    path.write_bytes(cases["external storage"])
    with h5py.File(path, "r") as f:
        assert SECRET[:20] in f["train_set_x"][()].tobytes()


@pytest.mark.parametrize(
    "name",
    [
        "external storage",
        "external storage of labels",
        "external storage of class names",
        "virtual dataset naming itself",
        "virtual dataset on a server file",
        "external link",
        "soft link",
        "dangling soft link",
        "looping soft links",
        "group instead of array",
        "compound pixels",
        "variable-length labels",
        "object references as labels",
        "variable-length class names",
        "2 MB list_classes",
        "50 million class names",
        "compression bomb",
        "images of 4×4000",
        "20,000 blank images",
        "chunk of 77 MB",
        "20 million tiny chunks",
        "null dataspace",
        "20,000 keys and no data",
        "float pixels",
        "truncated",
        "flipped superblock",
        "text",
        "empty",
    ],
)
def test_each_hostile_file_is_one_value_error_line(cases, name):
    with pytest.raises(ValueError) as caught:
        read_h5(cases[name], "train", name="up.h5")
    message = str(caught.value)
    assert message.startswith("up.h5: ") and "\n" not in message
    assert "; expected" in message or "; got" in message
    assert len(message) < 600
    assert SECRET[:12].decode() not in message


@pytest.mark.parametrize(
    "name, words",
    [
        ("external storage", "external files"),
        ("virtual dataset naming itself", "virtual dataset"),
        ("external link", "link to another file"),
        ("soft link", "soft link"),
        ("compound pixels", "plain numbers"),
        ("20,000 keys and no data", "and 19,995 more"),
        ("flipped superblock", "damaged or not a data file; expected"),
        ("2 MB list_classes", "at most 256 bytes"),
        ("20 million tiny chunks", "stored in 19,992,576 chunks"),
        ("images of 4×4000", "expected sides from 4 to 256"),
    ],
)
def test_the_refusal_says_what_was_wrong(cases, name, words):
    with pytest.raises(ValueError, match=words):
        read_h5(cases[name], "train", name="up.h5")


def test_the_same_rules_hold_for_a_path(cases, tmp_path):
    path = tmp_path / "x.h5"
    path.write_bytes(cases["external storage"])
    with pytest.raises(ValueError, match="external files"):
        load_dataset(path, path)


def test_a_fifo_or_a_folder_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.h5"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        read_h5(fifo, "train")
    with pytest.raises(ValueError, match="is a folder"):
        read_h5(tmp_path, "train")


def test_a_file_at_the_top_of_the_budget_loads():
    m = BUDGET.max_pixel_values // (64 * 64 * 3)

    def build(f):
        f.create_dataset(
            "train_set_x", shape=(m, 64, 64, 3), dtype=np.uint8, compression="gzip", chunks=(64, 64, 64, 3), fillvalue=7
        )
        f.create_dataset("train_set_y", data=np.arange(m) % 2)

    x, _, _ = read_h5(h5_bytes(build), "train")
    assert x.shape == (m, 64, 64, 3) and x.size <= BUDGET.max_pixel_values and int(x[-1, -1, -1, -1]) == 7
    del x

    def one_more(f):
        f.create_dataset("train_set_x", shape=(m + 1, 64, 64, 3), dtype=np.uint8, compression="gzip")
        f.create_dataset("train_set_y", data=np.arange(m + 1) % 2)

    with pytest.raises(ValueError, match="pixel values"):
        read_h5(h5_bytes(one_more), "train")


def test_files_the_lab_runner_names_may_pass_the_upload_budget(tmp_path):
    """LOGREG_DATA_DIR files get BUDGET.max_local_pixel_values; the same bytes as an upload are refused."""
    m = BUDGET.max_pixel_values // (64 * 64 * 3) + 1
    assert m * 64 * 64 * 3 <= BUDGET.max_local_pixel_values
    for split in ("train", "test"):
        with h5py.File(tmp_path / f"{split}_catvnoncat.h5", "w") as f:
            f.create_dataset(
                f"{split}_set_x",
                shape=(m, 64, 64, 3),
                dtype=np.uint8,
                compression="gzip",
                chunks=(64, 64, 64, 3),
                fillvalue=3,
            )
            f.create_dataset(f"{split}_set_y", data=np.arange(m) % 2)
            f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))
    dataset = resolve_dataset(environ={"LOGREG_DATA_DIR": str(tmp_path)}, data_dir=tmp_path / "none")
    assert dataset.train_x.shape == (m, 64, 64, 3)
    del dataset
    upload = (tmp_path / "train_catvnoncat.h5").read_bytes()
    with pytest.raises(ValueError, match="pixel values"):
        load_dataset(upload, (tmp_path / "test_catvnoncat.h5").read_bytes())


def test_a_file_marked_synthetic_loads_as_synthetic(tmp_path):
    from logreg_core.data import SYNTHETIC_ATTR

    def build(split):
        def inner(f):
            f.create_dataset(f"{split}_set_x", data=np.zeros((4, 8, 8, 3), np.uint8))
            f.create_dataset(f"{split}_set_y", data=np.array([0, 1, 0, 1]))
            f.attrs[SYNTHETIC_ATTR] = 1

        return h5_bytes(inner)

    dataset = load_dataset(build("train"), build("test"))
    assert dataset.synthetic and "synthetic" in dataset.source
    assert not load_dataset(good_h5("train"), good_h5("test")).synthetic


MUTATE = textwrap.dedent("""
    import io, sys, time
    import h5py, numpy as np
    from logreg_core.data import read_h5

    def valid(rng):
        buffer = io.BytesIO()
        with h5py.File(buffer, "w") as f:
            m = int(rng.integers(2, 12))
            kw = dict(compression="gzip", chunks=(1, 8, 8, 3)) if rng.random() < 0.5 else {}
            f.create_dataset("train_set_x", data=rng.integers(0, 256, (m, 8, 8, 3), dtype=np.uint8), **kw)
            f.create_dataset("train_set_y", data=np.arange(m) % 2)
            f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))
            f.attrs["logreg_synthetic"] = 1
        return bytearray(buffer.getvalue())

    rng = np.random.default_rng(20261124)
    seen = {"ok": 0, "refused": 0}
    start = time.monotonic()
    for i in range(int(sys.argv[1])):
        if time.monotonic() - start > float(sys.argv[2]):
            break
        data = valid(rng)
        for _ in range(int(rng.integers(1, 9))):
            where = int(rng.integers(0, len(data)))
            data[where] ^= int(rng.integers(1, 256))
        try:
            read_h5(bytes(data), "train", name="m.h5")
            seen["ok"] += 1
        except ValueError as exc:
            assert "\\n" not in str(exc), str(exc)
            seen["refused"] += 1
    print(seen["ok"], seen["refused"])
""")


def test_random_byte_flips_only_ever_give_value_error():
    """Fixed seed, at most 400 files and 8 s, in a child process: a crash or another exception fails."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", MUTATE, "400", "8"], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    ok, refused = map(int, result.stdout.split())
    assert refused > 0 and ok + refused > 20


def test_the_isolated_reader_gives_the_same_data_and_the_same_refusals(cases):
    from logreg_core.isolated import load_dataset_isolated

    direct = load_dataset(good_h5("train"), good_h5("test"), "a.h5", "b.h5")
    isolated = load_dataset_isolated(good_h5("train"), good_h5("test"), "a.h5", "b.h5")
    np.testing.assert_array_equal(direct.train_x, isolated.train_x)
    assert (direct.classes, direct.source, direct.synthetic) == (isolated.classes, isolated.source, False)
    with pytest.raises(ValueError, match=r"^up\.h5: key 'train_set_x' keeps its bytes in external files"):
        load_dataset_isolated(cases["external storage"], good_h5("test"), "up.h5", "b.h5")


@pytest.mark.parametrize(
    "limits, words",
    [
        ({"timeout": 0.05}, "the reader took more than 0.05 s"),
        ({"memory_bytes": 40 << 20}, "the reader ran out of memory|the reader stopped with status"),
    ],
)
def test_a_reader_that_dies_or_hangs_is_one_value_error_line(limits, words):
    from logreg_core.isolated import load_dataset_isolated

    with pytest.raises(ValueError, match=rf"^a\.h5 \+ b\.h5: damaged or not a data file \(({words})[^)]*\); expected"):
        load_dataset_isolated(good_h5("train"), good_h5("test"), "a.h5", "b.h5", **limits)
