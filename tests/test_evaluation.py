"""logreg_core.evaluation against scikit-learn (exact counts; rates to 1e-12)."""

import numpy as np
import pytest
from sklearn.metrics import (
    confusion_matrix,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.metrics import roc_curve as sk_roc_curve

from logreg_core.evaluation import (
    cell_indices,
    class_metrics,
    confusion_counts,
    roc_auc,
    roc_curve,
    roc_point,
)

TOL = 1e-12


def sample(m=200, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, m)
    p = 1 / (1 + np.exp(-(1.5 * (y - 0.5) + rng.normal(size=m))))
    if ties:
        p = np.round(p, 1)
    return y, p


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 0.7, 1.0])
@pytest.mark.parametrize("ties", [False, True])
def test_confusion_and_metrics_match_sklearn(threshold, ties):
    y, p = sample(ties=ties)
    c = confusion_counts(y, p, threshold)
    pred = (p > threshold).astype(int)
    np.testing.assert_array_equal(c.matrix, confusion_matrix(y, pred, labels=[0, 1]))
    assert c.accuracy == pytest.approx(np.mean(pred == y), abs=TOL)
    m0, m1 = class_metrics(c)
    for label, m in ((0, m0), (1, m1)):
        assert m.support == int(np.sum(y == label))
        assert m.predicted == int(np.sum(pred == label))
        sk_p = precision_score(y, pred, pos_label=label, zero_division=np.nan)
        sk_r = recall_score(y, pred, pos_label=label, zero_division=np.nan)
        assert (np.isnan(m.precision) and np.isnan(sk_p)) or m.precision == pytest.approx(sk_p, abs=TOL)
        assert m.recall == pytest.approx(sk_r, abs=TOL)


@pytest.mark.parametrize("ties", [False, True])
def test_roc_matches_sklearn(ties):
    y, p = sample(ties=ties, seed=3)
    fpr, tpr, thr = roc_curve(y, p)
    sk_fpr, sk_tpr, sk_thr = sk_roc_curve(y, p, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr, atol=TOL)
    np.testing.assert_allclose(tpr, sk_tpr, atol=TOL)
    np.testing.assert_array_equal(thr[1:], sk_thr[1:])
    assert np.isinf(thr[0])
    assert roc_auc(fpr, tpr) == pytest.approx(roc_auc_score(y, p), abs=TOL)


def test_threshold_point_lies_on_the_curve():
    y, p = sample(seed=5)
    fpr, tpr, _ = roc_curve(y, p)
    for t in (0.1, 0.35, 0.5, 0.9):
        x, yy = roc_point(confusion_counts(y, p, t))
        assert np.any((np.abs(fpr - x) < TOL) & (np.abs(tpr - yy) < TOL))


def test_cell_indices_sorted_by_confidence():
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.9, 0.6, 0.1, 0.2, 0.95, 0.7])
    np.testing.assert_array_equal(cell_indices(y, p, 0.5, 0, 1), [0, 1])  # false positives, 0.9 first
    np.testing.assert_array_equal(cell_indices(y, p, 0.5, 1, 1), [4, 5])
    np.testing.assert_array_equal(cell_indices(y, p, 0.5, 0, 0), [2])
    np.testing.assert_array_equal(cell_indices(y, p, 0.5, 1, 0), [3])
    cells = [cell_indices(y, p, 0.5, t, q) for t in (0, 1) for q in (0, 1)]
    assert sorted(np.concatenate(cells).tolist()) == list(range(6))


def test_bad_input_one_line():
    with pytest.raises(ValueError, match="same length"):
        confusion_counts([0, 1], [0.5])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        confusion_counts([0, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match="threshold"):
        confusion_counts([0, 1], [0.5, 0.5], 1.5)
    with pytest.raises(ValueError, match="both labels"):
        roc_curve([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="finite"):
        confusion_counts([0, 1], [np.nan, 0.5])
