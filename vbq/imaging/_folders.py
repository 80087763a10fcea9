"""Files with their folders, and a study's ID from its top-level folder (internal to
`vbq.imaging`): the gathering of `_sources`, keeping each file's path, and the study-ID rule."""

from __future__ import annotations

import os
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..errors import InputError
from ..schema import measurement_column
from ._sources import (
    _ZIP_MAGIC,
    FileProblem,
    _is_mac_metadata,
    _is_single,
    _label,
    _leaves_archive,
    _plain_path,
    _read_source,
    _zip_members,
)

# --- the study-ID rule --------------------------------------------------------------------------

_ID_COLUMN = measurement_column("patient_id")


def study_id_problem(text: str) -> str | None:
    """Why `text` cannot be a study ID, or None when it can.

    Parameters
    ----------
    text : str

    Returns
    -------
    str or None
        The rule of the measurement database's ``patient_id`` column (`vbq.schema`) that the
        text breaks, in words; None when it keeps them all.
    """
    text = str(text)
    col = _ID_COLUMN
    if not text.strip():
        return "empty"
    if col.max_len is not None and len(text) > col.max_len:
        return f"longer than {col.max_len} characters"
    if col.pattern is not None and not re.fullmatch(col.pattern.regex, text):
        return col.pattern.message
    for rule in col.refuse:
        if re.fullmatch(rule.regex, text):
            return rule.message
    return None


# --- gathering the files with their folders ------------------------------------------------------


def _gather_paths(sources: Any, max_files: int, max_bytes: int, problems: list[FileProblem]
                  ) -> list[tuple[str, str, bytes | str]]:
    """Every input file as (label, path within what was given, bytes or path on disk).

    As `_sources._gather` (the same limits and skips), but each file keeps its folders: a
    folder's files their path below and including the folder's own name, a zip's members their
    path in the archive, an upload its name (a folder upload's names carry their relative
    path). Labels are unique: the path, after the archive's name for a member."""
    items: list[tuple[Any, str]] = []
    for src in [sources] if _is_single(sources) else list(sources):
        if isinstance(src, str | os.PathLike) and os.path.isdir(src):
            items.extend(_folder_files(os.fspath(src), max_files - len(items)))
        else:
            items.append((src, _given_name(src, len(items) + 1)))
        if len(items) > max_files:
            raise InputError(f"sources: more than {max_files} files given; at most "
                             f"{max_files} are read")
    out: list[tuple[str, str, bytes | str]] = []
    budget = [max_bytes]
    for src, name in items:
        out.extend(_gather_item(src, name, max_files, max_bytes, budget, problems))
    return out


def _given_name(src: Any, k: int) -> str:
    name = getattr(src, "name", None) if not isinstance(src, str | os.PathLike) else None
    if isinstance(name, str) and name:
        return name.replace("\\", "/").lstrip("/")
    return _label(src, k)


def _folder_files(folder: str, room: int) -> list[tuple[str, str]]:
    """The files below `folder` (hidden ones skipped), in name order, each with its path
    from the folder's own name; stops once more than `room` are listed."""
    base = os.path.dirname(os.path.abspath(folder))
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for n in sorted(names):
            if not n.startswith("."):
                path = os.path.join(root, n)
                out.append((path, os.path.relpath(os.path.abspath(path), base).replace(
                    os.sep, "/")))
        if len(out) > room:
            break
    return out


def _gather_item(src: Any, name: str, max_files: int, max_bytes: int, budget: list[int],
                 problems: list[FileProblem]) -> list[tuple[str, str, bytes | str]]:
    try:
        path = _plain_path(src, budget)
        if path is not None:
            return [(name, name, path)]
        data = _read_source(src, budget[0])
    except (OSError, ValueError) as exc:
        problems.append(FileProblem(name, f"could not be read ({type(exc).__name__})"))
        return []
    if data is None:
        problems.append(FileProblem(name, f"larger than the {max_bytes} bytes read at most; "
                                          "skipped"))
        return []
    budget[0] -= len(data)
    if data[:4] in _ZIP_MAGIC:
        return _zip_files(name, data, max_files, budget, problems,
                          named=not isinstance(src, bytes | bytearray | memoryview))
    return [(name, name, data)]


