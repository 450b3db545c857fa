"""Keep Streamlit out of its old "pages folder" mode — the one place that touches a private Streamlit flag.

Streamlit 1.x decides at the first session of a server process whether the
app is an old-style multipage app: if a folder named ``pages/`` sits beside
the main script, ``PagesManager.uses_pages_directory`` becomes True and that
first session's first run builds the menu from file names and runs a deep
link's page file alone (no router, no sidebar). ``st.navigation`` turns the
flag off for the rest of the process, but only once ``dashboard.py`` ran.

Two supported settings hide the rest: ``client.showSidebarNavigation =
false`` keeps the file-name menu from ever showing (our menu is at the top,
``st.navigation(position="top")``, which that setting does not hide), and
this module, imported by every page through ``ui``, reruns a page that was
started outside the router through ``dashboard.py``. No page calls anything.
``serve.py`` sets the flag off before the first session (:func:`use_navigation_only`).
``tests/test_router.py`` fails loudly the day Streamlit renames or drops the flag.
"""

from __future__ import annotations

FLAG = "uses_pages_directory"


def _pages_manager():
    """Streamlit's ``PagesManager`` class, or None if this Streamlit has none."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return None
    return PagesManager


def in_pages_directory_mode() -> bool:
    """True while Streamlit would run a page file without ``dashboard.py``."""
    manager = _pages_manager()
    return bool(manager is not None and getattr(manager, FLAG, False))


def leave_pages_directory_mode(rerun: bool = True) -> bool:
    """Switch the old mode off; inside a script run, rerun it through ``dashboard.py``.

    Parameters
    ----------
    rerun : bool, default True
        Rerun the current script (only inside a Streamlit script run).

    Returns
    -------
    left : bool
        True if the mode was on.
    """
    if not in_pages_directory_mode():
        return False
    setattr(_pages_manager(), FLAG, False)
    if rerun:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx() is not None:
            st.rerun()
    return True


def use_navigation_only() -> bool:
    """Before the first session: this server routes with ``st.navigation`` only, never by the pages folder.

    ``serve.py``'s startup calls it: there ``ui`` is imported before any
    session, outside a script run, so the guard above (run once, at import)
    finds nothing to switch off yet. Setting the flag before Streamlit first
    decides it keeps the old mode off from the start.

    Returns
    -------
    set : bool
        False if this Streamlit has no such flag.
    """
    manager = _pages_manager()
    if manager is None or not hasattr(manager, FLAG):
        return False
    setattr(manager, FLAG, False)
    return True
