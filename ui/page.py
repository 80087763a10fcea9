"""The top of every page: its title, the dataset banner and the settings in force; for an
analysis page also the prepared cohort and its "In force" line (the prologue the pages shared)."""

from __future__ import annotations

import streamlit as st

import vbq
from ui import display
from ui.sidebar import dataset_banner
from ui.state import Dataset, get_dataset, get_settings


def start(title: str, *, banner: bool = True) -> tuple[Dataset, vbq.Settings]:
    """Title, banner; the dataset and the settings in force. With ``banner=False`` the page shows
    the banner itself (`dataset_banner`) where it belongs: the Data page's, below its choice of
    data source, heads the dataset it describes."""
    st.title(title)
    dataset = get_dataset()
    if banner:
        dataset_banner(dataset)
    return dataset, get_settings()


def start_analysis(title: str) -> tuple[Dataset, vbq.Settings, vbq.PreparedCohort]:
    """`start`, then the prepared cohort (or why it cannot be made, and stop) and the line
    saying what produced the page's numbers."""
    dataset, settings = start(title)
    prepared = display.prepared_or_stop(dataset, settings)
    display.in_force(prepared)
    return dataset, settings, prepared
