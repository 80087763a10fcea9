"""Many studies at once: the worklist read from headers alone, each study's series and the one
chosen, the study ID from the study's folder, and the chosen series decoded in parallel
(internal to `vbq.imaging`)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pydicom
from pydicom.errors import InvalidDicomError

from .. import _worker
from ..errors import InputError
from ._count import MAX_SERIES, MAX_WORKLIST_SERIES, _check_series, _Tally
from ._deid import _fingerprint, _fingerprint_key
from ._elements import _number, _text
from ._folders import (
    _gather_paths,
    _Member,
    _natural,
    _study_folders,
    _Unreadable,
    study_id_problem,
)
from ._label import _acquisition_label
from ._parallel import _decode_series, _Limit, pool_ready
from ._read import _NOT_DICOM, MAX_PIXEL_BYTES, _decoder_for, _int, _Skip, _Slice, _slices
from ._sequence import Flag, _default_rank, _flags, _weighting
from ._series import Series, _drop_duplicates, _main_stack, _orientation
from ._sources import MAX_BYTES, MAX_FILES, FileProblem, _is_single, _label, _read_source


@dataclass(frozen=True)
class SeriesInfo:
    """One series of a worklist study, as its headers describe it (no pixel decoded).

    Attributes
    ----------
    description : str
        (0008,103E) Series Description, cleaned of the file's identifying values.
    series_number : int or None
    orientation : {"sagittal", "coronal", "axial", "unknown"}
        Of the series' commonest stack (as `Series.orientation`).
    weighting : str
        As `Series.weighting` ("T1", "T1 FLAIR", "T2", ...).
    n_slices : int
        Slices (frames) of the commonest stack, duplicates left out: the slices `WorklistStudy.load`
        will stack.
    n_files : int
        Files holding the series.
    repetition_time_ms, echo_time_ms, inversion_time_ms, field_strength_t : float or None
    flags : tuple of Flag
        As `Series.flags`, from the headers (a 3-plane localizer is flagged
        ``mixed_orientations``).
    fingerprint : str
        As `Series.fingerprint`: the keyed one-way fingerprint of the Study and Series
        Instance UIDs, the same the decoded series carries.
    scanning_sequence : str
        (0018,0020) Scanning Sequence, as `Series.scanning_sequence` ("" when not recorded).
    """

    description: str
    series_number: int | None
    orientation: str
    weighting: str
    n_slices: int
    n_files: int
    repetition_time_ms: float | None
    echo_time_ms: float | None
    inversion_time_ms: float | None
    field_strength_t: float | None
    flags: tuple[Flag, ...]
    fingerprint: str
    files: tuple[tuple[str, Any], ...] = dataclasses.field(repr=False, compare=False, default=())
    compressed: bool = dataclasses.field(repr=False, compare=False, default=True)
    scanning_sequence: str = ""

    @property
    def label(self) -> str:
        """The series as shown by default, as `Series.label` (never the file's free text)."""
        return _acquisition_label(self.series_number, self.orientation, self.weighting,
                                  self.scanning_sequence, self.field_strength_t)

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)


