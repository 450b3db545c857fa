"""Streamlit-side helpers for the dashboard: per-user state and figures.

Numbers come from :mod:`logreg_core`; this package only arranges them.
"""
