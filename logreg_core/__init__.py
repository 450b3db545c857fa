"""Logistic regression as a one-neuron network, in NumPy.

Modules, one idea each: :mod:`.model` (σ, cost, gradients, prediction),
:mod:`.settings` (training settings), :mod:`.training` (gradient descent),
:mod:`.preprocess` (flattening and scalings), :mod:`.pipeline` (models on
data sets), :mod:`.data` (HDF5 data sets), :mod:`.synthetic` (the generated
default set), :mod:`.images` (photos), :mod:`.photoset` (data sets from
photos), :mod:`.persistence` (saving models), :mod:`.compare` (runs side by
side), :mod:`.explore` (numbers the Data page shows), :mod:`.gradcheck`,
:mod:`.linear_demo` (the Why-standardize experiment), :mod:`.cli`
(``python -m logreg_core``).
"""

from .model import accuracy, cost_from_z, predict, predict_proba, propagate, sigmoid
from .preprocess import Scaler, fit_scaler, flatten, unflatten
from .settings import SCALINGS, TrainSettings
from .training import GradientDescent, Snapshot, train

__all__ = [
    "accuracy",
    "cost_from_z",
    "predict",
    "predict_proba",
    "propagate",
    "sigmoid",
    "Scaler",
    "fit_scaler",
    "flatten",
    "unflatten",
    "SCALINGS",
    "TrainSettings",
    "GradientDescent",
    "Snapshot",
    "train",
]
