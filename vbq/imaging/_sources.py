"""Gathering the input: paths, folders, bytes, file-like objects and zips, within limits on
the number of files and the bytes read (internal to `vbq.imaging`)."""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..errors import InputError
from ._budget import OverBudget, _Budget, _mib

MAX_FILES = 5000  # zip members (and sources) read at most
MAX_BYTES = 2 * 1024**3  # total uncompressed bytes read at most


@dataclass(frozen=True)
class FileProblem:
    """One file (or part of one) that was not used, or a note about how it was used.

    Attributes
    ----------
    file : str
        The file's name as given (``archive.zip: member`` for zip members; ``file 3`` for bytes).
    message : str
        What happened, in words; never an identifier from the file.
    severity : {"error", "note"}
        "error": the file could not be used (not DICOM, damaged, undecodable); "note": skipped
        on purpose (DICOMDIR, localizer, duplicate, other series) or used with a remark.
    """

    file: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def _label(source: Any, k: int) -> str:
    if isinstance(source, str | os.PathLike):
        return os.path.basename(os.fspath(source)) or os.fspath(source)
    name = getattr(source, "name", None)
    if isinstance(name, str) and name:
        return os.path.basename(name)
    return f"file {k}"


def _is_single(source: Any) -> bool:
    return isinstance(source, str | bytes | bytearray | memoryview | os.PathLike) or hasattr(
        source, "read")


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def _gather(sources: Any, max_files: int, max_bytes: int,
            problems: list[FileProblem], memory: _Budget | None = None
            ) -> list[tuple[str, bytes | str]]:
    """Every input file as (label, bytes or path), zips expanded in memory within the limits
    (`memory`, the load's budget, is charged with what they unpack to).

    A path that is not a zip stays a path: each file is read when it is decoded, one at a time."""
    items = _expand_folders(sources, max_files)
    if len(items) > max_files:
        raise InputError(f"sources: {len(items)} files given; at most {max_files} are read")
    out: list[tuple[str, bytes | str]] = []
    budget = [max_bytes]
    for k, src in enumerate(items, start=1):
        out.extend(_gather_one(src, _label(src, k), max_files, max_bytes, budget, problems,
                               memory))
    return out


def _expand_folders(sources: Any, max_files: int) -> list[Any]:
    """The sources as a list, each folder replaced by every file below it, in name order
    (hidden files and folders skipped); stops once more than `max_files` are listed."""
    items: list[Any] = []
    for src in [sources] if _is_single(sources) else list(sources):
        if not (isinstance(src, str | os.PathLike) and os.path.isdir(src)):
            items.append(src)
            continue
        for root, dirs, names in os.walk(src):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            items.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
            if len(items) > max_files:
                break
    return items


def _gather_one(src: Any, label: str, max_files: int, max_bytes: int, budget: list[int],
                problems: list[FileProblem], memory: _Budget | None = None
                ) -> list[tuple[str, bytes | str]]:
    """One source: a plain file on disk stays a path; anything else is read (within what is
    left of the byte budget) and a zip expanded."""
    try:
        path = _plain_path(src, budget)
        if path is not None:
            return [(label, path)]
        data = _read_source(src, budget[0])
    except (OSError, ValueError) as exc:
        problems.append(FileProblem(label, f"could not be read ({type(exc).__name__})"))
        return []
    if data is None:
        problems.append(FileProblem(label, f"larger than the {max_bytes} bytes read at most; "
                                           "skipped"))
        return []
    budget[0] -= len(data)
    if data[:4] in _ZIP_MAGIC:
        return _unzip(label, data, max_files, budget, problems, memory)
    return [(label, data)]


def _plain_path(src: Any, budget: list[int]) -> str | None:
    """The path of a file on disk that is not a zip and fits the budget (charged to it), else
    None (the caller reads it)."""
    if not isinstance(src, str | os.PathLike):
        return None
    size = os.path.getsize(src)
    with open(src, "rb") as fh:
        head = fh.read(4)
    if size > budget[0] or head in _ZIP_MAGIC:
        return None
    budget[0] -= size
    return os.fspath(src)


