"""What a reader sees: labels, numbers and the study's tables as a journal prints them.

The one presentation layer of VBQ Explorer. The pages, the HTML report, the Word document, the
command line and every CSV/XLSX export format their tables here, so a table looks the same
everywhere. Nothing here computes a statistic: each formatter takes a result of `vbq.study` or
`vbq.stats` (at full precision) and returns a `FormattedTable`.

Conventions (the paper's, Chen et al. 2023, where it has one):

* variables by their data-dictionary label with the unit, "BMI (kg/m²)" (`vbq.schema.Column`);
* mean ± SD to the variable's decimals (`vbq.schema.Column.decimals`); n (%) with percentages to
  one decimal; a yes/no variable as one row, n (%) of "yes"; sex as one row, female n (%);
* p to three decimals, "< 0.001" below that; one p per comparison, on the variable's row; the
  test behind each p as a superscript letter explained in a footnote;
* confidence intervals as "low to high"; negative numbers with a true minus sign (U+2212);
  "–" (en dash) where a value does not apply or could not be computed (a footnote says why).

A `FormattedTable` holds both forms of a table: ``shown`` (strings, human headers: what a
manuscript prints) and ``data`` (tidy, full precision, snake_case columns: what an analysis
reads). `vbq.export` writes either form to CSV, XLSX or Word.

The package is split by the kind of table, each a private module (``_format`` the result, labels
and numbers; ``_tables`` Tables 1-5; ``_reliability``; ``_prevalence``; ``_roc``; ``_scanners``
the analyses by field strength; ``_risk`` the risk model; ``_beyond`` decision curves and sample
sizes; ``_data`` the
Data and Groups pages; ``_study`` every table of the study at once); the public names are
re-exported here and only here.
"""

from ._beyond import decision_table, difference_table, sample_size_table, strategy_label
from ._data import cohort_summary_table, degeneration_table, exclusion_table, problems_table
from ._format import (
    NOT_APPLICABLE,
    FormattedTable,
    format_ci,
    format_count_percent,
    format_cutoff,
    format_mean_sd,
    format_number,
    format_p,
    format_percent,
    group_label,
    label,
    labelled,
    marker_label,
    message,
    target_label,
    value_label,
)
from ._prevalence import (
    breakdown_table,
    grey_zone_table,
    prevalence_against_paper_table,
    prevalence_table,
    reclassification_table,
)
from ._reliability import (
    RELIABILITY_MIN_PATIENTS,
    bland_altman_table,
    icc_table,
    kappa_table,
    reliability_caution,
    reliability_missing,
    reliability_reason,
    reliability_too_few,
)
from ._risk import (
    risk_ci_text,
    risk_coefficients_table,
    risk_performance_table,
    risk_prediction_text,
    risk_ranges_text,
    risk_sample_size_text,
    risk_term_label,
    tripod_checklist_table,
)
from ._roc import auc_comparison_table, bootstrap_cutoff_table, predictive_values_table
from ._scanners import field_strength_roc_table, meta_analysis_table, published_thresholds_table
from ._study import study_tables
from ._tables import table1, table2, table3, table4, table5

__all__ = [
    "FormattedTable",
    "NOT_APPLICABLE",
    "label",
    "value_label",
    "group_label",
    "marker_label",
    "target_label",
    "format_number",
    "format_p",
    "format_percent",
    "format_ci",
    "format_cutoff",
    "format_mean_sd",
    "format_count_percent",
    "table1",
    "table2",
    "table3",
    "table4",
    "table5",
    "kappa_table",
    "icc_table",
    "bland_altman_table",
    "RELIABILITY_MIN_PATIENTS",
    "reliability_too_few",
    "reliability_caution",
    "reliability_missing",
    "reliability_reason",
    "prevalence_table",
    "prevalence_against_paper_table",
    "breakdown_table",
    "reclassification_table",
    "grey_zone_table",
    "predictive_values_table",
    "auc_comparison_table",
    "bootstrap_cutoff_table",
    "field_strength_roc_table",
    "published_thresholds_table",
    "meta_analysis_table",
    "exclusion_table",
    "problems_table",
    "degeneration_table",
    "cohort_summary_table",
    "labelled",
    "message",
    "study_tables",
    "strategy_label",
    "decision_table",
    "difference_table",
    "sample_size_table",
    "risk_term_label",
    "risk_coefficients_table",
    "risk_performance_table",
    "risk_sample_size_text",
    "risk_prediction_text",
    "risk_ci_text",
    "risk_ranges_text",
    "tripod_checklist_table",
]
