"""Readings made by accepting suggested ROIs against hand-placed ones (issue 19): how each
reading's ROIs were placed (`reading_placement`), and their agreement by ICC and Bland-Altman
(`suggested_vs_manual_vbq` + `reliability`), as published automatic VBQ was judged."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

import vbq
from vbq.measurements import (
    MeasurementStore,
    ROIMeasurement,
    reading_placement,
    reliability,
    suggested_vs_manual_vbq,
)

LEVELS = ("L1", "L2", "L3", "L4", "CSF")


def reading(pid, observer, session, sources, sis=(300.0, 320.0, 310.0, 330.0), csf=110.0):
    """Five ROIs with their roi_source ("s" suggested, "m" moved, "h" by hand, "-" unknown)."""
    words = {"s": "suggested", "m": "moved", "h": "manual", "-": None}
    values = [*sis, csf]
    return [ROIMeasurement(pid, observer, session, lv, float(v), roi_source=words[c])
            for lv, v, c in zip(LEVELS, values, sources, strict=True)]


@pytest.fixture
def store(tmp_path):
    s = MeasurementStore(tmp_path / "m.sqlite")
    yield s
    s.close()


def test_each_reading_is_classified_by_how_its_rois_were_placed(store):
    store.save(reading("P-01", "AB", 1, "sssss"))  # accepted as suggested
    store.save(reading("P-02", "AB", 1, "sshss"))  # L3 clicked to name the levels, rest accepted
    store.save(reading("P-03", "AB", 1, "hhhhh"))  # by hand
    store.save(reading("P-04", "AB", 1, "ssmss"))  # one suggestion moved
    store.save(reading("P-05", "AB", 1, "shhss"))  # two by hand beside accepted ones
    store.save(reading("P-06", "AB", 1, "ss-ss"))  # an ROI without a source (an old import)
    got = reading_placement(store).set_index("patient_id")
    assert list(got["placement"]) == ["suggestion accepted", "suggestion accepted",
                                      "hand-placed", "suggestion moved", "suggestion moved",
                                      "not recorded"]
    assert got.loc["P-02", ["n_suggested", "n_moved", "n_manual"]].tolist() == [4, 0, 1]
    assert set(got["placement"]) <= set(vbq.measurements.PLACEMENTS)


def test_agreement_of_suggestion_accepted_and_hand_placed_readings(store):
    rng = np.random.default_rng(19)
    for k in range(12):
        pid = f"P-{k:02d}"
        base = rng.normal(320, 30, 4)
        hand = base + rng.normal(0, 6, 4)
        sugg = base + rng.normal(2, 6, 4)
        csf = rng.normal(110, 5)
        store.save(reading(pid, "AB", 1, "hhhhh", tuple(hand), csf))
        store.save(reading(pid, "CD", 2, "sshss", tuple(sugg), csf + rng.normal(0, 2)))
    # one more patient read only by hand: an incomplete target, kept with a blank
    store.save(reading("P-99", "AB", 1, "hhhhh"))
    wide = suggested_vs_manual_vbq(store)
    assert list(wide.columns) == ["patient_id", "suggestion accepted", "hand-placed"]
    assert len(wide) == 13 and wide["suggestion accepted"].isna().sum() == 1
    # VBQ written out: median of L1-L4 over the CSF, each reading's own
    rows = store.load()
    for pid in ("P-00", "P-07"):
        for observer, column in (("AB", "hand-placed"), ("CD", "suggestion accepted")):
            r = rows[(rows["patient_id"] == pid) & (rows["observer"] == observer)]
            si = r.set_index("level")["si_mean"]
            value = statistics.median(si[list(LEVELS[:4])]) / si["CSF"]
            assert wide.set_index("patient_id").loc[pid, column] == pytest.approx(value,
                                                                                 rel=1e-12)
    result = reliability(wide)
    # the same ICC and Bland-Altman as vbq.stats on the complete pairs
    complete = wide.dropna()
    long = vbq.stats.to_long(complete, "patient_id", ["suggestion accepted", "hand-placed"])
    direct = vbq.stats.icc(long, "patient_id", "rater", "rating")
    assert result.icc.form("ICC2").estimate == pytest.approx(direct.form("ICC2").estimate,
                                                             rel=1e-12)
    ba = vbq.stats.bland_altman(complete["suggestion accepted"], complete["hand-placed"])
    assert result.bland_altman.bias == pytest.approx(ba.bias, rel=1e-12)
    assert result.readings == ("suggestion accepted", "hand-placed")


def test_one_reading_per_patient_and_kind_and_a_clear_error_when_a_kind_is_missing(store):
    store.save(reading("P-01", "AB", 2, "sssss", (400.0, 400.0, 400.0, 400.0)))
    store.save(reading("P-01", "AB", 1, "sssss", (300.0, 300.0, 300.0, 300.0)))
    store.save(reading("P-01", "CD", 1, "hhhhh"))
    wide = suggested_vs_manual_vbq(store).set_index("patient_id")
    assert wide.loc["P-01", "suggestion accepted"] == pytest.approx(300.0 / 110.0)  # session 1
    with pytest.raises(vbq.InputError, match="no hand-placed reading by observer AB"):
        suggested_vs_manual_vbq(store, manual_by="AB")
    with pytest.raises(vbq.InputError, match="no suggestion accepted reading"):
        suggested_vs_manual_vbq(pd.concat([store.load()[store.load()["observer"] == "CD"]]))
