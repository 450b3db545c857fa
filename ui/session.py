"""Each user's data set, runs and model, kept in ``st.session_state``.

Loaded data is cached with ``st.cache_data`` (shared by every user, keyed by
the file's bytes); what a user trained lives in their own session state, so
switching pages or data sets never loses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import streamlit as st

from logreg_core.compare import RunRecord, default_run_index, run_status, summarize
from logreg_core.data import DATA_ENV, PROJECT_DATA_DIR, resolve_dataset, synthetic_dataset
from logreg_core.explore import pixel_histograms
from logreg_core.limits import BUDGET
from logreg_core.pipeline import Model, fit, model_from_run, start_training
from logreg_core.preprocess import SCALING_LABELS, Scaler
from logreg_core.settings import TrainSettings
from logreg_core.training import Snapshot
from ui import shared

DATASET_KEY = "dataset"
RUNS_KEY = "runs"
MODEL_KEY = "model"
DEFAULT_FLAG_KEY = "dataset_is_default"
BATCH_KEY = "run_batch_counter"
COMPARISONS_KEY = "comparisons"  # batch number → Comparison
STOPPED_KEY = "stopped_batch"  # the comparison a Stop interrupted last
SHOWN_KEY = "train_show_batch"  # the comparison the Train page shows (a selectbox key)
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


@st.cache_data(
    show_spinner="Reading the HDF5 files…", max_entries=BUDGET.upload_cache_entries, ttl=BUDGET.upload_cache_seconds
)
def dataset_from_h5_bytes(train_bytes, train_name, test_bytes, test_name):
    """A data set from two uploaded HDF5 files, read in a child process with limits; ValueError if either is wrong."""
    from logreg_core.isolated import load_dataset_isolated

    return load_dataset_isolated(train_bytes, test_bytes, train_name=train_name, test_name=test_name)


@st.cache_data(
    show_spinner="Reading the photos…", max_entries=BUDGET.upload_cache_entries, ttl=BUDGET.upload_cache_seconds
)
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
    from logreg_core.isolated import dataset_from_groups_isolated

    ordered = {str(name): [(str(f), bytes(b)) for f, b in files] for name, files in groups}
    if len(ordered) != len(groups):
        raise ValueError("the two classes need different names")
    names = list(ordered)
    dataset, skipped = dataset_from_groups_isolated(
        ordered, test_fraction=test_fraction, seed=seed, size=size, source=f"uploaded photos ({names[0]} / {names[1]})"
    )
    return dataset, list(skipped)


@st.cache_data(
    show_spinner="Reading the zip of photos…", max_entries=BUDGET.upload_cache_entries, ttl=BUDGET.upload_cache_seconds
)
def dataset_from_zip_bytes(data, name, test_fraction=0.2, seed=0, size=64):
    """A data set from a zip with one folder per class; raises ValueError for unusable input.

    Returns
    -------
    dataset : Dataset
    skipped : list of str
    """
    from logreg_core.isolated import dataset_from_zip_isolated

    dataset, skipped = dataset_from_zip_isolated(
        bytes(data), name=name, test_fraction=test_fraction, seed=seed, size=size
    )
    return dataset, list(skipped)


@st.cache_data(show_spinner="Counting pixel values…", max_entries=8)
def cached_pixel_histograms(train_x, bins=64):
    """:func:`logreg_core.explore.pixel_histograms`, cached by the images' bytes."""
    return pixel_histograms(train_x, bins=bins)


@dataclass(frozen=True)
class RunInfo:
    """What a run was trained on and how the page labels it (fixed when the run is made).

    Attributes
    ----------
    batch : int
        Number of the comparison the run belongs to.
    label : str
        Legend text without the batch number, e.g. "pixels / 255" or "α = 0.01".
    mode : {"scalings", "rates"}
        What the comparison varies.
    image_shape : tuple of int
        (height, width, channels) of the images it was trained on.
    classes : tuple of str
        Names of label 0 and label 1.
    dataset_source : str
        ``Dataset.source`` of the data it was trained on.
    """

    batch: int
    label: str
    mode: str
    image_shape: tuple[int, ...]
    classes: tuple[str, ...]
    dataset_source: str


