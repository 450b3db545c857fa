"""Numerical gradient check: centred differences against the analytic gradient."""
from __future__ import annotations

import numpy as np

from .model import cost_from_z, propagate

__all__ = ["numerical_gradient", "gradient_check"]


def numerical_gradient(w, b, X, Y, epsilon=1e-6):
    """Centred-difference estimate of (∂cost/∂w, ∂cost/∂b).

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)
    epsilon : float, default 1e-6

    Returns
    -------
    dw : ndarray of shape (n_features,)
    db : float
    """
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)

    def cost(w_, b_):
        return cost_from_z(w_ @ X + b_, Y)

    dw = np.empty_like(w)
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = epsilon
        dw[j] = (cost(w + step, b) - cost(w - step, b)) / (2 * epsilon)
    db = (cost(w, b + epsilon) - cost(w, b - epsilon)) / (2 * epsilon)
    return dw, float(db)


def gradient_check(w, b, X, Y, epsilon=1e-6):
    """Compare backpropagation's gradient with the numerical one.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)
    epsilon : float, default 1e-6

    Returns
    -------
    result : dict
        ``analytic`` and ``numerical`` (each the vector [dw..., db]) and
        ``relative_error`` = ‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖); below 1e-7 means
        the analytic gradient is right.
    """
    _, dw, db = propagate(np.asarray(w, dtype=np.float64), float(b), np.asarray(X, dtype=np.float64), Y)
    ndw, ndb = numerical_gradient(w, b, X, Y, epsilon)
    g_a = np.append(dw, db)
    g_n = np.append(ndw, ndb)
    denominator = np.linalg.norm(g_a) + np.linalg.norm(g_n)
    error = float(np.linalg.norm(g_a - g_n) / denominator) if denominator > 0 else 0.0
    return {"analytic": g_a, "numerical": g_n, "relative_error": error}
