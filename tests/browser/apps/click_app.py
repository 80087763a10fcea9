"""A page holding only the image-click component, for its browser test: a 64 x 128 image
(rows x columns) shown 512 px wide, so one image pixel is 4 displayed pixels."""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root

from ui.image_click import Circle, image_click

image = (np.add.outer(np.arange(64), np.arange(128)) % 256).astype(np.uint8)
circle = Circle(row=20, col=40, r_rows=5, r_cols=10, label="L1 <b>bold?</b>", active=True)
click = image_click(image, circles=[circle], key="click_test", max_width=512)
if click is not None:
    st.session_state["last"] = click
last = st.session_state.get("last")
st.text("clicked " + ("none" if last is None else f"row={last[0]:.3f} col={last[1]:.3f}"))
st.button("rerun")
# the run's number, so a test can wait for a rerun to end (never for a time)
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.text(f"run {st.session_state['runs']}")
