"""The Train page's chart: cost curves and accuracies of a comparison, light enough for live frames."""

from __future__ import annotations

import math

import numpy as np

from .style import BASE_FONT, DASHES, LINE_WIDTH, SpecFigure, axis, fmt, grid, hline, layout, run_colors, typed_array

#: On a log axis, costs below this (a separable training set drives the cost to 0) are drawn here.
COST_FLOOR = 1e-6
LN2 = math.log(2.0)
#: Width of a live training frame until Streamlit measures the column (see :func:`training_figure`).
LIVE_WIDTH = 900
#: Height of the chart: fits a 720-px projector under the page title; taller in presentation mode.
TRAINING_HEIGHT = 350
TRAINING_HEIGHT_PRESENTING = 400


def _status_suffix(status, iterations):
    if status == "diverged":
        return f" — DIVERGED after {iterations} it."
    if status == "stopped":
        return f" — stopped after {iterations} it."
    return ""


def _finite_peak(a):
    """The largest finite value of ``a``, 0.0 if it has none."""
    finite = a[np.isfinite(a)]
    return float(np.max(finite)) if finite.size else 0.0


def _cost_parts(names, cost_lists, statuses, colors, log_y, max_points, xa="x", ya="y", updates=None):
    """Traces, shapes, annotations and y axis of the cost panel on axes (xa, ya)."""
    # A run's costs are a list of floats: fromiter reads it twice as fast as asarray (a live frame per run).
    arrays = [
        np.fromiter(c, np.float64, len(c)) if isinstance(c, list) else np.asarray(c, dtype=np.float64).reshape(-1)
        for c in cost_lists
    ]
    # The peaks only matter on a linear axis (where one exploding run is capped).
    peaks = [0.0] * len(arrays) if log_y else [_finite_peak(a) for a in arrays]
    # Linear axis: one exploding run (raw pixels) would flatten the others onto the x axis.
    cap = 1.5 if (not log_y and peaks and max(peaks) > 10.0) else None
    data, shapes, annotations, off_chart = [], [hline(LN2, axis=xa, yaxis=ya)], [], 0
    annotations.append(
        dict(
            xref=f"{xa} domain",
            yref=ya,
            x=1,
            y=math.log10(LN2) if log_y else LN2,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            text="ln 2 = start",
            font=dict(size=BASE_FONT - 3, color="#444444"),
        )
    )
    low_hit, drawn = False, []
    for k, (name, costs) in enumerate(zip(names, arrays, strict=False)):
        stride = int(math.ceil(costs.size / max_points)) if max_points and costs.size > max_points else 1
        idx = np.arange(0, costs.size, stride)
        if costs.size and idx[-1] != costs.size - 1:
            idx = np.append(idx, costs.size - 1)
        y = costs[idx]
        if log_y:
            low_hit = low_hit or bool(np.any(y < COST_FLOOR))
            y = np.maximum(y, COST_FLOOR)
        drawn.append(y)
        data.append(
            dict(
                type="scatter",
                x=typed_array(idx.astype(np.int32)),
                y=typed_array(y),
                mode="lines",
                xaxis=xa,
                yaxis=ya,
                legendgroup=str(k),
                name=name + _status_suffix(statuses[k], updates[k] if updates is not None else costs.size),
                line=dict(color=colors[k], width=LINE_WIDTH, dash=DASHES[k % len(DASHES)]),
                hovertemplate="iteration %{x}<br>cost %{y:.4g}<extra>" + name + "</extra>",
            )
        )
        if statuses[k] == "diverged" and costs.size:
            data.append(
                dict(
                    type="scatter",
                    x=[int(costs.size - 1)],
                    y=[float(y[-1])],
                    mode="markers+text",
                    xaxis=xa,
                    yaxis=ya,
                    showlegend=False,
                    hoverinfo="skip",
                    text=["diverged"],
                    textposition="top center",
                    marker=dict(symbol="x", size=22, color=colors[k], line=dict(width=2)),
                    textfont=dict(size=BASE_FONT, color=colors[k]),
                )
            )
        if cap is not None and peaks[k] > cap:
            annotations.append(
                dict(
                    xref=f"{xa} domain",
                    yref=f"{ya} domain",
                    x=0.99,
                    y=0.75 - 0.18 * off_chart,
                    xanchor="right",
                    showarrow=False,
                    bgcolor="rgba(255,255,255,0.85)",
                    font=dict(color=colors[k], size=BASE_FONT - 2),
                    text=f"{name}: peaks at {fmt(peaks[k])},<br>off the chart: try the log scale",  # 2 short lines fit
                )
            )
            off_chart += 1
    if log_y and low_hit:
        shapes.append(hline(COST_FLOOR, color="#888888", width=1, dash="solid", axis=xa, yaxis=ya))
        annotations.append(
            dict(
                xref=f"{xa} domain",
                yref=ya,
                x=0,
                y=math.log10(COST_FLOOR),
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=BASE_FONT - 4, color="#444444"),
                text="costs < 10<sup>−6</sup> (≈ 0) drawn here",
            )
        )
    if log_y:
        # One label per power of ten when the curves span decades; else also 2× and 5× (no 3, 4, 6… clutter).
        values = np.concatenate(drawn + [np.array([LN2])])
        decades = math.log10(float(np.max(values)) / float(np.min(values)))
        dtick = (2 if decades > 6 else 1) if decades > 1.5 else "D2"
        yaxis = axis(title="cost (log scale)", type="log", exponentformat="power", dtick=dtick)
    else:
        yaxis = axis(
            title="cost", type="linear", range=[0, cap if cap is not None else max(max(peaks, default=0.0), LN2) * 1.08]
        )
    return data, shapes, annotations, yaxis


