"""How good a classifier is at a decision threshold: confusion counts, precision, recall, ROC.

Everything takes the true labels ``y`` (0/1) and the model's probabilities
``p = P(label 1)``; an example is predicted 1 where ``p > threshold``, as in
:meth:`logreg_core.pipeline.Model.predict_images`. Pure NumPy, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ClassMetrics",
    "Confusion",
    "cell_indices",
    "class_metrics",
    "confusion_counts",
    "roc_auc",
    "roc_curve",
    "roc_point",
]


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y).reshape(-1)
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    if y.shape != p.shape:
        raise ValueError(f"labels and probabilities must have the same length; got {y.size} and {p.size}")
    if y.size and not np.isin(y, (0, 1)).all():
        raise ValueError(f"labels must be 0 or 1; got {np.setdiff1d(np.unique(y), [0, 1])[:5].tolist()}")
    if not np.all(np.isfinite(p)):
        raise ValueError("probabilities must be finite numbers; got NaN or infinity")
    return y.astype(np.int64), p


def _check_threshold(threshold: float) -> float:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float, np.floating))
        or not 0 <= float(threshold) <= 1
    ):
        raise ValueError(f"threshold must be a number from 0 to 1; got {threshold!r}")
    return float(threshold)


def _ratio(num: int, den: int) -> float:
    return float(num) / float(den) if den else float("nan")


@dataclass(frozen=True)
class Confusion:
    """Counts of a 2×2 confusion matrix (label 1 = positive).

    Attributes
    ----------
    tn, fp, fn, tp : int
        True label 0 predicted 0, true 0 predicted 1, true 1 predicted 0, true 1 predicted 1.
    """

    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def matrix(self) -> np.ndarray:
        """ndarray of shape (2, 2), rows = true label, columns = predicted label."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]], dtype=np.int64)

    @property
    def total(self) -> int:
        return self.tn + self.fp + self.fn + self.tp

    @property
    def accuracy(self) -> float:
        """Share of correct predictions in [0, 1] (NaN for no examples)."""
        return _ratio(self.tn + self.tp, self.total)


@dataclass(frozen=True)
class ClassMetrics:
    """One class's numbers at a threshold, each in [0, 1] or NaN when undefined.

    Attributes
    ----------
    label : int
        0 or 1.
    support : int
        Examples whose true label is ``label``.
    predicted : int
        Examples predicted as ``label``.
    precision : float
        Of the examples predicted ``label``, the share that truly are (NaN if none predicted).
    recall : float
        Of the examples truly ``label``, the share predicted so: the accuracy on that class
        (NaN if none).
    """

    label: int
    support: int
    predicted: int
    precision: float
    recall: float


def confusion_counts(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> Confusion:
    """Confusion counts at a decision threshold.

    Parameters
    ----------
    y : ndarray of shape (m,)
        True labels 0/1.
    p : ndarray of shape (m,)
        P(label 1) for each example.
    threshold : float, default 0.5
        Predict 1 where ``p > threshold``.

    Returns
    -------
    confusion : Confusion
    """
    y, p = _check(y, p)
    pred = p > _check_threshold(threshold)
    pos = y == 1
    return Confusion(
        tn=int(np.sum(~pos & ~pred)),
        fp=int(np.sum(~pos & pred)),
        fn=int(np.sum(pos & ~pred)),
        tp=int(np.sum(pos & pred)),
    )


def class_metrics(confusion: Confusion) -> tuple[ClassMetrics, ClassMetrics]:
    """Precision and recall of each class from confusion counts.

    Parameters
    ----------
    confusion : Confusion

    Returns
    -------
    metrics : (ClassMetrics, ClassMetrics)
        For label 0 and label 1.
    """
    c = confusion
    zero = ClassMetrics(0, c.tn + c.fp, c.tn + c.fn, _ratio(c.tn, c.tn + c.fn), _ratio(c.tn, c.tn + c.fp))
    one = ClassMetrics(1, c.fn + c.tp, c.fp + c.tp, _ratio(c.tp, c.tp + c.fp), _ratio(c.tp, c.tp + c.fn))
    return zero, one


def cell_indices(y: np.ndarray, p: np.ndarray, threshold: float, true_label: int, predicted_label: int) -> np.ndarray:
    """The examples of one confusion cell, most confident prediction first.

    Parameters
    ----------
    y : ndarray of shape (m,)
    p : ndarray of shape (m,)
    threshold : float
    true_label, predicted_label : {0, 1}

    Returns
    -------
    indices : ndarray of shape (k,), dtype int64
        Sorted by the confidence of the prediction, ``p`` if it predicted 1 and
        ``1 - p`` if it predicted 0, largest first (ties by index).
    """
    y, p = _check(y, p)
    if true_label not in (0, 1) or predicted_label not in (0, 1):
        raise ValueError(f"labels must be 0 or 1; got true {true_label!r}, predicted {predicted_label!r}")
    pred = (p > _check_threshold(threshold)).astype(np.int64)
    idx = np.flatnonzero((y == true_label) & (pred == predicted_label))
    confidence = p[idx] if predicted_label == 1 else 1.0 - p[idx]
    return idx[np.argsort(-confidence, kind="stable")].astype(np.int64)


def roc_curve(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: every (false-positive rate, true-positive rate) a threshold reaches.

    Parameters
    ----------
    y : ndarray of shape (m,)
        True labels 0/1, both present.
    p : ndarray of shape (m,)

    Returns
    -------
    fpr : ndarray of shape (k + 1,)
    tpr : ndarray of shape (k + 1,)
        Start at (0, 0) and end at (1, 1); k = number of distinct values of ``p``.
    thresholds : ndarray of shape (k + 1,)
        Point i holds for the rule ``p >= thresholds[i]`` (``inf`` first), as in
        scikit-learn's ``roc_curve(..., drop_intermediate=False)``.
    """
    y, p = _check(y, p)
    n_pos = int(y.sum())
    n_neg = int(y.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"a ROC curve needs examples of both labels; got {n_neg} of label 0 and {n_pos} of label 1")
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order]
    last_of_value = np.r_[np.flatnonzero(np.diff(p_sorted)), y.size - 1]
    tps = np.cumsum(y_sorted)[last_of_value]
    fps = last_of_value + 1 - tps
    tpr = np.r_[0.0, tps / n_pos]
    fpr = np.r_[0.0, fps / n_neg]
    return fpr, tpr, np.r_[np.inf, p_sorted[last_of_value]]


def roc_auc(fpr: np.ndarray, tpr: np.ndarray) -> float:
    """Area under a ROC curve by the trapezoidal rule.

    Parameters
    ----------
    fpr, tpr : ndarray of shape (k,)
        From :func:`roc_curve` (fpr non-decreasing).

    Returns
    -------
    auc : float
        In [0, 1]; 0.5 for guessing, 1 for a perfect ranking.
    """
    fpr = np.asarray(fpr, dtype=np.float64)
    tpr = np.asarray(tpr, dtype=np.float64)
    if fpr.shape != tpr.shape or fpr.ndim != 1 or fpr.size < 2:
        raise ValueError(f"fpr and tpr must be 1-D of the same length ≥ 2; got {fpr.shape} and {tpr.shape}")
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def roc_point(confusion: Confusion) -> tuple[float, float]:
    """Where a threshold sits on the ROC curve.

    Parameters
    ----------
    confusion : Confusion

    Returns
    -------
    fpr, tpr : float
        False-positive rate fp / (fp + tn) and true-positive rate tp / (tp + fn).
    """
    c = confusion
    return _ratio(c.fp, c.fp + c.tn), _ratio(c.tp, c.tp + c.fn)
