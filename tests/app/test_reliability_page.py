"""AppTest of the Reliability page: the ICC shown equals `vbq.stats.icc` on the same numbers
(VBQ recomputed here by its formula from the stored SIs, or the cohort's repeat readings); the
Bland-Altman numbers equal `vbq.stats.bland_altman`; the grouping kappa equals
`vbq.study.grouping_kappa`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vbq
from ui import measure
from vbq.measurements import MeasurementStore, ROIMeasurement
from vbq.stats import bland_altman, icc, to_long

from .conftest import start

PAGE = "app_pages/reliability.py"
READINGS = [("AB", 1), ("AB", 2), ("CD", 1)]


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A database with 12 patients read by AB twice and by CD once (seeded SIs)."""
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    rng = np.random.default_rng(11)
    true = rng.uniform(250, 450, size=(12, 4))
    csf = rng.uniform(90, 130, size=12)
    si = {}
    records = []
    for obs, sess in READINGS:
        noise = rng.normal(0, 12, size=(12, 5))
        for p in range(12):
            values = [*(true[p] + noise[p, :4]), csf[p] + noise[p, 4] / 4]
            si[(obs, sess, p)] = values
            records += [ROIMeasurement(f"P{p:03d}", obs, sess, lv, float(v))
                        for lv, v in zip(("L1", "L2", "L3", "L4", "CSF"), values, strict=True)]
    with MeasurementStore(url) as store:
        store.save(records)
    return si


def vbq_of(si, reading):
    """VBQ by its formula (median of L1-L4 over CSF), written out here."""
    return np.array([np.median(si[(*reading, p)][:4]) / si[(*reading, p)][4] for p in range(12)])


def shown_icc(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "mcgraw_wong" in d.value.columns)


def expected_icc(a, b):
    wide = pd.DataFrame({"patient_id": [f"P{p:03d}" for p in range(12)], "a": a, "b": b})
    return icc(to_long(wide, "patient_id", ["a", "b"]), "patient_id", "rater", "rating")


def test_intra_observer_icc_from_the_database_equals_vbq_stats_icc(db):
    at = start(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="rel_observer").set_value("AB").run()
    assert not at.exception
    a, b = vbq_of(db, ("AB", 1)), vbq_of(db, ("AB", 2))
    exp = expected_icc(a, b).to_frame().set_index("type")
    got = shown_icc(at).set_index("mcgraw_wong")
    for t, mw in (("ICC2", "ICC(A,1)"), ("ICC3", "ICC(C,1)"), ("ICC1", "ICC(1)")):
        assert got.loc[mw, "estimate"] == pytest.approx(exp.loc[t, "estimate"], rel=1e-10)
        assert got.loc[mw, "ci_low"] == pytest.approx(exp.loc[t, "ci_low"], rel=1e-10)
    # the default form, ICC(2,1), in the metric
    m = {x.label: x.value for x in at.metric}
    assert m["ICC(2,1)"] == f"{exp.loc['ICC2', 'estimate']:.3f}"
    ba = bland_altman(a, b)
    table = next(d.value for d in at.dataframe if "CI low" in d.value.columns
                 and "value" in d.value.columns).set_index("")
    assert table.loc["Bias (mean difference)", "value"] == pytest.approx(ba.bias, rel=1e-10)
    assert table.loc["Lower limit of agreement", "CI low"] == pytest.approx(ba.loa_low_ci[0],
                                                                            rel=1e-10)
    assert len(at.get("plotly_chart")) == 1


def test_inter_observer_icc_from_the_database(db):
    at = start(PAGE)
    at.radio(key="rel_comparison").set_value("Inter-observer (two observers)").run()
    assert not at.exception
    at.selectbox(key="rel_form").set_value("ICC3").run()
    exp = expected_icc(vbq_of(db, ("AB", 1)), vbq_of(db, ("CD", 1))).form("ICC3")
    m = {x.label: x.value for x in at.metric}
    assert m["ICC(3,1)"] == f"{exp.estimate:.3f}"
    assert m["95% CI"] == f"{exp.ci_low:.3f} to {exp.ci_high:.3f}"


def test_the_cohort_spreadsheet_source_and_the_grouping_kappa(tmp_path, monkeypatch, demo):
    monkeypatch.setenv(measure.URL_ENV, f"sqlite:///{tmp_path / 'empty.sqlite'}")
    at = start(PAGE)
    assert any("database is empty" in i.value for i in at.info)
    at.radio(key="rel_source").set_value("Cohort spreadsheet (repeat columns)").run()
    assert not at.exception
    table = vbq.prepare_cohort(*demo).table
    exp = icc(to_long(table, "patient_id", ["vbq", "vbq_repeat"]), "patient_id", "rater",
              "rating").form("ICC2")
    got = shown_icc(at).set_index("mcgraw_wong").loc["ICC(A,1)"]
    assert got["estimate"] == pytest.approx(exp.estimate, rel=1e-10)
    assert got["ci_high"] == pytest.approx(exp.ci_high, rel=1e-10)
    kappas = vbq.study.grouping_kappa(demo[0])
    shown = next(d.value for d in at.dataframe if "kappa" in d.value.columns)
    assert shown["kappa"].tolist() == pytest.approx([kappas[k].estimate for k in kappas])
