"""Every Plotly figure of the dashboard, and the image tiles of the Data page.

Each function takes plain numbers and arrays and returns a ``go.Figure`` (or a
uint8 image array): no Streamlit, no session state, no module state besides
constants. Built for a projector: large text, thick lines, colour-blind-safe
colours (Okabe–Ito) that stay apart on a washed-out screen, line dashes as a
second cue, and labels on the figure itself so nothing needs hovering.

Figures are built from plain dicts in one ``go.Figure(data, layout)`` call:
Plotly's ``add_*``/``update_*``/``make_subplots`` helpers cost 5–80 ms each,
which would make the live training chart stutter.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from logreg_core.model import sigmoid

__all__ = [
    "PALETTE", "CLASS_COLORS", "SCALING_COLORS", "DIVERGING", "COST_FLOOR", "LN2", "BASE_FONT",
    "cost_figure", "training_figure", "weights_figure", "weight_range",
    "class_counts_figure", "channels_figure", "flatten_figure", "pixel_histograms_figure",
    "thumbnail", "run_colors",
    "contribution_map_figure", "cost_curves_figure", "cost_contour_figure", "linear_data_figure",
    "sigmoid_figure",
]

# Okabe–Ito, strongest first: blue, vermillion, bluish green, reddish purple, orange, black, sky blue.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#222222", "#56B4E9")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
#: Fixed colours per scaling, so a scaling looks the same in every chart.
SCALING_COLORS = {"none": "#D55E00", "255": "#0072B2", "zscore": "#009E73"}
#: Label 0 and label 1.
CLASS_COLORS = ("#0072B2", "#E69F00")
#: ColorBrewer RdBu, negative = blue, 0 = near white, positive = red.
DIVERGING = [
    [0.0, "#053061"], [0.1, "#2166ac"], [0.2, "#4393c3"], [0.3, "#92c5de"], [0.4, "#d1e5f0"],
    [0.5, "#f7f7f7"], [0.6, "#fddbc7"], [0.7, "#f4a582"], [0.8, "#d6604d"], [0.9, "#b2182b"],
    [1.0, "#67001f"],
]
#: On a log axis, costs below this (a separable training set drives the cost to 0) are drawn here.
COST_FLOOR = 1e-6
LN2 = math.log(2.0)

BASE_FONT = 18
#: Width of a live training frame until Streamlit measures the column (see :func:`training_figure`).
LIVE_WIDTH = 960
TITLE_FONT = 22
LINE_WIDTH = 4
CHANNEL_NAMES = ("red", "green", "blue")
CHANNEL_RGB = ((230, 25, 25), (20, 160, 40), (25, 70, 230))
_AXIS = dict(showline=True, linewidth=2, linecolor="#333333", gridcolor="#dddddd", zeroline=False,
             ticks="outside", tickfont=dict(size=BASE_FONT - 1), title=dict(font=dict(size=BASE_FONT)))
_IMAGE_AXIS = dict(showticklabels=False, showgrid=False, zeroline=False, showline=False, ticks="",
                   constrain="domain")


def _layout(title=None, height=None, show_legend=True, **extra):
    """Projector defaults shared by every figure (template "none": a named template costs ~80 ms)."""
    layout = dict(
        template="none", paper_bgcolor="white", plot_bgcolor="white",
        font=dict(size=BASE_FONT, color="#111111"),
        margin=dict(l=80, r=30, t=100 if title else 40, b=70),
        hoverlabel=dict(font=dict(size=BASE_FONT)), showlegend=show_legend,
    )
    if title:
        layout["title"] = dict(text=title, font=dict(size=TITLE_FONT), x=0.01, xanchor="left",
                               y=0.98, yanchor="top")
    if height:
        layout["height"] = height
    layout.update(extra)
    return layout


def _axis(**kw):
    out = dict(_AXIS)
    title = kw.pop("title", None)
    if title is not None:
        out["title"] = dict(text=title, font=dict(size=BASE_FONT))
    out.update(kw)
    return out


def _ref(k):
    """Axis names of subplot k (1-based): ("x", "y"), ("x2", "y2"), …"""
    s = "" if k == 1 else str(k)
    return f"x{s}", f"y{s}"


def _grid(rows, cols, titles=None, hspace=0.05, vspace=0.1, col_widths=None, title_size=BASE_FONT):
    """Axis domains of a rows × cols grid and the panel titles, as layout entries.

    Returns
    -------
    axes : dict
        ``xaxis``, ``yaxis``, ``xaxis2``, … with domains and anchors.
    annotations : list of dict
        One title per panel (if ``titles``).
    """
    widths = np.asarray(col_widths if col_widths else [1.0] * cols, dtype=float)
    widths = widths / widths.sum() * (1 - hspace * (cols - 1))
    height = (1 - vspace * (rows - 1)) / rows
    axes, annotations = {}, []
    for r in range(rows):
        for c in range(cols):
            k = r * cols + c + 1
            x0 = float(widths[:c].sum() + hspace * c)
            x1 = x0 + float(widths[c])
            y1 = 1 - r * (height + vspace)
            y0 = y1 - height
            xa, ya = _ref(k)
            axes["xaxis" + xa[1:]] = dict(domain=[x0, x1], anchor=ya)
            axes["yaxis" + ya[1:]] = dict(domain=[max(0.0, y0), min(1.0, y1)], anchor=xa)
            if titles and k <= len(titles) and titles[k - 1]:
                annotations.append(dict(text=titles[k - 1], x=(x0 + x1) / 2, y=y1, xref="paper", yref="paper",
                                        xanchor="center", yanchor="bottom", showarrow=False, yshift=4,
                                        font=dict(size=title_size)))
    return axes, annotations


def _fmt(value):
    """A number for a label: 3 significant digits, ×10^k when large or tiny."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    a = abs(value)
    if a < 1e-12:
        return "0"
    if a >= 1e4 or a < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa}×10<sup>{int(exponent)}</sup>"
    return f"{value:.3g}"


def _hline(y, color="#555555", width=2, dash="dot", axis="x", yaxis="y"):
    """A horizontal line across one panel at data value y."""
    return dict(type="line", xref=f"{axis} domain", yref=yaxis, x0=0, x1=1, y0=y, y1=y, layer="below",
                line=dict(color=color, width=width, dash=dash))