def _read_source(src: Any, limit: int) -> bytes | None:
    if isinstance(src, bytes | bytearray | memoryview):
        data = bytes(src)
    elif isinstance(src, str | os.PathLike):
        if os.path.getsize(src) > limit:
            return None
        with open(src, "rb") as fh:
            data = fh.read()
    elif hasattr(src, "read"):
        if hasattr(src, "seek"):
            src.seek(0)
        data = src.read(limit + 1)
        if isinstance(data, str):
            raise ValueError("a text stream; open the file in binary mode")
        data = bytes(data)
    else:
        raise ValueError(f"unsupported source type {type(src).__name__}")
    return None if len(data) > limit else data


def _unzip(label: str, data: bytes, max_files: int, budget: list[int],
           problems: list[FileProblem], memory: _Budget | None = None
           ) -> list[tuple[str, bytes]]:
    """The members of a zip, in memory, after checking the limits against its central
    directory (before anything is decompressed); each member skipped is named."""
    opened = _zip_members(label, data, max_files, budget, problems, memory)
    if opened is None:
        return []
    zf, infos = opened
    out: list[tuple[str, bytes]] = []
    mac = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        member = f"{label}: {PurePosixPath(name).name or name}"
        if _leaves_archive(name):
            problems.append(FileProblem(member, "path outside the archive; skipped"))
            continue
        if _is_mac_metadata(name):
            mac += 1
            continue
        content = _extract(zf, info, member, problems)
        if content is None:
            continue
        budget[0] -= len(content)
        if content[:4] in _ZIP_MAGIC or name.lower().endswith(".zip"):
            problems.append(FileProblem(member, "an archive inside the archive: not opened "
                                                "(upload it on its own)", "note"))
            continue
        out.append((member, content))
    if mac:
        problems.append(FileProblem(label, f"{mac} macOS metadata file(s) (__MACOSX, .DS_Store) "
                                           "skipped", "note"))
    return out


def _zip_members(label: str, data: bytes, max_files: int, budget: list[int],
                 problems: list[FileProblem], memory: _Budget | None = None
                 ) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]] | None:
    """The archive and its files from its central directory, or None (with the problem named) when
    it is unreadable, holds too many files or unpacks to more than the budget left: the bytes
    to read (`budget`) or the load's memory (`memory`), which the unpacked files are charged to
    at least twice (held, then their pixels stacked)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        problems.append(FileProblem(label, f"not a readable zip archive ({type(exc).__name__})"))
        return None
    if len(infos) > max_files:
        problems.append(FileProblem(label, f"the archive holds {len(infos)} files; at most "
                                           f"{max_files} are read, so none was opened"))
        return None
    declared = sum(i.file_size for i in infos)
    if declared > budget[0]:
        problems.append(FileProblem(label, f"the archive unpacks to {declared} bytes, more than "
                                           f"the {budget[0]} bytes left to read; none was opened"))
        return None
    if memory is not None:
        try:
            memory.check(2 * declared, f"the archive unpacks to {_mib(declared)}: held and "
                                       "stacked, its files would")
            memory.spend(declared, "the archive's files would")
        except OverBudget as over:
            problems.append(FileProblem(label, over.message.replace("; not read",
                                                                    "; none was opened")))
            return None
    return zf, infos


def _is_mac_metadata(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and parts[0] == "__MACOSX" or PurePosixPath(name).name == ".DS_Store"


def _leaves_archive(name: str) -> bool:
    """An absolute path, a drive letter or a ``..`` part (zip slip): never followed."""
    return (name.startswith("/") or re.match(r"^[A-Za-z]:", name) is not None
            or ".." in PurePosixPath(name).parts)


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str,
             problems: list[FileProblem]) -> bytes | None:
    """One member's bytes, or None (named) when it is encrypted, damaged, or inflates past the
    size the directory declares (the read stops one byte after it)."""
    if info.flag_bits & 0x1:
        problems.append(FileProblem(member, "encrypted; skipped"))
        return None
    try:
        with zf.open(info) as fh:
            content = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        problems.append(FileProblem(member, f"could not be extracted ({type(exc).__name__})"))
        return None
    if len(content) > info.file_size:
        problems.append(FileProblem(member, "larger than the archive declares; skipped"))
        return None
    return content
