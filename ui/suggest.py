"""Suggested ROIs on the MRI page: ask for a suggestion, see it as dashed circles, accept it with
one click (then move any ROI as usual), and save each ROI with how it was placed.

A suggestion lives in this session's state apart from the placed ROIs (`ui.measure.rois`) until
the reader accepts it, so it is never saved unconfirmed. What was accepted is remembered, so that
at saving time each ROI is recorded truthfully in the store's ``roi_source`` column:
``suggested`` (accepted and left as suggested), ``moved`` (accepted, then moved or resized) or
``manual`` (placed by hand, with no suggestion accepted for that level).

Once the reader has placed a first vertebra by hand on an empty slice, the suggestion named from
it is offered without a further click (a toggle turns this off, for readings meant to be made
by hand alone); a suggestion is still never placed or saved until accepted. Reading a study with
suggestions is then three clicks: the vertebra, Accept, Save and next.

The page hooks in four places: `panel` at the top of the viewer's side column (beside the image,
with the save buttons under it), `options` lower in that column, `circles` over the image,
`with_sources` on the records before they are saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import streamlit as st

import vbq
from ui import measure
from ui.display import plain
from ui.image_click import Circle
from vbq import imaging
from vbq.measurements import ROI_LEVELS

SUGGESTION_KEY = "measure_suggestion"  # fingerprint -> SuggestedRois shown, not yet accepted
ACCEPTED_KEY = "measure_accepted"  # fingerprint -> level -> the Roi as accepted
AUTO_KEY = "measure_suggest_auto"  # the toggle: offer a suggestion after the first vertebra
OFFERED_KEY = "measure_offered"  # fingerprint -> "" or why none could be offered (offered once)
BODY_LEVELS = ("L1", "L2", "L3", "L4")
CONFIDENCE_WORDS = {"high": "High confidence", "moderate": "Moderate confidence",
                    "low": "Low confidence"}


def _suggestions() -> dict:
    return st.session_state.setdefault(SUGGESTION_KEY, {})


def _accepted(fingerprint: str) -> dict:
    return st.session_state.setdefault(ACCEPTED_KEY, {}).setdefault(fingerprint, {})


def anchor_for(series: imaging.Series, k: int, active: str) -> tuple[str, tuple] | None:
    """The vertebra the reader has already placed on slice `k` by hand, to name the levels from:
    the active level when it is a placed body ROI, else the first placed body ROI."""
    placed = measure.rois(series.fingerprint)
    accepted = _accepted(series.fingerprint)
    own = {lv: r for lv, r in placed.items() if lv in BODY_LEVELS and r.slice == k
           and accepted.get(lv) != r}
    level = active if active in own else next(iter(own), None)
    return None if level is None else (level, (own[level].row, own[level].col))


def _suggest(held: measure.SeriesRef, k: int, active: str) -> None:
    series = measure.resolve(held)
    if series is None:  # the session's images were released: the rerun decodes it again
        return
    anchor = anchor_for(series, k, active)
    try:
        _suggestions()[series.fingerprint] = imaging.suggest_rois(series, slice_index=k,
                                                                  anchor=anchor)
    except vbq.InputError as exc:
        _suggestions()[series.fingerprint] = str(exc)


def _accept(series: measure.SeriesRef) -> None:
    """Place every suggested ROI the reader has not placed by hand on that slice."""
    fp = series.fingerprint
    s = _suggestions().pop(fp, None)
    if not isinstance(s, imaging.SuggestedRois):
        return
    placed = measure.rois(fp)
    for level, (row, col) in s.centres.items():
        held = placed.get(level)
        if held is not None and held.slice == s.slice_index and _accepted(fp).get(level) != held:
            continue  # the reader's own ROI (the anchor, say) stays as placed
        roi = measure.Roi(s.slice_index, round(float(row), 2), round(float(col), 2),
                          round(float(s.radii_mm[level]), 1))
        measure.set_roi(fp, level, roi)
        _accepted(fp)[level] = roi


def _discard(series: measure.SeriesRef) -> None:
    _suggestions().pop(series.fingerprint, None)


def _forget_if_empty(fp: str) -> None:
    """No ROI placed on the series (all removed, or a new reading of it, as in a repeat session):
    what was accepted or offered before belongs to no ROI now, so an ROI placed next is the
    reader's own ("manual") and the next first vertebra brings a suggestion again."""
    if not measure.rois(fp):
        st.session_state.get(ACCEPTED_KEY, {}).pop(fp, None)
        st.session_state.get(OFFERED_KEY, {}).pop(fp, None)


def _offer(series: imaging.Series, k: int, active: str) -> None:
    """Offer the suggestion once the reader's first vertebra is on slice `k`: when the only ROI
    placed is that one, by hand, and nothing was offered since the series had no ROI (so a
    discarded suggestion does not come back, and moving the vertebra does not recompute it)."""
    fp = series.fingerprint
    offered = st.session_state.setdefault(OFFERED_KEY, {})
    placed = measure.rois(fp)
    if not placed:
        return
    if fp in offered or fp in _suggestions() or len(placed) != 1 or _accepted(fp):
        return
    anchor = anchor_for(series, k, active)
    if anchor is None:
        return
    try:
        _suggestions()[fp] = imaging.suggest_rois(series, slice_index=k, anchor=anchor)
        offered[fp] = ""
    except vbq.InputError as exc:  # said quietly: the reader did not ask for it
        offered[fp] = str(exc)


