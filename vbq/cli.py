"""The command line: ``python -m vbq report`` and ``python -m vbq validate``.

The same code path as the app: each file is read and validated by `vbq.io.read_table` (every
problem with file, sheet, row and column), the two are cross-checked by `vbq.io.cross_check`, and
the validated tables go to `vbq.prepare_cohort(..., validate=False)` and `vbq.study.analyse`, as
the app's Data page and `ui.cache.prepare` do. With no files, both commands run on the synthetic
demo cohort shipped in ``data/`` and say so.

Exit codes: 0 success (for ``validate``: no problem), 1 ``validate`` found warnings only, 2 bad
input (the problems on stderr, never a traceback) or a usage error (argparse's own code).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import io as vio
from .errors import DegenerateInputError, InputError
from .settings import Settings

__all__ = ["main", "load_inputs", "LoadedInputs"]

EXIT_OK, EXIT_WARNINGS, EXIT_BAD_INPUT = 0, 1, 2


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
    """

    cohort: pd.DataFrame
    dxa: pd.DataFrame
    problems: tuple
    files: dict
    demo: bool

    @property
    def errors(self) -> list:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list:
        return [p for p in self.problems if p.severity == "warning"]


def load_inputs(cohort: str | Path | None = None, dxa: str | Path | None = None) -> LoadedInputs:
    """Read and validate a cohort and a DXA file as the app does (the demo files when both are
    None).

    Raises
    ------
    InputError
        Only one of the two files given, or a file that does not exist.
    """
    from . import demo

    if (cohort is None) != (dxa is None):
        raise InputError("give both --cohort and --dxa, or neither (to use the demo cohort)")
    is_demo = cohort is None
    paths = (Path(demo.COHORT_FILE), Path(demo.DXA_FILE)) if is_demo else (Path(cohort),
                                                                            Path(dxa))
    files: dict[str, bytes] = {}
    tables, reports = [], []
    for path, kind in zip(paths, ("cohort", "dxa"), strict=True):
        if not path.is_file():
            raise InputError(f"{path}: file not found")
        data = path.read_bytes()
        files[path.name] = data
        table, report = vio.read_table(data, kind, name=path.name)
        tables.append(table)
        reports.append(report)
    problems = list(reports[0].problems) + list(reports[1].problems)
    if reports[0].ok and reports[1].ok:
        problems += vio.cross_check(tables[0], tables[1], cohort_name=reports[0].source,
                                    dxa_name=reports[1].source, cohort_rows=reports[0].rows,
                                    dxa_rows=reports[1].rows)
    return LoadedInputs(cohort=tables[0], dxa=tables[1], problems=tuple(problems), files=files,
                        demo=is_demo)


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


def _cmd_validate(args) -> int:
    loaded = load_inputs(args.cohort, args.dxa)
    if loaded.demo:
        print("No files given: validating the synthetic demo cohort shipped in data/.")
    _print_problems(loaded.problems, sys.stdout)
    n_err, n_warn = len(loaded.errors), len(loaded.warnings)
    print(f"{', '.join(loaded.files)}: {n_err} error(s), {n_warn} warning(s); "
          f"{len(loaded.cohort)} cohort row(s), {len(loaded.dxa)} DXA row(s)")
    if n_err:
        return EXIT_BAD_INPUT
    return EXIT_WARNINGS if n_warn else EXIT_OK


def _measurements(path: str | None):
    if path is None:
        return None
    from . import measurements

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: measurements file not found")
    table, report = measurements.read_measurements(p)
    if not report.ok:
        raise InputError(f"{p.name}: {len(report.errors)} error(s) block the analysis",
                         report.problems)
    return table, report, p.read_bytes()


def _cmd_report(args) -> int:
    from . import study
    from .cohort import prepare_cohort
    from .report import build_docx, build_report, build_workbook

    settings = _settings(args.settings)
    loaded = load_inputs(args.cohort, args.dxa)
    if loaded.demo:
        print("No files given: reporting on the synthetic demo cohort shipped in data/.")
    if loaded.errors:
        _print_problems(loaded.problems, sys.stderr)
        print(f"{len(loaded.errors)} error(s): no report written", file=sys.stderr)
        return EXIT_BAD_INPUT
    files = dict(loaded.files)
    cohort, measured = loaded.cohort, None
    if args.measurements:
        from . import measurements

        measured, mreport, mbytes = _measurements(args.measurements)
        files[Path(args.measurements).name] = mbytes
        merge = measurements.merge_into_cohort(cohort, measured)
        cohort = merge.cohort
        print(merge.summary())
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
        Path(args.xlsx).write_bytes(build_workbook(prepared, analysis=analysis))
        print(f"wrote {args.xlsx}")
    if args.docx:
        Path(args.docx).write_bytes(build_docx(prepared, analysis=analysis))
        print(f"wrote {args.docx}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vbq",
        description="VBQ Explorer from the command line: validate a cohort and a DXA file, or "
                    "write the study report. With no files, the synthetic demo cohort is used.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{report,validate}")

    def files(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cohort", metavar="FILE", help="cohort spreadsheet (CSV or XLSX)")
        p.add_argument("--dxa", metavar="FILE", help="DXA spreadsheet (CSV or XLSX)")

    rep = sub.add_parser(
        "report", help="write the self-contained HTML study report",
        description="Validate the files, run the whole study analysis and write one HTML file "
                    "that opens offline (and, on request, the tables as XLSX and Word).",
        epilog="Exit codes: 0 written; 2 bad input (the problems on stderr).")
    files(rep)
    rep.add_argument("--measurements", metavar="FILE",
                     help="ROI measurements CSV (vbq.measurements) whose SIs replace the "
                          "cohort's for the patients measured")
    rep.add_argument("--settings", metavar="FILE",
                     help="settings JSON (as downloaded from the app's sidebar); default the "
                          "paper's")
    rep.add_argument("--out", metavar="FILE", required=True, help="HTML file to write")
    rep.add_argument("--xlsx", metavar="FILE", help="also write the tables as an XLSX workbook")
    rep.add_argument("--docx", metavar="FILE", help="also write Tables 1-5 as a Word document")
    rep.add_argument("--title", help="title of the report")
    rep.set_defaults(func=_cmd_report)

    val = sub.add_parser(
        "validate", help="list every problem of a cohort and a DXA file",
        description="Read both files as the app does and print every problem with file, sheet, "
                    "row and column.",
        epilog="Exit codes: 0 no problem; 1 warnings only; 2 errors.")
    files(val)
    val.set_defaults(func=_cmd_validate)
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
    except DegenerateInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