def run_colors(n, scalings=None):
    """Colours for n runs: by scaling when all scalings differ, else in palette order.

    Parameters
    ----------
    n : int
    scalings : sequence of str or None
        Each run's scaling ("none", "255", "zscore").
    """
    if scalings is not None and len(set(scalings)) == len(scalings) == n \
            and all(s in SCALING_COLORS for s in scalings):
        return [SCALING_COLORS[s] for s in scalings]
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def _status_suffix(status, iterations):
    if status == "diverged":
        return f" — DIVERGED after {iterations} it."
    if status == "stopped":
        return f" — stopped after {iterations} it."
    return ""


def _cost_parts(names, cost_lists, statuses, colors, log_y, max_points, xa="x", ya="y", updates=None):
    """Traces, shapes, annotations and y axis of the cost panel on axes (xa, ya)."""
    arrays = [np.asarray(c, dtype=np.float64).reshape(-1) for c in cost_lists]
    peaks = [float(np.max(a[np.isfinite(a)])) if np.any(np.isfinite(a)) else 0.0 for a in arrays]
    # Linear axis: one exploding run (raw pixels) would flatten the others onto the x axis.
    cap = 1.5 if (not log_y and peaks and max(peaks) > 10.0) else None
    data, shapes, annotations, off_chart = [], [_hline(LN2, axis=xa, yaxis=ya)], [], 0
    annotations.append(dict(xref=f"{xa} domain", yref=ya, x=1, y=math.log10(LN2) if log_y else LN2,
                            xanchor="right", yanchor="bottom", showarrow=False,
                            text="ln 2 ≈ 0.693 = cost at w = 0, b = 0",
                            font=dict(size=BASE_FONT - 3, color="#444444")))
    low_hit, drawn = False, []
    for k, (name, costs) in enumerate(zip(names, arrays)):
        stride = int(math.ceil(costs.size / max_points)) if max_points and costs.size > max_points else 1
        idx = np.arange(0, costs.size, stride)
        if costs.size and idx[-1] != costs.size - 1:
            idx = np.append(idx, costs.size - 1)
        y = costs[idx]
        if log_y:
            low_hit = low_hit or bool(np.any(y < COST_FLOOR))
            y = np.maximum(y, COST_FLOOR)
        drawn.append(y)
        data.append(dict(
            type="scatter", x=idx, y=y, mode="lines", xaxis=xa, yaxis=ya, legendgroup=str(k),
            name=name + _status_suffix(statuses[k], updates[k] if updates is not None else costs.size),
            line=dict(color=colors[k], width=LINE_WIDTH, dash=DASHES[k % len(DASHES)]),
            hovertemplate="iteration %{x}<br>cost %{y:.4g}<extra>" + name + "</extra>",
        ))
        if statuses[k] == "diverged" and costs.size:
            data.append(dict(type="scatter", x=[int(costs.size - 1)], y=[float(y[-1])], mode="markers+text",
                             xaxis=xa, yaxis=ya, showlegend=False, hoverinfo="skip", text=["diverged"],
                             textposition="top center",
                             marker=dict(symbol="x", size=22, color=colors[k], line=dict(width=2)),
                             textfont=dict(size=BASE_FONT, color=colors[k])))
        if cap is not None and peaks[k] > cap:
            annotations.append(dict(
                xref=f"{xa} domain", yref=f"{ya} domain", x=0.99, y=0.75 - 0.1 * off_chart, xanchor="right",
                showarrow=False, bgcolor="rgba(255,255,255,0.85)", font=dict(color=colors[k], size=BASE_FONT - 2),
                text=f"{name}: peaks at {_fmt(peaks[k])} — off the chart; try the log scale"))
            off_chart += 1
    if log_y and low_hit:
        shapes.append(_hline(COST_FLOOR, color="#888888", width=1, dash="solid", axis=xa, yaxis=ya))
        annotations.append(dict(xref=f"{xa} domain", yref=ya, x=0, y=math.log10(COST_FLOOR), xanchor="left",
                                yanchor="bottom", showarrow=False, font=dict(size=BASE_FONT - 4, color="#444444"),
                                text="costs below 10<sup>−6</sup> (≈ 0) are drawn on this line"))
    if log_y:
        # One label per power of ten when the curves span decades; else also 2× and 5× (no 3, 4, 6… clutter).
        values = np.concatenate(drawn + [np.array([LN2])])
        decades = math.log10(float(np.max(values)) / float(np.min(values)))
        yaxis = _axis(title="cost (log scale)", type="log", exponentformat="power", dtick=1 if decades > 1.5 else "D2")
    else:
        yaxis = _axis(title="cost", type="linear",
                      range=[0, cap if cap is not None else max(max(peaks, default=0.0), LN2) * 1.08])
    return data, shapes, annotations, yaxis


def _accuracy_parts(names, iterations, train_accuracies, test_accuracies, statuses, colors, xa="x", ya="y",
                    legend=True, markers=True):
    """Traces, shapes, annotations and y axis of the accuracy panel on axes (xa, ya)."""
    data = []
    for k in range(len(names)):
        its = np.asarray(iterations[k], dtype=np.float64)
        for acc, part, dash, symbol in ((train_accuracies[k], "train", "solid", "circle"),
                                        (test_accuracies[k], "test", "dash", "diamond")):
            acc = np.asarray(acc if acc is not None else [], dtype=np.float64)
            if acc.size == 0:
                continue
            suffix = " (diverged)" if statuses[k] == "diverged" else ""
            data.append(dict(
                type="scatter", x=its[: acc.size], y=acc, mode="lines+markers" if markers else "lines",
                xaxis=xa, yaxis=ya,
                name=f"{names[k]}{suffix}", legendgroup=str(k), showlegend=legend and part == "train",
                line=dict(color=colors[k], width=3, dash=dash),
                marker=dict(size=9, symbol=symbol, color=colors[k]),
                hovertemplate="iteration %{x}<br>" + part + " accuracy %{y:.1f} %<extra>" + names[k] + "</extra>",
            ))
    shapes = [_hline(50, color="#888888", width=1, axis=xa, yaxis=ya)]
    annotations = [dict(xref=f"{xa} domain", yref=ya, x=1, y=50, xanchor="right", yanchor="top", showarrow=False,
                        text="50 % = coin flip", font=dict(size=BASE_FONT - 4, color="#444444"))]
    yaxis = _axis(title="accuracy (%)", range=[0, 103], dtick=20)
    return data, shapes, annotations, yaxis