def _accuracy_parts(
    names, iterations, train_accuracies, test_accuracies, statuses, colors, xa="x", ya="y", legend=True, markers=True
):
    """Traces, shapes, annotations and y axis of the accuracy panel on axes (xa, ya)."""
    data = []
    for k in range(len(names)):
        its = np.asarray(iterations[k], dtype=np.float64)
        for acc, part, dash, symbol in (
            (train_accuracies[k], "train", "solid", "circle"),
            (test_accuracies[k], "test", "dash", "diamond"),
        ):
            acc = np.asarray(acc if acc is not None else [], dtype=np.float64)
            if acc.size == 0:
                continue
            suffix = " (diverged)" if statuses[k] == "diverged" else ""
            data.append(
                dict(
                    type="scatter",
                    x=typed_array(its[: acc.size]),
                    y=typed_array(acc),
                    mode="lines+markers" if markers else "lines",
                    xaxis=xa,
                    yaxis=ya,
                    name=f"{names[k]}{suffix}",
                    legendgroup=str(k),
                    showlegend=legend and part == "train",
                    line=dict(color=colors[k], width=3, dash=dash),
                    marker=dict(size=9, symbol=symbol, color=colors[k]),
                    hovertemplate="iteration %{x}<br>" + part + " accuracy %{y:.1f} %<extra>" + names[k] + "</extra>",
                )
            )
    shapes = [hline(50, color="#888888", width=1, axis=xa, yaxis=ya)]
    annotations = [
        dict(
            xref=f"{xa} domain",
            yref=ya,
            x=1,
            y=50,
            xanchor="right",
            yanchor="top",
            showarrow=False,
            text="50 % = coin flip",
            font=dict(size=BASE_FONT - 4, color="#444444"),
        )
    ]
    # No axis title: the panel title names it, and a title would reach into the cost panel on a narrow screen.
    yaxis = axis(range=[0, 103], dtick=20, ticksuffix=" %")
    return data, shapes, annotations, yaxis


def _curve_inputs(names, statuses, colors):
    n = len(names)
    statuses = list(statuses) if statuses is not None else ["done"] * n
    colors = list(colors) if colors is not None else run_colors(n)
    return statuses, colors


