"""Flattening and the three scalings."""

import numpy as np
import pytest

from logreg_core.preprocess import Scaler, fit_scaler, flatten, unflatten


def test_flatten_puts_each_image_in_a_column_in_row_major_order():
    images = np.arange(2 * 4 * 5 * 3).reshape(2, 4, 5, 3)
    X = flatten(images)
    assert X.shape == (60, 2)
    row, col, channel = 2, 3, 1
    assert X[(row * 5 + col) * 3 + channel, 1] == images[1, row, col, channel]
    np.testing.assert_array_equal(unflatten(X[:, 0], (4, 5, 3)), images[0])
    with pytest.raises(ValueError, match=r"expected images of shape \(m, height, width, channels\)"):
        flatten(np.zeros((4, 5, 3)))
    with pytest.raises(ValueError, match="cannot reshape 7 values"):
        unflatten(np.zeros(7), (2, 2, 3))


def test_scalings():
    X = np.array([[0, 255, 51], [10, 10, 10]], dtype=np.uint8)  # feature 1 is constant
    np.testing.assert_array_equal(fit_scaler("none", X).transform(X), X.astype(float))
    np.testing.assert_allclose(fit_scaler("255", X).transform(X), X / 255.0)
    z = fit_scaler("zscore", X)
    out = z.transform(X)
    np.testing.assert_allclose(out[0].mean(), 0, atol=1e-15)
    np.testing.assert_allclose(out[0].std(), 1, rtol=1e-12)
    np.testing.assert_array_equal(out[1], 0.0)  # constant feature: centred, not divided by 0
    assert out.dtype == np.float64


def test_zscore_is_fitted_on_training_data_only():
    train = np.array([[0.0, 2.0]])
    z = fit_scaler("zscore", train)
    np.testing.assert_allclose(z.transform(np.array([[4.0]])), [[3.0]])  # (4 − 1) / 1


def test_scaler_validation():
    with pytest.raises(ValueError, match="scaling must be one of none, 255, zscore; got 'l2'"):
        fit_scaler("l2", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="needs its fitted mean and std"):
        Scaler("zscore")
    z = fit_scaler("zscore", np.ones((3, 4)))
    with pytest.raises(ValueError, match="fitted on 3 features; got 5"):
        z.transform(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="std finite and > 0"):
        Scaler("zscore", np.zeros(2), np.zeros(2))
