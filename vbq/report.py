"""The study report: one self-contained HTML file, and the study's tables as one XLSX workbook.

`build_report` turns a prepared cohort (and, optionally, its `vbq.study.analyse` result) into a
single HTML file that opens offline: plotly's JavaScript is embedded once, every figure refers to
it, and nothing is fetched from a CDN or a font server. It holds a STARD 2015 participant flow
diagram, Tables 1-5, the correlation and ROC figures, the thresholds and prevalence, the risk
model with its TRIPOD+AI checklist, reliability, the methods in words, the settings, a SHA-256
fingerprint of each input file and the versions of Python and of every installed library. The
same analysis gives the same file, byte for byte, apart from the timestamp: figure ids are fixed,
tables are written in a fixed order, and nothing random enters (the risk model's bootstrap is
seeded).

Text that came from a file (patient IDs, file names, exclusion reasons) is escaped with
`html.escape` and, inside the figures' JSON, by plotly's encoder (which writes ``<`` as
``\u003c``), so a patient ID such as ``<script>`` is shown as text and never run.

The numbers come from `vbq.study`; this module lays them out. Tables are formatted by the one
presentation layer the app shares (`vbq.present`); this module only writes HTML around them.
"""

from __future__ import annotations

import datetime as _dt
import email.parser
import hashlib
import html
import importlib.metadata
import platform
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pandas as pd
import plotly.offline

from . import decide, figures, plan, present, published, scanners, study, tripod
from .cohort import PreparedCohort
from .describe import MeasurementsInUse, criterion_phrases, measurements_in_use, subgroup_text
from .errors import DegenerateInputError, InputError
from .stats import sample_size_accuracy, sample_size_auc, sample_size_prediction_model
from .study import MARKERS, Unavailable

_EXPORT_IMPORTED_HERE = None
"""`vbq.export` (openpyxl and python-docx, 0.14 s to import) is imported inside `build_workbook`
and `build_docx` only: the HTML report, which `python -m vbq report` always writes, needs neither,
and the workbook and the Word file are written only when asked for."""

__all__ = [
    "build_report",
    "build_workbook",
    "build_docx",
    "study_tables",
    "scanner_tables",
    "flow_counts",
    "flow_diagram",
    "input_fingerprints",
    "library_versions",
    "FlowCounts",
    "risk_tables",
]

DEFAULT_TITLE = "VBQ study report"

# ----------------------------------------------------------------------------------------------
# what goes in: fingerprints, versions, flow counts


def input_fingerprints(inputs: Mapping[str, bytes] | None) -> list[tuple[str, int, str]]:
    """(name, size in bytes, SHA-256 hex digest) of each input file, sorted by name.

    Parameters
    ----------
    inputs : mapping of str to bytes, optional
        File name -> the file's bytes exactly as read.

    Raises
    ------
    InputError
        A value that is not bytes.
    """
    out = []
    for name, data in sorted((inputs or {}).items(), key=lambda kv: str(kv[0])):
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InputError(f"inputs: expected bytes for {name!r}, got {type(data).__name__}")
        data = bytes(data)
        out.append((str(name), len(data), hashlib.sha256(data).hexdigest()))
    return out


def library_versions() -> list[tuple[str, str]]:
    """(name, version) of Python and of every installed distribution, Python first, then by
    name (``importlib.metadata``); the first of two distributions with one name."""
    seen: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name, version = _name_and_version(dist)
        if name and name.lower() not in seen:
            seen[name.lower()] = (name, version)
    rows = sorted(seen.values(), key=lambda kv: kv[0].lower())
    return [("Python", platform.python_version()), *rows]


def _name_and_version(dist: importlib.metadata.Distribution) -> tuple[str | None, str | None]:
    """The Name and Version fields of a distribution's core metadata, read from its header
    block only. ``dist.metadata`` parses the whole file, long description included, with
    `email`'s feed parser: for the 108 distributions of the app's environment that was a sixth
    of building the report (0.88 of 5.3 s in a profile)."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    header = email.parser.HeaderParser().parsestr(text.split("\n\n", 1)[0])
    return header["Name"], header["Version"]


STAGES = {
    "merge": "No DXA record",
    "vbq": "No VBQ score",
    "group": "Degenerative group undetermined",
    "dxa": "No T-score at the reference site",
}
"""Stage of the exclusion log -> its heading in the flow diagram. Patients outside the subgroup
the filters choose (stage "filter") are not exclusions: they have a box of their own."""


@dataclass(frozen=True)
class FlowCounts:
    """The numbers of the STARD 2015 participant flow diagram (`flow_counts`).

    Attributes
    ----------
    n_cohort, n_dxa, n_dxa_without_cohort, n_excluded, n_eligible, n_outside_subgroup, \
