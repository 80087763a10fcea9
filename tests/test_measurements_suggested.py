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


# --------------------------------------------------------------------------------------------
# a store is queried, never loaded whole (issue 18: Reliability on a lab server)


def _lab_store(store, n_patients=60, seed=18):
    """About 300 readings: four observers, two sessions, each reading placed one of five ways
    (accepted, L3 clicked then accepted, by hand, moved, not recorded), some levels collapsed
    and some readings without a CSF (no VBQ), so every branch of the choice is taken."""
    rng = np.random.default_rng(seed)
    ways = ("sssss", "sshss", "hhhhh", "ssmss", "ss-ss")
    records = []
    for k in range(n_patients):
        base = rng.normal(320, 30, 4)
        for observer in ("AB", "CD", "EF", "GH"):
            for session in (1, 2):
                if rng.random() < 0.35:
                    continue
                sources = ways[rng.integers(len(ways))]
                values = [*(base + rng.normal(0, 8, 4)), rng.normal(110, 4)]
                levels = LEVELS if rng.random() > 0.05 else LEVELS[:4]
                records += [ROIMeasurement(f"P-{k:03d}", observer, session, lv, float(v),
                                           roi_source={"s": "suggested", "m": "moved",
                                                       "h": "manual", "-": None}[c],
                                           excluded=bool(lv == "L2" and rng.random() < 0.1))
                            for lv, v, c in zip(LEVELS, values, sources, strict=True)
                            if lv in levels]
    store.save(records)


def _oracle(table, kind_by):
    """The comparison written out: each reading's placement from its ROIs' sources, then per
    patient and kind the earliest session's reading (then the first observer's), its VBQ the
    median of its non-collapsed L1-L4 over its CSF (at least 3 levels), NaN otherwise."""
    out = {}
    for (pid, obs, sess), r in table.groupby(["patient_id", "observer", "session"]):
        src = r["roi_source"].tolist()
        if any(s is None or (isinstance(s, float) and np.isnan(s)) for s in src):
            kind = "not recorded"
        elif src.count("suggested") + src.count("moved") == 0:
            kind = "hand-placed"
        elif src.count("moved") == 0 and src.count("manual") <= 1:
            kind = "suggestion accepted"
        else:
            kind = "suggestion moved"
        if kind not in kind_by or kind_by[kind] not in (None, obs):
            continue
        si = r.set_index("level")
        usable = [si.loc[lv, "si_mean"] for lv in LEVELS[:4]
                  if lv in si.index and not si.loc[lv, "excluded"]]
        value = (statistics.median(usable) / si.loc["CSF", "si_mean"]
                 if "CSF" in si.index and len(usable) >= 3 else np.nan)
        best = out.setdefault(kind, {}).get(pid)
        if best is None or (sess, obs) < best[0]:
            out[kind][pid] = ((sess, obs), value)
    patients = sorted(set(out.get("suggestion accepted", {})) | set(out.get("hand-placed", {})))
    return pd.DataFrame({"patient_id": patients, **{
        kind: [out.get(kind, {}).get(p, (None, np.nan))[1] for p in patients]
        for kind in ("suggestion accepted", "hand-placed")}})


@pytest.mark.parametrize("suggested_by, manual_by", [(None, None), ("CD", "AB"), (None, "EF")])
def test_the_queried_comparison_gives_the_numbers_of_the_loaded_one(store, monkeypatch,
                                                                    suggested_by, manual_by):
    import vbq.measurements._store as store_module

    _lab_store(store)
    table = store.load()
    assert 250 <= table.groupby(["patient_id", "observer", "session"]).ngroups <= 400
    loaded = suggested_vs_manual_vbq(table, suggested_by=suggested_by, manual_by=manual_by)
    placements = reading_placement(table)

    def no_load(*args, **kwargs):
        raise AssertionError("the store was loaded")

    monkeypatch.setattr(MeasurementStore, "load", no_load)
    monkeypatch.setattr(store_module, "_CHUNK", 7)  # the chosen readings asked 7 at a time
    queried = suggested_vs_manual_vbq(store, suggested_by=suggested_by, manual_by=manual_by)
    pd.testing.assert_frame_equal(queried, loaded)
    pd.testing.assert_frame_equal(reading_placement(store), placements)
    oracle = _oracle(table, {"suggestion accepted": suggested_by, "hand-placed": manual_by})
    pd.testing.assert_frame_equal(queried, oracle, check_dtype=False)
    a, b = reliability(queried), reliability(loaded)
    for form in ("ICC1", "ICC2", "ICC3"):
        assert a.icc.form(form).estimate == b.icc.form(form).estimate
    assert (a.bland_altman.bias, a.bland_altman.loa_low) == (b.bland_altman.bias,
                                                             b.bland_altman.loa_low)


def test_the_queried_comparison_reads_only_the_chosen_readings(store):
    # every statement is recorded: the placements are one GROUP BY, then only the chosen
    # readings' VBQ fields are selected (by key), never every column of every row
    import sqlalchemy as sa

    _lab_store(store, n_patients=20)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        wide = suggested_vs_manual_vbq(store)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    rois = [s for s, _ in statements if "vbq_roi_measurements" in s]
    assert len(rois) == 2 and "GROUP BY" in rois[0]
    assert "WHERE" in rois[1] and "si_mean" in rois[1] and "manufacturer" not in rois[1]
    chosen = wide[["suggestion accepted", "hand-placed"]].notna().sum().sum()
    assert len(statements[-1][1]) <= 3 * 2 * len(wide) and chosen > 0
