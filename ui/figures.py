"""Every Plotly figure of the Data, Train and Weights pages, and the image tiles of the Data page.

Each function takes plain numbers and arrays and returns a ``go.Figure`` (or a
uint8 image array): no Streamlit, no session state, no module state besides
constants. Built for a projector: large text, thick lines, colour-blind-safe
colours (Okabe–Ito) that stay apart on a washed-out screen, line dashes as a
second cue, and labels on the figure itself so nothing needs hovering.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = [
    "PALETTE", "CLASS_COLORS", "SCALING_COLORS", "DIVERGING", "COST_FLOOR", "LN2",
    "cost_figure", "accuracy_figure", "weights_figure", "weight_range",
    "class_counts_figure", "channels_figure", "flatten_figure", "pixel_histograms_figure",
    "thumbnail", "run_colors",
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
TITLE_FONT = 22
LINE_WIDTH = 4
CHANNEL_NAMES = ("red", "green", "blue")
CHANNEL_RGB = ((230, 25, 25), (20, 160, 40), (25, 70, 230))


def _style(fig, title=None, height=None, legend=True):
    """Projector defaults shared by every figure."""
    fig.update_layout(
        template="plotly_white",
        font=dict(size=BASE_FONT, color="#111111"),
        title=dict(text=title, font=dict(size=TITLE_FONT), x=0.0, xanchor="left") if title else None,
        margin=dict(l=70, r=30, t=90 if title else 40, b=70),
        hoverlabel=dict(font_size=BASE_FONT),
        showlegend=legend,
    )
    if height:
        fig.update_layout(height=height)
    fig.update_annotations(font_size=BASE_FONT)
    return fig


def _fmt(value):
    """A number for a label: 3 significant digits, scientific when large or tiny."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    a = abs(value)
    if a != 0 and (a >= 1e4 or a < 1e-3):
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa}×10<sup>{int(exponent)}</sup>"
    return f"{value:.3g}"


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


def _status_suffix(status, length):
    if status == "diverged":
        return f" — DIVERGED after {max(length - 1, 0)} it."
    if status == "stopped":
        return f" — stopped at {max(length - 1, 0)} it."
    return ""


