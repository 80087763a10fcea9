"""Assembling series: sorting slices, the modality LUT, `Series` and `Study`, `load_study` and
`load_series` (internal to `vbq.imaging`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._budget import MAX_PIXEL_BYTES, _Budget
from ._count import MAX_SERIES, _check_series, _Tally
from ._deid import _fingerprint, _fingerprint_key
from ._label import _acquisition_label
from ._read import _read_file, _Slice
from ._sequence import Flag, _default_rank, _flags, _weighting
from ._sources import MAX_BYTES, MAX_FILES, FileProblem, _gather

# the acquisition as stored with a reading (`Series.acquisition`): technical attributes only
_ACQUISITION_FIELDS = (
    "field_strength_t", "manufacturer", "model_name", "weighting", "scanning_sequence",
    "sequence_variant", "repetition_time_ms", "echo_time_ms", "inversion_time_ms",
    "pixel_bandwidth_hz", "slice_thickness_mm",
)


@dataclass(frozen=True, repr=False, eq=False)
class Series:
    """One sorted, de-identified image series.

    Attributes
    ----------
    pixels : ndarray of uint8, uint16, int16 or float32, shape (slices, rows, columns), read-only
        Stored values after the modality LUT (Rescale Slope/Intercept or Modality LUT Sequence),
        per slice (per frame for enhanced multi-frame images), in the smallest type that holds
        every value exactly: uint8, uint16 or int16 when every slope is 1 and every intercept
        an integer (an 8-bit image then costs a quarter of float32), else float32, which
        represents every stored value exactly and a rescaled value to 7 significant digits.
        `roi_stats` accumulates in float64 either way; convert with ``astype`` for arithmetic
        of your own.
    spacing_mm : (float, float) or None
        (0028,0030) Pixel Spacing: (row spacing, column spacing), i.e. the distance between
        the centres of adjacent rows, then of adjacent columns; None when the files lack it.
    slice_positions_mm : ndarray of float
        Each slice's Image Position (Patient) projected on the slice normal (NaN when sorted by
        Instance Number).
    sorted_by : {"position", "instance number", "file order"}
    description : str
        (0008,103E) Series Description, cleaned of the file's identifying values it can find
        (the header's names, IDs and dates). Free text: a name written another way or not in
        the header survives the cleaning, so nothing this package writes (`label`, `summary`,
        repr, problems) shows it; show it only where its reader may see the patient's name.
    orientation : {"sagittal", "coronal", "axial", "unknown"}
        The patient axis closest to the slice normal (cross product of the row and column
        direction cosines of Image Orientation (Patient)).
    image_orientation : tuple of 6 float, or None
        (0020,0037) Image Orientation (Patient) of the stack: the direction cosines of a row
        (the way the column index counts up), then of a column (the way the row index counts
        up), in the patient's axes: x towards the patient's left, y towards the back, z towards
        the head (PS3.3 C.7.6.2.1.1). A sagittal slice with the head at the top and the front
        on the left is (0, 1, 0, 0, 0, -1). None when the files lack it.
    series_number : int or None
    patient : str
        "patient 1", "patient 2", ... in order of appearance (never an identifier).
    modality : str
    repetition_time_ms, echo_time_ms, inversion_time_ms, field_strength_t : float or None
        (0018,0080), (0018,0081), (0018,0082) in ms; (0018,0087) Magnetic Field Strength in T.
    scanning_sequence, sequence_variant : str
        (0018,0020) Scanning Sequence (SE, IR, GR, ...) and (0018,0021) Sequence Variant.
    weighting : str
        One of ``vbq.imaging._sequence.WEIGHTINGS``: "T1" (TR and TE of T1-weighted spin echo),
        "T1 FLAIR" (inversion recovery with TI of about 600-1000 ms: T1-weighted), "T2",
        "proton density", "STIR", "T2 FLAIR" or "unknown".
    manufacturer, model_name : str
        (0008,0070) Manufacturer and (0008,1090) Manufacturer's Model Name, cleaned of the
        file's identifying values like the description ("" when absent). Never the station
        name, serial number or institution, which are not read.
    pixel_bandwidth_hz : float or None
        (0018,0095) Pixel Bandwidth in Hz per pixel (the receiver bandwidth, which shifts SI).
    transfer_syntaxes : tuple of str
        Names of the transfer syntaxes the pixel data came in.
    lossy_compression : bool
        (0028,2110) Lossy Image Compression is "01", or the transfer syntax is lossy: SI ratios
        then carry compression error.
    window : (center, width) or None
        The first (0028,1050) Window Center / (0028,1051) Window Width of the first slice.
    slice_thickness_mm : float or None
    fingerprint : str
        HMAC-SHA-256 (hex), keyed with this installation's secret
        (`vbq._userdata.installation_secret`: ``VBQ_SECRET``, else a key made once in the data
        folder), of a fixed domain string and the Study and Series Instance UIDs. The same
        series gives the same fingerprint in every session of an installation (and of servers
        sharing ``VBQ_SECRET``); the UIDs cannot be read back, and someone who holds them but
        not the key cannot recompute it to link a stored reading to the study.
    flags : tuple of Flag
    problems : tuple of FileProblem
        Everything not used from the input (other series, damaged files, ...), with the reason.
    n_files : int
        Files that contributed slices.
    """

    pixels: np.ndarray
    spacing_mm: tuple[float, float] | None
    slice_positions_mm: np.ndarray
    sorted_by: str
    description: str
    orientation: str
    series_number: int | None
    patient: str
    modality: str
    repetition_time_ms: float | None
    echo_time_ms: float | None
    inversion_time_ms: float | None
    field_strength_t: float | None
    scanning_sequence: str
    sequence_variant: str
    transfer_syntaxes: tuple[str, ...]
    lossy_compression: bool
    window: tuple[float, float] | None
    slice_thickness_mm: float | None
    fingerprint: str
    flags: tuple[Flag, ...]
    problems: tuple[FileProblem, ...] = ()
    n_files: int = 0
    weighting: str = "unknown"
    manufacturer: str = ""
    model_name: str = ""
    pixel_bandwidth_hz: float | None = None
    image_orientation: tuple[float, ...] | None = None

    @property
    def label(self) -> str:
        """The series as shown by default: Series Number, orientation, weighting, scanning
        sequence and field strength ("Series 3 · sagittal · T1 · spin echo · 1.5 T"), made
        only of values whose every possible value is known, never of the file's free text
        (`description`)."""
        return _acquisition_label(self.series_number, self.orientation, self.weighting,
                                  self.scanning_sequence, self.field_strength_t)

    @property
    def n_slices(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.pixels.shape)  # type: ignore[return-value]

    @property
    def mid_slice(self) -> int:
        """Index of the middle slice of the sorted stack (the mid-sagittal slice by default)."""
        return (self.n_slices - 1) // 2 if self.n_slices % 2 else self.n_slices // 2

    @property
    def is_sagittal(self) -> bool:
        return self.orientation == "sagittal"

    @property
    def is_t1_like(self) -> bool:
        """T1-weighted by its TR/TE or TI (T1 FLAIR included): not flagged ``not_t1_like``."""
        return not self.has_flag("not_t1_like")

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the pixels, as plain Python values (for a table or a database row).
        ``description`` is the file's free text (see the attribute): leave it out of anything
        shown to others."""
        return {
            "fingerprint": self.fingerprint,
            "patient": self.patient,
            "label": self.label,
            "description": self.description,
            "series_number": self.series_number,
            "orientation": self.orientation,
            "n_slices": self.n_slices,
            "rows": self.shape[1],
            "columns": self.shape[2],
            "row_spacing_mm": self.spacing_mm[0] if self.spacing_mm else None,
            "column_spacing_mm": self.spacing_mm[1] if self.spacing_mm else None,
            "slice_thickness_mm": self.slice_thickness_mm,
            "modality": self.modality,
            "repetition_time_ms": self.repetition_time_ms,
            "echo_time_ms": self.echo_time_ms,
            "inversion_time_ms": self.inversion_time_ms,
            "field_strength_t": self.field_strength_t,
            "manufacturer": self.manufacturer,
            "model_name": self.model_name,
            "weighting": self.weighting,
            "scanning_sequence": self.scanning_sequence,
            "sequence_variant": self.sequence_variant,
            "pixel_bandwidth_hz": self.pixel_bandwidth_hz,
            "transfer_syntaxes": "; ".join(self.transfer_syntaxes),
            "lossy_compression": self.lossy_compression,
            "sorted_by": self.sorted_by,
            "flags": "; ".join(f.message for f in self.flags),
            "n_files": self.n_files,
            "n_problems": len(self.problems),
        }

    def acquisition(self) -> dict[str, Any]:
        """How the series was acquired, to store with every reading made on it.

        Returns
        -------
        dict
            ``field_strength_t``, ``manufacturer``, ``model_name``, ``weighting``,
            ``scanning_sequence``, ``sequence_variant``, ``repetition_time_ms``,
            ``echo_time_ms``, ``inversion_time_ms``, ``pixel_bandwidth_hz``,
            ``slice_thickness_mm`` (None or "" when not recorded), and ``flags``: the codes of
            `flags` joined by ";" ("" for none). Technical attributes only: no attribute of
            the basic confidentiality profile, no UID and no fingerprint.
        """
        out = {name: getattr(self, name) for name in _ACQUISITION_FIELDS}
        out["flags"] = ";".join(f.code for f in self.flags)
        return out

    def summary(self) -> str:
        """A few readable lines: what the series is, its flags and what was left out."""
        d = self.to_dict()
        sp = (f"{d['row_spacing_mm']:g} x {d['column_spacing_mm']:g} mm" if self.spacing_mm
              else "pixel spacing unknown")
        lines = [
            f"{self.label} [{self.patient}]: "
            f"{self.n_slices} slice(s) of {d['rows']} x {d['columns']} pixels, {sp}",
            f"TR {_num(self.repetition_time_ms, 'ms')}, TE {_num(self.echo_time_ms, 'ms')}, "
            f"TI {_num(self.inversion_time_ms, 'ms')}, {_num(self.field_strength_t, 'T')}, "
            f"sequence {self.scanning_sequence or 'not recorded'} ({self.weighting}), "
            f"sorted by {self.sorted_by}",
        ]
        scanner = " ".join(filter(None, (self.manufacturer, self.model_name)))
        if scanner:
            lines.append(f"scanner {scanner}, pixel bandwidth "
                         f"{_num(self.pixel_bandwidth_hz, 'Hz/pixel')}")
        lines += [f"! {f.message}" for f in self.flags]
        lines += [f"- {p}" for p in self.problems]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Series({self.label!r}, {self.patient}, "
                f"shape={self.shape}, spacing_mm={self.spacing_mm}, "
                f"flags={[f.code for f in self.flags]}, problems={len(self.problems)}, "
                f"fingerprint={self.fingerprint[:12]}...)")


@dataclass(frozen=True, eq=False)
class Study:
    """Every series found in the input, and the problems of the files that gave none.

    Iterating, ``len`` and indexing go over `series`, in order: patient, then Series Number,
    then order of appearance.

    Attributes
    ----------
    series : tuple of Series
    problems : tuple of FileProblem
        Problems of files that belong to no series (not DICOM, damaged, ...); each series also
        carries the notes about its own slices.
    n_patients : int
    """

    series: tuple[Series, ...]
    problems: tuple[FileProblem, ...]
    n_patients: int

    def __iter__(self):
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)

    def __getitem__(self, index: int) -> Series:
        return self.series[index]

    def preferred_series(self) -> tuple[int, ...]:
        """Indices of the series offered by default for VBQ, best first in standing.

        A series is a candidate when it is sagittal, T1-weighted (T1 FLAIR included), MR, and
        holds one orientation (never a 3-plane localizer). Candidates are ranked: T1-weighted
        spin echo / fast spin echo as VBQ was validated, then T1 FLAIR, then other T1-weighted
        sequences (gradient echo, fat-suppressed); within a rank, without contrast before
        with, lossless before lossy. Returns the indices of the best rank (one, normally; more
        when equal series tie), or of each patient's best when the candidates belong to more
        than one patient (a patient is never chosen by guess); () when there is no candidate.
        """
        best: dict[str, tuple] = {}
        ranked = []
        for i, s in enumerate(self.series):
            rank = _default_rank(s.weighting, {f.code for f in s.flags})
            if rank is not None:
                ranked.append((s.patient, rank, i))
                best[s.patient] = min(best.get(s.patient, rank), rank)
        return tuple(i for patient, rank, i in ranked if rank == best[patient])

    def to_frame(self):
        """One row per series (`Series.to_dict` fields) plus its index, to pick one."""
        rows = [{"index": i, **s.to_dict()} for i, s in enumerate(self.series)]
        return pd.DataFrame(rows)


