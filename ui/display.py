"""Formatting and rendering helpers shared by pages. Formatting lives here, never in `vbq`."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import streamlit as st

import vbq
from ui import cache
from ui.state import Dataset

GROUP_LABELS = {"degenerative": "Degenerative", "control": "Control", "all": "All"}
MIN_GROUP = 3


def plain(text: str) -> str:
    """`text` from a user, a file or a link, for Markdown: every ASCII punctuation mark
    backslash-escaped, so nothing in it can format, link or inject."""
    return "".join("\\" + c if c in _PUNCTUATION else c for c in str(text))


_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


PROBLEM_COLUMNS = {"severity": "Severity", "file": "File", "sheet": "Sheet", "row": "Row",
                   "column": "Column", "message": "Problem", "value": "Value"}


def problem_table(problems, *, height: int = 420, show_file: bool = False) -> None:
    """Validation problems as a static table whose messages wrap, so they read in full at any
    width without scrolling sideways; a file or sheet column shows only when it tells something
    (several files; a workbook's sheets). Cell text from a file is shown as text."""
    frame = pd.DataFrame([p.as_dict() for p in problems], columns=list(PROBLEM_COLUMNS))
    if frame.empty:
        return
    # one file: its name is in the heading (unless the rows' file must be said, as when IDs are
    # compared across both files)
    drop = ["file"] if frame["file"].nunique() <= 1 and not show_file else []
    if frame["sheet"].isna().all():  # CSV files have no sheets
        drop.append("sheet")
    frame = frame.drop(columns=drop)
    frame["row"] = frame["row"].map(lambda r: "" if r is None or pd.isna(r) else str(int(r)))
    for col in frame.columns:
        if col != "row":
            frame[col] = frame[col].map(lambda v: "" if v is None or (isinstance(v, float)
                                                                       and pd.isna(v))
                                        else plain(v))
    frame["severity"] = frame["severity"].map({"error": "Error", "warning": "Warning"})
    frame = frame.rename(columns=PROBLEM_COLUMNS)
    st.table(frame, hide_index=True, height="content" if len(frame) <= 12 else height)


def prepared_or_stop(dataset: Dataset, settings: vbq.Settings) -> vbq.PreparedCohort:
    """The prepared cohort, or an explanation and `st.stop()` when it cannot be made."""
    try:
        return cache.prepare(dataset.digest, settings, dataset.cohort, dataset.dxa)
    except vbq.InputError as exc:
        st.error(f"This dataset cannot be analysed:\n\n{exc}")
        st.stop()


def in_force(prepared: vbq.PreparedCohort) -> None:
    """The line every analysis page shows under its banner: what produced its numbers
    (`vbq.in_force`), and a warning for each derived threshold that rests on few patients."""
    summary = vbq.in_force(prepared)
    st.caption(f"**In force:** {summary.line}")
    for warning in summary.warnings:
        st.warning(warning, icon=":material/warning:")


def against_paper(frame: pd.DataFrame, thresholds: vbq.Thresholds, target: str) -> pd.DataFrame:
    """`vbq.describe.prevalence_against_paper` for display: this analysis beside the paper, each
    column headed by the thresholds that produced it."""
    now = (f"VBQ ≥ {thresholds.vbq_osteopenia:g} / ≥ {thresholds.vbq_osteoporosis:g}")
    paper = "VBQ ≥ 2.6 / ≥ 2.9"
    out = pd.DataFrame({"measure": frame["measure"].map(PREVALENCE_LABELS)})
    for g in ("degenerative", "control"):
        out[f"This analysis ({now}): {g}"] = frame[g].map(
            lambda v: "" if pd.isna(v) else f"{v:.1f}%")
    for g in ("degenerative", "control"):
        out[f"Paper, Chen et al. 2023 ({paper}): {g}"] = frame[f"paper_{g}"].map(
            lambda v: "not reported" if pd.isna(v) else f"{v:.1f}%")
    return out


def two_groups_or_explain(counts: vbq.Counts) -> bool:
    """False (after saying why) when a group is too small for a between-group comparison."""
    small = [(g, getattr(counts, f"n_{g}")) for g in ("degenerative", "control")
             if getattr(counts, f"n_{g}") < MIN_GROUP]
    if small:
        what = " and ".join(f"the {g} group has {n} patient(s)" for g, n in small)
        st.info(f"No between-group comparison: {what}; at least {MIN_GROUP} are needed in each. "
                "Loosen the criteria or the filters.")
        return False
    return True


def downloads(frame: pd.DataFrame, stem: str, *, key: str) -> None:
    """CSV and XLSX download buttons for a table."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button("CSV", frame.to_csv(index=False), file_name=f"{stem}.csv",
                       mime="text/csv", key=f"{key}_csv")
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, sheet_name=stem[:31])
    c2.download_button("XLSX", buf.getvalue(), file_name=f"{stem}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}_xlsx")


def p_text(p: float) -> str:
    if p is None or (isinstance(p, float) and np.isnan(p)):
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_table2(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 2 as the paper prints it: mean ± SD or n (%) per group, test, p, ANCOVA p."""
    groups = [c[len("n_"):] for c in frame.columns
              if c.startswith("n_") and c not in ("n_missing",)]
    rows = []
    for _, r in frame.iterrows():
        label = r["variable"] if pd.isna(r["level"]) else f"{r['variable']}: {r['level']}"
        row = {"variable": label}
        for g in groups:
            if r["kind"] == "continuous":
                row[GROUP_LABELS.get(g, g)] = (
                    "" if pd.isna(r[f"mean_{g}"]) else f"{r[f'mean_{g}']:.3g} ± {r[f'sd_{g}']:.3g}")
            else:
                row[GROUP_LABELS.get(g, g)] = (
                    "" if pd.isna(r[f"count_{g}"])
                    else f"{int(r[f'count_{g}'])} ({r[f'percent_{g}']:.1f}%)")
        row["test"] = r["method"] or ""
        row["p"] = p_text(r["p_value"])
        row["ANCOVA p"] = p_text(r["p_value_ancova"])
        row["note"] = r["note"]
        rows.append(row)
    return pd.DataFrame(rows)


def kappa_frame(kappas: dict) -> pd.DataFrame:
    rows = []
    for name, res in kappas.items():
        label = {"intra": "Intra-observer (repeat)", "inter": "Inter-observer"}[name]
        if isinstance(res, vbq.study.Unavailable):
            rows.append({"reading": label, "kappa": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "n": None, "note": res.reason})
        else:
            notes = list(res.notes)
            lo, hi = max(res.ci_low, -1.0), min(res.ci_high, 1.0)
            if (lo, hi) != (res.ci_low, res.ci_high):
                notes.append(f"Wald CI {res.ci_low:.3f} to {res.ci_high:.3f} shown clipped to "
                             "[-1, 1]")
            rows.append({"reading": label, "kappa": res.estimate, "ci_low": lo, "ci_high": hi,
                         "n": res.n, "note": "; ".join(notes)})
    return pd.DataFrame(rows)


def format_table3(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Table 3 for display: one row per measure and group, r (95% CI), p, strength."""
    out = pd.DataFrame({
        "measure": frame["y"].map(labels).fillna(frame["y"]),
        "group": frame["group"].map(GROUP_LABELS).fillna(frame["group"]),
        "r": frame["estimate"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}"),
        "95% CI": [("" if pd.isna(lo) else f"{lo:.3f} to {hi:.3f}")
                   for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)],
        "p": frame["p_value"].map(p_text),
        "n": frame["n"],
        "strength": frame["strength"],
    })
    if "p_difference" in frame.columns:
        out["groups differ p"] = frame["p_difference"].map(p_text)
    out["note"] = frame["note"]
    return out


MEASUREMENT_LABELS = {
    "history_id": "change no.", "change": "change", "changed_at": "changed at (UTC)",
    "reason": "reason", "patient_id": "patient", "observer": "observer", "session": "session",
    "level": "ROI", "csf_level": "CSF at level", "slice_index": "slice (from 0)",
    "centre_row_px": "centre row (px)", "centre_col_px": "centre column (px)",
    "centre_row_mm": "centre row (mm)", "centre_col_mm": "centre column (mm)",
    "radius_mm": "radius (mm)", "si_mean": "mean SI", "si_median": "median SI", "si_sd": "SD",
    "pixel_count": "pixels", "excluded": "collapsed (left out)",
    "series_fingerprint": "series (hash)", "field_strength_t": "field (T)", "tr_ms": "TR (ms)",
    "te_ms": "TE (ms)", "measured_at": "measured at (UTC)", "software_version": "software",
}


def measurement_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored ROI readings (or their history) with column names in words."""
    return frame.rename(columns=MEASUREMENT_LABELS)


BLAND_ALTMAN_LABELS = {"bias": "Bias (mean difference)", "loa_low": "Lower limit of agreement",
                       "loa_high": "Upper limit of agreement"}


def bland_altman_frame(result) -> pd.DataFrame:
    """`vbq.stats.BlandAltmanResult.to_frame()` with its rows and columns in words."""
    frame = result.to_frame()
    frame["quantity"] = frame["quantity"].map(lambda q: BLAND_ALTMAN_LABELS.get(q, q))
    return frame.rename(columns={"quantity": "", "estimate": "value", "ci_low": "CI low",
                                 "ci_high": "CI high", "n": "patients",
                                 "n_missing": "left out (a reading missing)"})


def _pct(v: float) -> str:
    return "" if v is None or pd.isna(v) else f"{100 * v:.1f}%"


def _ci(lo: float, hi: float, pct: bool = True) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return ""
    return f"{100 * lo:.1f}-{100 * hi:.1f}%" if pct else f"{lo:.3f}-{hi:.3f}"


def format_cutoffs(frame: pd.DataFrame, markers: dict) -> pd.DataFrame:
    """Table 4 for display."""
    return pd.DataFrame({
        "marker": frame["marker"].map(lambda m: markers[m][0]),
        "cutoff": frame["kind"],
        "value": frame["cutoff"].map(lambda v: f"{v:.4g}"),
        "AUC (95% CI)": [f"{a:.3f} ({_ci(lo, hi, False)})" for a, lo, hi in
                         zip(frame["auc"], frame["auc_ci_low"], frame["auc_ci_high"],
                             strict=True)],
        "sensitivity": [f"{_pct(v)} ({_ci(lo, hi)})" for v, lo, hi in
                        zip(frame["sensitivity"], frame["sensitivity_ci_low"],
                            frame["sensitivity_ci_high"], strict=True)],
        "specificity": [f"{_pct(v)} ({_ci(lo, hi)})" for v, lo, hi in
                        zip(frame["specificity"], frame["specificity_ci_low"],
                            frame["specificity_ci_high"], strict=True)],
        "PPV": frame["ppv"].map(_pct),
        "NPV": frame["npv"].map(_pct),
        "LR+": frame["lr_pos"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}"),
        "LR-": frame["lr_neg"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}"),
        "TP/FP/TN/FN": [f"{a}/{b}/{c}/{d}" for a, b, c, d in
                        zip(frame["tp"], frame["fp"], frame["tn"], frame["fn"], strict=True)],
    })


def format_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "comparison": [f"{a} vs {b}" for a, b in zip(frame["marker_a"], frame["marker_b"],
                                                      strict=True)],
        "AUC difference (95% CI)": [f"{d:.3f} ({lo:.3f} to {hi:.3f})" for d, lo, hi in
                                    zip(frame["estimate"], frame["ci_low"], frame["ci_high"],
                                        strict=True)],
        "z": frame["statistic"].map(lambda v: f"{v:.2f}"),
        "p": frame["p_value"].map(p_text),
        "adjusted p": frame["p_adjusted"].map(p_text),
    })


