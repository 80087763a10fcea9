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
    """The cohort and DXA tables in use, with where they came from.

    `cohort_file` and `dxa_file` are the names of the uploaded files (empty for the demo). They are
    text from the user's computer: show them as text, never as Markdown. `measurements` is the
    choice of MRI measurements merged into the cohort (``observer:session``, the URL's ``meas``;
    empty when none are in use, see `ui.measure`); `measurements_used` says what they are
    (`vbq.describe.MeasurementsInUse`: observer, session or mean, patients, kinds of series),
    for the in-force line, the report and its flow diagram.
    """

    name: str
    is_demo: bool
    cohort: pd.DataFrame
    dxa: pd.DataFrame
    digest: str
    problems: tuple[Problem, ...] = field(default=())
    # (file name, bytes as uploaded) of the files the tables came from, for the report's
    # SHA-256 fingerprints
    files: tuple[tuple[str, bytes], ...] = field(default=())
    cohort_file: str = ""
    dxa_file: str = ""
    measurements: str = ""
    measurements_used: vbq.describe.MeasurementsInUse | None = None

    @property
    def n_cohort(self) -> int:
        return len(self.cohort)

    @property
    def n_dxa(self) -> int:
        return len(self.dxa)

    @property
    def description(self) -> str:
        """Where the data came from, in words: the demo, or both file names with their rows."""
        if self.is_demo:
            return (f"Synthetic demo cohort: {self.n_cohort} cohort rows, {self.n_dxa} DXA rows")
        return (f"Your data: cohort file {self.cohort_file} ({self.n_cohort} rows), DXA file "
                f"{self.dxa_file} ({self.n_dxa} rows)")


def uploaded_dataset(cohort: pd.DataFrame, dxa: pd.DataFrame, *, cohort_file: str,
                     dxa_file: str, problems: tuple[Problem, ...] = (),
                     files: tuple[tuple[str, bytes], ...] = ()) -> Dataset:
    """The user's own files as the dataset in use (`files`: their names and bytes, for the
    report's fingerprints)."""
    return Dataset(
        name=f"{cohort_file} + {dxa_file}",
        is_demo=False,
        cohort=cohort,
        dxa=dxa,
        digest=vbq.io.table_digest(cohort, dxa),
        problems=problems,
        files=files,
        cohort_file=cohort_file,
        dxa_file=dxa_file,
    )


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
