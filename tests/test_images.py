"""Tests for logreg_core.images: every input is built in memory with Pillow."""

from __future__ import annotations

import functools
import io
import math
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile, features

from logreg_core import images as images_module
from logreg_core.images import load_photo, photo_to_png_bytes

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def encode(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def assert_colour(pixel, expected, tol=12):
    diff = np.abs(np.asarray(pixel, dtype=int) - np.asarray(expected, dtype=int))
    assert diff.max() <= tol, f"pixel {tuple(pixel)} is not close to {expected}"


def assert_all_colour(image, expected, tol=12):
    diff = np.abs(image.astype(int) - np.asarray(expected, dtype=int))
    assert diff.max() <= tol, f"max deviation {diff.max()} from {expected}"


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


@functools.cache
def handmade_png(width: int, height: int, *, valid_data: bool = True) -> bytes:
    """A 1-bit greyscale PNG whose IHDR claims ``width x height``.

    With ``valid_data`` the IDAT holds correctly compressed all-black rows,
    streamed in chunks so the uncompressed data is never held in memory.
    The file stays small (tens of KB) whatever the dimensions.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    if valid_data:
        row = 1 + (width + 7) // 8  # filter byte + packed bits
        total = row * height
        compressor = zlib.compressobj(9)
        block = bytes(1 << 20)
        parts = []
        while total > 0:
            n = min(total, len(block))
            parts.append(compressor.compress(block[:n]))
            total -= n
        parts.append(compressor.flush())
        idat = b"".join(parts)
    else:
        idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


@functools.cache
def photo_bytes(fmt: str) -> bytes:
    """A 1000x800 photo-like image encoded as ``fmt`` (cached)."""
    return encode(photo_like(1000, 800), fmt)


def quadrant_image(size: int = 96) -> Image.Image:
    """Blue image with a red top-left quadrant."""
    im = Image.new("RGB", (size, size), BLUE)
    im.paste(RED, (0, 0, size // 2, size // 2))
    return im


@functools.cache
def photo_like(width: int = 1000, height: int = 800) -> Image.Image:
    """Gradient plus mild noise; cached, so treat the result as read-only."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) % 256], axis=-1)
    noisy = base + rng.normal(0, 12, base.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


# ----------------------------------------------------------------------------
# successful loads
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "TIFF", "GIF"])
def test_rgb_output_shape_dtype_and_colour(fmt):
    data = encode(Image.new("RGB", (50, 30), GREEN), fmt)
    out = load_photo(data, name=f"x.{fmt.lower()}")
    assert out.shape == (64, 64, 3)
    assert out.dtype == np.uint8
    assert out.flags.c_contiguous and out.flags.writeable
    assert_all_colour(out, GREEN)


@pytest.mark.parametrize("size", [1, 8, 64, 100])
def test_size_parameter(size):
    out = load_photo(encode(photo_like(120, 90), "PNG"), size=size)
    assert out.shape == (size, size, 3)
    assert out.dtype == np.uint8


def test_numpy_integer_size_is_accepted():
    assert load_photo(encode(Image.new("RGB", (5, 5)), "PNG"), size=np.int64(16)).shape == (16, 16, 3)


def test_rgba_transparent_region_becomes_white():
    im = Image.new("RGBA", (64, 64), (0, 0, 0, 0))  # transparent *black*
    im.paste((255, 0, 0, 255), (0, 0, 32, 64))  # opaque red left half
    out = load_photo(encode(im, "PNG"), name="rgba.png")
    assert_all_colour(out[:, :28], RED)
    assert_all_colour(out[:, 36:], WHITE)


def test_half_transparent_rgba_is_blended_with_white():
    out = load_photo(encode(Image.new("RGBA", (8, 8), (0, 0, 0, 128)), "PNG"))
    assert_all_colour(out, (127, 127, 127), tol=2)


def test_la_transparent_region_becomes_white():
    im = Image.new("LA", (64, 64), (0, 0))
    im.paste((0, 255), (0, 0, 32, 64))  # opaque black left half
    out = load_photo(encode(im, "PNG"))
    assert_all_colour(out[:, :28], (0, 0, 0))
    assert_all_colour(out[:, 36:], WHITE)


