"""Streamlit-side helpers for the dashboard: per-user state, the lesson in the URL, figures.

Numbers come from :mod:`logreg_core`; this package only arranges them.
Importing it makes sure a page runs inside ``dashboard.py``'s router (see
:mod:`ui.router`), so no page has to ask.
"""

from ui.router import leave_pages_directory_mode

leave_pages_directory_mode()
