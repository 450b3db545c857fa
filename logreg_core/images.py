"""Turn whatever a user uploads into the model's input image.

The logistic-regression lab works on square colour images of
``size x size`` pixels (64 by default), stored as ``uint8`` arrays of shape
``(size, size, 3)``. This module converts an uploaded photo into that form:

* the EXIF orientation is applied, so phone photos are the right way up;
* every Pillow colour mode becomes 8-bit RGB. Transparent pixels are
  composited over white, and 16-bit or float greyscale is rescaled rather
  than clipped;
* animated images (GIF, WebP, APNG) contribute their first frame;
* the photo is centre-cropped to a square and resized with a Lanczos filter.

Anything that cannot be used is refused with a one-line ``ValueError``
that starts with the file name, says what was wrong and says what is
expected, for example::

    cat.png: the image file is truncated; expected a complete image
    file - try downloading or exporting it again

(printed as a single line). The module does not import Streamlit, so the
app can show ``str(error)`` directly and the tests can run without it.

Notes
-----
Pillow's decompression-bomb guard (``PIL.Image.MAX_IMAGE_PIXELS``) is
left unchanged. Images between the limit and twice the limit normally
cause only a ``DecompressionBombWarning`` and are then loaded slowly.
Here that warning is turned into an error inside a local
``warnings.catch_warnings()`` block. ``catch_warnings`` is not
thread-safe, and Streamlit runs each session in its own thread, so the
pixel count is also checked directly after the image is opened. That
second check refuses oversized images whatever the warning filters are.
``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` is not touched either. With its
default value of ``False``, a full ``load()`` detects truncated files.
"""

from __future__ import annotations

import io
import os
import re
import stat
import warnings
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .limits import BUDGET

__all__ = ["EXPECTED_IMAGE", "PHOTO_SUFFIXES", "load_photo", "photo_to_png_bytes"]

#: Largest file accepted, in bytes: a guard for the CLI and photo folders (the dashboard's upload limit is lower).
MAX_FILE_BYTES = BUDGET.max_photo_file_bytes

#: Largest output side accepted for ``size``; prevents accidental huge allocations.
MAX_SIZE = 4096
#: File name endings an upload field offers (what Pillow reads here).
PHOTO_SUFFIXES = ("png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff")

#: The "what is expected" half of every refusal of a photo.
EXPECTED_IMAGE = "expected a PNG, JPEG, GIF, WebP, BMP or TIFF image"
_SOURCE_TYPES = "bytes, bytearray, a path (str or os.PathLike) or a binary file-like object"
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
# Formats that Pillow can identify but should not be decoded from uploads.
# EPS decoding runs the external Ghostscript program.
_REFUSED_FORMATS = {"EPS": "an EPS/PostScript file (decoding it needs Ghostscript)"}


class _Refusal(ValueError):
    """A refusal this module has already worded, so it is not wrapped again."""


# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------


