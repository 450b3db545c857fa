"""The course's algorithm written plainly in NumPy: the trusted reference the tests compare against.

It uses nothing from logreg_core, so a mistake there cannot hide in the reference too. σ and the
cost are written in their stable forms (through ``np.logaddexp``) so that the reference itself
never overflows; they equal the course's 1 / (1 + e^(−z)) and −mean(y·log a + (1 − y)·log(1 − a)).
"""

import numpy as np


def course_loop(X, Y, learning_rate, num_iterations):
    """Batch gradient descent from w = 0, b = 0, one update per iteration.

    Parameters
    ----------
    X : ndarray of shape (n_features, m)
    Y : ndarray of shape (m,)
        Labels, 0 or 1.
    learning_rate : float
    num_iterations : int

    Returns
    -------
    w : ndarray of shape (n_features,)
        After ``num_iterations`` updates.
    b : float
    costs : list of float, length num_iterations
        ``costs[i]`` is the cost after i updates (before update i + 1).
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = X.shape[1]
    w, b, costs = np.zeros(X.shape[0]), 0.0, []
    for _ in range(num_iterations):
        z = w @ X + b
        A = np.exp(-np.logaddexp(0.0, -z))  # σ(z)
        costs.append(float(np.mean(Y * np.logaddexp(0.0, -z) + (1 - Y) * np.logaddexp(0.0, z))))
        dw = X @ (A - Y) / m
        db = float(np.mean(A - Y))
        w = w - learning_rate * dw
        b = b - learning_rate * db
    return w, b, costs


def course_columns(images):
    """Images of shape (m, height, width, channels) as the course's columns /255, shape (n_features, m)."""
    return np.asarray(images).reshape(len(images), -1).T / 255.0
