"""Evaluate: where the chosen model goes wrong, at a threshold you move."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logreg_core.evaluation import (
    cell_indices,
    class_metrics,
    confusion_counts,
    roc_auc,
    roc_curve,
    roc_point,
)
from ui import figures, figures_eval, session

CELL_KEY = "eval_cell"  # (split, true, predicted) whose images are shown
SEEN_KEY = "eval_seen_selection"  # last selection read from each chart, so an old one does not win again
SHOW_MAX = 36
GRID = 9
SPLITS = ("train", "test")


def probabilities(model, dataset):
    """P(label 1) on both splits, kept for this model and data set (the slider reruns cost nothing)."""
    cached = st.session_state.get("eval_probabilities")
    if cached and cached[0] is model and cached[1] is dataset:
        return cached[2]
    p = {"train": model.predict_proba_images(dataset.train_x), "test": model.predict_proba_images(dataset.test_x)}
    st.session_state["eval_probabilities"] = (model, dataset, p)
    return p


def cell_label(cell, classes):
    split, t, q = cell
    kind = "right" if t == q else "wrong"
    return f"{split}: true {classes[t]}, predicted {classes[q]} ({kind})"


def read_selection(split, event):
    """A click on a chart's cell chooses that cell (only when the click is new)."""
    points = (
        (event or {}).get("selection", {}).get("points", [])
        if isinstance(event, dict)
        else getattr(getattr(event, "selection", None), "points", []) or []
    )
    seen = st.session_state.setdefault(SEEN_KEY, {})
    signature = tuple(p.get("point_index", p.get("point_number", -1)) for p in points)
    if signature == seen.get(split):
        return
    seen[split] = signature
    if points:
        p = points[-1]
        custom = p.get("customdata")
        if isinstance(custom, (list, tuple)) and len(custom) == 2:
            t, q = int(custom[0]), int(custom[1])
        else:
            i = int(p.get("point_index", p.get("point_number", 0)))
            t, q = divmod(i, 2)
        st.session_state[CELL_KEY] = (split, t, q)


st.title("Evaluate: where does the model go wrong?")
model, description = session.get_model()
dataset = session.get_dataset()
if model is None:
    st.info("No model yet. Train one on the Train page, or train one here with the course's defaults.")
    if st.button("Train a model with the defaults", key="eval_train_default", type="primary"):
        with st.spinner("Training…"):
            session.train_default_model()
        st.rerun()
    st.stop()
if model.image_shape != dataset.image_shape:
    st.warning(
        f"The model takes images of {'×'.join(map(str, model.image_shape))} but the data set in use has "
        f"{'×'.join(map(str, dataset.image_shape))}; train a model on this data set to evaluate it here."
    )
    st.stop()
classes = tuple(dataset.classes)
if tuple(model.classes) != classes:
    st.warning(
        f"The model was trained on the classes {model.classes[0]} / {model.classes[1]}, the data set in use "
        f"has {classes[0]} / {classes[1]}: its label 0 and label 1 are taken as this data set's."
    )
p = probabilities(model, dataset)
y = {"train": dataset.train_y, "test": dataset.test_y}

slider_col, key_col = st.columns([1, 1], vertical_alignment="bottom")
threshold = slider_col.slider(
    "Threshold: predict " + classes[1] + " when P(" + classes[1] + ") >",
    0.01,
    0.99,
    float(round(model.settings.threshold, 2)),
    0.01,
    key="eval_threshold",
)
confusions = {s: confusion_counts(y[s], p[s], threshold) for s in SPLITS}

# -- confusion matrices --------------------------------------------------------------
# No header above them: at 150 % zoom (853×480) the matrices must start in the first screen.
key_col.caption(
    "**Confusion matrices** — rows: the true label; columns: what the model said. Click a cell to see its images."
)
# A click reruns the page with the chart's selection in its widget state: read both before drawing,
# so the black frame is drawn on the cell just clicked, whichever chart it is in.
for split in SPLITS:
    read_selection(split, st.session_state.get(f"eval_cm_{split}"))
chosen = st.session_state.get(CELL_KEY, ("test", 0, 1))
cols = st.columns(2)
for col, split in zip(cols, SPLITS, strict=False):
    c = confusions[split]
    with col:
        st.markdown(f"**{split} set: {c.accuracy * 100:.1f} % right** ({c.tn + c.tp} of {c.total} images)")
        fig = figures_eval.confusion_figure(
            c.matrix, classes, None, chosen=chosen[1:] if chosen[0] == split else None, height=240
        )
        st.plotly_chart(  # its selection is read above, before the charts are drawn
            fig,
            theme=None,
            on_select="rerun",
            selection_mode="points",
            key=f"eval_cm_{split}",
            config={"displayModeBar": False},
            width="stretch",
        )

st.caption(f"Model: {description}. Data: {dataset.source}.")  # under the matrices: they come first

cells = [(s, t, q) for s in SPLITS for t in (0, 1) for q in (0, 1)]
if st.session_state.get(CELL_KEY) not in cells:
    st.session_state[CELL_KEY] = ("test", 0, 1)
cell = st.selectbox("Images of the cell", cells, key=CELL_KEY, format_func=lambda c: cell_label(c, classes))
split, t, q = cell
idx = cell_indices(y[split], p[split], threshold, t, q)
images = dataset.train_x if split == "train" else dataset.test_x
if idx.size == 0:
    st.caption("No image in this cell at this threshold.")
else:
    st.caption(
        f"{idx.size} image(s), most confident first"
        + (f" (the first {SHOW_MAX} shown)" if idx.size > SHOW_MAX else "")
        + "; frame colour = true label."
    )
    shown = idx[:SHOW_MAX]
    for start in range(0, len(shown), GRID):
        row = st.columns(GRID)
        for col, i in zip(row, shown[start : start + GRID], strict=False):
            prob = float(p[split][i])
            col.image(
                figures.thumbnail_png(images[i], scale=2, border_color=figures.CLASS_COLORS[t]),
                width="stretch",
                output_format="PNG",
                caption=f"#{int(i)} P({classes[1]}) = {prob:.2f}",
            )

# -- per-class numbers ------------------------------------------------------------------
st.header("Per class")
rows = []
for split in SPLITS:
    for m in class_metrics(confusions[split]):
        rows.append(
            {
                "set": split,
                "class": f"{m.label} = {classes[m.label]}",
                "images": m.support,
                "accuracy on this class (recall) %": 100 * m.recall,
                "precision %": 100 * m.precision,
                "predicted as this class": m.predicted,
            }
        )
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        k: st.column_config.NumberColumn(format="%.1f") for k in ("accuracy on this class (recall) %", "precision %")
    },
)
st.caption(
    "Recall: of the images truly in the class, the share found. Precision: of the images the model put "
    "in the class, the share that belong there. A blank cell: nothing to divide by."
)

# -- ROC ----------------------------------------------------------------------------------
st.header("ROC curve")
curves, points = {}, {}
for split in SPLITS:
    try:
        fpr, tpr, _ = roc_curve(y[split], p[split])
    except ValueError as exc:
        st.caption(f"{split} set: {exc}")
        continue
    curves[f"{split} set"] = (fpr, tpr, roc_auc(fpr, tpr))
    points[f"{split} set"] = roc_point(confusions[split])
if curves:
    st.plotly_chart(figures_eval.roc_figure(curves, points, threshold), theme=None, key="eval_roc")
st.caption(
    "Each threshold is one point: lower thresholds move up and to the right (more images called "
    f"{classes[1]}, right or wrong). The dots mark the threshold of the slider."
)
