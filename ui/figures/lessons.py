"""The Predict, Why-standardize and Math pages' figures: contribution map, cost curves and contours, σ(z)."""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go

from logreg_core.model import sigmoid

from .style import (
    BASE_FONT,
    BLACK,
    BLUE,
    DIVERGING,
    GREEN,
    GREY,
    LINE_WIDTH,
    MARKER_SIZE,
    SEQUENTIAL,
    VERMILLION,
    WHITE_BOX,
    axis,
    fmt,
    hline,
    layout,
)


def contribution_map_figure(
    contributions, positive_label, negative_label, title="Which pixels pushed where", height=380
):
    """Heat map of each pixel's contribution w·x to the logit, centred at 0.

    Parameters
    ----------
    contributions : array_like of shape (height, width)
        Per-pixel contribution (already summed over the colour channels).
    positive_label, negative_label : str
        Class names of label 1 and label 0, shown as typed (``<b>`` is not markup) in the key
        under the title and on the colour bar.
    title : str
    height : int, default 380
        Figure height in pixels.

    Returns
    -------
    fig : go.Figure
    """
    positive, negative = (html.escape(str(name), quote=False) for name in (positive_label, negative_label))
    c = np.asarray(contributions, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"contributions must have shape (height, width); got {c.shape}")
    c = np.where(np.isfinite(c), c, 0.0)
    bound = float(np.max(np.abs(c))) if c.size else 0.0
    bound = bound if bound > 0 else 1.0
    heat = dict(
        type="heatmap",
        z=c,
        zmin=-bound,
        zmax=bound,
        zmid=0.0,
        colorscale=DIVERGING,
        colorbar={
            "title": {"text": "w·x", "side": "top", "font": {"size": BASE_FONT}},
            "tickvals": [-bound, 0, bound],
            "ticktext": [f"→ {negative}", "0", f"→ {positive}"],
            "tickfont": {"size": BASE_FONT - 2},
            "thickness": 22,
            "len": 0.9,
        },
        hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>",
    )
    lay = layout(
        title,
        height,
        subtitle=f"red: towards {positive} · blue: towards {negative}",
        margin={"l": 20, "r": 20, "t": 80, "b": 20},
        xaxis=axis(visible=False, constrain="domain"),
        yaxis=axis(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1, constrain="domain"),
    )
    return go.Figure(data=[heat], layout=lay)


def cost_curves_figure(
    raw_costs,
    std_costs,
    optimal_cost,
    num_iterations,
    raw_diverged=False,
    std_diverged=False,
    learning_rate=None,
    excess=False,
    height=480,
):
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
    floor = float(optimal_cost)
    tiny = max(abs(floor) * 1e-12, 1e-300)
    if excess:
        raw_costs = np.maximum(np.asarray(raw_costs, dtype=np.float64) - floor, tiny)
        std_costs = np.maximum(np.asarray(std_costs, dtype=np.float64) - floor, tiny)
    series = [
        ("raw x", np.asarray(raw_costs, dtype=np.float64), raw_diverged, VERMILLION, "dash"),
        ("standardized x", np.asarray(std_costs, dtype=np.float64), std_diverged, BLUE, "solid"),
    ]
    start = max(float(s[1][0]) for s in series if s[1].size)
    if excess:
        low = min(float(np.min(s[1])) for s in series if s[1].size)
        bottom = math.log10(low) - 0.5
    else:
        bottom = math.log10(max(floor, 1e-300)) - 0.3
    top = math.log10(start) + 1.2
    data, annotations, shapes = [], [], []
    # Below the legend (top right), one above the other.
    for offset, (name, costs, diverged, colour, dash) in zip((75, 125), series, strict=False):
        costs = costs[np.isfinite(costs)]
        it = np.arange(costs.size)
        label = f"{name} — DIVERGED" if diverged else name
        data.append(
            dict(
                type="scatter",
                x=it,
                y=costs,
                mode="lines",
                name=label,
                line={"color": colour, "width": LINE_WIDTH, "dash": dash},
            )
        )
        if diverged and costs.size:
            k = int(costs.size - 1)
            y_mark = min(float(costs[-1]), 10 ** (top - 0.15))
            data.append(
                dict(
                    type="scatter",
                    x=[k],
                    y=[y_mark],
                    mode="markers",
                    showlegend=False,
                    marker={"symbol": "x", "size": 20, "color": colour, "line": {"width": 2, "color": colour}},
                    hoverinfo="skip",
                )
            )
            updates = "update" if k == 1 else "updates"
            annotations.append(
                dict(
                    x=k,
                    y=math.log10(y_mark),
                    text=f"<b>{name}: diverged after {k} {updates}</b>",
                    showarrow=True,
                    arrowhead=2,
                    arrowwidth=2,
                    arrowcolor=colour,
                    ax=70,
                    ay=offset,
                    font={"size": BASE_FONT, "color": colour},
                    xanchor="left",
                    bgcolor=WHITE_BOX,
                )
            )
    if not excess:
        shapes.append(hline(floor, color=BLACK))
        annotations.append(
            dict(
                x=1,
                xref="paper",
                xanchor="right",
                y=math.log10(max(floor, 1e-300)),
                yanchor="bottom",
                text=f"lowest possible cost J* = {floor:.4g}",
                showarrow=False,
                yshift=4,
                bgcolor=WHITE_BOX,
                font={"size": BASE_FONT - 2, "color": BLACK},
            )
        )
    title = "J − J*: how far above the lowest cost" if excess else "Cost J during gradient descent"
    lay = layout(
        title,
        height,
        shapes=shapes,
        annotations=annotations,
        legend={
            "x": 0.99,
            "y": 0.99,
            "xanchor": "right",
            "yanchor": "top",
            "font": {"size": BASE_FONT},
            "bgcolor": WHITE_BOX,
            "bordercolor": GREY,
            "borderwidth": 1,
        },
        margin={"l": 80, "r": 30, "t": 95, "b": 70} if height >= 420 else {"l": 70, "r": 20, "t": 80, "b": 55},
        xaxis=axis(title="iteration (updates of w and b)", range=[0, max(int(num_iterations), 1)]),
        yaxis=axis(
            title=("J − J*" if excess else "cost J") + " (log scale)",
            type="log",
            range=[bottom, top],
            dtick=1 if top - bottom <= 10 else 2,
        ),
    )
    if learning_rate is not None:
        # A subtitle, not a second line in the title: a two-line title anchored at the top is cut off.
        lay["title"]["subtitle"] = {
            "text": f"log scale · the same α = {learning_rate:g} for both",
            "font": {"size": BASE_FONT},
        }
    return go.Figure(data=data, layout=lay)


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


