"""Train: one click trains several runs from w = 0, b = 0 and their cost curves grow live.

Compare pixel scalings (raw, / 255, z-score) at one learning rate, or several
learning rates for one scaling. Runs are kept in the session (a Stop keeps the
part already trained); the best run becomes the Predict page's model.
"""
from __future__ import annotations

import math
import time
from functools import partial

import pandas as pd
import streamlit as st

from logreg_core.compare import costs_csv, paced_target, summarize
from logreg_core.persistence import model_to_bytes
from logreg_core.preprocess import SCALING_LABELS
from logreg_core.settings import SCALINGS
from ui import figures, session

MODES = ("Compare pixel scalings", "Compare learning rates")
COURSE_RATES = "0.01, 0.001, 0.0001"
FRAME_PERIOD = 0.08           # live chart: a new frame every 0.08 s (12 per second) while training
NORMAL_SECONDS = 1.5          # a comparison takes at least this long, so the curves are seen growing
STEP_CHUNK = 10               # iterations per step() call between checks of the clock
LIVE_MAX_POINTS = 300         # points per curve in a live frame (the final chart has them all)


def apply_course_preset():
    """Button callback: the course's three learning rates, then train at once."""
    st.session_state["train_mode"] = MODES[1]
    st.session_state["train_rates"] = COURSE_RATES
    st.session_state["train_requested"] = True


def parse_rates(text):
    """Learning rates from text like "0.01, 0.001 1e-4"; raises ValueError naming a bad entry."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError("enter at least one learning rate, e.g. 0.01, 0.001, 0.0001")
    rates = []
    for p in parts:
        try:
            rates.append(float(p))
        except ValueError:
            raise ValueError(f"{p.strip()!r} is not a number; write rates like 0.01, 0.001, 0.0001") from None
    if len(rates) > 6:
        raise ValueError(f"at most 6 learning rates at once; got {len(rates)}")
    return list(dict.fromkeys(rates))


def run_curves(runs):
    """Plain arrays for the figures, one entry per run."""
    return {
        "names": [tr.label for tr in runs],
        "costs": [tr.run.costs for tr in runs],
        "statuses": [tr.status for tr in runs],
        "updates": [tr.run.iteration for tr in runs],
        "iterations": [[s.iteration for s in tr.run.snapshots] for tr in runs],
        "train": [[s.train_accuracy for s in tr.run.snapshots] for tr in runs],
        "test": [[s.test_accuracy for s in tr.run.snapshots if s.test_accuracy is not None] for tr in runs],
        "colors": figures.run_colors(len(runs), [tr.run.settings.scaling for tr in runs]
                                     if runs and runs[0].extra.get("mode") == "scalings" else None),
        "x_max": max((tr.run.settings.num_iterations for tr in runs), default=None),
    }


def summary_table(runs):
    """One row per run: status, iterations, cost, accuracies and the train − test gap."""
    rows = []
    for tr in runs:
        s = summarize(tr.run)
        rows.append({
            "run": tr.label, "scaling": SCALING_LABELS[s["scaling"]], "α": s["learning_rate"],
            "status": s["status"], "iterations": s["iteration"], "cost": s["cost"],
            "train accuracy (%)": s["train_accuracy"], "test accuracy (%)": s["test_accuracy"],
            "gap train − test": s["gap"],
        })
    table = pd.DataFrame(rows)
    # The run's label already names what differs; keep the column that does not repeat it.
    mode = runs[0].extra.get("mode") if runs else None
    return table.drop(columns=["scaling"] if mode == "scalings" else ["α"] if mode == "rates" else [])


def live_table_markdown(runs):
    """A light table for live frames."""
    lines = ["| run | iteration | cost | train acc. | test acc. |", "|---|---:|---:|---:|---:|"]
    for tr in runs:
        s = summarize(tr.run)
        cost = f"{s['cost']:.4g}" if math.isfinite(s["cost"]) else "–"
        test = f"{s['test_accuracy']:.0f} %" if math.isfinite(s["test_accuracy"]) else "–"
        train = f"{s['train_accuracy']:.0f} %" if math.isfinite(s["train_accuracy"]) else "–"
        lines.append(f"| {tr.label} | {s['iteration']} | {cost} | {train} | {test} |")
    return "\n".join(lines)


def draw(slots, runs, log_y, frame=None):
    """The chart (cost and accuracy) and the table of some runs into the page's slots; ``frame`` = live."""
    c = run_curves(runs)
    live = frame is not None
    # Live frames are static plots: each frame replaces the chart, so hover and zoom are no use yet
    # and the browser draws a static plot faster.
    slots["chart"].plotly_chart(figures.training_figure(
        c["names"], c["costs"], c["iterations"], c["train"], c["test"], c["statuses"], log_y=log_y,
        x_max=c["x_max"], colors=c["colors"], max_points=LIVE_MAX_POINTS if live else None, frame=frame,
        updates=c["updates"]),
        theme=None, config={"staticPlot": True} if live else None)
    if live:
        slots["table"].markdown(live_table_markdown(runs))
    else:
        slots["table"].dataframe(
            summary_table(runs), hide_index=True, width="stretch",
            column_config={
                "α": st.column_config.NumberColumn(format="%g"),
                "cost": st.column_config.NumberColumn(format="%.4g"),
                "train accuracy (%)": st.column_config.NumberColumn(format="%.1f"),
                "test accuracy (%)": st.column_config.NumberColumn(format="%.1f"),
                "gap train − test": st.column_config.NumberColumn(format="%+.1f",
                                                                  help="percentage points; large = overfitting"),
            })