def panel(series: imaging.Series, k: int, active: str) -> None:
    """The suggestion's buttons and its confidence in words, for slice `k` (from 0)."""
    fp = series.fingerprint
    _forget_if_empty(fp)
    if st.session_state.get(AUTO_KEY, True):  # the toggle below, as last set
        _offer(series, k, active)
    shown = _suggestions().get(fp)
    anchor = anchor_for(series, k, active)
    label = (f"Suggest the other ROIs from your {anchor[0]}" if anchor else "Suggest ROIs")
    help_text = ("Classical image analysis proposes L1-L4 and the CSF behind L3 on this slice: "
                 "a starting point to check, not a measurement. Place one vertebra yourself "
                 "first (for example L3) to have the levels named from it.")
    # callbacks get a reference, not the series: Streamlit keeps them (and their arguments)
    # with the session after its tab closes (issue 18)
    held = measure.ref(series)
    st.button(label, key="measure_suggest", on_click=_suggest, args=(held, k, active),
              help=help_text, icon=":material/auto_fix_high:", width="stretch")
    if isinstance(shown, str):
        st.error(f"No suggestion: {shown}")
    elif shown is not None:
        _choices(held, shown, k)


def options(series: imaging.Series) -> None:
    """Whether to offer a suggestion after the first vertebra, and how the ROIs were placed
    (lower in the side column than `panel`, which holds the reading's clicks)."""
    fp = series.fingerprint
    shown = _suggestions().get(fp)
    st.toggle("Suggest after my first vertebra", value=True, key=AUTO_KEY,
              help="Once you have placed one vertebra on the slice, the suggestion named from "
                   "it is shown: accept it with one click. Turn off for readings made by hand "
                   "alone (the hand-placed side of the comparison on the Reliability page).")
    why_not = st.session_state.get(OFFERED_KEY, {}).get(fp)
    if why_not and shown is None:
        st.caption(f"No suggestion from your vertebra: {plain(why_not)}")
    placed = source_counts(series)
    if placed:
        st.caption(f"Placed: {placed}. Saved with each ROI.")


def _choices(held: measure.SeriesRef, shown: imaging.SuggestedRois, k: int) -> None:
    """Accept or discard the suggestion shown, and its confidence in words (the buttons'
    callbacks get the series' reference, `held`)."""
    c1, c2 = st.columns(2)
    c1.button("Accept", key="measure_accept", type="primary", on_click=_accept,
              args=(held,), icon=":material/check:", width="stretch",
              disabled=not shown.centres, help="Place every suggested ROI; move any of them "
                                               "afterwards as usual.")
    c2.button("Discard", key="measure_discard", on_click=_discard, args=(held,),
              width="stretch")
    where = "" if shown.slice_index == k else f" (on slice {shown.slice_index + 1})"
    st.caption(f"**{CONFIDENCE_WORDS[shown.confidence]}**{where}: "
               f"{' '.join(shown.reasons)} Dashed circles are suggestions: nothing is saved "
               "until you accept them and save the reading.")


def circles(series: imaging.Series, k: int) -> list[Circle]:
    """Dashed circles of the suggestion on slice `k`, labelled with a question mark."""
    shown = _suggestions().get(series.fingerprint)
    if not isinstance(shown, imaging.SuggestedRois) or shown.slice_index != k:
        return []
    row_mm, col_mm = measure.spacing(series)
    return [Circle(row=r, col=c, r_rows=shown.radii_mm[lv] / row_mm,
                   r_cols=shown.radii_mm[lv] / col_mm, label=f"{lv}?",
                   colour=measure.COLOURS[lv], active=False)
            for lv, (r, c) in shown.centres.items()]


def roi_sources(series: imaging.Series) -> dict[str, str]:
    """How each placed ROI came to be: ``suggested``, ``moved`` or ``manual``."""
    accepted = _accepted(series.fingerprint)
    out = {}
    for level, roi in measure.rois(series.fingerprint).items():
        if level not in accepted:
            out[level] = "manual"
        else:
            out[level] = "suggested" if accepted[level] == roi else "moved"
    return out


def with_sources(series: imaging.Series, records: Sequence) -> list:
    """The records to save, each with its ROI's ``roi_source``."""
    sources = roi_sources(series)
    return [dataclasses.replace(r, roi_source=sources.get(r.level, "manual")) for r in records]


def source_counts(series: imaging.Series) -> str:
    """The placed ROIs by how they were placed, in words ("" when none was suggested)."""
    sources = roi_sources(series)
    if not any(v != "manual" for v in sources.values()):
        return ""
    words = {"suggested": "as suggested", "moved": "suggested, then moved",
             "manual": "placed by hand"}
    parts = [f"{', '.join(lv for lv in ROI_LEVELS if sources.get(lv) == kind)} {words[kind]}"
             for kind in ("suggested", "moved", "manual") if kind in sources.values()]
    return "; ".join(parts)
