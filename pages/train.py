"""Train: one click trains several runs from w = 0, b = 0 and their cost curves grow live.

Compare pixel scalings (raw, / 255, z-score) at one learning rate, or several
learning rates for one scaling. Runs are kept in the session; a Stop keeps
each run exactly where the chart showed it. The comparison's /255 run becomes
the Predict page's model unless the user picked another run or uploaded a model.
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
from logreg_core.trajectory import MIN_EVERY
from ui import figures, lesson, session, shared

MODES = lesson.MODES
COURSE_RATES = "0.01, 0.001, 0.0001"
COURSE_ITERATIONS = "1500"  # the course's table of learning rates uses 1500 iterations
MAX_ITERATIONS = 100_000  # on a shared server
FRAME_PERIOD = 0.07  # live chart: aim for a new frame every 0.07 s while training
MIN_STEP_SECONDS = 0.03  # … but training always gets at least this long between two frames
DRAW_SHARE = 0.2  # … and at least 4× as long as the last frame took to draw (a busy server draws fewer)
MAX_STEP_SECONDS = 0.25  # … but never so long that a slow first frame leaves the class without a curve
NORMAL_SECONDS = 1.5  # a comparison takes at least this long, so the curves are seen growing
#: Iterations per step() call between checks of the clock; runs stop at its multiples, where shared
#: trajectories keep checkpoints, so a run another student already trained is followed, not recomputed.
STEP_CHUNK = MIN_EVERY
TURN_SECONDS = 0.02  # a session steps its runs for up to this long per turn at the server's scheduler
LIVE_MAX_POINTS = 60  # points per cost curve in a live frame (the final chart has them all)
#: Short pill labels: three pills must fit a narrow column (the help and the legend give the long names).
SHORT_SCALING = {"none": "raw", "255": "/ 255", "zscore": "z-score"}
SETTING_KEYS = ("train_mode", "train_iterations", "train_rate", "train_scalings", "train_rates", "train_rate_scaling")

#: A narrow main column (the sidebar open at 150 % zoom leaves ~370 px): the page's columns wrap, two at most
#: per row, instead of breaking labels mid-word. A container query, scoped to this page's keyed container.
NARROW_CSS = (
    "<style>.st-key-{key}{{container-type:inline-size}}"
    "@container (max-width: 600px){{.st-key-{key} [data-testid='stHorizontalBlock']{{flex-wrap:wrap !important}}"
    ".st-key-{key} [data-testid='stColumn']{{min-width:calc(50% - 1rem) !important}}}}</style>"
)


def apply_course_preset():
    """Button callback: the course's three learning rates at 1500 iterations, then train at once."""
    lesson.set_value("train_mode", MODES[1])
    lesson.set_value("train_rates", COURSE_RATES)
    lesson.set_value("train_iterations", COURSE_ITERATIONS)
    st.session_state["train_requested"] = True


def parse_iterations(text):
    """A whole number of iterations in [1, MAX_ITERATIONS]; raises ValueError saying what was expected."""
    try:
        value = int(str(text).replace(",", "").replace("_", "").strip())
    except ValueError:
        raise ValueError(f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}; got {text!r}") from None
    if not 1 <= value <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}; got {value:,}")
    return value


