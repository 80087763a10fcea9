"""The names issues call public are a contract with notebook users: they must exist, with these
signatures and result attributes."""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import vbq


def _kwonly(func) -> set[str]:
    return {p.name for p in inspect.signature(func).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY}


def test_top_level_names():
    for name in ("prepare_cohort", "PreparedCohort", "exclusion_log", "Settings", "GroupCriteria", "InputError",
                 "DegenerateInputError", "io", "demo", "stats", "study", "present", "export"):
        assert hasattr(vbq, name), name
    assert issubclass(vbq.io.InputError, ValueError)
    assert callable(vbq.io.load_cohort) and callable(vbq.io.load_dxa)
    assert callable(vbq.demo.load)


def test_stats_signatures():
    s = vbq.stats
    assert {"higher_is_positive", "ci", "confidence"} <= _kwonly(s.roc_analysis)
    assert "higher_is_positive" in _kwonly(s.delong_test)
    assert list(inspect.signature(s.icc).parameters)[:4] == ["data", "targets", "raters",
                                                            "ratings"]
    assert list(inspect.signature(s.ancova).parameters)[:4] == ["data", "dv", "between",
                                                               "covariates"]
    assert "weights" in inspect.signature(s.cohen_kappa).parameters


def test_result_attributes():
    rng = np.random.default_rng(0)
    y = rng.random(60) < 0.4
    score = y + rng.normal(0, 1, 60)
    r = vbq.stats.roc_analysis(y, score)
    for attr in ("auc", "auc_ci", "cutoff", "sensitivity", "specificity", "ppv", "npv"):
        assert hasattr(r, attr), attr
    assert len(r.auc_ci) == 2
    t = vbq.stats.delong_test(y, score, score + rng.normal(0, 1, 60))
    assert hasattr(t, "z") and hasattr(t, "p_value")
    other = score + rng.normal(0, 1, 60)
    c = vbq.stats.pearson(score, other)
    assert c.r == c.estimate and c.ci == (c.ci_low, c.ci_high)
    ref = stats.pearsonr(score, other)  # scipy: the same r and t-test p
    assert (c.r, c.p_value) == pytest.approx((ref.statistic, ref.pvalue), abs=1e-12)
    assert c.n == 60 and c.n_missing == 0
    assert c.strength == vbq.stats.strength_label(c.r)
    data = pd.DataFrame({"g": ["a", "b"] * 30, "age": rng.normal(60, 8, 60), "v": score})
    a = vbq.stats.ancova(data, "v", "g", ["age"]).to_frame()
    assert {"statistic", "p_value"} <= set(a.columns)


def test_usage_study_block_runs_on_the_demo():
    # docs/usage.md's `vbq.study` example is executed as written, on the demo
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text()
    section = readme.split("### The study's tables: `vbq.study`", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    cohort, dxa = vbq.demo.load()
    prepared = vbq.prepare_cohort(cohort, dxa)
    scope = {"vbq": vbq, "cohort": cohort, "prepared": prepared, "table": prepared.table}
    exec(compile(code, "docs/usage.md", "exec"), scope)  # our own documentation, run as written
    assert scope["thr"] == prepared.thresholds.vbq_osteoporosis


def test_suggest_rois_signature_and_result():
    # issue 19: suggest_rois(series, *, slice_index=None, anchor=None), re-exported from imaging
    from vbq import imaging
    from vbq.imaging._suggest import suggest_rois

    assert imaging.suggest_rois is suggest_rois and "suggest_rois" in imaging.__all__
    params = inspect.signature(imaging.suggest_rois).parameters
    assert list(params) == ["series", "slice_index", "anchor"]
    assert _kwonly(imaging.suggest_rois) == {"slice_index", "anchor"}
    assert params["slice_index"].default is None and params["anchor"].default is None
    fields = {f.name for f in dataclasses.fields(imaging.SuggestedRois)}
    assert {"slice_index", "centres", "radii_mm", "confidence", "reasons"} <= fields
