"""Plotly figures for the Predict, Why-standardize and Math pages.

Every function takes plain numbers and arrays and returns a new
``plotly.graph_objects.Figure``; nothing here reads Streamlit or session
state. The look is made for a projector: large fonts, thick lines, the
Okabe–Ito colour-blind-safe palette in its darker shades, and text labels on
the chart itself so nothing depends on hovering. Signed maps use a diverging
scale centred at 0.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from logreg_core.model import sigmoid

__all__ = [
    "contribution_map_figure",
    "cost_curves_figure",
    "cost_contour_figure",
    "linear_data_figure",
    "sigmoid_figure",
]


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
        # Diverging, centred at 0: blue for negative, white at 0, vermillion for positive.
        "diverging": [[0.0, "#08306B"], [0.2, "#2171B5"], [0.4, "#9ECAE1"], [0.5, "#FFFFFF"],
                      [0.6, "#FDBE85"], [0.8, "#E6550D"], [1.0, "#7F2704"]],
        # Sequential for cost: dark at the minimum, light far away.
        "sequential": [[0.0, "#08306B"], [0.35, "#2171B5"], [0.65, "#9ECAE1"], [1.0, "#F7FBFF"]],
    }


def _layout(fig, title, height, **kwargs):
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
    _layout(fig, title, height)
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
    _layout(fig, title, height,
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
    _layout(fig, title, height)
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
    _layout(fig, "The data: y = 3x + 7 + noise", height,
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
    _layout(fig, "Forward pass: each example's z and a = σ(z)", height,
            legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top",
                    "bgcolor": "rgba(255,255,255,0.85)"})
    fig.update_xaxes(title_text="z = wᵀx + b", range=[-reach, reach])
    fig.update_yaxes(title_text="a = σ(z)", range=[-0.05, 1.05])
    return fig