def _curve_inputs(names, statuses, colors):
    n = len(names)
    statuses = list(statuses) if statuses is not None else ["done"] * n
    colors = list(colors) if colors is not None else run_colors(n)
    return statuses, colors


def cost_figure(names, cost_lists, statuses=None, *, log_y=True, x_max=None, colors=None,
                max_points=None, frame=None, updates=None, title="Training cost J(w, b)", height=540):
    """Cost curves of several runs in one chart.

    Parameters
    ----------
    names : sequence of str
        Legend label of each run.
    cost_lists : sequence of 1-D array_like
        ``cost_lists[k][i]`` = run k's cost before update i (finite; may be 0).
    statuses : sequence of str or None
        "running", "done", "stopped" or "diverged" per run; a diverged run is
        labelled as such and marked with ✕ at its last finite cost.
    log_y : bool, default True
        Log-scale y axis; costs below :data:`COST_FLOOR` are drawn on the floor
        (a labelled line) because log(0) cannot be drawn.
    x_max : int or None
        Fix the x axis to [0, x_max] (so live curves grow across a fixed axis).
    colors : sequence of str or None
    max_points : int or None
        Draw at most about this many points per curve (live frames).
    frame : int or None
        Stored in ``layout.meta`` so successive live frames differ.
    updates : sequence of int or None
        Updates each run applied, named in the legend of a stopped or diverged
        run (default: the length of its cost history).
    title : str
    height : int

    Returns
    -------
    fig : go.Figure
        One line trace per run, in order (plus a marker trace per diverged run).
    """
    statuses, colors = _curve_inputs(names, statuses, colors)
    data, shapes, annotations, yaxis = _cost_parts(names, cost_lists, statuses, colors, log_y, max_points,
                                                   updates=updates)
    layout = _layout(title, height, xaxis=_axis(title="iteration", range=[0, x_max] if x_max else None),
                     yaxis=yaxis, shapes=shapes, annotations=annotations, uirevision="cost",
                     legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0,
                                 font=dict(size=BASE_FONT)))
    layout["margin"]["t"] = 130
    if frame is not None:
        layout["meta"] = {"frame": int(frame)}
    return go.Figure(data=data, layout=layout)


def training_figure(names, cost_lists, iterations, train_accuracies, test_accuracies, statuses=None, *,
                    log_y=True, x_max=None, colors=None, max_points=None, frame=None, updates=None, height=560):
    """The Train page's chart: cost curves (left) and accuracies at snapshots (right), one legend.

    One figure rather than two: while training, every update replaces the chart in the
    browser, and one chart redraws about twice as fast as two.

    Parameters
    ----------
    names : sequence of str
        One per run; the legend shows each run once (colour and dash of its cost curve).
    cost_lists : sequence of 1-D array_like
        See :func:`cost_figure`.
    iterations : sequence of 1-D array_like
        Per run, the iterations of its snapshots.
    train_accuracies, test_accuracies : sequence of 1-D array_like
        Per run, the accuracies (percent) at those snapshots; a run without a
        test set has an empty test list.
    statuses, log_y, x_max, colors, max_points, updates
        See :func:`cost_figure`.
    frame : int or None
        A live frame: stored in ``layout.meta``; accuracy lines are drawn without markers.
    height : int

    Returns
    -------
    fig : go.Figure
        Cost traces on axes (x, y), accuracy traces on (x2, y2).
    """
    statuses, colors = _curve_inputs(names, statuses, colors)
    axes, titles = _grid(1, 2, ["cost J(w, b) on the training set",
                                "accuracy: train ● solid, test ◆ dashed"],
                         hspace=0.09, col_widths=[0.6, 0.4], title_size=BASE_FONT + 1)
    cost = _cost_parts(names, cost_lists, statuses, colors, log_y, max_points, "x", "y", updates=updates)
    # Live frames (frame given) leave out the markers: cheaper for the browser, redrawn 10+ times a second.
    acc = _accuracy_parts(names, iterations, train_accuracies, test_accuracies, statuses, colors, "x2", "y2",
                          legend=False, markers=frame is None)
    x_range = [0, x_max] if x_max else None
    axes["xaxis"].update(_axis(title="iteration", range=x_range))
    axes["yaxis"].update(cost[3])
    axes["xaxis2"].update(_axis(title="iteration", range=x_range))
    axes["yaxis2"].update(acc[3])
    layout = _layout(None, height, shapes=cost[1] + acc[1], annotations=titles + cost[2] + acc[2],
                     uirevision="training", legend=dict(orientation="h", yanchor="bottom", y=1.1, xanchor="left",
                                                        x=0, font=dict(size=BASE_FONT)), **axes)
    layout["margin"].update(t=110, r=20)
    if frame is not None:
        layout["meta"] = {"frame": int(frame)}
        # Streamlit keeps a chart hidden until its layout has a width, and gives each changed chart a
        # new element, which waits for a width again: at 10+ frames a second a slow browser would show
        # nothing. A live frame brings its own width; Streamlit widens it to the column once measured.
        layout["width"] = LIVE_WIDTH
    return go.Figure(data=cost[0] + acc[0], layout=layout)


def weight_range(weight_images):
    """Symmetric colour limit for weight heatmaps: the largest |w| over all given arrays (1 if all 0).

    Parameters
    ----------
    weight_images : iterable of ndarray
    """
    vmax = 0.0
    for w in weight_images:
        w = np.asarray(w, dtype=np.float64)
        if w.size:
            vmax = max(vmax, float(np.max(np.abs(w))))
    return vmax if vmax > 0 else 1.0


