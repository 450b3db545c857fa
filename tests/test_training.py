"""Gradient descent: the course's algorithm, the fast form, progress reporting, divergence."""

import math
import warnings

import numpy as np
import pytest

from logreg_core.data import synthetic_dataset
from logreg_core.pipeline import fit, start_training
from logreg_core.settings import TrainSettings
from logreg_core.training import GradientDescent, choose_method, train

from course import course_loop


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_dataset()


def small_problem(seed=0, n=50, m=20):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    Y = (X[0] + 0.5 * rng.normal(size=m) > 0).astype(float)
    return X, Y


@pytest.mark.parametrize("method", ["direct", "kernel"])
def test_both_forms_follow_the_course_loop(method):
    X, Y = small_problem()
    w_ref, b_ref, costs_ref = course_loop(X, Y, 0.1, 300)
    run = train(X, Y, TrainSettings(learning_rate=0.1, num_iterations=300, method=method))
    np.testing.assert_allclose(run.costs, costs_ref, rtol=1e-12)
    np.testing.assert_allclose(run.w, w_ref, rtol=1e-10, atol=1e-13)
    assert run.b == pytest.approx(b_ref, rel=1e-10)
    assert run.costs[0] == pytest.approx(math.log(2), rel=1e-15)


@pytest.mark.parametrize("scaling", ["none", "255", "zscore"])
def test_kernel_form_equals_direct_form_on_images(synthetic, scaling):
    """Relative 1e-9 on every cost, and the same weights, for every scaling.

    Raw pixels make the cost oscillate wildly; in that regime any two orders
    of summation drift apart after ~50 steps (rounding amplified), so raw
    pixels are compared over the first 40.
    """
    lr = {"none": 1e-5, "255": 0.005, "zscore": 0.005}[scaling]
    iterations = 40 if scaling == "none" else 300
    runs = {}
    for method in ("direct", "kernel"):
        settings = TrainSettings(learning_rate=lr, num_iterations=iterations, scaling=scaling, method=method)
        runs[method], _ = start_training(synthetic, settings)
        runs[method].run()
    d, k = runs["direct"], runs["kernel"]
    np.testing.assert_allclose(k.costs, d.costs, rtol=1e-9)
    np.testing.assert_allclose(k.w, d.w, rtol=1e-9, atol=1e-9 * np.abs(d.w).max())
    assert k.b == pytest.approx(d.b, rel=1e-9)
    assert [s.train_accuracy for s in k.snapshots] == [s.train_accuracy for s in d.snapshots]


def test_auto_picks_kernel_only_when_features_outnumber_examples():
    assert choose_method("auto", 12288, 209) == "kernel"
    assert choose_method("auto", 10, 500) == "direct"
    assert choose_method("auto", 12288, 10_000) == "direct"  # K would be too large
    assert choose_method("direct", 12288, 209) == "direct"


def test_stepping_in_chunks_equals_one_run():
    X, Y = small_problem(1)
    settings = TrainSettings(learning_rate=0.05, num_iterations=250, snapshot_every=40)
    whole = train(X, Y, settings)
    stepped = GradientDescent(X, Y, settings)
    while not stepped.done:
        stepped.step(7)
    assert stepped.costs == whole.costs
    assert [s.iteration for s in stepped.snapshots] == [0, 40, 80, 120, 160, 200, 240, 250]
    assert stepped.iteration == 250 and len(stepped.costs) == 250


def test_snapshots_carry_parameters_and_accuracies(synthetic):
    run, _ = start_training(synthetic, TrainSettings(num_iterations=200, snapshot_every=50))
    run.run()
    assert [s.iteration for s in run.snapshots] == [0, 50, 100, 150, 200]
    first, last = run.snapshots[0], run.snapshots[-1]
    assert not first.w.any() and first.b == 0.0
    assert first.cost == run.costs[0]
    np.testing.assert_array_equal(last.w, run.w)
    for s in run.snapshots:
        assert 0 <= s.train_accuracy <= 100 and 0 <= s.test_accuracy <= 100


def test_single_steps_report_every_cost_and_snapshot():
    X, Y = small_problem(2)
    run = GradientDescent(X, Y, TrainSettings(learning_rate=0.1, num_iterations=30, snapshot_every=10))
    seen = []
    while not run.done:
        i = run.iteration
        snaps = run.step(1)
        seen.append((i, len(run.costs), [s.iteration for s in snaps]))
    assert [i for i, _, _ in seen] == list(range(30))
    assert [n for _, n, _ in seen] == list(range(1, 31))
    assert [s for _, _, snap in seen for s in snap] == [0, 10, 20, 30]


@pytest.mark.parametrize("lr", [1.0, 100.0])
def test_raw_pixels_with_large_rates_stay_finite_without_warnings(synthetic, lr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run, _ = start_training(synthetic, TrainSettings(learning_rate=lr, num_iterations=300, scaling="none"))
        run.run()
    assert len(run.costs) == 300 and np.all(np.isfinite(run.costs))
    assert np.all(np.isfinite(run.w))


def test_an_absurd_rate_is_reported_as_divergence_not_nan(synthetic):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run, _ = start_training(synthetic, TrainSettings(learning_rate=1e305, num_iterations=50, scaling="none"))
        run.run()
    assert run.diverged and run.done
    assert np.all(np.isfinite(run.costs)) and np.all(np.isfinite(run.w))
    assert run.final.iteration == run.iteration


def test_fit_returns_a_model_with_its_history(synthetic):
    model, _ = fit(synthetic, TrainSettings(num_iterations=100, scaling="zscore"))
    assert model.costs.shape == (100,)
    assert model.image_shape == (64, 64, 3)
    assert model.scaler.kind == "zscore"
    np.testing.assert_array_equal(
        model.predict_images(synthetic.train_x), (model.predict_proba_images(synthetic.train_x) > 0.5).astype(int)
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"learning_rate": 0}, "learning rate must be a finite number > 0; got 0"),
        ({"learning_rate": -0.1}, "learning rate"),
        ({"learning_rate": float("nan")}, "learning rate"),
        ({"learning_rate": float("inf")}, "learning rate"),
        ({"learning_rate": "0.1"}, "learning rate"),
        ({"num_iterations": 0}, "number of iterations must be a whole number ≥ 1; got 0"),
        ({"num_iterations": 2.5}, "number of iterations"),
        ({"num_iterations": 10**7}, "at most"),
        ({"scaling": "minmax"}, "scaling must be one of none, 255, zscore; got 'minmax'"),
        ({"method": "fast"}, "method must be one of"),
        ({"threshold": 1.0}, "threshold"),
        ({"snapshot_every": 0}, "snapshot interval"),
    ],
)
def test_settings_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainSettings(**kwargs)


@pytest.mark.parametrize(
    "X, Y, match",
    [
        (np.zeros((3,)), np.zeros(3), "shape \\(n_features, m\\)"),
        (np.zeros((3, 4)), np.zeros(5), "Y must have shape \\(4,\\)"),
        (np.zeros((3, 4)), np.array([0, 1, 2, 0]), "labels must be 0 or 1"),
        (np.full((3, 4), np.nan), np.zeros(4), "finite"),
    ],
)
def test_training_data_is_validated(X, Y, match):
    with pytest.raises(ValueError, match=match):
        GradientDescent(X, Y, TrainSettings())


def test_test_set_must_match_features():
    X, Y = small_problem()
    with pytest.raises(ValueError, match="test X has 3 features; training X has 50"):
        GradientDescent(X, Y, TrainSettings(), np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="both"):
        GradientDescent(X, Y, TrainSettings(), np.zeros((50, 2)), None)


def test_find_mistakes_sorts_false_positives_and_negatives_by_confidence(synthetic):
    from logreg_core.pipeline import find_mistakes

    model, _ = fit(synthetic, TrainSettings(num_iterations=100))
    found = find_mistakes(model, synthetic.test_x, synthetic.test_y)
    p, y = found.probabilities, synthetic.test_y
    predicted = (p > 0.5).astype(int)
    assert found.accuracy == pytest.approx(100 * np.mean(predicted == y))
    assert set(found.false_positives) == set(np.flatnonzero((predicted == 1) & (y == 0)))
    assert set(found.false_negatives) == set(np.flatnonzero((predicted == 0) & (y == 1)))
    assert np.all(np.diff(p[found.false_positives]) <= 0) and np.all(np.diff(p[found.false_negatives]) >= 0)
    with pytest.raises(ValueError, match="one label per image"):
        find_mistakes(model, synthetic.test_x, y[:3])
