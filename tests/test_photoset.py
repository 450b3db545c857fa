"""Data sets from photos: groups, folders, zips; bad photos skipped, the rest kept."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from logreg_core.photoset import dataset_from_folder, dataset_from_groups, dataset_from_zip, order_classes


def png(colour, size=(50, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


RED, BLUE = (220, 30, 30), (30, 30, 220)


def groups(n_cat=5, n_other=4):
    return {
        "non-cat": [(f"o{i}.png", png(BLUE)) for i in range(n_other)],
        "cat": [(f"c{i}.png", png(RED)) for i in range(n_cat)],
    }


def test_groups_make_a_stratified_labelled_split():
    ds, skipped = dataset_from_groups(groups(), test_fraction=0.25, size=16)
    assert skipped == []
    assert ds.classes == ("non-cat", "cat") and ds.image_shape == (16, 16, 3)
    assert len(ds.train_y) + len(ds.test_y) == 9
    assert set(ds.test_y.tolist()) == {0, 1}  # each class in the test set
    for x, y in ((ds.train_x, ds.train_y), (ds.test_x, ds.test_y)):
        red = x[..., 0].mean(axis=(1, 2)) > 128
        np.testing.assert_array_equal(red, y == 1)  # labels follow their photos


def test_split_is_seeded():
    a, _ = dataset_from_groups(groups(8, 8), seed=3, size=8)
    b, _ = dataset_from_groups(groups(8, 8), seed=3, size=8)
    np.testing.assert_array_equal(a.train_y, b.train_y)


def test_a_bad_photo_is_skipped_and_the_rest_go_through():
    g = groups()
    g["cat"].append(("broken.jpg", b"\xff\xd8\xff garbage"))
    ds, skipped = dataset_from_groups(g, size=8)
    assert len(skipped) == 1 and skipped[0].startswith("cat/broken.jpg:")
    assert len(ds.train_y) + len(ds.test_y) == 9


@pytest.mark.parametrize(
    "g, match",
    [
        ({"cat": [("a.png", png(RED))] * 3}, "exactly 2 classes; got 1"),
        ({"cat": [], "Cat": []}, "two different, non-empty names"),
        ({"cat": [("a.png", png(RED))], "dog": [("b.png", png(BLUE))] * 3}, "class 'cat': 1 readable photo"),
    ],
)
def test_unusable_groups(g, match):
    with pytest.raises(ValueError, match=match):
        dataset_from_groups(g)


def test_class_order():
    assert order_classes(["cat", "non-cat"]) == ("non-cat", "cat")
    assert order_classes(["not_dog", "dog"]) == ("not_dog", "dog")
    assert order_classes(["dog", "cat"]) == ("cat", "dog")


def test_folder(tmp_path):
    root = tmp_path / "photos"
    for cls, colour in (("cat", RED), ("non-cat", BLUE)):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            (root / cls / f"{i}.png").write_bytes(png(colour))
    (root / "cat" / "notes.txt").write_text("not a photo")
    (root / ".DS_Store").write_bytes(b"\0")
    ds, skipped = dataset_from_folder(root, size=8)
    assert ds.classes == ("non-cat", "cat")
    assert len(skipped) == 1 and "notes.txt" in skipped[0]
    with pytest.raises(ValueError, match="no such folder"):
        dataset_from_folder(tmp_path / "missing")
    (root / "dog").mkdir()
    (root / "dog" / "d.png").write_bytes(png(BLUE))
    with pytest.raises(ValueError, match="exactly 2.*got 3"):
        dataset_from_folder(root)


def make_zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_zip_with_a_wrapping_folder_and_junk():
    files = {f"set/cat/{i}.png": png(RED) for i in range(3)}
    files.update({f"set/non-cat/{i}.png": png(BLUE) for i in range(3)})
    files["__MACOSX/set/cat/._0.png"] = b"junk"
    files["set/readme.png"] = png(RED)
    ds, skipped = dataset_from_zip(make_zip(files), name="cats.zip", size=8)
    assert ds.source == "cats.zip" and ds.classes == ("non-cat", "cat")
    assert len(ds.train_y) + len(ds.test_y) == 6
    assert skipped == ["cats.zip/readme.png: not inside a class folder; skipped"]


def test_bad_zips():
    with pytest.raises(ValueError, match="x.zip: damaged or not a zip file"):
        dataset_from_zip(b"PK nonsense", name="x.zip")
    with pytest.raises(ValueError, match="exactly 2"):
        dataset_from_zip(make_zip({"a/1.png": png(RED)}), name="x.zip")
