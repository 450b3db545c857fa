"""ui.figures: a live training frame skips Plotly's validation and still sends the JSON a validated figure would."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools

from ui import figures

from conftest import decoded


def _frame(frame, max_points=60):
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
        max_points=max_points,
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
    assert live.layout.meta == {"frame": 3, "iteration": 700} and len(live.data) == len(sent["data"])  # checked copy
    assert repr(live) == f"SpecFigure({len(sent['data'])} traces)"


def test_a_weights_figure_sends_the_json_of_the_figure_plotly_would_have_checked():
    rng = np.random.default_rng(2)
    fig = figures.weights_figure(rng.normal(size=(64, 64, 3)), vmax=np.float64(2.5), title="w", frame=4)
    assert isinstance(fig, figures.SpecFigure)
    checked = go.Figure(fig.to_dict())
    sent = _sent(fig)
    assert sent == json.loads(pio.to_json(checked, validate=True))  # typed arrays as Plotly encodes them
    assert [t["z"]["dtype"] for t in sent["data"]] == ["f8", "f8", "f8", "u1"]
    assert sent["layout"]["meta"] == {"frame": 4}


def test_a_typed_array_is_what_plotly_sends_and_refuses_what_it_cannot_encode():
    import pytest
    from _plotly_utils.utils import to_typed_array_spec

    for a in (np.arange(6.0).reshape(2, 3), np.arange(5, dtype=np.uint8), np.zeros((2, 2, 3), np.int32)):
        assert figures.typed_array(a) == to_typed_array_spec(a)
    assert (
        figures.typed_array(np.arange(6.0).reshape(2, 3).T)["bdata"]
        == to_typed_array_spec(np.ascontiguousarray(np.arange(6.0).reshape(2, 3).T))["bdata"]
    )
    for bad in (np.arange(3, dtype=np.int64), np.arange(3.0).astype(">f8"), np.array(["a"])):
        with pytest.raises(ValueError, match="expected a float or ≤ 32-bit integer array"):
            figures.typed_array(bad)


def test_the_final_chart_sends_the_json_of_the_checked_figure_with_its_reference_lines():
    final = _frame(None, max_points=None)
    assert isinstance(final, figures.SpecFigure)
    sent = _sent(final)
    assert sent == json.loads(pio.to_json(go.Figure(final.to_dict()), validate=True))  # the same typed arrays
    assert len(sent["layout"]["shapes"]) >= 2  # ln 2 and the coin-flip line
    assert "meta" not in sent["layout"] and "width" not in sent["layout"]  # not a live frame
    cost = sent["data"][0]
    assert decoded(cost["x"]).dtype == np.int32 and decoded(cost["y"]).size == 700  # every iteration


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
    framed = figures.thumbnail_png(image, scale=3, border_color="#0072B2", border=5)
    np.testing.assert_array_equal(
        np.asarray(Image.open(io.BytesIO(framed))), figures.thumbnail(image, 3, "#0072B2", border=5)
    )
    assert figures.thumbnail_png(image, scale=3, border_color="#D55E00", border=5) != framed


def test_a_contribution_map_keys_its_colours_under_the_title_and_shows_class_names_as_typed():
    rng = np.random.default_rng(3)
    fig = figures.contribution_map_figure(rng.normal(size=(8, 8)), "<b>cat</b>", "dog & co", title="What each pixel")
    spec = json.loads(pio.to_json(fig, validate=True))
    title = spec["layout"]["title"]
    assert title["text"] == "What each pixel" and "<br>" not in title["text"]  # two lines get cut at the top
    assert title["subtitle"]["text"] == "red: towards &lt;b&gt;cat&lt;/b&gt; · blue: towards dog &amp; co"
    assert spec["data"][0]["colorbar"]["ticktext"] == ["→ dog &amp; co", "0", "→ &lt;b&gt;cat&lt;/b&gt;"]


def test_the_png_cache_is_bounded_in_bytes_and_keeps_the_recent_pictures(monkeypatch):
    import ui.figures.data as data_figures

    monkeypatch.setattr(data_figures, "PNG_CACHE_BYTES", 50_000)
    rng = np.random.default_rng(4)
    images = [rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8) for _ in range(12)]  # noise: ~18 KB each
    pngs = [figures.thumbnail_png(image, 192) for image in images]
    assert sum(len(p) for p in pngs) > 3 * data_figures.PNG_CACHE_BYTES  # far more than the cache holds
    assert 0 < data_figures._png_cached_bytes <= data_figures.PNG_CACHE_BYTES
    assert data_figures._png_cached_bytes == sum(len(p) for p in data_figures._png_cache.values())
    assert figures.thumbnail_png(images[-1], 192) is pngs[-1]  # the latest is still there: not encoded again
    assert figures.thumbnail_png(images[0], 192) is not pngs[0]  # the oldest was dropped …
    assert figures.thumbnail_png(images[0], 192) == pngs[0]  # … and comes back the same