def _num(value: float | None, unit: str) -> str:
    return "not recorded" if value is None else f"{value:g} {unit}"


def _rescale_into(out: np.ndarray, stored: np.ndarray, slope: float, intercept: float) -> None:
    """out (float32) = slope * stored + intercept (PS3.3 C.11.1.1.2), in as few passes as give
    the same float32 values as computing the product in float64 and rounding it once.

    Integers of up to 16 bits are exact in float32, and so is the product of one with a slope
    that float32 represents exactly (at most 16 + 24 significant bits, exact in float64): a
    float32 multiplication then rounds the same exact product once, like float64 and a cast,
    at about half the cost. Other slopes (or wider stored values) take the float64 product.
    A slope of 1 is a plain conversion. The intercept is then added in float32, as always."""
    exact = stored.dtype.kind in "iu" and stored.dtype.itemsize <= 2
    if exact and slope == 1.0:
        out[...] = stored
    elif exact and float(np.float32(slope)) == slope:
        out[...] = stored
        out *= np.float32(slope)
    else:
        np.multiply(stored, slope, out=out)
    if intercept:
        out += intercept


def _orientation(iop: tuple[float, ...] | None) -> tuple[str, np.ndarray | None]:
    if iop is None:
        return "unknown", None
    normal = np.cross(np.asarray(iop[:3]), np.asarray(iop[3:]))
    norm = float(np.linalg.norm(normal))
    if norm < 1e-6:
        return "unknown", None
    normal = normal / norm
    return ("sagittal", "coronal", "axial")[int(np.argmax(np.abs(normal)))], normal



