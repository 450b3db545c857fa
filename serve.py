"""Serve the lab: ``streamlit run serve.py`` (the README's first command).

``dashboard.py`` is the app; this file hands it to Streamlit's ASGI server
(``st.App``) so the server is guarded before its first request:

* when the server starts, :func:`ui.server.setup` installs the upload budget
  and the session reaper, sets one BLAS thread per session and tunes the
  allocator (``streamlit run dashboard.py`` does that only on the first page run);
* :class:`ui.uploads.UploadGate` refuses an upload past the budget from its
  ``Content-Length``, before Streamlit reads the body;
* a page that raises what no page expected shows one line, not a traceback
  (:func:`ui.server.show_script_error`; the server's log keeps the traceback).
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui import server
from ui.uploads import UploadGate

app = st.App(
    "dashboard.py",
    lifespan=server.lifespan,
    middleware=[Middleware(UploadGate)],
    on_script_error=server.show_script_error,
)