def cost_figure(names, cost_lists, statuses=None, *, log_y=True, x_max=None, colors=None,
                max_points=None, frame=None, title="Training cost J(w, b)", height=520):
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
    title : str
    height : int

    Returns
    -------
    fig : go.Figure
    """
    n = len(names)
    statuses = list(statuses) if statuses is not None else ["done"] * n
    colors = list(colors) if colors is not None else run_colors(n)
    fig = go.Figure()
    overall_max, low_hit, off_chart = 0.0, False, []
    arrays = [np.asarray(c, dtype=np.float64).reshape(-1) for c in cost_lists]
    finite_max = [float(np.max(a[np.isfinite(a)])) if np.any(np.isfinite(a)) else 0.0 for a in arrays]
    cap = None
    if not log_y and finite_max and max(finite_max) > 10.0:
        # Linear axis: one exploding run would flatten the others into the x axis.
        cap = 1.5
    for k, (name, costs) in enumerate(zip(names, arrays)):
        status = statuses[k]
        stride = 1
        if max_points and costs.size > max_points:
            stride = int(math.ceil(costs.size / max_points))
        idx = np.arange(0, costs.size, stride)
        if costs.size and idx[-1] != costs.size - 1:
            idx = np.append(idx, costs.size - 1)
        y = costs[idx]
        if log_y:
            low_hit = low_hit or bool(np.any(y < COST_FLOOR))
            y = np.maximum(y, COST_FLOOR)
        overall_max = max(overall_max, finite_max[k])
        if cap is not None and finite_max[k] > cap:
            off_chart.append((name, finite_max[k], colors[k]))
        label = name + _status_suffix(status, costs.size)
        fig.add_trace(go.Scatter(
            x=idx, y=y, mode="lines", name=label,
            line=dict(color=colors[k], width=LINE_WIDTH, dash=DASHES[k % len(DASHES)]),
            hovertemplate="iteration %{x}<br>cost %{y:.4g}<extra>" + name + "</extra>",
        ))
        if status == "diverged" and costs.size:
            fig.add_trace(go.Scatter(
                x=[costs.size - 1], y=[y[-1]], mode="markers+text", showlegend=False,
                marker=dict(symbol="x", size=22, color=colors[k], line=dict(width=2)),
                text=["diverged"], textposition="top center",
                textfont=dict(size=BASE_FONT, color=colors[k]), hoverinfo="skip",
            ))
    # The common start: with w = 0 and b = 0 every prediction is 0.5 and the cost is ln 2.
    fig.add_hline(y=LN2, line=dict(color="#555555", width=2, dash="dot"),
                  annotation_text="ln 2 ≈ 0.693 = cost at w = 0, b = 0",
                  annotation_position="top right", annotation_font_size=BASE_FONT - 2)
    if log_y and low_hit:
        fig.add_hline(y=COST_FLOOR, line=dict(color="#888888", width=1),
                      annotation_text="cost below 10<sup>−6</sup> (≈ 0) drawn on this line",
                      annotation_position="top left", annotation_font_size=BASE_FONT - 4)
    for j, (name, peak, color) in enumerate(off_chart):
        fig.add_annotation(
            xref="paper", yref="paper", x=0.99, y=0.80 - 0.09 * j, xanchor="right", showarrow=False,
            text=f"{name}: peaks at {_fmt(peak)} — off the chart, try the log scale",
            font=dict(color=color, size=BASE_FONT - 2), bgcolor="rgba(255,255,255,0.85)",
        )
    fig.update_xaxes(title_text="iteration", range=[0, x_max] if x_max else None,
                     showline=True, linewidth=2, linecolor="#333", gridcolor="#dddddd")
    if log_y:
        fig.update_yaxes(type="log", title_text="cost (log scale)", exponentformat="power",
                         showline=True, linewidth=2, linecolor="#333", gridcolor="#dddddd")
    else:
        top = cap if cap is not None else max(overall_max, LN2) * 1.08
        fig.update_yaxes(type="linear", title_text="cost", range=[0, top],
                         showline=True, linewidth=2, linecolor="#333", gridcolor="#dddddd")
    _style(fig, title, height)
    fig.update_layout(
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0,
                    font=dict(size=BASE_FONT)),
        margin=dict(t=120), uirevision="cost",
    )
    if frame is not None:
        fig.update_layout(meta={"frame": int(frame)})
    return fig


def accuracy_figure(names, iterations, train_accuracies, test_accuracies, statuses=None, *,
                    x_max=None, colors=None, frame=None, title="Accuracy at snapshots", height=440):
    """Training (solid, ●) and test (dashed, ◆) accuracy of several runs.

    Parameters
    ----------
    names : sequence of str
    iterations : sequence of 1-D array_like
        Snapshot iterations per run.
    train_accuracies, test_accuracies : sequence of 1-D array_like
        Percent at those iterations; a test list may be empty (no test set).
    statuses : sequence of str or None
    x_max : int or None
    colors : sequence of str or None
    frame : int or None
    title : str
    height : int

    Returns
    -------
    fig : go.Figure
    """
    n = len(names)
    statuses = list(statuses) if statuses is not None else ["done"] * n
    colors = list(colors) if colors is not None else run_colors(n)
    fig = go.Figure()
    for k in range(n):
        its = np.asarray(iterations[k], dtype=np.float64)
        for acc, part, dash, symbol in ((train_accuracies[k], "train", "solid", "circle"),
                                        (test_accuracies[k], "test", "dash", "diamond")):
            acc = np.asarray(acc, dtype=np.float64) if acc is not None else np.zeros(0)
            if acc.size == 0:
                continue
            suffix = " (diverged)" if statuses[k] == "diverged" else ""
            fig.add_trace(go.Scatter(
                x=its[: acc.size], y=acc, mode="lines+markers", name=f"{name_or(names[k])} — {part}{suffix}",
                line=dict(color=colors[k], width=3 if part == "train" else 3, dash=dash),
                marker=dict(size=9, symbol=symbol, color=colors[k]),
                hovertemplate="iteration %{x}<br>" + part + " accuracy %{y:.1f} %<extra></extra>",
            ))
    fig.update_xaxes(title_text="iteration", range=[0, x_max] if x_max else None,
                     showline=True, linewidth=2, linecolor="#333", gridcolor="#dddddd")
    fig.update_yaxes(title_text="accuracy (%)", range=[0, 102], dtick=20,
                     showline=True, linewidth=2, linecolor="#333", gridcolor="#dddddd")
    fig.add_hline(y=50, line=dict(color="#888888", width=1, dash="dot"),
                  annotation_text="50 % = coin flip", annotation_position="bottom right",
                  annotation_font_size=BASE_FONT - 4)
    _style(fig, title, height)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0,
                                  font=dict(size=BASE_FONT - 2)),
                      margin=dict(t=130), uirevision="accuracy")
    if frame is not None:
        fig.update_layout(meta={"frame": int(frame)})
    return fig


def name_or(name):
    """The name, or "run" if empty."""
    return name or "run"


def weight_range(weight_images):
    """Symmetric colour limit for weight heatmaps: the largest |w| over all given arrays (> 0).

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


