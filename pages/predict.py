"""Predict: classify your own photos and look at the test-set mistakes.

The model is the one the user chose: by default the /255 run of the latest
comparison, or a run picked on the Train page, or an uploaded ``.npz`` (which
stays until the user changes it). Never one picked by test accuracy. A class's
photos go into one compact table (thumbnail, P(class 1), label; unreadable
files first), with one photo's detail — the 64×64 view and which pixels
pushed where — on demand.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from logreg_core.images import PHOTO_SUFFIXES
from logreg_core.isolated import DecoderBusy, load_photo_isolated
from logreg_core.persistence import load_model
from logreg_core.pipeline import find_mistakes
from ui import figures, session

MAX_MISTAKES_SHOWN = 12
BIAS_MIN_PHOTOS = 5  # say something about the model's bias from this many photos on …
BIAS_SHARE = 0.7  # … when at least this share of them comes out as class 1


@st.cache_data(show_spinner=False, max_entries=128)
def _decoded(data, name, height, width):
    """:func:`load_for_model`, remembered for every student; a busy decoder raises, so it is not remembered."""
    try:
        image = load_photo_isolated(data, name=name, size=(height, width))
    except DecoderBusy:
        raise
    except ValueError as exc:
        return None, str(exc)
    except Exception as exc:  # the loader promises ValueError; a crash must still not take the page down
        return None, f"{name}: could not be read ({type(exc).__name__})"
    return image, None


def load_for_model(data, name, height, width):
    """Decode one photo to (height, width, 3) uint8 in a forked child (a crash ends only it), or explain why not.

    Returns
    -------
    image : ndarray of shape (height, width, 3) or None
    error : str or None
        One line naming the file.
    """
    try:
        return _decoded(data, name, height, width)
    except DecoderBusy as exc:  # try again on the next run
        return None, str(exc)


@st.cache_data(show_spinner=False, max_entries=256)
def thumbnail_url(image):
    """A photo as the model sees it, as a PNG data URL for a table's image column."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def model_uploader():
    """Let the user replace the model with a saved .npz; a bad file keeps the old model.

    Returns
    -------
    error : str or None
        What was wrong with the uploaded file, for the caller to show where it is seen.
    """
    upload = st.file_uploader(
        "Model file (.npz)",
        type=["npz"],
        key="predict_model_file",
        help="A model file downloaded from the Train page of this lab.",
    )
    if upload is None:
        return None
    marker = (upload.file_id, upload.name, upload.size)
    if st.session_state.get("predict_model_marker") == marker:
        return st.session_state.get("predict_model_error")
    st.session_state["predict_model_marker"] = marker
    st.session_state["predict_model_error"] = None
    try:
        model = load_model(upload.getvalue(), name=upload.name)
    except Exception as exc:  # load_model raises ValueError; anything else is still the file's fault
        message = (
            str(exc)
            if isinstance(exc, ValueError)
            else f"{upload.name}: not a usable model file ({type(exc).__name__})"
        )
        kept = "The previous model is kept." if session.get_model()[0] is not None else "No model is loaded."
        st.session_state["predict_model_error"] = f"Could not use this model file — {message}. {kept}"
        return st.session_state["predict_model_error"]
    session.set_model(model, f"uploaded file {upload.name}")
    st.session_state["predict_model_loaded"] = upload.name
    st.rerun()


def describe_model(model, description):
    h, w, _ = model.image_shape
    loaded = st.session_state.pop("predict_model_loaded", None)
    if loaded:
        st.success(f"Now using the model from {loaded}.")
    st.caption(
        f"**Model:** {description} · takes {h}×{w} colour images, answers *{model.classes[1]}* when "
        f"P({model.classes[1]}) > {model.settings.threshold:g}"
    )


def show_detail(model, name, image):
    """One photo up close: what the model sees, P(class 1), z, and which pixels pushed where."""
    positive, negative = model.classes[1], model.classes[0]
    p = float(model.predict_proba_images(image)[0])
    label = positive if p > model.settings.threshold else negative
    contributions = model.contributions(image).sum(axis=2)
    z = float(contributions.sum()) + model.b
    left, right = st.columns([1, 1.4])
    with left:
        h, w = model.image_shape[:2]
        # Square pixels (no blur) for a projector, as PNG encoded once per photo, not on every rerun.
        st.image(
            figures.thumbnail_png(image, 192),
            caption=f"{name}: what the model sees ({h}×{w} pixels)",
            width=192,
            output_format="PNG",
        )
        st.markdown(f"**P({positive}) = {p:.3f} → {label}**")
        st.caption(f"z = Σ w·x + b = {z - model.b:.2f} + ({model.b:.2f}) = {z:.2f};  P = σ(z)")
    with right:
        fig = figures.contribution_map_figure(
            contributions,
            positive,
            negative,
            height=330,
            title="What each pixel added to z",
        )
        st.plotly_chart(fig, key="predict_contrib", theme=None, config={"displayModeBar": False})


def bias_note(probabilities, model):
    """A visible note when most photos come out as class 1: the model's bias, not a fact about the photos."""
    positive = model.classes[1]
    share = float(np.mean(probabilities > model.settings.threshold))
    if len(probabilities) >= BIAS_MIN_PHOTOS and share >= BIAS_SHARE:
        st.warning(
            f"**{share:.0%} of these photos come out “{positive}”.** That is the model's bias, not a fact "
            f"about the photos: one neuron trained on a few hundred small pictures answers “{positive}” "
            f"for many things it never saw (a mug, text, a face), because it only weighs pixel colours "
            f"at fixed places. Look at the contribution map of a photo that is clearly not a {positive}."
        )