def test_palette_with_transparency_becomes_white():
    im = Image.new("P", (64, 64), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * (256 * 3 - 6))
    im.paste(1, (0, 0, 32, 64))  # index 1 = red on the left
    data = encode(im, "PNG", transparency=0)  # index 0 (black) is transparent
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "P" and "transparency" in check.info
    out = load_photo(data)
    assert_all_colour(out[:, :28], RED)
    assert_all_colour(out[:, 36:], WHITE)


def test_gif_with_transparency_becomes_white():
    im = Image.new("P", (16, 16), 0)
    im.putpalette([0, 0, 0] * 256)
    out = load_photo(encode(im, "GIF", transparency=0))
    assert_all_colour(out, WHITE)


def test_rgb_png_with_trns_colour_becomes_white():
    im = Image.new("RGB", (16, 16), (10, 20, 30))
    out = load_photo(encode(im, "PNG", transparency=(10, 20, 30)))
    assert_all_colour(out, WHITE)


def test_one_bit_image():
    im = Image.new("1", (64, 64), 0)
    im.paste(1, (0, 0, 32, 64))
    out = load_photo(encode(im, "PNG"))
    assert_all_colour(out[:, :28], WHITE)
    assert_all_colour(out[:, 36:], (0, 0, 0))


def test_greyscale_l_image():
    out = load_photo(encode(Image.new("L", (40, 40), 100), "PNG"))
    assert_all_colour(out, (100, 100, 100), tol=1)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_grey_is_scaled_not_clipped(fmt):
    im = Image.new("I;16", (32, 32), 32768)  # mid-grey in 16 bits
    im.paste(65535, (0, 0, 16, 32))
    im.paste(0, (16, 0, 24, 32))
    data = encode(im, fmt)
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode.startswith("I;16")
    out = load_photo(data, size=32)
    assert_all_colour(out[:, :14], WHITE, tol=1)
    assert_all_colour(out[:, 17:23], (0, 0, 0), tol=1)
    assert_all_colour(out[:, 26:], (128, 128, 128), tol=1)  # not 255 (clipped)


def test_32_bit_integer_image_in_16_bit_range():
    im = Image.new("I", (16, 16), 32768)
    data = encode(im, "TIFF")
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "I"
    assert_all_colour(load_photo(data), (128, 128, 128), tol=1)


def test_32_bit_integer_image_in_8_bit_range_is_kept():
    assert_all_colour(load_photo(encode(Image.new("I", (16, 16), 200), "TIFF")), (200,) * 3, tol=0)


def test_float_image_in_unit_range():
    data = encode(Image.new("F", (16, 16), 0.5), "TIFF")
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "F"
    assert_all_colour(load_photo(data), (128, 128, 128), tol=1)


def test_float_image_with_negative_values_is_stretched():
    arr = np.zeros((16, 16), dtype=np.float32)
    arr[:, :8] = -3.0
    arr[:, 8:] = 5.0
    out = load_photo(encode(Image.fromarray(arr), "TIFF"), size=16)
    assert_all_colour(out[:, :6], (0, 0, 0), tol=1)
    assert_all_colour(out[:, 10:], WHITE, tol=1)


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk(fmt):
    data = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), fmt)  # red in CMYK
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "CMYK"
    assert_all_colour(load_photo(data), RED, tol=20)


def test_ycbcr_and_lab_tiff():
    ycc = Image.new("RGB", (16, 16), BLUE).convert("YCbCr")
    assert_all_colour(load_photo(encode(ycc, "TIFF")), BLUE, tol=6)
    lab = Image.new("LAB", (16, 16), (128, 128, 128))  # L=50 %, neutral
    out = load_photo(encode(lab, "TIFF"))
    assert out.shape == (64, 64, 3)
    assert np.ptp(out[0, 0].astype(int)) <= 2  # neutral grey


