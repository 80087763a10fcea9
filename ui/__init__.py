"""Streamlit glue for VBQ Explorer: session state, cached calls into `vbq`, the shared sidebar.

Only the app imports this package; the core `vbq` never does.
"""
