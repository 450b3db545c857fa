"""logreg_core.linear_demo: the Why-standardize experiment against closed-form least squares."""

import numpy as np
import pytest

from logreg_core.linear_demo import (
    compare_standardization,
    cost_surface,
    curvatures,
    gradient_descent,
    hessian,
    least_squares,
    make_linear_data,
    mse_cost,
    square_window,
    standardize,
)


@pytest.fixture(scope="module")
def data():
    return make_linear_data()


# -- data ----------------------------------------------------------------------


def test_data_is_seeded_and_in_range(data):
    x, y = data
    assert x.shape == y.shape == (100,)
    assert x.min() >= 0 and x.max() <= 100
    x2, y2 = make_linear_data()
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make_linear_data(seed=1)[0], x)


def test_noise_free_data_lies_on_the_line():
    x, y = make_linear_data(m=20, noise_std=0.0)
    np.testing.assert_allclose(y, 3 * x + 7, rtol=0, atol=1e-12)


def test_standardize_gives_mean_0_std_1(data):
    x_std, mean, std = standardize(data[0])
    assert abs(x_std.mean()) < 1e-12
    assert x_std.std() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(x_std * std + mean, data[0], rtol=1e-12)


# -- closed forms ----------------------------------------------------------------


def test_least_squares_matches_lstsq(data):
    x, y = data
    (w_ref, b_ref), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    w, b = least_squares(x, y)
    assert w == pytest.approx(w_ref, rel=1e-10)
    assert b == pytest.approx(b_ref, rel=1e-10)
    assert w == pytest.approx(3.0, abs=0.2) and b == pytest.approx(7.0, abs=8.0)


def test_mse_cost_is_half_the_mean_squared_residual():
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 5.0])
    assert mse_cost(1.0, 1.0, x, y) == pytest.approx((0 + 0 + 4) / (2 * 3))