def _build_series(slices: list[_Slice], patient: str, key: bytes) -> Series:
    """One `Series` from the slices of one (patient, study, series) group: duplicates dropped,
    the commonest stack kept, sorted, rescaled into one float32 array, flagged; `key` keys the
    fingerprint. Every slice left out is named in the series' problems."""
    notes: list[FileProblem] = []
    unique = _drop_duplicates(slices, notes)
    stack, n_orientations = _main_stack(unique, notes)
    orientation, normal = _orientation(stack[0].iop)
    stack, positions, sorted_by = _sort_stack(stack, normal, notes)
    first = stack[0].attrs
    lossy = any(s.attrs["lossy"] for s in stack)
    spacing = stack[0].spacing
    flags = _flags(dict(first, lossy=lossy), orientation, spacing, n_orientations)
    return Series(
        pixels=_stack_pixels(stack),
        spacing_mm=spacing,
        slice_positions_mm=positions,
        sorted_by=sorted_by,
        description=first["description"],
        orientation=orientation,
        series_number=first["series_number"],
        patient=patient,
        modality=first["modality"],
        repetition_time_ms=first["repetition_time_ms"],
        echo_time_ms=first["echo_time_ms"],
        inversion_time_ms=first["inversion_time_ms"],
        field_strength_t=first["field_strength_t"],
        scanning_sequence=first["scanning_sequence"],
        sequence_variant=first["sequence_variant"],
        transfer_syntaxes=tuple(dict.fromkeys(s.attrs["transfer_syntax"] for s in stack)),
        lossy_compression=lossy,
        window=first["window"],
        slice_thickness_mm=first["slice_thickness_mm"],
        fingerprint=_fingerprint(key, stack[0].group[1], stack[0].group[2]),
        flags=flags,
        problems=tuple(notes),
        n_files=len({s.file for s in stack}),
        weighting=_weighting(first),
        image_orientation=None if stack[0].iop is None else tuple(stack[0].iop),
        manufacturer=first["manufacturer"],
        model_name=first["model_name"],
        pixel_bandwidth_hz=first["pixel_bandwidth_hz"],
    )


def _drop_duplicates(slices: list[_Slice], notes: list[FileProblem]) -> list[_Slice]:
    """The slices without repeats of the same instance and frame (each repeat named)."""
    seen: set = set()
    unique = []
    for s in slices:
        if s.instance_key in seen:
            notes.append(FileProblem(s.file, "the same image as another file; skipped", "note"))
            continue
        seen.add(s.instance_key)
        unique.append(s)
    return unique


def _stack_key(s: _Slice) -> tuple:
    iop = None if s.iop is None else tuple(round(v, 3) for v in s.iop)
    sp = None if s.spacing is None else tuple(round(v, 4) for v in s.spacing)
    return iop, s.rows, s.cols, sp


def _main_stack(unique: list[_Slice], notes: list[FileProblem]) -> tuple[list[_Slice], int]:
    """The commonest stack (orientation, matrix, spacing; ties: the first seen) and the number
    of orientations the series holds. Slices of other stacks (localizers, reformats) are never
    stacked with it: each is named and left out."""
    counts: dict[tuple, int] = {}
    for s in unique:
        counts[_stack_key(s)] = counts.get(_stack_key(s), 0) + 1
    main = max(counts, key=lambda k: counts[k])
    stack = []
    for s in unique:
        if _stack_key(s) == main:
            stack.append(s)
        else:
            notes.append(FileProblem(s.file, "orientation, matrix size or pixel spacing differs "
                                             "from the rest of the series (a localizer?); "
                                             "skipped", "note"))
    orientations = {_orientation(k[0])[0] for k in counts} - {"unknown"}
    return stack, len(orientations)


