"""Every cached call into `vbq` lives here.

Arguments are a SHA-256 digest of the data plus hashable settings; the DataFrames themselves are
passed as underscore-prefixed arguments, which `st.cache_data` does not hash (it samples large frames,
which could serve stale results). No function here creates a widget.

Where a page only shows a result, the function returns it already formatted (a
`vbq.present.FormattedTable`): reading a formatted table back costs about 0.4 ms, formatting it
again on every rerun 5-25 ms (Table 2, the per-vertebra listing), and with many users each
rerun's CPU time is what the others wait for (bench/load_harness.py).
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import streamlit as st

import vbq
from ui import safe
from vbq import _worker, present

MAX_ENTRIES = 64
#: Cached results live at most an hour after they were computed (README, "Where your data lives").
TTL = 3600
#: Per-function ceilings on the serialized size of the entries, so a few large cohorts cannot
#: hold the server's memory (Community Cloud gives an app 690 MB to 2.7 GB);
#: `server.maxCacheDataSize` in .streamlit/config.toml caps all of them together.
# An uploaded or prepared table, or a listing of every patient: a prepared cohort of 100,000
# patients pickles to 75 MB, and at 150 MB a second settings value (a slider moved and moved
# back) evicted the first, so every rerun prepared the cohort again (bench/bench_app.py
# --patients 100000); the global server.maxCacheDataSize still bounds them all.
BIG = "400MB"
SMALL = "20MB"  # derived tables and curves
#: `vbq.Settings` is a frozen dataclass whose repr names every field and value: hashing the
#: repr takes 15 µs, Streamlit's generic hashing of the nested dataclasses 360 µs, for each of
#: the ten or so cached calls of a rerun.
HASH_FUNCS = {vbq.Settings: repr}


@st.cache_data(max_entries=4, ttl=TTL, max_size=SMALL,
               show_spinner="Loading the synthetic demo cohort...")
def load_demo() -> tuple[pd.DataFrame, pd.DataFrame]:
    cohort, dxa = vbq.demo.load()
    cohort, _ = vbq.io.coerce_cohort(cohort, source="demo_cohort.csv")
    dxa, _ = vbq.io.coerce_dxa(dxa, source="demo_dxa.csv")
    return cohort, dxa


#: The longest an uploaded spreadsheet may take to read, in seconds. Uploads are read in a
#: worker process (`vbq._worker`), so a long read no longer holds the server's other sessions
#: back (issue 18); past this it is stopped and refused with a message naming the limit.
READ_TIME_LIMIT_S = 60.0
_READ_HINT = ("Split it into smaller files (a spreadsheet saved as CSV reads several times "
              "faster).")
# The readers run in the worker (module attributes, so a test can give a deliberately slow
# one; each must pickle: a module-level function).
_READ_TABLE = vbq.io.read_table
_LIST_SHEETS = vbq.io.list_sheets
_REFUSED_KEY = "cache_refused_reads"


def read_upload(digest: str, name: str, kind: str, sheet: str | None,
                mapping: tuple[tuple[str, str | None], ...], data: bytes):
    """Read one uploaded file in a worker process (`_read_upload`); a refusal is remembered in
    the session, so a rerun shows it again without reading the file again."""
    return _unless_refused(("read", digest, name, kind, sheet, mapping), _read_upload, digest,
                           name, kind, sheet, mapping, data)


def sheets_of(digest: str, name: str, data: bytes) -> list[str]:
    """Sheet names of an uploaded workbook ([] for CSV); `vbq.InputError` for a file that is
    not a readable workbook, remembered in the session as `read_upload`'s are."""
    return _unless_refused(("sheets", digest, name), _sheets_of, digest, name, data)


def _unless_refused(key: tuple, read, *args):
    refused: dict = st.session_state.setdefault(_REFUSED_KEY, {})
    if key in refused:
        raise refused[key]
    try:
        return read(*args)
    except vbq.InputError as exc:
        while len(refused) >= 8:
            refused.pop(next(iter(refused)))
        refused[key] = exc
        raise


@st.cache_data(max_entries=8, ttl=TTL, max_size=BIG, scope="session",
               show_spinner=f"Reading and validating the file (at most {READ_TIME_LIMIT_S:g} "
                            "s)...")
