"""AppTest of the Math page."""

import re

import pytest

from conftest import open_page, texts


def _cost(at):
    for body in texts(at.latex):
        found = re.search(r"\\mathcal\{L\}\^\{\(i\)\} = ([0-9.]+)", body)
        if found:
            return float(found.group(1))
    raise AssertionError("no cost shown")


def test_math_gradient_check_is_below_1e_7():
    at = open_page("pages/math.py")
    at.button(key="math_gradcheck").click().run()
    assert not at.exception
    metric = [m for m in at.metric if m.label == "relative error"]
    assert len(metric) == 1 and float(metric[0].value) < 1e-7
    assert at.success and "< 10⁻⁷" in at.success[0].value


def test_math_shows_live_numbers_and_a_step_lowers_the_cost():
    at = open_page("pages/math.py")
    bodies = " ".join(texts(at.latex))
    for piece in ("X =", "z = w^{\\mathsf T}X + b", "A = \\sigma(z)", "dZ = A - Y", "dw =", "db ="):
        assert piece in bodies
    before = _cost(at)
    at.button(key="math_step").click().run()
    assert not at.exception
    assert _cost(at) < before
    at.button(key="math_reset").click().run()
    assert _cost(at) == pytest.approx(before)
