"""Weights: the trained w reshaped back into an image, and how it forms during training."""

from __future__ import annotations

import time

import streamlit as st

from logreg_core.compare import snapshot_at, snapshot_iterations, snapshot_weights
from logreg_core.preprocess import unflatten
from ui import figures, session

PLAY_SECONDS = 4.0  # the whole animation, however many snapshots
FIGURE_HEIGHT = 270  # one run's four panels; the first run fits a 150 % zoomed projector (853×480) under the controls


def run_figure(trained, iteration, vmax, frame=None):
    """The weights figure of one run at the snapshot nearest before ``iteration`` (colour range ±vmax or its own)."""
    shape = trained.image_shape
    snap = snapshot_at(trained.run.snapshots, iteration)
    if snap is None:
        return None, None
    fig = figures.weights_figure(
        unflatten(snap.w, shape),
        vmax=vmax,
        frame=frame,
        title=f"{trained.label} — iteration {snap.iteration}",
        height=FIGURE_HEIGHT,
    )
    return fig, snap


def caption_for(snap):
    """Cost and accuracies at a snapshot, one line."""
    test = f", test {snap.test_accuracy:.2f} %" if snap.test_accuracy is not None else ""
    return f"cost {snap.cost:.4g} · train accuracy {snap.train_accuracy:.2f} %{test}"


def draw_runs(slots, runs, iteration, vmaxes, frame=None):
    """Each run's weights at ``iteration`` into its (chart, caption) slot; ``vmaxes`` has one range (or None) a run."""
    for (chart, note), tr, vmax in zip(slots, runs, vmaxes, strict=False):
        fig, snap = run_figure(tr, iteration, vmax, frame)
        if fig is None:
            note.caption(f"{tr.label}: no snapshot yet.")
            continue
        chart.plotly_chart(fig, theme=None, width="stretch")
        note.caption(
            caption_for(snap)
            + (" · diverged" if tr.status == "diverged" else "")
            + (" · stopped early" if tr.status == "stopped" else "")
        )


def empty_state(dataset):
    """No runs yet: say so, and offer to train the default comparison here."""
    st.info(
        "No runs yet: nothing has been trained in this session. Train on the **Train** page, or here "
        "with one click (raw pixels, / 255 and z-score; α = 0.005, 2000 iterations)."
    )
    if st.button("Train with defaults", key="weights_train_defaults", type="primary"):
        bar = st.progress(0.0, text="Starting…")
        session.train_batch(
            dataset,
            session.default_specs(),
            "scalings",
            progress=lambda fraction, text: bar.progress(min(1.0, fraction), text=text),
        )
        st.rerun()


def show_weights(batch_ids, dataset):
    """Controls, one weights figure per run of the chosen comparison, and the play button."""
    controls = st.columns([3, 2.6, 2, 1.1])  # the comparison's label needs the room
    with controls[0]:
        shown = st.selectbox(
            "Comparison",
            list(reversed(batch_ids)),
            key="weights_batch",
            format_func=session.batch_labels(batch_ids).get,
        )
        if shown not in batch_ids:
            shown = batch_ids[-1]
    runs = session.batch_runs(shown)
    its = snapshot_iterations([tr.run for tr in runs]) or [0]
    with controls[1]:
        iteration = st.select_slider("Iteration (snapshots)", options=its, value=its[-1], key="weights_iteration")
    with controls[2]:
        fixed_range = (
            st.radio(
                "Colour range",
                ["same at every iteration", "rescaled per iteration"],
                key="weights_range",
                horizontal=False,
            )
            == "same at every iteration"
        )
    with controls[3]:
        play = st.button(
            "▶ Play",
            key="weights_play",
            width="stretch",
            help=f"Step through the snapshots from iteration 0 in about {PLAY_SECONDS:g} s.",
        )
        stop_slot = st.empty()

    if runs[0].image_shape != dataset.image_shape or runs[0].dataset_source != dataset.source:
        classes = runs[0].classes
        st.caption(
            f"Trained on **{runs[0].dataset_source}** (images {'×'.join(map(str, runs[0].image_shape))}; "
            f"label 0 = {classes[0]}, label 1 = {classes[1]})."
        )

    # "Same at every iteration": the largest |w| a run ever reached, worked out once, not every frame of Play.
    vmaxes = [figures.weight_range(snapshot_weights(tr.run.snapshots)) if fixed_range else None for tr in runs]
    # One row per run, four panels across: the same channel of every run lines up in a column.
    progress = st.empty()
    slots = [(st.empty(), st.empty()) for _ in runs]

    if play:
        stop_slot.button("■ Stop", key="weights_stop", width="stretch", help="Stop the animation here.")
        bar = progress.progress(0.0, text="Playing…")
        start, frame, k = time.perf_counter(), 0, 0
        while k < len(its):
            draw_runs(slots, runs, its[k], vmaxes, frame=frame)
            frame += 1
            bar.progress((k + 1) / len(its), text=f"Iteration {its[k]:,} of {its[-1]:,}")
            # Paced by the clock: a slow machine skips snapshots instead of taking longer.
            due = PLAY_SECONDS * (k + 1) / len(its)
            time.sleep(max(0.0, start + due - time.perf_counter()))
            due_k = max(k + 1, int((time.perf_counter() - start) / PLAY_SECONDS * len(its)))
            k = len(its) - 1 if due_k >= len(its) and k < len(its) - 1 else due_k  # the last one is always shown
        progress.empty()
        stop_slot.empty()
    draw_runs(slots, runs, iteration, vmaxes)

    colour_key(dataset)
    with st.expander("How to read these pictures"):
        st.markdown(
            "Each run has its own colour range (raw pixels give much larger weights than z-scored ones), "
            "centred at 0. With “same at every iteration” the range is the largest |w| the run ever reached, "
            "so you can watch the weights grow out of white. Whether they form a recognisable picture depends on the "
            "data: on small or varied photos they mostly look like noise, which is part of the lesson — one neuron "
            "weighs colours at fixed places. The composite shows all three channels at once: "
            "grey = 0, a brighter red/green/blue = a more positive weight in that channel."
        )


def colour_key(dataset):
    """What red and blue mean: under the pictures (the first run's pictures come first on a small screen)."""
    st.caption(
        "One weight per input number, reshaped back into the image: **red** weights push towards label 1 "
        f"(“{dataset.classes[1]}”), **blue** weights towards label 0 (“{dataset.classes[0]}”), white ≈ 0."
    )


# ---------------------------------------------------------------------------
st.title("Weights: what the neuron looks for")
dataset = session.get_dataset()

batch_ids = session.batches()
if batch_ids:
    show_weights(batch_ids, dataset)
else:
    empty_state(dataset)
