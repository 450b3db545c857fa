"""One-pass scaling, shared scaled arrays and kernels: same numbers, one copy, bounded memory."""

import threading
import tracemalloc

import numpy as np
import pytest

from logreg_core.data import Dataset, synthetic_dataset
from logreg_core.pipeline import PreparedDataset, dataset_fingerprint, fit, scale_dataset, start_training
from logreg_core.preprocess import fit_scaler, flatten, scale_images
from logreg_core.settings import TrainSettings
from logreg_core.training import GradientDescent, Gram


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_dataset()


@pytest.mark.parametrize("kind", ["none", "255", "zscore"])
def test_one_pass_scaling_gives_the_plain_formulas(synthetic, kind):
    raw = flatten(synthetic.train_x).astype(np.float64)
    mean, std = raw.mean(axis=1), raw.std(axis=1)
    std = np.where(std > 0, std, 1.0)
    expected = {"none": raw, "255": raw / 255.0, "zscore": (raw - mean[:, None]) / std[:, None]}[kind]
    scaler = fit_scaler(kind, flatten(synthetic.train_x))
    X = scale_images(synthetic.train_x, scaler)
    assert X.dtype == np.float64 and X.shape == raw.shape
    np.testing.assert_allclose(X, expected, rtol=1e-12, atol=1e-12)
    if kind == "zscore":
        np.testing.assert_allclose(scaler.mean, mean, rtol=1e-13)
        np.testing.assert_allclose(scaler.std, std, rtol=1e-12)


def test_scaling_allocates_one_float64_array_only():
    """Peak new memory while scaling uint8 images: 8 bytes per pixel plus one small block, not 16."""
    images = np.random.default_rng(0).integers(0, 256, size=(2000, 16, 16, 3), dtype=np.uint8)
    for kind in ("255", "zscore"):
        scaler = fit_scaler(kind, flatten(images))
        tracemalloc.start()
        X = scale_images(images, scaler)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert X.nbytes == 8 * images.size
        assert peak < 8 * images.size * 1.3, (kind, peak / images.size)


def test_fitting_a_zscore_makes_no_whole_float_copy():
    images = np.random.default_rng(1).integers(0, 256, size=(3000, 8, 8, 3), dtype=np.uint8)
    tracemalloc.start()
    fit_scaler("zscore", flatten(images))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * images.size / 2


def test_runs_on_one_data_set_share_arrays_and_kernels(synthetic):
    prepared = PreparedDataset(synthetic)
    raw, scaled = prepared.scaled("none"), prepared.scaled("255")
    assert prepared.scaled("255") is scaled  # made once
    g_raw, g_255, g_z = raw.gram(), scaled.gram(), prepared.scaled("zscore").gram()
    assert g_raw.K is g_255.K and g_raw.K_test is g_255.K_test  # raw and / 255 share K up to 255²
    assert g_255.factor / g_raw.factor == pytest.approx(1 / 255**2, rel=1e-15)
    assert g_z.K is not g_raw.K
    np.testing.assert_allclose(g_255.factor * g_255.K, scaled.X.T @ scaled.X, rtol=1e-12)
    for array in (scaled.X, scaled.X_test, g_raw.K, g_raw.K_test):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 1.0
    a, _ = start_training(synthetic, TrainSettings(num_iterations=5), scaled)
    b, _ = start_training(synthetic, TrainSettings(num_iterations=5, learning_rate=0.01), scaled)
    assert a.X is scaled.X and b.X is scaled.X  # no copy per run


@pytest.mark.parametrize("scaling", ["none", "255", "zscore"])
def test_shared_kernels_give_the_same_numbers_as_a_run_of_its_own(synthetic, scaling):
    lr = {"none": 1e-5, "255": 0.005, "zscore": 0.005}[scaling]
    iterations = 40 if scaling == "none" else 300
    settings = TrainSettings(learning_rate=lr, num_iterations=iterations, scaling=scaling, method="kernel")
    prepared = PreparedDataset(synthetic)
    prepared.scaled("none").gram()  # K made from the raw pixels first, then used by / 255 too
    shared, _ = start_training(synthetic, settings, prepared.scaled(scaling))
    direct, _ = start_training(
        synthetic, TrainSettings(learning_rate=lr, num_iterations=iterations, scaling=scaling, method="direct")
    )
    shared.run()
    direct.run()
    np.testing.assert_allclose(shared.costs, direct.costs, rtol=1e-9)
    np.testing.assert_allclose(shared.w, direct.w, rtol=1e-9, atol=1e-9 * np.abs(direct.w).max())
    assert [s.test_accuracy for s in shared.snapshots] == [s.test_accuracy for s in direct.snapshots]


