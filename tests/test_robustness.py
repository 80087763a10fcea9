"""Robustness: whatever a user uploads, the loaders and `prepare` answer with a table or a named
error (`InputError`, `DegenerateInputError`), never another exception (which the app would show
as a traceback).

The inputs are the demo files mutated by hypothesis: cells replaced by junk, rows dropped or
duplicated, headers renamed, the file truncated, re-encoded or replaced by arbitrary bytes.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import vbq
from vbq.errors import DegenerateInputError, InputError
from vbq.schema import COHORT_COLUMNS, DXA_COLUMNS

NAMED = (InputError, DegenerateInputError)


@pytest.fixture(scope="module")
def demo_text() -> tuple[str, str]:
    cohort, dxa = vbq.demo.load()
    # a slice keeps each example fast; the columns are all there
    return cohort.head(40).to_csv(index=False), dxa.head(40).to_csv(index=False)


JUNK = st.sampled_from([
    "", " ", "NA", "n/a", "-", "?", "1,5", "1.2.3", "1e400", "-1e400", "nan", "inf", "-inf",
    "0", "-3", "999999999", "TRUE", "yes", "no", "x", "L1", "IV", "é", "🦴", "\"", "'", "=1+1",
    "2023-01-01", "  12  ", "1 000", "0x1F", "None", "null",
])


@st.composite
def mutated(draw, text: str) -> bytes:
    lines = text.splitlines()
    header, body = lines[0].split(","), [ln.split(",") for ln in lines[1:]]
    for _ in range(draw(st.integers(0, 60))):  # cells blanked: missing values everywhere
        body[draw(st.integers(0, len(body) - 1))][draw(st.integers(0, len(header) - 1))] = ""
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 4]))):  # cells replaced by junk
        i = draw(st.integers(0, len(body) - 1))
        j = draw(st.integers(0, len(header) - 1))
        body[i][j] = draw(JUNK)
    if draw(st.integers(0, 3)) == 0:  # a header renamed, blanked or duplicated
        j = draw(st.integers(0, len(header) - 1))
        header[j] = draw(st.sampled_from(["", header[0], "???", header[j].upper(), "vbq"]))
    if draw(st.booleans()):  # rows dropped or duplicated
        i = draw(st.integers(0, len(body) - 1))
        body = body[:i] + body[i + 1:] if draw(st.booleans()) else body + [body[i]]
    if draw(st.integers(0, 3)) == 0:  # ragged rows
        i = draw(st.integers(0, len(body) - 1))
        body[i] = body[i][: draw(st.integers(0, len(body[i])))]
    out = "\n".join(",".join(r) for r in [header, *body])
    if draw(st.integers(0, 3)) == 0:  # truncated anywhere
        out = out[: draw(st.integers(0, len(out)))]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    return out.encode(encoding, errors="replace")


def _load(kind: str, data: bytes):
    loader = vbq.io.load_cohort if kind == "cohort" else vbq.io.load_dxa
    try:
        table, report = loader(io.BytesIO(data), name=f"{kind}.csv")
    except NAMED as exc:
        assert str(exc)  # a named error says what is wrong
        return None
    assert isinstance(table, pd.DataFrame) and report.ok
    return table


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_files_load_or_raise_a_named_error(demo_text, data):
    cohort_text, dxa_text = demo_text
    cohort = _load("cohort", data.draw(mutated(cohort_text), label="cohort"))
    dxa = _load("dxa", data.draw(mutated(dxa_text), label="dxa"))
    if cohort is None or dxa is None:
        event("a file was refused")
        return
    try:
        prepared = vbq.prepare_cohort(cohort, dxa)
    except NAMED:
        event("prepare refused")
        return
    event("analysed")
    counts = prepared.counts
    assert counts.n_cohort == counts.n_analysed + counts.n_excluded  # no filters: no subgroup
    assert counts.n_cohort == counts.n_excluded + counts.n_eligible
    assert counts.n_eligible == counts.n_analysed + counts.n_outside_subgroup
    try:
        vbq.study.analyse(prepared)
    except NAMED:  # analyse holds reasons per part; a named error is still acceptable
        pass


@st.composite
def blanked(draw, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with cells blanked (patient IDs kept): the missing values real cohorts have."""
    out = frame.astype(object).copy()
    cols = [c for c in out.columns if c != "patient_id"]
    for _ in range(draw(st.integers(0, 150))):
        out.iat[draw(st.integers(0, len(out) - 1)),
                out.columns.get_loc(draw(st.sampled_from(cols)))] = None
    if draw(st.booleans()):  # a whole column empty
        out[draw(st.sampled_from(cols))] = None
    if draw(st.booleans()):  # optional columns absent altogether
        optional = [c.name for c in [*COHORT_COLUMNS, *DXA_COLUMNS]
                    if not c.required and c.name in out.columns]
        out = out.drop(columns=draw(st.lists(st.sampled_from(optional), unique=True)))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_missing_values_anywhere_are_analysed_or_explained(data):
    # Every file here is valid (blank cells are allowed), so the whole pipeline runs: prepare
    # reconciles its counts and every part of the analysis is a result or a reason.
    cohort, dxa = vbq.demo.load()
    cohort = data.draw(blanked(cohort.head(60)), label="cohort")
    dxa = data.draw(blanked(dxa.head(60)), label="dxa")
    cohort = _load("cohort", cohort.to_csv(index=False).encode())
    dxa = _load("dxa", dxa.to_csv(index=False).encode())
    assert cohort is not None and dxa is not None, "blank cells must not make a file invalid"
    try:
        prepared = vbq.prepare_cohort(cohort, dxa)
    except NAMED:
        event("prepare refused")
        return
    counts = prepared.counts
    assert counts.n_cohort == counts.n_analysed + counts.n_excluded
    assert counts.n_dxa == counts.n_dxa_matched + counts.n_dxa_without_cohort
    assert len(vbq.exclusion_log(prepared)) >= counts.n_excluded
    result = vbq.study.analyse(prepared)
    for part in ("table2", "table3", "prevalence", "table5"):
        value = getattr(result, part)
        if isinstance(value, vbq.study.Unavailable):
            assert value.reason.strip(), f"{part}: an empty reason"
    event("analysed")


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_loaders(blob):
    for kind in ("cohort", "dxa"):
        _load(kind, blob)


