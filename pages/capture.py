"""Capture: a class makes its own data set with the camera (or uploads), then trains on it."""

from __future__ import annotations

import re
import time

import numpy as np
import streamlit as st

from logreg_core.capture import (
    CAPTURE_SIZE,
    MAX_PER_CLASS,
    capture_photo,
    h5_pair,
    split_by_class,
)
from logreg_core.images import PHOTO_SUFFIXES
from logreg_core.split import dataset_from_classes
from ui import figures, session

PHOTOS_KEY = "capture_photos"  # [[(id, uint8 image), …] for label 0, … for label 1]
ERRORS_KEY = "capture_errors"  # one line per refused photo of the last capture/upload
TIMING_KEY = "capture_last_ms"  # server time of the last capture, ms
NOTE_KEY = "capture_note"  # one success line after an action
GRID = 6
TEST_FRACTION = 0.2

#: A narrow main column (the sidebar open at 150 % zoom leaves ~370 px): the page's columns wrap, two at most
#: per row, instead of breaking labels mid-word. A container query, scoped to this page's keyed container.
NARROW_CSS = (
    "<style>[class*='st-key-capture_wrap']{container-type:inline-size}"
    "@container (max-width: 600px){[class*='st-key-capture_wrap'] [data-testid='stHorizontalBlock']"
    "{flex-wrap:wrap !important} [class*='st-key-capture_wrap'] [data-testid='stColumn']"
    "{min-width:calc(50% - 1rem) !important}}</style>"
)


def photos():
    if PHOTOS_KEY not in st.session_state:
        st.session_state[PHOTOS_KEY] = [[], []]
    return st.session_state[PHOTOS_KEY]


def _next_id():
    st.session_state["capture_next_id"] = st.session_state.get("capture_next_id", 0) + 1
    return st.session_state["capture_next_id"]


def _bump(key):
    st.session_state[key] = st.session_state.get(key, 0) + 1


def add(label, items):
    """Shrink each (name, bytes) photo once and keep it; one line per refused photo."""
    store, errors = photos()[label], []
    start = time.perf_counter()
    for name, data in items:
        try:
            store.append((_next_id(), capture_photo(data, name, len(store))))
        except ValueError as exc:
            errors.append(str(exc))
    if items:
        st.session_state[TIMING_KEY] = (time.perf_counter() - start) * 1000 / len(items)
    st.session_state[ERRORS_KEY] = errors


def remove(label, photo_id):
    photos()[label][:] = [(i, x) for i, x in photos()[label] if i != photo_id]


def clear_all():
    st.session_state[PHOTOS_KEY] = [[], []]
    st.session_state[ERRORS_KEY] = []


def class_names():
    return [st.session_state.get(f"capture_name{k}", d).strip() for k, d in ((0, "non-cat"), (1, "cat"))]


def build_dataset(names, set_name):
    images = [
        np.stack([x for _, x in photos()[k]]) if photos()[k] else np.zeros((0, CAPTURE_SIZE, CAPTURE_SIZE, 3), np.uint8)
        for k in (0, 1)
    ]
    source = f"{set_name} (captured: {len(images[0])} {names[0]} / {len(images[1])} {names[1]})"
    return dataset_from_classes(images[0], images[1], (names[0], names[1]), TEST_FRACTION, seed=0, source=source)


def load_back():
    """The Load button's callback: replace the captured photos by the saved pair of .h5 files uploaded."""
    train_file, test_file = st.session_state.get("capture_h5_train"), st.session_state.get("capture_h5_test")
    if train_file is None or test_file is None:
        return
    try:
        dataset = session.dataset_from_h5_bytes(
            train_file.getvalue(), train_file.name, test_file.getvalue(), test_file.name
        )
        groups = split_by_class(dataset)
    except (ValueError, OSError, MemoryError) as exc:
        st.session_state[ERRORS_KEY] = [str(exc)]
        return
    st.session_state[PHOTOS_KEY] = [[(_next_id(), x) for x in g] for g in groups]
    for k in (0, 1):
        st.session_state[f"capture_name{k}"] = dataset.classes[k]
    st.session_state[ERRORS_KEY] = []
    st.session_state[NOTE_KEY] = (
        f"Loaded {len(groups[0])} {dataset.classes[0]} and {len(groups[1])} "
        f"{dataset.classes[1]} photos from {dataset.source}."
    )


st.title("Capture: make a data set in class")
st.caption(
    f"Take photos of two classes (or add files); each is cut to a square and shrunk to "
    f"**{CAPTURE_SIZE}×{CAPTURE_SIZE}** pixels at once, like the course's images. "
    f"Then train on them, or save them as the two `.h5` files the lab reads."
)

st.html(NARROW_CSS)
# One row of settings: the camera comes into the first screen at 150 % zoom (853×480).
left, mid, right, target_col = st.container(key="capture_wrap_names").columns([1, 1, 1.1, 1.2])
with left:
    st.text_input("Name of label 0", value="non-cat", key="capture_name0", max_chars=40)
with mid:
    st.text_input("Name of label 1", value="cat", key="capture_name1", max_chars=40)
with right:
    set_name = (
        st.text_input("Name of the set", value="our class photos", key="capture_set_name", max_chars=60).strip()
        or "our class photos"
    )