def _read_upload(digest: str, name: str, kind: str, sheet: str | None,
                 mapping: tuple[tuple[str, str | None], ...], _data: bytes):
    """Read one uploaded file (cached on its content digest, name, sheet and mapping), in a
    worker process within `READ_TIME_LIMIT_S`.

    Session-scoped: the raw upload's table and report stay with the session that uploaded it
    and are dropped when that session ends."""
    return _worker.run(_READ_TABLE, _data, kind, what=name, time_limit=READ_TIME_LIMIT_S,
                       hint=_READ_HINT, sheet=sheet, mapping=dict(mapping) or None, name=name)


@st.cache_data(max_entries=8, ttl=TTL, max_size=SMALL, scope="session",
               show_spinner="Opening the workbook...")
def _sheets_of(digest: str, name: str, _data: bytes) -> list[str]:
    return _worker.run(_LIST_SHEETS, _data, what=name, time_limit=READ_TIME_LIMIT_S,
                       hint=_READ_HINT, name=name)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS,
               show_spinner="Preparing the cohort...")
def prepare(digest: str, settings: vbq.Settings, _cohort: pd.DataFrame,
            _dxa: pd.DataFrame) -> vbq.PreparedCohort:
    """`vbq.prepare_cohort` keyed on the data digest and the frozen settings.

    The tables were validated when they were loaded (`ui.state.Dataset` holds canonical tables
    only), so they are not validated again; the result therefore carries no warnings, and holds
    nothing that is not determined by the key (no file name, no text from outside the cells).
    """
    return vbq.prepare_cohort(_cohort, _dxa, settings, validate=False)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def cohort_summary(digest: str, settings: vbq.Settings, _table: pd.DataFrame) -> safe.ShownTable:
    """The cohort summary (`vbq.cohort_summary`), formatted."""
    return safe.shown(present.cohort_summary_table(vbq.cohort_summary(_table)))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS)
def exclusion_table(digest: str, settings: vbq.Settings,
                    _prepared: vbq.PreparedCohort) -> present.FormattedTable:
    """Who and what was left out (`PreparedCohort.exclusion_log`), formatted."""
    return present.exclusion_table(_prepared.exclusion_log())


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS)
def degeneration_table(digest: str, settings: vbq.Settings,
                       _cohort: pd.DataFrame) -> present.FormattedTable:
    """Which vertebra met which criterion (`vbq.cohort.degeneration_summary`), formatted."""
    return present.degeneration_table(vbq.cohort.degeneration_summary(_cohort, settings.criteria))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def kappa_table(digest: str, settings: vbq.Settings, _cohort: pd.DataFrame) -> safe.ShownTable:
    """Kappa of the degenerative grouping between readings (`vbq.study.grouping_kappa`),
    formatted; an empty table when the cohort has no repeated grades."""
    return safe.shown(present.kappa_table(vbq.study.grouping_kappa(_cohort, settings.criteria)))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def vbq_reliability(digest: str, settings: vbq.Settings, _table: pd.DataFrame) -> dict:
    """ICCs of the spreadsheet's repeated VBQ readings (`vbq.study.vbq_reliability`)."""
    return vbq.study.vbq_reliability(_table)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def bland_altman(digest: str, settings: vbq.Settings, column: str, _table: pd.DataFrame):
    """Bland-Altman of the spreadsheet's VBQ against its `column` reading (`vbq_repeat` or
    `vbq_obs2`); the reason in words when it is undefined."""
    try:
        return vbq.stats.bland_altman(_table["vbq"], _table[column])
    except vbq.DegenerateInputError as exc:
        return str(exc)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner="Computing Table 2...")
def table2(digest: str, settings: vbq.Settings, covariates: tuple[str, ...],
           _table: pd.DataFrame) -> safe.ShownTable:
    """Table 2 (`vbq.study.table2`), formatted."""
    return safe.shown(present.table2(vbq.study.table2(_table, covariates=covariates)))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def table5(digest: str, settings: vbq.Settings, _table: pd.DataFrame) -> safe.ShownTable:
    """Table 5 (`vbq.study.table5`), formatted."""
    return safe.shown(present.table5(vbq.study.table5(_table)))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def table1(settings: vbq.Settings) -> safe.ShownTable:
    """Table 1, the grading criteria with the grades in force (`vbq.present.table1`)."""
    return safe.shown(present.table1(settings))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner="Computing Table 3...")
