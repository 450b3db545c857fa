"""The Weights page: w reshaped into an image, one heat map per colour channel and a composite."""

from __future__ import annotations

import numpy as np

from .style import BASE_FONT, DIVERGING, IMAGE_AXIS, SpecFigure, fmt, grid, layout, ref, typed_array

CHANNEL_NAMES = ("red", "green", "blue")


def weight_range(weight_images):
    """Symmetric colour limit for weight heatmaps: the largest |w| over all given arrays (1 if all 0).

    Parameters
    ----------
    weight_images : ndarray or iterable of ndarray
        E.g. one row of weights per snapshot (:func:`logreg_core.compare.snapshot_weights`).
    """
    vmax = 0.0
    for w in [weight_images] if isinstance(weight_images, np.ndarray) else weight_images:
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
    fig : SpecFigure
        Sent as built (a Weights visit draws one per run, ▶ Play many). Four
        panels: a ``heatmap`` per colour channel (symmetric range, ``zmid`` = 0)
        and an ``image`` composite where grey = 0 and a brighter colour channel
        = a more positive weight.
    """
    w = np.asarray(w_image, dtype=np.float64)
    if w.ndim != 3:
        raise ValueError(f"expected weights shaped like an image (height, width, channels); got {w.shape}")
    channels = min(w.shape[2], 3)
    all_zero = not np.any(w)
    vmax = float(vmax) if vmax is not None and vmax > 0 else weight_range([w])
    titles = [f"{CHANNEL_NAMES[i]} channel" for i in range(channels)] + ["composite (grey = 0)"]
    if arrangement == "grid":
        axes, annotations = grid(2, 2, titles, hspace=0.04, vspace=0.09)
        height = height or 660
    else:
        axes, annotations = grid(1, 4, titles, hspace=0.025)
        height = height or 400
    data = []
    for i in range(channels):
        xa, ya = ref(i + 1)
        data.append(
            dict(
                type="heatmap",
                z=typed_array(w[:, :, i]),
                zmin=-vmax,
                zmax=vmax,
                zmid=0.0,
                colorscale=DIVERGING,
                xaxis=xa,
                yaxis=ya,
                showscale=(i == 0),
                name=titles[i],
                colorbar=dict(
                    title=dict(text="weight", side="right", font=dict(size=BASE_FONT - 2)),
                    len=1.0,
                    thickness=20,
                    x=1.01,
                    tickvals=[-vmax, 0, vmax],
                    ticktext=[fmt(-vmax), "0", fmt(vmax)],
                    tickfont=dict(size=BASE_FONT - 3),
                ),
                hovertemplate="row %{y}, col %{x}<br>w = %{z:.3g}<extra>" + titles[i] + "</extra>",
            )
        )
    if channels == 3:
        rgb = 0.5 + 0.5 * np.clip(w[:, :, :3] / vmax, -1.0, 1.0)
        data.append(
            dict(
                type="image",
                z=typed_array(np.round(rgb * 255).astype(np.uint8)),
                xaxis="x4",
                yaxis="y4",
                hoverinfo="skip",
                name=titles[-1],
            )
        )
    for k in range(1, 5):
        xa, ya = ref(k)
        axes["xaxis" + xa[1:]].update(IMAGE_AXIS)
        axes["yaxis" + ya[1:]].update(IMAGE_AXIS, autorange="reversed", scaleanchor=xa)
    if all_zero:
        annotations.append(
            dict(
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.5,
                showarrow=False,
                text="all weights are 0 (the start)",
                bgcolor="rgba(255,255,255,0.9)",
                font=dict(size=BASE_FONT + 2),
            )
        )
    lay = layout(title, height, show_legend=False, annotations=annotations, **axes)
    lay["margin"] = dict(l=10, r=90, t=(80 if height >= 350 else 64) if title else 40, b=10)
    if title:
        lay["title"]["font"] = dict(size=BASE_FONT + 2)
    if frame is not None:
        lay["meta"] = {"frame": int(frame)}
    return SpecFigure(data, lay)
