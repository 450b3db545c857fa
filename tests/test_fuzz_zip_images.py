"""Hostile zips and photos: one line each, naming the member; the good photos of a zip still go through."""

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from PIL import Image

from logreg_core.images import load_photo
from logreg_core.limits import BUDGET
from logreg_core.photoset import dataset_from_folder, dataset_from_groups, dataset_from_zip

from hostile import good_members, hostile_zips, png, png_declaring, zip_bytes
from paths import ROOT


@pytest.fixture(scope="module")
def zips():
    return hostile_zips()


@pytest.mark.parametrize(
    "name, words",
    [
        (
            "version needed 9.9",
            "up.zip: damaged or not a zip file (zip file version 9.9); expected",
        ),
        ("too many members", "up.zip: holds 6,000 files; expected at most 5,000"),
        ("300 MB bomb", "up.zip: unpacks to 300 MiB; expected at most 256 MiB"),
        ("three classes", "got 3: 'cat', 'dog', 'non-cat'"),
        ("absolute and parent paths", "exactly 2"),
        ("truncated", "up.zip: damaged or not a zip file"),
        ("not a zip", "up.zip: damaged or not a zip file"),
    ],
)
def test_an_unusable_zip_is_one_value_error_line(zips, name, words):
    with pytest.raises(ValueError) as caught:
        dataset_from_zip(zips[name], name="up.zip", size=16)
    message = str(caught.value)
    assert words in message and "\n" not in message and len(message) < 400


@pytest.mark.parametrize(
    "name, member, words",
    [
        ("corrupt LZMA member", "cat/broken.png", "could not be read (corrupt input data)"),
        ("empty member name", "up.zip", "without a name; skipped"),
        ("60 MB member", "cat/bomb.bmp", "unpacks to 62,914,560 bytes; expected a photo of at most 50 MiB"),
        ("unknown method", "cat/odd.png", "compression method is not supported"),
        ("encrypted member", "cat/locked.png", "encrypted"),
        ("huge declared photo", "cat/huge.png", "3,600,000,000 pixels, limit 25,000,000"),
        ("long odd names", "cat/é é é", "not an image file"),
    ],
)
def test_a_bad_member_is_skipped_with_one_line_naming_it(zips, name, member, words):
    dataset, skipped = dataset_from_zip(zips[name], name="up.zip", size=16)
    assert len(dataset.train_y) + len(dataset.test_y) == 6  # the good photos all went through
    assert len(skipped) == 1
    line = skipped[0]
    assert line.startswith(member) and words in line
    assert line.isprintable() and len(line) <= 300


def test_make_dataset_reads_a_zip_path_like_an_upload(tmp_path, zips):
    path = tmp_path / "photos.zip"
    path.write_bytes(zip_bytes(good_members()))
    dataset, skipped = dataset_from_zip(path, name="photos.zip", size=16)
    assert dataset.classes == ("non-cat", "cat") and skipped == []


def test_a_fifo_in_a_photo_folder_is_not_read(tmp_path):
    for name, data in good_members():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    os.mkfifo(tmp_path / "cat" / "pipe.png")
    dataset, _ = dataset_from_folder(tmp_path, size=16)  # would block forever if the pipe were opened
    assert len(dataset.train_y) + len(dataset.test_y) == 6
    with pytest.raises(ValueError, match="not a regular file"):
        load_photo(tmp_path / "cat" / "pipe.png")


def test_a_photo_set_past_the_pixel_budget_is_refused_before_decoding():
    many = {"cat": [("a.png", b"not even read")] * 400, "non-cat": [("b.png", b"")] * 400}
    with pytest.raises(ValueError, match=r"800 photos of 256×256 make 157,286,400 pixel values; expected at most"):
        dataset_from_groups(many, size=256)
    with pytest.raises(ValueError, match=r"image size must be at most 256; got 4,096"):
        dataset_from_groups(many, size=4096)


@pytest.mark.parametrize("width, height", [(60_000, 60_000), (5001, 5001), (2**31 - 1, 1)])
def test_a_photo_declaring_too_many_pixels_is_refused(width, height):
    with pytest.raises(ValueError) as caught:
        load_photo(png_declaring(width, height), name="big.png")
    assert str(caught.value).startswith("big.png: ") and "expected" in str(caught.value)


def test_long_thin_photos_are_resized_on_load_not_refused_later():
    thin = io.BytesIO()
    Image.new("RGB", (6000, 4), (10, 200, 10)).save(thin, "PNG")
    image = load_photo(thin.getvalue(), size=64)
    assert image.shape == (64, 64, 3) and int(image[..., 1].mean()) > 150