def train_live(dataset, specs, mode, slots, log_y, slow_seconds):
    """Train a comparison with a live chart; returns the runs and what the live view measured."""
    slots["notes"].empty()          # notes about an earlier comparison would be stale
    bar = slots["progress"].progress(0.0, text="Preparing the runs…")
    prep_start = time.perf_counter()
    runs = session.start_batch(dataset, specs, mode, on_prepared=lambda done, total: bar.progress(
        0.1 * done / total, text=f"Preparing run {done} of {total} (flattening and scaling)…"))
    total = max(tr.run.settings.num_iterations for tr in runs)
    start = frame_start = time.perf_counter()
    frames = 0
    duration = slow_seconds or NORMAL_SECONDS
    while True:
        # Paced: by the next frame every run should be where it belongs after this share of the
        # duration. If the machine is slower, step until the frame is due and draw what there is.
        deadline = frame_start + FRAME_PERIOD
        target = paced_target(deadline - start, duration, total)
        while time.perf_counter() < deadline:
            behind = [tr for tr in runs if not tr.run.done and tr.run.iteration < target]
            if not behind:
                break
            for tr in behind:
                tr.run.step(min(STEP_CHUNK, target - tr.run.iteration))
        time.sleep(max(0.0, deadline - time.perf_counter()))
        frame_start = time.perf_counter()
        finished = all(tr.run.done for tr in runs)
        draw(slots, runs, log_y, frame=frames)
        frames += 1
        reached = min(max(tr.run.iteration for tr in runs), total)
        bar.progress(0.1 + 0.9 * reached / total, text=f"Iteration {reached:,} of {total:,}")
        if finished:
            break
    seconds = time.perf_counter() - start
    slots["progress"].empty()
    session.finish_batch(runs)
    return runs, {"frames": frames, "seconds": seconds, "runs": len(runs), "prepare": start - prep_start}


def show_results(slots, batch_ids, dataset, log_y, training):
    """The comparison chosen (the latest by default): notes, charts, table, model choice, downloads."""
    with slots["notes"].container():
        if len(batch_ids) > 1:
            if training:            # a comparison just trained is the one to show
                st.session_state["train_show_batch"] = batch_ids[-1]
            shown = st.selectbox("Comparison shown", list(reversed(batch_ids)), key="train_show_batch",
                                 format_func=session.batch_labels(batch_ids).get)
        else:
            shown = batch_ids[-1]
        runs = session.batch_runs(shown)
        if runs[0].dataset_source != dataset.source:
            st.caption(f"These runs were trained on **{runs[0].dataset_source}**, not on the data set in use now.")
        stats = st.session_state.get("train_stats")
        if stats and shown == batch_ids[-1] and training:
            per_second = stats["frames"] / stats["seconds"] if stats["seconds"] > 0 else float("nan")
            st.caption(f"Prepared {stats['runs']} runs in {stats['prepare']:.1f} s, trained them in "
                       f"{stats['seconds']:.1f} s ({stats['frames']} chart updates, {per_second:.0f} per second).")
        if st.session_state.get(session.STOPPED_KEY) == shown and any(tr.status == "stopped" for tr in runs):
            st.warning("Training was stopped. The runs below keep what they learned so far (marked “stopped”).")
        for tr in runs:
            if tr.status == "diverged":
                st.error(f"**{tr.label}** diverged after {tr.run.iteration} iterations: the numbers overflowed, so "
                         f"its curve ends at ✕. Use a smaller learning rate or scale the pixels.")

    draw(slots, runs, log_y)

    st.subheader("Use and download")
    usable = [tr for tr in runs if tr.model is not None and tr.status != "diverged"]
    model, description = session.get_model()
    st.markdown(f"**The Predict page uses:** {description}")
    if usable:
        c1, c2, c3, c4 = st.columns([2, 1.2, 1.2, 1.2])
        current = next((i for i, tr in enumerate(usable) if tr.model is model), 0)
        with c1:
            pick = st.selectbox("Run", range(len(usable)), index=current, format_func=lambda i: usable[i].label,
                                key=f"train_pick_{shown}", label_visibility="collapsed")
        chosen = usable[pick]
        with c2:
            st.button("Use this run on Predict", key="train_use", width="stretch",
                      disabled=chosen.model is model, on_click=session.use_for_predictions, args=(chosen,))
        with c3:
            st.download_button("Download model (.npz)", data=partial(model_to_bytes, chosen.model),
                               file_name=f"model_{chosen.run.settings.scaling}_lr{chosen.run.settings.learning_rate:g}.npz",
                               mime="application/octet-stream", key="train_download_model", on_click="ignore",
                               width="stretch")
        with c4:
            st.download_button("Download costs (.csv)",
                               data=partial(costs_csv, [tr.label for tr in runs], [tr.run.costs for tr in runs]),
                               file_name=f"costs_comparison_{shown}.csv", mime="text/csv",
                               key="train_download_costs", on_click="ignore", width="stretch")
    else:
        st.warning("Every run of this comparison diverged, so there is no model to use. Try a smaller learning rate.")

    with st.expander("Forget runs"):
        st.caption(f"{len(session.get_runs())} runs are kept for this session (the latest {session.MAX_BATCHES} "
                   f"comparisons). The Predict page keeps its model.")
        st.button("Forget all runs", key="train_clear", on_click=session.clear_runs)


