"""Every public statistic refuses the same bad arguments the same way (issue 12): `InputError`
whose message names the parameter. One table below lists a valid call of each public function of
`vbq.stats`; each check breaks one argument of that call. A public function missing from the
table fails `test_every_public_statistic_is_covered`."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from vbq import stats
from vbq.errors import InputError
from vbq.stats import _validation as v

RNG = np.random.default_rng(12)
N = 40
Y = np.tile([0, 1], N // 2)
SCORE = Y + RNG.normal(0, 1, N)
SCORE_B = Y + RNG.normal(0, 1, N)
FRAME = pd.DataFrame({
    "group": np.repeat(["degenerative", "control"], N // 2),
    "age": RNG.normal(60, 8, N),
    "vbq": SCORE + 3,
    "hu": RNG.normal(120, 30, N),
    "sex": np.tile(["F", "M", "F", "F"], N // 4),
    "dxa_status": np.tile(["normal", "osteopenia", "osteoporosis", "osteoporosis"], N // 4),
    "vbq_status": np.tile(["osteoporosis", "normal", "osteopenia", "osteoporosis"], N // 4),
    "modic_type": np.tile(["1", "2", "none", "3"], N // 4),
    "modic_levels": np.tile([1, 2, 0, 1], N // 4),
    "modic_grade": np.tile(["A", "B", None, "C"], N // 4),
    "id": np.arange(N),
})
LONG = stats.to_long(FRAME.assign(vbq2=FRAME["vbq"] + RNG.normal(0, 0.1, N)), "id",
                     ["vbq", "vbq2"])
LABELS_A = np.tile(["yes", "no", "no", "yes"], N // 4)
LABELS_B = np.tile(["yes", "no", "yes", "yes"], N // 4)

# name -> (args, kwargs, array parameters that must be 1-D and as long as the first one)
CALLS: dict[str, tuple[tuple, dict, tuple[str, ...]]] = {
    "roc_analysis": ((), {"y_true": Y, "score": SCORE}, ("y_true", "score")),
    "delong_test": ((), {"y_true": Y, "score_a": SCORE, "score_b": SCORE_B},
                    ("y_true", "score_a", "score_b")),
    "delong_test_unpaired": ((), {"y_a": Y, "score_a": SCORE, "y_b": Y, "score_b": SCORE_B},
                             ("y_a", "score_a")),
    "compare_markers": ((Y, {"a": SCORE, "b": SCORE_B}),
                        {"higher_is_positive": {"a": True, "b": True}}, ()),
    "bootstrap_cutoff": ((), {"y_true": Y, "score": SCORE, "n_boot": 20}, ("y_true", "score")),
    "grey_zone": ((), {"y_true": Y, "score": SCORE, "rule_out": 0.0, "rule_in": 1.0},
                  ("y_true", "score")),
    "combined_marker": ((), {"y_true": Y, "X": FRAME[["age", "vbq"]], "n_splits": 3},
                        ("y_true",)),
    "icc": ((LONG, "id", "rater", "rating"), {}, ()),
    "to_long": ((FRAME, "id", ["vbq", "hu"]), {}, ()),
    "cohen_kappa": ((), {"a": LABELS_A, "b": LABELS_B}, ("a", "b")),
    "bland_altman": ((), {"a": SCORE, "b": SCORE_B}, ("a", "b")),
    "ancova": ((FRAME, "vbq", "group", ["age"]), {}, ()),
    "compare_continuous": ((FRAME, "vbq", "group"), {}, ()),
    "compare_categorical": ((FRAME, "sex", "group"), {}, ()),
    "compare_groups": ((FRAME,), {"continuous": ["vbq"], "categorical": ["sex"]}, ()),
    "modic_table": ((FRAME,), {}, ()),
    "pearson": ((), {"x": SCORE, "y": SCORE_B}, ("x", "y")),
    "spearman": ((), {"x": SCORE, "y": SCORE_B}, ("x", "y")),
    "strength_label": ((0.4,), {}, ()),
    "compare_correlations": ((0.5, 40, 0.3, 50), {}, ()),
    "correlation_table": ((FRAME, "vbq", ["hu"]), {"by": "group"}, ()),
    "prevalence_shift": ((FRAME,), {}, ()),
    "prevalence_by": ((FRAME, "sex"), {}, ()),
    "reclassification": ((FRAME,), {}, ()),
    "round_cutoff": ((2.83,), {}, ()),
    # issue 20: sample sizes and decision curves
    "sample_size_accuracy": ((0.93, 0.654), {"half_width": 0.07, "prevalence": 0.3}, ()),
    "sample_size_auc": ((0.8,), {}, ()),
    "sample_size_auc_difference": ((0.8, 0.7), {"correlation": 0.4}, ()),
    "sample_size_prediction_model": ((0.8, 0.25, 4), {}, ()),
    "net_benefit": ((), {"y_true": Y, "risk": 1 / (1 + np.exp(-SCORE)),
                         "thresholds": [0.1, 0.2]}, ("y_true", "risk")),
    "decision_curve": ((), {"y_true": Y, "strategies": {"test": SCORE > 0.5},
                            "thresholds": [0.1, 0.2], "n_boot": 100}, ("y_true",)),
    # (sex is not among them: in FRAME every man has y = 1, a separation)
    "risk_model": ((), {"y_true": Y, "X": FRAME[["age", "vbq"]]}, ("y_true",)),
}


def _public_functions() -> list[str]:
    return sorted(name for name in stats.__all__
                  if callable(getattr(stats, name)) and not inspect.isclass(getattr(stats, name)))


def _call(name: str, **override):
    args, kwargs, _ = CALLS[name]
    return getattr(stats, name)(*args, **{**kwargs, **override})


def test_every_public_statistic_is_covered():
    assert sorted(CALLS) == _public_functions()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_valid_call_runs(name):
    # the baseline each check below breaks in one place must itself give a result
    res = _call(name)
    if isinstance(res, str | float):  # strength_label, round_cutoff
        assert res in ("moderate", 2.9)
        return
    frame = res if isinstance(res, pd.DataFrame) else res.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    if hasattr(res, "summary"):
        assert res.summary().strip()


WITH_CONFIDENCE = sorted(n for n in CALLS
                         if "confidence" in inspect.signature(getattr(stats, n)).parameters)


def test_confidence_is_checked_where_it_exists():
    assert len(WITH_CONFIDENCE) >= 15


@pytest.mark.parametrize("bad", ["0.9", 1.5, 0.0, 1.0, -0.2, float("nan"), None, True])
@pytest.mark.parametrize("name", WITH_CONFIDENCE)
def test_bad_confidence(name, bad):
    with pytest.raises(InputError, match=r"^confidence: expected a number in \(0, 1\)"):
        _call(name, confidence=bad)


ARRAY_CASES = [(n, p) for n in sorted(CALLS) for p in CALLS[n][2]]


@pytest.mark.parametrize(("name", "param"), ARRAY_CASES)
def test_two_dimensional_array(name, param):
    value = CALLS[name][1][param]
    two_d = np.column_stack([value, value])
    with pytest.raises(InputError, match=rf"^{param}: expected a one-dimensional array"):
        _call(name, **{param: two_d})


@pytest.mark.parametrize(("name", "param"), [(n, p) for n, p in ARRAY_CASES
                                             if p != CALLS[n][2][0]])
def test_mismatched_length(name, param):
    value = CALLS[name][1][param]
    with pytest.raises(InputError, match=rf"^{param}: expected the same length as "):
        _call(name, **{param: value[:-3]})


FRAME_FUNCTIONS = sorted(n for n in CALLS if CALLS[n][0] and isinstance(CALLS[n][0][0],
                                                                      pd.DataFrame))


@pytest.mark.parametrize("name", FRAME_FUNCTIONS)
def test_data_not_a_frame(name):
    args, kwargs, _ = CALLS[name]
    with pytest.raises(InputError, match="DataFrame"):
        getattr(stats, name)(args[0].to_numpy(), *args[1:], **kwargs)


@pytest.mark.parametrize("name", FRAME_FUNCTIONS)
def test_data_missing_a_column(name):
    args, kwargs, _ = CALLS[name]
    used = {a for a in args[1:] if isinstance(a, str)} | {"group", "modic_type", "dxa_status",
                                                          "rating"}
    thin = args[0].drop(columns=[c for c in args[0].columns if c in used])
    with pytest.raises(InputError, match="column"):
        getattr(stats, name)(thin, *args[1:], **kwargs)


@pytest.mark.parametrize("bad", ["0.5", 1.5, float("nan")])
def test_correlation_arguments(bad):
    with pytest.raises(InputError, match="^r1: "):
        stats.compare_correlations(bad, 40, 0.3, 50)
    with pytest.raises(InputError, match="^n2: "):
        stats.compare_correlations(0.5, 40, 0.3, bad)


@pytest.mark.parametrize(("name", "option", "bad"), [
    ("roc_analysis", "higher_is_positive", 1),
    ("roc_analysis", "ci", "wald"),
    ("bootstrap_cutoff", "n_boot", 1.5),
    ("bootstrap_cutoff", "seed", -1),
    ("combined_marker", "n_splits", True),
    ("risk_model", "n_boot", 199),
    ("risk_model", "seed", -1),
    ("compare_continuous", "equal_var", "yes"),
    ("compare_categorical", "test", "g-test"),
    ("compare_categorical", "correction", 1),
    ("ancova", "ss_type", 4),
    ("correlation_table", "method", "kendall"),
    ("grey_zone", "rule_in", "3"),
    ("round_cutoff", "decimals", -1),
    ("round_cutoff", "higher_is_positive", None),
])
def test_bad_option_names_the_parameter(name, option, bad):
    with pytest.raises(InputError, match=rf"^{option}: expected "):
        _call(name, **{option: bad})


def test_as_float_1d_conversions():
    assert v.as_float_1d(pd.Series([1, None, 3], dtype="Int64"), "x").tolist()[::2] == [1.0, 3.0]
    assert np.isnan(v.as_float_1d([1, None, "2.5"], "x")[1])
    assert v.as_float_1d(["2.5", "3"], "x").tolist() == [2.5, 3.0]
    assert v.as_float_1d(np.array([True, False]), "x").tolist() == [1.0, 0.0]
    with pytest.raises(InputError, match="^x: expected numbers"):
        v.as_float_1d(pd.Series(pd.date_range("2020", periods=3)), "x")
    with pytest.raises(InputError, match="^x: expected numbers"):
        v.as_float_1d(["a", "b"], "x")
    with pytest.raises(InputError, match="^x: expected a one-dimensional"):
        v.as_float_1d(3.0, "x")
    with pytest.raises(InputError, match="^x: expected a one-dimensional"):
        v.as_float_1d(pd.DataFrame({"a": [1.0]}), "x")


def test_complete_cases_counts_what_it_leaves_out():
    keep, n_missing = v.complete_cases(np.array([1.0, np.nan, 3.0, 4.0]),
                                       np.array([1.0, 2.0, np.nan, 4.0]))
    assert keep.tolist() == [True, False, False, True] and n_missing == 2


def test_group_codes_order_rules():
    codes, labels = v.group_codes(pd.Series(["b", "a", None, "b"]), None, "g")
    assert labels == ("a", "b") and codes.tolist() == [1, 0, -1, 1]
    codes, labels = v.group_codes(pd.Series(["b", "a"]), ["b", "a", "c"], "g")
    assert labels == ("b", "a", "c") and codes.tolist() == [0, 1]
    cat = pd.Series(pd.Categorical(["x", "y"], categories=["y", "x", "z"]))
    assert v.group_codes(cat, None, "g")[1] == ("y", "x")
    with pytest.raises(InputError, match="not in order"):
        v.group_codes(pd.Series(["a", "d"]), ["a"], "g")
    with pytest.raises(InputError, match="string"):
        v.group_codes(pd.Series(["a"]), "a", "g")
