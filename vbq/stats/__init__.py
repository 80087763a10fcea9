"""Statistics of the study: one module per area, re-exported here for notebook use.

``vbq.stats.roc_analysis``, ``vbq.stats.icc``, ``vbq.stats.ancova`` ... are the public names; the
modules hold the implementations and their references:

* `roc`: ROC analysis, DeLong CIs and tests, cutoffs and their rounding, grey zone, combined
  markers
* `agreement`: ICC (Shrout & Fleiss) and Cohen's kappa
* `groups`: Table 2 comparisons, ANCOVA, Table 5 (Modic)
* `correlation`: Pearson and Spearman with CIs, Fisher z comparison, Table 3
* `prevalence`: prevalence by DXA vs VBQ, reclassification
"""

from .agreement import ICCResult, KappaResult, cohen_kappa, icc, to_long
from .bland_altman import BlandAltmanResult, bland_altman
from .correlation import (
    CorrelationDifference,
    CorrelationResult,
    compare_correlations,
    correlation_table,
    pearson,
    spearman,
    strength_label,
)
from .groups import (
    AncovaResult,
    CategoricalComparison,
    ContinuousComparison,
    GroupComparison,
    ModicTable,
    ancova,
    compare_categorical,
    compare_continuous,
    compare_groups,
    modic_table,
)
from .prevalence import (
    PrevalenceBy,
    PrevalenceShift,
    Reclassification,
    prevalence_by,
    prevalence_shift,
    reclassification,
)
from .roc import (
    BootstrapCutoffResult,
    CombinedMarkerResult,
    CutoffMetrics,
    DeLongTestResult,
    DeLongUnpairedResult,
    GreyZoneResult,
    MarkerComparison,
    PredictiveValues,
    ROCResult,
    bootstrap_cutoff,
    combined_marker,
    compare_markers,
    delong_test,
    delong_test_unpaired,
    grey_zone,
    roc_analysis,
    round_cutoff,
)

__all__ = [
    # roc
    "roc_analysis", "delong_test", "delong_test_unpaired", "compare_markers", "bootstrap_cutoff",
    "grey_zone", "combined_marker", "round_cutoff", "ROCResult", "CutoffMetrics", "PredictiveValues",
    "DeLongTestResult", "DeLongUnpairedResult", "MarkerComparison", "BootstrapCutoffResult",
    "GreyZoneResult", "CombinedMarkerResult",
    # agreement
    "icc", "to_long", "cohen_kappa", "ICCResult", "KappaResult",
    # bland_altman
    "bland_altman", "BlandAltmanResult",
    # groups
    "ancova", "compare_continuous", "compare_categorical", "compare_groups", "modic_table",
    "AncovaResult", "ContinuousComparison", "CategoricalComparison", "GroupComparison",
    "ModicTable",
    # correlation
    "pearson", "spearman", "strength_label", "compare_correlations", "correlation_table",
    "CorrelationResult", "CorrelationDifference",
    # prevalence
    "prevalence_shift", "prevalence_by", "reclassification", "PrevalenceShift", "PrevalenceBy",
    "Reclassification",
]