@pytest.mark.parametrize(
    "mode, value, expected",
    [
        ("PA", (1, 0), WHITE),  # fully transparent
        ("PA", (1, 255), RED),
        ("RGBa", (0, 0, 0, 0), WHITE),
        ("RGBa", (128, 0, 0, 128), (255, 127, 127)),  # premultiplied half red
        ("La", (0, 0), WHITE),
        ("La", (0, 255), (0, 0, 0)),
        ("HSV", (0, 255, 255), RED),
        ("RGBX", (0, 255, 0, 0), GREEN),
        ("I;16B", 65535, WHITE),
    ],
)
def test_modes_that_no_file_format_stores(mode, value, expected):
    # These modes cannot be written by Pillow, so the converter is tested directly.
    im = Image.new(mode, (4, 4), value)
    if mode == "PA":
        im.putpalette([0, 0, 0, 255, 0, 0] + [0] * (256 * 3 - 6))
    rgb = images_module._to_rgb(im)
    assert rgb.mode == "RGB"
    assert_all_colour(np.asarray(rgb), expected, tol=2)


def test_exif_orientation_6_is_applied():
    im = quadrant_image()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs 90 degrees clockwise
    rotated = load_photo(encode(im, "JPEG", exif=exif, quality=95), name="phone.jpg")
    plain = load_photo(encode(im, "JPEG", quality=95))
    # without EXIF the red marker stays top-left ...
    assert_colour(plain[16, 16], RED, tol=30)
    assert_colour(plain[16, 48], BLUE, tol=30)
    # ... with orientation 6 it moves to the top-right
    assert_colour(rotated[16, 48], RED, tol=30)
    assert_colour(rotated[16, 16], BLUE, tol=30)
    assert_colour(rotated[48, 16], BLUE, tol=30)
    assert_colour(rotated[48, 48], BLUE, tol=30)


def test_exif_orientation_with_non_square_photo():
    # 120x60 stored; orientation 8 (90 degrees counter-clockwise): left band -> bottom
    im = Image.new("RGB", (120, 60), GREEN)
    im.paste(RED, (0, 0, 30, 60))
    exif = Image.Exif()
    exif[0x0112] = 8
    out = load_photo(encode(im, "PNG", exif=exif))
    # displayed image is 60 wide, 120 tall; centre crop keeps rows 30..90 of it
    # the red band (displayed rows 90..120) is cropped away
    assert_all_colour(out, GREEN, tol=3)
    exif[0x0112] = 6  # clockwise: left band -> top, also cropped away
    assert_all_colour(load_photo(encode(im, "PNG", exif=exif)), GREEN, tol=3)


