"""ui.figures: a live training frame skips Plotly's validation and still sends the JSON a validated figure would."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools

from ui import figures

from conftest import decoded


def _frame(frame):
    rng = np.random.default_rng(0)
    costs = [np.abs(rng.normal(size=700)) + 1e-7 for _ in range(3)]
    costs[2][-5:] = 0.0  # below the log floor
    its = [list(range(0, 700, 100)) for _ in range(3)]
    train = [list(rng.uniform(50, 100, len(i))) for i in its]
    test = [list(rng.uniform(50, 100, len(i))) for i in its]
    return figures.training_figure(
        ["raw", "/ 255", "z-score"],
        costs,
        its,
        train,
        test,
        ["running", "diverged", "stopped"],
        log_y=True,
        x_max=2000,
        colors=figures.run_colors(3),
        max_points=60,
        frame=frame,
        updates=[700, 650, 700],
    )


def _plain(value):
    """JSON with Plotly's typed arrays decoded to lists, so either encoding of the same numbers compares equal."""
    if isinstance(value, dict):
        if "bdata" in value:
            return decoded(value).tolist()
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _sent(fig):
    """What Streamlit's st.plotly_chart sends for ``fig`` (the same two calls)."""
    return json.loads(pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, True), validate=False))


def test_a_live_frame_sends_the_json_of_the_figure_plotly_would_have_checked():
    live = _frame(3)
    assert isinstance(live, figures.SpecFigure)
    checked = go.Figure(live.to_dict())  # go.Figure(dict) validates every property (and raises on a bad one)
    sent = _sent(live)
    assert _plain(sent) == _plain(json.loads(pio.to_json(checked, validate=True)))
    assert sent["layout"]["meta"] == {"frame": 3, "iteration": 700}
    assert sent["layout"]["template"]["layout"]["font"]["size"] == figures.BASE_FONT  # the lab template itself
    assert "shapes" not in sent["layout"]  # a live frame leaves out the reference lines


def test_the_final_chart_is_a_checked_figure():
    final = _frame(None)
    assert not isinstance(final, figures.SpecFigure) and final._validate
    assert final.layout.shapes  # ln 2 and the coin-flip line


def test_a_thumbnail_png_is_the_enlarged_image_and_is_encoded_once():
    import io

    from PIL import Image

    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    png = figures.thumbnail_png(image, 128)
    decoded_png = np.asarray(Image.open(io.BytesIO(png)))
    np.testing.assert_array_equal(decoded_png, figures.thumbnail(image, scale=2))  # lossless, square pixels
    assert figures.thumbnail_png(image.copy(), 128) is png  # the same picture again: no second encoding
    other = image.copy()
    other[0, 0, 0] ^= 1
    assert figures.thumbnail_png(other, 128) != png
