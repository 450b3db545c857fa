"""Each user's data set, runs and model, kept in ``st.session_state``.

Loaded data is cached with ``st.cache_data`` (shared by every user, keyed by
the file's bytes); what a user trained lives in their own session state, so
switching pages or data sets never loses it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from logreg_core.compare import RunRecord, best_index, run_status, summarize
from logreg_core.data import DATA_ENV, PROJECT_DATA_DIR, load_dataset, resolve_dataset, synthetic_dataset
from logreg_core.explore import pixel_histograms
from logreg_core.pipeline import Model, fit, start_training
from logreg_core.preprocess import SCALING_LABELS
from logreg_core.settings import TrainSettings
from ui import shared

DATASET_KEY = "dataset"
RUNS_KEY = "runs"
MODEL_KEY = "model"
DEFAULT_FLAG_KEY = "dataset_is_default"
BATCH_KEY = "run_batch_counter"
STOPPED_KEY = "stopped_batch"    # the comparison a Stop interrupted last
#: Comparisons (batches of runs) a user keeps; older ones are dropped to bound memory.
MAX_BATCHES = 4


@st.cache_data(show_spinner="Preparing the default data set…", max_entries=4)
def default_dataset(data_dir_env, project_data_dir):
    """The data set used until a user picks another (cached per environment).

    Parameters
    ----------
    data_dir_env : str or None
        Value of ``LOGREG_DATA_DIR`` (part of the cache key).
    project_data_dir : str
        The project's ``data/`` folder.
    """
    environ = {DATA_ENV: data_dir_env} if data_dir_env else {}
    return resolve_dataset(environ=environ, data_dir=project_data_dir)


@st.cache_data(show_spinner="Drawing the synthetic data set…", max_entries=1)
def synthetic_default():
    """The generated data set, used when the configured data cannot be read."""
    return synthetic_dataset()


@st.cache_data(show_spinner="Reading the HDF5 files…", max_entries=8)
def dataset_from_h5_bytes(train_bytes, train_name, test_bytes, test_name):
    """A data set from two uploaded HDF5 files; raises ValueError if either is wrong."""
    return load_dataset(train_bytes, test_bytes, train_name=train_name, test_name=test_name)


@st.cache_data(show_spinner="Reading the photos…", max_entries=8)
def dataset_from_photo_groups(groups, test_fraction=0.2, seed=0, size=64):
    """A data set from photos of two classes; raises ValueError for unusable input.

    Parameters
    ----------
    groups : tuple of (class_name, tuple of (file_name, bytes))
        Exactly two classes; the first is label 0 (a tuple so the cache can hash it).
    test_fraction, seed, size
        Passed to ``logreg_core.photoset.dataset_from_groups``.

    Returns
    -------
    dataset : Dataset
    skipped : list of str
        One line per photo that could not be read.
    """
    from logreg_core.photoset import dataset_from_groups

    ordered = {str(name): [(str(f), bytes(b)) for f, b in files] for name, files in groups}
    if len(ordered) != len(groups):
        raise ValueError("the two classes need different names")
    names = list(ordered)
    dataset, skipped = dataset_from_groups(ordered, test_fraction=test_fraction, seed=seed, size=size,
                                           source=f"uploaded photos ({names[0]} / {names[1]})")
    return dataset, list(skipped)


@st.cache_data(show_spinner="Reading the zip of photos…", max_entries=8)
def dataset_from_zip_bytes(data, name, test_fraction=0.2, seed=0, size=64):
    """A data set from a zip with one folder per class; raises ValueError for unusable input.

    Returns
    -------
    dataset : Dataset
    skipped : list of str
    """
    from logreg_core.photoset import dataset_from_zip

    dataset, skipped = dataset_from_zip(bytes(data), name=name, test_fraction=test_fraction,
                                        seed=seed, size=size)
    return dataset, list(skipped)


@st.cache_data(show_spinner="Counting pixel values…", max_entries=8)
def cached_pixel_histograms(train_x, bins=64):
    """:func:`logreg_core.explore.pixel_histograms`, cached by the images' bytes."""
    return pixel_histograms(train_x, bins=bins)