def _one_line(text: Any, limit: int = 160) -> str:
    """Collapse ``text`` into a single line of at most ``limit`` characters."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    if len(line) > limit:
        line = line[: limit - 3].rstrip() + "..."
    return line


def _short_reason(exc: BaseException) -> str:
    """Give a short, single-line reason for an exception raised by Pillow or numpy."""
    text = str(exc)
    # Pillow mentions the in-memory buffer, e.g. "<_io.BytesIO object at 0x...>".
    text = re.sub(r"<[^<>]* object at 0x[0-9a-fA-F]+>", "the data", text)
    text = _one_line(text, 120)
    return text or type(exc).__name__


def _default_name(source: Any, fallback: str = "upload") -> str:
    """Return a label for error messages: a path's file name, a file object's name, or ``fallback``."""
    raw: Any = None
    if isinstance(source, (str, os.PathLike)):
        try:
            raw = os.fspath(source)
        except TypeError:  # a broken os.PathLike
            raw = None
    elif not isinstance(source, (bytes, bytearray, memoryview)):
        # Open files and Streamlit's UploadedFile both have a ``name``.
        raw = getattr(source, "name", None)
    if isinstance(raw, bytes):
        raw = os.fsdecode(raw)
    if isinstance(raw, str) and raw.strip():
        base = os.path.basename(raw.rstrip("/\\")) or raw
        return _one_line(base, 100)
    return fallback


def _check_size(size: Any, name: str) -> tuple[int, int]:
    """Check the requested output size (a side, or (height, width)) and return (height, width)."""
    sides = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
    if len(sides) != 2 or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in sides):
        raise _Refusal(
            f"{name}: size must be an integer or (height, width) between 1 and {MAX_SIZE}; "
            f"got {type(size).__name__} {_one_line(repr(size), 40)}"
        )
    if not all(1 <= d <= MAX_SIZE for d in sides):
        raise _Refusal(f"{name}: size must be between 1 and {MAX_SIZE} (e.g. size=64); got {_one_line(repr(size), 40)}")
    return int(sides[0]), int(sides[1])


def _read_bytes(source: Any, name: str) -> bytes:
    """Get the raw bytes of ``source`` and close anything that was opened.

    Parameters
    ----------
    source : bytes, bytearray, memoryview, str, os.PathLike or binary file-like
        Where the encoded image is.
    name : str
        Label for error messages.

    Returns
    -------
    data : bytes
        The encoded file, at most ``MAX_FILE_BYTES`` long.
    """
    too_big = (
        f"{name}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
        f"expected a photo small enough to upload - shrink or re-export it"
    )
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise _Refusal(too_big)
        return data

    if isinstance(source, (str, os.PathLike)):
        try:
            path = os.fspath(source)
        except TypeError as exc:
            raise _Refusal(
                f"{name}: invalid path object ({_short_reason(exc)}); "
                f"expected a str or os.PathLike path to an image file"
            ) from exc
        shown = _one_line(os.fsdecode(path), 200)
        if isinstance(path, str) and "\x00" in path:
            raise _Refusal(f"{name}: the path contains a NUL character; expected a valid file path")
        if os.path.isdir(path):
            raise _Refusal(f"{name}: {shown!r} is a directory, not a file; expected the path of an image file")
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            regular = True  # missing or unreadable: open() below says which
        if not regular:
            raise _Refusal(
                f"{name}: {shown!r} is not a regular file (a pipe or a device); expected the path of an image file"
            )
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError as exc:
            raise _Refusal(f"{name}: no such file {shown!r}; expected the path of an existing image file") from exc
        except PermissionError as exc:
            raise _Refusal(f"{name}: permission denied reading {shown!r}; expected a readable image file") from exc
        except OSError as exc:
            raise _Refusal(
                f"{name}: could not read {shown!r} ({_short_reason(exc)}); expected a readable image file"
            ) from exc
        if len(data) > MAX_FILE_BYTES:
            raise _Refusal(too_big)
        return data

    read = getattr(source, "read", None)
    if callable(read):
        # Read from the start, as PIL.Image.open does. A Streamlit
        # UploadedFile may already have been read on an earlier rerun.
        seek = getattr(source, "seek", None)
        if callable(seek):
            try:
                seek(0)
            except Exception:  # unseekable stream: read from where it is
                pass
        try:
            data = read(MAX_FILE_BYTES + 1)
        except Exception as exc:
            raise _Refusal(
                f"{name}: could not read the file object ({_short_reason(exc)}); expected a readable binary file object"
            ) from exc
        if isinstance(data, str):
            raise _Refusal(
                f"{name}: the file object was opened in text mode; expected a binary file object (open(path, 'rb'))"
            )
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise _Refusal(
                f"{name}: the file object's read() returned {type(data).__name__}; expected it to return bytes"
            )
        data = bytes(data)
        if len(data) > MAX_FILE_BYTES:
            raise _Refusal(too_big)
        return data

    raise _Refusal(f"{name}: unsupported source type {type(source).__name__}; expected {_SOURCE_TYPES}")


def _sniff_unsupported(data: bytes) -> str | None:
    """Name common non-image or unsupported formats from the first bytes of the file."""
    head = data[:1024]
    if head[4:8] == b"ftyp" and head[8:12] in {
        b"heic",
        b"heix",
        b"hevc",
        b"hevx",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
    }:
        return (
            "is a HEIC/HEIF photo, which this app cannot read; "
            "expected JPEG or PNG - export the photo as JPEG "
            "(on iPhone: Settings > Camera > Formats > Most Compatible)"
        )
    if head.startswith(b"%PDF"):
        return f"is a PDF document, not an image; {EXPECTED_IMAGE}"
    lowered = head.lstrip().lower()
    if lowered.startswith(b"<svg") or (lowered.startswith(b"<?xml") and b"<svg" in lowered):
        return f"is an SVG vector drawing, which cannot be read as pixels; {EXPECTED_IMAGE}"
    return None


# ----------------------------------------------------------------------------
# colour-mode conversion
# ----------------------------------------------------------------------------


def _grey_to_uint8(values: np.ndarray, mode: str) -> np.ndarray:
    """Map a high-bit-depth or float grey image to 8-bit grey.

    Parameters
    ----------
    values : ndarray of shape (h, w)
        Pixel values of a Pillow image in mode ``'I;16*'``, ``'I'`` or ``'F'``.
    mode : str
        The Pillow mode the values came from.

    Returns
    -------
    grey : ndarray of shape (h, w), dtype uint8

    Notes
    -----
    * ``'I;16*'`` data is scaled from the 16-bit range: 65535 becomes 255.
    * ``'F'`` data in [0, 1] is scaled to 0-255. Data already in [0, 255]
      is kept as it is.
    * ``'I'`` data in [0, 255] is kept as it is, and data in [0, 65535] is
      scaled from 16 bits.
    * Anything else, such as negative values, is stretched linearly from
      its minimum to its maximum. NaN becomes 0 and infinities are clipped.
    """
    if mode.startswith("I;16"):
        wide = values.astype(np.uint32)
        return ((wide * 255 + 32767) // 65535).astype(np.uint8)

    data = values.astype(np.float32)
    finite = np.isfinite(data)
    if not finite.all():
        data = np.where(finite, data, 0.0).astype(np.float32)
        data = np.nan_to_num(data)
    if data.size == 0:
        return np.zeros(values.shape, dtype=np.uint8)
    lo, hi = float(data.min()), float(data.max())
    if mode == "F" and lo >= 0.0 and hi <= 1.0:
        data = data * 255.0
    elif lo >= 0.0 and hi <= 255.0:
        pass
    elif mode != "F" and lo >= 0.0 and hi <= 65535.0:
        data = data * (255.0 / 65535.0)
    elif hi > lo:
        data = (data - lo) * (255.0 / (hi - lo))
    return np.clip(np.rint(data), 0, 255).astype(np.uint8)


def _to_rgb(im: Image.Image) -> Image.Image:
    """Convert a Pillow image in any mode to 8-bit ``'RGB'``.

    Parameters
    ----------
    im : PIL.Image.Image
        A loaded image in any Pillow mode.

    Returns
    -------
    rgb : PIL.Image.Image
        Mode ``'RGB'`` and the same size. Transparent areas are
        composited over white.

    Raises
    ------
    ValueError
        If Pillow cannot convert the mode. The caller adds the file name
        to the message.
    """
    mode = im.mode
    if mode == "RGB" and "transparency" not in im.info:
        return im
    if mode == "P" or (mode in ("1", "L", "RGB") and "transparency" in im.info):
        # Palette entries may carry alpha (tRNS / GIF transparency index).
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode == "La":
        # Pillow has no La -> RGBA converter; route through premultiplied RGBa.
        grey, alpha = im.split()
        im = Image.merge("RGBa", (grey, grey, grey, alpha))
        mode = "RGBa"
    if mode in _ALPHA_MODES:
        rgba = im if mode == "RGBA" else im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if mode in ("1", "L"):
        return im.convert("RGB")
    if mode.startswith("I;16") or mode in ("I", "F"):
        levels = _grey_to_uint8(np.asarray(im), mode)
        return Image.fromarray(levels).convert("RGB")
    # CMYK, YCbCr, LAB, HSV, RGBX, ... have built-in converters.
    return im.convert("RGB")


# ----------------------------------------------------------------------------
# decoding
# ----------------------------------------------------------------------------


def _pixel_limit() -> int:
    """Most pixels a photo may decode to: the lab's budget, or Pillow's guard if a caller set it lower."""
    return int(min(BUDGET.max_photo_pixels, Image.MAX_IMAGE_PIXELS or BUDGET.max_photo_pixels))


def _check_pixels(im: Image.Image, name: str) -> None:
    """Refuse images with zero area, or with more pixels than Pillow's limit."""
    width, height = im.size
    if width < 1 or height < 1:
        raise _Refusal(f"{name}: the image has zero width or height ({width}x{height}); expected at least 1x1 pixels")
    limit = _pixel_limit()
    if width * height > limit:
        raise _Refusal(
            f"{name}: the image is too large to load safely "
            f"({width}x{height} = {width * height:,} pixels, limit {int(limit):,}); "
            f"expected a photo of at most {int(limit):,} pixels - downscale it first"
        )