n_analysed, n_levels_left_out : int
        As in `vbq.Counts`.
    excluded : tuple
        ``(stage heading, n, ((reason, n), ...))`` per exclusion stage, in the order the
        preparation applies them; reasons by decreasing count, then alphabetically.
    subgroup : str
        The subgroup the filters choose, in words (`vbq.describe.subgroup_text`); "" when every
        eligible patient is analysed.
    outside_subgroup : tuple
        ``((reason, n), ...)``: why eligible patients are outside the subgroup (the first filter
        that leaves each out).
    groups : tuple
        Per group (degenerative, control): ``(group, n, index_positive, index_positive_ref_positive,
        index_negative, index_negative_ref_positive)`` for osteoporosis, VBQ at or above the
        osteoporosis threshold being the index test and DXA the reference standard.
    threshold : float
        The VBQ osteoporosis threshold in force.
    measurements : str
        The MRI measurements whose SIs replaced the cohort file's (`MeasurementsInUse.text`);
        "" when none.
    """

    n_cohort: int
    n_dxa: int
    n_dxa_without_cohort: int
    n_excluded: int
    n_analysed: int
    n_levels_left_out: int
    excluded: tuple
    groups: tuple
    threshold: float
    n_eligible: int = 0
    n_outside_subgroup: int = 0
    subgroup: str = ""
    outside_subgroup: tuple = ()
    measurements: str = ""


def _reason_counts(rows: pd.DataFrame) -> tuple:
    """((reason, n), ...) by decreasing count, then alphabetically."""
    reasons = rows["reason"].astype(str).value_counts()
    ordered = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple((r, int(n)) for r, n in ordered)


def flow_counts(prepared: PreparedCohort, *,
                measurements: MeasurementsInUse | None = None) -> FlowCounts:
    """Counts for the participant flow diagram, from the exclusion log and the analysed table.

    Every patient excluded is counted once, under the stage that excluded them (the log holds one
    patient row per excluded patient); DXA rows with no cohort patient are counted apart, and so
    are eligible patients outside the subgroup the filters choose (not exclusions).

    Parameters
    ----------
    prepared : PreparedCohort
    measurements : vbq.describe.MeasurementsInUse, optional, keyword-only
        The MRI measurements whose SIs replaced the cohort file's, said in the cohort's box.
    """
    _check_prepared(prepared)
    log = prepared.exclusions
    patients = log[log["patient_excluded"].astype(bool)]
    excluded = []
    for stage, heading in STAGES.items():
        rows = patients[patients["stage"] == stage]
        if rows.empty:
            continue
        excluded.append((heading, len(rows), _reason_counts(rows)))
    outside = log[(log["stage"] == "filter") & ~log["patient_excluded"].astype(bool)]
    table = prepared.table
    thr = prepared.thresholds.vbq_osteoporosis
    groups = []
    for g in ("degenerative", "control"):
        part = table[table["group"] == g]
        pos = part["vbq"].to_numpy(dtype=float) >= thr
        ref = part["dxa_status"].eq("osteoporosis").to_numpy(dtype=bool, na_value=False)
        groups.append((g, len(part), int(pos.sum()), int((pos & ref).sum()),
                       int((~pos).sum()), int((~pos & ref).sum())))
    c = prepared.counts
    return FlowCounts(n_cohort=c.n_cohort, n_dxa=c.n_dxa,
                      n_dxa_without_cohort=c.n_dxa_without_cohort, n_excluded=c.n_excluded,
                      n_analysed=c.n_analysed, n_levels_left_out=c.n_levels_left_out,
                      excluded=tuple(excluded), groups=tuple(groups), threshold=thr,
                      n_eligible=c.n_eligible, n_outside_subgroup=c.n_outside_subgroup,
                      subgroup=subgroup_text(prepared.settings) if c.subgroup else "",
                      outside_subgroup=_reason_counts(outside),
                      measurements="" if measurements is None else measurements.text())


def _check_prepared(prepared) -> None:
    if not isinstance(prepared, PreparedCohort):
        raise InputError("prepared: expected a vbq.PreparedCohort (from vbq.prepare_cohort), "
                         f"got {type(prepared).__name__}")


# ----------------------------------------------------------------------------------------------
# the tables


def study_tables(prepared: PreparedCohort, analysis=None) -> list:
    """Every table of the report and the workbook, formatted by `vbq.present`, in order:
    Table 1 (the criteria in force), Tables 2-4, the paired AUC comparisons, Table 5, the
    prevalence, the same beside the paper's, the prevalence's breakdowns, reliability (ICC; kappa of the grouping on the analysed
    patients) and the exclusion log.

    Parameters
    ----------
    prepared : PreparedCohort
    analysis : vbq.study.StudyAnalysis, optional
        `vbq.study.analyse(prepared)`, computed when not given.

    Returns
    -------
    list of vbq.present.FormattedTable
        A part that could not be computed is a table that says why.
    """

    _check_prepared(prepared)
    if analysis is None:
        analysis = study.analyse(prepared)
    kappas = study.grouping_kappa(prepared.table, prepared.settings.criteria)
    core = present.study_tables(analysis, prepared, kappas=kappas,
                                decimals=prepared.settings.threshold_decimals)
    extra = _auc_comparison_tables(analysis)
    breakdowns = _breakdown_tables(prepared)
    out = []
    for t in core:
        if t.key == "kappa":  # on the analysed patients: the report has no others
            t = replace(t, title=f"{t.title} (analysed patients)")
        if t.key in ("table5", "icc", "kappa"):
            out, extra = out + extra, []
        if t.key in ("icc", "kappa"):
            out, breakdowns = out + breakdowns, []
        out.append(t)
        if t.key == "prevalence" and not isinstance(analysis.prevalence, study.Unavailable):
            out.append(present.prevalence_against_paper_table(
                analysis.prevalence, thresholds=analysis.thresholds))
    out += extra + breakdowns
    out.append(present.exclusion_table(prepared.exclusions))
    return out


def _auc_comparison_tables(analysis) -> list:
    """The paired AUC comparison of each target's ROC study that has one."""

    out = []
    for target, roc in analysis.roc.items():
        if isinstance(roc, study.Unavailable) or roc.comparison is None:
            continue
        ft = present.auc_comparison_table(
            roc.comparison, title=f"Paired comparison of the AUCs: "
                                  f"{present.target_label(target).lower()}, control group")
        out.append(replace(ft, key=f"auc_comparison_{target}"))
    return out


def _breakdown_tables(prepared: PreparedCohort) -> list:
    """The prevalence's breakdowns; one that could not be computed is a table that says why."""

    out = []
    for name, part in study.prevalence_breakdowns(prepared.table).items():
        key = f"breakdown_{name}"
        if isinstance(part, study.Unavailable):  # said, not dropped
            out.append(present.FormattedTable(
                key=key, title=_BREAKDOWNS.get(name, name),
                shown=pd.DataFrame(columns=["Not computed"]),
                data=pd.DataFrame({"note": [part.reason]}),
                footnotes=(f"Not computed: {present.message(part.reason)}.",)))
        else:
            out.append(present.breakdown_table(part, key=key))
    return out


_BREAKDOWNS = {
    "diagnosis": "VBQ-positive patients by primary diagnosis",
    "age_60_dxa_negative": "VBQ-positive patients among the DXA-negative, by age",
}


# ----------------------------------------------------------------------------------------------
# HTML


_CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d7dbe3; --accent: #1f6f8b; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px 32px 64px;
       line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.4rem; border-bottom: 2px solid var(--accent);
     padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
.meta, .note, figcaption { color: var(--muted); font-size: 0.9rem; }
nav ol { columns: 2; font-size: 0.95rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.88rem; }
thead th { border-top: 2px solid var(--ink); border-bottom: 1px solid var(--ink);
           text-align: left; padding: 4px 10px; vertical-align: bottom; }
tbody td { padding: 3px 10px; vertical-align: top; }
tbody tr:last-child td { border-bottom: 2px solid var(--ink); }
.table-wrap { overflow-x: auto; }
ol.notes { font-size: 0.85rem; color: var(--muted); margin-top: 0.2rem; }
table.vbq-table caption { caption-side: top; text-align: left; font-weight: 600;
                          padding: 0 0 6px 0; font-size: 0.95rem; }
table.vbq-table tfoot td { border: none; color: var(--muted); font-size: 0.8rem;
                           padding: 2px 10px; }
