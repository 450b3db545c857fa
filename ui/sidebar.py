"""The sidebar on every page: which data set is in use, and switching to another.

A bad upload shows the core's one-line message with ``st.error`` and the data
set already in use stays in use. Unreadable photos are listed while the rest
go through.
"""

from __future__ import annotations

import streamlit as st

from logreg_core.explore import class_counts
from logreg_core.images import PHOTO_SUFFIXES
from logreg_core.limits import cap_text
from ui import lesson, session

SOURCES = ("HDF5 files (train + test)", "Photos of two classes", "A zip of photos")
ERROR_KEY = "data_error"  # (message, signature) of the last failed upload
SKIPPED_KEY = "data_skipped"  # list of photos the last photo data set skipped
APPLIED_KEY = "data_applied_sig"  # signature of the last upload turned into a data set


def _signature(files):
    """Identify an upload by its files' ids, names and sizes."""
    return tuple((getattr(f, "file_id", ""), f.name, f.size) for f in files)


def _use(dataset, signature, skipped=()):
    session.set_dataset(dataset)
    st.session_state[APPLIED_KEY] = signature
    st.session_state[SKIPPED_KEY] = list(skipped)
    st.session_state.pop(ERROR_KEY, None)


def _upload_message(exc):
    """The core's one line for a refused file; for anything else, one line without internals."""
    if isinstance(exc, ValueError):
        return cap_text(exc, 400)
    return (
        f"the file could not be read ({type(exc).__name__}); expected a file within the lab's limits (see SECURITY.md)"
    )


def _fail(message, signature):
    st.session_state[ERROR_KEY] = (str(message), signature)


def _forget_error_unless(kind, signature):
    """Drop a stale upload error: one of this kind whose files are no longer the ones uploaded."""
    error = st.session_state.get(ERROR_KEY)
    if error and error[1] and error[1][0] == kind and error[1] != signature:
        st.session_state.pop(ERROR_KEY, None)


def _back_to_default():
    session.use_default_dataset()
    st.session_state.pop(ERROR_KEY, None)
    st.session_state[SKIPPED_KEY] = []


def dataset_card(dataset, container):
    """Source, a clear "synthetic" label when it is, counts per split and class, image size."""
    counts = class_counts(dataset.train_y, dataset.test_y)
    h, w, c = dataset.image_shape
    with container:
        st.markdown("**Data set in use**")
        if dataset.synthetic:
            st.markdown(":orange-badge[SYNTHETIC] generated pictures, not real photos")
        st.markdown(f"`{dataset.source}`")
        c0, c1 = dataset.classes
        st.markdown(
            f"- **train**: {sum(counts['train'])} images ({counts['train'][0]} {c0} / {counts['train'][1]} {c1})\n"
            f"- **test**: {sum(counts['test'])} images ({counts['test'][0]} {c0} / {counts['test'][1]} {c1})\n"
            f"- **image size**: {h}×{w}×{c} = {h * w * c:,} features"
        )


def _h5_form():
    train = st.file_uploader("Training file (train_….h5)", type=["h5", "hdf5"], key="upload_h5_train")
    test = st.file_uploader("Test file (test_….h5)", type=["h5", "hdf5"], key="upload_h5_test")
    if train is None or test is None:
        _forget_error_unless("h5", None)
        st.caption("Upload both files; the data set switches as soon as both are here.")
        return
    sig = ("h5",) + _signature([train, test])
    _forget_error_unless("h5", sig)
    if (st.session_state.get(ERROR_KEY) or (None, None))[1] == sig:
        return  # these exact files were refused; the message is shown above
    if st.session_state.get(APPLIED_KEY) == sig:
        # Already used once; after "back to the default" offer them again.
        if session.is_default_dataset() and not st.button("Use these files again", key="h5_reuse", width="stretch"):
            return
        if not session.is_default_dataset():
            return
    try:
        dataset = session.dataset_from_h5_bytes(train.getvalue(), train.name, test.getvalue(), test.name)
    except Exception as exc:
        _fail(_upload_message(exc), sig)
    else:
        _use(dataset, sig)