def test_animated_gif_uses_first_frame():
    frames = [Image.new("RGB", (32, 32), c) for c in (RED, GREEN, BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    with Image.open(io.BytesIO(data)) as check:
        assert check.n_frames == 3
    assert_all_colour(load_photo(data, name="anim.gif"), RED, tol=2)


def test_animated_png_uses_first_frame():
    frames = [Image.new("RGB", (32, 32), c) for c in (GREEN, RED, BLUE)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    with Image.open(io.BytesIO(data)) as check:
        assert check.n_frames == 3
    assert_all_colour(load_photo(data), GREEN, tol=0)


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_animated_webp_uses_first_frame():
    frames = [Image.new("RGB", (32, 32), c) for c in (BLUE, RED, GREEN)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert_all_colour(load_photo(data), BLUE, tol=2)


def test_landscape_is_centre_cropped():
    arr = np.zeros((100, 300, 3), np.uint8)
    arr[:, :100], arr[:, 100:200], arr[:, 200:] = RED, GREEN, BLUE
    out = load_photo(photo_to_png_bytes(arr))
    assert_all_colour(out, GREEN, tol=0)  # no red/blue bleeding at the edges


def test_portrait_is_centre_cropped():
    arr = np.zeros((300, 100, 3), np.uint8)
    arr[:100], arr[100:200], arr[200:] = RED, GREEN, BLUE
    assert_all_colour(load_photo(photo_to_png_bytes(arr)), GREEN, tol=0)


def test_small_image_is_upscaled():
    out = load_photo(encode(Image.new("RGB", (1, 1), BLUE), "PNG"))
    assert out.shape == (64, 64, 3)
    assert_all_colour(out, BLUE, tol=0)


def test_large_jpeg_uses_draft_and_keeps_content():
    im = Image.new("RGB", (2000, 1600), (30, 160, 200))
    im.paste(RED, (200, 0, 1000, 1600))  # left half of the central square is red
    out = load_photo(encode(im, "JPEG", quality=90))
    assert_colour(out[32, 10], RED, tol=30)
    assert not np.allclose(out[32, 54], RED, atol=30)


# ----------------------------------------------------------------------------
# sources and names
# ----------------------------------------------------------------------------


def test_sources_bytes_bytearray_memoryview_filelike_and_paths(tmp_path):
    data = encode(Image.new("RGB", (20, 20), RED), "PNG")
    path = tmp_path / "red.png"
    path.write_bytes(data)
    stream = io.BytesIO(data)
    stream.read()  # already consumed, like a re-run Streamlit upload
    for source in (data, bytearray(data), memoryview(data), stream, path, str(path)):
        assert_all_colour(load_photo(source), RED, tol=0)
    with open(path, "rb") as fh:
        assert_all_colour(load_photo(fh), RED, tol=0)


def test_unseekable_stream_is_read_from_its_position():
    data = encode(Image.new("RGB", (8, 8), GREEN), "PNG")

    class Pipe:
        def __init__(self, payload):
            self._buffer = io.BytesIO(payload)

        def read(self, n=-1):
            return self._buffer.read(n)

    assert_all_colour(load_photo(Pipe(data)), GREEN, tol=0)


def test_path_source_leaves_no_open_file(tmp_path):
    import gc

    good = tmp_path / "ok.png"
    good.write_bytes(encode(Image.new("RGB", (8, 8)), "PNG"))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"junk")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        load_photo(good)
        with pytest.raises(ValueError):
            load_photo(broken)
        gc.collect()
    # Also look for leaked descriptors directly (Linux /proc), not only via GC warnings.
    import os

    fd_dir = "/proc/self/fd"
    if os.path.isdir(fd_dir):
        targets = {os.path.realpath(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)}
        assert str(good) not in targets and str(broken) not in targets


def test_name_defaults(tmp_path):
    with pytest.raises(ValueError, match=r"^upload: "):
        load_photo(b"")
    with pytest.raises(ValueError, match=r"^given\.png: "):
        load_photo(b"", name="given.png")
    path = tmp_path / "sub" / "holiday.jpg"
    with pytest.raises(ValueError, match=r"^holiday\.jpg: no such file"):
        load_photo(path)
    stream = io.BytesIO(b"")
    stream.name = "/some/dir/cam.png"  # like Streamlit's UploadedFile.name
    with pytest.raises(ValueError, match=r"^cam\.png: the file is empty"):
        load_photo(stream)


def test_name_with_newline_stays_one_line():
    with pytest.raises(ValueError) as info:
        load_photo(b"", name="evil\nname.png")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("evil name.png: ")


# ----------------------------------------------------------------------------
# refusals
# ----------------------------------------------------------------------------


def refusal(source, **kwargs) -> str:
    """Return the refusal message and check it is a single line."""
    with pytest.raises(ValueError) as info:
        load_photo(source, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    assert "; expected" in message or ("must be" in message and "; got" in message)
    return message


def test_empty_file():
    msg = refusal(b"", name="cat.png")
    assert msg.startswith("cat.png: the file is empty (0 bytes); expected")


def test_empty_file_on_disk(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    assert refusal(tmp_path / "empty.png").startswith("empty.png: the file is empty")


def test_random_text_is_not_an_image():
    with pytest.raises(ValueError, match=r"^notes\.png: not an image file"):
        load_photo(b"hello, this is definitely not a picture\n" * 20, name="notes.png")
    assert "BytesIO" not in refusal(b"plain text", name="t.png")


def test_random_bytes_are_not_an_image():
    noise = np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert refusal(noise, name="noise.bin").startswith("noise.bin: not an image file")


@pytest.mark.parametrize(
    "data, words",
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(64), "PDF"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ],
)
def test_known_unsupported_formats_get_a_hint(data, words):
    assert words in refusal(data, name="x")


def test_eps_is_refused_without_running_ghostscript():
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\n%%EOF\n"
    msg = refusal(eps, name="logo.eps")
    assert msg.startswith("logo.eps: ")
    assert "EPS" in msg or "not an image" in msg


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image(fmt):
    data = encode(photo_like(200, 150), fmt)
    msg = refusal(data[: len(data) // 2], name=f"cut.{fmt.lower()}")
    assert msg.startswith(f"cut.{fmt.lower()}: the image file is truncated")


def test_truncated_large_jpeg_with_draft():
    data = photo_bytes("JPEG")
    assert "truncated" in refusal(data[: len(data) // 2], name="big.jpg")


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_truncated_other_formats(fmt):
    if fmt == "WEBP" and not features.check("webp"):
        pytest.skip("no WebP")
    data = encode(photo_like(120, 90), fmt)
    msg = refusal(data[: len(data) // 2], name="x")
    assert msg.startswith("x: ")


def test_corrupt_png_crc():
    data = bytearray(encode(photo_like(40, 30), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # corrupt compressed data -> CRC / zlib error
    assert refusal(bytes(data), name="bad.png").startswith("bad.png: ")


def test_zero_width_png_is_refused():
    assert refusal(handmade_png(0, 10, valid_data=False), name="zero.png").startswith("zero.png: ")


def test_zero_size_image_message(monkeypatch):
    # Pillow itself refuses zero-sized files when identifying them, so the
    # module's own check is exercised with a stand-in for Image.open.
    real_open = Image.open

    def fake_open(fp, *args, **kwargs):
        im = real_open(fp, *args, **kwargs)
        im._size = (0, 7)
        return im

    monkeypatch.setattr(images_module.Image, "open", fake_open)
    msg = refusal(encode(Image.new("RGB", (3, 7)), "PNG"), name="flat.png")
    assert msg.startswith("flat.png: the image has zero width or height (0x7)")


def bomb_side(factor: float) -> int:
    return math.isqrt(int(Image.MAX_IMAGE_PIXELS * factor)) + 1


def test_bomb_thresholds_are_pillow_defaults():
    # The module must not loosen Pillow's guard.
    assert Image.MAX_IMAGE_PIXELS == 89_478_485
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_decompression_bomb_error_range():
    side = bomb_side(2.5)  # > 2 x MAX_IMAGE_PIXELS: Pillow raises DecompressionBombError
    data = handmade_png(side, side, valid_data=False)  # refused before any data is read
    assert len(data) < 200_000
    msg = refusal(data, name="bomb.png")
    assert msg.startswith("bomb.png: the image is too large to load safely")
    assert "downscale" in msg


def test_decompression_bomb_warning_range_is_refused_not_loaded():
    side = bomb_side(1.1)  # between MAX and 2 x MAX: Pillow only warns
    assert Image.MAX_IMAGE_PIXELS < side * side <= 2 * Image.MAX_IMAGE_PIXELS
    data = handmade_png(side, side, valid_data=False)  # refused before any pixel data is read
    msg = refusal(data, name="wide.png")
    assert msg.startswith("wide.png: the image is too large to load safely")
    assert f"{side * side:,} pixels" in msg


def test_decompression_bomb_refused_even_if_warnings_are_ignored():
    data = handmade_png(bomb_side(1.1), bomb_side(1.1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"^w\.png: the image is too large"):
            load_photo(data, name="w.png")


def test_just_below_the_limit_is_not_called_a_bomb():
    # Decoding is not done here (too slow); a refusal for another reason
    # (the IDAT has too little data) proves the bomb guard let it through.
    side = math.isqrt(Image.MAX_IMAGE_PIXELS) - 1
    msg = refusal(handmade_png(side, 1, valid_data=False), name="ok.png")
    assert "too large" not in msg


def test_missing_path(tmp_path):
    msg = refusal(tmp_path / "nope.png")
    assert msg.startswith("nope.png: no such file ")
    assert "expected the path of an existing image file" in msg


def test_missing_str_path():
    assert refusal("/definitely/not/here/cat.jpg").startswith("cat.jpg: no such file")


def test_path_to_directory(tmp_path):
    msg = refusal(tmp_path, name="folder")
    assert msg.startswith("folder: ") and "is a directory" in msg


@pytest.mark.parametrize("source", [123, 4.5, None, ["a.png"], {"x": 1}, object()])
def test_bad_source_type(source):
    msg = refusal(source, name="thing")
    assert msg.startswith("thing: unsupported source type")
    assert "bytes, bytearray, a path (str or os.PathLike) or a binary file-like object" in msg


def test_text_mode_file_object(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello")
    with open(path, encoding="utf-8") as fh:
        assert "text mode" in refusal(fh)


def test_file_object_whose_read_fails():
    class Broken:
        name = "broken.png"

        def read(self, n=-1):
            raise OSError("device went away")

    msg = refusal(Broken())
    assert msg.startswith("broken.png: could not read the file object (device went away)")


@pytest.mark.parametrize("size", [0, -3, 1.5, "64", True, None, 10**6])
def test_invalid_size(size):
    msg = refusal(encode(Image.new("RGB", (4, 4)), "PNG"), name="s.png", size=size)
    assert msg.startswith("s.png: size must be")


def test_too_large_file_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(images_module, "MAX_FILE_BYTES", 100)
    msg = refusal(encode(photo_like(64, 64), "PNG"), name="huge.png")
    assert msg.startswith("huge.png: the file is larger than")


def test_unexpected_pillow_exception_is_wrapped(monkeypatch):
    def boom(im):
        raise KeyError("weird internal state")

    monkeypatch.setattr(images_module, "_to_rgb", boom)
    msg = refusal(encode(Image.new("RGB", (4, 4)), "PNG"), name="odd.png")
    assert msg.startswith("odd.png: could not be decoded: KeyError: ")


def test_global_state_untouched():
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    load_photo(encode(Image.new("RGB", (4, 4)), "PNG"))
    with pytest.raises(ValueError):
        load_photo(handmade_png(bomb_side(1.1), bomb_side(1.1)))
    after = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    assert before == after


# ----------------------------------------------------------------------------
# batch helper
# ----------------------------------------------------------------------------


def test_png_round_trip():
    arr = np.random.default_rng(2).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    data = photo_to_png_bytes(arr)
    assert data.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(data)) as im:
        assert im.mode == "RGB" and im.size == (7, 5)
        assert np.array_equal(np.asarray(im), arr)
    # non-contiguous view
    assert photo_to_png_bytes(arr[:, ::2]) != b""


@pytest.mark.parametrize(
    "bad, words",
    [
        ([[1, 2, 3]], "got list"),
        (np.zeros((4, 4), np.uint8), "shape (4, 4)"),
        (np.zeros((4, 4, 4), np.uint8), "shape (4, 4, 4)"),
        (np.zeros((0, 4, 3), np.uint8), "shape (0, 4, 3)"),
        (np.zeros((4, 4, 3), np.float64), "dtype float64"),
    ],
)
def test_png_bytes_refuses_bad_arrays(bad, words):
    with pytest.raises(ValueError) as info:
        photo_to_png_bytes(bad)
    assert words in str(info.value) and "expected" in str(info.value)


def test_height_and_width_crop_to_the_aspect_ratio_first():
    """size=(h, w): centre-cropped to w/h, then resized — a white middle band stays in the middle."""
    image = np.zeros((100, 300, 3), np.uint8)
    image[:, 100:200] = 255
    out = load_photo(photo_to_png_bytes(image), size=(20, 40))
    assert out.shape == (20, 40, 3)
    row = out[10, :, 0]
    assert row[:8].max() < 10 and row[-8:].max() < 10  # outer quarters dark
    assert row[12:28].min() > 245  # middle half white
    with pytest.raises(ValueError, match=r"size must be between 1 and 4096 \(e.g. size=64\); got \(0, 3\)"):
        load_photo(photo_to_png_bytes(image), size=(0, 3))
