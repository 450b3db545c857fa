"""A lesson in the URL: the Train page's settings and the presentation mode as ``st.query_params``.

A teacher puts one link on the board, e.g.
``/train?mode=rates&rates=0.01,0.001,0.0001&iterations=1500``, and every
student opens the same setup. Only settings that differ from the defaults
appear in the URL; :func:`reset` returns to the defaults.

The settings live in one plain dict in session state (``lesson``), not only in
widget keys: Streamlit forgets a widget's state on pages that do not draw it,
and the URL must keep the lesson on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from logreg_core.settings import SCALINGS

LESSON_KEY = "lesson"
LOADED_KEY = "lesson_loaded"
URL_WARNING_KEY = "lesson_url_warning"
MODES = ("Compare pixel scalings", "Compare learning rates")
MODE_CODES = ("scalings", "rates")


def _parse_mode(text: str) -> str:
    if text not in MODE_CODES:
        raise ValueError(f"mode must be one of {', '.join(MODE_CODES)}; got {text!r}")
    return MODES[MODE_CODES.index(text)]


def _parse_scalings(text: str) -> list[str]:
    chosen = [s for s in text.split(",") if s]
    bad = [s for s in chosen if s not in SCALINGS]
    if bad or not chosen:
        raise ValueError(f"scalings must be a comma-separated list of {', '.join(SCALINGS)}; got {text!r}")
    return [s for s in SCALINGS if s in chosen]


def _parse_scaling(text: str) -> str:
    if text not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {text!r}")
    return text


def _parse_flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"present must be 0 or 1; got {text!r}")
    return text == "1"


def _parse_data(text: str) -> str:
    if text not in ("default", "synthetic"):
        raise ValueError(f"data must be default or synthetic; got {text!r}")
    return text


@dataclass(frozen=True)
class Param:
    """One setting in the URL: its session-state key, default, and text ↔ value conversions."""

    key: str
    default: object
    parse: Callable[[str], object]
    format: Callable[[object], str]


#: URL name → setting. Iterations and learning rates stay text: the page validates them and says what is wrong.
PARAMS: dict[str, Param] = {
    "mode": Param("train_mode", MODES[0], _parse_mode, lambda v: MODE_CODES[MODES.index(v)]),
    "iterations": Param("train_iterations", "2000", str.strip, str),
    "alpha": Param("train_rate", "0.005", str.strip, str),
    "scalings": Param("train_scalings", list(SCALINGS), _parse_scalings, lambda v: ",".join(v)),
    "rates": Param("train_rates", "0.01, 0.001, 0.0001", str.strip, lambda v: str(v).replace(" ", "")),
    "scaling": Param("train_rate_scaling", "255", _parse_scaling, str),
    "present": Param("present", False, _parse_flag, lambda v: "1" if v else "0"),
    "data": Param("lesson_data", "default", _parse_data, str),
}
WIDGET_KEYS = tuple(p.key for p in PARAMS.values())


def lesson() -> dict:
    """This session's lesson settings, session key → value (defaults filled in)."""
    stored = st.session_state.setdefault(LESSON_KEY, {})
    for param in PARAMS.values():
        stored.setdefault(param.key, param.default)
    return stored


def load_from_url() -> None:
    """Once per session: take the settings the URL names (bad values are named in one warning and ignored)."""
    if st.session_state.get(LOADED_KEY):
        return
    st.session_state[LOADED_KEY] = True
    settings, problems = lesson(), []
    for name, param in PARAMS.items():
        if name in st.query_params:
            try:
                settings[param.key] = param.parse(st.query_params[name])
            except ValueError as exc:
                problems.append(str(exc))
    if problems:
        st.session_state[URL_WARNING_KEY] = (
            "This link has settings that cannot be used: " + "; ".join(problems) + ". The defaults are used instead."
        )


def seed_widgets(*keys: str) -> None:
    """Give the page's widgets their lesson values (call before drawing them)."""
    settings = lesson()
    for key in keys:
        if key not in st.session_state:
            value = settings[key]
            st.session_state[key] = list(value) if isinstance(value, list) else value


def remember(*keys: str) -> None:
    """Copy the page's widget values into the lesson (call after drawing them)."""
    settings = lesson()
    for key in keys:
        if key in st.session_state:
            value = st.session_state[key]
            settings[key] = list(value) if isinstance(value, (list, tuple)) else value


def set_value(key: str, value: object) -> None:
    """Change one lesson setting and the widget that shows it (e.g. from a button callback)."""
    lesson()[key] = value
    st.session_state[key] = value


def url_params() -> dict[str, str]:
    """The query parameters for the current lesson: only what differs from the defaults."""
    settings, out = lesson(), {}
    for name, param in PARAMS.items():
        value = settings[param.key]
        if value != param.default:
            out[name] = param.format(value)
    return out


def write_url() -> None:
    """Put the lesson into the address bar (only when it changed, so no needless message).

    Parameters that are not lesson settings (e.g. the class board's ``board`` code) are kept.
    """
    current = st.query_params.to_dict()
    wanted = {name: value for name, value in current.items() if name not in PARAMS} | url_params()
    if current != wanted:
        st.query_params.from_dict(wanted)


def reset() -> None:
    """Button callback: every lesson setting back to its default (the URL follows); presentation mode stays."""
    settings = lesson()
    for param in PARAMS.values():
        if param.key == "present":
            continue
        settings[param.key] = list(param.default) if isinstance(param.default, list) else param.default
        if param.key in st.session_state:
            st.session_state[param.key] = settings[param.key]


def presenting() -> bool:
    """True in presentation mode."""
    return bool(lesson()["present"])