@dataclass(frozen=True)
class WorklistStudy:
    """One study of a worklist: its series from the headers, the series chosen, its study ID.

    Attributes
    ----------
    label : str
        "study 1", "study 2", ... in worklist order (never an identifier).
    study_id : str or None
        The pseudonymous study ID: typed by the user (`Worklist.with_study_ids`), else the
        study's top-level folder name when that name passes the study-ID rule of the
        measurement database (letters, digits and . _ -, starting with a letter or digit, at
        most 64 characters, not a UID or a date), else None. Never read from a DICOM
        attribute.
    id_source : {"typed", "folder", None}
        Where `study_id` came from.
    folder_note : str
        Why the folder name was not taken as the study ID ("" when it was, or when the files
        sit in no folder). Never the folder name itself unless it passes the rule.
    series : tuple of SeriesInfo
        In Series Number order.
    chosen : int or None
        Index into `series` of the series offered for VBQ (`vbq.imaging.Study.preferred_series`'
        rule: sagittal T1-weighted spin echo / fast spin echo first, then T1 FLAIR; never a
        localizer, a T2 or an axial, never a series of mixed orientations); None when no series
        qualifies. When several tie, the first in Series Number order.
    problems : tuple of FileProblem
        Files of this study that give no series (read from the headers).
    """

    label: str
    study_id: str | None
    id_source: str | None
    folder_note: str
    series: tuple[SeriesInfo, ...]
    chosen: int | None
    problems: tuple[FileProblem, ...] = ()
    folder_id: str | None = dataclasses.field(default=None, repr=False)

    @property
    def n_files(self) -> int:
        return sum(s.n_files for s in self.series)

    def load(self, series: int | None = None, *, workers: int | None = None,
             progress: Callable[[int, int], object] | None = None,
             max_pixel_bytes: int = MAX_PIXEL_BYTES, time_limit: float | None = None
             ) -> Series:
        """Decode one series of this study, its files in parallel.

        Parameters
        ----------
        series : int or None
            Index into `series`; None: `chosen`.
        workers : int or None, keyword-only
            Processes decoding a compressed series' files at once; None: the number of
            processors (at most 4); 1: one after another in this process. pydicom's JPEG 2000
            decoders (GDCM, OpenJPEG) hold the GIL, so threads would not decode side by side;
            the worker processes start in the background on the first compressed series
            (which is decoded in this process meanwhile: starting them takes longer) and are
            kept for the next ones.
            Uncompressed files are read in this process whatever `workers` says (their
            pixels are a view on the file's bytes: nothing to gain from copying them).
        progress : callable, keyword-only
            Called as ``progress(done, total)`` in the calling thread as files are decoded.
        max_pixel_bytes : int, keyword-only
            As `vbq.imaging.load_study`.
        time_limit : float or None, keyword-only
            None: decode here, as `workers` says. A number of seconds: never decode in the
            calling thread, which waits without holding the GIL (what a server that serves
            many users wants), and stop and refuse the decoding once it takes longer. A
            compressed series goes to the decoding workers when they run (in parallel, as
            `workers` says; they are killed past the limit), anything else to one worker
            process whose address space is bounded too (3 GiB beyond its own), its files one
            after another.

        Returns
        -------
        Series
            As `vbq.imaging.load_series` returns it; ``patient`` is this study's `label`.

        Raises
        ------
        InputError
            No series qualifies and none is named, an index out of range, no file of the
            series could be decoded (``problems`` names each file), or the decoding passed
            `time_limit`.
        """
        index = self.chosen if series is None else series
        if index is None:
            raise InputError(f"{self.label}: no sagittal T1-weighted series to offer; pass "
                             f"series= with an index (the study holds {len(self.series)})")
        if isinstance(index, bool) or not isinstance(index, int | np.integer) or not (
                0 <= index < len(self.series)):
            raise InputError(f"series: expected an index from 0 to {len(self.series) - 1}, "
                             f"got {index!r}")
        info = self.series[int(index)]
        if time_limit is None:
            return _decode_series(info.files, self.label, workers=workers, progress=progress,
                                  max_pixel_bytes=max_pixel_bytes, compressed=info.compressed)
        what = f"{self.label}, {info.label}"
        if info.compressed and len(info.files) > 1 and workers != 1 and pool_ready(workers):
            # the decoding pool's processes decode in parallel and this thread waits on them
            # without holding the GIL, as in a worker; past the limit the pool is killed
            return _decode_series(info.files, self.label, workers=workers, progress=progress,
                                  max_pixel_bytes=max_pixel_bytes, compressed=True,
                                  limit=_Limit.starting_now(what, time_limit, _LOAD_HINT))
        return _worker.run(_decode_here, _picklable_files(info.files), self.label,
                           what=what, time_limit=time_limit,
                           hint=_LOAD_HINT, progress=progress,
                           max_pixel_bytes=max_pixel_bytes, compressed=info.compressed)


