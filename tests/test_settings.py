"""vbq.settings: validation and exact round trips through JSON and URL query parameters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vbq
from vbq import InputError, Settings
from vbq.settings import DXA_SITES


def test_defaults_are_the_papers():
    s = vbq.Settings()
    c = s.criteria
    assert (c.facet_min, c.genant_min, c.ucla_min, c.osteophyte_dirs, c.osteophyte_min_mm,
            c.min_vertebrae, c.levels) == (2, 2, 3, ("C", "D", "E"), 2.0, 3,
                                           ("L1", "L2", "L3", "L4"))
    assert (s.dxa_site, s.osteoporosis_t, s.osteopenia_t) == ("lowest", -2.5, -1.0)
    assert (s.vbq_osteopenia, s.vbq_osteoporosis) == (None, None)  # derived, as the paper did
    assert vbq.settings.PAPER_THRESHOLDS == {"vbq_osteopenia": 2.6, "vbq_osteoporosis": 2.9}
    assert s.to_query() == {}
    assert s == vbq.PAPER_SETTINGS and hash(s) == hash(vbq.Settings())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"dxa_site": "spine"}, "dxa_site: expected one of"),
        ({"osteoporosis_t": -1.0, "osteopenia_t": -2.5}, "osteoporosis_t must be below"),
        ({"vbq_osteopenia": 3.0, "vbq_osteoporosis": 2.9}, "vbq_osteopenia must not exceed"),
        ({"sexes": ("X",)}, "sexes: expected F and/or M"),
        ({"age_min": 70, "age_max": 60}, "age_min"),
        ({"min_vbq_levels": 0}, "min_vbq_levels: expected an integer from 1 to 4"),
    ],
)
def test_invalid_settings_raise_named_errors(kwargs, match):
    with pytest.raises(vbq.InputError, match=match):
        vbq.Settings(**kwargs)


def test_invalid_criteria():
    with pytest.raises(vbq.InputError, match="osteophyte_dirs"):
        vbq.GroupCriteria(osteophyte_dirs=("Z",))
    with pytest.raises(vbq.InputError, match="min_vertebrae: expected an integer from 1 to 2"):
        vbq.GroupCriteria(levels=("L1", "L2"), min_vertebrae=3)
    with pytest.raises(vbq.InputError, match="ucla_min"):
        vbq.GroupCriteria(ucla_min=5)


def test_unknown_keys_and_bad_json_are_rejected():
    with pytest.raises(vbq.InputError, match="unknown keys"):
        vbq.Settings.from_dict({"bogus": 1})
    with pytest.raises(vbq.InputError, match="not valid JSON"):
        vbq.Settings.from_json("{nope")
    with pytest.raises(vbq.InputError, match="criteria.min_vertebrae"):
        vbq.Settings.from_dict({"criteria.min_vertebrae": "three"})
    # a URL may carry parameters that are not settings (e.g. the page's own)
    assert vbq.Settings.from_query({"utm": "x"}) == vbq.Settings()


def test_replace_accepts_flat_criteria_keys():
    s = vbq.Settings().replace(min_vertebrae=2, dxa_site="l1_l4")
    assert s.criteria.min_vertebrae == 2 and s.dxa_site == "l1_l4"


@st.composite
def any_settings(draw):
    levels = tuple(draw(st.lists(st.sampled_from(["L1", "L2", "L3", "L4"]), min_size=1,
                                 max_size=4, unique=True)))
    crit = vbq.GroupCriteria(
        facet=draw(st.booleans()), facet_min=draw(st.integers(0, 3)),
        genant=draw(st.booleans()), genant_min=draw(st.integers(0, 3)),
        ucla=draw(st.booleans()), ucla_min=draw(st.integers(1, 4)),
        osteophyte=draw(st.booleans()),
        osteophyte_dirs=tuple(draw(st.lists(st.sampled_from("ABCDEF"), max_size=6))),
        osteophyte_min_mm=draw(st.floats(0, 40).map(lambda x: round(x, 2))),
        min_vertebrae=draw(st.integers(1, len(levels))), levels=levels,
    )
    lo = draw(st.floats(1.0, 4.0).map(lambda x: round(x, 2)))
    age = draw(st.one_of(st.none(), st.integers(40, 90).map(float)))
    return vbq.Settings(
        criteria=crit, dxa_site=draw(st.sampled_from(sorted(DXA_SITES))),
        vbq_osteopenia=draw(st.sampled_from([None, lo])),
        vbq_osteoporosis=draw(st.sampled_from([None, round(lo + draw(st.floats(0, 2)), 2)])),
        threshold_decimals=draw(st.integers(0, 3)),
        sexes=tuple(draw(st.lists(st.sampled_from("FM"), max_size=2, unique=True))),
        age_min=age, age_max=None if age is None else age + 10,
        min_vbq_levels=draw(st.integers(1, 4)),
    )


@settings(max_examples=80, deadline=None)
@given(any_settings())
def test_json_and_query_round_trips_are_exact(s):
    assert vbq.Settings.from_json(s.to_json()) == s
    assert vbq.Settings.from_query(s.to_query()) == s
    assert all(isinstance(v, str) for v in s.to_query().values())


def test_parse_query_keeps_the_good_parameters_and_names_every_bad_one():
    parsed = vbq.Settings.parse_query({
        "criteria.min_vertebrae": "2", "age_min": "abc", "dxa_site": "moon",
        "sexes": "F", "vbq_osteopenia": "25", "v.roc.group": "all"})
    # the good ones are in force
    assert parsed.settings == vbq.Settings(sexes=("F",)).replace(min_vertebrae=2)
    assert [p.key for p in parsed.problems] == ["dxa_site", "vbq_osteopenia", "age_min"]
    by_key = {p.key: p for p in parsed.problems}
    assert by_key["age_min"].value == "abc"
    assert by_key["age_min"].message == (
        'Minimum age: "abc" is not understood; expected a number of years from 40 to 100, '
        'or empty for no '
        "limit.")
    assert by_key["dxa_site"].message.startswith('DXA reference site: "moon" is not understood')
    # words a user reads: no Python type names, no internal field names
    for p in parsed.problems:
        assert "float" not in p.message and "None" not in p.message
        assert "is not a valid" not in p.message


def test_parse_query_reports_both_members_of_a_pair_that_does_not_fit():
    # each value is fine alone; together the osteoporosis cut-off is above the osteopenia one
    parsed = vbq.Settings.parse_query({"osteoporosis_t": "-2", "osteopenia_t": "-3",
                                       "criteria.ucla_min": "4"})
    assert parsed.settings == vbq.Settings().replace(ucla_min=4)
    assert [p.key for p in parsed.problems] == ["osteoporosis_t", "osteopenia_t"]
    assert "does not fit with" in parsed.problems[0].message
    # a pair that fits only together is accepted whole, whatever the order of checking
    ok = vbq.Settings.parse_query({"osteoporosis_t": "-3", "osteopenia_t": "-2.8"})
    assert not ok.problems and ok.settings.osteopenia_t == -2.8
    ok = vbq.Settings.parse_query({"criteria.levels": "L1,L2", "criteria.min_vertebrae": "2"})
    assert not ok.problems and ok.settings.criteria.levels == ("L1", "L2")
    # one member against the other's default
    lone = vbq.Settings.parse_query({"criteria.levels": "L1,L2"})
    assert lone.settings == vbq.Settings()
    assert "(the default)" in lone.problems[0].message


def test_from_query_still_raises_and_now_names_every_problem():
    with pytest.raises(vbq.InputError) as err:
        vbq.Settings.from_query({"age_min": "abc", "dxa_site": "moon", "sexes": "F"})
    assert "Minimum age" in str(err.value) and "DXA reference site" in str(err.value)
    assert vbq.Settings.from_query({"sexes": "F"}) == vbq.Settings(sexes=("F",))


def test_every_setting_has_a_label():
    keys = set(vbq.Settings().to_dict()) - {"version"}
    assert keys == set(vbq.settings.SETTING_LABELS)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(set(vbq.Settings().to_dict()) - {"version"})),
                       st.text(max_size=8), max_size=6))
def test_parse_query_never_raises_and_drops_only_what_it_reports(query):
    parsed = vbq.Settings.parse_query(query)
    kept = {k: v for k, v in query.items() if k not in {p.key for p in parsed.problems}}
    assert vbq.Settings.from_query(kept) == parsed.settings


def test_values_are_converted_by_the_fields_types_not_their_annotation_text():
    from vbq.settings import FALSE_WORDS, TRUE_WORDS, parse_bool, parse_list

    s = vbq.Settings.from_dict({"criteria.min_vertebrae": 2.0, "age_min": "", "sexes": "F",
                                "vbq_osteoporosis": "3.1"})
    assert (s.criteria.min_vertebrae, s.age_min, s.sexes, s.vbq_osteoporosis) == (
        2, None, ("F",), 3.1)
    with pytest.raises(vbq.InputError, match="min_vertebrae=2.5 is not a valid whole number"):
        vbq.Settings.from_dict({"criteria.min_vertebrae": 2.5})
    with pytest.raises(vbq.InputError, match="is not a valid number or none"):
        vbq.Settings.from_dict({"age_min": "sixty"})
    assert all(parse_bool(w.upper()) for w in TRUE_WORDS)
    assert not any(parse_bool(w) for w in FALSE_WORDS)
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert parse_list("-") == () and parse_list("L1,L2") == ("L1", "L2")


@pytest.mark.parametrize("word", ["NAN", "nan", "inf", "-Infinity"])
def test_a_link_with_a_number_that_is_not_finite_is_named(word):
    # found by the property test above: age_max=NAN became a NaN filter
    parsed = vbq.Settings.parse_query({"age_max": word, "criteria.min_vertebrae": "2"})
    assert [p.key for p in parsed.problems] == ["age_max"]
    assert parsed.settings.age_max is None and parsed.settings.criteria.min_vertebrae == 2


@pytest.mark.parametrize("text, words", [
    ("[" * 100_000, "nests lists or objects too deeply"),  # was RecursionError
    ('{"threshold_decimals": ' + "9" * 5_001 + "}", "not valid settings"),  # was ValueError
    ("[1, 2]", "one JSON object"),
    ('{"age_min": 30}', "from 40 to 100"),  # the sidebar's slider raised on it
    (" " * 200_000, "at most"),
])
def test_a_settings_file_that_cannot_be_settings_is_an_input_error_naming_why(text, words):
    # issue 18: these raised RecursionError / ValueError (or passed, and killed the session)
    with pytest.raises(InputError, match=words):
        Settings.from_json(text)


def test_age_bounds_outside_the_filter_span_are_refused_and_its_ends_accepted():
    from vbq.settings import AGE_LIMITS

    assert AGE_LIMITS == (40.0, 100.0)
    Settings(age_min=40, age_max=100)
    for kw in ({"age_min": 39.9}, {"age_max": 100.5}, {"age_min": -1}):
        with pytest.raises(InputError, match="from 40 to 100"):
            Settings(**kw)
    parsed = Settings.parse_query({"age_min": "30", "criteria.min_vertebrae": "2"})
    assert parsed.settings.age_min is None and parsed.settings.criteria.min_vertebrae == 2
    assert [p.key for p in parsed.problems] == ["age_min"]
    assert "cannot be used" in parsed.problems[0].message
