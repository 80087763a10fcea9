"""The command line: ``python -m vbq report`` and ``python -m vbq validate``.

The same code path as the app: each file is read and validated by `vbq.io.read_table` (every
problem with file, sheet, row and column), the two are cross-checked by `vbq.io.cross_check`, and
the validated tables go to `vbq.prepare_cohort(..., validate=False)` and `vbq.study.analyse`, as
the app's Data page and `ui.cache.prepare` do. With no files, both commands run on the synthetic
demo cohort shipped with the package and say so.

Exit codes: 0 success (for ``validate``: no problem), 1 ``validate`` found warnings only, 2 bad
input (the problems on stderr, never a traceback) or a usage error (argparse's own code).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import io as vio
from .errors import DegenerateInputError, InputError
from .settings import Settings

if TYPE_CHECKING:  # annotations only (postponed by the __future__ import)
    import pandas as pd

# Imports. This module is imported by ``python -m vbq`` before the command line is parsed, so it
# imports at the top only what `import vbq` has already loaded (the readers and the settings).
# What a command needs beyond that (the demo files, the statistics and the report with scipy,
# statsmodels, scikit-learn and plotly, the measurement store with SQLAlchemy) is imported inside
# the command when it runs: ``--help`` and ``validate`` never pay for the report.

__all__ = ["main", "load_inputs", "LoadedInputs"]

EXIT_OK, EXIT_WARNINGS, EXIT_BAD_INPUT = 0, 1, 2

COMBINE_CHOICES = ("primary", "mean")
"""``--combine``: the values `vbq.measurements.merge_into_cohort` accepts for ``combine`` (a test
keeps them equal to ``vbq.measurements.COMBINE``; written out so that ``--help`` need not import
the measurement store)."""


@dataclass(frozen=True, eq=False)
class LoadedInputs:
    """Two validated tables and everything reading them found (`load_inputs`).

    Attributes
    ----------
    cohort, dxa : DataFrame
        Canonical tables (empty when a file could not be read).
    problems : tuple of vbq.io.Problem
        Every problem of both files, then the cross-check's, in file order.
    files : dict
        File name -> the bytes read (for the report's fingerprints).
    demo : bool
        True when the synthetic demo files were used because no file was given.
    notes : tuple of str
        What the command line could not do as asked (a sheet named for a file that is not a
        workbook); not problems of the data.
    """

    cohort: pd.DataFrame
    dxa: pd.DataFrame
    problems: tuple
    files: dict
    demo: bool
    notes: tuple = ()

    @property
    def errors(self) -> list:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list:
        return [p for p in self.problems if p.severity == "warning"]


def _sources(cohort, dxa) -> tuple[bool, tuple]:
    """(demo?, the two files): given paths, or the demo files shipped with the package (paths or
    `importlib.resources` traversables: both have ``name``, ``is_file`` and ``read_bytes``)."""
    if (cohort is None) != (dxa is None):
        raise InputError("give both --cohort and --dxa, or neither (to use the demo cohort)")
    if cohort is not None:
        return False, (Path(cohort), Path(dxa))
    from . import demo  # (see the note on imports at the top)

    return True, (demo.COHORT_FILE, demo.DXA_FILE)


def load_inputs(cohort: str | Path | None = None, dxa: str | Path | None = None, *,
                cohort_sheet: str | None = None, dxa_sheet: str | None = None) -> LoadedInputs:
    """Read and validate a cohort and a DXA file as the app does (the demo files when both are
    None).

    Parameters
    ----------
    cohort, dxa : path, optional
        The two spreadsheets (CSV or XLSX); both or neither.
    cohort_sheet, dxa_sheet : str, keyword-only, optional
        The worksheet to read from an XLSX file (default: the first visible one). Named for a
        file that is not a workbook, it is ignored and `LoadedInputs.notes` says so.

    Raises
    ------
    InputError
        Only one of the two files given, or a file that does not exist.
    """
    is_demo, paths = _sources(cohort, dxa)
    files: dict[str, bytes] = {}
    tables, reports, notes = [], [], []
    for path, kind, sheet, option in zip(paths, ("cohort", "dxa"), (cohort_sheet, dxa_sheet),
                                         ("--cohort-sheet", "--dxa-sheet"), strict=True):
        if not path.is_file():
            raise InputError(f"{path}: file not found")
        data = path.read_bytes()
        files[path.name] = data
        table, report = vio.read_table(data, kind, name=path.name, sheet=sheet)
        if sheet is not None and report.sheet is None and report.ok:
            notes.append(f"{option} {sheet!r} ignored: {path.name} is not a workbook")
        tables.append(table)
        reports.append(report)
    problems = list(reports[0].problems) + list(reports[1].problems)
    if reports[0].ok and reports[1].ok:
        problems += vio.cross_check(tables[0], tables[1], cohort_name=reports[0].source,
                                    dxa_name=reports[1].source, cohort_rows=reports[0].rows,
                                    dxa_rows=reports[1].rows)
    return LoadedInputs(cohort=tables[0], dxa=tables[1], problems=tuple(problems), files=files,
                        demo=is_demo, notes=tuple(notes))


def _print_problems(problems, stream) -> None:
    for p in problems:
        print(str(p), file=stream)


def _settings(path: str | None) -> Settings:
    if path is None:
        return Settings()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: settings file not found")
    return Settings.from_json(p.read_bytes())


def _load(args, doing: str) -> LoadedInputs:
    """`load_inputs` for a command's options, saying so when the demo files are used."""
    loaded = load_inputs(args.cohort, args.dxa, cohort_sheet=args.cohort_sheet,
                         dxa_sheet=args.dxa_sheet)
    if loaded.demo:
        print(f"No files given: {doing} the synthetic demo cohort shipped with the package.")
    for note in loaded.notes:
        print(f"note: {note}", file=sys.stderr)
    return loaded


def _cmd_validate(args) -> int:
    loaded = _load(args, "validating")
    _print_problems(loaded.problems, sys.stdout)
    n_err, n_warn = len(loaded.errors), len(loaded.warnings)
    print(f"{', '.join(loaded.files)}: {n_err} error(s), {n_warn} warning(s); "
          f"{len(loaded.cohort)} cohort row(s), {len(loaded.dxa)} DXA row(s)")
    if n_err:
        return EXIT_BAD_INPUT
    return EXIT_WARNINGS if n_warn else EXIT_OK


def _read_measurements(path: str):
    """The measurement CSV's readings and bytes; InputError naming its problems when it has
    errors."""
    from . import measurements  # (see the note on imports at the top)

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: measurements file not found")
    table, report = measurements.read_measurements(p)
    if not report.ok:
        raise InputError(f"{p.name}: {len(report.errors)} error(s) block the analysis",
                         report.problems)
    return table, p.read_bytes()


def _one_or_all(values: list | None):
    """An option given several times as the list, once as its value, never as None."""
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _merge_measurements(cohort: pd.DataFrame, readings: pd.DataFrame, args):
    """`vbq.measurements.merge_into_cohort` with the command line's choice of readings; its
    message, when the choice is missing or wrong, names the options that make it."""
    from . import measurements  # (see the note on imports at the top)

    try:
        return measurements.merge_into_cohort(
            cohort, readings, observer=_one_or_all(args.observer),
            session=_one_or_all(args.session), combine=args.combine,
            exclude_flagged=args.leave_out_flagged)
    except InputError as exc:
        message = str(exc).removeprefix("merge_into_cohort: ")
        raise InputError(f"{message} (on the command line: --observer ID, --session N, "
                         "--combine mean)") from exc


def _cmd_report(args) -> int:
    # (see the note on imports at the top)
    from . import study
    from .cohort import prepare_cohort
    from .describe import measurements_in_use
    from .report import build_docx, build_report, build_workbook

    settings = _settings(args.settings)
    loaded = _load(args, "reporting on")
    if loaded.errors:
        _print_problems(loaded.problems, sys.stderr)
        print(f"{len(loaded.errors)} error(s): no report written", file=sys.stderr)
        return EXIT_BAD_INPUT
    files = dict(loaded.files)
    cohort, measured = loaded.cohort, None
    if args.measurements:
        measured, files[Path(args.measurements).name] = _read_measurements(args.measurements)
        merge = _merge_measurements(cohort, measured, args)
        cohort = merge.cohort
        print(merge.summary())
        # the report says which readings, how many patients' SIs they replaced, and the rules
        measured = measurements_in_use(merge, measured, source="the measurements file")
    elif args.observer or args.session or args.combine != "primary" or args.leave_out_flagged:
        raise InputError("--observer, --session, --combine and --leave-out-flagged choose among "
                         "the readings of --measurements FILE; give that file too")
    if loaded.warnings:
        print(f"{len(loaded.warnings)} warning(s) (run `python -m vbq validate` to list them)")
    prepared = prepare_cohort(cohort, loaded.dxa, settings, validate=False)
    analysis = study.analyse(prepared)
    title = args.title or ("VBQ study report: synthetic demo cohort" if loaded.demo
                           else "VBQ study report")
    html_text = build_report(prepared, analysis=analysis, inputs=files, measurements=measured,
                             title=title, synthetic=loaded.demo)
    out = Path(args.out)
    out.write_text(html_text, encoding="utf-8")
    print(prepared.summary())
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if args.xlsx:
        Path(args.xlsx).write_bytes(build_workbook(prepared, analysis=analysis,
                                                              synthetic=loaded.demo))
        print(f"wrote {args.xlsx}")
    if args.docx:
        Path(args.docx).write_bytes(build_docx(prepared, analysis=analysis,
                                                          synthetic=loaded.demo))
        print(f"wrote {args.docx}")
    return EXIT_OK


def _file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cohort", metavar="FILE", help="cohort spreadsheet (CSV or XLSX)")
    p.add_argument("--dxa", metavar="FILE", help="DXA spreadsheet (CSV or XLSX)")
    p.add_argument("--cohort-sheet", metavar="NAME",
                   help="worksheet of the cohort XLSX to read (default: the first visible one)")
    p.add_argument("--dxa-sheet", metavar="NAME",
                   help="worksheet of the DXA XLSX to read (default: the first visible one)")


def _report_parser(sub) -> None:
    rep = sub.add_parser(
        "report", help="write the self-contained HTML study report",
        description="Validate the files, run the whole study analysis and write one HTML file "
                    "that opens offline (and, on request, the tables as XLSX and Word).",
        epilog="Exit codes: 0 written; 2 bad input (the problems on stderr).")
    _file_options(rep)
    rep.add_argument("--measurements", metavar="FILE",
                     help="ROI measurements CSV (as exported from the app's MRI page) whose SIs "
                          "replace the cohort's for the patients measured")
    rep.add_argument("--observer", metavar="ID", action="append",
                     help="use this observer's readings of --measurements (repeat the option "
                          "for several, with --combine mean)")
    rep.add_argument("--session", metavar="N", type=int, action="append",
                     help="use this session's readings of --measurements (repeat the option "
                          "for several, with --combine mean)")
    rep.add_argument("--combine", choices=COMBINE_CHOICES, default="primary",
                     help="primary (default): one primary reading, the chosen observer's chosen "
                          "session (the first observer's first session when none is given), as "
                          "the paper analysed; mean: average each patient's chosen readings "
                          "level by level")
    rep.add_argument("--leave-out-flagged", action="store_true",
                     help="leave out readings from series flagged when they were read (not "
                          "sagittal, not the validated T1 sequence, lossy compression, ...)")
    rep.add_argument("--settings", metavar="FILE",
                     help="settings JSON (as downloaded from the app's sidebar); default the "
                          "paper's")
    rep.add_argument("--out", metavar="FILE", required=True, help="HTML file to write")
    rep.add_argument("--xlsx", metavar="FILE", help="also write the tables as an XLSX workbook")
    rep.add_argument("--docx", metavar="FILE", help="also write Tables 1-5 as a Word document")
    rep.add_argument("--title", help="title of the report")
    rep.set_defaults(func=_cmd_report)


def _validate_parser(sub) -> None:
    val = sub.add_parser(
        "validate", help="list every problem of a cohort and a DXA file",
        description="Read both files as the app does and print every problem with file, sheet, "
                    "row and column.",
        epilog="Exit codes: 0 no problem; 1 warnings only; 2 errors.")
    _file_options(val)
    val.set_defaults(func=_cmd_validate)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vbq",
        description="VBQ Explorer from the command line: validate a cohort and a DXA file, or "
                    "write the study report. With no files, the synthetic demo cohort is used.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{report,validate}")
    _report_parser(sub)
    _validate_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        problems = getattr(exc, "problems", None) or ()
        if problems and not str(exc).count("\n"):
            _print_problems(problems, sys.stderr)
        return EXIT_BAD_INPUT
    except (DegenerateInputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