names = class_names()
names_ok = all(names) and names[0].casefold() != names[1].casefold()
if not names_ok:
    st.error("The two classes need two different, non-empty names.")
    names = ["non-cat", "cat"] if not all(names) else [names[0], names[1] + " (2)"]

target = target_col.radio(
    "New photos go to", [0, 1], horizontal=False, key="capture_target", format_func=lambda k: f"label {k} = {names[k]}"
)

camera_tab, upload_tab, load_tab = st.tabs(["Camera", "Add photo files", "Load a saved set (.h5)"])
with camera_tab:
    shot = st.camera_input(
        f"Take a photo of **{names[target]}**", key=f"capture_camera_{st.session_state.get('capture_camera_n', 0)}"
    )
    if shot is not None:
        add(target, [(f"camera photo {len(photos()[target]) + 1}", shot.getvalue())])
        _bump("capture_camera_n")  # a fresh camera for the next photo: one click a photo
        st.rerun()
with upload_tab:
    files = st.file_uploader(
        f"Photos of {names[target]}",
        type=list(PHOTO_SUFFIXES),
        accept_multiple_files=True,
        key=f"capture_upload_{st.session_state.get('capture_upload_n', 0)}",
    )
    if files:
        add(target, [(f.name, f.getvalue()) for f in files])
        _bump("capture_upload_n")
        st.rerun()
with load_tab:
    a, b = st.columns(2)
    train_file = a.file_uploader("Training file (train_….h5)", type=["h5", "hdf5"], key="capture_h5_train")
    test_file = b.file_uploader("Test file (test_….h5)", type=["h5", "hdf5"], key="capture_h5_test")
    st.button(
        "Replace the photos below by this set",
        key="capture_load",
        on_click=load_back,
        disabled=train_file is None or test_file is None,
    )

errors = st.session_state.get(ERRORS_KEY) or []
for line in errors[:5]:
    st.error(line)
if len(errors) > 5:
    st.error(f"… and {len(errors) - 5} more photos could not be used.")
note = st.session_state.pop(NOTE_KEY, None)
if note:
    st.success(note)
if TIMING_KEY in st.session_state:
    st.caption(f"Last photo: shrunk and stored in {st.session_state[TIMING_KEY]:.0f} ms on the server.")

# -- the photos, per class ---------------------------------------------------
for label in (0, 1):
    store = photos()[label]
    st.subheader(
        f"Label {label} = {names[label]}: {len(store)} photo{'s' if len(store) != 1 else ''} (at most {MAX_PER_CLASS})"
    )
    if not store:
        st.caption("None yet.")
        continue
    for start in range(0, len(store), GRID):
        cols = st.container(key=f"capture_wrap_{label}_{start}").columns(GRID)
        for col, (photo_id, image) in zip(cols, store[start : start + GRID], strict=False):
            with col:
                st.image(
                    figures.thumbnail_png(image, scale=2, border_color=figures.CLASS_COLORS[label]),
                    width="stretch",
                    output_format="PNG",
                )
                st.button(
                    "Remove",
                    key=f"capture_rm_{photo_id}",
                    on_click=remove,
                    args=(label, photo_id),
                    width="stretch",
                    icon=":material/delete:",
                )

# -- use or save ---------------------------------------------------------------
st.header("Train on them, or save them")
counts = [len(photos()[k]) for k in (0, 1)]
ready = names_ok and min(counts) >= 2
if not ready:
    st.info(
        "At least 2 photos of each class are needed (one to train on, one to test); "
        "20 or more of each give a model something to learn."
    )
go_col, save_a, save_b, clear_col = st.container(key="capture_wrap_use").columns([1.4, 1, 1, 1])
with go_col:
    if st.button(
        "Train on them: use as the data set", key="capture_use", type="primary", disabled=not ready, width="stretch"
    ):
        try:
            session.set_dataset(build_dataset(names, set_name))
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.session_state[NOTE_KEY] = (
                f"“{set_name}” is the data set in use: {counts[0]} {names[0]} and "
                f"{counts[1]} {names[1]} photos, {TEST_FRACTION:.0%} of each held out "
                f"for testing. Train it on the Train page."
            )
            st.rerun()
slug = re.sub(r"[^a-z0-9]+", "_", set_name.casefold()).strip("_") or "captured"
if ready:
    dataset = build_dataset(names, set_name)
    save_a.download_button(
        "Download train .h5",
        data=lambda: h5_pair(dataset)[0],
        file_name=f"train_{slug}.h5",
        mime="application/x-hdf5",
        key="capture_dl_train",
        width="stretch",
    )
    save_b.download_button(
        "Download test .h5",
        data=lambda: h5_pair(dataset)[1],
        file_name=f"test_{slug}.h5",
        mime="application/x-hdf5",
        key="capture_dl_test",
        width="stretch",
    )
with clear_col:
    st.button("Remove all photos", key="capture_clear", on_click=clear_all, disabled=sum(counts) == 0, width="stretch")
current = session.get_dataset()
if current.source.startswith(f"{set_name} (captured"):
    st.page_link(
        "pages/train.py",
        label=f"In use now: {current.source} — train it on the Train page",
        icon=":material/show_chart:",
    )