def pv_row(label: str, res, pv) -> dict:
    return {
        "marker": label,
        "cutoff": f"{res.cutoff:.4g}",
        "sensitivity": _pct(res.sensitivity),
        "specificity": _pct(res.specificity),
        "prevalence": _pct(pv.prevalence),
        "PPV (95% CI)": f"{_pct(pv.ppv)} ({_ci(*pv.ppv_ci)})",
        "NPV (95% CI)": f"{_pct(pv.npv)} ({_ci(*pv.npv_ci)})",
    }


PREVALENCE_LABELS = {
    "reference": "Positive by DXA",
    "test": "Positive by VBQ",
    "test_among_reference_negative": "VBQ-positive among DXA-negative",
}


def format_prevalence(frame: pd.DataFrame) -> pd.DataFrame:
    groups = [c[len("count_"):] for c in frame.columns if c.startswith("count_")]
    out = pd.DataFrame({"measure": frame["measure"].map(PREVALENCE_LABELS)})
    for g in groups:
        out[GROUP_LABELS.get(g, g)] = [f"{int(k)}/{int(n)} ({p:.1f}%)" for k, n, p in
                                       zip(frame[f"count_{g}"], frame[f"n_{g}"],
                                           frame[f"percent_{g}"], strict=True)]
    out["p"] = frame["p_value"].map(p_text)
    out["test"] = frame["method"]
    return out