def _photo_options(prefix):
    with st.expander("Options"):
        size = st.select_slider(
            "Image size (pixels per side)", options=[16, 32, 48, 64, 96], value=64, key=f"{prefix}_size"
        )
        fraction = st.slider("Share of photos held out for testing", 0.1, 0.5, 0.2, 0.05, key=f"{prefix}_test_fraction")
    return size, fraction


def _photos_form():
    names, uploads = [], []
    for label, default in ((0, "non-cat"), (1, "cat")):
        names.append(st.text_input(f"Class name for label {label}", value=default, key=f"photo_name{label}"))
        uploads.append(
            st.file_uploader(
                f"Photos of label {label}", type=PHOTO_SUFFIXES, accept_multiple_files=True, key=f"upload_photos{label}"
            )
        )
    size, fraction = _photo_options("photos")
    sig = ("photos",) + _signature(uploads[0] or []) + _signature(uploads[1] or [])
    _forget_error_unless("photos", sig)
    if not st.button("Build data set from these photos", key="photo_build", width="stretch"):
        return
    clean = [n.strip() for n in names]
    if not all(clean) or clean[0].casefold() == clean[1].casefold():
        _fail("The two classes need two different, non-empty names.", sig)
        return
    if not uploads[0] or not uploads[1]:
        _fail("Upload photos for both classes (at least 2 each: one to train on, one to test).", sig)
        return
    groups = tuple((clean[k], tuple((f.name, f.getvalue()) for f in uploads[k])) for k in (0, 1))
    try:
        dataset, skipped = session.dataset_from_photo_groups(groups, test_fraction=fraction, size=size)
    except Exception as exc:
        _fail(_upload_message(exc), sig)
    else:
        _use(dataset, sig, skipped)


def _zip_form():
    upload = st.file_uploader("Zip with one folder per class (e.g. cat/ and non-cat/)", type=["zip"], key="upload_zip")
    size, fraction = _photo_options("zip")
    sig = ("zip",) + _signature([upload] if upload is not None else [])
    _forget_error_unless("zip", sig)
    if not st.button("Build data set from the zip", key="zip_build", width="stretch", disabled=upload is None):
        return
    try:
        dataset, skipped = session.dataset_from_zip_bytes(
            upload.getvalue(), upload.name, test_fraction=fraction, size=size
        )
    except Exception as exc:
        _fail(_upload_message(exc), sig)
    else:
        _use(dataset, sig, skipped)


def render_sidebar():
    """Draw the data-set panel in the sidebar; switches ``session``'s data set on a good upload.

    Returns
    -------
    slot : an ``st.empty`` at the bottom of the sidebar for :func:`model_note`.
    """
    with st.sidebar:
        lesson.seed_widgets("present")
        st.toggle(
            "Presentation mode",
            key="present",
            on_change=lesson.remember,
            args=("present",),
            help="For the projector: sidebar collapsed, larger text, compact controls. "
            "Open the sidebar (») to switch it off.",
        )
        card = st.container()
        messages = st.container()
        st.divider()
        st.markdown("**Use other data**")
        source = st.radio("Source", SOURCES, key="data_source_choice", label_visibility="collapsed")
        if source == SOURCES[0]:
            _h5_form()
        elif source == SOURCES[1]:
            _photos_form()
        else:
            _zip_form()
        dataset = session.get_dataset()  # after the forms: shows a switch at once
        dataset_card(dataset, card)
        with messages:
            if not session.is_default_dataset():
                st.button("Back to the default data", key="data_default", on_click=_back_to_default, width="stretch")
            warning = st.session_state.get("data_warning")
            if warning:
                st.warning(f"{warning}. Using the built-in synthetic data instead.")
            error = st.session_state.get(ERROR_KEY)
            if error:
                st.error(f"Could not use that upload — {error[0]}. The data set above stays in use.")
            skipped = st.session_state.get(SKIPPED_KEY) or []
            if skipped:
                st.warning(f"{len(skipped)} photo(s) could not be read and were left out; the rest are in use.")
                with st.expander("Photos left out"):
                    st.markdown("\n".join(f"- {line}" for line in skipped))
        st.divider()
        return st.empty()


def model_note(slot):
    """Which model the Predict page uses; drawn after the page ran, so a fresh training shows."""
    model, description = session.get_model()
    with slot.container():
        st.markdown("**Model used on Predict**")
        st.caption(description if model is not None else "none yet — train one on the Train page")
