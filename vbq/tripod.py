"""The TRIPOD+AI reporting checklist of the risk calculator (`tripod_ai_checklist`): each of
the 52 items (27 numbered items and their parts), filled with what VBQ Explorer knows of the
analysis, or marked for the author.

One source for the report, the exports and a notebook. The items' numbers and topics are those
of the TRIPOD+AI statement (Collins GS, Moons KGM, Dhiman P, et al. BMJ 2024;385:e078378); what
each item asks is said here in a few words of our own: read the statement for its wording.
Nothing here computes a statistic; the numbers come from `vbq.stats.RiskModelResult` and the
prepared cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import present
from .cohort import PreparedCohort
from .describe import MeasurementsInUse, subgroup_text
from .errors import InputError

__all__ = [
    "ChecklistRow",
    "FROM_APP",
    "PARTLY",
    "FOR_AUTHOR",
    "NOT_APPLICABLE",
    "TRIPOD_AI_ITEMS",
    "tripod_ai_checklist",
    "checklist_frame",
]

FROM_APP = "Filled from the app"
PARTLY = "Partly filled: the author completes it"
FOR_AUTHOR = "For the author"
NOT_APPLICABLE = "Not applicable (model development, internal validation only)"

TRIPOD_AI_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    # (section, item, topic, what the item asks, in brief)
    ("Title", "1", "Title", "The study as developing a prediction model; population; outcome"),
    ("Abstract", "2", "Abstract", "A structured abstract (TRIPOD+AI for Abstracts)"),
    ("Introduction", "3a", "Background", "Healthcare context, rationale, existing models"),
    ("Introduction", "3b", "Background", "Target population, intended purpose and users"),
    ("Introduction", "3c", "Background", "Known health inequalities between groups"),
    ("Introduction", "4", "Objectives", "Objectives: development, evaluation or both"),
    ("Methods", "5a", "Data", "Sources of data, rationale and representativeness"),
    ("Methods", "5b", "Data", "Dates of the data collected"),
    ("Methods", "6a", "Participants", "Setting, number and location of centres"),
    ("Methods", "6b", "Participants", "Eligibility criteria"),
    ("Methods", "6c", "Participants", "Treatments received and how they were handled"),
    ("Methods", "7", "Data preparation", "Pre-processing and quality checking"),
    ("Methods", "8a", "Outcome", "Outcome, time horizon, how and when assessed"),
    ("Methods", "8b", "Outcome", "Qualifications of outcome assessors, if subjective"),
    ("Methods", "8c", "Outcome", "Blinding of outcome assessment"),
    ("Methods", "9a", "Predictors", "Choice of initial predictors, any pre-selection"),
    ("Methods", "9b", "Predictors", "Definition of predictors, how and when measured, blinding"),
    ("Methods", "9c", "Predictors", "Qualifications of predictor assessors, if subjective"),
    ("Methods", "10", "Sample size", "How the study size was arrived at; its sufficiency"),
    ("Methods", "11", "Missing data", "How missing data were handled"),
    ("Methods", "12a", "Analytical methods", "How the data were used; any partitioning"),
    ("Methods", "12b", "Analytical methods", "Handling of predictors (functional form, scaling)"),
    ("Methods", "12c", "Analytical methods", "Model type, building steps, internal validation"),
    ("Methods", "12d", "Analytical methods", "Heterogeneity across clusters"),
    ("Methods", "12e", "Analytical methods", "Performance measures and plots"),
    ("Methods", "12f", "Analytical methods", "Model updating (evaluation studies)"),
    ("Methods", "12g", "Analytical methods", "How predictions were calculated (evaluation)"),
    ("Methods", "13", "Class imbalance", "Class imbalance methods and recalibration"),
    ("Methods", "14", "Fairness", "Approaches to model fairness"),
    ("Methods", "15", "Model output", "Output (probabilities, classes) and any thresholds"),
    ("Methods", "16", "Training versus evaluation", "Differences between development and "
                                                    "evaluation data"),
    ("Methods", "17", "Ethical approval", "Ethics committee and consent"),
    ("Open science", "18a", "Funding", "Funding and the funders' role"),
    ("Open science", "18b", "Conflicts of interest", "Conflicts of interest"),
    ("Open science", "18c", "Protocol", "Where the protocol can be accessed"),
    ("Open science", "18d", "Registration", "Registration"),
    ("Open science", "18e", "Data sharing", "Availability of the study data"),
    ("Open science", "18f", "Code sharing", "Availability of the analytical code"),
    ("Patient and public involvement", "19", "Patient and public involvement",
     "Patient and public involvement"),
    ("Results", "20a", "Participants", "Flow of participants, with and without the outcome"),
    ("Results", "20b", "Participants", "Characteristics, missing data, differences by group"),
    ("Results", "20c", "Participants", "Comparison with the development data (evaluation)"),
    ("Results", "21", "Model development", "Participants and events in each analysis"),
    ("Results", "22", "Model specification", "The full model, to predict for new individuals"),
    ("Results", "23a", "Model performance", "Performance with CIs, also in key subgroups"),
    ("Results", "23b", "Model performance", "Heterogeneity of performance across clusters"),
    ("Results", "24", "Model updating", "Results of model updating (evaluation)"),
    ("Discussion", "25", "Interpretation", "Overall interpretation, including fairness"),
    ("Discussion", "26", "Limitations", "Limitations and their effects"),
    ("Discussion", "27a", "Usability", "Handling poor quality or unavailable input data"),
    ("Discussion", "27b", "Usability", "Users' interaction and expertise required"),
    ("Discussion", "27c", "Usability", "Next steps for research"),
)
"""The 52 items of the TRIPOD+AI checklist: (section, item, topic, what it asks in brief)."""


@dataclass(frozen=True)
class ChecklistRow:
    """One item of the checklist.

    Attributes
    ----------
    section, item, topic, asks : str
        As `TRIPOD_AI_ITEMS`.
    status : str
        `FROM_APP`, `PARTLY`, `FOR_AUTHOR` or `NOT_APPLICABLE`.
    text : str
        What the app can state for the item ("" when it is for the author alone).
    """

    section: str
    item: str
    topic: str
    asks: str
    status: str
    text: str


def _outcome_text(prepared: PreparedCohort, target: str) -> str:
    s = prepared.settings
    site = {"lowest": "the lowest of the L1-L4, femoral neck and total hip T-scores",
            "l1_l4": "the L1-L4 T-score", "femoral_neck": "the femoral neck T-score",
            "total_hip": "the total hip T-score"}[s.dxa_site]
    minus = "\u2212"
    rule = (f"T ≤ {s.osteoporosis_t:g}" if target == "osteoporosis"
            else f"T < {s.osteopenia_t:g}").replace("-", minus)
    return (f"{present.target_label(target)} by DXA (WHO criteria, {rule} at {site}); "
            "diagnostic: present at the time of the MRI.")


def _predictors_text(model) -> str:
    hu = ("; L1 attenuation in Hounsfield units on CT" if "hu_l1" in model.predictors else "")
    return ("VBQ: the median signal intensity of the non-collapsed L1-L4 vertebral bodies "
            "divided by that of the cerebrospinal fluid on non-contrast T1-weighted MRI "
            "(Ehresman et al. 2020); age in whole years; sex as recorded" + hu + ".")


def _sample_size_text(model, target: str) -> str:
    return present.risk_sample_size_text(
        model, outcome=f"{present.target_label(target).lower()} by DXA")


def _missing_text(model) -> str:
    counts = ", ".join(f"{present.risk_term_label(k, model) if k != 'outcome' else 'DXA result'}"
                       f" {v}" for k, v in model.missing_by_predictor.items() if v)
    return ("Complete-case analysis: patients with a missing predictor or DXA result were left "
            f"out ({model.n_missing} patients" + (f"; {counts}" if counts else "") + "). No "
            "imputation.")


def _methods_text(model) -> str:
    return (
        "Logistic regression by unpenalized maximum likelihood, with the predictors fixed in "
        "advance (no selection). Internal validation by the Efron-Harrell bootstrap: the model "
        f"was refitted on {model.n_boot} resamples (seed {model.seed}; "
        f"{model.n_boot_failed} could not be fitted and were left out) and its optimism "
        "subtracted, as the R package rms computes it.")


def _performance_text(model) -> str:
    perf = model.performance.set_index("measure")

    def pair(name: str) -> str:
        return (f"{present.format_number(perf.loc[name, 'apparent'], 3)} apparent, "
                f"{present.format_number(perf.loc[name, 'corrected'], 3)} corrected")

    return (f"C statistic {pair('c_statistic')}; calibration slope "
            f"{pair('calibration_slope')}; calibration-in-the-large "
            f"{pair('calibration_in_the_large')}; Brier score {pair('brier')}. No CIs for the "
            "corrected measures and no subgroup performance are computed: for the author.")


def _model_text(model) -> str:
    terms = " + ".join(
        f"{present.format_number(r.estimate, 4)} × {present.risk_term_label(r.term, model)}"
        for r in model.coefficients.itertuples() if r.term != "intercept")
    intercept = present.format_number(model.params[0], 4)
    return (f"Probability = 1 / (1 + exp(−(log-odds))), log-odds = {intercept} + {terms}; "
            "every coefficient with its Wald CI in the risk model's table.")


def _treatments(prepared: PreparedCohort) -> tuple[str, str]:
    """Item 6c: the osteoporosis medication recorded in the cohort file, if any."""
    table = prepared.table
    parts = []
    for column, words in (("antiresorptive", "antiresorptive"), ("anabolic", "anabolic")):
        if column in table.columns and table[column].notna().any():
            parts.append(f"{int(table[column].fillna(False).astype(bool).sum())} on {words}")
    if not parts:
        return FOR_AUTHOR, ""
    return PARTLY, (f"Of the {len(table)} analysed patients, {' and '.join(parts)} medication "
                    "(as recorded in the cohort file); treatment was not a predictor and no "
                    "patient was left out for it.")


def _rows_from_model(prepared, model, target, why, measurements, synthetic) -> dict:
    """item -> (status, text) for the items the app can fill."""
    c = prepared.counts
    data = ("The synthetic demo cohort of VBQ Explorer (simulated patients)" if synthetic else
            "The cohort and DXA files loaded (their SHA-256 fingerprints under Input files)")
    filled = {
        "5a": (PARTLY, data + "; study design, rationale and representativeness: for the "
                              "author."),
        "6b": (PARTLY, f"{c.n_analysed} of {c.n_cohort} cohort patients analysed; "
                       f"{c.n_excluded} excluded with reasons (participant flow)"
                       + (f"; subgroup: {subgroup_text(prepared.settings)}" if c.subgroup
                          else "") + ". The study's own criteria: for the author."),
        "7": (PARTLY, "Every input file was read against the data dictionary (types, units, "
                      "ranges), and every value refused or patient excluded is listed; VBQ was "
                      "computed from the signal intensities"
                      + (f" ({measurements.text()})" if measurements is not None else "")
                      + ". Checks by group: for the author."),
        "6c": _treatments(prepared),
        "8a": (FROM_APP, _outcome_text(prepared, target)),
        "12d": (FOR_AUTHOR, "Not examined: the app has no centre or cluster variable."),
        "12f": (NOT_APPLICABLE, ""),
        "12g": (NOT_APPLICABLE, ""),
        "13": (FROM_APP, "No class imbalance method: no resampling, weighting or recalibration "
                         "of the classes."),
        "14": (FOR_AUTHOR, "No fairness method was applied by the app."),
        "15": (FROM_APP, "A probability of the outcome with its 95% CI (delta method on the "
                         "log-odds); no classification threshold."),
        "16": (NOT_APPLICABLE, "No separate evaluation data: internal validation only."),
        "18f": (PARTLY, "The analysis was run in VBQ Explorer (open source); the settings "
                        "printed in this report reproduce it. Where the code is shared: for the "
                        "author."),
        "20a": (PARTLY if model is None else FROM_APP,
                "Participant flow (STARD 2015 diagram) in this report"
                + ("" if model is None else f"; {model.n_events} of {model.n} analysed "
                                            f"patients with the outcome, "
                                            f"{model.n - model.n_events} without") + "."),
        "20b": (PARTLY, "Characteristics by group in Table 2; missing data per predictor "
                        "under item 11. Differences across demographic groups: for the "
                        "author."),
        "20c": (NOT_APPLICABLE, ""),
        "23b": (NOT_APPLICABLE, "No clusters."),
        "24": (NOT_APPLICABLE, ""),
        "27a": (PARTLY, "The calculator refuses a missing value and warns when a value lies "
                        "outside the range of the development data."),
        "27b": (PARTLY, "A user enters VBQ (measured on T1-weighted MRI with regions of "
                        "interest on L1-L4 and the cerebrospinal fluid), age and sex; the "
                        "expertise required: for the author."),
    }
    if model is None:
        unavailable = f"No model could be fitted: {why}"
        for item in ("9a", "9b", "10", "11", "12a", "12b", "12c", "12e", "21", "22", "23a"):
            filled[item] = (FOR_AUTHOR, unavailable)
        return filled
    filled |= {
        "9a": (FROM_APP, "VBQ, age and sex"
                         + (" and L1 HU" if "hu_l1" in model.predictors else "")
                         + ", chosen in advance (the study's index marker and the combined "
                           "model of the paper); no selection from the data."),
        "9b": (PARTLY, _predictors_text(model) + " Blinding of the VBQ reading to DXA: for the "
                                                 "author."),
        "10": (FROM_APP, _sample_size_text(model, target)),
        "11": (FROM_APP, _missing_text(model)),
        "12a": (FROM_APP, f"All {model.n} analysed patients developed the model; no split. "
                          "Performance was estimated on the same patients, corrected for "
                          "optimism by the bootstrap."),
        "12b": (FROM_APP, "Continuous predictors entered linearly on the log-odds scale, "
                          "untransformed and unscaled; sex as a 0/1 indicator."),
        "12c": (FROM_APP, _methods_text(model)),
        "12e": (FROM_APP, "Discrimination: C statistic. Calibration: calibration slope, "
                          "calibration-in-the-large and a lowess calibration curve (apparent "
                          "and bias-corrected). Overall: Brier score."),
        "21": (FROM_APP, f"{model.n} patients, {model.n_events} with the outcome, in the model; "
                         f"{model.n_boot - model.n_boot_failed} bootstrap resamples of the "
                         "same size for internal validation."),
        "22": (FROM_APP, _model_text(model)),
        "23a": (PARTLY, _performance_text(model)),
    }
    return filled


def tripod_ai_checklist(prepared: PreparedCohort, model=None, *, target: str = "osteoporosis",
                        why: str = "", measurements: MeasurementsInUse | None = None,
                        synthetic: bool = False) -> tuple[ChecklistRow, ...]:
    """The TRIPOD+AI checklist of a risk model, filled from what the app knows.

    Parameters
    ----------
    prepared : PreparedCohort
        The cohort the model was developed on.
    model : vbq.stats.RiskModelResult or None
        The model (`vbq.study.risk_calculator`); None when it could not be fitted, and `why`
        says why.
    target : str, keyword-only
        The model's DXA target (a key of `vbq.study.TARGETS`).
    why : str, keyword-only
        Why there is no model (shown on the items that need it).
    measurements : vbq.describe.MeasurementsInUse, keyword-only, optional
        The MRI measurements the VBQ scores came from, when not the spreadsheet's.
    synthetic : bool, keyword-only
        The demo cohort (item 5a says so).

    Returns
    -------
    tuple of ChecklistRow
        All 52 items in the statement's order; an item the app cannot fill is `FOR_AUTHOR`
        with an empty text.

    Raises
    ------
    InputError
        `prepared` is not a PreparedCohort.

    References
    ----------
    Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement: updated guidance for
    reporting clinical prediction models that use regression or machine learning methods.
    BMJ 2024;385:e078378.
    """
    if not isinstance(prepared, PreparedCohort):
        raise InputError(f"prepared: expected a vbq.PreparedCohort, got {type(prepared).__name__}")
    filled = _rows_from_model(prepared, model, target, why, measurements, synthetic)
    return tuple(ChecklistRow(section, item, topic, asks, *filled.get(item, (FOR_AUTHOR, "")))
                 for section, item, topic, asks in TRIPOD_AI_ITEMS)


def checklist_frame(rows) -> pd.DataFrame:
    """The rows as a tidy frame (section, item, topic, asks, status, text)."""
    return pd.DataFrame([r.__dict__ for r in rows],
                        columns=["section", "item", "topic", "asks", "status", "text"])