def weights_figure(w_image, *, vmax=None, title=None, height=640):
    """The weights as pictures: one diverging heatmap per colour channel and an RGB composite.

    Parameters
    ----------
    w_image : ndarray of shape (height, width, channels)
        The weight vector reshaped like an image.
    vmax : float or None
        Colour limit: the scale runs from −vmax (dark blue) through 0 (white)
        to +vmax (dark red). Default: max |w| of this array.
    title : str or None
    height : int

    Returns
    -------
    fig : go.Figure
        2 × 2 panels: one ``go.Heatmap`` per channel (first three channels)
        and a ``go.Image`` composite where grey = 0 and a brighter colour
        channel = a more positive weight.
    """
    w = np.asarray(w_image, dtype=np.float64)
    if w.ndim != 3:
        raise ValueError(f"expected weights shaped like an image (height, width, channels); got {w.shape}")
    h, wd, c = w.shape
    all_zero = not np.any(w)
    if vmax is None or not vmax > 0:
        vmax = weight_range([w])
    names = [f"{CHANNEL_NAMES[i] if i < 3 else f'channel {i}'} channel" for i in range(min(c, 3))]
    fig = make_subplots(rows=2, cols=2, subplot_titles=[*names, "composite (grey = 0)"][:4] if c >= 3
                        else None, horizontal_spacing=0.06, vertical_spacing=0.1)
    positions = [(1, 1), (1, 2), (2, 1)]
    for i in range(min(c, 3)):
        r, col = positions[i]
        fig.add_trace(go.Heatmap(
            z=w[:, :, i], zmin=-vmax, zmax=vmax, zmid=0.0, colorscale=DIVERGING,
            showscale=(i == 0),
            colorbar=dict(title=dict(text="weight", side="right"), len=0.9, thickness=22,
                          tickvals=[-vmax, 0, vmax], ticktext=[_fmt(-vmax), "0", _fmt(vmax)],
                          tickfont=dict(size=BASE_FONT - 2)),
            hovertemplate="row %{y}, col %{x}<br>w = %{z:.3g}<extra>" + names[i] + "</extra>",
        ), row=r, col=col)
    if c >= 3:
        rgb = 0.5 + 0.5 * np.clip(w[:, :, :3] / vmax, -1.0, 1.0)
        fig.add_trace(go.Image(z=np.round(rgb * 255).astype(np.uint8), hoverinfo="skip"), row=2, col=2)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed",
                     constrain="domain")
    for k in range(1, 5):
        fig.update_yaxes(scaleanchor=f"x{'' if k == 1 else k}", row=(k - 1) // 2 + 1, col=(k - 1) % 2 + 1)
    _style(fig, title, height, legend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=90 if title else 50, b=10))
    if all_zero:
        fig.add_annotation(xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           text="all weights are 0 (the start)", bgcolor="rgba(255,255,255,0.9)",
                           font=dict(size=BASE_FONT + 2))
    return fig