@dataclass(frozen=True)
class Worklist:
    """The studies found in many files (a zip or a folder of several patients' studies).

    Iterating, ``len`` and indexing go over `studies`.

    Attributes
    ----------
    studies : tuple of WorklistStudy
        In order of their folder names (natural order: ``VBQ-2`` before ``VBQ-10``), studies
        without a folder after them in order of appearance.
    problems : tuple of FileProblem
        Files that belong to no study (not DICOM, damaged headers, a DICOMDIR, ...).
    """

    studies: tuple[WorklistStudy, ...]
    problems: tuple[FileProblem, ...] = ()

    def __iter__(self):
        return iter(self.studies)

    def __len__(self) -> int:
        return len(self.studies)

    def __getitem__(self, index: int) -> WorklistStudy:
        return self.studies[index]

    def with_study_ids(self, study_ids: Mapping[int, str | None]) -> Worklist:
        """The worklist with typed study IDs.

        Parameters
        ----------
        study_ids : mapping of int to str or None
            Study index -> the ID typed for it (None or "" goes back to the folder's ID).

        Returns
        -------
        Worklist
            A new worklist; the studies not named keep their IDs.

        Raises
        ------
        InputError
            An index out of range, an ID that breaks the study-ID rule (the message says
            which rule), or one ID given to two studies.
        """
        studies = list(self.studies)
        for index, text in study_ids.items():
            if isinstance(index, bool) or not isinstance(index, int) or not (
                    0 <= index < len(studies)):
                raise InputError(f"study_ids: {index!r} is not a study index (0 to "
                                 f"{len(studies) - 1})")
            study = studies[index]
            typed = (text or "").strip()
            if typed:
                problem = study_id_problem(typed)
                if problem:
                    raise InputError(f"study ID of {study.label}: {problem}")
                studies[index] = dataclasses.replace(study, study_id=typed, id_source="typed")
            else:
                studies[index] = dataclasses.replace(
                    study, study_id=study.folder_id,
                    id_source="folder" if study.folder_id else None)
        seen: dict[str, str] = {}
        for study in studies:
            if study.study_id is not None and study.study_id in seen:
                raise InputError(f"study ID {study.study_id} is given to {seen[study.study_id]} "
                                 f"and {study.label}; each study needs its own")
            if study.study_id is not None:
                seen[study.study_id] = study.label
        return Worklist(studies=tuple(studies), problems=self.problems)

    def order(self, seed: int | None = None) -> tuple[int, ...]:
        """The order in which to read the studies.

        Parameters
        ----------
        seed : int or None
            None: the worklist's own order. An int: a random permutation drawn by
            ``numpy.random.default_rng(seed).permutation`` (PCG64), the same for the same seed
            and number of studies, for blinded repeat sessions.

        Returns
        -------
        tuple of int
            Study indices in reading order.
        """
        if seed is None:
            return tuple(range(len(self.studies)))
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise InputError(f"seed: expected a non-negative integer or None, got {seed!r}")
        return tuple(int(i) for i in np.random.default_rng(int(seed)).permutation(
            len(self.studies)))

    def to_frame(self) -> pd.DataFrame:
        """One row per study: ``study, study_id, id_source, n_series, n_files, chosen_series,
        orientation, weighting, n_slices, flags`` (flags of the chosen series, in words)."""
        rows = []
        for s in self.studies:
            chosen = s.series[s.chosen] if s.chosen is not None else None
            rows.append({
                "study": s.label, "study_id": s.study_id, "id_source": s.id_source,
                "n_series": len(s.series), "n_files": s.n_files,
                "chosen_series": chosen.label if chosen else None,
                "orientation": chosen.orientation if chosen else None,
                "weighting": chosen.weighting if chosen else None,
                "n_slices": chosen.n_slices if chosen else None,
                "flags": "; ".join(f.title for f in chosen.flags) if chosen else None,
            })
        return pd.DataFrame(rows, columns=["study", "study_id", "id_source", "n_series",
                                           "n_files", "chosen_series", "orientation",
                                           "weighting", "n_slices", "flags"])