@dataclass
class TrainedRun:
    """One training run a user made, kept across pages.

    Attributes
    ----------
    name : str
        Unique key in :func:`get_runs`, e.g. "#3 pixels / 255" (comparison 3).
    run : logreg_core.training.GradientDescent or logreg_core.compare.RunRecord
        Costs, snapshots, settings, current parameters. A live ``GradientDescent``
        while it trains; a ``RunRecord`` (same attributes, no training matrices)
        once it finished, diverged or was stopped.
    scaler : logreg_core.preprocess.Scaler
    dataset_source : str
        ``Dataset.source`` of the data it was trained on.
    model : logreg_core.pipeline.Model or None
        Set once the run finished or was stopped.
    extra : dict
        Filled by :func:`start_batch`: "batch" (int), "label" (legend text),
        "mode" ("scalings" or "rates"), "image_shape", "classes".
    """

    name: str
    run: object
    scaler: object
    dataset_source: str
    model: Model | None = None
    extra: dict = field(default_factory=dict)

    @property
    def label(self):
        """Legend text without the batch number."""
        return self.extra.get("label", self.name)

    @property
    def batch(self):
        """Number of the comparison this run belongs to (0 if made elsewhere)."""
        return int(self.extra.get("batch", 0))

    @property
    def status(self):
        """"running", "done", "stopped" or "diverged"."""
        return run_status(self.run)

    @property
    def image_shape(self):
        """(height, width, channels) of the images it was trained on."""
        if "image_shape" in self.extra:
            return tuple(self.extra["image_shape"])
        return self.model.image_shape if self.model is not None else None


def ensure_router():
    """Make sure this page runs inside ``dashboard.py``'s router; call it first on every page.

    Streamlit treats a folder named ``pages/`` beside the main script as an
    old-style pages folder until ``st.navigation`` first runs in the process.
    If the first visit after a server start is a deep link (``/train``), it runs
    the page file on its own — no sidebar, no wide layout, file names in the
    menu — and stays in that mode for every later session. This switches the
    mode off and reruns the script through the router. (AppTest resets the
    mode before every run, so there it reroutes each run.)
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without it has no such mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def get_dataset():
    """The data set this user works on (the default until they choose another)."""
    if DATASET_KEY not in st.session_state:
        try:
            st.session_state[DATASET_KEY] = default_dataset(os.environ.get(DATA_ENV), str(PROJECT_DATA_DIR))
        except (ValueError, OSError, MemoryError) as exc:
            # A wrong LOGREG_DATA_DIR must not take the app down: say so, use the synthetic set.
            st.session_state["data_warning"] = str(exc)
            st.session_state[DATASET_KEY] = synthetic_default()
        st.session_state[DEFAULT_FLAG_KEY] = True
    return st.session_state[DATASET_KEY]


def set_dataset(dataset):
    """Switch this user to another data set; runs and the model are kept."""
    st.session_state[DATASET_KEY] = dataset
    st.session_state[DEFAULT_FLAG_KEY] = False


def use_default_dataset():
    """Switch this user back to the default data set."""
    st.session_state.pop(DATASET_KEY, None)
    return get_dataset()


def is_default_dataset():
    """True while this user works on the default data set."""
    get_dataset()
    return bool(st.session_state.get(DEFAULT_FLAG_KEY, False))


def get_runs():
    """This user's runs, ``dict`` name → :class:`TrainedRun`, in training order."""
    return st.session_state.setdefault(RUNS_KEY, {})


def get_model():
    """The model used for predictions and where it came from.

    Returns
    -------
    model : Model or None
    description : str
    """
    return st.session_state.get(MODEL_KEY, (None, "no model yet"))


