"""Stratified, seeded splits and the validation accuracy."""

import numpy as np
import pytest

from logreg_core.data import synthetic_dataset
from logreg_core.pipeline import fit
from logreg_core.settings import TrainSettings
from logreg_core.split import (
    dataset_from_classes,
    fit_with_validation,
    stratified_split,
    validation_accuracy,
    validation_dataset,
)

from course import course_loop


def test_stratified_split_keeps_class_shares_and_is_seeded():
    y = np.r_[np.zeros(70, int), np.ones(30, int)]
    kept, held = stratified_split(y, 0.2, seed=1)
    assert sorted(np.r_[kept, held].tolist()) == list(range(100))
    assert np.sum(y[held] == 0) == 14 and np.sum(y[held] == 1) == 6
    again = stratified_split(y, 0.2, seed=1)
    np.testing.assert_array_equal(held, again[1])
    assert not np.array_equal(held, stratified_split(y, 0.2, seed=2)[1])


def test_small_classes_keep_one_on_each_side():
    kept, held = stratified_split(np.array([0, 0, 1, 1]), 0.9, seed=0)
    assert len(kept) == 2 and len(held) == 2
    with pytest.raises(ValueError, match="at least 2 examples"):
        stratified_split(np.array([0, 0, 1]), 0.2)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        stratified_split(np.array([0, 0, 1, 1]), 1.0)


def test_validation_dataset_never_touches_the_test_set():
    ds = synthetic_dataset()
    carved = validation_dataset(ds, 0.2, seed=0)
    assert len(carved.train_y) + len(carved.test_y) == len(ds.train_y)
    # every validation image is a training image
    flat_train = {x.tobytes() for x in ds.train_x}
    assert all(x.tobytes() in flat_train for x in carved.test_x)


def test_validation_accuracy_is_percent_correct():
    ds = synthetic_dataset()
    carved = validation_dataset(ds, 0.2, seed=0)
    model, _ = fit(carved, TrainSettings(num_iterations=200))
    acc = validation_accuracy(model, carved.test_x, carved.test_y)
    expected = 100 * np.mean(model.predict_images(carved.test_x) == carved.test_y)
    assert acc == pytest.approx(expected, abs=1e-12)
    assert 0 <= acc <= 100


def test_dataset_from_classes():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    ds = dataset_from_classes(a, b, ("non-cat", "cat"), 0.2, seed=0, source="my set")
    assert ds.classes == ("non-cat", "cat") and ds.source == "my set"
    assert (np.sum(ds.test_y == 0), np.sum(ds.test_y == 1)) == (2, 1)
    assert len(ds.train_y) + len(ds.test_y) == 15
    with pytest.raises(ValueError, match="at least 2 photos"):
        dataset_from_classes(a, b[:1], ("non-cat", "cat"))
    with pytest.raises(ValueError, match="different"):
        dataset_from_classes(a, b, ("cat", "Cat"))


def test_fit_with_validation_scores_the_course_model_on_the_three_sets():
    """The board's numbers: the course loop trained on the carved training set, scored on each set exactly."""
    dataset = synthetic_dataset()
    settings = TrainSettings(learning_rate=0.005, num_iterations=150, scaling="255")
    got = fit_with_validation(dataset, settings, 0.2, seed=0)
    carved = validation_dataset(dataset, 0.2, seed=0)
    w, b, _ = course_loop(carved.train_x.reshape(len(carved.train_y), -1).T / 255.0, carved.train_y, 0.005, 150)

    def percent(images, labels):
        z = w @ (images.reshape(len(labels), -1).T / 255.0) + b
        return float(np.mean((z > 0) == (np.asarray(labels) == 1)) * 100)

    expected = (
        percent(carved.train_x, carved.train_y),
        percent(carved.test_x, carved.test_y),
        percent(dataset.test_x, dataset.test_y),
    )
    assert got == pytest.approx(expected, abs=1e-12)