def test_fit_with_prepared_data_equals_fit(synthetic):
    settings = TrainSettings(num_iterations=200)
    alone, _ = fit(synthetic, settings)
    shared, _ = fit(synthetic, settings, PreparedDataset(synthetic))
    np.testing.assert_allclose(shared.w, alone.w, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shared.costs, alone.costs, rtol=1e-12)


def test_old_tuple_form_of_scaled_data_still_works(synthetic):
    scaler, X, X_test = scale_dataset(synthetic, "zscore")
    run, got = start_training(synthetic, TrainSettings(scaling="zscore", num_iterations=3), (scaler, X, X_test))
    assert got is scaler and run.run().iteration == 3
    with pytest.raises(ValueError, match="scaled with 'zscore'; the settings ask for '255'"):
        start_training(synthetic, TrainSettings(), (scaler, X, X_test))


def test_a_kernel_of_the_wrong_shape_is_refused(synthetic):
    _, X, X_test = scale_dataset(synthetic, "255")
    m = X.shape[1]
    with pytest.raises(ValueError, match=rf"K must have shape \({m}, {m}\)"):
        GradientDescent(X, synthetic.train_y, TrainSettings(method="kernel"), gram=Gram(np.eye(3), None))
    with pytest.raises(ValueError, match="the test kernel must have shape"):
        GradientDescent(
            X, synthetic.train_y, TrainSettings(method="kernel"), X_test, synthetic.test_y, gram=Gram(np.eye(m), None)
        )


def test_concurrent_requests_make_one_copy(synthetic):
    prepared = PreparedDataset(synthetic)
    got = []
    threads = [threading.Thread(target=lambda: got.append(prepared.scaled("zscore"))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 6 and all(g is got[0] for g in got)


def test_fingerprint_names_the_content(synthetic):
    same = Dataset(
        synthetic.train_x.copy(),
        synthetic.train_y.copy(),
        synthetic.test_x.copy(),
        synthetic.test_y.copy(),
        synthetic.classes,
        "another name",
    )
    assert dataset_fingerprint(same) == dataset_fingerprint(synthetic)
    flipped = synthetic.train_y.copy()
    flipped[0] = 1 - flipped[0]
    other = Dataset(synthetic.train_x, flipped, synthetic.test_x, synthetic.test_y, synthetic.classes, "x")
    assert dataset_fingerprint(other) != dataset_fingerprint(synthetic)
    brighter = synthetic.train_x.copy()
    brighter[:, ::7, ::5] //= 2
    other = Dataset(brighter, synthetic.train_y, synthetic.test_x, synthetic.test_y, synthetic.classes, "x")
    assert dataset_fingerprint(other) != dataset_fingerprint(synthetic)


def test_prepare_on_two_threads_makes_the_same_kernels_once(synthetic):
    one = PreparedDataset(synthetic).prepare(["zscore", "255", "none"])
    two_prepared = PreparedDataset(synthetic)
    two = two_prepared.prepare(["zscore", "255", "none", "255"], threads=2)
    assert list(two) == ["zscore", "255", "none"]
    for kind in two:
        assert two[kind] is two_prepared.scaled(kind)
        g1, g2 = one[kind].gram(), two[kind].gram()
        assert np.array_equal(g1.K, g2.K) and np.array_equal(g1.K_test, g2.K_test) and g1.factor == g2.factor
    assert two["none"].gram().K is two["255"].gram().K  # raw and / 255 still share one K
    assert two["none"].gram().factor == 1.0  # made from the raw pixels: exact integers
    np.testing.assert_array_equal(two["none"].gram().K, two["none"].X.T @ two["none"].X)


@pytest.mark.parametrize(
    "scalings, threads, match",
    [
        (["minmax"], 1, "scaling must be one of none, 255, zscore; got 'minmax'"),
        (["255"], 0, "threads must be a whole number ≥ 1; got 0"),
        (["255"], 1.5, "threads must be a whole number ≥ 1; got 1.5"),
    ],
)
def test_prepare_checks_its_arguments(synthetic, scalings, threads, match):
    with pytest.raises(ValueError, match=match):
        PreparedDataset(synthetic).prepare(scalings, threads=threads)
