"""Figures of the Evaluate and Class board pages (issue 10), in the style of :mod:`ui.figures`.

Plain numbers in, a ``go.Figure`` out; no Streamlit. Same projector rules as
the other figures: large text, Okabe–Ito colours, labels on the figure.
Text that students typed (nicknames) is HTML-escaped before Plotly sees it,
because Plotly renders a subset of HTML in labels and hover text.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go

from ui.figures import BASE_FONT, PALETTE, SCALING_COLORS

__all__ = ["board_scatter_figure", "confusion_figure", "plain", "rank_change_figure", "roc_figure"]

TITLE_FONT = BASE_FONT + 4
RIGHT = "#009E73"  # bluish green: a correct cell, a run that climbed
WRONG = "#D55E00"  # vermillion: an error cell, a run that fell
NEUTRAL = "#777777"
_AXIS = {
    "showline": True,
    "linewidth": 2,
    "linecolor": "#333333",
    "gridcolor": "#dddddd",
    "zeroline": False,
    "ticks": "outside",
    "tickfont": {"size": BASE_FONT - 1},
    "title": {"font": {"size": BASE_FONT}},
}


def plain(text):
    """Student text made inert for Plotly labels (``<b>`` shows as ``<b>``, not bold)."""
    return html.escape(str(text), quote=False)


def _layout(title, height, show_legend=True, **extra):
    layout = {
        "template": "none",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"size": BASE_FONT, "color": "#111111"},
        "margin": {"l": 80, "r": 30, "t": 90 if title else 40, "b": 70},
        "hoverlabel": {"font": {"size": BASE_FONT}},
        "showlegend": show_legend,
        "height": height,
    }
    if title:
        layout["title"] = {
            "text": title,
            "font": {"size": TITLE_FONT},
            "x": 0.01,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
        }
    layout.update(extra)
    return layout


def _axis(title=None, **kw):
    out = dict(_AXIS)
    if title is not None:
        out["title"] = {"text": title, "font": {"size": BASE_FONT}}
    out.update(kw)
    return out


def confusion_figure(matrix, classes, title=None, chosen=None, height=380):
    """A 2×2 confusion matrix: a heatmap to read, a point per cell to click (Streamlit point selection).

    Parameters
    ----------
    matrix : ndarray of shape (2, 2)
        Counts, rows = true label, columns = predicted label.
    classes : (str, str)
        Names of label 0 and label 1.
    title : str or None, default None
    chosen : (int, int) or None, default None
        (true, predicted) of the cell to frame in black.
    height : int, default 380

    Returns
    -------
    fig : go.Figure
        Each cell shows its count and its share of the row (of the images with that true label).
        Trace 0 the heatmap (green = right, vermillion = wrong, darker = more images); trace 1 one
        nearly invisible point per cell whose ``customdata`` is ``[true, predicted]``. Any click in
        the plot picks the nearest cell (``hoverdistance=-1``).
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    total = max(1, int(matrix.sum()))
    names = [plain(c) for c in classes]
    cols = [f"predicted<br>{n}" for n in names]
    rows = [f"true<br>{n}" for n in names]
    z = [[(1 if t == p else -1) * (0.15 + 0.85 * min(1.0, 2 * matrix[t, p] / total)) for p in (0, 1)] for t in (0, 1)]
    xs, ys, text, custom, hover = [], [], [], [], []
    for t in (0, 1):
        row = max(1, int(matrix[t].sum()))
        for p in (0, 1):
            n = int(matrix[t, p])
            xs.append(cols[p])
            ys.append(rows[t])
            text.append(f"<b>{n}</b><br>{100 * n / row:.0f} %")
            custom.append([t, p])
            hover.append(f"true {names[t]}, predicted {names[p]}: {n} images — click to see them")
    data = [
        {
            "type": "heatmap",
            "x": cols,
            "y": rows,
            "z": z,
            "zmin": -1,
            "zmax": 1,
            "showscale": False,
            "hoverinfo": "skip",
            "xgap": 4,
            "ygap": 4,
            "colorscale": [[0.0, WRONG], [0.5, "#ffffff"], [1.0, RIGHT]],
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": xs,
            "y": ys,
            "text": text,
            "customdata": custom,
            "hovertext": hover,
            "hoverinfo": "text",
            "textfont": {"size": BASE_FONT + 1, "color": "#111111"},
            "marker": {"size": 60, "color": "#ffffff", "opacity": 0.01},
            # Plotly fades the text of the cells not clicked: keep every count readable (the frame marks the choice).
            "selected": {"marker": {"opacity": 0.01}, "textfont": {"color": "#111111"}},
            "unselected": {"marker": {"opacity": 0.01}, "textfont": {"color": "#111111"}},
            "showlegend": False,
        },
    ]
    shapes = []
    if chosen is not None:
        t, p = (int(v) for v in chosen)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": p - 0.5,
                "x1": p + 0.5,
                "y0": (1 - t) - 0.5,
                "y1": (1 - t) + 0.5,
                "line": {"color": "#111111", "width": 6},
            }
        )
    layout = _layout(
        title,
        height,
        show_legend=False,
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
        hoverdistance=-1,
        shapes=shapes,
        xaxis=_axis(
            type="category",
            categoryorder="array",
            categoryarray=cols,
            showgrid=False,
            showline=False,
            ticks="",
            fixedrange=True,
            side="top",
            tickangle=0,
            tickfont={"size": BASE_FONT - 2},
        ),
        yaxis=_axis(
            type="category",
            categoryorder="array",
            categoryarray=rows[::-1],
            showgrid=False,
            showline=False,
            ticks="",
            fixedrange=True,
            tickfont={"size": BASE_FONT - 2},
        ),
    )
    layout["margin"].update(l=75, r=5, t=70 if title else 60, b=10)
    return go.Figure(data=data, layout=layout)