@dataclass
class TrainedRun:
    """One training run a user made, kept across pages.

    Attributes
    ----------
    name : str
        Unique key in :func:`get_runs`, e.g. "#3 pixels / 255" (comparison 3).
    run : ui.shared.ScheduledRun or RunRecord
        A live run (a ``GradientDescent`` stepping through the server's
        scheduler) while it trains; a ``RunRecord`` (no training matrices)
        once it finished, diverged or was stopped.
    scaler : Scaler
    info : RunInfo
    model : Model or None, default None
        Set once the run is frozen.
    shown : Snapshot or None, default None
        The state the browser last received while training: a Stop freezes the run there.
    """

    name: str
    run: shared.ScheduledRun | RunRecord
    scaler: Scaler
    info: RunInfo
    model: Model | None = None
    shown: Snapshot | None = None

    @property
    def label(self) -> str:
        """Legend text without the batch number."""
        return self.info.label

    @property
    def batch(self) -> int:
        """Number of the comparison this run belongs to."""
        return self.info.batch

    @property
    def dataset_source(self) -> str:
        """Where the training data came from."""
        return self.info.dataset_source

    @property
    def image_shape(self) -> tuple[int, ...]:
        """(height, width, channels) of the images it was trained on."""
        return self.info.image_shape

    @property
    def classes(self) -> tuple[str, ...]:
        """Names of label 0 and label 1."""
        return self.info.classes

    @property
    def status(self) -> str:
        """ "running", "done", "stopped" or "diverged"."""
        return run_status(self.run)


@dataclass(frozen=True)
class Comparison:
    """A comparison the user asked for: what it varies and which runs were planned.

    Attributes
    ----------
    batch : int
    mode : {"scalings", "rates"}
    planned : tuple of str
        Labels of every run asked for; fewer runs exist when a Stop came while preparing.
    """

    batch: int
    mode: str
    planned: tuple[str, ...]


def get_dataset():
    """The data set this user works on (the default until they choose another)."""
    if DATASET_KEY not in st.session_state and st.session_state.get("lesson", {}).get("lesson_data") == "synthetic":
        st.session_state[DATASET_KEY] = synthetic_default()  # a shared link asked for the built-in set
        st.session_state[DEFAULT_FLAG_KEY] = True
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


def get_runs() -> dict[str, TrainedRun]:
    """This user's runs, ``dict`` name → :class:`TrainedRun`, in training order."""
    return st.session_state.setdefault(RUNS_KEY, {})


def get_comparisons() -> dict[int, Comparison]:
    """This user's comparisons, batch number → :class:`Comparison`."""
    return st.session_state.setdefault(COMPARISONS_KEY, {})


# -- the model the Predict page uses -----------------------------------------


def get_model():
    """The model used for predictions and where it came from.

    Returns
    -------
    model : Model or None
    description : str
    """
    model, description, _ = st.session_state.get(MODEL_KEY, (None, "no model yet", "none"))
    return model, description


def model_origin() -> str:
    """Who chose the current model: "none", "default" (the latest comparison's /255 run), "run" or "upload"."""
    return st.session_state.get(MODEL_KEY, (None, "", "none"))[2]


def set_model(model, description, origin="upload"):
    """Make ``model`` the one the Predict page uses.

    Parameters
    ----------
    model : Model
    description : str
    origin : {"upload", "run", "default"}, default "upload"
        "upload" and "run" are the user's choice and stay until the user
        changes them; "default" follows the latest comparison.
    """
    st.session_state[MODEL_KEY] = (model, description, origin)


def train_default_model():
    """Train with the course's defaults on the current data and use it for predictions.

    Returns
    -------
    model : Model
    """
    dataset = get_dataset()
    settings = TrainSettings()
    model, _ = fit(dataset, settings, prepared=shared.prepared(dataset))
    set_model(
        model,
        f"trained here with defaults (pixels / 255, α = {settings.learning_rate}, "
        f"{settings.num_iterations} iterations) on {dataset.source}",
        origin="run",
    )
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


#: Run labels in a comparison of scalings: short, so a legend of three fits one line on a projector.
RUN_LABELS = {"none": "raw 0–255", "255": "pixels / 255", "zscore": "z-score"}


