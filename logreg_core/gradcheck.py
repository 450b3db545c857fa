"""Numerical gradient check: centred differences against an analytic gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import check_positive_finite
from .model import cost_from_z, propagate

__all__ = ["numerical_gradient", "gradient_check", "GradientCheck", "Gradient"]

#: A function (w, b, X, Y) → (cost, dw, db), as :func:`logreg_core.model.propagate`.
Gradient = Callable[
    [NDArray[np.float64], float, NDArray[np.float64], NDArray[np.float64]],
    tuple[float, NDArray[np.float64], float],
]


class GradientCheck(TypedDict):
    """What :func:`gradient_check` found."""

    analytic: NDArray[np.float64]
    numerical: NDArray[np.float64]
    relative_error: float


def numerical_gradient(
    w: ArrayLike, b: float, X: ArrayLike, Y: ArrayLike, epsilon: float = 1e-6
) -> tuple[NDArray[np.float64], float]:
    """Centred-difference estimate of (∂cost/∂w, ∂cost/∂b).

    Parameters
    ----------
    w : array_like of shape (n_features,)
    b : float
    X : array_like of shape (n_features, m)
    Y : array_like of shape (m,)
    epsilon : float, default 1e-6
        Half the width of each difference; finite and > 0.

    Returns
    -------
    dw : ndarray of shape (n_features,)
    db : float
    """
    epsilon = check_positive_finite("epsilon", epsilon)
    w_ = np.asarray(w, dtype=np.float64)
    X_ = np.asarray(X, dtype=np.float64)
    Y_ = np.asarray(Y, dtype=np.float64)

    def cost(w_at: NDArray[np.float64], b_at: float) -> float:
        return cost_from_z(w_at @ X_ + b_at, Y_)

    dw = np.empty_like(w_)
    for j in range(w_.size):
        step = np.zeros_like(w_)
        step[j] = epsilon
        dw[j] = (cost(w_ + step, b) - cost(w_ - step, b)) / (2 * epsilon)
    db = (cost(w_, b + epsilon) - cost(w_, b - epsilon)) / (2 * epsilon)
    return dw, float(db)


def gradient_check(
    w: ArrayLike, b: float, X: ArrayLike, Y: ArrayLike, epsilon: float = 1e-6, gradient: Gradient = propagate
) -> GradientCheck:
    """Compare an analytic gradient (backpropagation's by default) with the numerical one.

    Parameters
    ----------
    w : array_like of shape (n_features,)
    b : float
    X : array_like of shape (n_features, m)
    Y : array_like of shape (m,)
    epsilon : float, default 1e-6
        Half the width of each centred difference; finite and > 0.
    gradient : callable, default logreg_core.model.propagate
        (w, b, X, Y) → (cost, dw, db): the analytic gradient being checked.

    Returns
    -------
    result : GradientCheck (a dict)
        ``analytic`` and ``numerical`` (each the vector [dw..., db], of shape
        (n_features + 1,)) and ``relative_error`` = ‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖);
        below 1e-7 means the analytic gradient is right.
    """
    w_ = np.asarray(w, dtype=np.float64)
    X_ = np.asarray(X, dtype=np.float64)
    Y_ = np.asarray(Y, dtype=np.float64)
    _, dw, db = gradient(w_, float(b), X_, Y_)
    ndw, ndb = numerical_gradient(w_, float(b), X_, Y_, epsilon)
    g_a = np.append(dw, db)
    g_n = np.append(ndw, ndb)
    denominator = np.linalg.norm(g_a) + np.linalg.norm(g_n)
    error = float(np.linalg.norm(g_a - g_n) / denominator) if denominator > 0 else 0.0
    return {"analytic": g_a, "numerical": g_n, "relative_error": error}