# ---------------------------------------------------------------------------
session.ensure_router()             # a deep link must still go through dashboard.py
st.title("Train the one-neuron network")
st.markdown("Every run starts from **w = 0, b = 0** (cost ln 2 ≈ 0.693) and takes gradient-descent steps on the "
            "training set: how do the pixel scaling and the learning rate change the cost curve?")

dataset = session.get_dataset()

with st.container(border=True):
    row_a = st.columns([2.2, 1.2, 1.2, 1.4], vertical_alignment="bottom")
    with row_a[0]:
        mode = st.radio("What to compare", MODES, horizontal=True, key="train_mode")
    with row_a[1]:
        log_y = st.toggle("Log-scale cost", value=True, key="train_log",
                          help="Raw pixels make the cost jump to huge values; a log axis shows every run.")
    with row_a[2]:
        slow = st.toggle("Slow motion", value=False, key="train_slow",
                         help=f"For the projector: spread the training over a few seconds "
                              f"(normal speed takes at least {NORMAL_SECONDS:g} s).")
    with row_a[3]:
        slow_seconds = st.select_slider("Slow-motion length (s)", [3, 5, 10, 20, 30], value=5,
                                        key="train_slow_seconds", disabled=not slow)
    row_b = st.columns([1, 1, 2.2])
    specs, problem = None, None
    with row_b[0]:
        iterations = st.number_input("Iterations", min_value=1, max_value=100_000, value=2000, step=500,
                                     key="train_iterations")
    if mode == MODES[0]:
        with row_b[1]:
            rate = st.number_input("Learning rate α", min_value=0.0, max_value=1000.0, value=0.005,
                                   step=0.001, format="%g", key="train_rate",
                                   help="Any number > 0; try 1e-6 … 1000.")
        with row_b[2]:
            scalings = st.pills("Pixel scalings", SCALINGS, selection_mode="multi", default=list(SCALINGS),
                                format_func=SCALING_LABELS.get, key="train_scalings")
        try:
            if not scalings:
                raise ValueError("pick at least one pixel scaling")
            specs = session.scaling_specs(scalings, rate, int(iterations))
        except ValueError as exc:
            problem = str(exc)
    else:
        st.session_state.setdefault("train_rates", COURSE_RATES)
        with row_b[1]:
            rates_text = st.text_input("Learning rates α (comma-separated)", key="train_rates")
        with row_b[2]:
            scaling = st.selectbox("Pixel scaling", SCALINGS, index=SCALINGS.index("255"),
                                   format_func=SCALING_LABELS.get, key="train_rate_scaling")
        try:
            specs = session.rate_specs(parse_rates(rates_text), scaling, int(iterations))
        except ValueError as exc:
            problem = str(exc)
    if problem:
        st.error(f"Cannot train with these settings: {problem}.")

    row_c = st.columns([1, 1, 2.2])
    with row_c[0]:
        clicked = st.button("▶ Train", type="primary", key="train_go", disabled=specs is None, width="stretch")
    requested = bool(st.session_state.pop("train_requested", False))
    training = bool((clicked or requested) and specs)
    with row_c[1]:
        stop_slot = st.empty()
        stop_slot.button("■ Stop", key="train_stop", disabled=not training, width="stretch",
                         help="Stops training; the part already trained is kept.")
    with row_c[2]:
        st.button("▶ Course rates 0.01 / 0.001 / 0.0001", key="train_preset", on_click=apply_course_preset,
                  help="Compares the course's three learning rates (for the scaling chosen there): "
                       "fills them in and trains at once.")

slots = {"progress": st.empty(), "notes": st.empty(), "chart": st.empty(), "table": st.empty()}

if training:
    _, stats = train_live(dataset, specs, "scalings" if mode == MODES[0] else "rates", slots, log_y,
                          slow_seconds if slow else 0)
    st.session_state["train_stats"] = stats
    st.session_state.pop(session.STOPPED_KEY, None)
    # Training is over: the Stop button goes back to disabled (another key: one key per run).
    stop_slot.button("■ Stop", key="train_stop_done", disabled=True, width="stretch")

batch_ids = session.batches()
if not batch_ids:
    with slots["notes"].container():
        st.info("No runs yet. Choose what to compare and press **▶ Train** — three runs take a few seconds.")
else:
    show_results(slots, batch_ids, dataset, log_y, training)
