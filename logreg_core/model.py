"""The one-neuron model: sigmoid, cross-entropy cost, gradients, prediction.

Shapes follow the course: a data matrix ``X`` holds one example per column.
Every function is pure and works in float64.
"""

from __future__ import annotations

from typing import TypedDict, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import check_open_unit

__all__ = [
    "sigmoid",
    "cost_from_z",
    "propagate",
    "forward_backward",
    "predict_proba",
    "predict",
    "accuracy",
    "Steps",
]

#: Float arrays: every function here works in float64.
FloatArray = NDArray[np.float64]


class Steps(TypedDict):
    """The numbers of one forward and backward pass (see :func:`forward_backward`)."""

    z: FloatArray
    A: FloatArray
    losses: FloatArray
    cost: float
    dZ: FloatArray
    dw: FloatArray
    db: float


@overload
def sigmoid(z: float) -> float: ...
@overload
def sigmoid(z: NDArray[np.floating] | NDArray[np.integer]) -> FloatArray: ...
@overload
def sigmoid(z: ArrayLike) -> float | FloatArray: ...
def sigmoid(z: ArrayLike) -> float | FloatArray:
    """Logistic function σ(z) = 1 / (1 + e^(−z)), without overflow for any z.

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    a : float or ndarray of the same shape, values in [0, 1]
        A float when z is a scalar.
    """
    z_ = np.asarray(z, dtype=np.float64)
    # e^(-|z|) never overflows; pick the algebraically equal form per sign.
    e = np.exp(-np.abs(z_))
    a = np.where(z_ >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a if a.ndim else float(a)


def cost_from_z(z: ArrayLike, Y: ArrayLike) -> float:
    """Mean cross-entropy computed from the logits, accurate and finite for any finite z.

    With s = 1 − 2y (+1 for y = 0, −1 for y = 1) the per-example loss
    −y·log σ(z) − (1 − y)·log(1 − σ(z)) is log(1 + e^(s·z)), which
    ``np.logaddexp(0, s·z)`` evaluates without overflow, without ``log(0)``
    and without cancellation (a confident right answer costs e^(−|z|), not 0).

    Parameters
    ----------
    z : array_like of shape (m,)
        Logits wᵀx + b, one per example.
    Y : array_like of shape (m,)
        Labels, 0 or 1.

    Returns
    -------
    cost : float
        inf only where |z| is near the float64 limit and the sum overflows.
    """
    z_ = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):  # only a sum past 1e308 overflows: the cost is then inf
        return float(np.mean(np.logaddexp(0.0, (1.0 - 2.0 * np.asarray(Y, dtype=np.float64)) * z_)))


def propagate(w: FloatArray, b: float, X: FloatArray, Y: FloatArray) -> tuple[float, FloatArray, float]:
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
    z = w @ X + b  # (m,)
    dz = sigmoid(z) - Y  # (m,): ∂loss/∂z, the A(1 − A) factor cancels
    dw: FloatArray = (X @ dz) / m
    db = float(np.mean(dz))
    return cost_from_z(z, Y), dw, db


def forward_backward(w: ArrayLike, b: float, X: ArrayLike, Y: ArrayLike) -> Steps:
    """Every intermediate number of one forward and backward pass, for showing.

    Parameters
    ----------
    w : array_like of shape (n_features,)
    b : float
    X : array_like of shape (n_features, m)
    Y : array_like of shape (m,)

    Returns
    -------
    steps : Steps (a dict)
        ``z``, ``A``, ``losses`` and ``dZ`` (each of shape (m,)), ``cost``,
        ``dw`` (n_features,) and ``db``, with dZ = A − Y.
    """
    w_ = np.asarray(w, dtype=np.float64)
    X_ = np.asarray(X, dtype=np.float64)
    Y_ = np.asarray(Y, dtype=np.float64)
    cost, dw, db = propagate(w_, b, X_, Y_)
    z = w_ @ X_ + b
    A = np.asarray(sigmoid(z), dtype=np.float64)
    losses = np.logaddexp(0.0, (1.0 - 2.0 * Y_) * z)  # per-example loss, as in cost_from_z
    return {"z": z, "A": A, "losses": losses, "cost": cost, "dZ": A - Y_, "dw": dw, "db": db}


def predict_proba(w: FloatArray, b: float, X: ArrayLike) -> FloatArray:
    """P(y = 1 | x) for every column of X.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : array_like of shape (n_features, m)

    Returns
    -------
    A : ndarray of shape (m,)
    """
    return np.asarray(sigmoid(w @ np.asarray(X) + b), dtype=np.float64).reshape(-1)


def predict(w: FloatArray, b: float, X: ArrayLike, threshold: float = 0.5) -> NDArray[np.int64]:
    """Labels from the probabilities: 1 where P(y = 1 | x) > threshold.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
    b : float
    X : array_like of shape (n_features, m)
    threshold : float, default 0.5
        Strictly between 0 and 1.

    Returns
    -------
    Y_prediction : ndarray of shape (m,), dtype int64
    """
    threshold = check_open_unit("threshold", threshold)
    return (predict_proba(w, b, X) > threshold).astype(np.int64)


def accuracy(Y_prediction: ArrayLike, Y: ArrayLike) -> float:
    """Percentage of labels predicted correctly.

    Parameters
    ----------
    Y_prediction : array_like of shape (m,)
    Y : array_like of shape (m,)

    Returns
    -------
    accuracy : float
        In percent, 100 − mean(|Ŷ − Y|)·100 as in the course; nan when m = 0.
    """
    predicted = np.asarray(Y_prediction).reshape(-1)
    labels = np.asarray(Y).reshape(-1)
    if labels.size == 0:
        return float("nan")
    return float(100.0 - np.mean(np.abs(predicted - labels)) * 100.0)