def set_model(model, description):
    """Make ``model`` the one the Predict page uses."""
    st.session_state[MODEL_KEY] = (model, description)


def train_default_model():
    """Train with the course's defaults on the current data and use it for predictions.

    Returns
    -------
    model : Model
    """
    dataset = get_dataset()
    settings = TrainSettings()
    model, _ = fit(dataset, settings)
    set_model(model, f"trained here with defaults (pixels / 255, α = {settings.learning_rate}, "
                     f"{settings.num_iterations} iterations) on {dataset.source}")
    return model


# -- comparisons of runs ---------------------------------------------------

@dataclass(frozen=True)
class RunSpec:
    """One run to train in a comparison: its legend label and its settings."""

    label: str
    settings: TrainSettings


def snapshot_interval(num_iterations, snapshots=20):
    """Iterations between snapshots so a run keeps about ``snapshots`` + 1 of them (100 for 2000)."""
    return max(1, int(num_iterations) // snapshots) if isinstance(num_iterations, int) else 100


def scaling_specs(scalings, learning_rate, num_iterations):
    """Specs comparing pixel scalings at one learning rate (raises ValueError for bad settings)."""
    every = snapshot_interval(num_iterations)
    return [RunSpec(SCALING_LABELS[s], TrainSettings(learning_rate=learning_rate, num_iterations=num_iterations,
                                                    scaling=s, snapshot_every=every))
            for s in scalings]


def rate_specs(rates, scaling, num_iterations):
    """Specs comparing learning rates for one scaling (raises ValueError for bad settings)."""
    every = snapshot_interval(num_iterations)
    specs = [RunSpec(f"α = {rate:g}", TrainSettings(learning_rate=rate, num_iterations=num_iterations,
                                                    scaling=scaling, snapshot_every=every))
             for rate in rates]
    labels = [spec.label for spec in specs]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"each learning rate once, please: {', '.join(repeated)} is given twice")
    return specs


def start_batch(dataset, specs, mode, on_prepared=None):
    """Prepare a comparison: one gradient-descent run per spec, all from w = 0, b = 0.

    The runs are stored in session state at once, so a run interrupted by Stop
    (or by leaving the page) keeps what it trained; :func:`freeze_interrupted_runs`
    marks it stopped on the next script run.

    Parameters
    ----------
    dataset : Dataset
    specs : sequence of RunSpec
    mode : str
        "scalings" or "rates" (how the page labels the comparison).
    on_prepared : callable or None
        Called as ``on_prepared(done, total)`` after each run is prepared.

    Returns
    -------
    runs : list of TrainedRun
        Not yet stepped.
    """
    batch = int(st.session_state.get(BATCH_KEY, 0)) + 1
    st.session_state[BATCH_KEY] = batch
    out, prepared = [], shared.prepared(dataset)   # scaled data and kernels shared by every session
    for i, spec in enumerate(specs):
        run, scaler = start_training(dataset, spec.settings, prepared.scaled(spec.settings.scaling))
        out.append(TrainedRun(
            name=f"#{batch} {spec.label}", run=shared.scheduled(run), scaler=scaler, dataset_source=dataset.source,
            extra={"batch": batch, "label": spec.label, "mode": mode,
                   "image_shape": dataset.image_shape, "classes": tuple(dataset.classes)},
        ))
        if on_prepared is not None:
            on_prepared(i + 1, len(specs))
    runs = get_runs()
    for tr in out:
        runs[tr.name] = tr
    prune_batches(MAX_BATCHES)
    return out


def finish_run(trained):
    """Freeze a run: drop its training matrices, keep costs, snapshots and a :class:`Model`."""
    if not isinstance(trained.run, RunRecord):
        trained.run = RunRecord.from_run(trained.run)
    if trained.model is None:
        rec = trained.run
        trained.model = Model(rec.w, rec.b, trained.scaler, trained.image_shape,
                              trained.extra.get("classes", ("label 0", "label 1")),
                              rec.settings, np.asarray(rec.costs))
    return trained


