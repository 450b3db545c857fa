"""The one-neuron model: sigmoid, cross-entropy cost, gradients, prediction.

Shapes follow the course: a data matrix ``X`` holds one example per column.
Every function is pure and works in float64.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "cost_from_z",
    "propagate",
    "forward_backward",
    "predict_proba",
    "predict",
    "accuracy",
]


def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + e^(−z)), without overflow for any z.

    Parameters
    ----------
    z : float or ndarray of any shape

    Returns
    -------
    a : float or ndarray of the same shape, values in [0, 1]
    """
    z = np.asarray(z, dtype=np.float64)
    # e^(-|z|) never overflows; pick the algebraically equal form per sign.
    e = np.exp(-np.abs(z))
    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a if a.ndim else float(a)


def cost_from_z(z, Y):
    """Mean cross-entropy computed from the logits, accurate and finite for any finite z.

    With s = 1 − 2y (+1 for y = 0, −1 for y = 1) the per-example loss
    −y·log σ(z) − (1 − y)·log(1 − σ(z)) is log(1 + e^(s·z)), which
    ``np.logaddexp(0, s·z)`` evaluates without overflow, without ``log(0)``
    and without cancellation (a confident right answer costs e^(−|z|), not 0).

    Parameters
    ----------
    z : ndarray of shape (m,)
        Logits wᵀx + b, one per example.
    Y : ndarray of shape (m,)
        Labels, 0 or 1.

    Returns
    -------
    cost : float
        inf only where |z| is near the float64 limit and the sum overflows.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):  # only a sum past 1e308 overflows: the cost is then inf
        return float(np.mean(np.logaddexp(0.0, (1.0 - 2.0 * np.asarray(Y, dtype=np.float64)) * z)))


def propagate(w, b, X, Y):
    """Forward and backward propagation over the whole batch.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)

    Returns
    -------
    cost : float
        Mean cross-entropy at (w, b); inf only if the logits' sum overflows.
    dw : ndarray of shape (n_features,)
        ∂cost/∂w = X (A − Y)ᵀ / m.
    db : float
        ∂cost/∂b = mean(A − Y).
    """
    m = X.shape[1]
    z = w @ X + b                      # (m,)
    dz = sigmoid(z) - Y                # (m,): ∂loss/∂z, the A(1 − A) factor cancels
    dw = (X @ dz) / m
    db = float(np.mean(dz))
    return cost_from_z(z, Y), dw, db


def forward_backward(w, b, X, Y):
    """Every intermediate number of one forward and backward pass, for showing.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)

    Returns
    -------
    steps : dict
        ``z``, ``A``, ``losses`` and ``dZ`` (each of shape (m,)), ``cost``,
        ``dw`` (n_features,) and ``db``, with dZ = A − Y.
    """
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    cost, dw, db = propagate(w, b, X, Y)
    z = w @ X + b
    A = np.asarray(sigmoid(z), dtype=np.float64)
    losses = np.logaddexp(0.0, (1.0 - 2.0 * Y) * z)         # per-example loss, as in cost_from_z
    return {"z": z, "A": A, "losses": losses, "cost": cost, "dZ": A - Y, "dw": dw, "db": db}


def predict_proba(w, b, X):
    """P(y = 1 | x) for every column of X.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : ndarray of shape (n_features, m)

    Returns
    -------
    A : ndarray of shape (m,)
    """
    return np.asarray(sigmoid(w @ X + b), dtype=np.float64).reshape(-1)


def predict(w, b, X, threshold=0.5):
    """Labels from the probabilities: 1 where P(y = 1 | x) > threshold.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : ndarray of shape (n_features, m)
    threshold : float, default 0.5

    Returns
    -------
    Y_prediction : ndarray of shape (m,), dtype int64
    """
    return (predict_proba(w, b, X) > threshold).astype(np.int64)


def accuracy(Y_prediction, Y):
    """Percentage of labels predicted correctly.

    Parameters
    ----------
    Y_prediction : ndarray of shape (m,)
    Y : ndarray of shape (m,)

    Returns
    -------
    accuracy : float
        In percent, 100 − mean(|Ŷ − Y|)·100 as in the course.
    """
    Y_prediction = np.asarray(Y_prediction).reshape(-1)
    Y = np.asarray(Y).reshape(-1)
    if Y.size == 0:
        return float("nan")
    return float(100.0 - np.mean(np.abs(Y_prediction - Y)) * 100.0)
