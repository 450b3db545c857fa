"""The one look of every figure: a registered Plotly template, one palette, one number formatter.

Built for a projector: large text, thick lines, colour-blind-safe colours
(Okabe–Ito) that stay apart on a washed-out screen, line dashes as a second
cue. Every figure is built from plain dicts with ``template="lab"`` in one call:
``go.Figure(data, layout)``, or :class:`SpecFigure` for the figures a busy class
server draws again and again (training frames and chart, weight maps), which
skips Plotly's checks. Plotly's ``add_*``/``update_*``/``make_subplots`` helpers
cost 5–80 ms each, which would make the live training chart stutter.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

# Okabe–Ito, strongest first: blue, vermillion, bluish green, reddish purple, orange, black, sky blue.
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, BLACK, SKY = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#222222",
    "#56B4E9",
)
GREY = "#666666"
PALETTE = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, BLACK, SKY)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
#: Fixed colours per scaling, so a scaling looks the same in every chart.
SCALING_COLORS = {"none": VERMILLION, "255": BLUE, "zscore": GREEN}
#: Label 0 and label 1.
CLASS_COLORS = (BLUE, ORANGE)
#: ColorBrewer RdBu, negative = blue, 0 = near white, positive = red ("towards label 1" on every page).
DIVERGING = [
    [0.0, "#053061"],
    [0.1, "#2166ac"],
    [0.2, "#4393c3"],
    [0.3, "#92c5de"],
    [0.4, "#d1e5f0"],
    [0.5, "#f7f7f7"],
    [0.6, "#fddbc7"],
    [0.7, "#f4a582"],
    [0.8, "#d6604d"],
    [0.9, "#b2182b"],
    [1.0, "#67001f"],
]
#: Sequential for cost: dark at the minimum, light far away.
SEQUENTIAL = [[0.0, "#08306B"], [0.35, "#2171B5"], [0.65, "#9ECAE1"], [1.0, "#F7FBFF"]]

BASE_FONT = 18
TITLE_FONT = 22
LINE_WIDTH = 4
MARKER_SIZE = 12
#: Presentation mode multiplies every font by this.
PRESENTING_SCALE = 1.2
TEMPLATE = "lab"
WHITE_BOX = "rgba(255,255,255,0.85)"

_AXIS = dict(
    showline=True,
    linewidth=2,
    linecolor="#333333",
    gridcolor="#dddddd",
    zeroline=False,
    ticks="outside",
    tickfont=dict(size=BASE_FONT - 1),
    title=dict(font=dict(size=BASE_FONT)),
    automargin=True,
)

pio.templates[TEMPLATE] = go.layout.Template(
    layout=dict(
        font=dict(size=BASE_FONT, color="#111111"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(PALETTE),
        hoverlabel=dict(font=dict(size=BASE_FONT)),
        title=dict(font=dict(size=TITLE_FONT), x=0.01, xanchor="left"),
        xaxis=_AXIS,
        yaxis=_AXIS,
    )
)


def layout(title=None, height=None, show_legend=True, scale=1.0, subtitle=None, **extra):
    """A figure's layout on the "lab" template: title, height, margins, anything else given.

    Parameters
    ----------
    title : str or None
    height : int or None
    show_legend : bool, default True
    scale : float, default 1.0
        Font scale (presentation mode: :data:`PRESENTING_SCALE`).
    subtitle : str or None, default None
        A smaller second line under the title. Not ``title + "<br>…"``: Plotly places a title of two
        lines as if it had one, so its first line is cut off at the top of the figure.
    **extra
        Further layout entries (axes, shapes, annotations, legend, …).
    """
    out = dict(template=TEMPLATE, margin=dict(l=80, r=30, t=100 if title else 40, b=70), showlegend=show_legend)
    if scale != 1.0:
        out["font"] = dict(size=round(BASE_FONT * scale))
    if title:
        out["title"] = dict(text=title, font=dict(size=round(TITLE_FONT * scale)), y=0.98, yanchor="top")
        if subtitle:
            out["title"]["subtitle"] = dict(text=subtitle, font=dict(size=round(BASE_FONT * scale)))
    if height:
        out["height"] = height
    out.update(extra)
    return out


class SpecFigure(go.Figure):
    """A figure that is its own JSON: built from plain dicts here, read with ``to_dict()`` by Streamlit.

    For figures a busy class server draws again and again (live training frames, each visit's
    weight maps): a ``go.Figure`` checks every property when it is built and deep-copies itself
    into a dict when sent (2.5 ms for a training frame, 7 ms for a weights figure). The spec
    carries the lab template itself, as a checked figure's JSON does, and numeric arrays go as
    :func:`typed_array` (tests/test_figures.py compares the two). ``go.Figure.__init__`` is not
    run either: even an empty figure checks and copies the default template (0.3 ms, a few per
    cent of a busy server's time). Read it with ``to_dict()``; ``data`` and ``layout`` give a
    checked copy, for reading only.

    Parameters
    ----------
    data : list of dict
        Traces.
    layout : dict
        A :func:`layout` (template ``"lab"``).
    """

    def __init__(self, data, layout):
        layout = dict(layout)
        if layout.get("template") == TEMPLATE:
            layout["template"] = _template_json()
        self._spec = {"data": list(data), "layout": layout}

    def to_dict(self):
        """The spec itself (not a copy: Streamlit only serialises it)."""
        return self._spec

    def checked(self) -> go.Figure:
        """A ``go.Figure`` made from the spec, every property checked (raises on a bad one)."""
        return go.Figure(self._spec)

    @property
    def data(self):
        """The traces of :meth:`checked` (a copy: changing them does not change this figure)."""
        return self.checked().data

    @property
    def layout(self):
        """The layout of :meth:`checked` (a copy: changing it does not change this figure)."""
        return self.checked().layout

    def __repr__(self) -> str:
        return f"SpecFigure({len(self._spec['data'])} traces)"


#: Plotly.js typed-array names of the dtypes a figure sends as base64.
_TYPED = {"f8", "f4", "u1", "i1", "u2", "i2", "u4", "i4"}


def typed_array(a):
    """A numeric array as Plotly sends it: ``{"dtype", "bdata" (base64), "shape"}`` (shape from 2-D on).

    Parameters
    ----------
    a : ndarray
        float64, float32 or an integer type of at most 32 bits.

    Returns
    -------
    spec : dict
    """
    a = np.ascontiguousarray(a)
    order, code = a.dtype.str[0], a.dtype.str[1:]
    if order not in "<|" or code not in _TYPED:
        raise ValueError(f"expected a float or ≤ 32-bit integer array, little-endian; got dtype {a.dtype.str}")
    out = {"dtype": code, "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim > 1:
        out["shape"] = ", ".join(str(d) for d in a.shape)
    return out


def _template_json():
    global _TEMPLATE_JSON
    if _TEMPLATE_JSON is None:
        _TEMPLATE_JSON = pio.templates[TEMPLATE].to_plotly_json()
    return _TEMPLATE_JSON


_TEMPLATE_JSON = None


def axis(title=None, scale=1.0, **kw):
    """An axis entry: the template's look plus a title and anything given."""
    out = {}
    if title is not None:
        out["title"] = dict(text=title, font=dict(size=round(BASE_FONT * scale)))
    if scale != 1.0:
        out["tickfont"] = dict(size=round((BASE_FONT - 1) * scale))
    out.update(kw)
    return out


IMAGE_AXIS = dict(showticklabels=False, showgrid=False, zeroline=False, showline=False, ticks="", constrain="domain")


def ref(k):
    """Axis names of subplot k (1-based): ("x", "y"), ("x2", "y2"), …"""
    s = "" if k == 1 else str(k)
    return f"x{s}", f"y{s}"


def grid(rows, cols, titles=None, hspace=0.05, vspace=0.1, col_widths=None, title_size=BASE_FONT):
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
            xa, ya = ref(k)
            axes["xaxis" + xa[1:]] = dict(domain=[x0, x1], anchor=ya)
            axes["yaxis" + ya[1:]] = dict(domain=[max(0.0, y0), min(1.0, y1)], anchor=xa)
            if titles and k <= len(titles) and titles[k - 1]:
                annotations.append(
                    dict(
                        text=titles[k - 1],
                        x=(x0 + x1) / 2,
                        y=y1,
                        xref="paper",
                        yref="paper",
                        xanchor="center",
                        yanchor="bottom",
                        showarrow=False,
                        yshift=4,
                        font=dict(size=title_size),
                    )
                )
    return axes, annotations


def fmt(value, html=True):
    """The one number format of the figures: 3 significant digits, powers of ten when large or tiny.

    Parameters
    ----------
    value : float or None
    html : bool, default True
        ``2.5×10<sup>-5</sup>`` (labels and titles) or ``2.5e-5`` (tick text, where Plotly shows no HTML).

    Returns
    -------
    text : str
        "–" for None or a non-finite value.
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    a = abs(value)
    if a < 1e-12:
        return "0"
    if a >= 1e4 or a < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}×10<sup>{int(exponent)}</sup>" if html else f"{mantissa}e{int(exponent)}"
    return f"{value:.3g}"


def hline(y, color="#555555", width=2, dash="dot", axis="x", yaxis="y"):
    """A horizontal line across one panel at data value y (a layout shape)."""
    return dict(
        type="line",
        xref=f"{axis} domain",
        yref=yaxis,
        x0=0,
        x1=1,
        y0=y,
        y1=y,
        layer="below",
        line=dict(color=color, width=width, dash=dash),
    )


def run_colors(n, scalings=None):
    """Colours for n runs: by scaling when all scalings differ, else in palette order.

    Parameters
    ----------
    n : int
    scalings : sequence of str or None
        Each run's scaling ("none", "255", "zscore").
    """
    if scalings is not None and len(set(scalings)) == len(scalings) == n and all(s in SCALING_COLORS for s in scalings):
        return [SCALING_COLORS[s] for s in scalings]
    return [PALETTE[i % len(PALETTE)] for i in range(n)]
