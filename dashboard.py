"""Logistic regression as a one-neuron network — the classroom dashboard.

Run with ``streamlit run dashboard.py``. This file only routes: it sets up the
page, finishes runs a Stop left behind, draws the data-set sidebar and runs
the chosen page from ``pages/``.
"""
import streamlit as st

from ui import session
from ui.sidebar import model_note, render_sidebar

st.set_page_config(page_title="Logistic regression lab", page_icon="🧠", layout="wide")
# Less empty space above the title: on a projector every line counts.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>")

# A Stop (or leaving a page) interrupts training mid-way: keep those runs, marked as stopped.
session.freeze_interrupted_runs()

navigation = st.navigation([
    st.Page("pages/data.py", title="Data", icon=":material/photo_library:", url_path="data"),
    st.Page("pages/train.py", title="Train", icon=":material/show_chart:", url_path="train", default=True),
    st.Page("pages/weights.py", title="Weights", icon=":material/grid_on:", url_path="weights"),
    st.Page("pages/predict.py", title="Predict", icon=":material/image_search:", url_path="predict"),
    st.Page("pages/why_standardize.py", title="Why standardize", icon=":material/balance:",
            url_path="why_standardize"),
    st.Page("pages/math.py", title="Math", icon=":material/functions:", url_path="math"),
    st.Page("pages/capture.py", title="Capture", icon=":material/photo_camera:", url_path="capture"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:", url_path="evaluate"),
    st.Page("pages/board.py", title="Class board", icon=":material/leaderboard:", url_path="board"),
])
model_slot = render_sidebar()
try:
    navigation.run()
finally:
    model_note(model_slot)   # after the page: a model trained just now is already named
