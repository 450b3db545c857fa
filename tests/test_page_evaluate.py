"""AppTest of the Evaluate page: confusion counts at the slider's threshold, a cell's images, metrics, ROC."""

import json

import numpy as np
from sklearn.metrics import confusion_matrix, roc_auc_score

from logreg_core.data import synthetic_dataset
from logreg_core.pipeline import fit
from logreg_core.settings import TrainSettings

from conftest import MODEL_KEY, decoded, open_page

PAGE = "pages/evaluate.py"


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def counts(spec):
    """The 2×2 counts written in a confusion chart's cells, rows = true label."""
    texts = spec["data"][1]["text"]
    custom = decoded(spec["data"][1]["customdata"]).reshape(-1, 2)
    out = np.zeros((2, 2), int)
    for (t, p), text in zip(custom, texts, strict=False):
        out[int(t), int(p)] = int(text.split("</b>")[0].replace("<b>", ""))
    return out


def trained():
    ds = synthetic_dataset()
    model, _ = fit(ds, TrainSettings(num_iterations=300))
    return ds, model


def test_without_a_model_it_offers_to_train_one():
    at = open_page(PAGE)
    assert any("No model yet" in i.value for i in at.info)
    at.button(key="eval_train_default").click()
    ok(at.run())
    assert len(charts(at)) == 3  # two matrices and the ROC


def test_counts_follow_the_threshold_and_match_sklearn():
    ds, model = trained()
    at = open_page(PAGE, state={MODEL_KEY: (model, "test model", "upload")})
    p = {"train": model.predict_proba_images(ds.train_x), "test": model.predict_proba_images(ds.test_x)}
    y = {"train": ds.train_y, "test": ds.test_y}
    seen = []
    for threshold in (0.5, 0.2, 0.85):
        at.slider(key="eval_threshold").set_value(threshold)
        ok(at.run())
        specs = charts(at)
        for spec, split in zip(specs[:2], ("train", "test"), strict=False):
            want = confusion_matrix(y[split], (p[split] > threshold).astype(int), labels=[0, 1])
            np.testing.assert_array_equal(counts(spec), want)
        seen.append(counts(specs[0]).tolist())
    assert seen[0] != seen[1] != seen[2]
    # per-class table: recall of class 1 on test
    table = at.dataframe[0].value
    row = table[(table["set"] == "test") & (table["class"] == "1 = cat")].iloc[0]
    pred = p["test"] > 0.85
    assert row["accuracy on this class (recall) %"] == np.float64(100 * np.mean(pred[ds.test_y == 1]))
    # ROC: AUC in the legend agrees with scikit-learn to 3 decimals
    roc = charts(at)[2]
    names = [t.get("name", "") for t in roc["data"]]
    assert f"test set (AUC {roc_auc_score(ds.test_y, p['test']):.3f})" in names


def test_a_cell_shows_its_images_most_confident_first():
    ds, model = trained()
    at = open_page(PAGE, state={MODEL_KEY: (model, "test model", "upload")})
    p = model.predict_proba_images(ds.train_x)
    at.selectbox(key="eval_cell").set_value(("train", 0, 0))
    ok(at.run())
    captions = [c for img in at.image for c in img.captions]
    probs = [float(c.split("= ")[-1]) for c in captions]
    n = int(np.sum((ds.train_y == 0) & (p <= 0.5)))
    assert len(probs) == min(n, 36)
    assert probs == sorted(probs)  # predicted 0: lowest P(cat) = most confident first
    assert probs[0] == float(f"{p[(ds.train_y == 0)].min():.2f}")


def test_a_model_for_other_images_is_refused_with_one_line():
    ds = synthetic_dataset()
    small = ds.__class__(ds.train_x[:, :32, :32], ds.train_y, ds.test_x[:, :32, :32], ds.test_y, ds.classes, "small")
    model, _ = fit(small, TrainSettings(num_iterations=10))
    at = open_page(PAGE, state={MODEL_KEY: (model, "small model", "upload")})
    assert len(at.warning) == 1 and "32×32×3" in at.warning[0].value
    assert not charts(at)