def scaling_specs(scalings, learning_rate, num_iterations):
    """Specs comparing pixel scalings at one learning rate (raises ValueError for bad settings)."""
    every = snapshot_interval(num_iterations)
    return [
        RunSpec(
            RUN_LABELS[s],
            TrainSettings(learning_rate=learning_rate, num_iterations=num_iterations, scaling=s, snapshot_every=every),
        )
        for s in scalings
    ]


def rate_specs(rates, scaling, num_iterations):
    """Specs comparing learning rates for one scaling (raises ValueError for bad settings)."""
    every = snapshot_interval(num_iterations)
    specs = [
        RunSpec(
            f"α = {rate:g}",
            TrainSettings(learning_rate=rate, num_iterations=num_iterations, scaling=scaling, snapshot_every=every),
        )
        for rate in rates
    ]
    labels = [spec.label for spec in specs]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"each learning rate once, please: {', '.join(repeated)} is given twice")
    return specs


def start_batch(specs: Sequence[RunSpec], mode: str) -> Comparison:
    """Register a new comparison (no run prepared yet) and make it the one the Train page shows.

    Parameters
    ----------
    specs : sequence of RunSpec
    mode : {"scalings", "rates"}

    Returns
    -------
    comparison : Comparison
        Prepare its runs with :func:`prepare_runs`, one at a time.
    """
    batch = int(st.session_state.get(BATCH_KEY, 0)) + 1
    st.session_state[BATCH_KEY] = batch
    comparison = Comparison(batch, mode, tuple(spec.label for spec in specs))
    get_comparisons()[batch] = comparison
    st.session_state[SHOWN_KEY] = batch
    prune_batches(MAX_BATCHES)
    return comparison


def prepare_runs(comparison: Comparison, dataset, specs: Sequence[RunSpec]) -> Iterator[TrainedRun]:
    """Prepare the runs of a comparison lazily, one per ``next()``; each is stored at once.

    Stored at once, so a Stop (or leaving the page) keeps what a run trained;
    :func:`freeze_interrupted_runs` marks it stopped on the next script run.

    Parameters
    ----------
    comparison : Comparison
    dataset : Dataset
    specs : sequence of RunSpec

    Yields
    ------
    trained : TrainedRun
        Not yet stepped.
    """
    prepared = shared.prepared(dataset)  # scaled data and kernels, made once for every session
    follow = shared.share_runs()  # a run another student already trained is followed, not recomputed
    for spec in specs:
        run, scaler = start_training(dataset, spec.settings, prepared.scaled(spec.settings.scaling), follow)
        info = RunInfo(
            comparison.batch,
            spec.label,
            comparison.mode,
            tuple(dataset.image_shape),
            tuple(dataset.classes),
            dataset.source,
        )
        trained = TrainedRun(
            name=f"#{comparison.batch} {spec.label}", run=shared.scheduled(run), scaler=scaler, info=info
        )
        get_runs()[trained.name] = trained
        yield trained


def finish_run(trained: TrainedRun) -> TrainedRun:
    """Freeze a run: drop its training matrices, keep costs, snapshots and a :class:`Model`.

    A run still training is frozen where the browser last saw it (``trained.shown``).
    """
    if not isinstance(trained.run, RunRecord):
        trained.run = RunRecord.from_run(trained.run, at=trained.shown)
    trained.shown = None
    if trained.model is None:
        trained.model = model_from_run(trained.run, trained.scaler, trained.info)
    return trained


def describe_run(trained):
    """One line for the Predict page: what the run is and how far it went (no test accuracy: no ranking)."""
    s = summarize(trained.run)
    state = {"done": "", "stopped": " (stopped early)", "diverged": " (diverged)"}.get(s["status"], "")
    return (
        f"{SCALING_LABELS[s['scaling']]}, α = {s['learning_rate']:g}, {s['iteration']} iterations"
        f"{state} — comparison #{trained.batch} on {trained.dataset_source}"
    )


def use_for_predictions(trained, origin="run"):
    """Make a frozen run's model the one the Predict page uses (``origin`` "run": the user's pick)."""
    finish_run(trained)
    set_model(trained.model, describe_run(trained), origin)


