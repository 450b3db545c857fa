"""AppTest of the Weights page, and its figure."""

import numpy as np

from ui import figures

from conftest import charts, decoded, ok, open_page


def test_weights_page_empty_then_one_click_training_shows_three_heatmaps_and_a_composite_per_run():
    at = open_page("pages/weights.py")
    assert any("No runs yet" in i.value for i in at.info)
    at.button(key="weights_train_defaults").click().run()
    ok(at)
    specs = charts(at)
    assert len(specs) == 3
    for spec in specs:
        kinds = [t["type"] for t in spec["data"]]
        assert kinds == ["heatmap", "heatmap", "heatmap", "image"]
        for heat in spec["data"][:3]:
            assert heat["zmid"] == 0 and heat["zmin"] == -heat["zmax"] and heat["zmax"] > 0
            assert decoded(heat["z"]).shape == (64, 64)
    # The slider walks through the snapshots: at iteration 0 every weight is 0.
    at.select_slider(key="weights_iteration").set_value(0).run()
    ok(at)
    assert all(np.all(decoded(s["data"][0]["z"]) == 0) for s in charts(at))


def test_weights_figure_is_centred_at_zero():
    w = np.zeros((8, 8, 3))
    w[0, 0, 0], w[1, 1, 2] = 2.0, -0.5
    spec = figures.weights_figure(w).to_dict()
    heat = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heat) == 3 and all(h["zmin"] == -2.0 and h["zmax"] == 2.0 and h["zmid"] == 0 for h in heat)
    np.testing.assert_array_equal(decoded(heat[2]["z"]), w[:, :, 2])
    composite = decoded(spec["data"][3]["z"])
    assert composite.shape == (8, 8, 3) and tuple(composite[4, 4]) == (128, 128, 128)  # grey = 0
