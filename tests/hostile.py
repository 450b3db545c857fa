"""Builders of hostile files for the fuzz suite: each returns the bytes a student could upload.

Every builder takes the folder to work in (``tmp_path``) and the planted secret
file, a server file no upload may ever read (its bytes must never appear in an
output).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

#: The planted secret: distinctive bytes, so a leak is found in any output.
SECRET = b"TOP-SECRET-do-not-leak-7f3a9c"


def plant_secret(folder: Path) -> Path:
    """A server file holding the secret, repeated to fill a few images' worth of pixels."""
    path = folder / "secret.txt"
    path.write_bytes(SECRET * 400)
    return path


def h5_bytes(build) -> bytes:
    """Run ``build(f)`` on a fresh in-memory HDF5 file and return its bytes."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        build(f)
    return buffer.getvalue()


def good_h5(split: str = "train", m: int = 6, side: int = 8, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)

    def build(f):
        f.create_dataset(f"{split}_set_x", data=rng.integers(0, 256, (m, side, side, 3), dtype=np.uint8))
        f.create_dataset(f"{split}_set_y", data=np.arange(m, dtype=np.int64) % 2)
        f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))

    return h5_bytes(build)


def _y(f, m=1, split="train"):
    f.create_dataset(f"{split}_set_y", data=np.arange(m, dtype=np.int64) % 2)


def hostile_h5(tmp_path: Path, secret: Path) -> dict[str, bytes]:
    """Name → bytes of HDF5 train files that must each be refused with one ValueError line."""
    cases: dict[str, bytes] = {}
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as g:
        g.create_dataset("data", data=np.frombuffer(SECRET * 8, dtype=np.uint8)[:192].reshape(1, 8, 8, 3))

    def external_storage(f):
        f.create_dataset("train_set_x", shape=(1, 8, 8, 3), dtype=np.uint8, external=[(str(secret), 0, 192)])
        _y(f)

    cases["external storage"] = h5_bytes(external_storage)

    def external_labels(f):
        f.create_dataset("train_set_x", data=np.zeros((1, 8, 8, 3), np.uint8))
        f.create_dataset("train_set_y", shape=(1,), dtype=np.uint8, external=[(str(secret), 0, 1)])

    cases["external storage of labels"] = h5_bytes(external_labels)

    def external_classes(f):
        f.create_dataset("train_set_x", data=np.zeros((2, 8, 8, 3), np.uint8))
        _y(f, 2)
        f.create_dataset("list_classes", shape=(2,), dtype="S8", external=[(str(secret), 0, 16)])

    cases["external storage of class names"] = h5_bytes(external_classes)

    def virtual(f):
        layout = h5py.VirtualLayout(shape=(100_000, 8, 8, 3), dtype=np.uint8)
        source = h5py.VirtualSource(".", "train_set_x", shape=(100_000, 8, 8, 3))
        layout[...] = source
        f.create_virtual_dataset("train_set_x", layout)
        _y(f, 100_000)

    cases["virtual dataset naming itself"] = h5_bytes(virtual)

    def virtual_outside(f):
        layout = h5py.VirtualLayout(shape=(1, 8, 8, 3), dtype=np.uint8)
        layout[...] = h5py.VirtualSource(str(outside), "data", shape=(1, 8, 8, 3))
        f.create_virtual_dataset("train_set_x", layout)
        _y(f)

    cases["virtual dataset on a server file"] = h5_bytes(virtual_outside)

    def external_link(f):
        f["train_set_x"] = h5py.ExternalLink(str(outside), "/data")
        _y(f)

    cases["external link"] = h5_bytes(external_link)

    def soft_link(f):
        f.create_dataset("hidden", data=np.zeros((1, 8, 8, 3), np.uint8))
        f["train_set_x"] = h5py.SoftLink("/hidden")
        _y(f)

    cases["soft link"] = h5_bytes(soft_link)

    def dangling(f):
        f["train_set_x"] = h5py.SoftLink("/nowhere/at/all")
        _y(f)

    cases["dangling soft link"] = h5_bytes(dangling)

    def looping(f):
        f["train_set_x"] = h5py.SoftLink("/loop")
        f["loop"] = h5py.SoftLink("/train_set_x")
        _y(f)

    cases["looping soft links"] = h5_bytes(looping)

    def group(f):
        f.create_group("train_set_x")
        _y(f)

    cases["group instead of array"] = h5_bytes(group)

    def compound(f):
        f.create_dataset("train_set_x", shape=(1, 8, 8, 3), dtype=np.dtype([("a", "u1"), ("b", "f8")]))
        _y(f)

    cases["compound pixels"] = h5_bytes(compound)

    def vlen_labels(f):
        f.create_dataset("train_set_x", data=np.zeros((1, 8, 8, 3), np.uint8))
        d = f.create_dataset("train_set_y", shape=(1,), dtype=h5py.vlen_dtype(np.int64))
        d[0] = np.arange(10)

    cases["variable-length labels"] = h5_bytes(vlen_labels)

    def object_refs(f):
        f.create_dataset("train_set_x", data=np.zeros((1, 8, 8, 3), np.uint8))
        d = f.create_dataset("train_set_y", shape=(1,), dtype=h5py.ref_dtype)
        d[0] = f["train_set_x"].ref

    cases["object references as labels"] = h5_bytes(object_refs)

    def vlen_classes(f):
        f.create_dataset("train_set_x", data=np.zeros((2, 8, 8, 3), np.uint8))
        _y(f, 2)
        f.create_dataset("list_classes", data=np.array(["a" * 1000, "b"], dtype=object), dtype=h5py.string_dtype())

    cases["variable-length class names"] = h5_bytes(vlen_classes)

    def huge_classes(f):
        f.create_dataset("train_set_x", data=np.zeros((2, 8, 8, 3), np.uint8))
        _y(f, 2)
        f.create_dataset("list_classes", shape=(2,), dtype="S1000000", compression="gzip")

    cases["2 MB list_classes"] = h5_bytes(huge_classes)

    def many_classes(f):
        f.create_dataset("train_set_x", data=np.zeros((2, 8, 8, 3), np.uint8))
        _y(f, 2)
        f.create_dataset("list_classes", shape=(50_000_000,), dtype="S8", compression="gzip", chunks=(1_000_000,))

    cases["50 million class names"] = h5_bytes(many_classes)

    def bomb(f):
        f.create_dataset(
            "train_set_x", shape=(200_000, 64, 64, 3), dtype=np.uint8, compression="gzip", chunks=(1, 64, 64, 3)
        )
        _y(f, 200_000)

    cases["compression bomb"] = h5_bytes(bomb)

    def long_thin(f):
        f.create_dataset("train_set_x", shape=(24, 4, 4000, 3), dtype=np.uint8, compression="gzip")
        _y(f, 24)

    cases["images of 4×4000"] = h5_bytes(long_thin)

    def blank_many(f):
        f.create_dataset(
            "train_set_x", shape=(20_000, 64, 64, 3), dtype=np.uint8, compression="gzip", chunks=(100, 64, 64, 3)
        )
        _y(f, 20_000)

    cases["20,000 blank images"] = h5_bytes(blank_many)

    def big_chunk(f):
        f.create_dataset(
            "train_set_x",
            shape=(1, 8, 8, 3),
            maxshape=(None, 8, 8, 3),
            dtype=np.uint8,
            chunks=(400_000, 8, 8, 3),
            compression="gzip",
        )
        _y(f)

    cases["chunk of 77 MB"] = h5_bytes(big_chunk)

    def tiny_chunks(f):
        f.create_dataset("train_set_x", shape=(1627, 64, 64, 3), dtype=np.uint8, chunks=(1, 1, 1, 1))
        _y(f, 1627)

    cases["20 million tiny chunks"] = h5_bytes(tiny_chunks)

    def empty_space(f):
        f.create_dataset("train_set_x", data=np.zeros((1, 8, 8, 3), np.uint8))
        f.create_dataset("train_set_y", data=h5py.Empty("i8"))

    cases["null dataspace"] = h5_bytes(empty_space)

    def many_keys(f):
        for i in range(20_000):
            f.create_group(f"k{i:05d}_" + "x" * 150)

    cases["20,000 keys and no data"] = h5_bytes(many_keys)

    def float_pixels(f):
        f.create_dataset("train_set_x", data=np.full((1, 8, 8, 3), np.nan))
        _y(f)

    cases["float pixels"] = h5_bytes(float_pixels)

    good = good_h5()
    cases["truncated"] = good[: len(good) // 2]
    flipped = bytearray(good)
    for i in range(0, 200):
        flipped[i] ^= 0xFF
    cases["flipped superblock"] = bytes(flipped)
    cases["text"] = b"hello, I am not HDF5\n" * 10
    cases["empty"] = b""
    return cases


def png(colour=(200, 30, 30), size=(20, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (IHDR patched, CRC fixed)."""
    import struct
    import zlib

    data = bytearray(png(size=(2, 2)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    return bytes(data)


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``(name or ZipInfo, bytes)`` pairs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def good_members(n=3):
    return [(f"cat/c{i}.png", png((220, 30, 30))) for i in range(n)] + [
        (f"non-cat/o{i}.png", png((30, 30, 220))) for i in range(n)
    ]


def hostile_zips() -> dict[str, bytes]:
    """Name → bytes of zips; each is refused with one line, or loads with the bad members skipped."""
    cases: dict[str, bytes] = {}
    lzma = bytearray(zip_bytes(good_members() + [("cat/broken.png", png() * 20)], zipfile.ZIP_LZMA))
    at = lzma.index(b"cat/broken.png") + len("cat/broken.png") + 20
    for i in range(at, at + 60):
        lzma[i] ^= 0xA5
    cases["corrupt LZMA member"] = bytes(lzma)
    info = zipfile.ZipInfo("cat/new.png")
    cases["version needed 9.9"] = zip_bytes(good_members() + [(info, png())])
    raw = bytearray(cases["version needed 9.9"])
    # Patch the local header's and the directory entry's "version needed" of the last member to 99.
    for signature, offset in ((b"PK\x03\x04", 4), (b"PK\x01\x02", 6)):
        where = raw.rindex(signature)
        raw[where + offset : where + offset + 2] = (99).to_bytes(2, "little")
    cases["version needed 9.9"] = bytes(raw)
    cases["empty member name"] = zip_bytes(good_members() + [(zipfile.ZipInfo(""), png())])
    cases["absolute and parent paths"] = zip_bytes(
        [("/" + n, d) for n, d in good_members()] + [("../../etc/cat/x.png", png())]
    )
    cases["too many members"] = zip_bytes([(f"cat/{i}.png", b"") for i in range(6_000)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in good_members():
            z.writestr(name, data)
        with z.open("cat/bomb.png", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(block)
    cases["300 MB bomb"] = buffer.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in good_members():
            z.writestr(name, data)
        with z.open("cat/bomb.bmp", "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(60):
                member.write(block)
    cases["60 MB member"] = buffer.getvalue()
    cases["unknown method"] = bytes(_patch_method(zip_bytes(good_members() + [("cat/odd.png", png())]), 99))
    cases["encrypted member"] = bytes(_patch_flag(zip_bytes(good_members() + [("cat/locked.png", png())])))
    cases["huge declared photo"] = zip_bytes(good_members() + [("cat/huge.png", png_declaring(60_000, 60_000))])
    cases["long odd names"] = zip_bytes(good_members() + [("cat/" + "é\x07\n" * 2000 + ".png", b"junk")])
    cases["three classes"] = zip_bytes(good_members() + [("dog/d.png", png())])
    cases["truncated"] = zip_bytes(good_members())[:300]
    cases["not a zip"] = b"PK\x03\x04" + b"\xff" * 100
    return cases


def _patch_method(data: bytes, method: int) -> bytearray:
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        where = raw.rindex(signature)
        raw[where + offset : where + offset + 2] = method.to_bytes(2, "little")
    return raw


def _patch_flag(data: bytes) -> bytearray:
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        where = raw.rindex(signature)
        raw[where + offset] |= 0x01
    return raw
