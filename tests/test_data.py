"""HDF5 loading: every validation error, the round trip, and which data set is chosen."""

import io

import h5py
import numpy as np
import pytest

from logreg_core.data import DATA_ENV, load_dataset, read_h5, resolve_dataset, synthetic_dataset, write_h5

from paths import REAL_TRAIN, needs_real_data


def make_h5(
    path,
    split="train",
    m=6,
    shape=(8, 8, 3),
    y=None,
    x_dtype=np.uint8,
    classes=(b"non-cat", b"cat"),
    drop=(),
    extra=None,
):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(m, *shape)).astype(x_dtype)
    y = np.array([0, 1] * (m // 2) + [0] * (m % 2)) if y is None else np.asarray(y)
    with h5py.File(path, "w") as f:
        items = {f"{split}_set_x": x, f"{split}_set_y": y, "list_classes": np.array(classes)}
        items.update(extra or {})
        for key, value in items.items():
            if key not in drop:
                f.create_dataset(key, data=value)
    return path


def test_round_trip(tmp_path):
    x = np.arange(4 * 5 * 5 * 3, dtype=np.uint8).reshape(4, 5, 5, 3)
    write_h5(tmp_path / "t.h5", x, [0, 1, 1, 0], ("dog", "cat"), "train")
    x2, y2, classes = read_h5(tmp_path / "t.h5", "train")
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(y2, [0, 1, 1, 0])
    assert y2.dtype == np.int64 and classes == ("dog", "cat")


def test_reads_bytes_and_file_objects(tmp_path):
    path = make_h5(tmp_path / "a.h5")
    from_bytes = read_h5(path.read_bytes(), "train", name="a.h5")
    with open(path, "rb") as f:
        from_file = read_h5(f, "train")
    np.testing.assert_array_equal(from_bytes[0], from_file[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"drop": ("train_set_x",)},
            r"bad\.h5: missing key 'train_set_x'; expected keys 'train_set_x' and 'train_set_y', found",
        ),
        ({"drop": ("train_set_y",)}, r"missing key 'train_set_y'"),
        ({"split": "test"}, r"missing key 'train_set_x'.*this looks like a test file"),
        ({"shape": (8, 8)}, r"key 'train_set_x' must have shape \(m, height, width, 3\); got \(6, 8, 8\)"),
        ({"shape": (8, 8, 4)}, r"got \(6, 8, 8, 4\)"),
        ({"x_dtype": np.float32}, r"key 'train_set_x' must hold uint8 pixels \(0–255\); got dtype float32"),
        ({"y": [0, 1, 0]}, r"'train_set_x' holds 6 images but 'train_set_y' holds 3 labels"),
        ({"y": [0, 1, 2, 0, 1, 0]}, r"key 'train_set_y' must hold labels 0 or 1; got \[2\]"),
        ({"y": [0.0, 1, 0, 1, 0, 1]}, r"must hold integer labels 0/1; got dtype float64"),
        ({"y": np.zeros((6, 2), dtype=int)}, r"key 'train_set_y' must have shape \(m,\); got \(6, 2\)"),
        ({"m": 0, "y": np.zeros(0, dtype=int)}, r"holds no images"),
        ({"classes": (b"a", b"b", b"c")}, r"'list_classes' must hold 2 names"),
    ],
)
def test_each_loader_error_names_file_key_expected_and_found(tmp_path, kwargs, match):
    path = make_h5(tmp_path / "bad.h5", **kwargs)
    with pytest.raises(ValueError, match=match):
        read_h5(path, "train")


def test_labels_stored_as_a_row_are_accepted(tmp_path):
    path = make_h5(tmp_path / "row.h5", y=np.array([[0, 1, 0, 1, 0, 1]]))
    assert read_h5(path, "train")[1].shape == (6,)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", r"up\.h5: the file is empty; expected an HDF5 file"),
        (b"not hdf5 at all", r"up\.h5: damaged or not a data file; expected an HDF5 file"),
        (b"\x89HDF\r\n\x1a\n" + b"\0" * 40, r"damaged or not a data file"),
    ],
)
def test_bad_bytes(content, match):
    with pytest.raises(ValueError, match=match):
        read_h5(content, "train", name="up.h5")


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(ValueError, match="nope.h5: no such file"):
        read_h5(tmp_path / "nope.h5", "train")
    with pytest.raises(ValueError, match="is a folder"):
        read_h5(tmp_path, "train")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        read_h5(tmp_path / "x.h5", "valid")


