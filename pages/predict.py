"""Predict: classify your own photos and look at the test-set mistakes.

The model is the one trained in this session (or an uploaded ``.npz``). Each
photo is shown as the model sees it (shrunk to the model's image size), with
P(class 1), the label, and a map of which pixels pushed towards which class.
"""
from __future__ import annotations

import streamlit as st

from logreg_core.images import PHOTO_SUFFIXES, load_photo
from logreg_core.persistence import load_model
from logreg_core.pipeline import find_mistakes
from ui import figures, session

MAX_MISTAKES_SHOWN = 12


@st.cache_data(show_spinner=False, max_entries=128)
def load_for_model(data, name, height, width):
    """Decode one photo to (height, width, 3) uint8, or explain why not.

    Returns
    -------
    image : ndarray of shape (height, width, 3) or None
    error : str or None
        One line naming the file.
    """
    try:
        image = load_photo(data, name=name, size=(height, width))
    except ValueError as exc:
        return None, str(exc)
    except Exception as exc:  # the loader promises ValueError; a crash must still not take the page down
        return None, f"{name}: could not be read ({type(exc).__name__})"
    return image, None


def enlarge(image, target=256):
    """Blow a small image up to about ``target`` pixels with square pixels (no blur), for a projector."""
    return figures.thumbnail(image, scale=target // max(image.shape[:2]))


def model_uploader():
    """Let the user replace the model with a saved .npz; a bad file keeps the old model.

    Returns
    -------
    error : str or None
        What was wrong with the uploaded file, for the caller to show where it is seen.
    """
    upload = st.file_uploader("Model file (.npz)", type=["npz"], key="predict_model_file",
                              help="A model file downloaded from the Train page of this lab.")
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
        message = (str(exc) if isinstance(exc, ValueError)
                   else f"{upload.name}: not a usable model file ({type(exc).__name__})")
        kept = "The previous model is kept." if session.get_model()[0] is not None else "No model is loaded."
        st.session_state["predict_model_error"] = f"Could not use this model file — {message}. {kept}"
        return st.session_state["predict_model_error"]
    session.set_model(model, f"uploaded file {upload.name}")
    st.session_state["predict_model_loaded"] = upload.name
    st.rerun()


def describe_model(model, description):
    h, w, c = model.image_shape
    loaded = st.session_state.pop("predict_model_loaded", None)
    if loaded:
        st.success(f"Now using the model from {loaded}.")
    st.markdown(f"**Model:** {description}  \n"
                f"It takes {h}×{w} colour images and answers *{model.classes[1]}* when "
                f"P({model.classes[1]}) > {model.settings.threshold:g}.")


def show_prediction(model, name, image):
    """One photo: what the model sees, P(class 1) and label, and the contribution map."""
    positive, negative = model.classes[1], model.classes[0]
    p = float(model.predict_proba_images(image)[0])
    label = positive if p > model.settings.threshold else negative
    contributions = model.contributions(image).sum(axis=2)
    z = float(contributions.sum()) + model.b
    st.markdown(f"#### {name}")
    left, middle, right = st.columns([1, 1, 1.3])
    with left:
        h, w = model.image_shape[:2]
        st.image(enlarge(image), caption=f"what the model sees: {h}×{w} pixels", width=256)
    with middle:
        st.metric(f"P({positive})", f"{p:.3f}")
        st.markdown(f"### → **{label}**")
        st.caption(f"z = Σ w·x + b = {z - model.b:.2f} + ({model.b:.2f}) = {z:.2f};  P = σ(z)")
    with right:
        fig = figures.contribution_map_figure(contributions, positive, negative,
                                      title=f"What each pixel added to z<br><span style='font-size:16px'>"
                                            f"red: towards {positive} · blue: towards {negative}</span>")
        st.plotly_chart(fig, key=f"predict_contrib_{name}", theme=None, config={"displayModeBar": False})


def show_photos(model):
    st.subheader("1 · Your photos")
    files = st.file_uploader("Upload one or more photos", type=PHOTO_SUFFIXES, accept_multiple_files=True,
                             key="predict_photos",
                             help="PNG, JPEG, GIF, WebP, BMP or TIFF. Each is centre-cropped to a square "
                                  "and shrunk to the model's size.")
    use_camera = st.toggle("Take a photo with the camera", key="predict_camera_on",
                           help="The browser asks for camera access only when this is on.")
    items = [(f.name, f.getvalue()) for f in (files or [])]
    if use_camera:
        shot = st.camera_input("Camera", key="predict_camera")
        if shot is not None:
            items.append(("camera photo", shot.getvalue()))
    if not items:
        st.info("Upload a photo (or switch the camera on) to see what the model says about it.")
        return
    h, w, c = model.image_shape
    if c != 3:
        st.error(f"This model takes images with {c} channels; photos have 3 (RGB), so they cannot be classified.")
        return
    seen = {}
    for name, data in items:
        seen[name] = seen.get(name, 0) + 1
        shown_name = name if seen[name] == 1 else f"{name} ({seen[name]})"
        image, error = load_for_model(data, shown_name, h, w)
        if error:
            st.error(error)
            continue
        show_prediction(model, shown_name, image)


def show_gallery(images, probabilities, positive):
    """A row-wrapped gallery of images with their P(positive)."""
    shown = min(len(images), MAX_MISTAKES_SHOWN)
    columns = st.columns(6)
    for i in range(shown):
        with columns[i % 6]:
            st.image(enlarge(images[i], 128), caption=f"P({positive}) = {probabilities[i]:.2f}",
                     width="stretch")
    if len(images) > shown:
        st.caption(f"Showing the {shown} most confident of {len(images)}.")


def show_mistakes(model, dataset):
    st.subheader("2 · Where the model is wrong on the test set")
    if tuple(model.image_shape) != tuple(dataset.image_shape):
        st.warning(f"The model takes {'×'.join(map(str, model.image_shape))} images but the current data set "
                   f"({dataset.source}) has {'×'.join(map(str, dataset.image_shape))}: its mistakes cannot be "
                   f"computed. Train a model on this data set (button below or the Train page), or switch back.")
        return
    if tuple(model.classes) != tuple(dataset.classes):
        st.warning(f"The model's classes {list(model.classes)} differ from the data set's "
                   f"{list(dataset.classes)}; the labels below use the data set's names.")
    positive, negative = dataset.classes[1], dataset.classes[0]
    found = find_mistakes(model, dataset.test_x, dataset.test_y)
    p, fp, fn = found.probabilities, found.false_positives, found.false_negatives
    st.markdown(f"Test accuracy **{found.accuracy:.1f} %** on {len(p)} test images of {dataset.source}.")
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
st.markdown("Give the one-neuron model a photo and see its answer, P(class 1) = σ(wᵀx + b), and which "
            "pixels pushed it there.")

dataset = session.get_dataset()
model, description = session.get_model()
if model is None:
    st.info("There is no model yet: train one on the Train page, upload a saved model below, "
            "or train one now with the default settings.")
    offer_training("Train a model with the default settings", "predict_train_default")
    upload_error = model_uploader()
else:
    describe_model(model, description)
    with st.expander("Use a model saved earlier (.npz) instead"):
        upload_error = model_uploader()
if upload_error:
    st.error(upload_error)

if model is not None:
    if tuple(model.image_shape) != tuple(dataset.image_shape):
        st.warning(f"This model was made for {'×'.join(map(str, model.image_shape))} images, the current data "
                   f"set has {'×'.join(map(str, dataset.image_shape))}. Photos are still shrunk to the model's size.")
        offer_training("Train a new model on the current data set", "predict_train_for_data")
    show_photos(model)
    st.divider()
    show_mistakes(model, dataset)