@settings(max_examples=30, deadline=None)
@given(blob=st.binary(min_size=1, max_size=3000))
def test_corrupt_xlsx_is_a_named_error(blob):
    # a zip signature makes the loader take the XLSX path
    _load("cohort", b"PK\x03\x04" + blob)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 200),
                                st.text(max_size=30)), min_size=1, max_size=12),
       as_xlsx=st.booleans())
def test_arbitrary_cell_contents_raise_nothing_but_input_error(demo_text, cells, as_xlsx):
    """Any text in any cell (control characters, other scripts, lone surrogates excluded by
    UTF-8) of a CSV or an XLSX gives a table or `InputError`, never another exception."""
    import csv

    cohort_text, _ = demo_text
    rows = list(csv.reader(io.StringIO(cohort_text)))
    for i, j, text in cells:
        row = rows[1 + i % (len(rows) - 1)]
        row[j % len(row)] = text
    if as_xlsx:
        import openpyxl

        wb = openpyxl.Workbook()
        for r in rows:
            # openpyxl refuses control characters that XML 1.0 cannot hold; so does Excel
            wb.active.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) for v in r])
        buf = io.BytesIO()
        wb.save(buf)
        data, name = buf.getvalue(), "cohort.xlsx"
    else:
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        data, name = out.getvalue().encode("utf-8", errors="surrogatepass"), "cohort.csv"
    try:
        table, report = vbq.io.load_cohort(data, name=name)
    except InputError as exc:
        assert name in str(exc)
    else:
        assert isinstance(table, pd.DataFrame) and report.ok