# --- reading the headers ------------------------------------------------------------------------


def read_worklist(sources: Any, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES,
                  progress: Callable[[int, int], object] | None = None,
                  max_series: int = MAX_WORKLIST_SERIES, time_limit: float | None = None
                  ) -> Worklist:
    """Read the studies in a zip or a folder of several patients' studies, from headers alone.

    Parameters
    ----------
    sources : path, bytes, file-like object, or an iterable of them
        As `load_study`: files, folders (every file below them), zips (opened in memory).
        A Streamlit folder upload's file names carry their relative path, which is used as
        the folder.
    max_files, max_bytes : int, keyword-only
        As `load_study`.
    progress : callable, keyword-only
        Called as ``progress(done, total)`` after each file's header is read.
    max_series : int, keyword-only
        Most series the worklist may hold (2,000 by default: a cohort of 250 studies of about
        6 series each is 1,500); one study may hold at most 100 (a lumbar MR study has fewer
        than 30). Counted from the Study and Series Instance UIDs in each file's first bytes
        before any header is parsed, and again as headers are parsed.
    time_limit : float or None, keyword-only
        None: read here. A number of seconds: read the headers in a worker process, stopped
        and refused once it takes longer; the calling thread waits without holding the GIL
        (what a server that serves many users wants). The worker's address space is bounded
        too (3 GiB beyond its own).

    Returns
    -------
    Worklist
        One `WorklistStudy` per study, each with its series (from the headers) and the series
        chosen; decode one with `WorklistStudy.load`.

    Raises
    ------
    InputError
        No DICOM image header could be read at all (``problems`` names each file), more
        than `max_files` sources, more series than `max_series` (or than 100 in one
        study), or the reading passed `time_limit`.

    Notes
    -----
    Files are grouped by study: the patient (Patient ID, Patient's Name and Birth Date,
    compared in memory and never kept) and the Study Instance UID; within a study by Series
    Instance UID. Only the headers are parsed (``pydicom.dcmread(...,
    stop_before_pixels=True)``): a 50-study worklist opens without decoding a pixel. A file
    whose pixel data turn out undecodable is named when its series is loaded.

    The study ID is taken from a study's top-level folder: the first folder below what all the
    studies' files share (for one study, the first folder of its paths), when every file of the
    study lies in it, no other study lies in it, and its name passes the study-ID rule
    (`study_id_problem`). Otherwise it is None and must be typed
    (`Worklist.with_study_ids`). No DICOM attribute is ever used as the ID.

    Examples
    --------
    >>> from vbq import phantom
    >>> archive, truths = phantom.cohort_zip(2)
    >>> worklist = read_worklist(archive)
    >>> [s.study_id for s in worklist], worklist[0].series[worklist[0].chosen].description
    (['VBQ-001', 'VBQ-002'], 'SYNTHETIC PHANTOM sag T1')
    """
    if min(max_files, max_bytes, max_series) < 1:
        raise InputError(f"max_files, max_bytes and max_series must be positive, got "
                         f"{max_files}, {max_bytes}, {max_series}")
    if time_limit is not None:
        return _read_in_worker(sources, time_limit, progress, max_files=max_files,
                               max_bytes=max_bytes, max_series=max_series)
    key = _fingerprint_key()
    problems: list[FileProblem] = []
    files = _unique_labels(_gather_paths(sources, max_files, max_bytes, problems))
    _check_series((data for _, _, data in files), max_series=max_series,
                  per_study=min(MAX_SERIES, max_series))
    headers = _read_headers(files, problems, max_series, progress)
    if not headers:
        detail = "; ".join(str(p) for p in problems[:20]) or "no file given"
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InputError(f"no DICOM image could be read: {detail}{more}", problems)
    data_of = {label: data for label, _, data in files}
    return Worklist(studies=_studies(headers, data_of, key), problems=tuple(problems))


