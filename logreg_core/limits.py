"""The resource budget for anything a user hands the lab: one place, one frozen record.

Every loader (HDF5, photos, zips, models) checks what a file *declares* against
these numbers before it decodes anything, and refuses with one line past them.
SECURITY.md and the README quote the same numbers; ``tests/test_fuzz_*`` check
that a file at the top of the budget loads and one past it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUDGET", "Budget", "cap_list", "cap_text"]


@dataclass(frozen=True)
class Budget:
    """Limits per upload (and, through the cache sizes, per server).

    Attributes
    ----------
    max_pixel_values : int, default 20_000_000
        Pixel values (images × height × width × 3) in one HDF5 file or one
        photo set: 20 MB as uint8. Training at the top of it peaks at 0.38 GB
        on the command line and 1.1 GB for the Train page's default comparison
        of three scalings. That is 1,627 images of 64×64×3; the real set has 209.
    max_local_pixel_values : int, default 245_760_000
        The same for files the person running the lab points at (command-line
        paths, ``LOGREG_DATA_DIR``, ``data/``), not uploads: 20,000 images of
        64×64×3. Training at the top of it needs about 6 GB (bench/scale.py).
    min_side, max_side : int, default 4 and 256
        Sides of the images in an HDF5 file, in pixels. Photos are resized to
        the model's size on load, so their own sides are only bounded by
        ``max_photo_pixels``.
    max_h5_file_bytes : int, default 256 MiB
        Size of an HDF5 file read from disk (uploads are capped at 50 MB by
        ``.streamlit/config.toml``).
    max_chunk_bytes : int, default 64 MiB
        Largest HDF5 chunk, decompressed.
    max_chunks : int, default 65_536
        Chunks in one HDF5 dataset: tiny chunks make a small file that takes
        HDF5 minutes and gigabytes to read.
    max_class_name_bytes : int, default 256
        Each of the two entries of ``list_classes``.
    max_photo_pixels : int, default 25_000_000
        Decoded pixels of one photo (a 24-megapixel camera); larger files are
        refused before decoding. Photos are resized to the model's size on load.
    max_photo_file_bytes : int, default 50 MiB
        Encoded size of one photo.
    max_zip_members : int, default 5_000
        Files in one zip of photos.
    max_zip_bytes : int, default 256 MiB
        Total uncompressed size of a zip's members.
    max_photos : int, default 5_000
        Photos in one photo set (folder, zip or upload).
    upload_seconds : float, default 10.0
        Time the dashboard's reader of uploaded HDF5 files may take; it runs
        in a child process (:mod:`logreg_core.isolated`), as photo sets and zips do.
    upload_memory_bytes : int, default 1.5 GiB
        Address space that child may use (also for photo sets and zips).
    upload_session_bytes : int, default 512 MiB
        Uploaded files one student's session may hold at once on the server
        (Streamlit keeps every file an uploader holds in memory until it is
        removed or the session ends): a few hundred phone photos.
    upload_server_bytes : int, default 2 GiB
        Uploaded files the whole server may hold at once. Past either, the
        upload is refused with one line (HTTP 413).
    photo_set_seconds : float, default 60.0
        Time a photo set or zip may take to decode in its child process: a
        class's few hundred phone photos take a few seconds.
    max_session_datasets : int, default 1
        Data sets a session holds: a new one replaces the one in use, so a
        session's data is at most ``max_pixel_values`` (its runs are bounded by
        the Train page's last four comparisons).
    upload_cache_entries : int, default 4
        Loaded uploads the server keeps per kind (HDF5 pair, photos, zip),
        shared by every session and keyed by the files' bytes.
    upload_cache_seconds : int, default 3600
        How long such an entry is kept.
    max_message_items : int, default 5
        Names listed in one error message before "and N more".
    max_message_chars : int, default 200
        Characters of one user-supplied field (a name, a key) shown in a message.
    """

    max_pixel_values: int = 20_000_000
    max_local_pixel_values: int = 245_760_000
    min_side: int = 4
    max_side: int = 256
    max_h5_file_bytes: int = 256 << 20
    max_chunk_bytes: int = 64 << 20
    max_chunks: int = 65_536
    max_class_name_bytes: int = 256
    max_photo_pixels: int = 25_000_000
    max_photo_file_bytes: int = 50 << 20
    max_zip_members: int = 5_000
    max_zip_bytes: int = 256 << 20
    max_photos: int = 5_000
    upload_seconds: float = 10.0
    upload_memory_bytes: int = 3 << 29
    upload_session_bytes: int = 512 << 20
    upload_server_bytes: int = 2 << 30
    photo_set_seconds: float = 60.0
    max_session_datasets: int = 1
    upload_cache_entries: int = 4
    upload_cache_seconds: int = 3600
    max_message_items: int = 5
    max_message_chars: int = 200


#: The budget every loader uses.
BUDGET = Budget()


def cap_text(text: object, limit: int = BUDGET.max_message_chars) -> str:
    """One line of at most ``limit`` characters: whitespace collapsed, the rest cut to "…".

    Parameters
    ----------
    text : object
        Anything; ``str(text)`` is shown.
    limit : int, default ``BUDGET.max_message_chars``

    Returns
    -------
    line : str
    """
    printable = "".join(ch if ch.isprintable() else " " for ch in str(text))
    line = " ".join(printable.split())
    return line if len(line) <= limit else line[: max(limit - 1, 0)] + "…"


def cap_list(items: list[str] | tuple[str, ...], limit: int = BUDGET.max_message_items) -> str:
    """Show at most ``limit`` items, each capped, then "and N more".

    Parameters
    ----------
    items : sequence of str
    limit : int, default ``BUDGET.max_message_items``

    Returns
    -------
    shown : str
        E.g. ``"'a', 'b', 'c', 'd', 'e' and 19,995 more"``, or ``"none"``.
    """
    if not items:
        return "none"
    shown = ", ".join(repr(cap_text(item, 40)) for item in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown
