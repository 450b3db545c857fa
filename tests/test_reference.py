"""The course's reference results on the real cat / non-cat data (../shared/data/README.md)."""

import warnings

import numpy as np
import pytest

from logreg_core.data import load_dataset
from logreg_core.pipeline import start_training
from logreg_core.settings import TrainSettings

from course import course_columns, course_loop
from paths import REAL_TEST, REAL_TRAIN, needs_real_data

pytestmark = needs_real_data

REFERENCE_COSTS = {0: 0.693147, 100: 0.584508, 200: 0.466949, 300: 0.376007, 1000: 0.214820, 1900: 0.140872}


@pytest.fixture(scope="module")
def real():
    return load_dataset(REAL_TRAIN, REAL_TEST)


@pytest.fixture(scope="module")
def course_run(real):
    run, _ = start_training(real, TrainSettings())  # /255, α = 0.005, 2000 iterations, w = 0, b = 0
    return run.run()


def test_reference_costs_to_1e_6(course_run):
    """Tolerance 1e-6 absolute: the table gives six decimals."""
    assert len(course_run.costs) == 2000
    for i, expected in REFERENCE_COSTS.items():
        assert course_run.costs[i] == pytest.approx(expected, abs=1e-6), f"cost at iteration {i}"


def test_reference_accuracies_exactly(course_run):
    assert course_run.final.iteration == 2000
    assert course_run.final.train_accuracy == 99.04306220095694
    assert course_run.final.test_accuracy == 70.0


def test_direct_form_agrees_on_the_real_data(real, course_run):
    """The course loop (tests/course.py) and the direct form for 300 iterations: same costs to relative 1e-9."""
    _, _, costs = course_loop(course_columns(real.train_x), real.train_y, 0.005, 300)
    np.testing.assert_allclose(course_run.costs[:300], costs, rtol=1e-9)
    run, _ = start_training(real, TrainSettings(num_iterations=300, method="direct"))
    run.run()
    np.testing.assert_allclose(run.costs, course_run.costs[:300], rtol=1e-9)


def test_real_data_shapes_and_classes(real):
    assert real.train_x.shape == (209, 64, 64, 3) and real.test_x.shape == (50, 64, 64, 3)
    assert int(real.train_y.sum()) == 72
    assert real.classes == ("non-cat", "cat")


@pytest.mark.parametrize("lr", [1.0, 100.0])
def test_raw_pixels_with_large_rates_stay_finite_on_the_real_data(real, lr):
    """Unscaled pixels put |z| in the thousands: the blog's σ and log overflowed to nan here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run, _ = start_training(real, TrainSettings(learning_rate=lr, scaling="none"))
        run.run()
    assert len(run.costs) == 2000 and not run.diverged
    assert np.all(np.isfinite(run.costs)) and np.all(np.isfinite(run.w))
    assert max(run.costs) > 100  # it really does swing wildly: the point of scaling