def _read_headers(files: list[tuple[str, str, Any]], problems: list[FileProblem],
                  max_series: int, progress: Callable[[int, int], object] | None
                  ) -> list[tuple[str, _Slice]]:
    """(path, slice) of every file's header, in order; refused once they hold more than
    `max_series` series, or one study more than `MAX_SERIES` (what `_count` could not count
    from the files' first bytes is counted here)."""
    headers: list[tuple[str, _Slice]] = []
    memo: dict = {}  # series-level attributes, read once per series
    tally = _Tally(max_series, min(MAX_SERIES, max_series))
    for done, (label, path, data) in enumerate(files, start=1):
        got = _read_header(label, data, problems, memo)
        headers.extend((path, s) for s in got)
        for s in got:
            tally.add(s.group[:2], s.group[2])
        if progress is not None:
            progress(done, len(files))
    return headers


def _unique_labels(files: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """The files with a label each of its own (a repeated name gets its position appended)."""
    seen: set[str] = set()
    out = []
    for k, (label, path, data) in enumerate(files, start=1):
        if label in seen:
            label = f"{label} (file {k})"
        seen.add(label)
        out.append((label, path, data))
    return out


def _read_header(label: str, data: bytes | str, problems: list[FileProblem], memo: dict
                 ) -> list[_Slice]:
    """The slices a file would give, from its header alone (pixels: a zero-strided stand-in of
    the right shape, no memory), or none with the reason added to `problems`."""
    try:
        ds = _parse_header(data)
        _check_header(ds)
        tsyntax, _ = _decoder_for(ds)
        little = bool(getattr(tsyntax, "is_little_endian", True))
        rows, cols = _int(ds, "Rows", little), _int(ds, "Columns", little)
        frames = int(_number(ds, "NumberOfFrames") or 1)
        if not rows or not cols or frames < 1:
            raise _Skip("(0028,0010) Rows or (0028,0011) Columns is missing: not an image")
        stand_in = np.broadcast_to(np.zeros((), np.uint16), (frames, int(rows), int(cols)))
        slices = _slices(label, ds, stand_in, tsyntax, memo)
        for s in slices:  # each file's attrs are its own copy (`_slices`)
            s.attrs["compressed"] = bool(tsyntax.is_compressed)
        return slices
    except _Skip as skip:
        problems.append(FileProblem(label, skip.message, skip.severity))
        return []


def _parse_header(data: bytes | str | _Member) -> Any:
    """The dataset up to its pixel data, read from the start of the file (a path is opened, a
    zip member inflated as it is read, never whole); only files with the PS3.10 marker."""
    try:
        if isinstance(data, bytes):
            if len(data) < 132 or data[128:132] != b"DICM":
                raise _Skip(_NOT_DICOM)
            return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        with (data.lock if isinstance(data, _Member) else contextlib.nullcontext()), \
                (data.open() if isinstance(data, _Member) else open(data, "rb")) as fh:
            head = fh.read(132)
            if len(head) < 132 or head[128:132] != b"DICM":
                raise _Skip(_NOT_DICOM)
            fh.seek(0)
            return pydicom.dcmread(fh, stop_before_pixels=True)
    except RecursionError:
        raise _Skip("sequences nested deeper than can be read (a malformed file); not used"
                    ) from None
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError, TypeError,
            NotImplementedError, AttributeError, zipfile.BadZipFile) as exc:
        raise _Skip(f"damaged or truncated DICOM file, not readable ({type(exc).__name__})"
                    ) from None


