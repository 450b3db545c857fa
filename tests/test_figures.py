"""ui.figures: a live training frame skips Plotly's validation and still sends the JSON a validated figure would."""

import json

import numpy as np
import plotly.io as pio

from ui import figures


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


def test_a_live_frame_is_the_figure_plotly_would_have_validated():
    live = _frame(3)
    validated = type(live)(live.to_dict())  # go.Figure(dict) validates every property
    assert json.loads(pio.to_json(live, validate=False)) == json.loads(pio.to_json(validated, validate=True))
    assert live.layout.meta == {"frame": 3, "iteration": 700}
    assert live.layout.template.layout.font.size == figures.BASE_FONT  # the lab template is applied


def test_the_final_chart_is_validated():
    assert _frame(None)._validate and not _frame(1)._validate