def class_counts_figure(classes, counts, height=380):
    """Images per class in the training and the test set.

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
    fig = go.Figure()
    splits = ["train", "test"]
    for label in (0, 1):
        values = [counts[s][label] for s in splits]
        fig.add_trace(go.Bar(
            x=[f"{s} set" for s in splits], y=values, name=f"{label} = {classes[label]}",
            marker=dict(color=CLASS_COLORS[label], pattern_shape="" if label == 0 else "/"),
            text=[str(v) for v in values], textposition="outside", textfont=dict(size=BASE_FONT),
        ))
    top = max([1] + [max(counts[s]) for s in splits])
    fig.update_yaxes(title_text="images", range=[0, top * 1.25], gridcolor="#dddddd")
    _style(fig, "Images per class", height)
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_layout(margin=dict(t=110))
    return fig


def _channel_scale(rgb):
    return [[0.0, "black"], [1.0, f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"]]


def channels_figure(image, height=360):
    """One image and its three colour channels, each as a 0–255 heatmap.

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
    titles = [f"image {h}×{w}×{c}"] + [f"{CHANNEL_NAMES[i]}: [:, :, {i}]" for i in range(min(c, 3))]
    fig = make_subplots(rows=1, cols=1 + min(c, 3), subplot_titles=titles, horizontal_spacing=0.03)
    fig.add_trace(go.Image(z=image[:, :, :3].astype(np.uint8), hoverinfo="skip"), row=1, col=1)
    for i in range(min(c, 3)):
        fig.add_trace(go.Heatmap(
            z=image[:, :, i], zmin=0, zmax=255, colorscale=_channel_scale(CHANNEL_RGB[i]),
            showscale=(i == 2), colorbar=dict(title=dict(text="value"), tickvals=[0, 128, 255], thickness=18),
            hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>",
        ), row=1, col=2 + i)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed",
                     constrain="domain")
    for k in range(1, 2 + min(c, 3)):
        fig.update_yaxes(scaleanchor=f"x{'' if k == 1 else k}", row=1, col=k)
    _style(fig, None, height, legend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


def flatten_figure(image, entries, height=720):
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
    fig = make_subplots(rows=1, cols=2, column_widths=[0.42, 0.58], horizontal_spacing=0.04,
                        subplot_titles=[f"image ({h}, {w}, {c})",
                                        f"column x ({n}, 1): index = (row·{w} + col)·{c} + channel"])
    fig.add_trace(go.Image(z=image[:, :, :3].astype(np.uint8), hoverinfo="skip"), row=1, col=1)
    pixels = []
    for e in entries:
        if (e["row"], e["col"]) not in pixels:
            pixels.append((e["row"], e["col"]))
    letters = {p: chr(ord("A") + i) for i, p in enumerate(pixels)}
    offsets = [(40, 45), (60, 70), (-50, 60), (55, 10), (-50, -45), (40, -40), (-40, 40)]
    for i, (r, col) in enumerate(pixels):
        fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=r - 0.5, y1=r + 0.5,
                      line=dict(color="#FFFFFF", width=3), row=1, col=1)
        fig.add_shape(type="rect", x0=col - 1.0, x1=col + 1.0, y0=r - 1.0, y1=r + 1.0,
                      line=dict(color="#000000", width=2), row=1, col=1)
        ax, ay = offsets[i % len(offsets)]
        fig.add_annotation(x=col, y=r, xref="x", yref="y", text=f"<b>{letters[(r, col)]}</b>",
                           showarrow=True, arrowhead=2, arrowwidth=3, arrowcolor="#000000",
                           ax=ax, ay=ay, font=dict(size=BASE_FONT + 2, color="#000000"),
                           bgcolor="#FFFFFF", bordercolor="#000000", borderpad=3)
    # Right panel: rows of the strip, with "⋮" wherever indices are skipped.
    rows, previous = [], None
    for e in entries:
        if previous is not None and e["index"] != previous + 1:
            rows.append(None)
        elif previous is None and e["index"] != 0:
            rows.append(None)
        rows.append(e)
        previous = e["index"]
    if previous is not None and previous != n - 1:
        rows.append(None)
    total = len(rows)
    xref, yref = "x2", "y2"
    for k, e in enumerate(rows):
        y0, y1 = total - k - 1 + 0.08, total - k - 0.08
        if e is None:
            fig.add_annotation(x=0.16, y=(y0 + y1) / 2, xref=xref, yref=yref, text="⋮",
                               showarrow=False, font=dict(size=BASE_FONT + 6))
            continue
        ch = e["channel"]
        base = CHANNEL_RGB[ch] if ch < 3 else (128, 128, 128)
        v = float(e["value"])
        t = v / 255.0 if v <= 255 else 1.0
        fill = tuple(int(round(b * t)) for b in base)
        light = (0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2]) > 110
        fig.add_shape(type="rect", x0=0.08, x1=0.26, y0=y0, y1=y1, xref=xref, yref=yref,
                      fillcolor=f"rgb{fill}", line=dict(color="#333333", width=1))
        value_text = str(e["value"]) if isinstance(e["value"], (int, np.integer)) else f"{v:.3g}"
        fig.add_annotation(x=0.17, y=(y0 + y1) / 2, xref=xref, yref=yref, text=value_text,
                           showarrow=False, font=dict(size=BASE_FONT - 1,
                                                      color="#000000" if light else "#FFFFFF"))
        fig.add_annotation(x=0.065, y=(y0 + y1) / 2, xref=xref, yref=yref, text=f"x[{e['index']}]",
                           showarrow=False, xanchor="right", font=dict(size=BASE_FONT - 1))
        cname = CHANNEL_NAMES[ch] if ch < 3 else f"ch {ch}"
        fig.add_annotation(
            x=0.29, y=(y0 + y1) / 2, xref=xref, yref=yref, xanchor="left", showarrow=False,
            text=(f"← <b>{letters[(e['row'], e['col'])]}</b> pixel ({e['row']}, {e['col']}), {cname}: "
                  f"({e['row']}·{w} + {e['col']})·{c} + {ch} = {e['index']}"),
            font=dict(size=BASE_FONT - 2),
        )
    fig.update_xaxes(range=[-0.12, 1.0], visible=False, row=1, col=2)
    fig.update_yaxes(range=[-0.2, total + 0.2], visible=False, row=1, col=2)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, row=1, col=1)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed",
                     scaleanchor="x", row=1, col=1)
    _style(fig, None, height, legend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=60, b=10))
    return fig