def training_figure(
    names,
    cost_lists,
    iterations,
    train_accuracies,
    test_accuracies,
    statuses=None,
    *,
    log_y=True,
    x_max=None,
    colors=None,
    max_points=None,
    frame=None,
    updates=None,
    height=TRAINING_HEIGHT,
    scale=1.0,
):
    """The Train page's chart: cost curves (left) and accuracies at snapshots (right), one legend.

    One figure rather than two: while training, every update replaces the chart in the
    browser, and one chart redraws about twice as fast as two.

    Parameters
    ----------
    names : sequence of str
        One per run; the legend shows each run once (colour and dash of its cost curve).
    cost_lists : sequence of 1-D array_like
        ``cost_lists[k][i]`` = run k's cost before update i (finite; may be 0).
    iterations : sequence of 1-D array_like
        Per run, the iterations of its snapshots.
    train_accuracies, test_accuracies : sequence of 1-D array_like
        Per run, the accuracies (percent) at those snapshots; a run without a
        test set has an empty test list.
    statuses : sequence of str or None
        "running", "done", "stopped" or "diverged" per run; a diverged run is
        labelled as such and marked with ✕ at its last finite cost.
    log_y : bool, default True
        Log-scale cost axis; costs below :data:`COST_FLOOR` are drawn on the
        floor (a labelled line) because log(0) cannot be drawn.
    x_max : int or None
        Fix the x axes to [0, x_max] (so live curves grow across a fixed axis).
    colors : sequence of str or None
    max_points : int or None
        Draw at most about this many points per cost curve (live frames).
    frame : int or None
        A live frame: stored in ``layout.meta``; accuracy lines are drawn without markers.
    updates : sequence of int or None
        Updates each run applied, named in the legend of a stopped or diverged
        run (default: the length of its cost history).
    height : int, default TRAINING_HEIGHT
    scale : float, default 1.0
        Font scale (presentation mode).

    Returns
    -------
    fig : SpecFigure
        Cost traces on axes (x, y), accuracy traces on (x2, y2).
    """
    statuses, colors = _curve_inputs(names, statuses, colors)
    axes, titles = grid(
        1,
        2,
        ["cost J (training set)", "accuracy ● train ◆ test"],
        hspace=0.15,  # room for the accuracy ticks (100 %) at 150 % zoom
        col_widths=[0.58, 0.42],
        title_size=round(BASE_FONT * scale),
    )
    cost = _cost_parts(names, cost_lists, statuses, colors, log_y, max_points, "x", "y", updates=updates)
    # Live frames (frame given) leave out the markers: cheaper for the browser, redrawn 10+ times a second.
    acc = _accuracy_parts(
        names,
        iterations,
        train_accuracies,
        test_accuracies,
        statuses,
        colors,
        "x2",
        "y2",
        legend=False,
        markers=frame is None,
    )
    x_range = [0, x_max] if x_max else None
    # Horizontal ticks, few of them: a narrow panel (presentation mode, 150 % zoom) must never rotate them.
    axes["xaxis"].update(axis(title="iteration", range=x_range, scale=scale, tickangle=0, nticks=6))
    axes["yaxis"].update(cost[3])
    axes["xaxis2"].update(axis(title="iteration", range=x_range, scale=scale, tickangle=0, nticks=4))
    axes["yaxis2"].update(acc[3])
    # A live frame keeps only the panel titles: every annotation and shape costs the browser time per frame.
    live = frame is not None
    lay = layout(
        None,
        height,
        scale=scale,
        annotations=titles if live else titles + cost[2] + acc[2],
        uirevision="training",
        legend=dict(
            orientation="h", yanchor="bottom", y=1.08, xanchor="left", x=0, font=dict(size=round(BASE_FONT * scale))
        ),
        **axes,
    )
    if not live:
        lay["shapes"] = cost[1] + acc[1]
    lay["margin"].update(t=72, r=15, l=70, b=55)
    if frame is not None:
        # The frame number and the iteration it shows: a browser test reads them to count rendered frames.
        lay["meta"] = {"frame": int(frame), "iteration": int(max(updates, default=0)) if updates else 0}
        # Streamlit keeps a chart hidden until its layout has a width, and gives each changed chart a
        # new element, which waits for a width again: at 10+ frames a second a slow browser would show
        # nothing. A live frame brings its own width; Streamlit widens it to the column once measured.
        lay["width"] = LIVE_WIDTH
    # 10+ frames a second per student, and each visit's final chart: Plotly's checks and copies would be
    # most of a frame's cost (tests/test_figures.py checks the JSON).
    return SpecFigure(cost[0] + acc[0], lay)