def _zip_files(label: str, data: bytes, max_files: int, budget: list[int],
               problems: list[FileProblem], named: bool = True
               ) -> list[tuple[str, str, bytes | _Member]]:
    """A zip's members with their paths in the archive, not inflated (`_Member`): limits
    checked on the central directory first (`_sources._zip_members`, the members' declared
    sizes charged to the byte budget), unsafe paths, encrypted members and nested archives
    named and skipped."""
    opened = _zip_members(label, data, max_files, budget, problems)
    if opened is None:
        return []
    zf, infos = opened
    lock = threading.Lock()
    out: list[tuple[str, str, bytes | _Member]] = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        member = f"{label}: {name}" if named else name
        if _leaves_archive(name):
            problems.append(FileProblem(member, "path outside the archive; skipped"))
            continue
        if _is_mac_metadata(name):
            continue
        if info.flag_bits & 0x1:
            problems.append(FileProblem(member, "encrypted; skipped"))
            continue
        if name.lower().endswith(".zip"):
            problems.append(FileProblem(member, "an archive inside the archive: not opened "
                                                "(upload it on its own)", "note"))
            continue
        out.append((member, name, _Member(zf, info, lock)))
    return out


@dataclass(frozen=True, eq=False)
class _Member:
    """A zip member not inflated yet: the worklist reads its header from the start of the
    stream, and its series' pixels inflate it whole (`read`) when the series is shown. The
    archive stays in memory compressed; one lock per archive, as its reads share one buffer."""

    archive: zipfile.ZipFile
    info: zipfile.ZipInfo
    lock: threading.Lock

    def open(self):
        """The member as a stream (inflated as it is read; seeking back starts again)."""
        return self.archive.open(self.info)

    def read(self) -> bytes:
        """The member's bytes; ValueError when it inflates past the size its entry declares
        (the read stops one byte after it) or is damaged."""
        try:
            with self.lock, self.archive.open(self.info) as fh:
                content = fh.read(self.info.file_size + 1)
        except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError) as exc:
            raise ValueError(f"could not be extracted ({type(exc).__name__})") from None
        if len(content) > self.info.file_size:
            raise ValueError("larger than the archive declares; skipped")
        return content


@dataclass(frozen=True)
class _Unreadable:
    """A zip member that could not be extracted, with the reason (it pickles, a `_Member`
    does not)."""

    reason: str


def _natural(text: str) -> tuple:
    """Sort key: digits as numbers (``VBQ-2`` before ``VBQ-10``)."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t.lower())
                 for t in re.split(r"(\d+)", text) if t)


def _study_folders(paths_per_study: list[list[str]]) -> list[tuple[str | None, str]]:
    """Each study's top-level folder and, when it cannot be the study ID, why (in words that
    do not repeat a name that breaks the rule)."""
    dirs = [[PurePosixPath(p).parts[:-1] for p in paths] for paths in paths_per_study]
    every = [d for study in dirs for d in study]
    shared = _common_prefix(every) if len(paths_per_study) > 1 else ()
    tops = []
    for study in dirs:
        below = {d[len(shared)] if len(d) > len(shared) else None for d in study}
        tops.append(next(iter(below)) if len(below) == 1 else ())
    out: list[tuple[str | None, str]] = []
    for top in tops:
        if top == ():
            out.append((None, "the study's files lie in several folders"))
        elif top is None:
            out.append((None, ""))
        elif tops.count(top) > 1:
            out.append((top, "several studies lie in the same folder"))
        else:
            problem = study_id_problem(top)
            out.append((top, f"its folder's name cannot be a study ID ({problem})"
                        if problem else ""))
    return out


def _common_prefix(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    if not parts:
        return ()
    prefix = parts[0]
    for p in parts[1:]:
        n = 0
        while n < min(len(prefix), len(p)) and prefix[n] == p[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