def pixel_histograms_figure(hists, labels, height=420):
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
    fig = make_subplots(rows=1, cols=len(keys), subplot_titles=[labels.get(k, k) for k in keys],
                        horizontal_spacing=0.06)
    for j, k in enumerate(keys):
        hst = hists[k]
        edges = np.asarray(hst["edges"], dtype=np.float64)
        centres = (edges[:-1] + edges[1:]) / 2
        color = SCALING_COLORS.get(k, PALETTE[j % len(PALETTE)])
        fig.add_trace(go.Bar(x=centres, y=hst["counts"], width=np.diff(edges), marker_color=color,
                             marker_line_width=0, name=labels.get(k, k),
                             hovertemplate="%{x:.3g}: %{y} values<extra></extra>"), row=1, col=j + 1)
        note = f"mean {_fmt(hst['mean'])}, std {_fmt(hst['std'])}"
        if hst.get("below") or hst.get("above"):
            note += f"<br>{hst['below'] + hst['above']} values outside the axis"
        fig.add_annotation(xref=f"x{'' if j == 0 else j + 1} domain", yref=f"y{'' if j == 0 else j + 1} domain",
                           x=0.98, y=0.98, xanchor="right", yanchor="top", showarrow=False, text=note,
                           bgcolor="rgba(255,255,255,0.85)", font=dict(size=BASE_FONT - 2))
        fig.update_xaxes(title_text="pixel value", range=[edges[0], edges[-1]], row=1, col=j + 1)
    fig.update_yaxes(title_text="number of values", row=1, col=1)
    fig.update_yaxes(gridcolor="#dddddd", exponentformat="SI")
    _style(fig, None, height, legend=False)
    fig.update_layout(bargap=0, margin=dict(t=60))
    return fig


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