def format_breakdown(res) -> pd.DataFrame:
    return pd.DataFrame({
        "level": list(res.levels),
        "VBQ-positive": [f"{int(k)}/{int(n)} ({p:.1f}%)" for k, n, p in
                         zip(res.count, res.n, res.percent, strict=True)],
        "p": [p_text(res.p_value)] + [""] * (len(res.levels) - 1),
        "test": [res.method] + [""] * (len(res.levels) - 1),
    })


GREY_ZONE_LABELS = {
    "share_rule_out": "Ruled out (below the rule-out cutoff)",
    "share_grey": "Referred to DXA (grey zone)",
    "share_rule_in": "Ruled in (at or above the rule-in cutoff)",
    "false_omission_rate": "Missed among the ruled-out (1 - NPV)",
    "false_discovery_rate": "False alarms among the ruled-in (1 - PPV)",
    "sensitivity_decided": "Sensitivity among decided patients",
    "specificity_decided": "Specificity among decided patients",
}


def format_grey_zone(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "": frame["term"].map(GREY_ZONE_LABELS).fillna(frame["term"]),
        "estimate": frame["estimate"].map(_pct),
        "95% CI": [_ci(lo, hi) for lo, hi in zip(frame["ci_low"], frame["ci_high"],
                                                  strict=True)],
        "n": frame["n"],
        "method": frame["method"],
    })


def arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns that mix types (levels True/"F"/2) as text, so Arrow can display them."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1:
                out[col] = out[col].map(lambda v: v if v is None or pd.isna(v) else str(v))
    return out