def _check_header(ds: Any) -> None:
    """What the header alone says is no image to measure on: a DICOMDIR, a localizer, a colour
    image (pixel data itself is checked when the series is decoded)."""
    if "DirectoryRecordSequence" in ds or str(getattr(getattr(ds, "file_meta", None),
                                                     "MediaStorageSOPClassUID", "")) \
            == "1.2.840.10008.1.3.10":
        raise _Skip("a DICOMDIR (an index of the other files, no image); skipped", "note")
    image_type = [v.strip().upper() for v in _text(ds, "ImageType").split("\\")]
    if "LOCALIZER" in image_type:
        raise _Skip("a localizer (scout) image; skipped", "note")
    photometric = _text(ds, "PhotometricInterpretation").strip()
    if photometric and not photometric.startswith("MONOCHROME"):
        raise _Skip(f"a colour image ((0028,0004) Photometric Interpretation {photometric}); "
                    "VBQ is measured on greyscale MR")


# --- grouping into studies ----------------------------------------------------------------------


def _studies(headers: list[tuple[str, _Slice]], data_of: Mapping[str, Any], key: bytes
             ) -> tuple[WorklistStudy, ...]:
    """Slices grouped by (patient, study), then by series; each study's folder ID; ordered by
    folder (natural order), then order of appearance."""
    groups: dict[tuple, list[tuple[str, _Slice]]] = {}
    for path, s in headers:
        groups.setdefault((s.group[0], s.group[1]), []).append((path, s))
    folders = _study_folders([[p for p, _ in members] for members in groups.values()])
    built = []
    for order, ((members), (folder, note)) in enumerate(zip(groups.values(), folders,
                                                            strict=True)):
        series = _series_infos([s for _, s in members], data_of, key)
        folder_id = folder if folder is not None and not note else None
        built.append(((folder_id is None, _natural(folder_id or ""), order),
                      folder_id, note, series))
    built.sort(key=lambda t: t[0])
    out = []
    for k, (_, folder_id, note, series) in enumerate(built, start=1):
        out.append(WorklistStudy(
            label=f"study {k}", study_id=folder_id, id_source="folder" if folder_id else None,
            folder_note=note, series=series, chosen=_chosen(series), folder_id=folder_id))
    return tuple(out)


def _series_infos(slices: list[_Slice], data_of: Mapping[str, Any], key: bytes
                  ) -> tuple[SeriesInfo, ...]:
    by_series: dict[bytes, list[_Slice]] = {}
    for s in slices:
        by_series.setdefault(s.group[2], []).append(s)
    infos = []
    for order, members in enumerate(by_series.values()):
        info = _series_info(members, data_of, key)
        number = info.series_number if info.series_number is not None else 10**9
        infos.append(((number, order), info))
    infos.sort(key=lambda t: t[0])
    return tuple(info for _, info in infos)


def _series_info(members: list[_Slice], data_of: Mapping[str, Any], key: bytes) -> SeriesInfo:
    notes: list[FileProblem] = []
    unique = _drop_duplicates(members, notes)
    stack, n_orientations = _main_stack(unique, notes)
    orientation, _ = _orientation(stack[0].iop)
    first = stack[0].attrs
    lossy = any(s.attrs["lossy"] for s in stack)
    flags = _flags(dict(first, lossy=lossy), orientation, stack[0].spacing, n_orientations)
    labels = list(dict.fromkeys(s.file for s in members))
    return SeriesInfo(
        description=first["description"], series_number=first["series_number"],
        orientation=orientation, weighting=_weighting(first), n_slices=len(stack),
        n_files=len(labels), repetition_time_ms=first["repetition_time_ms"],
        echo_time_ms=first["echo_time_ms"], inversion_time_ms=first["inversion_time_ms"],
        field_strength_t=first["field_strength_t"], flags=flags,
        fingerprint=_fingerprint(key, stack[0].group[1], stack[0].group[2]),
        files=tuple((label, data_of[label]) for label in labels),
        compressed=any(s.attrs.get("compressed", True) for s in stack),
        scanning_sequence=first.get("scanning_sequence") or "")