def _sort_stack(stack: list[_Slice], normal: np.ndarray | None, notes: list[FileProblem]
                ) -> tuple[list[_Slice], np.ndarray, str]:
    """The stack sorted along the slice normal (ties by Instance Number), else by Instance
    Number, else in file order (each fallback noted); with the positions and how it was
    sorted."""
    if normal is not None and all(s.ipp is not None for s in stack):
        positions = np.array([float(np.dot(s.ipp, normal)) for s in stack])
        numbers = np.array([s.instance_number if s.instance_number is not None else 0
                            for s in stack])
        order = np.lexsort((numbers, positions))
        sorted_by = "position"
    elif all(s.instance_number is not None for s in stack):
        positions = np.full(len(stack), np.nan)
        order = np.argsort([s.instance_number for s in stack], kind="stable")
        sorted_by = "instance number"
        notes.append(FileProblem(stack[0].file, "(0020,0032) Image Position (Patient) or "
                                                "(0020,0037) Image Orientation (Patient) missing: "
                                                "slices sorted by (0020,0013) Instance Number",
                                 "note"))
    else:
        positions = np.full(len(stack), np.nan)
        order = np.arange(len(stack))
        sorted_by = "file order"
        notes.append(FileProblem(stack[0].file, "neither Image Position (Patient) nor Instance "
                                                "Number: slices kept in file order", "note"))
    stack = [stack[i] for i in order]
    positions = positions[order]
    _note_shared_positions(stack, positions, sorted_by, notes)
    positions.flags.writeable = False
    return stack, positions, sorted_by


def _note_shared_positions(stack: list[_Slice], positions: np.ndarray, sorted_by: str,
                           notes: list[FileProblem]) -> None:
    if sorted_by == "position" and len(stack) > 1:
        same = int(np.sum(np.abs(np.diff(positions)) < 1e-3))
        if same:
            notes.append(FileProblem(stack[0].file, f"{same + 1} slices share a position "
                                                    "(several echoes or repeated acquisitions?)",
                                     "note"))


