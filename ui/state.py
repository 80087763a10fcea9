"""Per-user state, kept in `st.session_state` (never in module globals, which every user shares)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

import vbq
from vbq.io import Problem

DATASET_KEY = "dataset"
SETTINGS_KEY = "settings"


@dataclass(frozen=True, eq=False)
class Dataset:
    """The cohort and DXA tables in use, with where they came from."""

    name: str
    is_demo: bool
    cohort: pd.DataFrame
    dxa: pd.DataFrame
    digest: str
    problems: tuple[Problem, ...] = field(default=())
    files: tuple[tuple[str, bytes], ...] = field(default=())
    """(file name, bytes as uploaded) of the files the tables came from, for the report's
    SHA-256 fingerprints."""

    @property
    def n_cohort(self) -> int:
        return len(self.cohort)

    @property
    def n_dxa(self) -> int:
        return len(self.dxa)


def demo_dataset() -> Dataset:
    from ui.cache import load_demo

    cohort, dxa = load_demo()
    return Dataset(
        name="Synthetic demo cohort (235 patients)",
        is_demo=True,
        cohort=cohort,
        dxa=dxa,
        digest=vbq.io.table_digest(cohort, dxa),
        files=tuple((p.name, p.read_bytes()) for p in (vbq.demo.COHORT_FILE, vbq.demo.DXA_FILE)),
    )


def get_dataset() -> Dataset:
    """The dataset in use; the demo cohort until the user loads their own files."""
    if DATASET_KEY not in st.session_state:
        st.session_state[DATASET_KEY] = demo_dataset()
    return st.session_state[DATASET_KEY]


def set_dataset(dataset: Dataset) -> None:
    st.session_state[DATASET_KEY] = dataset


def get_settings() -> vbq.Settings:
    if SETTINGS_KEY not in st.session_state:
        st.session_state[SETTINGS_KEY] = vbq.Settings()
    return st.session_state[SETTINGS_KEY]


def set_settings(settings: vbq.Settings) -> None:
    st.session_state[SETTINGS_KEY] = settings