def test_hessian_and_curvatures(data):
    x = data[0]
    H = hessian(x)
    np.testing.assert_allclose(H, [[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    lam_min, lam_max = curvatures(x)
    assert lam_max > 1000 and lam_min < 1  # the elongated valley
    np.testing.assert_allclose(curvatures(standardize(x)[0]), (1.0, 1.0), atol=1e-12)  # a round bowl


def test_cost_surface_equals_the_residual_form(data):
    x, y = data
    w_grid, b_grid, J = cost_surface(x, y, (-1.0, 5.0), (-10.0, 20.0), n=7)
    assert w_grid.shape == b_grid.shape == (7,) and J.shape == (7, 7)
    for i in (0, 3, 6):
        for j in (0, 2, 6):
            assert J[i, j] == pytest.approx(mse_cost(w_grid[j], b_grid[i], x, y), rel=1e-10)


def test_square_window_holds_the_points_with_equal_sides():
    w_range, b_range = square_window([(0, 0), (3, 7)], margin=0.1)
    assert w_range[0] < 0 < 3 < w_range[1] and b_range[0] < 0 < 7 < b_range[1]
    assert w_range[1] - w_range[0] == pytest.approx(b_range[1] - b_range[0])


# -- gradient descent against the closed form ------------------------------------------


def test_standardized_descent_reaches_least_squares(data):
    """α = 0.5 on standardized x: the error halves each step; 200 steps reach it to rounding (rel 1e-9)."""
    x, y = data
    x_std, mean, std = standardize(x)
    result = gradient_descent(x_std, y, 0.5, 200)
    assert not result.diverged and result.reason is None
    w_s, b_s = result.final
    w, b = least_squares(x, y)
    assert w_s / std == pytest.approx(w, rel=1e-9)  # back in raw units
    assert b_s - w_s * mean / std == pytest.approx(b, rel=1e-9)
    assert result.final_cost == pytest.approx(mse_cost(w, b, x, y), rel=1e-9)


def test_alpha_one_on_standardized_x_lands_in_one_step(data):
    x_std = standardize(data[0])[0]
    result = gradient_descent(x_std, data[1], 1.0, 1)
    np.testing.assert_allclose(result.final, least_squares(x_std, data[1]), rtol=1e-12)


def test_raw_descent_on_a_well_conditioned_problem_reaches_least_squares():
    """x in [0, 1]: λ_min ≈ 0.07, so α = 1 and 3000 steps give rel 1e-8."""
    x, y = make_linear_data(m=50, seed=3, x_max=1.0, noise_std=0.5)
    result = gradient_descent(x, y, 1.0, 3000)
    np.testing.assert_allclose(result.final, least_squares(x, y), rtol=1e-8)


def test_costs_and_path_are_recorded_from_the_start(data):
    x, y = data
    result = gradient_descent(x, y, 1e-4, 50)
    assert result.costs.shape == (51,) and result.path.shape == (51, 2)
    np.testing.assert_array_equal(result.path[0], [0.0, 0.0])
    assert result.costs[0] == pytest.approx(mse_cost(0.0, 0.0, x, y))
    assert result.costs[17] == pytest.approx(mse_cost(*result.path[17], x, y), rel=1e-12)
    assert np.all(np.diff(result.costs) <= 0)  # α below 2/λ_max: the cost never goes up


def test_update_is_the_gradient_step():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 5.0])
    r = 0.5 * x + 0.25 - y
    result = gradient_descent(x, y, 0.1, 1, w0=0.5, b0=0.25)
    np.testing.assert_allclose(result.final, (0.5 - 0.1 * np.mean(r * x), 0.25 - 0.1 * np.mean(r)))


# -- divergence -----------------------------------------------------------------------


def test_raw_descent_above_the_limit_is_flagged_and_stopped(data):
    x, y = data
    result = gradient_descent(x, y, 0.1, 1000)
    assert result.diverged and result.reason == "exploding"
    assert result.iterations_run < 10
    assert np.all(np.isfinite(result.costs)) and np.all(np.isfinite(result.path))


def test_overflow_is_caught_before_nan(data):
    """No blow-up threshold: the cost overflows: the run must stop at its last finite state."""
    x, y = data
    with np.errstate(all="raise"):  # no floating-point warning escapes either
        result = gradient_descent(x, y, 1.0, 10_000, blowup=float("inf"))
    assert result.diverged and result.reason == "non-finite"
    assert np.all(np.isfinite(result.costs)) and np.all(np.isfinite(result.path))


def test_slow_growth_is_flagged_as_increasing(data):
    """Just above 2/λ_max the cost grows slowly; it ends higher than it started → diverged."""
    x, y = data
    alpha = 2 / curvatures(x)[1] * 1.0005
    result = gradient_descent(x, y, alpha, 3000)
    assert result.diverged and result.reason in ("increasing", "exploding")
    assert result.iterations_run > 10


def test_just_below_the_limit_converges(data):
    x, y = data
    result = gradient_descent(x, y, 2 / curvatures(x)[1] * 0.99, 500)
    assert not result.diverged


def test_compare_same_start_same_floor_and_raw_diverges_where_standardized_converges():
    demo = compare_standardization(0.1, 300)
    assert demo.raw.costs[0] == pytest.approx(demo.standardized.costs[0], rel=1e-12)
    assert demo.raw.diverged and not demo.standardized.diverged
    assert demo.standardized.final_cost == pytest.approx(demo.optimal_cost, rel=1e-9)
    assert demo.max_step_std == pytest.approx(2.0)
    _, _, J = demo.surface("raw", n=21)
    assert J.shape == (21, 21) and np.all(J >= demo.optimal_cost - 1e-9)


def test_compare_at_alpha_2_5_both_diverge():
    demo = compare_standardization(2.5, 100)
    assert demo.raw.diverged and demo.standardized.diverged


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"m": 1}, "m must be a whole number"),
        ({"m": 2.5}, "m must be a whole number"),
        ({"seed": -1}, "seed must be"),
        ({"noise_std": -1.0}, "noise_std must be a finite number ≥ 0; got -1.0"),
        ({"x_max": 0.0}, "x_max must be a finite number > 0"),
        ({"slope": float("nan")}, "slope must be a finite number"),
    ],
)
def test_make_linear_data_rejects(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_linear_data(**kwargs)


@pytest.mark.parametrize(
    "alpha, iterations, match",
    [
        (0.0, 10, "learning rate must be a finite number > 0"),
        (-1e-3, 10, "learning rate must be a finite number > 0"),
        (float("inf"), 10, "learning rate must be a finite number"),
        (True, 10, "learning rate must be a finite number"),
        (1e-3, -1, "num_iterations must be a whole number"),
        (1e-3, 2_000_000, "num_iterations must be at most"),
    ],
)
def test_gradient_descent_rejects_settings(data, alpha, iterations, match):
    with pytest.raises(ValueError, match=match):
        gradient_descent(*data, alpha, iterations)


@pytest.mark.parametrize(
    "x, y, match",
    [
        (np.ones((2, 3)), np.ones((2, 3)), "x must be 1-D"),
        (np.arange(3.0), np.arange(4.0), "same shape"),
        (np.array([1.0]), np.array([1.0]), "at least 2 points"),
        (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "must be finite"),
        (np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.0]), "must not be constant"),
        (np.array(["a", "b"]), np.array([1.0, 2.0]), "real numbers"),
    ],
)
def test_bad_data_is_rejected(x, y, match):
    with pytest.raises(ValueError, match=match):
        least_squares(x, y)
    with pytest.raises(ValueError, match=match):
        gradient_descent(x, y, 1e-3, 5)


def test_other_rejections(data):
    with pytest.raises(ValueError, match="blowup must be a number > 1"):
        gradient_descent(*data, 1e-3, 5, blowup=0.5)
    with pytest.raises(ValueError, match="constant"):
        standardize(np.full(5, 3.0))
    with pytest.raises(ValueError, match="w_range must be finite with low < high"):
        cost_surface(*data, (2.0, 1.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="b_range must be a pair"):
        cost_surface(*data, (0.0, 1.0), 5)
    with pytest.raises(ValueError, match="points must have shape"):
        square_window(np.zeros(3))
    with pytest.raises(ValueError, match="which must be 'raw' or 'standardized'"):
        compare_standardization(1e-3, 5).surface("both")


def test_a_standardized_fit_converts_back_to_the_raw_line():
    from logreg_core.linear_demo import compare_standardization, least_squares

    demo = compare_standardization(1.0, 50)
    slope, intercept = demo.in_raw_units(*demo.optimum_std)
    raw_slope, raw_intercept = least_squares(demo.x, demo.y)
    assert slope == pytest.approx(raw_slope, rel=1e-9) and intercept == pytest.approx(raw_intercept, rel=1e-9)