def _stack_pixels(stack: list[_Slice]) -> np.ndarray:
    """The modality LUT, written straight into the series array (PS3.3 C.11.1.1.2: output =
    Rescale Slope * stored value + Rescale Intercept), in the smallest type that holds every
    output value exactly (`_exact_type`): uint8, uint16 or int16 when the stored values are
    integers, every slope is 1 and every intercept an integer; else float32, which holds every
    stored value exactly (up to 2^24) and a rescaled one to 7 significant digits, at half the
    memory of float64. ROI statistics accumulate in float64 whatever the type, so the values
    they see, and the VBQ, are the same to the bit."""
    dtype = _exact_type(stack)
    pixels = np.empty((len(stack), stack[0].rows, stack[0].cols), dtype=dtype)
    for k, s in enumerate(stack):
        if dtype == np.float32:
            _rescale_into(pixels[k], s.pixels, s.slope, s.intercept)
        else:
            # added in int32 (holds any 16-bit value plus any intercept), then stored in the
            # type `_exact_type` checked holds every sum: the cast never wraps
            np.add(s.pixels, np.int32(s.intercept), out=pixels[k], casting="unsafe")
    pixels.flags.writeable = False
    return pixels


_EXACT_TYPES = (np.uint8, np.uint16, np.int16)


def _exact_type(stack: list[_Slice]) -> type:
    """The first of uint8, uint16, int16 that holds every stored value plus its intercept, when
    every slice has integer stored values (of at most 16 bits), a slope of 1 and an integer
    intercept; float32 otherwise (fractional rescale, a modality LUT, wider values)."""
    if not all(s.pixels.dtype.kind in "iu" and s.pixels.dtype.itemsize <= 2 and s.slope == 1.0
               and float(s.intercept).is_integer() for s in stack):
        return np.float32
    lo = min(int(s.pixels.min()) + int(s.intercept) for s in stack)
    hi = max(int(s.pixels.max()) + int(s.intercept) for s in stack)
    for dtype in _EXACT_TYPES:
        info = np.iinfo(dtype)
        if info.min <= lo and hi <= info.max:
            return dtype
    return np.float32


def load_study(sources: Any, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES,
               progress: Callable[[int, int], object] | None = None,
               max_pixel_bytes: int = MAX_PIXEL_BYTES, max_series: int = MAX_SERIES) -> Study:
    """Read every DICOM series in `sources`, grouped by patient and series.

    Parameters
    ----------
    sources : path, bytes, file-like object, or an iterable of them
        Files (a Streamlit ``UploadedFile`` is a file-like object), folders (every file below
        them) and zips of files; zips are opened in memory, nothing is written to disk.
    max_files : int, keyword-only
        Most files read (sources, and members of any one zip).
    max_bytes : int, keyword-only
        Most bytes read in total; a zip's uncompressed size is taken from its central directory
        and checked before anything is extracted.
    progress : callable, keyword-only
        Called as ``progress(done, total)`` after each file is decoded (for a progress bar).
    max_pixel_bytes : int, keyword-only
        Most memory the load spends beyond its input (512 MiB by default): what zips unpack
        to (twice their declared size: held, then stacked), what deflated files inflate to,
        and each file's Rows x Columns x frames as decoded samples plus the array they are
        stacked into, each counted before anything is allocated; a file past it is named with
        the limit and not read. Sequences nested more than 64 deep are refused the same way.
    max_series : int, keyword-only
        Most series one load may hold (100 by default; a lumbar MR study has fewer than 30).
        Counted from the Study and Series Instance UIDs in each file's first bytes before any
        file is parsed, and again as files are parsed.

    Returns
    -------
    Study
        The series (each sorted, de-identified, flagged) and the problems of files that gave
        no series. Files are never raised on: each problem names its file.

    Raises
    ------
    InputError
        When no image could be loaded at all (``.problems`` lists why, file by file), when
        more than `max_files` sources are given, or when the files hold more than
        `max_series` series.

    Notes
    -----
    A file is DICOM when it carries the ``DICM`` marker after its 128-byte preamble (PS3.10
    7.1); pydicom then reads it without ``force``. Files are grouped by patient (Patient ID,
    Patient's Name and Birth Date, compared in memory and never kept), Study and Series
    Instance UID. See `load_series` for what happens inside a series.

    Examples
    --------
    >>> from vbq import phantom
    >>> study = load_study(phantom.series_zip(phantom.make_series(seed=0)[0]))
    >>> len(study), study[0].n_slices, study[0].orientation
    (1, 11, 'sagittal')
    """
    if min(max_files, max_bytes, max_pixel_bytes, max_series) < 1:
        raise InputError(f"max_files, max_bytes, max_pixel_bytes and max_series must be "
                         f"positive, got {max_files}, {max_bytes}, {max_pixel_bytes}, "
                         f"{max_series}")
    key = _fingerprint_key()
    budget = _Budget(max_pixel_bytes, max_pixel_bytes)
    problems: list[FileProblem] = []
    files = _gather(sources, max_files, max_bytes, problems, budget)
    _check_series((data for _, data in files), max_series=max_series)
    slices = _read_files(files, problems, budget, max_series, progress)
    if not slices:
        detail = "; ".join(str(p) for p in problems[:20]) or "no file given"
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InputError(f"no image could be loaded: {detail}{more}", problems)
    return _assemble(slices, problems, key)


