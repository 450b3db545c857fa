"""The Data page: class counts, colour channels, flattening and pixel histograms, and image tiles."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .style import BASE_FONT, CLASS_COLORS, IMAGE_AXIS, PALETTE, SCALING_COLORS, axis, fmt, grid, layout, ref

CHANNEL_NAMES = ("red", "green", "blue")
CHANNEL_RGB = ((230, 25, 25), (20, 160, 40), (25, 70, 230))


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
        data.append(
            dict(
                type="bar",
                x=[f"{s} set" for s in splits],
                y=values,
                name=f"{label} = {classes[label]}",
                marker=dict(color=CLASS_COLORS[label], pattern=dict(shape="" if label == 0 else "/")),
                text=[str(v) for v in values],
                textposition="outside",
                textfont=dict(size=BASE_FONT + 2),
                cliponaxis=False,
            )
        )
    top = max([1] + [max(counts[s]) for s in splits])
    lay = layout(
        "Images per class",
        height,
        barmode="group",
        xaxis=axis(tickfont=dict(size=BASE_FONT + 1)),
        yaxis=axis(title="images", range=[0, top * 1.25]),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
    )
    lay["margin"]["t"] = 120
    return go.Figure(data=data, layout=lay)


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
    axes, annotations = grid(1, 1 + channels, titles, hspace=0.03)
    data = [dict(type="image", z=image[:, :, :3].astype(np.uint8), hoverinfo="skip")]
    for i in range(channels):
        xa, ya = ref(i + 2)
        data.append(
            dict(
                type="heatmap",
                z=image[:, :, i],
                zmin=0,
                zmax=255,
                colorscale=_channel_scale(CHANNEL_RGB[i]),
                xaxis=xa,
                yaxis=ya,
                showscale=(i == channels - 1),
                colorbar=dict(title=dict(text="value"), tickvals=[0, 128, 255], thickness=18),
                hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>",
            )
        )
    for k in range(1, 2 + channels):
        xa, ya = ref(k)
        axes["xaxis" + xa[1:]].update(IMAGE_AXIS)
        axes["yaxis" + ya[1:]].update(IMAGE_AXIS, autorange="reversed", scaleanchor=xa)
    lay = layout(None, height, show_legend=False, annotations=annotations, **axes)
    lay["margin"] = dict(l=10, r=10, t=50, b=10)
    return go.Figure(data=data, layout=lay)


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
    axes, annotations = grid(
        1,
        2,
        [f"image ({h}, {w}, {c})", f"column x ({n:,}, 1): index = (row·{w} + col)·{c} + channel"],
        hspace=0.03,
        col_widths=[0.36, 0.64],
    )
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
    for r, col in pixels:
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="y",
                x0=col - 0.5,
                x1=col + 0.5,
                y0=r - 0.5,
                y1=r + 0.5,
                line=dict(color="#FFFFFF", width=3),
            )
        )
        if r == 0:
            j = top_row.index((r, col))
            ax, ay = (-30 + 55 * j if col < w / 2 else -20), -60
        else:
            ax = 70 if col < w / 2 else -45
            ay = 45 if r < h / 2 else 55
        annotations.append(
            dict(
                x=col,
                y=r,
                xref="x",
                yref="y",
                text=f"<b>{letters[(r, col)]}</b>",
                showarrow=True,
                arrowhead=2,
                arrowwidth=3,
                arrowcolor="#000000",
                ax=ax,
                ay=ay,
                font=dict(size=BASE_FONT + 2, color="#000000"),
                bgcolor="#FFFFFF",
                bordercolor="#000000",
                borderpad=3,
            )
        )
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
            annotations.append(
                dict(x=0.17, y=ym, xref="x2", yref="y2", text="⋮", showarrow=False, font=dict(size=BASE_FONT + 6))
            )
            continue
        ch = e["channel"]
        base = CHANNEL_RGB[ch] if ch < 3 else (128, 128, 128)
        v = float(e["value"])
        t = min(max(v / 255.0, 0.0), 1.0)
        fill = tuple(int(round(b * t)) for b in base)
        light = (0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2]) > 110
        shapes.append(
            dict(
                type="rect",
                xref="x2",
                yref="y2",
                x0=0.08,
                x1=0.26,
                y0=y0,
                y1=y1,
                fillcolor=f"rgb{fill}",
                line=dict(color="#333333", width=1),
            )
        )
        value_text = str(e["value"]) if isinstance(e["value"], (int, np.integer)) else f"{v:.3g}"
        annotations.append(
            dict(
                x=0.17,
                y=ym,
                xref="x2",
                yref="y2",
                text=value_text,
                showarrow=False,
                font=dict(size=BASE_FONT - 1, color="#000000" if light else "#FFFFFF"),
            )
        )
        annotations.append(
            dict(
                x=0.07,
                y=ym,
                xref="x2",
                yref="y2",
                text=f"x[{e['index']}]",
                showarrow=False,
                xanchor="right",
                font=dict(size=BASE_FONT - 1),
            )
        )
        cname = CHANNEL_NAMES[ch] if ch < 3 else f"ch {ch}"
        annotations.append(
            dict(
                x=0.28,
                y=ym,
                xref="x2",
                yref="y2",
                xanchor="left",
                align="left",
                showarrow=False,
                font=dict(size=BASE_FONT - 2),
                # Two short lines, so a 150 %-zoomed projector (853 px) shows them whole.
                text=(
                    f"← <b>{letters[(e['row'], e['col'])]}</b> = pixel ({e['row']}, {e['col']}), {cname}<br>"
                    f"<span style='font-size:{BASE_FONT - 4}px'>({e['row']}·{w} + {e['col']})·{c} + {ch}"
                    f" = {e['index']}</span>"
                ),
            )
        )
    axes["xaxis"].update(IMAGE_AXIS)
    axes["yaxis"].update(IMAGE_AXIS, autorange="reversed", scaleanchor="x")
    axes["xaxis2"].update(range=[-0.12, 1.0], visible=False)
    axes["yaxis2"].update(range=[-0.2, total + 0.2], visible=False)
    lay = layout(None, height, show_legend=False, annotations=annotations, shapes=shapes, **axes)
    lay["margin"] = dict(l=10, r=10, t=60, b=10)
    return go.Figure(data=data, layout=lay)


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
    axes, annotations = grid(1, len(keys), [labels.get(k, k) for k in keys], hspace=0.07)
    data = []
    for j, k in enumerate(keys):
        hst = hists[k]
        xa, ya = ref(j + 1)
        edges = np.asarray(hst["edges"], dtype=np.float64)
        color = SCALING_COLORS.get(k, PALETTE[j % len(PALETTE)])
        data.append(
            dict(
                type="bar",
                x=(edges[:-1] + edges[1:]) / 2,
                y=np.asarray(hst["counts"]),
                width=np.diff(edges),
                marker=dict(color=color, line=dict(width=0)),
                name=labels.get(k, k),
                xaxis=xa,
                yaxis=ya,
                hovertemplate="%{x:.3g}: %{y} values<extra></extra>",
            )
        )
        note = f"mean {fmt(hst['mean'])}<br>std {fmt(hst['std'])}"
        outside = int(hst.get("below", 0)) + int(hst.get("above", 0))
        if outside:
            note += f"<br>{outside:,} values outside the axis"
        annotations.append(
            dict(
                xref=f"{xa} domain",
                yref=f"{ya} domain",
                x=0.98,
                y=0.98,
                xanchor="right",
                yanchor="top",
                showarrow=False,
                text=note,
                align="right",
                bgcolor="rgba(255,255,255,0.85)",
                font=dict(size=BASE_FONT - 2),
            )
        )
        axes["xaxis" + xa[1:]].update(axis(title="pixel value", range=[float(edges[0]), float(edges[-1])]))
        axes["yaxis" + ya[1:]].update(axis(title="number of values" if j == 0 else None, exponentformat="SI"))
    lay = layout(None, height, show_legend=False, annotations=annotations, bargap=0, **axes)
    lay["margin"]["t"] = 60
    return go.Figure(data=data, layout=lay)


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
    rgb = [int(border_color[i : i + 2], 16) for i in (1, 3, 5)]
    out = np.empty((big.shape[0] + 2 * border, big.shape[1] + 2 * border, 3), dtype=np.uint8)
    out[:] = rgb
    out[border : border + big.shape[0], border : border + big.shape[1]] = big
    return out


#: Bytes of encoded pictures a server keeps (a course photo at 192 px is ~15 KB; a 256×256 upload ~150 KB):
#: bounded in bytes, not in pictures, because uploaded data sets may have images of up to 256×256.
PNG_CACHE_BYTES = 16 * 2**20
_png_lock = threading.Lock()
_png_cache: OrderedDict[bytes, bytes] = OrderedDict()  # key digest → PNG, least recently used first
_png_cached_bytes = 0


def _cached_png(image: np.ndarray, scale: int, border_color: str | None, border: int) -> bytes:
    """The PNG of ``thumbnail(image, scale, border_color, border)``, encoded once while it stays in the cache."""
    global _png_cached_bytes
    h = hashlib.blake2b(image.tobytes(), digest_size=20)
    h.update(repr((image.shape, scale, border_color, border)).encode())
    key = h.digest()
    with _png_lock:
        png = _png_cache.get(key)
        if png is not None:
            _png_cache.move_to_end(key)
            return png
    out = io.BytesIO()
    Image.fromarray(thumbnail(image, scale, border_color, border)).save(out, format="PNG", compress_level=1)
    png = out.getvalue()
    with _png_lock:
        if key not in _png_cache and len(png) <= PNG_CACHE_BYTES:
            _png_cache[key] = png
            _png_cached_bytes += len(png)
            while _png_cached_bytes > PNG_CACHE_BYTES:
                _png_cached_bytes -= len(_png_cache.popitem(last=False)[1])
        return _png_cache.get(key, png)


def thumbnail_png(image, target=128, border_color=None, border=4, scale=None):
    """:func:`thumbnail` as PNG bytes, enlarged to about ``target`` pixels; the same picture is encoded once.

    Galleries (the test set's mistakes, the data set's samples) are drawn on every rerun of every
    student's page: encoding them once per server instead of each time keeps page clicks quick on a
    busy server. Show the bytes with ``st.image(png, output_format="PNG")``: with the default "auto",
    Streamlit decodes them and encodes a JPEG on every run (blurring the square pixels too).

    Parameters
    ----------
    image : ndarray of shape (height, width, 3), uint8
    target : int, default 128
        Size in pixels of the longer side, before the frame, rounded down to a whole multiple.
    border_color : str "#rrggbb" or None, default None
    border : int, default 4
        Frame width in output pixels.
    scale : int or None, default None
        The enlargement itself, instead of ``target``.

    Returns
    -------
    png : bytes
    """
    image = np.ascontiguousarray(np.asarray(image)[:, :, :3], dtype=np.uint8)
    if scale is None:
        scale = target // max(image.shape[:2])
    return _cached_png(image, max(1, int(scale)), border_color or None, int(border))
