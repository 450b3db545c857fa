"""σ, the cost, the gradients and prediction, against direct formulas and numerical gradients."""

import math
import warnings

import numpy as np
import pytest

from logreg_core.gradcheck import gradient_check
from logreg_core.model import accuracy, cost_from_z, forward_backward, predict, predict_proba, propagate, sigmoid


def test_sigmoid_matches_formula_and_never_overflows():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extreme = sigmoid(np.array([-1e308, -1000.0, 0.0, 1000.0, 1e308]))
    np.testing.assert_array_equal(extreme, [0.0, 0.0, 0.5, 1.0, 1.0])
    assert sigmoid(0.0) == 0.5 and isinstance(sigmoid(0.0), float)


def test_cost_from_z_equals_cross_entropy_and_stays_finite():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=4, size=50)
    Y = (rng.random(50) > 0.5).astype(float)
    a = 1 / (1 + np.exp(-z))
    naive = -np.mean(Y * np.log(a) + (1 - Y) * np.log(1 - a))
    assert cost_from_z(z, Y) == pytest.approx(naive, rel=1e-12)
    assert cost_from_z(np.zeros(4), np.array([0, 1, 0, 1.0])) == pytest.approx(math.log(2), rel=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Confidently wrong by |z| = 5000: the cost is 5000, not inf or nan.
        assert cost_from_z(np.array([5000.0, -5000.0]), np.array([0.0, 1.0])) == pytest.approx(5000.0)
        assert cost_from_z(np.array([5000.0, -5000.0]), np.array([1.0, 0.0])) == 0.0


def test_propagate_shapes_and_values():
    X = np.array([[1.0, 2.0, -1.0], [3.0, 0.5, -3.2]])  # (2 features, 3 examples)
    Y = np.array([1.0, 0.0, 1.0])
    w, b = np.array([1.0, 2.0]), 2.0
    cost, dw, db = propagate(w, b, X, Y)
    A = 1 / (1 + np.exp(-(w @ X + b)))
    assert dw.shape == (2,)
    np.testing.assert_allclose(dw, X @ (A - Y) / 3, rtol=1e-14)
    assert db == pytest.approx(np.mean(A - Y), rel=1e-14)
    assert cost == pytest.approx(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)), rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_check_relative_error_below_1e_7(seed):
    """Tolerance: relative error < 1e-7 in float64 (centred differences, ε = 1e-6)."""
    rng = np.random.default_rng(seed)
    n, m = rng.integers(2, 12), rng.integers(3, 30)
    X = rng.normal(size=(n, m))
    Y = (rng.random(m) > 0.5).astype(float)
    w = rng.normal(scale=0.5, size=n)
    result = gradient_check(w, rng.normal(), X, Y)
    assert result["relative_error"] < 1e-7
    assert result["analytic"].shape == (n + 1,)


def blog_gradient(w, b, X, Y):
    """The blog's mistake: db replaced by the first component of dw."""
    cost, dw, _ = propagate(w, b, X, Y)
    return cost, dw, float(dw[0])


def missing_one_over_m(w, b, X, Y):
    """A gradient summed instead of averaged: off by the factor m."""
    cost, dw, db = propagate(w, b, X, Y)
    return cost, dw * X.shape[1], db * X.shape[1]


@pytest.mark.parametrize("wrong", [blog_gradient, missing_one_over_m])
def test_gradient_check_reports_a_wrong_gradient(wrong):
    """The check is not vacuous: fed a wrong analytic gradient, it reports an error far above 1e-7."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 8))
    Y = (rng.random(8) > 0.5).astype(float)
    w, b = rng.normal(size=3), 0.2
    assert gradient_check(w, b, X, Y)["relative_error"] < 1e-7
    assert gradient_check(w, b, X, Y, gradient=wrong)["relative_error"] > 1e-2


def test_predict_uses_threshold_half_strictly():
    w, b = np.array([1.0]), 0.0
    X = np.array([[-2.0, 0.0, 2.0]])
    np.testing.assert_allclose(predict_proba(w, b, X), sigmoid(np.array([-2.0, 0.0, 2.0])))
    np.testing.assert_array_equal(predict(w, b, X), [0, 0, 1])
    assert predict(w, b, X).dtype == np.int64


def test_accuracy_in_percent():
    assert accuracy(np.array([1, 0, 1, 1]), np.array([1, 0, 0, 1])) == 75.0
    assert accuracy(np.ones(209), np.r_[np.ones(207), np.zeros(2)]) == 100 - 2 / 209 * 100


def test_forward_backward_shows_the_numbers_propagate_uses():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(3, 4)), np.array([1.0, 0.0, 1.0, 0.0])
    w, b = rng.normal(size=3), 0.1
    steps = forward_backward(w, b, X, Y)
    cost, dw, db = propagate(w, b, X, Y)
    assert steps["cost"] == cost and np.array_equal(steps["dw"], dw) and steps["db"] == db
    np.testing.assert_allclose(steps["A"], sigmoid(w @ X + b), rtol=1e-15)
    np.testing.assert_allclose(steps["dZ"], steps["A"] - Y, rtol=1e-15)
    assert steps["losses"].mean() == pytest.approx(cost, rel=1e-14)
