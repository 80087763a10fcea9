"""Reliability page: intra- and inter-observer agreement of VBQ (ICC with CIs, Bland-Altman with
limits of agreement and their CIs) from the measurement database or the cohort spreadsheet's
repeat columns, readings made by accepting suggested ROIs against hand-placed ones (database),
and kappa of the degenerative grouping between raters.

Statistics: `vbq.measurements.reliability` (database), `vbq.study.vbq_reliability` and
`vbq.stats.bland_altman` (spreadsheet, through `ui.cache`), `vbq.study.grouping_kappa`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

import vbq
from ui import binding, cache, display, measure, page
from vbq import present

# the choices by the names the address carries (v.rel.source=sheet), shown in words
SOURCES = {"database": "Measurement database", "sheet": "Cohort spreadsheet (repeat columns)"}
COMPARISONS = {"intra": "Intra-observer (one observer, two sessions)",
               "inter": "Inter-observer (two observers)",
               "suggested": "Suggested ROIs accepted vs placed by hand"}
ANY_OBSERVER = "Any observer"
FORMS = {
    "ICC2": "ICC(2,1): two-way random, absolute agreement, single measurement (default)",
    "ICC3": "ICC(3,1): two-way mixed, consistency, single measurement",
    "ICC1": "ICC(1,1): one-way random, single measurement",
    "ICC2k": "ICC(2,k): two-way random, absolute agreement, mean of k measurements",
    "ICC3k": "ICC(3,k): two-way mixed, consistency, mean of k measurements",
    "ICC1k": "ICC(1,k): one-way random, mean of k measurements",
}
WHY_DEFAULT = (
    "**Why ICC(2,1) by default.** The paper reports ICCs of repeated VBQ readings. Following Koo "
    "& Li (2016): the readers stand for any trained reader who might measure VBQ (two-way "
    "random), a VBQ is compared with a fixed cutoff, so a reader who reads systematically higher "
    "matters (absolute agreement, not consistency), and in practice one reader measures once "
    "(single measurement). For intra-observer reliability Koo & Li advise a two-way mixed model "
    "with absolute agreement; its estimate is the same number (McGraw & Wong's ICC(A,1)). "
    "Below 0.5 is poor, 0.5-0.75 moderate, 0.75-0.9 good, above 0.9 excellent (read on the 95% "
    "CI, not the estimate alone)."
)

dataset, settings = page.start("Reliability")

# bound to the address and kept across pages, as every page's options are (a shared link
# showed the database's readings and ICC(2,1) whatever the sender had chosen)
source = binding.view(st.radio, "Readings from", "rel.source", "database", key="rel_source",
                      options=list(SOURCES), format_func=SOURCES.get, horizontal=True)
comparison = binding.view(st.radio, "Agreement", "rel.comparison", "intra",
                          key="rel_comparison", options=list(COMPARISONS),
                          format_func=COMPARISONS.get, horizontal=True)
suggested = comparison == "suggested"
intra = True if comparison == "intra" else (None if suggested else False)
form = binding.view(st.selectbox, "ICC form", "rel.form", "ICC2", key="rel_form",
                    options=list(FORMS), format_func=FORMS.get)
st.markdown(WHY_DEFAULT)

@dataclass(frozen=True)
class _Readings:
    """Two readings per patient and their ICC and Bland-Altman (each a result or why not)."""

    icc: Any
    bland_altman: Any
    labels: tuple[str, str]
    n_pairs: int  # patients with both readings
    reading: str  # the ICC table's row name


def _from_database() -> _Readings | None:
    """The readings chosen from the measurement database (None, after saying why, when none).
    Only the chosen observers' sessions are loaded, never the whole database; the counts,
    choices and agreement are cached under the database's generation (`ui.cache.store_read`),
    so a rerun that changed nothing in the database asks it for the generation only."""
    try:
        store = measure.get_store()
        reads = cache.CachedStore(store)
        observers = reads.observers()
        if not observers:
            st.info("The measurement database is empty. Measure on the MRI measurement page "
                    "(or import a CSV there), or choose the cohort spreadsheet's repeat "
                    "columns.")
            return None
        comparison = _comparison(store, reads, observers)
        if comparison is None:
            return None
        result = cache.stored_agreement(store.generation(), comparison, _store=store)
    except vbq.InputError as exc:
        st.error(display.plain(exc))
        return None
    wide = result.data
    labels = result.readings[:2]
    with st.expander(f"VBQ per patient and reading ({len(wide)} patients)"):
        st.dataframe(wide.rename(columns={"patient_id": "patient"}), hide_index=True,
                     width="stretch")
    n_pairs = int(wide[list(labels)].notna().all(axis=1).sum())
    return _Readings(result.icc, result.bland_altman, labels, n_pairs,
                     f"{labels[0]} vs {labels[1]}")


def _comparison(store, reads, observers: list[str]) -> tuple | None:
    """The readings to compare, as `ui.cache.stored_agreement` takes them: the chosen
    observer's two sessions, two observers in one session, or suggestion-accepted against
    hand-placed readings (None, after saying why, when there is no second reading to choose)."""
    if suggested:
        return _suggested_choice(store)
    c1, c2, c3 = st.columns(3)
    if intra:
        observer = c1.selectbox("Observer", observers, key="rel_observer")
        own = reads.sessions(observer=observer)
        if len(own) < 2:
            st.info(f"Observer {display.plain(observer)} has read one session only. "
                    + present.reliability_too_few(0, intra=True))
            return None
        s1 = c2.selectbox("First session", own, index=0, key="rel_s1")
        s2 = c3.selectbox("Second session", [s for s in own if s != s1], key="rel_s2")
        return ("intra", observer, int(s1), int(s2))
    if len(observers) < 2:
        st.info("Only one observer has readings. " + present.reliability_too_few(0, intra=False))
        return None
    o1 = c1.selectbox("First observer", observers, index=0, key="rel_o1")
    o2 = c2.selectbox("Second observer", [o for o in observers if o != o1], key="rel_o2")
    session = c3.selectbox("Session", reads.sessions(), key="rel_session")
    return ("inter", o1, o2, int(session))


def _suggested_choice(store) -> tuple | None:
    """Readings made by accepting suggested ROIs beside hand-placed ones, one of each per
    patient (None, after saying why, when there are none). How each reading was placed is
    counted in the database (`vbq.measurements.reading_placement`); only the chosen readings'
    SIs are read, never the whole database."""
    placement = cache.stored_placements(store.generation(), _store=store)
    counts = placement["placement"].value_counts()
    st.caption(
        f"Readings: {counts.get('suggestion accepted', 0)} with the suggested ROIs accepted "
        "(at most the one vertebra clicked to name the levels placed by hand), "
        f"{counts.get('hand-placed', 0)} placed by hand; left out: "
        f"{counts.get('suggestion moved', 0)} with suggestions moved by the reader and "
        f"{counts.get('not recorded', 0)} without a record of how the ROIs were placed. "
        "A patient read several times in one way counts with its earliest session. This is how "
        "published automatic VBQ was judged against readers; the suggestions themselves are "
        "a starting point, not a validated measurement.")
    if not counts.get("suggestion accepted", 0) or not counts.get("hand-placed", 0):
        st.info("This comparison needs readings made by accepting suggested ROIs and readings "
                "placed by hand: accept a suggestion on the MRI measurement page and save the "
                "reading, and read the same patients by hand (another session or observer).")
        return None
    c1, c2 = st.columns(2)
    chosen = []
    for col, kind, label, key in ((c1, "suggestion accepted", "Suggestion-accepted readings by",
                                   "rel_sugg_by"),
                                  (c2, "hand-placed", "Hand-placed readings by", "rel_hand_by")):
        who = sorted(placement.loc[placement["placement"] == kind, "observer"].unique())
        pick = col.selectbox(label, [ANY_OBSERVER, *who], key=key)
        chosen.append(None if pick == ANY_OBSERVER else pick)
    return ("suggested", *chosen)


def _from_spreadsheet() -> _Readings | None:
    """The cohort spreadsheet's repeat (intra) or second-observer (inter) VBQ column."""
    prepared = display.prepared_or_stop(dataset, settings)
    column = "vbq_repeat" if intra else "vbq_obs2"
    iccs = cache.vbq_reliability(dataset.digest, settings, prepared.table)
    key = "intra" if intra else "inter"
    if key not in iccs:
        st.info(present.reliability_missing(column))
        return None
    icc_result = iccs[key]
    if isinstance(icc_result, vbq.study.Unavailable):
        icc_result = icc_result.reason
    ba_result = cache.bland_altman(dataset.digest, settings, column, prepared.table)
    n_pairs = int(prepared.table[["vbq", column]].notna().all(axis=1).sum())
    return _Readings(icc_result, ba_result,
                     ("first reading", "repeat reading" if intra else "second observer"),
                     n_pairs, key)