def roc_figure(curves, points, threshold, height=480):
    """ROC curves with the current threshold marked on each.

    Parameters
    ----------
    curves : dict of str to (ndarray of shape (k,), ndarray of shape (k,), float)
        Split name → (false-positive rates, true-positive rates, AUC).
    points : dict of str to (float, float)
        Split name → (fpr, tpr) at the current threshold.
    threshold : float
    height : int, default 480

    Returns
    -------
    fig : go.Figure
    """
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": [0, 1],
            "y": [0, 1],
            "name": "guessing (AUC 0.5)",
            "line": {"color": NEUTRAL, "width": 2, "dash": "dot"},
            "hoverinfo": "skip",
        }
    ]
    for i, (name, (fpr, tpr, auc)) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": np.asarray(fpr).tolist(),
                "y": np.asarray(tpr).tolist(),
                "name": f"{name} (AUC {auc:.3f})",
                "line": {"color": color, "width": 4, "shape": "linear"},
                "hovertemplate": "false-positive rate %{x:.2f}<br>true-positive rate %{y:.2f}<extra></extra>",
            }
        )
        if name in points and all(math.isfinite(v) for v in points[name]):
            x, y = points[name]
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers+text",
                    "x": [x],
                    "y": [y],
                    "showlegend": False,
                    "text": [f"threshold {threshold:.2f}"],
                    "textposition": "bottom right",
                    "textfont": {"size": BASE_FONT - 2, "color": color},
                    "marker": {"size": 18, "color": color, "symbol": "circle", "line": {"color": "white", "width": 2}},
                    "hovertemplate": f"{name} at threshold {threshold:.2f}: false-positive rate %{{x:.2f}}, "
                    f"true-positive rate %{{y:.2f}}<extra></extra>",
                }
            )
    layout = _layout(
        "ROC curve: every threshold at once",
        height,
        # A square plot of the unit square: with constrain="domain" the plot narrows instead of the x
        # range widening to fill the width (a false-positive rate from −1 to 2).
        xaxis=_axis("false-positive rate (label 0 called 1)", range=[-0.02, 1.02], constrain="domain"),
        yaxis=_axis(
            "true-positive rate (label 1 found)", range=[-0.02, 1.02], scaleanchor="x", scaleratio=1, constrain="domain"
        ),
        legend={"x": 0.98, "xanchor": "right", "y": 0.02, "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.85)"},
    )
    return go.Figure(data=data, layout=layout)


