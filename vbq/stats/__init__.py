"""Statistics of the study: one module per area, re-exported here for notebook use.

``vbq.stats.roc_analysis``, ``vbq.stats.icc``, ``vbq.stats.ancova`` ... are the public names; the
modules hold the implementations and their references:

* `roc`: ROC analysis (curve, AUC with DeLong or bootstrap CI, Youden cutoff) and cutoff rounding
* `delong`: DeLong comparisons of AUCs (paired, unpaired, several markers)
* `cutoffs`: bootstrap of the Youden cutoff, grey zone
* `combined`: a logistic combination of markers with a cross-validated AUC
* `agreement`: ICC (Shrout & Fleiss) and Cohen's kappa
* `bland_altman`: bias and limits of agreement
* `groups`: Table 2 comparisons, ANCOVA, Table 5 (Modic)
* `correlation`: Pearson and Spearman with CIs, Fisher z comparison, Table 3
* `prevalence`: prevalence by DXA vs VBQ, reclassification
* `sample_size`: sample sizes for accuracy, AUC and prediction-model studies
* `decision`: net benefit and decision curves (Vickers & Elkin)
* `risk`: a clinical prediction model (logistic) with bootstrap validation and calibration

Importing ``vbq.stats`` is cheap: a module (with scipy and statsmodels behind it) is imported the
first time one of its names is used (PEP 562 module ``__getattr__``); ``__all__`` and ``dir()``
list every public name from the start.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

# public name -> the module of vbq.stats that defines it (one source for __all__ and the lookup)
_WHERE = {
    # roc, delong, cutoffs, combined (one block, in the order of vbq.stats.__all__ before the split)
    "roc_analysis": "roc", "delong_test": "delong", "delong_test_unpaired": "delong",
    "compare_markers": "delong", "bootstrap_cutoff": "cutoffs", "grey_zone": "cutoffs",
    "combined_marker": "combined", "round_cutoff": "roc", "ROCResult": "roc",
    "CutoffMetrics": "roc", "PredictiveValues": "roc", "DeLongTestResult": "delong",
    "DeLongUnpairedResult": "delong", "MarkerComparison": "delong",
    "BootstrapCutoffResult": "cutoffs", "GreyZoneResult": "cutoffs",
    "CombinedMarkerResult": "combined",
    # agreement
    "icc": "agreement", "to_long": "agreement", "cohen_kappa": "agreement",
    "ICCResult": "agreement", "KappaResult": "agreement",
    # bland_altman
    "bland_altman": "bland_altman", "BlandAltmanResult": "bland_altman",
    # groups
    "ancova": "groups", "compare_continuous": "groups", "compare_categorical": "groups",
    "compare_groups": "groups", "modic_table": "groups", "AncovaResult": "groups",
    "ContinuousComparison": "groups", "CategoricalComparison": "groups",
    "GroupComparison": "groups", "ModicTable": "groups",
    # correlation
    "pearson": "correlation", "spearman": "correlation", "strength_label": "correlation",
    "compare_correlations": "correlation", "correlation_table": "correlation",
    "CorrelationResult": "correlation", "CorrelationDifference": "correlation",
    # prevalence
    "prevalence_shift": "prevalence", "prevalence_by": "prevalence",
    "reclassification": "prevalence", "PrevalenceShift": "prevalence",
    "PrevalenceBy": "prevalence", "Reclassification": "prevalence",
    # sample_size
    "sample_size_accuracy": "sample_size", "sample_size_auc": "sample_size",
    "sample_size_auc_difference": "sample_size", "sample_size_prediction_model": "sample_size",
    "AccuracySampleSize": "sample_size", "AUCSampleSize": "sample_size",
    "AUCDifferenceSampleSize": "sample_size", "PredictionModelSampleSize": "sample_size",
    # decision
    "net_benefit": "decision", "decision_curve": "decision", "DecisionCurveResult": "decision",
    # risk
    "risk_model": "risk", "RiskModelResult": "risk",
}

__all__ = list(_WHERE)

if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names come from __getattr__
    from .agreement import ICCResult, KappaResult, cohen_kappa, icc, to_long  # noqa: F401
    from .bland_altman import BlandAltmanResult, bland_altman  # noqa: F401
    from .combined import CombinedMarkerResult, combined_marker  # noqa: F401
    from .correlation import (  # noqa: F401
        CorrelationDifference,
        CorrelationResult,
        compare_correlations,
        correlation_table,
        pearson,
        spearman,
        strength_label,
    )
    from .cutoffs import (  # noqa: F401
        BootstrapCutoffResult,
        GreyZoneResult,
        bootstrap_cutoff,
        grey_zone,
    )
    from .decision import DecisionCurveResult, decision_curve, net_benefit  # noqa: F401
    from .delong import (  # noqa: F401
        DeLongTestResult,
        DeLongUnpairedResult,
        MarkerComparison,
        compare_markers,
        delong_test,
        delong_test_unpaired,
    )
    from .groups import (  # noqa: F401
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
    from .prevalence import (  # noqa: F401
        PrevalenceBy,
        PrevalenceShift,
        Reclassification,
        prevalence_by,
        prevalence_shift,
        reclassification,
    )
    from .risk import RiskModelResult, risk_model  # noqa: F401
    from .roc import (  # noqa: F401
        CutoffMetrics,
        PredictiveValues,
        ROCResult,
        roc_analysis,
        round_cutoff,
    )
    from .sample_size import (  # noqa: F401
        AccuracySampleSize,
        AUCDifferenceSampleSize,
        AUCSampleSize,
        PredictionModelSampleSize,
        sample_size_accuracy,
        sample_size_auc,
        sample_size_auc_difference,
        sample_size_prediction_model,
    )


def __getattr__(name: str):
    """Import the module that defines `name` on first use and keep the name here."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _StatsPackage(types.ModuleType):
    """`vbq.stats` itself. When a submodule is imported, the import system binds it on the
    package under its own name; for `bland_altman` (module and function of one name) that would
    hide the function, so the public name is bound instead, as the eager imports always did."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _StatsPackage