def _decode(data: bytes, name: str, size: tuple[int, int]) -> np.ndarray:
    """Decode encoded image bytes into a ``(height, width, 3)`` uint8 array.

    Parameters
    ----------
    data : bytes
        The encoded file (not empty).
    name : str
        Label for error messages.
    size : tuple of int
        (height, width) of the output.

    Returns
    -------
    image : ndarray of shape (height, width, 3), dtype uint8
    """
    out_h, out_w = size
    try:
        with warnings.catch_warnings():
            # Pillow warns about harmless oddities (e.g. corrupt EXIF); those
            # photos are still usable, so the warnings are ignored here. A
            # DecompressionBombWarning, however, becomes an error.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                _check_pixels(im, name)
                if im.format in _REFUSED_FORMATS:
                    raise _Refusal(f"{name}: is {_REFUSED_FORMATS[im.format]}; {EXPECTED_IMAGE}")
                im.seek(0)  # animated GIF / WebP / APNG: use the first frame
                if im.format in ("JPEG", "MPO"):
                    # Let libjpeg decode at 1/2, 1/4 or 1/8 scale where the
                    # result is still at least twice the output size.
                    im.draft(None, (2 * max(size), 2 * max(size)))
                im.load()  # full decode, so truncated files are detected now
                try:
                    # In place: avoids copying a large photo that needs no rotation.
                    ImageOps.exif_transpose(im, in_place=True)
                except Exception:  # unreadable EXIF: the photo is still usable
                    pass
                rgb = _to_rgb(im)
                width, height = rgb.size
                # Centre crop to the target's aspect ratio (a square by default).
                keep_w = min(width, max(1, round(height * out_w / out_h)))
                keep_h = min(height, max(1, round(width * out_h / out_w)))
                if (keep_w, keep_h) != (width, height):
                    # Crop first rather than resize(box=...): with a box, the
                    # Lanczos kernel still samples pixels just outside it.
                    left, top = (width - keep_w) // 2, (height - keep_h) // 2
                    rgb = rgb.crop((left, top, left + keep_w, top + keep_h))
                # reducing_gap: cheap integer reduce() first, then Lanczos.
                small = rgb.resize((out_w, out_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
                out = np.array(small, dtype=np.uint8)
    except _Refusal:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        match = re.search(r"\((\d+) pixels\)", str(exc))
        found = f"{int(match.group(1)):,} pixels" if match else _short_reason(exc)
        limit = _pixel_limit()
        found = f"{found}, limit {limit:,}"
        bound = f"at most {limit:,} pixels"
        raise _Refusal(
            f"{name}: the image is too large to load safely ({found}); expected a photo of {bound} - downscale it first"
        ) from exc
    except UnidentifiedImageError as exc:
        hint = _sniff_unsupported(data)
        if hint is not None:
            raise _Refusal(f"{name}: {hint}") from exc
        raise _Refusal(f"{name}: not an image file, or a format this app cannot read; {EXPECTED_IMAGE}") from exc
    except MemoryError as exc:
        raise _Refusal(
            f"{name}: not enough memory to decode this image; expected a smaller photo - downscale it first"
        ) from exc
    except (OSError, SyntaxError, EOFError) as exc:
        reason = _short_reason(exc)
        if isinstance(exc, EOFError) or "truncated" in reason.lower():
            # Pillow says e.g. "image file is truncated (30 bytes not processed)".
            detail = re.sub(r"(?i)^image file is truncated\s*", "", reason).strip()
            if detail and not detail.startswith("("):
                detail = f"({detail})"
            raise _Refusal(
                f"{name}: the image file is truncated{' ' + detail if detail else ''}; "
                f"expected a complete image file - try downloading or exporting it again"
            ) from exc
        raise _Refusal(
            f"{name}: could not be decoded: {reason} (the file may be truncated or corrupt); {EXPECTED_IMAGE}"
        ) from exc
    except Exception as exc:  # anything else Pillow/numpy may raise on bad data
        raise _Refusal(
            f"{name}: could not be decoded: {type(exc).__name__}: {_short_reason(exc)}; {EXPECTED_IMAGE}"
        ) from exc

    if out.shape != (out_h, out_w, 3):  # defensive; _to_rgb always yields RGB
        raise _Refusal(f"{name}: could not be converted to RGB (got array shape {out.shape}); {EXPECTED_IMAGE}")
    return out


# ----------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------


def load_photo(source: Any, name: str | None = None, size: int | tuple[int, int] = 64) -> np.ndarray:
    """Load an uploaded photo as an RGB array for the model.

    Parameters
    ----------
    source : bytes, bytearray, a path (str or os.PathLike), or a binary file-like object
        The encoded image file. A file-like object (for example a Streamlit
        ``UploadedFile``) is read from its start when it is seekable.
    name : str, optional
        Label used in error messages. Defaults to the path's file name, the
        file object's ``name`` attribute, or ``'upload'``.
    size : int or tuple of int (height, width), default 64
        Side length of a square output, or its height and width, each from 1
        to ``MAX_SIZE``.

    Returns
    -------
    image : ndarray of shape (size, size, 3) or (height, width, 3), dtype uint8
        The first frame, turned upright using its EXIF orientation and
        converted to RGB with transparency over white. It is centre-cropped
        to the output's aspect ratio and resized with a Lanczos filter.

    Raises
    ------
    ValueError
        With a one-line message ``"<name>: <what was wrong>; <what is
        expected>"``. It is raised for an invalid ``size``, an unsupported
        source type, a missing path or a directory, and an empty or
        oversized file. It is also raised for data that is not an image or
        is in an unsupported format (HEIC, SVG, PDF, EPS), for a truncated
        or corrupt image, and for a decompression bomb (more than
        ``PIL.Image.MAX_IMAGE_PIXELS`` pixels). No other exception type is
        raised for bad input.

    Examples
    --------
    >>> from logreg_core.images import load_photo, photo_to_png_bytes
    >>> import numpy as np
    >>> x = load_photo(photo_to_png_bytes(np.zeros((10, 20, 3), np.uint8)))
    >>> x.shape, x.dtype
    ((64, 64, 3), dtype('uint8'))
    """
    label = _one_line(name, 100) if name is not None and str(name).strip() else _default_name(source)
    size = _check_size(size, label)
    data = _read_bytes(source, label)
    if not data:
        raise _Refusal(f"{label}: the file is empty (0 bytes); {EXPECTED_IMAGE}")
    return _decode(data, label, size)


def photo_to_png_bytes(image: np.ndarray) -> bytes:
    """Encode an RGB image array as PNG, for downloads and tests.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), dtype uint8
        With ``h`` and ``w`` at least 1.

    Returns
    -------
    png : bytes
        The PNG file.

    Raises
    ------
    ValueError
        If ``image`` is not a uint8 ndarray of shape (h, w, 3).
    """
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image: got {type(image).__name__}; expected ndarray of shape (h, w, 3), dtype uint8")
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"image: got shape {image.shape}; expected ndarray of shape (h, w, 3) with h, w ≥ 1")
    if image.dtype != np.uint8:
        raise ValueError(
            f"image: got dtype {image.dtype}; expected dtype uint8 "
            f"(e.g. np.clip(x * 255, 0, 255).astype(np.uint8) for floats in [0, 1])"
        )
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG")
    return buffer.getvalue()