def weights_figure(w_image, *, vmax=None, title=None, frame=None, arrangement="row", height=None):
    """The weights as pictures: one diverging heatmap per colour channel and an RGB composite.

    Parameters
    ----------
    w_image : ndarray of shape (height, width, channels)
        The weight vector reshaped like an image.
    vmax : float or None
        Colour limit: the scale runs from −vmax (dark blue) through 0 (white)
        to +vmax (dark red). Default: max |w| of this array.
    title : str or None
    frame : int or None
        Stored in ``layout.meta`` so successive animation frames differ.
    arrangement : {"row", "grid"}, default "row"
        Four panels side by side, or 2 × 2.
    height : int or None
        Default: 400 for a row, 660 for a grid.

    Returns
    -------
    fig : go.Figure
        Four panels: a ``heatmap`` per colour channel (symmetric range,
        ``zmid`` = 0) and an ``image`` composite where grey = 0 and a brighter
        colour channel = a more positive weight.
    """
    w = np.asarray(w_image, dtype=np.float64)
    if w.ndim != 3:
        raise ValueError(f"expected weights shaped like an image (height, width, channels); got {w.shape}")
    channels = min(w.shape[2], 3)
    all_zero = not np.any(w)
    if vmax is None or not vmax > 0:
        vmax = weight_range([w])
    titles = [f"{CHANNEL_NAMES[i]} channel" for i in range(channels)] + ["composite (grey = 0)"]
    if arrangement == "grid":
        axes, annotations = _grid(2, 2, titles, hspace=0.04, vspace=0.09)
        height = height or 660
    else:
        axes, annotations = _grid(1, 4, titles, hspace=0.025)
        height = height or 400
    data = []
    for i in range(channels):
        xa, ya = _ref(i + 1)
        data.append(dict(
            type="heatmap", z=w[:, :, i], zmin=-vmax, zmax=vmax, zmid=0.0, colorscale=DIVERGING,
            xaxis=xa, yaxis=ya, showscale=(i == 0), name=titles[i],
            colorbar=dict(title=dict(text="weight", side="right", font=dict(size=BASE_FONT - 2)),
                          len=1.0, thickness=20, x=1.01,
                          tickvals=[-vmax, 0, vmax], ticktext=[_fmt(-vmax), "0", _fmt(vmax)],
                          tickfont=dict(size=BASE_FONT - 3)),
            hovertemplate="row %{y}, col %{x}<br>w = %{z:.3g}<extra>" + titles[i] + "</extra>",
        ))
    if channels == 3:
        rgb = 0.5 + 0.5 * np.clip(w[:, :, :3] / vmax, -1.0, 1.0)
        data.append(dict(type="image", z=np.round(rgb * 255).astype(np.uint8), xaxis="x4", yaxis="y4",
                         hoverinfo="skip", name=titles[-1]))
    for k in range(1, 5):
        xa, ya = _ref(k)
        axes["xaxis" + xa[1:]].update(_IMAGE_AXIS)
        axes["yaxis" + ya[1:]].update(_IMAGE_AXIS, autorange="reversed", scaleanchor=xa)
    if all_zero:
        annotations.append(dict(xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                                text="all weights are 0 (the start)", bgcolor="rgba(255,255,255,0.9)",
                                font=dict(size=BASE_FONT + 2)))
    layout = _layout(title, height, show_legend=False, annotations=annotations, **axes)
    layout["margin"] = dict(l=10, r=90, t=80 if title else 40, b=10)
    if title:
        layout["title"]["font"] = dict(size=BASE_FONT + 2)
    if frame is not None:
        layout["meta"] = {"frame": int(frame)}
    return go.Figure(data=data, layout=layout)