def show_photos(model):
    upload, camera = st.columns([4, 1], vertical_alignment="bottom")
    files = upload.file_uploader(
        "Upload one or more photos",
        type=PHOTO_SUFFIXES,
        accept_multiple_files=True,
        key="predict_photos",
        help="PNG, JPEG, GIF, WebP, BMP or TIFF. Each is centre-cropped to a square and shrunk to the model's size.",
    )
    use_camera = camera.toggle(
        "Camera",
        key="predict_camera_on",
        help="The browser asks for camera access only when this is on.",
    )
    items = [(f.name, f.getvalue()) for f in (files or [])]
    if use_camera:
        shot = st.camera_input("Camera", key="predict_camera")
        if shot is not None:
            items.append(("camera photo", shot.getvalue()))
    if not items:
        st.info("Upload a photo (or switch the camera on) to see what the model says about it.")
        return
    h, w, _ = model.image_shape
    names, images, errors, seen = [], [], [], {}
    for name, data in items:
        seen[name] = seen.get(name, 0) + 1
        shown_name = name if seen[name] == 1 else f"{name} ({seen[name]})"
        image, error = load_for_model(data, shown_name, h, w)
        if error:
            errors.append(error)
        else:
            names.append(shown_name)
            images.append(image)
    for error in errors:  # what could not be read comes first, one line each
        st.error(error)
    if not images:
        return
    positive = model.classes[1]
    p = model.predict_proba_images(np.stack(images))  # one product for the whole class set
    labels = np.where(p > model.settings.threshold, positive, model.classes[0])
    table = pd.DataFrame(
        {"photo": [thumbnail_url(image) for image in images], "file": names, f"P({positive})": p, "label": labels}
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        row_height=56,
        column_config={
            "photo": st.column_config.ImageColumn("photo", width="small"),
            f"P({positive})": st.column_config.ProgressColumn(
                f"P({positive})", format="%.3f", min_value=0.0, max_value=1.0
            ),
        },
    )
    bias_note(p, model)
    if len(names) == 1:
        show_detail(model, names[0], images[0])
    else:
        st.session_state.setdefault("predict_detail", None)
        pick = st.selectbox(
            "Look closer at one photo",
            [None, *names],
            key="predict_detail",
            format_func=lambda n: "— choose a photo —" if n is None else n,
        )
        if pick is not None and pick in names:
            show_detail(model, pick, images[names.index(pick)])


def show_gallery(images, probabilities, positive):
    """A row-wrapped gallery of images with their P(positive)."""
    shown = min(len(images), MAX_MISTAKES_SHOWN)
    columns = st.columns(6)
    for i in range(shown):
        with columns[i % 6]:
            st.image(
                figures.thumbnail_png(images[i], 192),
                caption=f"P({positive}) = {probabilities[i]:.2f}",
                width="stretch",
                output_format="PNG",
            )
    if len(images) > shown:
        st.caption(f"Showing the {shown} most confident of {len(images)}.")


def show_mistakes(model, dataset):
    st.subheader("2 · Where the model is wrong on the test set")
    if tuple(model.image_shape) != tuple(dataset.image_shape):
        st.warning(
            f"The model takes {'×'.join(map(str, model.image_shape))} images but the current data set "
            f"({dataset.source}) has {'×'.join(map(str, dataset.image_shape))}: its mistakes cannot be "
            f"computed. Train a model on this data set (button below or the Train page), or switch back."
        )
        return
    if tuple(model.classes) != tuple(dataset.classes):
        st.warning(
            f"The model's classes {list(model.classes)} differ from the data set's "
            f"{list(dataset.classes)}; the labels below use the data set's names."
        )
    positive, negative = dataset.classes[1], dataset.classes[0]
    found = find_mistakes(model, dataset.test_x, dataset.test_y)
    p, fp, fn = found.probabilities, found.false_positives, found.false_negatives
    st.markdown(f"Test accuracy **{found.accuracy:.2f} %** on {len(p)} test images of {dataset.source}.")
    st.markdown(f"##### False positives: said *{positive}*, really *{negative}* ({len(fp)})")
    if len(fp):
        show_gallery(dataset.test_x[fp], p[fp], positive)
    else:
        st.success("None.")
    st.markdown(f"##### False negatives: said *{negative}*, really *{positive}* ({len(fn)})")
    if len(fn):
        show_gallery(dataset.test_x[fn], p[fn], positive)
    else:
        st.success("None.")


def offer_training(label, key):
    """One button that trains with the defaults on the current data set and makes it the model."""
    if st.button(label, key=key, type="primary"):
        with st.spinner("Training with the default settings (pixels / 255, 2000 iterations)…"):
            session.train_default_model()
        st.rerun()


st.title("Predict")
st.caption(
    "Give the one-neuron model photos and see its answer, P(class 1) = σ(wᵀx + b), and which pixels pushed it there."
)

dataset = session.get_dataset()
model, description = session.get_model()
if model is None:
    st.info(
        "There is no model yet: train one on the Train page, upload a saved model below, "
        "or train one now with the default settings."
    )
    offer_training("Train a model with the default settings", "predict_train_default")
    upload_error = model_uploader()
else:
    describe_model(model, description)
    upload_error = None
if upload_error:
    st.error(upload_error)

if model is not None:
    if tuple(model.image_shape) != tuple(dataset.image_shape):
        st.warning(
            f"This model was made for {'×'.join(map(str, model.image_shape))} images, the current data "
            f"set has {'×'.join(map(str, dataset.image_shape))}. Photos are still shrunk to the model's size."
        )
        offer_training("Train a new model on the current data set", "predict_train_for_data")
    show_photos(model)
    with st.expander("Use a model saved earlier (.npz) instead"):
        upload_error = model_uploader()
    if upload_error:
        st.error(upload_error)
    st.divider()
    show_mistakes(model, dataset)
