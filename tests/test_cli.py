"""python -m vbq: report and validate, exit codes, the demo when no files are given."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import vbq
import vbq.report
from vbq import cli

ROOT = Path(__file__).resolve().parents[1]
DEMO_COHORT = vbq.demo.COHORT_FILE
DEMO_DXA = vbq.demo.DXA_FILE


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vbq", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_help_on_each_command():
    for args in ((), ("report",), ("validate",)):
        res = run(*args, "--help")
        assert res.returncode == 0, res.stderr
        assert "usage: python -m vbq" in res.stdout
    assert "--measurements" in run("report", "--help").stdout
    assert "Exit codes: 0 no problem; 1 warnings only; 2 errors" in run(
        "validate", "--help").stdout.replace("\n", " ")


def test_demo_module_still_has_its_own_command(tmp_path):
    res = subprocess.run([sys.executable, "-m", "vbq.demo", "--help"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0 and "python -m vbq.demo" in res.stdout


def test_report_on_the_demo_when_no_files_are_given(tmp_path):
    out = tmp_path / "report.html"
    xlsx = tmp_path / "tables.xlsx"
    docx = tmp_path / "tables.docx"
    res = run("report", "--out", str(out), "--xlsx", str(xlsx), "--docx", str(docx),
              cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "synthetic demo cohort" in res.stdout
    text = out.read_text(encoding="utf-8")
    assert "Synthetic demo data" in text
    import hashlib

    assert hashlib.sha256(DEMO_COHORT.read_bytes()).hexdigest() in text
    assert hashlib.sha256(DEMO_DXA.read_bytes()).hexdigest() in text
    assert pd.read_excel(xlsx, sheet_name="Table 2").shape[0] > 10
    import docx as python_docx

    assert any("Table 2." in p.text for p in python_docx.Document(str(docx)).paragraphs)


def test_bad_input_exits_2_with_the_problems_on_stderr(tmp_path):
    cohort = DEMO_COHORT.read_text().splitlines()
    fields = cohort[3].split(",")
    fields[1] = "sixty"  # age of the third patient: spreadsheet row 4
    cohort[3] = ",".join(fields)
    bad = tmp_path / "my <cohort>.csv"
    bad.write_text("\n".join(cohort) + "\n")
    out = tmp_path / "r.html"
    res = run("report", "--cohort", str(bad), "--dxa", str(DEMO_DXA), "--out", str(out))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "my <cohort>.csv, row 4, column age: not a number (value 'sixty')" in res.stderr
    assert not out.exists()
    res = run("validate", "--cohort", str(bad), "--dxa", str(DEMO_DXA))
    assert res.returncode == 2 and "row 4, column age" in res.stdout


def test_validate_exit_codes(tmp_path):
    assert run("validate").returncode == 0  # the demo is clean
    # a DXA file missing one patient: a warning (cross-check), no error
    dxa = pd.read_csv(DEMO_DXA).iloc[1:]
    path = tmp_path / "dxa.csv"
    dxa.to_csv(path, index=False)
    res = run("validate", "--cohort", str(DEMO_COHORT), "--dxa", str(path))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "demo_cohort.csv, row 2, column patient_id: no matching row in the dxa.csv file" \
        in res.stdout


def test_usage_errors_are_clean(tmp_path):
    res = run("report", "--cohort", str(DEMO_COHORT), "--out", str(tmp_path / "r.html"))
    assert res.returncode == 2 and "give both --cohort and --dxa" in res.stderr
    res = run("report", "--cohort", str(tmp_path / "none.csv"), "--dxa", str(DEMO_DXA),
              "--out", str(tmp_path / "r.html"))
    assert res.returncode == 2 and "file not found" in res.stderr
    assert "Traceback" not in res.stderr
    bad = tmp_path / "settings.json"
    bad.write_text('{"dxa_site": "elbow"}')
    res = run("report", "--settings", str(bad), "--out", str(tmp_path / "r.html"))
    assert res.returncode == 2 and "dxa_site" in res.stderr and "Traceback" not in res.stderr


def test_settings_file_changes_the_report(tmp_path, capsys):
    settings = vbq.Settings(vbq_osteoporosis=3.3, vbq_osteopenia=2.7).replace(min_vertebrae=2)
    path = tmp_path / "settings.json"
    path.write_text(settings.to_json())
    out = tmp_path / "r.html"
    assert cli.main(["report", "--settings", str(path), "--out", str(out),
                     "--xlsx", str(tmp_path / "t.xlsx")]) == 0
    text = out.read_text()
    assert "Osteoporosis 3.3: set by hand in the settings" in text
    prepared = vbq.prepare_cohort(*vbq.demo.load(), settings)
    assert f"Degenerative group: {prepared.counts.n_degenerative}" in text


def test_cli_notebook_and_app_give_the_same_numbers(tmp_path):
    """The CLI's workbook, the notebook API and the app's cached call agree to the last digit."""
    from streamlit.testing.v1 import AppTest

    settings = vbq.Settings(dxa_site="l1_l4").replace(min_vertebrae=2)
    path = tmp_path / "settings.json"
    path.write_text(settings.to_json())
    xlsx = tmp_path / "t.xlsx"
    assert cli.main(["report", "--settings", str(path), "--out", str(tmp_path / "r.html"),
                     "--xlsx", str(xlsx)]) == 0
    cli_t4 = pd.read_excel(xlsx, sheet_name="Table 4 data")
    cli_t4 = cli_t4[cli_t4["target"] == "osteoporosis"].reset_index(drop=True)
    cli_t2 = pd.read_excel(xlsx, sheet_name="Table 2 data")

    # the notebook API
    cohort, dxa = vbq.demo.load()
    analysis = vbq.study.analyse(vbq.prepare_cohort(cohort, dxa, settings))
    nb_t4 = analysis.roc["osteoporosis"].to_frame()
    nb_t2 = analysis.table2.to_frame()
    assert cli_t4["auc"].tolist() == pytest.approx(nb_t4["auc"].tolist(), abs=1e-12)
    assert cli_t4["cutoff"].tolist() == pytest.approx(nb_t4["cutoff"].tolist(), abs=1e-12)
    p_cli = cli_t2.drop_duplicates("variable").set_index("variable")["p_value"]
    p_nb = nb_t2.drop_duplicates("variable").set_index("variable")["p_value"]
    assert p_cli.loc[p_nb.index].tolist() == pytest.approx(p_nb.tolist(), abs=1e-12,
                                                           nan_ok=True)

    # the app: the same settings through the URL, the ROC page's cached call and display
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in settings.to_query().items():
        at.query_params[k] = v
    at.run()
    at.switch_page("app_pages/roc.py").run()
    assert not at.exception
    from tests.app.conftest import tables

    shown = next(t for t in tables(at) if "AUC (95% CI)" in t.columns)
    auc = cli_t4.loc[cli_t4["marker"] == "vbq", "auc"].iloc[0]
    row = shown[shown["Marker and cutoff"].str.strip() == "VBQ"].iloc[0]
    assert row["AUC (95% CI)"].startswith(f"{auc:.3f} (")
    # and the app's Report page builds its report from the same prepared cohort
    at.switch_page("app_pages/report.py").run()
    assert not at.exception
    # the page previews vbq.report's Table 4, as shown

    t4 = tables(at)[0].reset_index(drop=True)
    assert at.selectbox(key="report_table").value == "table4"
    expected = next(t for t in vbq.report.study_tables(vbq.prepare_cohort(cohort, dxa, settings))
                    if t.key == "table4").display()
    assert t4.astype(str).equals(expected.astype(str))
    assert f"{auc:.3f}" in " ".join(t4["AUC (95% CI)"])


def test_measurements_replace_the_cohort_sis(tmp_path):
    from vbq.measurements import merge_into_cohort, read_measurements

    path = tmp_path / "rois.csv"
    path.write_text("patient_id,observer,session,level,si_mean,csf_level\n"
                    "DEMO-001,AB,1,L1,300,\nDEMO-001,AB,1,L2,320,\nDEMO-001,AB,1,L3,310,\n"
                    "DEMO-001,AB,1,L4,330,\nDEMO-001,AB,1,CSF,110,L3\n")
    out = tmp_path / "r.html"
    res = run("report", "--measurements", str(path), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "1 cohort patient(s) measured" in res.stdout
    readings, report = read_measurements(path)
    assert report.ok
    cohort, dxa = vbq.demo.load()
    merged = merge_into_cohort(cohort, readings).cohort
    vbq_001 = vbq.prepare_cohort(merged, dxa).table.set_index("patient_id").loc["DEMO-001", "vbq"]
    assert vbq_001 == pytest.approx(315.0 / 110.0, rel=1e-12)  # median of 300, 310, 320, 330
    text = out.read_text()
    assert "rois.csv" in text and "5 ROI readings" in text
    # which measurements are in use: in the flow and the inputs, from the readings themselves
    assert text.count("MRI measurements in use: 5 ROI readings from the measurements file, "
                      "observer AB, session 1") >= 2
    assert "replace the cohort file&#x27;s for 1 cohort patient(s)" in text


def test_measurements_with_errors_exit_2(tmp_path):
    path = tmp_path / "rois.csv"
    path.write_text("patient_id,observer,session,level,si_mean\nDEMO-001,AB,1,L9,abc\n")
    res = run("report", "--measurements", str(path), "--out", str(tmp_path / "r.html"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "rois.csv" in res.stderr and "row 2" in res.stderr


def _two_sessions(tmp_path) -> Path:
    """A measurement CSV as the app exports it once DEMO-001 was read twice by one observer:
    session 1 gives VBQ 315 / 110, session 2 gives 415 / 110."""
    rows = ["patient_id,observer,session,level,si_mean,csf_level"]
    for session, base in ((1, 300), (2, 400)):
        rows += [f"DEMO-001,AB,{session},{lv},{base + add},"
                 for lv, add in (("L1", 0), ("L2", 20), ("L3", 10), ("L4", 30))]
        rows.append(f"DEMO-001,AB,{session},CSF,110,L3")
    path = tmp_path / "rois.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_report_chooses_among_the_readings_of_two_sessions(tmp_path, capsys):
    # issue 16: the app's own export with two sessions could not be reported at all; by default
    # the report now uses one primary reading (the first observer's first session) and says so
    rois = _two_sessions(tmp_path)
    out = tmp_path / "r.html"
    assert cli.main(["report", "--measurements", str(rois), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "one primary reading, observer AB, session 1" in said
    assert "as none was chosen" in said and out.exists()
    assert "One primary reading per patient: observer AB, session 1" in out.read_text()

    assert cli.main(["report", "--measurements", str(rois), "--session", "2", "--out",
                     str(out)]) == 0
    said = capsys.readouterr().out
    assert "one primary reading, observer AB, session 2" in said
    # the session was chosen: the rules must not say that none was
    assert "the session as chosen, and the first observer in alphabetical order" in said
    assert "as none was chosen" not in said
    assert out.exists()

    assert cli.main(["report", "--measurements", str(rois), "--observer", "AB", "--session", "1",
                     "--session", "2", "--combine", "mean", "--out", str(out)]) == 0
    assert "Measurements used: the mean of observer AB, session [1, 2]" in capsys.readouterr().out


def test_a_wrong_choice_of_readings_exits_2_in_words(tmp_path, capsys):
    rois = _two_sessions(tmp_path)
    out = str(tmp_path / "r.html")
    assert cli.main(["report", "--measurements", str(rois), "--observer", "XY", "--out", out]) == 2
    assert "no readings by observer XY; observers are AB" in capsys.readouterr().err
    assert cli.main(["report", "--session", "1", "--out", out]) == 2
    assert "give that file too" in capsys.readouterr().err
    res = run("report", "--measurements", str(rois), "--combine", "median", "--out", out)
    assert res.returncode == 2 and "invalid choice: 'median'" in res.stderr
    assert "Traceback" not in res.stderr


def test_combine_choices_are_those_of_the_merge():
    from vbq.measurements import COMBINE

    assert cli.COMBINE_CHOICES == COMBINE


def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def test_validate_and_report_read_the_sheet_named(tmp_path, capsys):
    # issue 16: the XLSX warning pointed at a Python argument the command line did not have
    notes = pd.DataFrame({"note": ["exported 2026-11-30 from the registry"]})
    cohort = _workbook(tmp_path / "cohort.xlsx",
                       {"notes": notes, "patients": pd.read_csv(DEMO_COHORT)})
    dxa = _workbook(tmp_path / "dxa.xlsx", {"notes": notes, "scans": pd.read_csv(DEMO_DXA)})
    assert cli.main(["validate", "--cohort", str(cohort), "--dxa", str(dxa)]) == 2
    text = capsys.readouterr().out
    assert "reading the first visible one, 'notes'" in text and "sheet=" not in text

    args = ["--cohort", str(cohort), "--dxa", str(dxa), "--cohort-sheet", "patients",
            "--dxa-sheet", "scans"]
    assert cli.main(["validate", *args]) == 0
    assert "0 error(s), 0 warning(s); 235 cohort row(s), 235 DXA row(s)" in capsys.readouterr().out
    out = tmp_path / "r.html"
    assert cli.main(["report", *args, "--out", str(out)]) == 0
    assert "235 cohort rows = " in capsys.readouterr().out and out.exists()

    assert cli.main(["validate", "--cohort", str(cohort), "--dxa", str(dxa), "--cohort-sheet",
                     "Patients", "--dxa-sheet", "scans"]) == 2
    assert "no sheet named 'Patients'" in capsys.readouterr().out


def test_a_sheet_named_for_a_csv_is_reported_as_ignored(capsys):
    assert cli.main(["validate", "--cohort", str(DEMO_COHORT), "--dxa", str(DEMO_DXA),
                     "--dxa-sheet", "scans"]) == 0
    assert "--dxa-sheet 'scans' ignored: demo_dxa.csv is not a workbook" in capsys.readouterr().err


def test_the_command_line_process_collects_garbage_less_often_but_vbq_cli_main_does_not():
    # issue 21: CPython's default thresholds (700, 10, 10) ran the collector 467 times during
    # `python -m vbq report` on the demo, 0.2 s of 2.4 s; only the process entry point changes them
    probe = ("import gc, runpy, sys\nsys.argv = ['vbq', '--help']\ntry:\n"
             "    runpy.run_module('vbq', run_name='__main__')\nexcept SystemExit:\n"
             "    print(gc.get_threshold())")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT / "tests", timeout=120)
    assert res.stdout.strip().splitlines()[-1] == "(10000, 50, 1000)", res.stderr
    before = gc.get_threshold()
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert gc.get_threshold() == before


def test_the_command_line_process_leaves_its_objects_to_the_system_at_exit():
    # issue 21: the finalization's collections over the libraries' objects were 0.37 s CPU of
    # `python -m vbq report` on the demo. The probe's handler, registered first, runs last (atexit
    # is last in, first out): the objects are frozen by then, and every handler still ran.
    probe = ("import atexit, gc, runpy, sys\n"
             "atexit.register(lambda: print('at exit:', gc.get_freeze_count()))\n"
             "sys.argv = ['vbq', '--help']\ntry:\n"
             "    runpy.run_module('vbq', run_name='__main__')\nexcept SystemExit:\n"
             "    print('before exit:', gc.get_freeze_count(), len(gc.get_objects()))")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT / "tests", timeout=120)
    assert res.returncode == 0, res.stderr
    before, at_exit = res.stdout.strip().splitlines()[-2:]
    frozen_before, tracked = (int(v) for v in before.removeprefix("before exit: ").split())
    # (Python 3.12 has a few hundred objects frozen at start-up)
    assert int(at_exit.removeprefix("at exit: ")) >= frozen_before + tracked // 2, res.stdout
    frozen = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert gc.get_freeze_count() == frozen  # vbq.cli.main called from Python leaves the GC alone