def finish_batch(runs):
    """Freeze every run of a comparison; its /255 run becomes the Predict model unless the user chose one.

    Returns
    -------
    default : TrainedRun or None
        The comparison's default run (see :func:`logreg_core.compare.default_run_index`);
        None if every run diverged.
    """
    for tr in runs:
        finish_run(tr)
    i = default_run_index([tr.run for tr in runs])
    if i is None:
        return None
    if model_origin() in ("none", "default"):
        use_for_predictions(runs[i], origin="default")
    return runs[i]


def freeze_interrupted_runs():
    """Mark runs left unfinished by a Stop (or a page change) as stopped; call at every script run.

    The interrupted comparison becomes the one the Train page shows.

    Returns
    -------
    frozen : list of TrainedRun
        The runs that were still live.
    """
    live = [tr for tr in get_runs().values() if not isinstance(tr.run, RunRecord)]
    for batch in sorted({tr.batch for tr in live}):
        finish_batch(batch_runs(batch))
        st.session_state[STOPPED_KEY] = batch
        st.session_state[SHOWN_KEY] = batch
    # A Stop while the first run was still being prepared leaves a comparison without runs.
    latest = max(get_comparisons(), default=None)
    if latest is not None and latest not in batches() and st.session_state.get("train_running") == latest:
        st.session_state[STOPPED_KEY] = latest
    st.session_state.pop("train_running", None)
    return live


def batches():
    """Numbers of the stored comparisons that have runs, oldest first."""
    return sorted({tr.batch for tr in get_runs().values()})


def batch_labels(batch_ids):
    """A short display label per comparison (plain dict for a selectbox; it must fit a narrow projector).

    E.g. ``{1: "#1 · 3 scalings, α 0.005", 2: "#2 · α 0.01 / 0.001 (pixels / 255)"}``.
    """
    labels = {}
    for b in batch_ids:
        runs = batch_runs(b)
        settings = [tr.run.settings for tr in runs]
        if runs and runs[0].info.mode == "rates":
            rates = " / ".join(f"{s.learning_rate:g}" for s in settings)
            labels[b] = f"#{b} · α {rates} ({RUN_LABELS.get(settings[0].scaling, settings[0].scaling)})"
        elif runs:
            kinds = "scaling" if len(runs) == 1 else "scalings"
            labels[b] = f"#{b} · {len(runs)} {kinds}, α {settings[0].learning_rate:g}"
        else:
            labels[b] = f"#{b}"
    return labels


def batch_runs(batch):
    """The runs of one comparison, in training order."""
    return [tr for tr in get_runs().values() if tr.batch == batch]


def comparison(batch) -> Comparison | None:
    """The :class:`Comparison` record of a batch (None for runs made without one)."""
    return get_comparisons().get(batch)


def prune_batches(keep):
    """Keep only the ``keep`` most recent comparisons (runs and records)."""
    ids = sorted(set(batches()) | set(get_comparisons()))
    drop = set(ids[:-keep]) if keep > 0 else set(ids)
    runs = get_runs()
    for name in [n for n, tr in runs.items() if tr.batch in drop]:
        del runs[name]
    for batch in drop:
        get_comparisons().pop(batch, None)


def clear_runs():
    """Forget every run (the Predict page's model stays)."""
    get_runs().clear()
    get_comparisons().clear()


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
    runs = []
    for done, trained in enumerate(prepare_runs(start_batch(specs, mode), dataset, specs), start=1):
        runs.append(trained)
        if progress is not None:
            progress(0.2 * done / len(specs), f"Preparing run {done} of {len(specs)}…")
    total = sum(tr.run.settings.num_iterations for tr in runs)
    while not all(tr.run.done for tr in runs):
        for tr in runs:
            tr.run.step(step_chunk)
        if progress is not None:
            done = sum(
                min(tr.run.iteration, tr.run.settings.num_iterations)
                if not tr.run.diverged
                else tr.run.settings.num_iterations
                for tr in runs
            )
            progress(0.2 + 0.8 * done / max(total, 1), "Training…")
    for tr in runs:
        tr.shown = None  # trained to the end without a live view: freeze at the end
    finish_batch(runs)
    return runs


def default_specs():
    """The default comparison: the three scalings at the course's α and iterations."""
    defaults = TrainSettings()
    return scaling_specs(("none", "255", "zscore"), defaults.learning_rate, defaults.num_iterations)