def test_train_and_test_must_match(tmp_path):
    train = make_h5(tmp_path / "train.h5")
    with pytest.raises(ValueError, match=r"test\.h5: test images are \(4, 4, 3\) but train images .* are \(8, 8, 3\)"):
        load_dataset(train, make_h5(tmp_path / "test.h5", split="test", shape=(4, 4, 3)))
    with pytest.raises(ValueError, match=r"classes \['dog', 'cat'\] differ from the train file's \['non-cat', 'cat'\]"):
        load_dataset(train, make_h5(tmp_path / "test2.h5", split="test", classes=(b"dog", b"cat")))
    ds = load_dataset(train, make_h5(tmp_path / "test3.h5", split="test", m=4))
    assert ds.image_shape == (8, 8, 3) and len(ds.test_y) == 4 and not ds.synthetic


def test_resolution_order(tmp_path):
    folder = tmp_path / "real"
    folder.mkdir()
    make_h5(folder / "train_catvnoncat.h5")
    make_h5(folder / "test_catvnoncat.h5", split="test")
    empty = tmp_path / "empty"
    empty.mkdir()
    # Explicit paths first.
    explicit = resolve_dataset(
        folder / "train_catvnoncat.h5", folder / "test_catvnoncat.h5", environ={}, data_dir=empty
    )
    assert explicit.source == "train_catvnoncat.h5 + test_catvnoncat.h5"
    # Then the environment variable.
    assert resolve_dataset(environ={DATA_ENV: str(folder)}, data_dir=empty).image_shape == (8, 8, 3)
    # Then the project's data folder.
    assert resolve_dataset(environ={}, data_dir=folder).image_shape == (8, 8, 3)
    # Else the synthetic set.
    synthetic = resolve_dataset(environ={}, data_dir=empty)
    assert synthetic.synthetic and "synthetic" in synthetic.source
    with pytest.raises(ValueError, match=f"{DATA_ENV}=.*no such folder"):
        resolve_dataset(environ={DATA_ENV: str(tmp_path / "missing")}, data_dir=empty)
    with pytest.raises(ValueError, match="both a train file and a test file"):
        resolve_dataset(folder / "train_catvnoncat.h5", None)


def test_synthetic_set_has_the_real_sets_format():
    ds = synthetic_dataset()
    assert ds.train_x.shape == (209, 64, 64, 3) and ds.test_x.shape == (50, 64, 64, 3)
    assert ds.train_x.dtype == np.uint8 and ds.classes == ("non-cat", "cat")
    assert int(ds.train_y.sum()) == 72


def test_synthetic_set_round_trips_through_the_hdf5_format(tmp_path):
    ds = synthetic_dataset()
    write_h5(tmp_path / "train_catvnoncat.h5", ds.train_x, ds.train_y, ds.classes, "train")
    write_h5(tmp_path / "test_catvnoncat.h5", ds.test_x, ds.test_y, ds.classes, "test")
    back = resolve_dataset(environ={DATA_ENV: str(tmp_path)})
    np.testing.assert_array_equal(back.train_x, ds.train_x)
    assert back.classes == ds.classes


@needs_real_data
def test_real_files_load_from_the_environment_variable():
    ds = resolve_dataset(environ={DATA_ENV: str(REAL_TRAIN.parent)})
    assert ds.train_x.shape == (209, 64, 64, 3) and not ds.synthetic


def test_a_damaged_chunk_is_a_value_error_not_an_os_error():
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        x = np.random.default_rng(0).integers(0, 256, (20, 16, 16, 3), dtype=np.uint8)
        f.create_dataset("train_set_x", data=x, compression="gzip", chunks=(1, 16, 16, 3))
        f.create_dataset("train_set_y", data=np.zeros(20, dtype=np.int64))
    data = bytearray(buffer.getvalue())
    middle = len(data) // 2
    for i in range(middle, middle + 2000):
        data[i] ^= 0x5A
    with pytest.raises(ValueError, match=r"c\.h5: damaged or not a data file; expected"):
        read_h5(bytes(data), "train", name="c.h5")


def test_a_compressed_bomb_is_refused_before_it_is_read():
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_dataset(
            "train_set_x", shape=(200_000, 64, 64, 3), dtype=np.uint8, compression="gzip", chunks=(1, 64, 64, 3)
        )
        f.create_dataset("train_set_y", data=np.zeros(200_000, dtype=np.int64))
    assert len(buffer.getvalue()) < 5_000_000
    with pytest.raises(ValueError, match=r"bomb\.h5: key 'train_set_x' holds 2,457,600,000 pixel values"):
        read_h5(buffer.getvalue(), "train", name="bomb.h5")


def test_tiny_images_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"images of 2×8 pixels; expected sides from 4 to 256"):
        read_h5(make_h5(tmp_path / "tiny.h5", shape=(2, 8, 3)), "train")
