"""Tests of logreg_core.synthetic.make_synthetic_arrays."""

import numpy as np
import pytest

from logreg_core.synthetic import make_synthetic_arrays

from course import course_columns, course_loop


@pytest.fixture(scope="module")
def default_set():
    """The default set: (train_x, train_y, test_x, test_y, classes)."""
    return make_synthetic_arrays()


def test_shapes_dtypes_and_classes(default_set):
    train_x, train_y, test_x, test_y, classes = default_set
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (209,) and train_y.dtype == np.int64
    assert test_y.shape == (50,) and test_y.dtype == np.int64
    assert classes.shape == (2,) and classes.dtype == np.dtype("S7")
    assert classes.tolist() == [b"non-cat", b"cat"]


def test_labels_and_class_counts(default_set):
    _, train_y, _, test_y, _ = default_set
    assert set(np.unique(train_y)) == {0, 1} and set(np.unique(test_y)) == {0, 1}
    assert train_y.sum() == 72 and len(train_y) - train_y.sum() == 137  # the real set: 137 non-cat / 72 cat
    assert test_y.sum() == 33 and len(test_y) - test_y.sum() == 17  # and 17 non-cat / 33 cat
    # Shuffled, not grouped by class (about 94 label changes are expected).
    assert np.count_nonzero(np.diff(train_y)) > 40 and np.count_nonzero(np.diff(test_y)) > 8


def test_custom_arguments():
    train_x, train_y, test_x, test_y, _ = make_synthetic_arrays(
        seed=3, n_train=10, n_test=4, size=16, cat_fraction=0.5, test_cat_fraction=None
    )
    assert train_x.shape == (10, 16, 16, 3) and test_x.shape == (4, 16, 16, 3)
    assert train_y.sum() == 5 and test_y.sum() == 2


def test_training_set_always_holds_both_classes():
    _, train_y, _, _, _ = make_synthetic_arrays(n_train=2, n_test=1, size=16, cat_fraction=0.01)
    assert sorted(train_y.tolist()) == [0, 1]


def test_same_seed_is_byte_identical():
    small = {"n_train": 40, "n_test": 10}
    first, second = make_synthetic_arrays(seed=7, **small), make_synthetic_arrays(seed=7, **small)
    for a, b in zip(first, second, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_different_seeds_differ():
    small = {"n_train": 40, "n_test": 10}
    first, second = make_synthetic_arrays(seed=0, **small), make_synthetic_arrays(seed=1, **small)
    assert not np.array_equal(first[0], second[0]) and not np.array_equal(first[2], second[2])
    assert not np.array_equal(first[1], second[1])


def test_global_random_state_is_neither_used_nor_changed():
    np.random.seed(123)
    state = np.random.get_state()
    first = make_synthetic_arrays(n_train=4, n_test=2, size=16)
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]
    np.random.seed(456)
    second = make_synthetic_arrays(n_train=4, n_test=2, size=16)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_train": 1}, r"n_train must be a whole number ≥ 2; got 1"),
        ({"n_train": 10.0}, r"n_train must be a whole number ≥ 2; got 10\.0"),
        ({"n_train": True}, r"n_train must be a whole number ≥ 2; got True"),
        ({"n_test": 0}, r"n_test must be a whole number ≥ 1; got 0"),
        ({"size": 15}, r"size must be a whole number ≥ 16; got 15"),
        ({"seed": -1}, r"seed must be a whole number ≥ 0; got -1"),
        ({"seed": "0"}, r"seed must be a whole number ≥ 0; got '0'"),
        ({"cat_fraction": 0}, r"cat_fraction must be a number strictly between 0 and 1; got 0"),
        ({"cat_fraction": 1.0}, r"cat_fraction must be a number strictly between 0 and 1; got 1\.0"),
        ({"cat_fraction": -0.2}, r"strictly between 0 and 1; got -0\.2"),
        ({"cat_fraction": float("nan")}, r"strictly between 0 and 1; got nan"),
        ({"cat_fraction": "0.3"}, r"strictly between 0 and 1; got '0\.3'"),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_synthetic_arrays(**kwargs)


def test_both_classes_have_nontrivial_pixel_variance(default_set):
    train_x, train_y, _, _, _ = default_set
    for label in (0, 1):
        x = train_x[train_y == label].reshape(np.sum(train_y == label), -1).astype(float)
        assert x.std() > 30
        assert x.std(axis=1).min() > 5  # no flat image
        assert x.std(axis=0).mean() > 30  # images differ from each other
    assert len(np.unique(train_x.reshape(209, -1), axis=0)) == 209


@pytest.mark.slow
def test_linear_model_learns_but_does_not_generalise_perfectly(default_set):
    train_x, train_y, test_x, test_y, _ = default_set
    x_train, x_test = course_columns(train_x), course_columns(test_x)
    w, b, _ = course_loop(x_train, train_y, 0.005, 2000)
    train_pred, test_pred = w @ x_train + b > 0, w @ x_test + b > 0
    train_acc, test_acc = np.mean(train_pred == train_y), np.mean(test_pred == test_y)
    assert train_acc > 0.9
    assert 0.55 < test_acc < 0.99