def cost_contour_figure(
    w_grid,
    b_grid,
    J,
    path,
    optimum,
    optimal_cost,
    title,
    w_label="w",
    b_label="b",
    diverged=False,
    path_colour=None,
    height=560,
):
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
    colour = path_colour or VERMILLION
    w_grid = np.asarray(w_grid, dtype=np.float64)
    b_grid = np.asarray(b_grid, dtype=np.float64)
    J = np.asarray(J, dtype=np.float64)
    floor = max(abs(float(optimal_cost)) * 1e-4, 1e-12)
    excess = np.log10(np.maximum(J - float(optimal_cost), floor))
    lo = math.floor(float(np.min(excess)))
    hi = math.ceil(float(np.max(excess)))
    ticks = list(range(lo, hi + 1, 1 if hi - lo <= 6 else 2))
    data = [
        dict(
            type="contour",
            x=w_grid,
            y=b_grid,
            z=excess,
            colorscale=SEQUENTIAL,
            contours={"start": lo, "end": hi, "size": 0.5, "coloring": "fill", "showlines": True},
            line={"width": 1.5, "color": "rgba(40,40,40,0.55)"},
            colorbar={
                "title": {"text": "J − J*", "side": "top", "font": {"size": BASE_FONT}},
                "tickvals": ticks,
                "ticktext": [fmt(10.0**t, html=False) for t in ticks],
                "tickfont": {"size": BASE_FONT - 2},
                "thickness": 16,
                "xpad": 4,
            },
            hovertemplate=f"{w_label} = %{{x:.3g}}, {b_label} = %{{y:.3g}}<extra></extra>",
        )
    ]
    w_range = (float(w_grid[0]), float(w_grid[-1]))
    b_range = (float(b_grid[0]), float(b_grid[-1]))
    shown, left = _clip_path(path, w_range, b_range)
    n_steps = len(np.asarray(path)) - 1
    line = dict(type="scatter", mode="lines", showlegend=False, hoverinfo="skip")
    if len(shown):
        data.append(dict(line, x=shown[:, 0], y=shown[:, 1], line={"color": "white", "width": LINE_WIDTH + 4}))
        data.append(dict(line, x=shown[:, 0], y=shown[:, 1], line={"color": colour, "width": LINE_WIDTH}))
        first = shown[: min(len(shown), 40)]
        data.append(
            dict(
                type="scatter",
                x=first[:, 0],
                y=first[:, 1],
                mode="markers",
                showlegend=False,
                marker={"size": 8, "color": colour, "line": {"width": 1.5, "color": "white"}},
                hoverinfo="skip",
            )
        )
    w0, b0 = np.asarray(path, dtype=np.float64)[0]
    data.append(
        dict(
            type="scatter",
            x=[w0],
            y=[b0],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={"size": 16, "color": "white", "line": {"width": 3, "color": BLACK}},
        )
    )
    data.append(
        dict(
            type="scatter",
            x=[optimum[0]],
            y=[optimum[1]],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={"symbol": "star", "size": 26, "color": "#F0E442", "line": {"width": 2, "color": BLACK}},
        )
    )
    label_box = {
        "bgcolor": WHITE_BOX,
        "borderpad": 2,
        "showarrow": True,
        "arrowwidth": 1.5,
        "arrowcolor": BLACK,
        "font": {"size": BASE_FONT - 1, "color": BLACK},
    }
    annotations = [
        dict(label_box, x=w0, y=b0, text="start", ax=45, ay=30),
        dict(label_box, x=optimum[0], y=optimum[1], text="minimum", ax=-60, ay=30),
    ]
    subtitle = None
    if diverged or left:
        note = "DIVERGED: the path leaves the chart" if left else "DIVERGED"
        subtitle = f"<span style='color:{colour}'><b>{note}</b></span>"
    elif len(shown) > 1:
        data.append(
            dict(
                type="scatter",
                x=[shown[-1, 0]],
                y=[shown[-1, 1]],
                mode="markers",
                showlegend=False,
                marker={"symbol": "diamond", "size": 14, "color": colour, "line": {"width": 2, "color": "white"}},
                hoverinfo="skip",
            )
        )
        subtitle = f"<span style='color:{colour}'>◆ where it is after {n_steps} steps</span>"
    lay = layout(
        title,
        height,
        subtitle=subtitle,
        annotations=annotations,
        margin={"l": 75, "r": 10, "t": 95, "b": 65},
        xaxis=axis(title=w_label, range=list(w_range), constrain="domain", showgrid=False),
        yaxis=axis(
            title=b_label, range=list(b_range), scaleanchor="x", scaleratio=1, constrain="domain", showgrid=False
        ),
    )
    return go.Figure(data=data, layout=lay)


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
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    data = [
        dict(type="scatter", x=x, y=y, mode="markers", name="data", marker={"size": 9, "color": GREY, "opacity": 0.8})
    ]
    xs = np.array([float(x.min()), float(x.max())]) if x.size else np.array([0.0, 1.0])
    colours = (BLACK, BLUE, VERMILLION, GREEN)
    dashes = ("dot", "solid", "dash", "dashdot")
    for i, (label, slope, intercept) in enumerate(lines):
        data.append(
            dict(
                type="scatter",
                x=xs,
                y=slope * xs + intercept,
                mode="lines",
                name=label,
                line={"color": colours[i % 4], "width": LINE_WIDTH, "dash": dashes[i % 4]},
            )
        )
    lay = layout(
        "The data: y = 3x + 7 + noise",
        height,
        margin={"l": 80, "r": 30, "t": 70, "b": 70},
        legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": WHITE_BOX},
        xaxis=axis(title="x"),
        yaxis=axis(title="y"),
    )
    return go.Figure(data=data, layout=lay)


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
    z = np.asarray(z, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    y = np.asarray(y)
    reach = max(6.0, float(np.max(np.abs(z[np.isfinite(z)]))) + 1.0 if z.size else 6.0)
    reach = min(reach, 60.0)
    grid = np.linspace(-reach, reach, 400)
    data = [
        dict(
            type="scatter",
            x=grid,
            y=sigmoid(grid),
            mode="lines",
            name="σ(z)",
            line={"color": BLACK, "width": LINE_WIDTH},
            hoverinfo="skip",
        )
    ]
    for label, colour, symbol in ((1, VERMILLION, "circle"), (0, BLUE, "square")):
        idx = np.flatnonzero(y == label)
        if idx.size == 0:
            continue
        data.append(
            dict(
                type="scatter",
                x=np.clip(z[idx], -reach, reach),
                y=a[idx],
                mode="markers+text",
                name=f"examples with y = {label}",
                text=[f"#{i + 1}" for i in idx],
                textposition=[
                    ("top left", "bottom right")[k % 2] if label else ("bottom right", "top left")[k % 2]
                    for k in range(idx.size)
                ],
                textfont={"size": BASE_FONT, "color": colour},
                marker={
                    "size": MARKER_SIZE + 4,
                    "color": colour,
                    "symbol": symbol,
                    "line": {"width": 2, "color": "white"},
                },
            )
        )
    lay = layout(
        "Forward pass: each example's z and a = σ(z)",
        height,
        shapes=[hline(0.5, color=GREY, width=1.5)],
        margin={"l": 80, "r": 30, "t": 70, "b": 70},
        legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": WHITE_BOX},
        xaxis=axis(title="z = wᵀx + b", range=[-reach, reach]),
        yaxis=axis(title="a = σ(z)", range=[-0.05, 1.05]),
    )
    return go.Figure(data=data, layout=lay)
