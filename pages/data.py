"""Data: the images, their labels, and how an image becomes a column of numbers."""

from __future__ import annotations

import html

import streamlit as st

from logreg_core.explore import class_counts, flatten_walkthrough, majority_baseline, sample_indices
from logreg_core.preprocess import SCALING_LABELS
from ui import figures, session

GRID_COLUMNS = 8


def thumbnails(images, labels, classes, indices, target_px=192):
    """Nearest-neighbour enlarged images framed in their class colour, with captions."""
    h = images.shape[1]
    scale = max(1, round(target_px / h))
    thumbs = [
        figures.thumbnail_png(
            images[i], scale=scale, border_color=figures.CLASS_COLORS[int(labels[i])], border=max(6, 2 * scale)
        )
        for i in indices
    ]
    captions = [f"#{i} · {classes[int(labels[i])]}" for i in indices]
    return thumbs, captions


st.title("Data: pictures become numbers")
dataset = session.get_dataset()
h, w, c = dataset.image_shape
n_features = h * w * c
c0, c1 = dataset.classes
if dataset.synthetic:
    st.info(
        "**Synthetic** pictures drawn by the program (no real photos were found): upload the course's files "
        "or your own photos in the sidebar.",
        icon=":material/info:",
    )

# -- sample images ----------------------------------------------------------
# No header here: the samples are the page's main figure and start in the first screen at 150 % zoom.
a, b, cc, d = st.columns([1, 1.8, 1.2, 1.1], vertical_alignment="bottom")
with a:
    split = st.radio("Set", ["train", "test"], horizontal=True, key="data_split")
with b:
    which = st.radio(
        "Class",
        ["all", 0, 1],
        horizontal=True,
        key="data_class",
        format_func=lambda v: "all" if v == "all" else f"{v} = {dataset.classes[v]}",
    )
with cc:
    count = st.slider("How many", 8, 48, 24, step=8, key="data_count")
with d:
    if st.button("Other images", key="data_shuffle", width="stretch", help="Show another sample"):
        st.session_state["data_seed"] = st.session_state.get("data_seed", 0) + 1
x = dataset.train_x if split == "train" else dataset.test_x
y = dataset.train_y if split == "train" else dataset.test_y
indices = sample_indices(y, which, count, seed=st.session_state.get("data_seed", 0))
if len(indices) == 0:
    st.warning(f"The {split} set has no image of this class.")
else:
    thumbs, captions = thumbnails(x, y, dataset.classes, indices)
    for start in range(0, len(thumbs), GRID_COLUMNS):
        cols = st.columns(GRID_COLUMNS)
        for col, thumb, caption in zip(
            cols, thumbs[start : start + GRID_COLUMNS], captions[start : start + GRID_COLUMNS], strict=False
        ):
            col.image(thumb, caption=caption, width="stretch", output_format="PNG")
st.markdown(
    f"Frame colour = label: <span style='color:{figures.CLASS_COLORS[0]}; font-weight:700'>■ 0 = "
    f"{html.escape(c0)}</span> &nbsp; <span style='color:{figures.CLASS_COLORS[1]}; font-weight:700'>■ 1 = "
    f"{html.escape(c1)}</span> "
    f"&nbsp; ({len(indices)} of {len(y)} {split} images, each {h}×{w} pixels, enlarged without smoothing)",
    unsafe_allow_html=True,
)

# -- counts -------------------------------------------------------------------
st.header("How many of each")
counts = class_counts(dataset.train_y, dataset.test_y)
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(figures.class_counts_figure(dataset.classes, counts), theme=None)
with right:
    share = counts["train"][1] / max(1, sum(counts["train"])) * 100
    base = majority_baseline(dataset.train_y, dataset.test_y)
    st.markdown(
        f"- **{sum(counts['train'])}** training images, **{sum(counts['test'])}** test images\n"
        f"- {share:.2f} % of the training images are **{c1}** (label 1)\n"
        f"- A model that always answers “{dataset.classes[base.label]}” (the training set's majority) "
        f"is already right **{base.train_accuracy:.2f} %** of the time on the training set and "
        f"**{base.test_accuracy:.2f} %** on the test set: that is the bar to beat."
    )

# -- flattening -----------------------------------------------------------------
st.header("From an image to a column of numbers")
m = len(dataset.train_y)
st.markdown(
    f"The neuron takes one long column of numbers, not a picture. Each image of shape **({h}, {w}, {c})** — "
    f"{h} rows, {w} columns, {c} colour channels — is *flattened* into a column of shape "
    f"**({n_features:,}, 1)**: row by row, and inside each pixel red, green, blue. "
    f"All {m} training images side by side make the matrix **X** of shape **({n_features:,}, {m})**."
)
pick_col, _ = st.columns([1, 3])
with pick_col:
    image_index = st.number_input(
        f"Training image (0–{m - 1})", min_value=0, max_value=m - 1, value=0, step=1, key="data_flat_image"
    )
image = dataset.train_x[int(image_index)]
st.markdown(
    f"Image #{int(image_index)} is labelled **{int(dataset.train_y[int(image_index)])} = "
    f"{dataset.classes[int(dataset.train_y[int(image_index)])]}**. Its three channels:"
)
st.plotly_chart(figures.channels_figure(image), theme=None)
st.markdown(
    f"Where pixels land in the column: pixel (row, col, channel) goes to index "
    f"**(row·{w} + col)·{c} + channel**. After the last pixel of row 0 (index {w * c - 1}) "
    f"comes the first pixel of row 1 (index {w * c})."
)
st.plotly_chart(figures.flatten_figure(image, flatten_walkthrough(image)), theme=None)
st.code(
    f"train_x.shape           = {tuple(dataset.train_x.shape)}\n"
    f"X = train_x.reshape(m, -1).T\nX.shape                 = ({n_features}, {m})\n"
    f"one image: {(h, w, c)} -> column ({n_features}, 1)",
    language="python",
)

# -- pixel values -------------------------------------------------------------------
st.header("Pixel values under the three scalings")
hists = session.cached_pixel_histograms(dataset.train_x)
st.plotly_chart(figures.pixel_histograms_figure(hists, SCALING_LABELS), theme=None)
st.markdown(
    "- **raw pixels**: whole numbers 0–255.\n"
    "- **pixels / 255** is *scaling* (min-max normalization to 0–1), **not** standardization: "
    "the histogram keeps its shape, only the numbers on the axis shrink.\n"
    "- **z-score** is *standardization*: for each feature (each pixel position and channel), "
    "subtract its mean and divide by its standard deviation, both computed on the **training set only** "
    "(the test set is transformed with the same numbers). Every feature then has mean 0 and standard "
    "deviation 1, so the histogram of all values is centred at 0."
)