def parse_rate(text):
    """One learning rate > 0; raises ValueError saying what was expected."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"the learning rate must be a number > 0, e.g. 0.005; got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"the learning rate must be a number > 0, e.g. 0.005; got {text!r}")
    return value


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
        "colors": figures.run_colors(
            len(runs), [tr.run.settings.scaling for tr in runs] if runs and runs[0].info.mode == "scalings" else None
        ),
        "x_max": max((tr.run.settings.num_iterations for tr in runs), default=None),
    }


def two_decimals(percent):
    """An accuracy cut (not rounded) to two decimals, as the course prints it: 186/209 → 88.99."""
    return math.floor(percent * 100 + 1e-9) / 100 if math.isfinite(percent) else percent


def summary_table(runs):
    """One row per run: status, iterations, cost, accuracies (two decimals, as the course) and the gap."""
    rows = []
    for tr in runs:
        s = summarize(tr.run)
        rows.append(
            {
                "run": tr.label,
                "scaling": SCALING_LABELS[s["scaling"]],
                "α": s["learning_rate"],
                "status": s["status"],
                "iterations": s["iteration"],
                "cost": s["cost"],
                "train acc. %": two_decimals(s["train_accuracy"]),
                "test acc. %": two_decimals(s["test_accuracy"]),
                "gap": two_decimals(s["train_accuracy"]) - two_decimals(s["test_accuracy"]),
            }
        )
    table = pd.DataFrame(rows)
    # The run's label already names what differs; keep the column that does not repeat it.
    mode = runs[0].info.mode if runs else None
    return table.drop(columns=["scaling"] if mode == "scalings" else ["α"] if mode == "rates" else [])


def live_table_markdown(runs, snaps):
    """A light table for live frames: where each run is, from the states the chart shows."""
    lines = ["| run | iteration | cost | train acc. | test acc. |", "|---|---:|---:|---:|---:|"]
    for tr, snap in zip(runs, snaps, strict=False):
        if snap is None:
            lines.append(f"| {tr.label} | 0 | – | – | – |")
            continue
        test = f"{snap.test_accuracy:.2f} %" if snap.test_accuracy is not None else "–"
        cost = f"{snap.cost:.4g}" if math.isfinite(snap.cost) else "–"
        lines.append(f"| {tr.label} | {snap.iteration} | {cost} | {snap.train_accuracy:.2f} % | {test} |")
    return "\n".join(lines)


def draw(slots, runs, log_y, frame=None, presenting=False, snaps=None):
    """The chart (cost and accuracy) and the table of some runs into the page's slots.

    A live frame (``frame`` given) also gets ``snaps``, each run's current
    snapshot: once the chart has gone out, each run's ``shown`` becomes its
    snapshot, so a Stop arriving at any later call freezes the runs where the chart is.
    """
    c = run_curves(runs)
    live = frame is not None
    height = figures.TRAINING_HEIGHT_PRESENTING if presenting else figures.TRAINING_HEIGHT
    # Live frames are static plots: each frame replaces the chart, so hover and zoom are no use yet
    # and the browser draws a static plot faster.
    slots["chart"].plotly_chart(
        figures.training_figure(
            c["names"],
            c["costs"],
            c["iterations"],
            c["train"],
            c["test"],
            c["statuses"],
            log_y=log_y,
            x_max=c["x_max"],
            colors=c["colors"],
            max_points=LIVE_MAX_POINTS if live else None,
            frame=frame,
            updates=c["updates"],
            height=height,
            scale=figures.PRESENTING_SCALE if presenting else 1.0,
        ),
        theme=None,
        config={"staticPlot": True} if live else {"displayModeBar": False},
    )
    if live:
        for tr, snap in zip(runs, snaps, strict=False):
            tr.shown = snap
        slots["table"].markdown(live_table_markdown(runs, snaps))
    else:
        slots["table"].dataframe(
            summary_table(runs),
            hide_index=True,
            width="stretch",
            column_config={
                "α": st.column_config.NumberColumn(format="%g"),
                "cost": st.column_config.NumberColumn(format="%.4g"),
                "iterations": st.column_config.NumberColumn("iter.", format="%d"),
                "train acc. %": st.column_config.NumberColumn(format="%.2f", help="training accuracy, percent"),
                "test acc. %": st.column_config.NumberColumn(format="%.2f", help="test accuracy, percent"),
                "gap": st.column_config.NumberColumn(
                    format="%+.2f", help="train − test accuracy in percentage points; large = overfitting"
                ),
            },
        )


def step_turn(runs, target, deadline, on_wait):
    """One turn at the server's scheduler: step the runs behind ``target`` for up to TURN_SECONDS.

    Returns False when no run is behind (nothing to do until the next frame).
    """
    behind = [tr for tr in runs if not tr.run.done and tr.run.iteration < target]
    if not behind:
        return False
    with shared.turn(on_wait):  # the runs' own steps inside do not queue again
        end = min(deadline, time.perf_counter() + TURN_SECONDS)
        while behind and time.perf_counter() < end:
            # Up to the next multiple of STEP_CHUNK (or the target), never past it.
            n = min(min(STEP_CHUNK - tr.run.iteration % STEP_CHUNK, target - tr.run.iteration) for tr in behind)
            shared.step_runs([tr.run for tr in behind], n)
            behind = [tr for tr in behind if not tr.run.done and tr.run.iteration < target]
    return bool(behind)


def train_live(dataset, specs, mode, slots, log_y, slow_seconds, presenting):
    """Train a comparison with a live chart, preparing its runs one by one; returns the runs and timings.

    The first run is prepared and drawn before the others are prepared, so the
    first curve appears at once. Each frame records the state it shows
    (``TrainedRun.shown``): a Stop interrupts the next Streamlit call and the
    runs are frozen there, so the screen, the stored run and its model agree.
    """
    slots["notes"].empty()  # notes about an earlier comparison would be stale
    clicked_at = time.perf_counter()
    comparison = session.start_batch(specs, mode)
    st.session_state["train_running"] = comparison.batch
    pending = session.prepare_runs(comparison, dataset, specs)
    runs = [next(pending)]
    total = max(spec.settings.num_iterations for spec in specs)
    duration = slow_seconds or NORMAL_SECONDS
    bar = slots["progress"].progress(0.0, text=f"Preparing run 2 of {len(specs)}…" if len(specs) > 1 else "")
    start = time.perf_counter()
    first_frame = None
    frames = 0
    shown = {"fraction": 0.0}

    def waiting(place):
        # Many students pressed Train at once: the server steps a few at a time, in order of arrival.
        ahead = "you are next" if place <= 1 else f"{place - 1} ahead of you"
        bar.progress(shown["fraction"], text=f"The server is busy: waiting for a turn ({ahead})…")

    # With many students training at once, each draws its share of the server's frames (ui/shared.py).
    charts = shared.live_charts()
    with charts.drawing():
        while True:
            snaps = [tr.run.current_snapshot() for tr in runs]
            finished = len(runs) == len(specs) and all(tr.run.done for tr in runs)
            drawing = time.perf_counter()
            draw(slots, runs, log_y, frame=frames, presenting=presenting, snaps=snaps)
            drawn = time.perf_counter() - drawing
            frames += 1
            if first_frame is None:
                first_frame = time.perf_counter() - clicked_at
            reached = min(max(tr.run.iteration for tr in runs), total)
            note = f"Iteration {reached:,} of {total:,}"
            if len(runs) < len(specs):
                note += f" · preparing run {len(runs) + 1} of {len(specs)}"
            shown["fraction"] = reached / total
            bar.progress(reached / total, text=note)
            if finished:
                break
            if len(runs) < len(specs):
                runs.append(next(pending))  # one run a frame: the curves already drawn keep moving
            # The deadline is set after the frame was drawn, so training gets its share however slow drawing is.
            # On a busy server (slow drawing) frames come less often, so training keeps most of the time.
            step_seconds = min(MAX_STEP_SECONDS, max(MIN_STEP_SECONDS, drawn * (1 - DRAW_SHARE) / DRAW_SHARE))
            period = charts.frame_period(FRAME_PERIOD)
            deadline = max(time.perf_counter() + max(step_seconds, period - drawn), start + (frames * FRAME_PERIOD))
            target = paced_target(deadline - start, duration, total, multiple=STEP_CHUNK)
            while time.perf_counter() < deadline and step_turn(runs, target, deadline, waiting):
                pass
            if len(runs) < len(specs) or not all(tr.run.done for tr in runs):
                time.sleep(max(0.0, deadline - time.perf_counter()))  # paced: not before the frame is due
            # else: the last frame is drawn at once (the chart shows the end as soon as it is there)
    seconds = time.perf_counter() - start
    slots["progress"].empty()
    for tr in runs:
        tr.shown = None  # the last frame showed the end: freeze there
    session.finish_batch(runs)
    st.session_state.pop("train_running", None)
    return runs, {"frames": frames, "seconds": seconds, "runs": len(runs), "first_frame": first_frame}


def show_notes(shown, runs, dataset):
    """Above the chart: stopped or diverged runs, data set mismatch."""
    if runs[0].dataset_source != dataset.source:
        st.caption(f"These runs were trained on **{runs[0].dataset_source}**, not on the data set in use now.")
    record = session.comparison(shown)
    if st.session_state.get(session.STOPPED_KEY) == shown:
        if record is not None and len(runs) < len(record.planned):
            missing = ", ".join(record.planned[len(runs) :])
            st.warning(
                f"Stopped while the runs were being prepared: {missing} never started. "
                f"The runs below keep what they learned (marked “stopped”)."
            )
        elif any(tr.status == "stopped" for tr in runs):
            its = ", ".join(f"{tr.label} at {tr.run.iteration:,}" for tr in runs if tr.status == "stopped")
            st.warning(f"Training was stopped ({its} iterations). The runs keep what the chart showed.")
    for tr in runs:
        if tr.status == "diverged":
            st.error(
                f"**{tr.label}** diverged after {tr.run.iteration} iterations: the numbers overflowed, so "
                f"its curve ends at ✕. Use a smaller learning rate or scale the pixels."
            )


def show_use_and_download(runs, shown):
    """Which run the Predict page uses (the teacher's choice), and the downloads."""
    usable = [tr for tr in runs if tr.model is not None and tr.status != "diverged"]
    model, description = session.get_model()
    st.markdown(f"**The Predict page uses:** {description}")
    if not usable:
        st.warning("Every run of this comparison diverged, so there is no model to use. Try a smaller learning rate.")
        return
    labels = {tr.name: tr.label for tr in usable}
    names = list(labels)
    current = next((tr.name for tr in usable if tr.model is model), None)
    if st.session_state.get("train_pick") not in labels:
        st.session_state["train_pick"] = current or names[0]
    pick = st.selectbox("Run for Predict", names, format_func=labels.get, key="train_pick")
    chosen = next(tr for tr in usable if tr.name == pick)
    st.button(
        "Use on Predict",
        key="train_use",
        width="stretch",
        disabled=chosen.model is model,
        on_click=session.use_for_predictions,
        args=(chosen,),
        help="The Predict page keeps this run until you pick another or upload a model.",
    )
    settings = chosen.run.settings
    st.download_button(
        "Model (.npz)",
        data=partial(model_to_bytes, chosen.model),
        icon=":material/download:",
        file_name=f"model_{settings.scaling}_lr{settings.learning_rate:g}.npz",
        mime="application/octet-stream",
        key="train_download_model",
        on_click="ignore",
        width="stretch",
    )
    st.download_button(
        "Costs (.csv)",
        icon=":material/download:",
        data=partial(costs_csv, [tr.label for tr in runs], [tr.run.costs for tr in runs]),
        file_name=f"costs_comparison_{shown}.csv",
        mime="text/csv",
        key="train_download_costs",
        on_click="ignore",
        width="stretch",
    )


def controls(presenting):
    """The settings and buttons; returns (specs or None, mode code, log_y, slow seconds, clicked, stop slot)."""
    lesson.seed_widgets(*SETTING_KEYS)
    specs = None
    mode = st.radio(
        "Compare",
        MODES,
        key="train_mode",
        horizontal=True,
        format_func=lambda m: "scalings" if m == MODES[0] else "learning rates",
    )
    c1, c2 = st.columns(2)
    with c1:
        iterations_text = st.text_input("Iterations", key="train_iterations", help=f"1 to {MAX_ITERATIONS:,}")
    # Every widget is drawn first, then the values are read: a bad value never hides the other fields.
    if mode == MODES[0]:
        with c2:
            rate_text = st.text_input("Rate α", key="train_rate", help="Any number > 0; try 1e-6 … 1000.")
        scalings = st.pills(
            "Scalings",
            SCALINGS,
            selection_mode="multi",
            format_func=SHORT_SCALING.get,
            key="train_scalings",
            help="raw pixels 0–255 · pixels / 255 · z-score (standardized per feature)",
        )
    else:
        with c2:
            scaling = st.selectbox("Scaling", SCALINGS, format_func=SCALING_LABELS.get, key="train_rate_scaling")
        rates_text = st.text_input("Rates α (comma-separated)", key="train_rates")
    problems = []
    try:
        iterations = parse_iterations(iterations_text)
    except ValueError as exc:
        problems.append(str(exc))
        iterations = None
    try:
        if mode == MODES[0]:
            rate = parse_rate(rate_text)
            if not scalings:
                raise ValueError("pick at least one pixel scaling")
            if iterations is not None:
                specs = session.scaling_specs(scalings, rate, iterations)
        else:
            rates = parse_rates(rates_text)
            if iterations is not None:
                specs = session.rate_specs(rates, scaling, iterations)
    except ValueError as exc:
        problems.append(str(exc))
    problem = "; ".join(problems) or None
    lesson.remember(*SETTING_KEYS)
    if problem:
        st.error(f"Cannot train: {problem}.")
        specs = None
    b1, b2 = st.columns(2)
    with b1:
        clicked = st.button("▶ Train", type="primary", key="train_go", disabled=specs is None, width="stretch")
    with b2:
        stop_slot = st.empty()
    st.button(
        "Course: 3 rates",
        key="train_preset",
        icon=":material/school:",
        on_click=apply_course_preset,
        width="stretch",
        help="The course's table: three learning rates, 1500 iterations, "
        "for the scaling chosen here. Fills them in and trains at once.",
    )
    t1, t2 = st.columns(2)
    with t1:
        log_y = st.toggle("Log cost", value=True, key="train_log")
    with t2:
        slow = st.toggle("Slow", value=False, key="train_slow")
    slow_seconds = 0
    if slow:
        slow_seconds = st.select_slider("Slow-motion length (s)", [3, 5, 10, 20, 30], value=5, key="train_slow_seconds")
    st.button(
        "Reset to defaults",
        key="train_reset",
        on_click=lesson.reset,
        type="tertiary",
        help="Every setting back to its default; the address bar follows.",
    )
    return specs, ("scalings" if mode == MODES[0] else "rates"), log_y, slow_seconds, clicked, stop_slot


# ---------------------------------------------------------------------------
presenting = lesson.presenting()
st.title(
    "Train the one-neuron network",
    help="Every run starts from w = 0, b = 0 (cost ln 2 ≈ 0.693) and "
    "takes gradient-descent steps on the training set: how do the pixel scaling and the learning rate "
    "change the cost curve?",
)

dataset = session.get_dataset()
st.html(NARROW_CSS.format(key="train_page"))
left, right = st.container(key="train_page").columns([1.15, 2.85], gap="small")
with left:
    specs, mode, log_y, slow_seconds, clicked, stop_slot = controls(presenting)
requested = bool(st.session_state.pop("train_requested", False))
training = bool((clicked or requested) and specs)
stop_slot.button(
    "■ Stop",
    key="train_stop",
    disabled=not training,
    width="stretch",
    help="Stops training where the chart is; the part already trained is kept.",
)
with right:
    slots = {"progress": st.empty(), "notes": st.empty(), "chart": st.empty(), "table": st.empty()}

if training:
    _, stats = train_live(dataset, specs, mode, slots, log_y, slow_seconds, presenting)
    st.session_state["train_stats"] = stats
    st.session_state.pop(session.STOPPED_KEY, None)
    # Training is over: the Stop button goes back to disabled (another key: one key per state).
    stop_slot.button("■ Stop", key="train_stop_done", disabled=True, width="stretch")

batch_ids = session.batches()
if not batch_ids:
    with slots["notes"].container():
        stopped = st.session_state.get(session.STOPPED_KEY)
        if stopped is not None and session.comparison(stopped) is not None:
            st.warning("Stopped while the first run was being prepared: nothing was trained.")
        st.info("No runs yet. Choose what to compare and press **▶ Train** — three runs take a few seconds.")
else:
    if st.session_state.get(session.SHOWN_KEY) not in batch_ids:
        st.session_state[session.SHOWN_KEY] = batch_ids[-1]
    shown = st.session_state[session.SHOWN_KEY]
    runs = session.batch_runs(shown)
    with slots["notes"].container():
        show_notes(shown, runs, dataset)
    draw(slots, runs, log_y, presenting=presenting)
    stats = st.session_state.get("train_stats")
    if stats and training:
        with right:
            st.caption(
                f"Trained {stats['runs']} runs in {stats['seconds']:.1f} s; the first curve was sent "
                f"{stats['first_frame']:.2f} s after the click."
            )
    with left:
        if len(batch_ids) > 1:
            st.selectbox(
                "Comparison shown",
                list(reversed(batch_ids)),
                key=session.SHOWN_KEY,
                format_func=session.batch_labels(batch_ids).get,
            )
        show_use_and_download(runs, shown)
        with st.expander("Forget runs"):
            st.caption(
                f"{len(session.get_runs())} runs are kept for this session (the latest "
                f"{session.MAX_BATCHES} comparisons). The Predict page keeps its model."
            )
            st.button("Forget all runs", key="train_clear", on_click=session.clear_runs)