def _read_files(files: list[tuple[str, bytes | str]], problems: list[FileProblem],
                budget: _Budget, max_series: int,
                progress: Callable[[int, int], object] | None) -> list[_Slice]:
    """Every file's slices, in order; refused once they hold more than `max_series` series
    (what `_count` could not count from the files' first bytes is counted here)."""
    slices: list[_Slice] = []
    memo: dict = {}
    tally = _Tally(max_series)
    for done, (name, data) in enumerate(files, start=1):
        got = _read_file(name, data, problems, memo, budget)
        slices.extend(got)
        for s in got:
            tally.add(None, s.group)
        if progress is not None:
            progress(done, len(files))
    return slices


def _assemble(slices: list[_Slice], problems: list[FileProblem], key: bytes) -> Study:
    """The study: slices grouped by (patient, study, series), each group built into a series,
    ordered by patient, Series Number, then order of appearance."""
    patients: dict[bytes, str] = {}
    groups: dict[tuple, list[_Slice]] = {}
    for s in slices:
        patients.setdefault(s.group[0], f"patient {len(patients) + 1}")
        groups.setdefault(s.group, []).append(s)
    built = []
    for order, (group, members) in enumerate(groups.items()):
        series = _build_series(members, patients[group[0]], key)
        number = series.series_number if series.series_number is not None else 10**9
        built.append(((int(series.patient.split()[-1]), number, order), series))
    built.sort(key=lambda t: t[0])
    return Study(series=tuple(s for _, s in built), problems=tuple(problems),
                 n_patients=len(patients))


