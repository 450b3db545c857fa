"""Logistic regression as a one-neuron network — the classroom dashboard.

Run with ``streamlit run dashboard.py``. This file only routes: it sets up the
page, takes a shared lesson from the URL, finishes runs a Stop left behind,
draws the data-set sidebar and runs the chosen page from ``pages/``.
"""

import streamlit as st

from ui import lesson, server, session, shared, uploads
from ui.sidebar import model_note, render_sidebar

server.setup()  # once per process: one BLAS thread per session, memory given back, sessions reaped
lesson.load_from_url()
presenting = lesson.presenting()
st.set_page_config(
    page_title="Logistic regression lab", page_icon="🧠", layout="wide", initial_sidebar_state="collapsed"
)  # the page gets the whole projector
# Less empty space above the title: on a projector every line counts. Presentation mode: larger text,
# tighter gaps between controls.
CSS = (
    "[data-testid='stMainBlockContainer']{padding:3.1rem 1.6rem 2rem 1.6rem}"
    " h1{font-size:1.95rem !important} h2{font-size:1.7rem !important}"
    # A button or widget label wraps instead of being cut to "…" (a projector is narrow at 150 %).
    " button [data-testid='stMarkdownContainer'], button [data-testid='stMarkdownContainer'] *,"
    " [data-testid='stWidgetLabel'] *{white-space:normal !important;text-overflow:clip !important}"
)
if presenting:
    CSS += (
        "html{font-size:19px} [data-testid='stMainBlockContainer']{padding-left:1.2rem;padding-right:1.2rem}"
        " [data-testid='stVerticalBlock']{gap:0.55rem}"
    )
st.html(f"<style>{CSS}</style>")

# A Stop (or leaving a page) interrupts training mid-way: keep those runs where the chart showed them.
session.freeze_interrupted_runs()
# An upload past the budget: the uploader only marks the file "413", so say why here, once.
if refused := uploads.pop_upload_refusal(shared.session_id()):
    st.error(refused, icon=":material/block:")


def home():
    """The app's root: open Train, at its own address (the default page would be served only at "/")."""
    st.switch_page(TRAIN, query_params=st.query_params.to_dict())


TRAIN = st.Page("pages/train.py", title="Train", icon=":material/show_chart:", url_path="train")
navigation = st.navigation(
    [
        st.Page(home, title="Start", url_path="start", default=True, visibility="hidden"),
        st.Page("pages/data.py", title="Data", icon=":material/photo_library:", url_path="data"),
        TRAIN,
        st.Page("pages/weights.py", title="Weights", icon=":material/grid_on:", url_path="weights"),
        st.Page("pages/predict.py", title="Predict", icon=":material/image_search:", url_path="predict"),
        st.Page(
            "pages/why_standardize.py", title="Why standardize", icon=":material/balance:", url_path="why_standardize"
        ),
        st.Page("pages/math.py", title="Math", icon=":material/functions:", url_path="math"),
        st.Page("pages/capture.py", title="Capture", icon=":material/photo_camera:", url_path="capture"),
        st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:", url_path="evaluate"),
        st.Page("pages/board.py", title="Class board", icon=":material/leaderboard:", url_path="board"),
    ],
    position="top",
)
model_slot = render_sidebar()
if navigation.title != "Start":  # the start page only switches to Train: say it there
    warning = st.session_state.pop(lesson.URL_WARNING_KEY, None)
    if warning:
        st.warning(warning)
try:
    navigation.run()
finally:
    model_note(model_slot)  # after the page: a model trained just now is already named
    lesson.write_url()  # the lesson stays in the address bar on every page