def test_a_photo_at_the_top_of_the_budget_stays_within_memory_and_time():
    """In a child process: decode a 5000×5000 JPEG (25 M pixels) and report the peak RSS."""
    side = int(BUDGET.max_photo_pixels**0.5)
    script = textwrap.dedent(f"""
        import io, resource, time
        import numpy as np
        from PIL import Image
        from logreg_core.images import load_photo
        buffer = io.BytesIO()
        Image.fromarray(np.full(({side}, {side}, 3), 90, np.uint8)).save(buffer, "PNG")
        data = buffer.getvalue()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        image = load_photo(data, size=64)
        print(image.shape, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-1000:]
    shape, _, peak_kib = result.stdout.rsplit(" ", 2)
    assert shape.strip() == "(64, 64, 3)"
    assert int(peak_kib) < 1_000_000  # KiB: the whole child stays under 1 GB


MUTATE = textwrap.dedent("""
    import io, sys, time, zipfile
    import numpy as np
    from PIL import Image
    from logreg_core.images import load_photo
    from logreg_core.photoset import dataset_from_zip

    rng = np.random.default_rng(11)
    photos = []
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"):
        buffer = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)).save(buffer, fmt)
        photos.append(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for i, data in enumerate(photos * 2):
            z.writestr(("cat/" if i % 2 else "non-cat/") + f"{i}.img", data)
    archive = buffer.getvalue()
    start, count = time.monotonic(), 0
    for i in range(int(sys.argv[1])):
        if time.monotonic() - start > float(sys.argv[2]):
            break
        source = bytearray(archive if i % 3 == 0 else photos[i % len(photos)])
        for _ in range(int(rng.integers(1, 6))):
            source[int(rng.integers(0, len(source)))] ^= int(rng.integers(1, 256))
        try:
            if i % 3 == 0:
                _, skipped = dataset_from_zip(bytes(source), name="m.zip", size=8)
                assert all("\\n" not in line for line in skipped)
            else:
                load_photo(bytes(source), name="m.png", size=8)
        except ValueError as exc:
            assert "\\n" not in str(exc)
        count += 1
    print(count)
""")


def test_random_byte_flips_in_photos_and_zips_only_ever_give_value_error():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", MUTATE, "600", "6"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert int(result.stdout) > 20


def test_the_good_zip_still_loads(zips):
    dataset, skipped = dataset_from_zip(zip_bytes(good_members()), size=16)
    assert skipped == [] and np.all(dataset.train_x[dataset.train_y == 1][..., 0] > 150)
    assert png()[:4] == b"\x89PNG"


def test_the_isolated_builders_match_the_direct_ones(zips):
    from logreg_core.isolated import dataset_from_groups_isolated, dataset_from_zip_isolated

    data = zips["corrupt LZMA member"]
    direct, skipped = dataset_from_zip(data, name="up.zip", size=16)
    isolated, skipped_isolated = dataset_from_zip_isolated(data, name="up.zip", size=16)
    np.testing.assert_array_equal(direct.train_x, isolated.train_x)
    assert skipped == skipped_isolated and isolated.classes == ("non-cat", "cat") and isolated.source == "up.zip"
    groups = {"non-cat": [("o.png", png((30, 30, 220)))] * 3, "cat": [("c.png", png())] * 3 + [("x.png", b"no")]}
    direct, skipped = dataset_from_groups(groups, size=8, source="mine")
    isolated, skipped_isolated = dataset_from_groups_isolated(groups, size=8, source="mine")
    np.testing.assert_array_equal(direct.test_x, isolated.test_x)
    assert skipped == skipped_isolated and len(skipped) == 1
    with pytest.raises(ValueError, match=r"^up\.zip: holds 6,000 files"):
        dataset_from_zip_isolated(zips["too many members"], name="up.zip")
    with pytest.raises(ValueError, match=r"^up\.zip: damaged or not a data file \(the reader took more than"):
        dataset_from_zip_isolated(data, name="up.zip", timeout=0.05)


def test_a_photo_decoded_in_a_forked_child_matches_the_direct_decoder():
    from logreg_core.isolated import load_photo_isolated

    buffer = io.BytesIO()
    Image.fromarray(np.arange(30 * 40 * 3, dtype=np.uint8).reshape(30, 40, 3)).save(buffer, "PNG")
    data = buffer.getvalue()  # a gradient: the resize has something to get wrong
    np.testing.assert_array_equal(load_photo_isolated(data, "a.png", 16), load_photo(data, name="a.png", size=16))
    assert load_photo_isolated(data, "a.png", (8, 12)).shape == (8, 12, 3)
    with pytest.raises(ValueError, match=r"^b\.png: .*expected") as refused:
        load_photo_isolated(b"not an image", "b.png")
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("target", "timeout", "words"),
    [
        ((signal.raise_signal, signal.SIGSEGV), 10.0, "crashed or gave no answer"),  # a decoder that crashes
        ((time.sleep, 30), 0.5, "took more than 0.5 s"),  # one that hangs
        ((bytearray, 2 << 30), 10.0, "needed more than 1.5 GiB of memory"),  # one past the memory limit
    ],
    ids=["crash", "hang", "memory"],
)
def test_a_crashing_hanging_or_greedy_decoder_ends_only_its_child(target, timeout, words):
    from logreg_core.isolated import call_forked

    function, *args = target
    with pytest.raises(ValueError) as stopped:
        call_forked(function, tuple(args), "x.jpg", timeout, BUDGET.upload_memory_bytes)
    assert str(stopped.value).startswith("x.jpg: damaged or not an image (the decoder ") and words in str(stopped.value)
    assert "\n" not in str(stopped.value)
    assert call_forked(len, (b"abc",), "x.jpg", 10.0, BUDGET.upload_memory_bytes) == 3  # the next child is fine


def test_a_decoder_answer_of_the_wrong_shape_is_refused(monkeypatch):
    from logreg_core import isolated

    monkeypatch.setattr(isolated, "call_forked", lambda *args, **kwargs: np.zeros((64, 64), np.uint8))
    with pytest.raises(ValueError, match=r"^y\.png: damaged or not an image \(the decoder gave an array of shape"):
        isolated.load_photo_isolated(b"...", "y.png")