def table3(digest: str, settings: vbq.Settings, method: str, _table: pd.DataFrame) -> pd.DataFrame:
    return vbq.study.table3(_table, method=method)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def fit_line(digest: str, settings: vbq.Settings, group: str, y: str,
             _part: pd.DataFrame) -> vbq.study.FitLine:
    """Regression band of `y` on VBQ for one group's rows (`_part`)."""
    return vbq.study.fit_line(_part["vbq"], _part[y])


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner="Computing ROC curves...")
def roc_study(digest: str, settings: vbq.Settings, group: str, target: str,
              markers: tuple[str, ...], _table: pd.DataFrame):
    return vbq.study.roc_study(_table, group=group, target=target, markers=markers)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner="Analysing each field strength...")
def roc_by_field_strength(digest: str, settings: vbq.Settings, group: str, target: str,
                          marker: str, _table: pd.DataFrame):
    """(`vbq.scanners.roc_by_field_strength`, its table formatted); `vbq.InputError` when the
    dataset has fewer than two field strengths (never cached)."""
    strat = vbq.scanners.roc_by_field_strength(_table, group=group, target=target,
                                               marker=marker)
    return strat, safe.shown(present.field_strength_roc_table(strat))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def published_thresholds(digest: str, settings: vbq.Settings, keys: tuple[str, ...],
                         field_strengths: tuple[float, ...], sequence_families: tuple[str, ...],
                         _table: pd.DataFrame):
    """(the published thresholds applied to the control group, formatted; {warning: labels of
    the thresholds it concerns}) (`vbq.published.apply_published`)."""
    applied = vbq.published.apply_published(_table, keys, group="control",
                                            field_strengths=field_strengths,
                                            sequence_families=sequence_families)
    labels = {t.key: t.label for t in vbq.published.PUBLISHED_THRESHOLDS}
    warnings: dict[str, list[str]] = {}
    for key, sentences in zip(applied["key"], applied["warnings"], strict=True):
        for sentence in sentences:
            warnings.setdefault(sentence, []).append(labels[key])
    return safe.shown(present.published_thresholds_table(applied)), warnings


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def meta_analysis(digest: str, settings: vbq.Settings, group: str, target: str,
                  _result) -> safe.ShownTable:
    """The cohort's VBQ accuracy beside the pooled estimate (`vbq.published.
    against_meta_analysis`), formatted; `_result` is the ROC study's VBQ result of the key."""
    frame = vbq.published.against_meta_analysis(_result)
    who = "all patients" if group == "all" else f"the {group} group"
    text = (f"VBQ in {who} for "
            f"{present.target_label(target).lower()} by DXA, at its Youden cutoff "
            f"{present.format_cutoff(_result.cutoff, 'vbq')}")
    return safe.shown(present.meta_analysis_table(frame, threshold_text=text))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner=False)
def bootstrap_cutoff(digest: str, settings: vbq.Settings, group: str, target: str, marker: str,
                     _table: pd.DataFrame):
    y, rows = vbq.study.roc_subset(_table, group, target)
    return vbq.stats.bootstrap_cutoff(y, rows[marker].to_numpy(dtype=float),
                                      higher_is_positive=vbq.study.MARKERS[marker][1],
                                      n_boot=2000, seed=0)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def prevalence(digest: str, settings: vbq.Settings, target: str, _table: pd.DataFrame):
    return vbq.study.prevalence(_table, target=target)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def prevalence_against_paper_table(digest: str, settings: vbq.Settings, target: str, _shift,
                                   _thresholds: vbq.Thresholds) -> safe.ShownTable:
    """This analysis's prevalence (`prevalence`, the same key) beside the paper's, formatted
    (`vbq.present.prevalence_against_paper_table`); the thresholds follow from the key."""
    return safe.shown(present.prevalence_against_paper_table(_shift, target=target,
                                                             thresholds=_thresholds))


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def prevalence_breakdowns(digest: str, settings: vbq.Settings, target: str,
                          _table: pd.DataFrame) -> dict:
    """`vbq.study.prevalence_breakdowns`, each formatted (`vbq.present.breakdown_table`) or the
    `vbq.study.Unavailable` that says why it is not."""
    return {name: res if isinstance(res, vbq.study.Unavailable)
            else safe.shown(present.breakdown_table(res))
            for name, res in vbq.study.prevalence_breakdowns(_table, target=target).items()}


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def reclassification(digest: str, settings: vbq.Settings, _table: pd.DataFrame):
    return vbq.study.reclassification(_table)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def threshold_point(digest: str, settings: vbq.Settings, target: str,
                    _prepared: vbq.PreparedCohort):
    return vbq.study.threshold_point(_prepared, target=target)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def grey_zone(digest: str, settings: vbq.Settings, rule_out: float, rule_in: float, group: str,
              target: str, _table: pd.DataFrame):
    return vbq.study.grey_zone(_table, rule_out=rule_out, rule_in=rule_in, group=group,
                               target=target)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner=False)