def load_series(sources: Any, *, series: int | str | None = None, max_files: int = MAX_FILES,
                max_bytes: int = MAX_BYTES,
                progress: Callable[[int, int], object] | None = None,
                max_pixel_bytes: int = MAX_PIXEL_BYTES, max_series: int = MAX_SERIES
                ) -> Series:
    """Load one sorted, de-identified series from DICOM files or a zip.

    Parameters
    ----------
    sources : path, bytes, file-like object, or an iterable of them
        As `load_study`.
    series : int, str or None, keyword-only
        Which series when the input holds several: an index into ``load_study(sources)``, or a
        fingerprint (or its first 8+ characters). None picks the only series, else the one
        `Study.preferred_series` offers: the sagittal T1-weighted series, spin echo / fast spin
        echo first, then T1 FLAIR, never a localizer, a T2 or an axial. When that leaves none,
        or several of the same standing (two patients' series, or two equal series of one
        patient), it raises, listing the series.
    max_files, max_bytes, progress, max_pixel_bytes, max_series : keyword-only
        As `load_study`.

    Returns
    -------
    Series
        Pixels (slices, rows, columns) after the modality LUT, pixel spacing, slice positions
        and the technical attributes. ``problems`` lists everything not used from the input
        (other series included), ``flags`` what to know before measuring.

    Raises
    ------
    InputError
        Nothing loaded; or several series and `series` does not pick one.

    Notes
    -----
    Slices are sorted by Image Position (Patient) (0020,0032) projected on the slice normal,
    the cross product of the row and column direction cosines of Image Orientation (Patient)
    (0020,0037) (PS3.3 C.7.6.2.1.1), ties by Instance Number; without positions by Instance
    Number (0020,0013); otherwise in file order, each with a note. DICOMDIR files and
    localizers (Image Type LOCALIZER) are skipped with a note, and so are slices whose
    orientation, matrix or spacing differs from the series' commonest stack. Enhanced
    multi-frame images are read frame by frame, with position, orientation, spacing and
    rescale from the per-frame (else shared) functional groups (PS3.3 C.7.6.16). The modality
    LUT is applied per slice (PS3.3 C.11.1). Compressed transfer syntaxes are decoded by
    pydicom's pixel plugins (GDCM; pylibjpeg with OpenJPEG and RLE; Pillow); JPEG 2000 by
    OpenJPEG first, which gives GDCM's values at about half its processor time. 12-bit JPEG
    Extended has no decoder here (the GPL libjpeg is not shipped) and is reported by name.

    Examples
    --------
    >>> from vbq import phantom
    >>> datasets, truth = phantom.make_series(seed=0)
    >>> s = load_series(phantom.series_bytes(datasets))
    >>> s.pixels.shape, s.spacing_mm, s.is_sagittal
    ((11, 256, 256), (1.0, 1.0), True)
    """
    study = load_study(sources, max_files=max_files, max_bytes=max_bytes, progress=progress,
                       max_pixel_bytes=max_pixel_bytes, max_series=max_series)
    listing = "; ".join(f"[{i}] {s.label} ({s.patient}, {s.n_slices} slices)"
                        for i, s in enumerate(study))
    if series is None:
        chosen = _default_choice(study, listing)
    elif isinstance(series, bool) or not isinstance(series, int | str):
        raise InputError(f"series: expected an index, a fingerprint or None, got {series!r}")
    elif isinstance(series, int):
        chosen = _by_index(study, series, listing)
    else:
        chosen = _by_fingerprint(study, series, listing)
    picked = study[chosen]
    others = [FileProblem(f"series [{i}]", f"{s.label} ({s.patient}, {s.n_slices} slices): "
                                           "another series, not loaded", "note")
              for i, s in enumerate(study) if i != chosen]
    problems = (*study.problems, *picked.problems, *others)
    return Series(**{**{f: getattr(picked, f) for f in picked.__dataclass_fields__},
                     "problems": problems})


def _default_choice(study: Study, listing: str) -> int:
    if len(study) == 1:
        return 0
    fit = study.preferred_series()
    if len(fit) != 1:
        why = ("several sagittal T1-like series of the same standing" if fit
               else "no sagittal T1-like series")
        raise InputError(f"series: the input holds {len(study)} series and {why}; pass "
                         f"series= with an index or a fingerprint: {listing}",
                         list(study.problems))
    return fit[0]


def _by_index(study: Study, series: int, listing: str) -> int:
    if not -len(study) <= series < len(study):
        raise InputError(f"series: index {series} out of range; the input holds "
                         f"{len(study)} series: {listing}")
    return series % len(study)


def _by_fingerprint(study: Study, series: str, listing: str) -> int:
    hits = [i for i, s in enumerate(study) if len(series) >= 8
            and s.fingerprint.startswith(series.lower())]
    if len(hits) != 1:
        raise InputError(f"series: fingerprint {series!r} matches {len(hits)} series (give "
                         f"at least 8 characters): {listing}")
    return hits[0]