def describe_run(trained):
    """One line for the Predict page: what the run is, how far it went, how well it does."""
    s = summarize(trained.run)
    acc = "" if np.isnan(s["test_accuracy"]) else f", test accuracy {s['test_accuracy']:.0f} %"
    state = {"done": "", "stopped": " (stopped early)", "diverged": " (diverged)"}.get(s["status"], "")
    return (f"{SCALING_LABELS[s['scaling']]}, α = {s['learning_rate']:g}, {s['iteration']} iterations"
            f"{state}{acc} — comparison #{trained.batch} on {trained.dataset_source}")


def use_for_predictions(trained):
    """Make a finished run's model the one the Predict page uses."""
    finish_run(trained)
    set_model(trained.model, describe_run(trained))


def finish_batch(runs):
    """Freeze every run of a comparison and hand the best one to the Predict page.

    Returns
    -------
    best : TrainedRun or None
        None if every run diverged.
    """
    for tr in runs:
        finish_run(tr)
    i = best_index([tr.run for tr in runs])
    if i is None:
        return None
    use_for_predictions(runs[i])
    return runs[i]


def freeze_interrupted_runs():
    """Mark runs left unfinished by a Stop (or a page change) as stopped; call at every script run.

    Returns
    -------
    frozen : list of TrainedRun
        The runs that were still live.
    """
    live = [tr for tr in get_runs().values() if not isinstance(tr.run, RunRecord)]
    if not live:
        return []
    for batch in sorted({tr.batch for tr in live}):
        finish_batch([tr for tr in get_runs().values() if tr.batch == batch])
        st.session_state[STOPPED_KEY] = batch
    return live


def batches():
    """Numbers of the stored comparisons, oldest first."""
    return sorted({tr.batch for tr in get_runs().values()})


def batch_labels(batch_ids):
    """A display label per comparison, e.g. ``{2: "#2: α = 0.01, α = 0.001"}`` (plain dict for a selectbox)."""
    return {b: f"#{b}: " + ", ".join(tr.label for tr in batch_runs(b)) for b in batch_ids}


def batch_runs(batch):
    """The runs of one comparison, in training order."""
    return [tr for tr in get_runs().values() if tr.batch == batch]


def prune_batches(keep):
    """Keep only the ``keep`` most recent comparisons."""
    ids = batches()
    drop = set(ids[:-keep]) if keep > 0 else set(ids)
    runs = get_runs()
    for name in [n for n, tr in runs.items() if tr.batch in drop]:
        del runs[name]


def clear_runs():
    """Forget every run (the Predict page's model stays)."""
    get_runs().clear()


def train_batch(dataset, specs, mode, progress=None, step_chunk=250):
    """Train a comparison to the end without a live chart (e.g. a one-click button).

    Parameters
    ----------
    dataset : Dataset
    specs : sequence of RunSpec
    mode : str
    progress : callable or None
        Called as ``progress(fraction, text)``.
    step_chunk : int

    Returns
    -------
    runs : list of TrainedRun
    """
    def prepared(done, total):
        if progress is not None:
            progress(0.2 * done / total, f"Preparing run {done} of {total}…")

    runs = start_batch(dataset, specs, mode, on_prepared=prepared)
    total = sum(tr.run.settings.num_iterations for tr in runs)
    while not all(tr.run.done for tr in runs):
        for tr in runs:
            tr.run.step(step_chunk)
        if progress is not None:
            done = sum(min(tr.run.iteration, tr.run.settings.num_iterations) if not tr.run.diverged
                       else tr.run.settings.num_iterations for tr in runs)
            progress(0.2 + 0.8 * done / max(total, 1), "Training…")
    finish_batch(runs)
    return runs


def default_specs():
    """The default comparison: the three scalings at the course's α and iterations."""
    defaults = TrainSettings()
    return scaling_specs(("none", "255", "zscore"), defaults.learning_rate, defaults.num_iterations)