def risk_calculator(digest: str, settings: vbq.Settings, group: str, target: str,
                    include_hu: bool, _table: pd.DataFrame):
    """The risk model of the Risk calculator page (`vbq.study.risk_calculator`, 200 bootstrap
    resamples, seed 0)."""
    return vbq.study.risk_calculator(_table, group=group, target=target, include_hu=include_hu)


# the study report (vbq.report). Few entries: a report is ~5 MB, almost all plotly's JavaScript.
REPORT_ENTRIES = 8


@st.cache_data(max_entries=REPORT_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS,
               show_spinner=False)
def report_tables(digest: str, settings: vbq.Settings, _prepared: vbq.PreparedCohort) -> list:
    """Every table of the report (`vbq.report.study_tables`) for the prepared cohort."""
    import vbq.report

    return vbq.report.study_tables(_prepared)


@st.cache_data(max_entries=REPORT_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS,
               show_spinner=False)
def report_html(digest: str, settings: vbq.Settings, files: tuple[tuple[str, str], ...],
                synthetic: bool, measurements: vbq.describe.MeasurementsInUse | None,
                _prepared: vbq.PreparedCohort, _files: tuple[tuple[str, bytes], ...]) -> str:
    """The HTML report (`vbq.report.build_report`). The key holds the files' names and SHA-256
    (`files`), since both are printed in the report, and the MRI measurements in use (a frozen
    description); `_files` are their bytes."""
    import vbq.report

    title = "VBQ study report: synthetic demo cohort" if synthetic else "VBQ study report"
    return vbq.report.build_report(_prepared, inputs=dict(_files), title=title,
                                   synthetic=synthetic, measurements=measurements)


@st.cache_data(max_entries=REPORT_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS,
               show_spinner=False)
def report_xlsx(digest: str, settings: vbq.Settings, synthetic: bool,
                _prepared: vbq.PreparedCohort) -> bytes:
    """The study's tables as one workbook (`vbq.report.build_workbook`)."""
    import vbq.report

    return vbq.report.build_workbook(_prepared, synthetic=synthetic)


@st.cache_data(max_entries=REPORT_ENTRIES, ttl=TTL, max_size=BIG, hash_funcs=HASH_FUNCS,
               show_spinner=False)
def report_docx(digest: str, settings: vbq.Settings, synthetic: bool,
                _prepared: vbq.PreparedCohort) -> bytes:
    """The study's tables as one Word document (`vbq.report.build_docx`)."""
    import vbq.report

    return vbq.report.build_docx(_prepared, synthetic=synthetic)


# beyond the paper: decision curves (Decide page) and sample sizes (Plan a study page)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS,
               show_spinner="Computing the decision curves and their bootstrap interval...")
def decision_study(digest: str, settings: vbq.Settings, group: str, target: str,
                   vbq_cutoff: float, harm: float, compare: tuple[str, str],
                   _table: pd.DataFrame):
    """`vbq.decide.decision_study` (1,000 bootstrap resamples, seed 0)."""
    return vbq.decide.decision_study(_table, vbq_cutoff=vbq_cutoff, group=group, target=target,
                                     harm=harm, compare=compare)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, hash_funcs=HASH_FUNCS)