def _chosen(series: tuple[SeriesInfo, ...]) -> int | None:
    ranked = [(_default_rank(s.weighting, {f.code for f in s.flags}), i)
              for i, s in enumerate(series)]
    ranked = [(rank, i) for rank, i in ranked if rank is not None]
    return min(ranked)[1] if ranked else None




# --- reading in a worker process (`time_limit`) -------------------------------------------------

_READ_HINT = "Load fewer studies at once (a zip of part of the cohort)."
_LOAD_HINT = "The series' files may be damaged, or too large for this server."


def _read_in_worker(sources: Any, time_limit: float,
                    progress: Callable[[int, int], object] | None, **limits: int) -> Worklist:
    """`read_worklist` in a worker process (`vbq._worker.run`): the sources go there as
    bytes, the worklist comes back without its files' data (a zip member holds its open
    archive, which does not pickle), and the data are gathered again here from the same
    bytes (a zip's central directory; no header is parsed), by the same labels."""
    given = _picklable_sources(sources, limits["max_bytes"])
    bare = _worker.run(_read_bare, given, what="the DICOM files", time_limit=time_limit,
                       hint=_READ_HINT, progress=progress, **limits)
    files = _unique_labels(_gather_paths(given, limits["max_files"], limits["max_bytes"], []))
    data_of = {label: data for label, _, data in files}
    return _with_files(bare, data_of.__getitem__)


def _read_bare(sources: Any, **kwargs: Any) -> Worklist:
    """`read_worklist`, its files' data left out (run in the worker)."""
    return _with_files(read_worklist(sources, **kwargs), lambda label: None)


def _with_files(worklist: Worklist, data_of: Callable[[str], Any]) -> Worklist:
    studies = tuple(dataclasses.replace(study, series=tuple(
        dataclasses.replace(info, files=tuple((label, data_of(label)) for label, _ in info.files))
        for info in study.series)) for study in worklist.studies)
    return dataclasses.replace(worklist, studies=studies)


def _picklable_sources(sources: Any, max_bytes: int) -> list[Any]:
    """The sources as paths, bytes or named in-memory files (an upload is read once)."""
    out: list[Any] = []
    for k, src in enumerate([sources] if _is_single(sources) else list(sources), start=1):
        if isinstance(src, str | os.PathLike | bytes):
            out.append(src)
            continue
        try:
            data = _read_source(src, max_bytes)
        except (OSError, ValueError) as exc:
            raise InputError(f"{_label(src, k)}: could not be read ({type(exc).__name__})"
                             ) from None
        if data is None:
            raise InputError(f"{_label(src, k)}: larger than the {max_bytes} bytes read at "
                             "most; not loaded")
        named = io.BytesIO(data)
        named.name = getattr(src, "name", None)
        out.append(named)
    return out


def _decode_here(files: list[tuple[str, Any]], label: str, *, max_pixel_bytes: int,
                 compressed: bool, progress: Callable[[int, int], object] | None = None
                 ) -> Series:
    """A series' files decoded in this process, one after another (run in the worker)."""
    return _decode_series(files, label, workers=1, progress=progress,
                          max_pixel_bytes=max_pixel_bytes, compressed=compressed)


def _picklable_files(files: tuple[tuple[str, Any], ...]) -> list[tuple[str, Any]]:
    """A series' files with each zip member inflated here (`_Unreadable` with the reason
    when it cannot be)."""
    out: list[tuple[str, Any]] = []
    for name, data in files:
        if isinstance(data, _Member):
            try:
                data = data.read()
            except ValueError as exc:
                data = _Unreadable(str(exc))
        out.append((name, data))
    return out