def board_scatter_figure(
    nicknames,
    learning_rates,
    accuracies,
    scalings,
    scaling_labels,
    title="Learning rate vs validation accuracy",
    y_title="validation accuracy (%)",
    height=460,
):
    """One dot per submitted run, coloured by its scaling, learning rate on a log axis.

    Parameters
    ----------
    nicknames : sequence of str
        Shown as plain text in hover labels.
    learning_rates : sequence of float
    accuracies : sequence of float
        Percent.
    scalings : sequence of str
        "none", "255" or "zscore".
    scaling_labels : dict of str to str
        Legend text per scaling.
    title, y_title : str
    height : int, default 460

    Returns
    -------
    fig : go.Figure
    """
    data = []
    for kind in SCALING_COLORS:
        idx = [i for i, s in enumerate(scalings) if s == kind]
        if not idx:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": scaling_labels.get(kind, kind),
                "x": [float(learning_rates[i]) for i in idx],
                "y": [float(accuracies[i]) for i in idx],
                "hovertext": [plain(nicknames[i]) for i in idx],
                "hoverinfo": "text+x+y",
                "marker": {
                    "size": 16,
                    "color": SCALING_COLORS[kind],
                    "opacity": 0.85,
                    "line": {"color": "white", "width": 1.5},
                },
            }
        )
    layout = _layout(
        title,
        height,
        xaxis=_axis("learning rate α (log scale)", type="log"),
        yaxis=_axis(y_title, range=[0, 102]),
        legend={"orientation": "h", "y": -0.25, "yanchor": "top", "x": 0},
    )
    layout["margin"]["b"] = 130
    return go.Figure(data=data, layout=layout)


def rank_change_figure(nicknames, validation_ranks, test_ranks, height=None, max_labels=30):
    """A slope chart: each run's rank by validation (left) and by test accuracy (right).

    Parameters
    ----------
    nicknames : sequence of str
    validation_ranks, test_ranks : ndarray of shape (n,)
        1 = best.
    height : int or None, default None (grows with n)
    max_labels : int, default 30
        Only the best ``max_labels`` by validation are drawn, to stay readable.

    Returns
    -------
    fig : go.Figure
    """
    v = np.asarray(validation_ranks)
    t = np.asarray(test_ranks)
    order = np.argsort(v, kind="stable")[:max_labels]
    data = []
    for i in order:
        moved = int(v[i] - t[i])
        color = RIGHT if moved > 0 else WRONG if moved < 0 else NEUTRAL
        arrow = f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "="
        name = plain(nicknames[i])
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "x": [0, 1],
                "y": [int(v[i]), int(t[i])],
                "text": [f"{name} ", f" {name} {arrow}"],
                "textposition": ["middle left", "middle right"],
                "textfont": {"size": BASE_FONT - 3, "color": color},
                "line": {"color": color, "width": 3},
                "marker": {"size": 10, "color": color},
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    n = max(1, int(max(v.max(initial=1), t.max(initial=1))))
    layout = _layout(
        "How the ranking changed when the test set was revealed",
        height or max(380, 60 + 28 * n),
        show_legend=False,
        xaxis=_axis(
            None,
            tickmode="array",
            tickvals=[0, 1],
            ticktext=["rank by validation", "rank by test"],
            range=[-0.9, 1.9],
            showgrid=False,
            showline=False,
            ticks="",
            side="top",
        ),
        yaxis=_axis("rank", autorange="reversed", dtick=1, showgrid=False),
    )
    return go.Figure(data=data, layout=layout)