def _show_icc(readings: _Readings) -> None:
    st.subheader("Intraclass correlation")
    if isinstance(readings.icc, str):
        st.warning(present.reliability_reason(readings.icc, intra=intra))
        return
    chosen = readings.icc.form(form)
    m1, m2, m3 = st.columns(3)
    m1.metric(FORMS[form].split(":")[0], f"{chosen.estimate:.3f}")
    m2.metric(f"{100 * readings.icc.confidence:g}% CI",
              f"{chosen.ci_low:.3f} to {chosen.ci_high:.3f}")
    m3.metric("Patients", readings.icc.n)
    # the cohort's readings by their names in the paper; the database's by who read them
    display.show_table(present.icc_table({readings.reading: readings.icc}, forms=tuple(FORMS)),
                       key="rel_dl_icc")
    st.caption("Koo & Li (2016) for choosing the form.")


def _show_bland_altman(readings: _Readings) -> None:
    st.subheader("Bland-Altman")
    first, second = readings.labels
    if isinstance(readings.bland_altman, str):
        st.warning(present.reliability_reason(readings.bland_altman, intra=intra))
    elif readings.bland_altman is not None:
        st.plotly_chart(vbq.figures.bland_altman_figure(readings.bland_altman, first=first,
                                                        second=second), key="rel_ba_chart",
                        config=vbq.figures.export_config("vbq_bland_altman", height=560))
        display.show_table(present.bland_altman_table(readings.bland_altman, first=first,
                                                      second=second), key="rel_dl_ba")


def _agreement() -> None:
    """ICC and Bland-Altman of the chosen readings; what to do instead when there are too few
    patients with both readings, and a caution under Koo & Li's 30."""
    if suggested and source != "database":
        st.info("How ROIs were placed is recorded in the measurement database only: choose it "
                "as the source of readings.")
        return
    readings = _from_database() if source == "database" else _from_spreadsheet()
    if readings is None:
        return
    if readings.n_pairs < 2:
        st.info(present.reliability_too_few(readings.n_pairs, intra=intra))
        return
    caution = present.reliability_caution(readings.n_pairs)
    if caution:
        st.warning(caution, icon=":material/warning:")
    _show_icc(readings)
    _show_bland_altman(readings)


_agreement()

st.subheader("Degenerative grouping: agreement between raters")
st.caption("Cohen's kappa of the degenerative / control grouping recomputed from each rater's "
           "grades in the cohort spreadsheet (the repeat-reading and second-observer grade "
           "columns), "
           "under the current criteria.")
kappas = cache.kappa_table(dataset.digest, settings, dataset.cohort)
if kappas.empty:
    st.info(f"{display.plain(dataset.name)} has no repeat or second-observer degeneration "
            "grades.")
else:
    display.show_table(kappas, key="rel_dl_kappa")
