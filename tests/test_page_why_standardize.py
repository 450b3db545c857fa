"""AppTest of the Why-standardize page."""

import numpy as np

from conftest import decoded, open_page, plotly_specs, texts


def test_why_standardize_shows_both_curves_and_flags_divergence():
    at = open_page("pages/why_standardize.py")
    assert at.select_slider(key="ws_alpha").value == 0.1
    specs = plotly_specs(at)
    names = [t.get("name", "") for t in specs[0]["data"]]
    assert any(n.startswith("raw x") for n in names) and any(n.startswith("standardized x") for n in names)
    assert any("DIVERGED" in n for n in names if n.startswith("raw x"))
    assert len(specs) >= 3 and sum(t["type"] == "contour" for s in specs for t in s["data"]) == 2
    errors = texts(at.error)
    assert len(errors) == 1 and "Raw x: DIVERGED" in errors[0]
    for spec in specs:  # nothing non-finite reaches the screen
        for trace in spec["data"]:
            for field in ("x", "y", "z"):
                if field in trace:
                    values = decoded(trace[field])
                    assert values.dtype != object and np.all(np.isfinite(values)), (trace.get("name"), field)


def test_why_standardize_small_step_converges_and_large_step_diverges_both():
    at = open_page("pages/why_standardize.py")
    at.select_slider(key="ws_alpha").set_value(5e-4).run()
    assert not at.exception and not at.error
    assert len(at.success) == 2
    at.toggle(key="ws_excess").set_value(True).run()  # J − J*: the slow crawl of raw x shows
    curves = plotly_specs(at)[0]
    assert "J − J*" in curves["layout"]["title"]["text"]
    raw = decoded(curves["data"][0]["y"])
    assert raw[-1] > 1.0 and np.all(raw > 0)  # raw x is still well above the lowest cost
    at.button(key="ws_preset_4").click().run()  # α = 2.5
    assert at.select_slider(key="ws_alpha").value == 2.5
    assert len(at.error) == 2 and all("DIVERGED" in e for e in texts(at.error))


def test_why_standardize_says_after_how_many_updates_the_minimum_was_reached():
    at = open_page("pages/why_standardize.py")
    at.select_slider(key="ws_alpha").set_value(0.1).run()
    at.select_slider(key="ws_iterations").set_value(1000).run()
    assert not at.exception
    success = " ".join(s.value for s in at.success)
    assert "after **126 updates** (of the 1000 run" in success, success
    assert at.button(key="ws_preset_0").proto.label == "α = 0.1"  # the first preset shows the lesson
