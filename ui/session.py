"""Each user's data set, runs and model, kept in ``st.session_state``.

Loaded data is cached with ``st.cache_data`` (shared by every user, keyed by
the file's bytes); what a user trained lives in their own session state, so
switching pages or data sets never loses it.
"""
from __future__ import annotations

import importlib.util
import os
import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from logreg_core.compare import RunRecord, best_index, run_status, summarize
from logreg_core.data import DATA_ENV, PROJECT_DATA_DIR, load_dataset, resolve_dataset
from logreg_core.explore import pixel_histograms
from logreg_core.pipeline import Model, fit, start_training
from logreg_core.preprocess import SCALING_LABELS
from logreg_core.settings import TrainSettings

DATASET_KEY = "dataset"
RUNS_KEY = "runs"
MODEL_KEY = "model"
BATCH_KEY = "run_batch_counter"
#: Comparisons (batches of runs) a user keeps; older ones are dropped to bound memory.
MAX_BATCHES = 6


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


@st.cache_data(show_spinner="Reading the HDF5 files…", max_entries=8)
def dataset_from_h5_bytes(train_bytes, train_name, test_bytes, test_name):
    """A data set from two uploaded HDF5 files; raises ValueError if either is wrong."""
    return load_dataset(train_bytes, test_bytes, train_name=train_name, test_name=test_name)


@dataclass
class TrainedRun:
    """One training run a user made, kept across pages.

    Attributes
    ----------
    name : str
        Label in legends, e.g. "pixels / 255, α = 0.005".
    run : logreg_core.training.GradientDescent
        Costs, snapshots, current parameters; may be unfinished (stopped).
    scaler : logreg_core.preprocess.Scaler
    dataset_source : str
        ``Dataset.source`` of the data it was trained on.
    model : logreg_core.pipeline.Model or None
        Set once the run finished or was stopped.
    """

    name: str
    run: object
    scaler: object
    dataset_source: str
    model: Model | None = None
    extra: dict = field(default_factory=dict)


def get_dataset():
    """The data set this user works on (the default until they choose another)."""
    if DATASET_KEY not in st.session_state:
        try:
            st.session_state[DATASET_KEY] = default_dataset(os.environ.get(DATA_ENV), str(PROJECT_DATA_DIR))
        except ValueError as exc:
            # A wrong LOGREG_DATA_DIR must not take the app down: say so, use the synthetic set.
            st.session_state["data_warning"] = str(exc)
            st.session_state[DATASET_KEY] = default_dataset(None, "")
    return st.session_state[DATASET_KEY]


def set_dataset(dataset):
    """Switch this user to another data set; runs and the model are kept."""
    st.session_state[DATASET_KEY] = dataset


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