def class_counts_figure(classes, counts, height=400):
    """Images per class in the training and the test set, counts written on the bars.

    Parameters
    ----------
    classes : (str, str)
        Names of label 0 and label 1.
    counts : dict
        ``{"train": (n0, n1), "test": (n0, n1)}``.
    height : int

    Returns
    -------
    fig : go.Figure
    """
    splits = ["train", "test"]
    data = []
    for label in (0, 1):
        values = [int(counts[s][label]) for s in splits]
        data.append(dict(type="bar", x=[f"{s} set" for s in splits], y=values, name=f"{label} = {classes[label]}",
                         marker=dict(color=CLASS_COLORS[label], pattern=dict(shape="" if label == 0 else "/")),
                         text=[str(v) for v in values], textposition="outside",
                         textfont=dict(size=BASE_FONT + 2), cliponaxis=False))
    top = max([1] + [max(counts[s]) for s in splits])
    layout = _layout("Images per class", height, barmode="group",
                     xaxis=_axis(tickfont=dict(size=BASE_FONT + 1)),
                     yaxis=_axis(title="images", range=[0, top * 1.25]),
                     legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    layout["margin"]["t"] = 120
    return go.Figure(data=data, layout=layout)


def _channel_scale(rgb):
    return [[0.0, "black"], [1.0, f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"]]


def channels_figure(image, height=380):
    """One image and its colour channels, each as a 0–255 heatmap in its own colour.

    Parameters
    ----------
    image : ndarray of shape (height, width, 3), uint8
    height : int

    Returns
    -------
    fig : go.Figure
    """
    image = np.asarray(image)
    h, w, c = image.shape
    channels = min(c, 3)
    titles = [f"image ({h}, {w}, {c})"] + [f"{CHANNEL_NAMES[i]} = image[:, :, {i}]" for i in range(channels)]
    axes, annotations = _grid(1, 1 + channels, titles, hspace=0.03)
    data = [dict(type="image", z=image[:, :, :3].astype(np.uint8), hoverinfo="skip")]
    for i in range(channels):
        xa, ya = _ref(i + 2)
        data.append(dict(type="heatmap", z=image[:, :, i], zmin=0, zmax=255,
                         colorscale=_channel_scale(CHANNEL_RGB[i]), xaxis=xa, yaxis=ya, showscale=(i == channels - 1),
                         colorbar=dict(title=dict(text="value"), tickvals=[0, 128, 255], thickness=18),
                         hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>"))
    for k in range(1, 2 + channels):
        xa, ya = _ref(k)
        axes["xaxis" + xa[1:]].update(_IMAGE_AXIS)
        axes["yaxis" + ya[1:]].update(_IMAGE_AXIS, autorange="reversed", scaleanchor=xa)
    layout = _layout(None, height, show_legend=False, annotations=annotations, **axes)
    layout["margin"] = dict(l=10, r=10, t=50, b=10)
    return go.Figure(data=data, layout=layout)


def flatten_figure(image, entries, height=760):
    """Where pixels of an image land in the flattened column x.

    Left: the image with the chosen pixels outlined and lettered. Right: those
    entries of x, each a box in its channel's colour holding the pixel value,
    with its index and its (row, col, channel); "⋮" marks skipped entries.

    Parameters
    ----------
    image : ndarray of shape (height, width, channels), uint8
    entries : list of dict
        From :func:`logreg_core.explore.flatten_walkthrough`: ``index``,
        ``row``, ``col``, ``channel``, ``value``, in index order.
    height : int

    Returns
    -------
    fig : go.Figure
    """
    image = np.asarray(image)
    h, w, c = image.shape
    n = h * w * c
    axes, annotations = _grid(1, 2, [f"image ({h}, {w}, {c})",
                                     f"column x ({n:,}, 1): index = (row·{w} + col)·{c} + channel"],
                              hspace=0.03, col_widths=[0.40, 0.60])
    data = [dict(type="image", z=image[:, :, :3].astype(np.uint8), hoverinfo="skip")]
    shapes = []
    pixels = []
    for e in entries:
        if (e["row"], e["col"]) not in pixels:
            pixels.append((e["row"], e["col"]))
    letters = {p: chr(ord("A") + i) for i, p in enumerate(pixels)}
    # Where each letter sits (screen pixels from its pixel): pixels of the top row get their letters
    # above the image, spread left to right; the others inside, pointing away from the corner.
    top_row = [p for p in pixels if p[0] == 0]
    for i, (r, col) in enumerate(pixels):
        shapes.append(dict(type="rect", xref="x", yref="y", x0=col - 0.5, x1=col + 0.5, y0=r - 0.5, y1=r + 0.5,
                           line=dict(color="#FFFFFF", width=3)))
        if r == 0:
            j = top_row.index((r, col))
            ax, ay = (-30 + 55 * j if col < w / 2 else -20), -60
        else:
            ax = 70 if col < w / 2 else -45
            ay = 45 if r < h / 2 else 55
        annotations.append(dict(x=col, y=r, xref="x", yref="y", text=f"<b>{letters[(r, col)]}</b>",
                                showarrow=True, arrowhead=2, arrowwidth=3, arrowcolor="#000000",
                                ax=ax, ay=ay, font=dict(size=BASE_FONT + 2, color="#000000"),
                                bgcolor="#FFFFFF", bordercolor="#000000", borderpad=3))
    rows, previous = [], None
    for e in entries:
        if (previous is None and e["index"] != 0) or (previous is not None and e["index"] != previous + 1):
            rows.append(None)
        rows.append(e)
        previous = e["index"]
    if previous is not None and previous != n - 1:
        rows.append(None)
    total = len(rows)
    for k, e in enumerate(rows):
        y0, y1 = total - k - 1 + 0.08, total - k - 0.08
        ym = (y0 + y1) / 2
        if e is None:
            annotations.append(dict(x=0.17, y=ym, xref="x2", yref="y2", text="⋮", showarrow=False,
                                    font=dict(size=BASE_FONT + 6)))
            continue
        ch = e["channel"]
        base = CHANNEL_RGB[ch] if ch < 3 else (128, 128, 128)
        v = float(e["value"])
        t = min(max(v / 255.0, 0.0), 1.0)
        fill = tuple(int(round(b * t)) for b in base)
        light = (0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2]) > 110
        shapes.append(dict(type="rect", xref="x2", yref="y2", x0=0.08, x1=0.26, y0=y0, y1=y1,
                           fillcolor=f"rgb{fill}", line=dict(color="#333333", width=1)))
        value_text = str(e["value"]) if isinstance(e["value"], (int, np.integer)) else f"{v:.3g}"
        annotations.append(dict(x=0.17, y=ym, xref="x2", yref="y2", text=value_text, showarrow=False,
                                font=dict(size=BASE_FONT - 1, color="#000000" if light else "#FFFFFF")))
        annotations.append(dict(x=0.07, y=ym, xref="x2", yref="y2", text=f"x[{e['index']}]", showarrow=False,
                                xanchor="right", font=dict(size=BASE_FONT - 1)))
        cname = CHANNEL_NAMES[ch] if ch < 3 else f"ch {ch}"
        annotations.append(dict(
            x=0.28, y=ym, xref="x2", yref="y2", xanchor="left", showarrow=False, font=dict(size=BASE_FONT - 2),
            text=(f"← <b>{letters[(e['row'], e['col'])]}</b> = pixel ({e['row']}, {e['col']}), {cname}:  "
                  f"({e['row']}·{w} + {e['col']})·{c} + {ch} = {e['index']}")))
    axes["xaxis"].update(_IMAGE_AXIS)
    axes["yaxis"].update(_IMAGE_AXIS, autorange="reversed", scaleanchor="x")
    axes["xaxis2"].update(range=[-0.12, 1.0], visible=False)
    axes["yaxis2"].update(range=[-0.2, total + 0.2], visible=False)
    layout = _layout(None, height, show_legend=False, annotations=annotations, shapes=shapes, **axes)
    layout["margin"] = dict(l=10, r=10, t=60, b=10)
    return go.Figure(data=data, layout=layout)


def pixel_histograms_figure(hists, labels, height=440):
    """Pixel-value histograms side by side, one per scaling.

    Parameters
    ----------
    hists : dict
        From :func:`logreg_core.explore.pixel_histograms`: per scaling
        ``counts``, ``edges``, ``below``, ``above``, ``mean``, ``std``.
    labels : dict
        Panel title per key of ``hists`` (e.g. ``SCALING_LABELS``).
    height : int

    Returns
    -------
    fig : go.Figure
    """
    keys = list(hists)
    axes, annotations = _grid(1, len(keys), [labels.get(k, k) for k in keys], hspace=0.07)
    data = []
    for j, k in enumerate(keys):
        hst = hists[k]
        xa, ya = _ref(j + 1)
        edges = np.asarray(hst["edges"], dtype=np.float64)
        color = SCALING_COLORS.get(k, PALETTE[j % len(PALETTE)])
        data.append(dict(type="bar", x=(edges[:-1] + edges[1:]) / 2, y=np.asarray(hst["counts"]),
                         width=np.diff(edges), marker=dict(color=color, line=dict(width=0)),
                         name=labels.get(k, k), xaxis=xa, yaxis=ya,
                         hovertemplate="%{x:.3g}: %{y} values<extra></extra>"))
        note = f"mean {_fmt(hst['mean'])}<br>std {_fmt(hst['std'])}"
        outside = int(hst.get("below", 0)) + int(hst.get("above", 0))
        if outside:
            note += f"<br>{outside:,} values outside the axis"
        annotations.append(dict(xref=f"{xa} domain", yref=f"{ya} domain", x=0.98, y=0.98, xanchor="right",
                                yanchor="top", showarrow=False, text=note, align="right",
                                bgcolor="rgba(255,255,255,0.85)", font=dict(size=BASE_FONT - 2)))
        axes["xaxis" + xa[1:]].update(_axis(title="pixel value", range=[float(edges[0]), float(edges[-1])]))
        axes["yaxis" + ya[1:]].update(_axis(title="number of values" if j == 0 else None, exponentformat="SI"))
    layout = _layout(None, height, show_legend=False, annotations=annotations, bargap=0, **axes)
    layout["margin"]["t"] = 60
    return go.Figure(data=data, layout=layout)


def thumbnail(image, scale=3, border_color=None, border=4):
    """An image enlarged by repeating pixels (nearest neighbour), optionally framed.

    Parameters
    ----------
    image : ndarray of shape (height, width, 3), uint8
    scale : int, default 3
    border_color : str "#rrggbb" or None
    border : int, default 4
        Frame width in output pixels.

    Returns
    -------
    thumb : ndarray of shape (height·scale + 2·border, width·scale + 2·border, 3), uint8
    """
    image = np.asarray(image)[:, :, :3].astype(np.uint8)
    scale = max(1, int(scale))
    big = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    if not border_color:
        return big
    rgb = [int(border_color[i:i + 2], 16) for i in (1, 3, 5)]
    out = np.empty((big.shape[0] + 2 * border, big.shape[1] + 2 * border, 3), dtype=np.uint8)
    out[:] = rgb
    out[border:border + big.shape[0], border:border + big.shape[1]] = big
    return out


# ============================================================================
# Predict, Why standardize and Math pages
# ============================================================================

def _palette():
    """Colours and sizes shared by the figures (Okabe–Ito, the shades that survive a projector)."""
    return {
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "green": "#009E73",
        "purple": "#CC79A7",
        "black": "#222222",
        "grey": "#666666",
        "font": 18,
        "title": 22,
        "line": 4,
        "marker": 12,
        # The same diverging scale as the weights, so red means "towards label 1" on every page.
        "diverging": DIVERGING,
        # Sequential for cost: dark at the minimum, light far away.
        "sequential": [[0.0, "#08306B"], [0.35, "#2171B5"], [0.65, "#9ECAE1"], [1.0, "#F7FBFF"]],
    }


def _style(fig, title, height, **kwargs):
    """Apply the projector style to a figure."""
    p = _palette()
    fig.update_layout(
        title={"text": title, "font": {"size": p["title"]}, "x": 0.0, "xanchor": "left"},
        font={"size": p["font"], "color": p["black"]},
        height=height,
        margin={"l": 80, "r": 30, "t": 70, "b": 70},
        paper_bgcolor="white",
        plot_bgcolor="white",
        **kwargs,
    )
    axis = {"showline": True, "linewidth": 2, "linecolor": p["black"], "ticks": "outside",
            "tickfont": {"size": p["font"]}, "title_font": {"size": p["font"] + 2},
            "gridcolor": "#DDDDDD", "zeroline": False}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    return fig


def _short_number(v):
    """1 → '1', 0.01 → '0.01', 12000 → '12k', 3e6 → '3M', 1e-5 → '1e-5'."""
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e9 or a < 1e-3:
        m, e = f"{v:.0e}".split("e")
        return f"{m}e{int(e)}"
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


# ----------------------------------------------------------------------------
# Predict
# ----------------------------------------------------------------------------

def contribution_map_figure(contributions, positive_label, negative_label, title="Which pixels pushed where",
                            height=380):
    """Heat map of each pixel's contribution w·x to the logit, centred at 0.

    Parameters
    ----------
    contributions : array_like of shape (height, width)
        Per-pixel contribution (already summed over the colour channels).
    positive_label, negative_label : str
        Class names of label 1 and label 0.
    title : str
    height : int, default 380
        Figure height in pixels.

    Returns
    -------
    fig : go.Figure
    """
    p = _palette()
    c = np.asarray(contributions, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"contributions must have shape (height, width); got {c.shape}")
    c = np.where(np.isfinite(c), c, 0.0)
    bound = float(np.max(np.abs(c))) if c.size else 0.0
    bound = bound if bound > 0 else 1.0
    fig = go.Figure(go.Heatmap(
        z=c, zmin=-bound, zmax=bound, zmid=0.0, colorscale=p["diverging"],
        colorbar={"title": {"text": "w·x", "side": "top", "font": {"size": p["font"]}},
                  "tickvals": [-bound, 0, bound],
                  "ticktext": [f"→ {negative_label}", "0", f"→ {positive_label}"],
                  "tickfont": {"size": p["font"] - 2}, "thickness": 22, "len": 0.9},
        hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>",
    ))
    _style(fig, title, height)
    fig.update_layout(margin={"l": 20, "r": 20, "t": 60, "b": 20})
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1, constrain="domain")
    return fig


# ----------------------------------------------------------------------------
# Why standardize
# ----------------------------------------------------------------------------

def cost_curves_figure(raw_costs, std_costs, optimal_cost, num_iterations, raw_diverged=False,
                       std_diverged=False, learning_rate=None, excess=False, height=480):
    """Cost per iteration of both runs on a log scale, with the lowest possible cost.

    Parameters
    ----------
    raw_costs, std_costs : array_like of shape (k + 1,)
        Finite costs after 0, 1, … updates (a diverged run is shorter).
    optimal_cost : float
        The least-squares cost, the floor of both curves.
    num_iterations : int
        Updates asked for: the x-axis runs to here.
    raw_diverged, std_diverged : bool, default False
        Label the curve as diverged.
    learning_rate : float or None
        Shown in the title.
    excess : bool, default False
        Plot J − J* (how far above the lowest cost) instead of J; values
        below J*·1e-12 (rounding) are drawn at that floor.
    height : int, default 480

    Returns
    -------
    fig : go.Figure
    """
    p = _palette()
    floor = float(optimal_cost)
    tiny = max(abs(floor) * 1e-12, 1e-300)
    if excess:
        raw_costs = np.maximum(np.asarray(raw_costs, dtype=np.float64) - floor, tiny)
        std_costs = np.maximum(np.asarray(std_costs, dtype=np.float64) - floor, tiny)
    series = [
        ("raw x", np.asarray(raw_costs, dtype=np.float64), raw_diverged, p["vermillion"], "dash"),
        ("standardized x", np.asarray(std_costs, dtype=np.float64), std_diverged, p["blue"], "solid"),
    ]
    fig = go.Figure()
    start = max(float(s[1][0]) for s in series if s[1].size)
    if excess:
        low = min(float(np.min(s[1])) for s in series if s[1].size)
        bottom = math.log10(low) - 0.5
    else:
        bottom = math.log10(max(floor, 1e-300)) - 0.3
    top = math.log10(start) + 1.2
    for offset, (name, costs, diverged, colour, dash) in zip((40, 100), series):
        costs = costs[np.isfinite(costs)]
        it = np.arange(costs.size)
        label = f"{name} — DIVERGED" if diverged else name
        fig.add_trace(go.Scatter(x=it, y=costs, mode="lines", name=label,
                                 line={"color": colour, "width": p["line"], "dash": dash}))
        if diverged and costs.size:
            k = int(costs.size - 1)
            y_mark = min(float(costs[-1]), 10 ** (top - 0.15))
            fig.add_trace(go.Scatter(x=[k], y=[y_mark], mode="markers", showlegend=False,
                                     marker={"symbol": "x", "size": 20, "color": colour,
                                             "line": {"width": 2, "color": colour}}, hoverinfo="skip"))
            updates = "update" if k == 1 else "updates"
            fig.add_annotation(x=k, y=math.log10(y_mark), text=f"<b>{name}: diverged after {k} {updates}</b>",
                               showarrow=True, arrowhead=2, arrowwidth=2, arrowcolor=colour, ax=70, ay=offset,
                               font={"size": p["font"], "color": colour}, xanchor="left",
                               bgcolor="rgba(255,255,255,0.85)")
    if not excess:
        fig.add_hline(y=floor, line={"color": p["black"], "width": 2, "dash": "dot"})
        fig.add_annotation(x=1, xref="paper", xanchor="right", y=math.log10(max(floor, 1e-300)),
                           yanchor="bottom", text=f"lowest possible cost J* = {floor:.4g}", showarrow=False,
                           yshift=4, bgcolor="rgba(255,255,255,0.85)",
                           font={"size": p["font"] - 2, "color": p["black"]})
    title = "J − J*: how far above the lowest cost" if excess else "Cost J during gradient descent"
    if learning_rate is not None:
        title += (f"<br><span style='font-size:{p['font']}px'>"
                  f"log scale · the same α = {learning_rate:g} for both</span>")
    _style(fig, title, height,
            legend={"x": 0.99, "y": 0.99, "xanchor": "right", "yanchor": "top", "font": {"size": p["font"]},
                    "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": p["grey"], "borderwidth": 1})
    fig.update_layout(margin={"l": 80, "r": 30, "t": 95, "b": 70})
    fig.update_xaxes(title_text="iteration (updates of w and b)", range=[0, max(int(num_iterations), 1)])
    fig.update_yaxes(title_text=("J − J*" if excess else "cost J") + " (log scale)", type="log",
                     range=[bottom, top], dtick=1 if top - bottom <= 10 else 2)
    return fig


def _clip_path(path, w_range, b_range, factor=2.0):
    """Keep a path's points up to where it leaves a box ``factor`` × the window.

    The first point outside is moved onto the box edge along its segment, so
    the drawn line runs off the chart in the right direction without asking
    the browser to draw to 1e100.

    Returns
    -------
    clipped : ndarray of shape (j, 2)
    left : bool
        True if the path left the box.
    """
    path = np.asarray(path, dtype=np.float64)
    cw, cb = (w_range[0] + w_range[1]) / 2, (b_range[0] + b_range[1]) / 2
    hw = (w_range[1] - w_range[0]) / 2 * factor
    hb = (b_range[1] - b_range[0]) / 2 * factor
    inside = (np.abs(path[:, 0] - cw) <= hw) & (np.abs(path[:, 1] - cb) <= hb)
    if inside.all():
        return path, False
    j = int(np.argmin(inside))
    if j == 0:
        return path[:0], True
    a, b = path[j - 1], path[j]
    d = b - a
    t = 1.0
    for k, (c, h) in enumerate(((cw, hw), (cb, hb))):
        if d[k] != 0:
            edge = c + math.copysign(h, d[k])
            t = min(t, (edge - a[k]) / d[k])
    return np.vstack([path[:j], a + max(t, 0.0) * d]), True


def cost_contour_figure(w_grid, b_grid, J, path, optimum, optimal_cost, title, w_label="w", b_label="b",
                        diverged=False, path_colour=None, height=560):
    """Contours of J(w, b) with a gradient-descent path drawn on them.

    Axes use the same scale, so round contours look round and elongated ones
    elongated. Contour levels are spaced evenly in log10(J − J*).

    Parameters
    ----------
    w_grid : array_like of shape (n,)
    b_grid : array_like of shape (n,)
    J : array_like of shape (n, n)
        ``J[i, j]`` at (w_grid[j], b_grid[i]).
    path : array_like of shape (k + 1, 2)
        (w, b) after 0, 1, … updates.
    optimum : (float, float)
        Least-squares (w*, b*).
    optimal_cost : float
        J*.
    title : str
    w_label, b_label : str
        Axis titles.
    diverged : bool, default False
        Say so on the chart.
    path_colour : str or None
        Line colour of the path (vermillion by default).
    height : int, default 560

    Returns
    -------
    fig : go.Figure
    """
    p = _palette()
    colour = path_colour or p["vermillion"]
    w_grid = np.asarray(w_grid, dtype=np.float64)
    b_grid = np.asarray(b_grid, dtype=np.float64)
    J = np.asarray(J, dtype=np.float64)
    floor = max(abs(float(optimal_cost)) * 1e-4, 1e-12)
    excess = np.log10(np.maximum(J - float(optimal_cost), floor))
    lo = math.floor(float(np.min(excess)))
    hi = math.ceil(float(np.max(excess)))
    ticks = list(range(lo, hi + 1, 1 if hi - lo <= 6 else 2))
    fig = go.Figure(go.Contour(
        x=w_grid, y=b_grid, z=excess, colorscale=p["sequential"],
        contours={"start": lo, "end": hi, "size": 0.5, "coloring": "fill", "showlines": True},
        line={"width": 1.5, "color": "rgba(40,40,40,0.55)"},
        colorbar={"title": {"text": "J − J*", "side": "top", "font": {"size": p["font"]}},
                  "tickvals": ticks, "ticktext": [_short_number(10.0 ** t) for t in ticks],
                  "tickfont": {"size": p["font"] - 2}, "thickness": 16, "xpad": 4},
        hovertemplate=f"{w_label} = %{{x:.3g}}, {b_label} = %{{y:.3g}}<extra></extra>",
    ))
    w_range = (float(w_grid[0]), float(w_grid[-1]))
    b_range = (float(b_grid[0]), float(b_grid[-1]))
    shown, left = _clip_path(path, w_range, b_range)
    n_steps = len(np.asarray(path)) - 1
    if len(shown):
        fig.add_trace(go.Scatter(x=shown[:, 0], y=shown[:, 1], mode="lines", showlegend=False,
                                 line={"color": "white", "width": p["line"] + 4}, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=shown[:, 0], y=shown[:, 1], mode="lines", showlegend=False,
                                 line={"color": colour, "width": p["line"]}, hoverinfo="skip"))
        first = shown[: min(len(shown), 40)]
        fig.add_trace(go.Scatter(x=first[:, 0], y=first[:, 1], mode="markers", showlegend=False,
                                 marker={"size": 8, "color": colour, "line": {"width": 1.5, "color": "white"}},
                                 hoverinfo="skip"))
    w0, b0 = np.asarray(path, dtype=np.float64)[0]
    fig.add_trace(go.Scatter(x=[w0], y=[b0], mode="markers", showlegend=False, hoverinfo="skip",
                             marker={"size": 16, "color": "white", "line": {"width": 3, "color": p["black"]}}))
    fig.add_trace(go.Scatter(x=[optimum[0]], y=[optimum[1]], mode="markers", showlegend=False, hoverinfo="skip",
                             marker={"symbol": "star", "size": 26, "color": "#F0E442",
                                     "line": {"width": 2, "color": p["black"]}}))
    label_box = {"bgcolor": "rgba(255,255,255,0.85)", "borderpad": 2, "showarrow": True, "arrowwidth": 1.5,
                 "arrowcolor": p["black"], "font": {"size": p["font"] - 1, "color": p["black"]}}
    fig.add_annotation(x=w0, y=b0, text="start", ax=45, ay=30, **label_box)
    fig.add_annotation(x=optimum[0], y=optimum[1], text="minimum", ax=-60, ay=30, **label_box)
    if diverged or left:
        note = "DIVERGED: the path leaves the chart" if left else "DIVERGED"
        title = f"{title}<br><span style='color:{colour};font-size:{p['font']}px'><b>{note}</b></span>"
    elif len(shown) > 1:
        fig.add_trace(go.Scatter(x=[shown[-1, 0]], y=[shown[-1, 1]], mode="markers", showlegend=False,
                                 marker={"symbol": "diamond", "size": 14, "color": colour,
                                         "line": {"width": 2, "color": "white"}}, hoverinfo="skip"))
        title = (f"{title}<br><span style='color:{colour};font-size:{p['font']}px'>"
                 f"◆ where it is after {n_steps} steps</span>")
    _style(fig, title, height)
    fig.update_layout(margin={"l": 75, "r": 10, "t": 95, "b": 65})
    fig.update_xaxes(title_text=w_label, range=list(w_range), constrain="domain", showgrid=False)
    fig.update_yaxes(title_text=b_label, range=list(b_range), scaleanchor="x", scaleratio=1,
                     constrain="domain", showgrid=False)
    return fig


def linear_data_figure(x, y, lines=(), height=420):
    """The data points and some straight lines through them.

    Parameters
    ----------
    x, y : array_like of shape (m,)
    lines : sequence of (label, slope, intercept)
        Lines y = slope·x + intercept in raw x units.
    height : int, default 420

    Returns
    -------
    fig : go.Figure
    """
    p = _palette()
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    fig = go.Figure(go.Scatter(x=x, y=y, mode="markers", name="data",
                               marker={"size": 9, "color": p["grey"], "opacity": 0.8}))
    xs = np.array([float(x.min()), float(x.max())]) if x.size else np.array([0.0, 1.0])
    colours = (p["black"], p["blue"], p["vermillion"], p["green"])
    dashes = ("dot", "solid", "dash", "dashdot")
    for i, (label, slope, intercept) in enumerate(lines):
        fig.add_trace(go.Scatter(x=xs, y=slope * xs + intercept, mode="lines", name=label,
                                 line={"color": colours[i % 4], "width": p["line"], "dash": dashes[i % 4]}))
    _style(fig, "The data: y = 3x + 7 + noise", height,
            legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top",
                    "bgcolor": "rgba(255,255,255,0.85)"})
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text="y")
    return fig


# ----------------------------------------------------------------------------
# Math
# ----------------------------------------------------------------------------

def sigmoid_figure(z, a, y, height=420):
    """σ(z) with the examples placed on it, coloured and labelled by their label.

    Parameters
    ----------
    z : array_like of shape (m,)
        Logits of the examples.
    a : array_like of shape (m,)
        σ(z) of the examples.
    y : array_like of shape (m,)
        Labels 0/1.
    height : int, default 420

    Returns
    -------
    fig : go.Figure
    """
    p = _palette()
    z = np.asarray(z, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    y = np.asarray(y)
    reach = max(6.0, float(np.max(np.abs(z[np.isfinite(z)]))) + 1.0 if z.size else 6.0)
    reach = min(reach, 60.0)
    grid = np.linspace(-reach, reach, 400)
    curve = sigmoid(grid)
    fig = go.Figure(go.Scatter(x=grid, y=curve, mode="lines", name="σ(z)",
                               line={"color": p["black"], "width": p["line"]}, hoverinfo="skip"))
    for label, colour, symbol in ((1, p["vermillion"], "circle"), (0, p["blue"], "square")):
        idx = np.flatnonzero(y == label)
        if idx.size == 0:
            continue
        fig.add_trace(go.Scatter(
            x=np.clip(z[idx], -reach, reach), y=a[idx], mode="markers+text", name=f"examples with y = {label}",
            text=[f"#{i + 1}" for i in idx],
            textposition=[("top left", "bottom right")[k % 2] if label else ("bottom right", "top left")[k % 2]
                          for k in range(idx.size)],
            textfont={"size": p["font"], "color": colour},
            marker={"size": p["marker"] + 4, "color": colour, "symbol": symbol,
                    "line": {"width": 2, "color": "white"}}))
    fig.add_hline(y=0.5, line={"color": p["grey"], "width": 1.5, "dash": "dot"})
    _style(fig, "Forward pass: each example's z and a = σ(z)", height,
            legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top",
                    "bgcolor": "rgba(255,255,255,0.85)"})
    fig.update_xaxes(title_text="z = wᵀx + b", range=[-reach, reach])
    fig.update_yaxes(title_text="a = σ(z)", range=[-0.05, 1.05])
    return fig