def cohort_size(digest: str, settings: vbq.Settings, group: str, target: str,
                _table: pd.DataFrame):
    return vbq.plan.cohort_size(_table, group=group, target=target)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL)
def sample_size(kind: str, args: tuple, kwargs: tuple[tuple[str, object], ...]):
    """One sample-size function of `vbq.stats` ("accuracy", "auc", "auc_difference",
    "prediction_model") on plain numbers."""
    return getattr(vbq.stats, f"sample_size_{kind}")(*args, **dict(kwargs))


# the measurement database (issue 18): what a rerun reads, cached under the database's generation


#: The reads of `vbq.measurements.MeasurementStore` a rerun of the MRI and Reliability pages
#: makes: counts, the observers and sessions to choose from, the capped lists, one patient's
#: ROIs. `load` is cached only for one patient or a few (a whole table is never cached).
STORE_READS = frozenset({"count", "count_readings", "count_history", "observers", "sessions",
                         "readings", "history", "load"})


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(v) for v in value)
    return value


@st.cache_data(max_entries=256, ttl=TTL, max_size=SMALL, show_spinner=False)
def store_read(generation: str, method: str, args: tuple[tuple[str, Any], ...], _store) -> Any:
    """``_store.<method>(**args)``, cached under the database's generation
    (`vbq.measurements.MeasurementStore.generation`).

    The generation is a random token that every write to the database replaces (any session,
    any process) and no other database shares, so the value depends only on the key: the same
    token is the same database in the same state. A rerun that changed nothing in the database
    costs one primary-key lookup (the token) instead of its counts and GROUP BYs (about 250 ms
    on a lab server's 104,000 readings, bench/bench_store_scale.py)."""
    return getattr(_store, method)(**dict(args))


class CachedStore:
    """A measurement store whose `STORE_READS` go through `store_read` (each asks for the
    generation first, one indexed lookup, so a write by anyone is seen at the next read); every
    other attribute (saving, deleting, importing, exports) is the store's own."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name: str):
        attr = getattr(self._store, name)
        if name not in STORE_READS:
            return attr

        @functools.wraps(attr)
        def read(**kwargs):
            if name == "load" and kwargs.get("patient_id") is None:
                return attr(**kwargs)  # a whole table or an observer's: never cached
            args = tuple(sorted((k, _hashable(v)) for k, v in kwargs.items()))
            return store_read(self._store.generation(), name, args, _store=self._store)

        return read

    @property
    def uncached(self):
        """The store itself (its reads not cached)."""
        return self._store


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL,
               show_spinner="Computing the agreement of the stored readings...")
def stored_agreement(generation: str, comparison: tuple, _store) -> Any:
    """The VBQ per patient of the chosen readings (`vbq.measurements.vbq_wide`) and their
    agreement (`vbq.measurements.reliability`), cached under the database's generation (see
    `store_read`): ``("intra", observer, s1, s2)`` one observer's two sessions (only they are
    loaded), ``("inter", o1, o2, session)`` two observers in one session, ``("suggested",
    suggested_by, manual_by)`` suggestion-accepted against hand-placed readings (queried, never
    loaded whole: `vbq.measurements.suggested_vs_manual_vbq`). Raises `vbq.InputError` when
    the readings are not there."""
    kind, *rest = comparison
    if kind == "intra":
        observer, s1, s2 = rest
        wide = vbq.measurements.intra_observer_vbq(
            _store.load(observer=observer, session=[s1, s2]), observer, sessions=(s1, s2))
    elif kind == "inter":
        o1, o2, session = rest
        wide = vbq.measurements.inter_observer_vbq(
            _store.load(observer=[o1, o2], session=session), [o1, o2], session=session)
    else:
        suggested_by, manual_by = rest
        wide = vbq.measurements.suggested_vs_manual_vbq(_store, suggested_by=suggested_by,
                                                        manual_by=manual_by)
    return vbq.measurements.reliability(wide)


@st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL, max_size=SMALL, show_spinner=False)
def stored_placements(generation: str, _store) -> pd.DataFrame:
    """`vbq.measurements.reading_placement` of the database (counted in it), cached under its
    generation (see `store_read`)."""
    return vbq.measurements.reading_placement(_store)