table.vbq-table tbody tr:last-child td { border-bottom: 2px solid var(--ink); }
table.vbq-table tr.indent-1 td:first-child { padding-left: 26px; }
table.vbq-table tr.indent-2 td:first-child { padding-left: 42px; }
.table-wrap { margin: 1.2rem 0; }
pre { background: #f5f6f8; padding: 12px; overflow-x: auto; font-size: 0.82rem; }
.flow { display: flex; flex-direction: column; align-items: center; gap: 0; margin: 1rem 0; }
.flow .row { display: flex; gap: 28px; align-items: flex-start; justify-content: center; }
.flow .box { border: 1.5px solid var(--ink); border-radius: 4px; padding: 8px 12px;
             background: #fff; min-width: 220px; max-width: 420px; font-size: 0.88rem; }
.flow .box b { display: block; }
.flow .side { border-style: dashed; }
.flow .arrow { width: 2px; height: 26px; background: var(--ink); margin: 0 auto; position: relative; }
.flow .arrow::after { content: ""; position: absolute; left: -5px; bottom: -2px;
                      border: 6px solid transparent; border-top-color: var(--ink); }
.flow ul { margin: 4px 0 0 0; padding-left: 18px; }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
.figs figure { margin: 0; min-width: 0; overflow: hidden; }
.fig-dl { margin: 2px 0 4px; }
.fig-dl button { font: inherit; font-size: 0.85rem; color: var(--accent); background: #fff;
                 border: 1px solid var(--line); border-radius: 4px; padding: 2px 8px;
                 cursor: pointer; }
.unavailable { color: #8a4b00; }
.synthetic { background: #fff4d6; border: 1px solid #e9c46a; padding: 8px 12px; }
"""


def _e(value) -> str:
    """Escaped text of any value."""
    return html.escape("" if value is None else str(value), quote=True)


def _table_html(frame: pd.DataFrame, *, table_id: str) -> str:
    """A small frame of our own (file fingerprints, versions) as an HTML table, every cell
    escaped. The study's tables are `vbq.present.FormattedTable.to_html`."""
    head = "".join(f"<th scope=\"col\">{_e(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    return (f'<div class="table-wrap"><table id="{_e(table_id)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _section_table(t) -> str:
    return f'<div class="table-wrap" id="{_e(t.key)}">{t.to_html()}</div>'


def _flow_html(flow: FlowCounts) -> str:
    def box(title: str, lines=(), cls: str = "box") -> str:
        items = "".join(f"<li>{_e(x)}</li>" for x in lines)
        return (f'<div class="{cls}"><b>{_e(title)}</b>'
                + (f"<ul>{items}</ul>" if items else "") + "</div>")

    arrow = '<div class="arrow"></div>'
    excl_lines = []
    for heading, n, reasons in flow.excluded:
        excl_lines.append(f"{heading}: {n} ({_reasons_text(reasons)})")
    top = box(f"Cohort file: {flow.n_cohort} patients",
              [f"DXA file: {flow.n_dxa} rows"]
              + ([f"{flow.n_dxa_without_cohort} DXA row(s) without a cohort patient (not "
                  "counted)"] if flow.n_dxa_without_cohort else [])
              + ([flow.measurements] if flow.measurements else []))
    excl = box(f"Excluded: {flow.n_excluded}", excl_lines or ["none"], cls="box side")
    levels = ([f"{flow.n_levels_left_out} vertebral level(s) left out of a VBQ median "
               "(collapsed or SI missing)"] if flow.n_levels_left_out else [])
    rows = [f'<div class="row">{top}</div>{arrow}', f'<div class="row">{excl}</div>{arrow}']
    if flow.n_outside_subgroup:
        eligible = box(f"Eligible: {flow.n_eligible}", levels)
        outside = box(f"Not in the subgroup analysed: {flow.n_outside_subgroup}",
                      [_reasons_text(flow.outside_subgroup),
                       "eligible patients, not excluded"], cls="box side")
        analysed = box(f"Subgroup analysed ({flow.subgroup}): {flow.n_analysed}")
        rows += [f'<div class="row">{eligible}</div>{arrow}',
                 f'<div class="row">{outside}</div>{arrow}',
                 f'<div class="row">{analysed}</div>{arrow}']
    else:
        rows.append(f'<div class="row">{box(f"Analysed: {flow.n_analysed}", levels)}</div>'
                    f"{arrow}")
    group_boxes = []
    for g, n, pos, pos_ref, neg, neg_ref in flow.groups:
        group_boxes.append(box(
            f"{g.capitalize()} group: {n}",
            [f"VBQ ≥ {flow.threshold:g} (index test positive): {pos}; "
             f"osteoporosis by DXA {pos_ref}, not {pos - pos_ref}",
             f"VBQ < {flow.threshold:g} (index test negative): {neg}; "
             f"osteoporosis by DXA {neg_ref}, not {neg - neg_ref}"]))
    return ('<div class="flow" role="img" aria-label="Participant flow diagram">'
            + "".join(rows) + f'<div class="row">{"".join(group_boxes)}</div></div>')


def _reasons_text(reasons: tuple) -> str:
    """The first six reasons with their counts, and how many more the exclusion log holds."""
    shown = reasons[:6]
    detail = "; ".join(f"{r} ({k})" for r, k in shown)
    more = (f"; {len(reasons) - len(shown)} further reason(s) in the exclusion log"
            if len(reasons) > len(shown) else "")
    return detail + more


def _thresholds_html(prepared: PreparedCohort) -> str:
    """The VBQ thresholds in force, where each came from, and how each classifies the control
    group (`vbq.study.threshold_point`), numbers by `vbq.present`."""

    t = prepared.thresholds
    items = []
    for target, name in (("osteoporosis", "osteoporosis"), ("osteopenia_or_worse", "osteopenia")):
        thr = t.for_target(target)
        source = getattr(t, f"source_{name}")
        youden = getattr(t, f"youden_{name}")
        text = f"{present.target_label(target)}: VBQ ≥ {thr:g} ({source}"
        if source == "control-group Youden":
            text += (f": Youden cutoff {present.format_number(youden, 3)} in "
                     f"{t.n_control} control patients, "
                     f"{getattr(t, f'n_control_positive_{name}')} positive by DXA, rounded up")
        text += ")."
        try:
            _, _, m = study.threshold_point(prepared, target=target)
        except (InputError, DegenerateInputError) as exc:
            text += f" Not placed on the control group's ROC curve: {exc}."
        else:
            text += (f" In the control group: sensitivity {present.format_percent(m.sensitivity)}%"
                     f" (95% CI {present.format_ci(*[100 * v for v in m.sensitivity_ci], 1)}), "
                     f"specificity {present.format_percent(m.specificity)}% (95% CI "
                     f"{present.format_ci(*[100 * v for v in m.specificity_ci], 1)}), "
                     f"PPV {present.format_percent(m.ppv)}%, NPV {present.format_percent(m.npv)}%"
                     " (Wilson intervals).")
        items.append(text)
    note = f"<p class=\"note\">Note: {_e(t.note)}.</p>" if t.note else ""
    return "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>" + note


def flow_diagram(prepared: PreparedCohort, *,
                 measurements: MeasurementsInUse | None = None) -> str:
    """The STARD 2015 participant flow diagram alone, as an HTML fragment with its own style
    (the app shows it in a frame); every text escaped. `measurements`: the MRI measurements in
    use (`vbq.describe.measurements_in_use`), said in the cohort's box."""
    return (f"<style>{_CSS}</style>"
            f"{_flow_html(flow_counts(prepared, measurements=measurements))}")


VALIDATION: tuple[tuple[str, str, str], ...] = (
    ("ROC curve, AUC and its DeLong CI, Youden cutoff, sensitivity, specificity, PPV and NPV at "
     "the sample's prevalence", "roc_analysis",
     "R 4.2.2, pROC 1.18.0 (auc, ci.auc, var, coords)"),
    ("Wilson intervals of sensitivity and specificity", "roc_analysis",
     "R prop.test(correct = FALSE)"),
    ("Paired comparison of AUCs (DeLong) with Holm's correction", "compare_markers",
     "R 4.2.2, pROC 1.18.0 roc.test(..., paired = TRUE) and p.adjust(p, \"holm\")"),
    ("PPV and NPV at another prevalence (Mercaldo, Lau & Zhou 2007)", "ppv_npv_at_prevalence",
     "the published formulas written out in the tests (no R package installed)"),
    ("Bootstrap CI of a Youden cutoff and its optimism", "bootstrap_cutoff",
     "an explicit loop over the same resamples in the tests (a random resampling has no R "
     "reference values)"),
    ("Pearson's r, its CI and p", "pearson", "R 4.2.2 cor.test"),
    ("Spearman's rho and p; its CI (Bonett-Wright variance)", "spearman",
     "R 4.2.2 cor.test(method = \"spearman\", exact = FALSE); the CI against the formula "
     "written out"),
    ("Comparison of two groups' correlations", "compare_correlations",
     "R psych 2.2.9 r.test (Pearson); the Bonett-Wright formula written out in the tests "
     "(Spearman)"),
    ("t-test, chi-square and Fisher's exact test (Tables 2 and 5)", "compare_groups",
     "R 4.2.2 t.test, chisq.test(correct = FALSE), fisher.test"),
    ("ANCOVA, Type III sums of squares", "ancova", "R car 3.1-1 Anova(type = 3)"),
    ("Prevalence comparisons", "prevalence_shift",
     "R 4.2.2 chisq.test(correct = FALSE) / fisher.test"),
    ("Intraclass correlation coefficients", "icc",
     "R psych 2.2.9 ICC(lmer = FALSE) and Shrout & Fleiss (1979) Table 2"),
    ("Cohen's kappa", "cohen_kappa", "R vcd 1.4-11 Kappa and psych cohen.kappa"),
    ("Bland-Altman bias, limits of agreement and their CIs", "bland_altman",
     "the worked example of Bland & Altman (1986) and the formulas written out in base R "
     "(lm for the trend; no Bland-Altman package)"),
    ("Least-squares line and its 95% band", "fit_line",
     "R 4.2.2 predict(lm(y ~ x), interval = \"confidence\")"),
    ("Risk model: coefficients with Wald CIs, bootstrap optimism-corrected C statistic, "
     "calibration slope, calibration-in-the-large and Brier score, calibration curve, a "
     "patient's probability with its CI", "risk_model",
     "R 4.2.2, rms 6.5-0 lrm, predict(se.fit = TRUE), and validate and calibrate run on the "
     "same bootstrap resamples; calibration-in-the-large by glm(offset = ) on them"),
)
"""What each method of the report was checked against: (method, the `vbq.stats` / `vbq.study`
function, the independent reference, as its docstring's "Validated against" says). A test holds
each line to that docstring."""


def _validation_html() -> str:
    rows = pd.DataFrame([(m, ref) for m, _, ref in VALIDATION], columns=["Method",
                                                                       "Checked against"])
    return ("<h3>Validation</h3><p>Each method was checked, in the test suite, against an "
            "independent implementation:</p>" + _table_html(rows, table_id="table-validation"))


def _correlation_method(analysis) -> str:
    """ "pearson" or "spearman": the method of the analysis's Table 3."""

    t3 = None if analysis is None else analysis.table3
    if t3 is None or isinstance(t3, Unavailable) or not t3["method"].notna().any():
        return "pearson"
    return "pearson" if str(t3["method"].dropna().iloc[0]).lower() == "pearson" else "spearman"


def _correlation_text(method: str) -> str:
    if method == "pearson":
        return ("Pearson's r with a 95% confidence interval by Fisher's z transformation and the "
                "t-test p; strength: |r| 0.1-0.3 weak, 0.3-0.5 moderate, above 0.5 strong. The "
                "correlations of the two groups are compared by Fisher's z-test for independent "
                "correlations (variance 1/(n − 3) on Fisher's z scale). Regression lines: least "
                "squares with the 95% confidence band of the mean.")
    return ("Spearman's ρ with a 95% confidence interval by Fisher's z transformation with the "
            "Bonett-Wright variance (1 + ρ²/2)/(n − 3), and the t-test p; strength: |ρ| 0.1-0.3 "
            "weak, 0.3-0.5 moderate, above 0.5 strong. The correlations of the two groups are "
            "compared by a z-test of independent correlations on Fisher's z scale with the "
            "same Bonett-Wright variances. Regression lines: least squares with the 95% "
            "confidence band of the mean.")


def _methods_html(prepared: PreparedCohort, versions: dict[str, str],
                  measurements: MeasurementsInUse | None = None, analysis=None) -> str:

    s, t = prepared.settings, prepared.thresholds
    c = s.criteria
    crit = criterion_phrases(c)
    site = {"lowest": "the lowest of the L1-L4, femoral neck and total hip T-scores",
            "l1_l4": "the L1-L4 T-score", "femoral_neck": "the femoral neck T-score",
            "total_hip": "the total hip T-score"}[s.dxa_site]

    def thr_text(name: str, value: float, source: str, youden: float, n_pos: int) -> str:
        if source == "control-group Youden":
            return (f"{name} {value:g}: the Youden-optimal cutoff of VBQ in the control group "
                    f"({t.n_control} patients, {n_pos} positive by DXA) was {youden:.4f}, rounded "
                    f"up to {s.threshold_decimals} decimal(s)")
        if source == "settings":
            return f"{name} {value:g}: set by hand in the settings"
        return f"{name} {value:g}: the paper's published value (fallback; see the note below)"

    directions = "; ".join(
        f"{label}: {'higher' if hi else 'lower'} values count as positive"
        for label, hi in MARKERS.values())
    paras = [
        ("Definitions",
         f"VBQ is the median signal intensity of the non-collapsed L1-L4 vertebral bodies divided "
         f"by the signal intensity of the cerebrospinal fluid (L3, or an adjacent level when L3 "
         f"is obstructed) on non-contrast T1-weighted MRI (Ehresman et al. 2020); at least "
         f"{s.min_vbq_levels} evaluable levels are required. A vertebra is degenerative when it "
         f"meets any of: {'; '.join(crit) or 'no criterion enabled'}; a patient is in the "
         f"degenerative group with at least {c.min_vertebrae} degenerative vertebrae among "
         f"{', '.join(c.levels)}. DXA status follows the WHO criteria at {site}: osteoporosis "
         f"T ≤ {_minus(s.osteoporosis_t)}, osteopenia {_minus(s.osteoporosis_t)} < T < "
         f"{_minus(s.osteopenia_t)}, normal T ≥ {_minus(s.osteopenia_t)}. A patient is "
         "VBQ-positive at or above a threshold."),
        ("Thresholds",
         thr_text("Osteopenia or worse", t.vbq_osteopenia, t.source_osteopenia,
                  t.youden_osteopenia, t.n_control_positive_osteopenia) + ". "
         + thr_text("Osteoporosis", t.vbq_osteoporosis, t.source_osteoporosis,
                    t.youden_osteoporosis, t.n_control_positive_osteoporosis) + "."
         + (f" Note: {t.note}." if t.note else "")),
        ("Group comparison (Table 2, Table 5)",
         "Continuous variables: mean ± SD and Student's two-sample t-test; the group difference "
         "adjusted for the covariates by ANCOVA with Type III sums of squares. Categorical "
         "variables: n (%) and Pearson's chi-square test without continuity correction, or "
         "Fisher's exact test when any expected count is below 5 (the table names the test "
         "used for each row)."),
        ("Correlation (Table 3, Fig. 4)", _correlation_text(_correlation_method(analysis))),
        ("Diagnostic accuracy (Table 4, Fig. 5)",
         "Receiver operating characteristic analysis in the control group with DXA as the "
         "reference standard. The direction of each marker is fixed by physiology, never by "
         f"the data ({directions}). AUC by the trapezoid rule with the DeLong (1988) 95% CI "
         "(Sun & Xu 2014 algorithm); the Youden-optimal cutoff; sensitivity and specificity with "
         "Wilson score intervals; PPV, NPV and likelihood ratios; markers compared by the paired "
         "DeLong test with Holm's correction."),
        ("Prevalence",
         "Prevalence of osteoporosis by DXA and by the VBQ threshold in each group, and the share "
         "of DXA-negative patients whom VBQ flags, compared between groups by the Pearson "
         "chi-square or Fisher's exact test."),
        ("Reliability",
         "Intra- and inter-observer agreement of VBQ by the intraclass correlation coefficient "
         "ICC(A,1) (two-way random effects, absolute agreement, single measurement; Shrout & "
         "Fleiss 1979 ICC(2,1), McGraw & Wong 1996 names) with the F test of ICC = 0 and its "
         "95% CI from the F distribution with Satterthwaite's approximate degrees of freedom "
         "(an approximation: exact F-based intervals exist only for the one-way and "
         "consistency forms); agreement of the degenerative grouping by Cohen's kappa with its "
         "asymptotic (Wald) CI."),
        ("Software",
         f"VBQ Explorer {versions.get('vbq-explorer', 'unknown')} (the vbq package) on Python "
         f"{platform.python_version()}, with numpy {versions.get('numpy', '?')}, pandas "
         f"{versions.get('pandas', '?')}, SciPy {versions.get('scipy', '?')}, statsmodels "
         f"{versions.get('statsmodels', '?')}, scikit-learn {versions.get('scikit-learn', '?')} "
         f"and plotly {versions.get('plotly', '?')}. What each method was checked against is "
         "listed below (Validation); see docs/methods.md of the source."),
    ]
    if measurements is not None:
        paras.insert(1, ("Signal intensities", measurements.text()))
    if prepared.counts.subgroup:
        cnt = prepared.counts
        paras.insert(1, ("Subgroup", f"The analysis is restricted to a subgroup of the eligible "
                         f"patients: {subgroup_text(s)} ({cnt.n_analysed} of {cnt.n_eligible}; "
                         f"the other {cnt.n_outside_subgroup} are outside it, not excluded). "
                         "Thresholds derived from the control group are derived within it."))
    return ("\n".join(f"<h3>{_e(h)}</h3><p>{_e(p)}</p>" for h, p in paras)
            + _validation_html())


FIG4_MEASURES = ("bmd_l1_l4", "t_l1_l4", "hu_l1")
"""Measures plotted against VBQ in the report's Fig. 4 (those of the paper's Table 3)."""


def _figures(prepared: PreparedCohort, analysis) -> list[tuple[str, str, object]]:
    """(div id, caption, plotly Figure) of every figure, in order; the ids are fixed so the
    same analysis gives the same file."""

    table = prepared.table
    out: list[tuple[str, str, object]] = []
    correlations = None if isinstance(analysis.table3, study.Unavailable) else analysis.table3
    for y in FIG4_MEASURES:
        if (correlations is None or y not in table.columns or not table[y].notna().any()):
            continue
        label = present.label(y)
        bands, lines = {}, {}
        for group in study.GROUP_ORDER:
            part = table[table["group"] == group]
            try:
                lines[group] = study.fit_line(part["vbq"], part[y])
            except (InputError, DegenerateInputError):
                continue
            bands[group] = lines[group].frame
        if not bands:
            continue
        panels = figures.correlation_panels(
            table, y, bands=bands, correlations=correlations, settings=prepared.settings,
            y_label=label, group_labels={g: f"{present.group_label(g)} (n = {lines[g].n})"
                                         for g in bands})
        for group, fig in panels.items():
            missing = lines[group].n_missing
            out.append((f"fig4-{y}-{group}", f"Fig. 4. VBQ against {label}, "
                        f"{present.group_label(group).lower()} group: least-squares line with "
                        "the 95% confidence band of the mean; r (95% CI) and p as in Table 3"
                        + (f"; {missing} patient(s) without a value not shown" if missing
                           else ""), fig))
    for target, roc in analysis.roc.items():
        if isinstance(roc, study.Unavailable) or not roc.results:
            continue
        points = {}
        if "vbq" in roc.results:
            thr = prepared.thresholds.for_target(target)
            at = roc.results["vbq"].at(thr)
            points[f"VBQ threshold {thr:g}"] = (1 - at.specificity, at.sensitivity)
        fig = figures.roc_curves(roc.results, study.MARKERS, points=points)
        out.append((f"fig5-{target}", f"Fig. 5. ROC curves for {present.target_label(target).lower()} in the "
                    f"control group (n = {roc.n}, {roc.n_positive} positive); circles: Youden "
                    "cutoffs; cross: the VBQ threshold in force", fig))
    return out



# ----------------------------------------------------------------------------------------------
# the risk model and its TRIPOD+AI checklist (issue 20)

def _risk_model(prepared: PreparedCohort):
    """(the risk calculator's model of all analysed patients, or None; why not)."""
    try:
        return study.risk_calculator(prepared.table), ""
    except (InputError, DegenerateInputError) as exc:
        return None, present.message(exc)


def risk_tables(prepared: PreparedCohort, *, measurements: MeasurementsInUse | None = None,
                synthetic: bool = False, model=None) -> list:
    """The risk model's tables (coefficients, performance) and its TRIPOD+AI checklist
    (`vbq.tripod.tripod_ai_checklist`), formatted: one source for the report and the workbook.

    Parameters
    ----------
    prepared : PreparedCohort
    measurements : vbq.describe.MeasurementsInUse, keyword-only, optional
    synthetic : bool, keyword-only
    model : vbq.stats.RiskModelResult, keyword-only, optional
        `vbq.study.risk_calculator(prepared.table)`, computed when not given.

    Returns
    -------
    list of vbq.present.FormattedTable
        The checklist alone when no model can be fitted (its items say why).
    """
    _check_prepared(prepared)
    why = ""
    if model is None:
        model, why = _risk_model(prepared)
    rows = tripod.tripod_ai_checklist(prepared, model, why=why, measurements=measurements,
                                      synthetic=synthetic)
    checklist = present.tripod_checklist_table(rows)
    if model is None:
        return [checklist]
    return [present.risk_coefficients_table(model), present.risk_performance_table(model),
            checklist]


def _risk_html(prepared: PreparedCohort, measurements, synthetic: bool) -> str:
    """The report's section on the risk model: what it is, its sample-size statement, its
    tables and calibration plot, and the TRIPOD+AI checklist."""
    model, why = _risk_model(prepared)
    tables = risk_tables(prepared, measurements=measurements, synthetic=synthetic, model=model)
    if model is None:
        return f"<p>No risk model: {_e(why)}</p>" + _section_table(tables[-1])
    intro = (
        "<p>A logistic model of osteoporosis by DXA on VBQ, age and sex, developed on all "
        f"{model.n} analysed patients and validated internally only (Efron-Harrell bootstrap, "
        f"{model.n_boot - model.n_boot_failed} resamples): before clinical use it needs "
        "validation in patients from elsewhere. The app's Risk calculator page gives a "
        "patient's probability with its 95% CI.</p>"
        f"<p>{_e(present.risk_sample_size_text(model))}</p>")
    fig = figures.calibration_plot(model)
    caption = ("Calibration of the risk model: observed proportion against predicted "
               "probability, lowess-smoothed, apparent and corrected for optimism by the "
               "bootstrap (as rms::calibrate); ticks: each patient's predicted probability")
    return (intro + _section_table(tables[0]) + _section_table(tables[1])
            + _figures_html([("fig-risk-calibration", caption, fig)])
            + "<h3>TRIPOD+AI checklist</h3><p>Filled from what the app knows of this analysis; "
              "the items marked for the author need the study's own words.</p>"
            + _section_table(tables[2]))


def build_report(prepared: PreparedCohort, *, analysis=None,
                 inputs: Mapping[str, bytes] | None = None, measurements=None,
                 title: str = DEFAULT_TITLE, timestamp: str | _dt.datetime | None = None,
                 synthetic: bool = False) -> str:
    """The whole analysis as one self-contained HTML file.

    Parameters
    ----------
    prepared : PreparedCohort
        From `vbq.prepare_cohort`; its settings are the ones reported.
    analysis : vbq.study.StudyAnalysis, keyword-only, optional
        `vbq.study.analyse(prepared)`; computed when not given.
    inputs : mapping of str to bytes, keyword-only, optional
        The input files (name -> bytes as read), fingerprinted with SHA-256.
    measurements : vbq.describe.MeasurementsInUse or DataFrame, keyword-only, optional
        The MRI measurements the cohort's SIs came from: which (observer, session or mean), for
        how many patients, from which kinds of series (`vbq.describe.measurements_in_use`), said
        in the flow diagram, the Methods and the inputs; or the readings themselves (a frame of
        `vbq.measurements`), described from the readings alone and fingerprinted.
    title : str, keyword-only
    timestamp : str or datetime, keyword-only, optional
        When the report was made; default now (UTC). The only part of the file that changes
        between two builds of the same analysis.
    synthetic : bool, keyword-only
        Say at the top that the data are synthetic (the demo cohort).

    Returns
    -------
    str
        The HTML document. Open it in any browser, without a network connection.

    Raises
    ------
    InputError
        `prepared` is not a `PreparedCohort`, or an input is not bytes.
    """
    _check_prepared(prepared)
    if analysis is None:
        analysis = study.analyse(prepared)
    if timestamp is None:
        timestamp = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    stamp = timestamp.isoformat() if isinstance(timestamp, _dt.datetime) else str(timestamp)
    readings = None
    if measurements is not None and not isinstance(measurements, MeasurementsInUse):
        readings = pd.DataFrame(measurements)
        measurements = _in_use_from_readings(prepared, readings)
    prints = input_fingerprints(inputs)
    versions = library_versions()
    version_map = {k.lower(): v for k, v in versions}
    tables = study_tables(prepared, analysis)
    by_key = {t.key: t for t in tables}
    figs = _figures(prepared, analysis)

    sections: list[tuple[str, str, str]] = []  # (anchor, heading, body)
    flow = flow_counts(prepared, measurements=measurements)
    sections.append(("flow", "Participant flow (STARD 2015)", _flow_html(flow)
                     + '<p class="note">Every excluded patient is listed with the reason in the '
                       "exclusion log at the end of this report.</p>"))

    def tables_of(*keys: str) -> str:
        return "\n".join(_section_table(by_key[k]) for k in keys if k in by_key)

    def figs_of(prefix: str) -> str:
        return _figures_html([f for f in figs if f[0].startswith(prefix)])

    sections.append(("groups", "Characteristics of the groups",
                     tables_of("table1", "table2", "table5")))
    sections.append(("correlation", "Correlation of VBQ with bone density",
                     tables_of("table3") + figs_of("fig4")))
    roc = [k for k in by_key if k.startswith(("table4", "auc_comparison"))]
    sections.append(("roc", "Diagnostic accuracy (ROC)", figs_of("fig5") + tables_of(*roc)))
    prev = [k for k in by_key if k.startswith(("prevalence", "breakdown"))]
    sections.append(("thresholds", "Thresholds and prevalence",
                     _thresholds_html(prepared) + tables_of(*prev)))
    rel = [k for k in by_key if k.startswith(("icc", "kappa"))]
    sections.append(("reliability", "Reliability",
                     tables_of(*rel) or "<p>No repeated readings in this dataset.</p>"))
    # beyond the paper: the scanners, deciding who needs a DXA, a risk model, planning a study
    sections.append(("scanners", "Scanners and published thresholds",
                     _scanners_html(prepared, analysis, measurements)))
    decision = _decision_study(prepared)
    sections.append(("decide", "Decision curves: who needs a DXA? (beyond the paper)",
                     _decision_html(decision)))
    sections.append(("risk", "Risk model (TRIPOD+AI)",
                     _risk_html(prepared, measurements, synthetic)))
    sections.append(("plan", "Sample size for a new study (beyond the paper)",
                     _planning_html(prepared, analysis, decision)))
    sections.append(("methods", "Methods", _methods_html(prepared, version_map, measurements,
                                                         analysis)))
    sections.append(("settings", "Settings",
                     "<p>Load this into the app (sidebar) or pass it to <code>python -m vbq "
                     "report --settings</code> to reproduce this report.</p>"
                     f"<pre>{_e(prepared.settings.to_json())}</pre>"))
    inputs_body = _inputs_html(prints, synthetic, measurements, readings)
    sections.append(("inputs", "Input files", inputs_body
                     + '<p class="note">Check a file with <code>sha256sum FILE</code> '
                       "(Linux), <code>shasum -a 256 FILE</code> (macOS) or "
                       "<code>certutil -hashfile FILE SHA256</code> (Windows).</p>"))
    sections.append(("software", "Software", _table_html(
        pd.DataFrame(versions, columns=["package", "version"]), table_id="table-software")))
    sections.append(("exclusions", "Exclusion log", tables_of("exclusion_log")))

    nav = "".join(f'<li><a href="#{a}">{_e(h)}</a></li>' for a, h, _ in sections)
    body = "\n".join(f'<section><h2 id="{a}">{_e(h)}</h2>\n{b}</section>' for a, h, b in sections)
    synthetic_note = ('<p class="synthetic">Synthetic demo data: simulated patients, not real '
                      "people.</p>" if synthetic else "")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n"
        f"<script type=\"text/javascript\">{plotly.offline.get_plotlyjs()}</script>\n"
        "</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f"<p class=\"meta\">Generated <time id=\"generated\">{_e(stamp)}</time> by VBQ Explorer "
        f"{_e(version_map.get('vbq-explorer', ''))}. {flow.n_analysed} patients analysed "
        f"({_e(_group_sizes(flow))}).</p>\n{synthetic_note}\n"
        f"<nav><ol>{nav}</ol></nav>\n{body}\n"
        "<script>window.addEventListener('load', function () {"
        "document.querySelectorAll('.js-plotly-plot').forEach(function (d) "
        "{ Plotly.Plots.resize(d); }); });"
        f"{_DOWNLOAD_JS}</script>\n</body>\n</html>\n"
    )


def scanner_tables(prepared: PreparedCohort, analysis=None,
                   measurements: MeasurementsInUse | None = None) -> list:
    """The tables of the report's section on scanners and published thresholds (issues 19,
    20): the control group's ROC by MRI field strength for each target (when more than one
    field strength is recorded), the published thresholds applied to the control group
    (`vbq.published.apply_published`, with the scanner of the measurements in use) and the
    cohort's VBQ accuracy for osteoporosis beside the pooled meta-analysis.

    Returns
    -------
    list of vbq.present.FormattedTable
    """
    _check_prepared(prepared)
    if analysis is None:
        analysis = study.analyse(prepared)
    table = prepared.table
    out = []
    if len(scanners.field_strengths(table).index.dropna()) >= 2:
        for target in study.TARGETS:
            try:
                strat = scanners.roc_by_field_strength(table, target=target)
            except (InputError, DegenerateInputError):
                continue
            ft = present.field_strength_roc_table(
                strat, title=f"ROC analysis by MRI field strength: "
                             f"{present.target_label(target).lower()}")
            out.append(replace(ft, key=f"{ft.key}_{target}"))
    control = table[table["group"] == "control"]
    fields = set(scanners.field_strengths(control).index.dropna())
    fields |= set(measurements.field_strengths if measurements else ())
    applied = published.apply_published(
        table, field_strengths=sorted(fields),
        sequence_families=measurements.sequence_families if measurements else ())
    if len(applied):
        out.append(present.published_thresholds_table(applied))
    roc = analysis.roc.get("osteoporosis")
    if isinstance(roc, study.ROCStudy) and "vbq" in roc.results:
        res = roc.results["vbq"]
        out.append(present.meta_analysis_table(
            published.against_meta_analysis(res),
            threshold_text=("VBQ in the control group for osteoporosis by DXA, at its Youden "
                            f"cutoff {present.format_cutoff(res.cutoff, 'vbq')}")))
    return out


def _scanners_html(prepared: PreparedCohort, analysis,
                   measurements: MeasurementsInUse | None) -> str:
    tables = scanner_tables(prepared, analysis, measurements)
    warned = [t for t in tables if t.key == "published_thresholds"]
    notes = ""
    if warned:
        sentences = sorted({w for w in warned[0].data["warnings"] if w})
        if sentences:
            notes = ('<p class="note">Scanner of a published threshold and of the measurements '
                     "in use: " + " ".join(_e(w) for w in sentences) + "</p>")
    return ("<p>VBQ depends on the scanner (field strength, sequence); thresholds published "
            "elsewhere came from other scanners, populations and reference standards. Every "
            "published number below was read in the source named under its table.</p>"
            + "\n".join(_section_table(t) for t in tables) + notes)
# ----------------------------------------------------------------------------------------------
# beyond the paper: decision curves and sample sizes

DECISION_RANGE = (0.05, 0.5)
"""Threshold probabilities the report's decision curves show."""
DECISION_STEPS = (0.1, 0.2, 0.3, 0.4)
"""Threshold probabilities of the report's decision table."""


def _decision_study(prepared: PreparedCohort):
    """Decision curves for osteoporosis among all analysed patients with the threshold in force
    (harm 0, VBQ against DXA for all; 1,000 resamples, seed 0), or why there are none."""
    try:
        return decide.decision_study(prepared.table,
                                     vbq_cutoff=prepared.thresholds.vbq_osteoporosis)
    except (InputError, DegenerateInputError) as exc:
        return Unavailable(str(exc))


def _decision_html(decision) -> str:
    if isinstance(decision, Unavailable):
        return f'<p class="unavailable">Not computed: {_e(present.message(decision.reason))}.</p>'
    res = decision.result
    lead = (f"<p>Net benefit (Vickers &amp; Elkin 2006) of sending patients for DXA by VBQ ≥ "
            f"{_e(f'{decision.vbq_cutoff:g}')}, by the risk model (VBQ, age, sex), for all and "
            f"for none, for osteoporosis by DXA among all {res.n} analysed patients; the harm "
            "of using VBQ is taken as 0 (the MRI already exists). A threshold probability is "
            "the risk of osteoporosis at which a DXA is worth doing.</p>")
    figs = [("decide-curves", "Decision curves: net benefit against the threshold probability",
             figures.decision_curves(decision, x_range=DECISION_RANGE)),
            ("decide-difference", f"Net benefit of VBQ ≥ {decision.vbq_cutoff:g} minus DXA for "
             f"all, with its pointwise {100 * res.confidence:g}% bootstrap interval "
             f"({res.n_boot} resamples, seed {res.seed})",
             figures.net_benefit_difference(decision, x_range=DECISION_RANGE))]
    notes = "".join(f'<p class="unavailable">{_e(present.strategy_label(k))} not drawn: '
                    f"{_e(why)}.</p>" for k, why in decision.errors.items())
    return (lead + notes + _figures_html(figs)
            + _section_table(present.decision_table(decision, thresholds=DECISION_STEPS))
            + _section_table(present.difference_table(decision, thresholds=DECISION_STEPS)))


def _planned_studies(prepared: PreparedCohort, analysis, decision) -> tuple[dict, list]:
    """Sample sizes for a study that would confirm this cohort's estimates (each from this
    cohort), and the notes of those that could not be computed."""
    have = plan.cohort_size(prepared.table)
    prevalence = have.n_cases / have.n if have.n else float("nan")
    results, notes = {}, []
    roc = analysis.roc.get("osteoporosis")
    vbq_roc = None if isinstance(roc, Unavailable) or roc is None else roc.results.get("vbq")
    steps = []
    if vbq_roc is not None:
        at = vbq_roc.at(prepared.thresholds.vbq_osteoporosis)
        ratio = (roc.n - roc.n_positive) / roc.n_positive
        steps += [("accuracy", lambda: sample_size_accuracy(
                       at.sensitivity, at.specificity, half_width=0.07, prevalence=prevalence)),
                  ("auc", lambda: sample_size_auc(vbq_roc.auc, ratio=ratio))]
    model = None if isinstance(decision, Unavailable) else decision.model
    if model is not None:
        steps.append(("prediction_model", lambda: sample_size_prediction_model(
            model.cv_auc, prevalence, len(model.predictors))))
    for key, make in steps:
        try:
            results[key] = make()
        except InputError as exc:
            notes.append(f"{key}: {exc}")
    return results, notes


def _not_computed(key: str, title: str, reason: str):
    """A table that says why it could not be computed (said, not dropped)."""
    return present.FormattedTable(key=key, title=title,
                                  shown=pd.DataFrame(columns=["Not computed"]),
                                  data=pd.DataFrame({"note": [reason]}),
                                  footnotes=(f"Not computed: {present.message(reason)}.",))


def _beyond_tables(prepared: PreparedCohort, analysis) -> list:
    """The tables of the report's sections beyond the paper that are not the risk model's:
    the decision curves' net benefits and their difference, and the sample sizes (as the HTML
    report computes them), for the workbook."""
    decision = _decision_study(prepared)
    if isinstance(decision, Unavailable):
        out = [_not_computed("decision_curve", "Net benefit of DXA strategies", decision.reason)]
    else:
        out = [present.decision_table(decision, thresholds=DECISION_STEPS),
               present.difference_table(decision, thresholds=DECISION_STEPS)]
    results, notes = _planned_studies(prepared, analysis, decision)
    if results:
        have = plan.cohort_size(prepared.table)
        out.append(present.sample_size_table(
            results, {k: plan.check_cohort(r, have) for k, r in results.items()}))
    else:
        out.append(_not_computed("sample_size", "Sample sizes for a new study",
                                 "; ".join(notes) or "this cohort gives no estimate to plan "
                                                     "from"))
    return out


def _planning_html(prepared: PreparedCohort, analysis, decision) -> str:
    results, notes = _planned_studies(prepared, analysis, decision)
    if not results:
        return '<p class="unavailable">Not computed: this cohort gives no estimate to plan from.</p>'
    have = plan.cohort_size(prepared.table)
    checks = {k: plan.check_cohort(r, have) for k, r in results.items()}
    lead = ("<p>What a new study of osteoporosis by DXA would need to confirm this cohort's own "
            "estimates: the sensitivity and specificity of VBQ at the threshold in force "
            "(control group) to ± 7 points at this cohort's prevalence; the control group's VBQ "
            "AUC against chance (two-sided, α 0.05, power 80%, this group's ratio of patients "
            "without to with osteoporosis); and a risk model of VBQ, age and sex with this "
            "cohort's cross-validated C statistic (Riley et al. 2020). Each row says whether this "
            "cohort was large enough.</p>")
    skipped = "".join(f'<p class="unavailable">Not computed: {_e(present.message(n))}.</p>'
                      for n in notes)
    return lead + skipped + _section_table(present.sample_size_table(results, checks))


def _figures_html(chosen: list) -> str:
    """(div id, caption, figure) as a grid of figures, each with its download buttons and
    caption; "" for none."""
    if not chosen:
        return ""
    out = ['<div class="figs">']
    for div_id, caption, fig in chosen:
        config = figures.export_config(f"vbq_{div_id}", height=int(fig.layout.height or 600))
        body = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=config)
        out.append(f"<figure>{body}{_download_buttons(div_id, config)}"
                   f"<figcaption>{_e(caption)}</figcaption></figure>")
    out.append("</div>")
    return "\n".join(out)


def _inputs_html(prints: list, synthetic: bool, measurements: MeasurementsInUse | None,
                 readings: pd.DataFrame | None) -> str:
    """The input files with their fingerprints (or why there are none), and the MRI
    measurements in use."""
    rows = [(n, f"{size:,}", digest) for n, size, digest in prints]
    if rows:
        body = _table_html(pd.DataFrame(rows, columns=["file", "size (bytes)", "SHA-256"]),
                           table_id="table-inputs")
    elif synthetic:
        body = "<p>The synthetic demo cohort built into VBQ Explorer: no input files.</p>"
    else:
        body = "<p>No input files were given (tables passed in memory).</p>"
    if measurements is not None:
        body += f'<p id="measurements-in-use">{_e(measurements.text())}</p>'
    if readings is not None:
        body += f"<p>{_e(_measurements_text(readings))}</p>"
    return body


def _download_buttons(div_id: str, config: dict) -> str:
    """Two buttons under a figure that save it from the page itself (plotly's
    ``Plotly.downloadImage``, no network): PNG at a journal's resolution, as the figure's own
    camera button, and SVG."""
    opts = config["toImageButtonOptions"]
    png = (f"{figures.EXPORT_WIDTH_INCHES:g} in at {figures.EXPORT_DPI} dpi")
    return (f'<div class="fig-dl" data-for="{_e(div_id)}" data-width="{opts["width"]}" '
            f'data-height="{opts["height"]}" data-scale="{opts["scale"]}" '
            f'data-filename="{_e(opts["filename"])}">'
            f'<button type="button" data-format="png">Download PNG ({_e(png)})</button> '
            '<button type="button" data-format="svg">Download SVG (vector)</button></div>')


_DOWNLOAD_JS = """
document.querySelectorAll('.fig-dl button').forEach(function (b) {
  b.addEventListener('click', function () {
    var d = b.parentElement.dataset, svg = b.dataset.format === 'svg';
    Plotly.downloadImage(document.getElementById(d.for), {format: b.dataset.format,
      width: +d.width, height: +d.height, scale: svg ? 1 : +d.scale, filename: d.filename});
  });
});
"""


def _group_sizes(flow: FlowCounts) -> str:
    return ", ".join(f"{g} {n}" for g, n, *_ in flow.groups)


def _in_use_from_readings(prepared: PreparedCohort, readings: pd.DataFrame) -> MeasurementsInUse:
    """What a frame of readings alone says of the measurements in use: the cohort patients it
    holds (analysed, excluded or outside the subgroup), its observers and sessions (one of each,
    or averaged)."""


    cohort_ids = set(prepared.table["patient_id"].astype(str))
    log = prepared.exclusions
    cohort_ids |= set(log.loc[log["patient_excluded"].astype(bool) | (log["stage"] == "filter"),
                              "patient_id"].astype(str))
    ids = pd.unique(readings["patient_id"].astype(str)) if "patient_id" in readings else []

    def single(col: str):
        values = pd.unique(readings[col].dropna()) if col in readings else []
        return values[0] if len(values) == 1 else None

    observer, session = single("observer"), single("session")
    merge = SimpleNamespace(
        measured=[i for i in ids if i in cohort_ids], replaced=(),
        not_in_cohort=[i for i in ids if i not in cohort_ids], observer=observer,
        session=session, combine="primary" if observer is not None and session is not None
        else "mean")
    return measurements_in_use(merge, readings, source="the measurements file")


def _measurements_text(measurements) -> str:
    m = pd.DataFrame(measurements)

    def count(col: str, what: str) -> str:
        return f" {what} {m[col].nunique()}" if col in m.columns else ""

    return (f"ROI measurements: {len(m)} readings;{count('patient_id', 'patients')}"
            f"{count('observer', ', observers')}{count('session', ', sessions')}. The SIs of "
            "the measured patients replace those of the cohort file (vbq.measurements."
            "merge_into_cohort); content digest "
            f"{__import__('vbq.io', fromlist=['table_digest']).table_digest(m)}.")


# ----------------------------------------------------------------------------------------------
# XLSX


def build_workbook(prepared: PreparedCohort, *, analysis=None, synthetic: bool = False) -> bytes:
    """The study's tables as one XLSX workbook (`vbq.export.tables_xlsx`).

    One sheet per table as shown ("table2") and one with its data at full precision
    ("table2 data"), for every table of the HTML report, in its order: `study_tables`,
    `scanner_tables`, the decision curves' net benefits, `risk_tables` (the risk model and
    its TRIPOD+AI checklist) and the sample sizes; and a last sheet "settings" holding the
    settings as JSON. Every text cell is made safe to open in a spreadsheet. With
    ``synthetic=True`` (the demo cohort) every table's footnotes end with
    `vbq.export.SYNTHETIC_NOTE`.

    Returns
    -------
    bytes
        The workbook.
    """
    from . import export  # (see _EXPORT_IMPORTED_HERE)

    _check_prepared(prepared)
    if analysis is None:
        analysis = study.analyse(prepared)
    *decision, sizes = _beyond_tables(prepared, analysis)
    tables = (study_tables(prepared, analysis) + scanner_tables(prepared, analysis) + decision
              + risk_tables(prepared, synthetic=synthetic) + [sizes])
    if synthetic:
        tables = [replace(t, footnotes=(*t.footnotes, export.SYNTHETIC_NOTE)) for t in tables]
    return export.tables_xlsx(tables, settings_json=prepared.settings.to_json())


def build_docx(prepared: PreparedCohort, *, analysis=None, synthetic: bool = False) -> bytes:
    """The study's tables as one Word document in journal style (`vbq.export.study_docx`,
    with the grouping's kappa); ``synthetic=True`` (the demo cohort) says so at the top.

    Returns
    -------
    bytes
        The .docx file.
    """
    from . import export  # (see _EXPORT_IMPORTED_HERE)

    _check_prepared(prepared)
    if analysis is None:
        analysis = study.analyse(prepared)
    kappas = study.grouping_kappa(prepared.table, prepared.settings.criteria)
    return export.study_docx(analysis, prepared, kappas=kappas,
                             decimals=prepared.settings.threshold_decimals, synthetic=synthetic)


def _minus(x: float) -> str:
    """A number as the tables write it, with a true minus sign (U+2212), not a hyphen."""
    return f"{x:g}".replace("-", "\u2212")
