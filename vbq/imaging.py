"""DICOM series in, de-identified pixel arrays out; circular ROI statistics; VBQ from ROIs.

Array in, array out, in the order the DICOM standard fixes: stored values -> modality LUT
(Rescale Slope/Intercept, PS3.3 C.11.1) -> statistics; windowing (PS3.3 C.11.2) is for display
only. Identifiers never leave this module: a `Series` holds the pixel data and the technical
attributes a user picks a series by, nothing from the DICOM basic confidentiality profile
(PS3.15 Annex E) except a cleaned Series Description and a one-way series fingerprint.

Public names:

* `load_study(sources)` -> `Study`: every series found in files, bytes, file-like objects or zips,
  grouped by patient and series, with the per-file problems.
* `load_series(sources, *, series=None)` -> `Series`: one sorted, de-identified series.
* `roi_stats(pixels, spacing_mm, centre, radius_mm)` -> `RoiStats`: mean, median, SD and pixel
  count of a circular ROI.
* `measure_vbq(rois, *, collapsed=(), csf_level="L3")` -> `MeasuredVBQ`: the VBQ from five ROIs
  through `vbq.compute_vbq`, the function the cohort analysis uses.
* `window_image(image, center, width)`, `default_window(series_or_image)`: display only.
* `BASIC_PROFILE`: the attributes of the basic confidentiality profile this module drops.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple

import numpy as np

from .cohort import compute_vbq
from .errors import InputError
from .schema import CSF_LEVELS, LEVELS

__all__ = [
    "Series",
    "Study",
    "FileProblem",
    "Flag",
    "RoiStats",
    "MeasuredVBQ",
    "Window",
    "RoiOutsideImageError",
    "load_study",
    "load_series",
    "roi_stats",
    "measure_vbq",
    "window_image",
    "default_window",
    "BASIC_PROFILE",
    "MAX_FILES",
    "MAX_BYTES",
    "T1_TR_MS",
    "T1_TE_MS",
]

MAX_FILES = 5000  # zip members (and sources) read at most
MAX_BYTES = 2 * 1024**3  # total uncompressed bytes read at most
T1_TR_MS = (400.0, 850.0)  # T1-weighted spin echo, as VBQ was validated (Ehresman et al. 2020)
T1_TE_MS = (8.0, 20.0)

# PS3.15 (2024b) Annex E, Table E.1-1: attributes of the Basic Application Level Confidentiality
# Profile (every action: D, Z, X, U and their combinations), by pydicom keyword. Private
# attributes (odd groups) and the overlay groups (60xx: Overlay Data, Overlay Comments) are
# removed by the profile too; pydicom has no single keyword for a repeating group.
# This module keeps none of them: it copies an allow-list of technical attributes out of each
# file and drops the dataset. Two exceptions, both documented in docs/methods.md: Series
# Description is retained, cleaned of the file's own identifying values (the profile's "Clean
# Descriptors Option", PS3.15 E.3.5), and the Study/Series Instance UIDs enter a one-way
# SHA-256 fingerprint (in the spirit of action U: a consistent replacement, never the UID).
BASIC_PROFILE: tuple[str, ...] = (
    "AccessionNumber", "AcquisitionComments", "AcquisitionContextSequence", "AcquisitionDate",
    "AcquisitionDateTime", "AcquisitionDeviceProcessingDescription",
    "AcquisitionProtocolDescription", "AcquisitionTime", "ActualHumanPerformersSequence",
    "AdditionalPatientHistory", "AdmissionID", "AdmittingDate",
    "AdmittingDiagnosesCodeSequence", "AdmittingDiagnosesDescription", "AdmittingTime",
    "AffectedSOPInstanceUID", "Allergies", "Arbitrary", "AuthorObserverSequence",
    "BranchOfService", "CassetteID", "CommentsOnThePerformedProcedureStep", "ConcatenationUID",
    "ConfidentialityConstraintOnPatientDataDescription", "ConsultingPhysicianName",
    "ContentCreatorIdentificationCodeSequence", "ContentCreatorName", "ContentDate",
    "ContentSequence", "ContentTime", "ContextGroupExtensionCreatorUID", "ContrastBolusAgent",
    "ContributionDescription", "CountryOfResidence", "CurrentPatientLocation",
    "CustodialOrganizationSequence", "DataSetTrailingPadding", "DerivationDescription",
    "DetectorID", "DeviceSerialNumber", "DeviceUID", "DigitalSignatureUID",
    "DigitalSignaturesSequence", "DimensionOrganizationUID", "DischargeDiagnosisDescription",
    "DistributionAddress", "DistributionName", "DoseReferenceUID", "EthnicGroup",
    "FailedSOPInstanceUIDList", "FiducialUID", "FillerOrderNumberImagingServiceRequest",
    "FrameComments", "FrameOfReferenceUID", "GantryID", "GeneratorID",
    "GraphicAnnotationSequence", "HumanPerformerName", "HumanPerformerOrganization",
    "IconImageSequence", "IdentifyingComments", "ImageComments", "ImagePresentationComments",
    "ImagingServiceRequestComments", "Impressions", "InstanceCreationDate",
    "InstanceCreationTime", "InstanceCreatorUID", "InstitutionAddress",
    "InstitutionCodeSequence", "InstitutionName", "InstitutionalDepartmentName",
    "InsurancePlanIdentification", "IntendedRecipientsOfResultsIdentificationSequence",
    "InterpretationApproverSequence", "InterpretationAuthor", "InterpretationDiagnosisDescription",
    "InterpretationIDIssuer", "InterpretationRecorder", "InterpretationText",
    "InterpretationTranscriber", "IrradiationEventUID", "IssuerOfAdmissionID",
    "IssuerOfPatientID", "IssuerOfServiceEpisodeID", "LargePaletteColorLookupTableUID",
    "LastMenstrualDate", "MAC", "MediaStorageSOPInstanceUID", "MedicalAlerts",
    "MedicalRecordLocator", "MilitaryRank", "ModifiedAttributesSequence",
    "ModifiedImageDescription", "ModifyingDeviceID", "NameOfPhysiciansReadingStudy",
    "NamesOfIntendedRecipientsOfResults", "Occupation", "OperatorIdentificationSequence",
    "OperatorsName", "OrderCallbackPhoneNumber", "OrderEnteredBy", "OrderEntererLocation",
    "OriginalAttributesSequence", "OtherPatientIDs", "OtherPatientIDsSequence",
    "OtherPatientNames", "PaletteColorLookupTableUID",
    "ParticipantSequence", "PatientAddress", "PatientAge", "PatientBirthDate",
    "PatientBirthName", "PatientBirthTime", "PatientComments", "PatientID",
    "PatientInstitutionResidence", "PatientInsurancePlanCodeSequence",
    "PatientMotherBirthName", "PatientName", "PatientPrimaryLanguageCodeSequence",
    "PatientPrimaryLanguageModifierCodeSequence", "PatientReligiousPreference", "PatientSex",
    "PatientSexNeutered", "PatientSize", "PatientState", "PatientTelecomInformation",
    "PatientTelephoneNumbers", "PatientTransportArrangements", "PatientWeight",
    "PerformedLocation", "PerformedProcedureStepDescription", "PerformedProcedureStepEndDate",
    "PerformedProcedureStepEndTime", "PerformedProcedureStepID",
    "PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime",
    "PerformedStationAETitle", "PerformedStationGeographicLocationCodeSequence",
    "PerformedStationName", "PerformedStationNameCodeSequence",
    "PerformingPhysicianIdentificationSequence", "PerformingPhysicianName", "PersonAddress",
    "PersonIdentificationCodeSequence", "PersonName", "PersonTelephoneNumbers",
    "PhysicianApprovingInterpretation", "PhysiciansOfRecord",
    "PhysiciansOfRecordIdentificationSequence", "PhysiciansReadingStudyIdentificationSequence",
    "PlacerOrderNumberImagingServiceRequest", "PlateID", "PreMedication", "PregnancyStatus",
    "ProtocolName", "ReasonForStudy", "ReasonForTheImagingServiceRequest",
    "ReferencedDigitalSignatureSequence", "ReferencedFrameOfReferenceUID",
    "ReferencedImageSequence", "ReferencedPatientAliasSequence", "ReferencedPatientSequence",
    "ReferencedPerformedProcedureStepSequence", "ReferencedSOPInstanceMACSequence",
    "ReferencedSOPInstanceUID", "ReferencedSOPInstanceUIDInFile", "ReferencedStudySequence",
    "ReferringPhysicianAddress", "ReferringPhysicianIdentificationSequence",
    "ReferringPhysicianName", "ReferringPhysicianTelephoneNumbers", "RegionOfResidence",
    "RelatedFrameOfReferenceUID", "RequestAttributesSequence", "RequestedContrastAgent",
    "RequestedProcedureComments", "RequestedProcedureDescription", "RequestedProcedureID",
    "RequestedProcedureLocation", "RequestedSOPInstanceUID", "RequestingPhysician",
    "RequestingService", "ResponsibleOrganization", "ResponsiblePerson", "ResultsComments",
    "ResultsDistributionListSequence", "ResultsIDIssuer", "ReviewerName",
    "ScheduledHumanPerformersSequence", "ScheduledPatientInstitutionResidence",
    "ScheduledPerformingPhysicianIdentificationSequence", "ScheduledPerformingPhysicianName",
    "ScheduledProcedureStepDescription", "ScheduledProcedureStepEndDate",
    "ScheduledProcedureStepEndTime", "ScheduledProcedureStepLocation",
    "ScheduledProcedureStepStartDate", "ScheduledProcedureStepStartTime",
    "ScheduledStationAETitle", "ScheduledStationGeographicLocationCodeSequence",
    "ScheduledStationName", "ScheduledStationNameCodeSequence", "ScheduledStudyLocation",
    "ScheduledStudyLocationAETitle", "SeriesDate", "SeriesDescription", "SeriesInstanceUID",
    "SeriesTime", "ServiceEpisodeDescription", "ServiceEpisodeID", "SmokingStatus",
    "SOPInstanceUID", "SourceImageSequence", "SpecialNeeds", "StationName",
    "StorageMediaFileSetUID", "StudyComments", "StudyDate", "StudyDescription", "StudyID",
    "StudyIDIssuer", "StudyInstanceUID", "StudyTime", "SynchronizationFrameOfReferenceUID",
    "TemplateExtensionCreatorUID", "TemplateExtensionOrganizationUID", "TextComments",
    "TextString", "TimezoneOffsetFromUTC", "TopicAuthor", "TopicKeywords", "TopicSubject",
    "TopicTitle", "TransactionUID", "UID", "VerifyingObserverIdentificationCodeSequence",
    "VerifyingObserverName", "VerifyingObserverSequence", "VerifyingOrganization",
    "VisitComments",
)

# identifying values removed from the retained Series Description (Clean Descriptors Option)
_SCRUB_KEYWORDS = (
    "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientBirthTime", "AccessionNumber",
    "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName", "StationName",
    "DeviceSerialNumber", "StudyID", "PatientAddress", "PatientTelephoneNumbers",
    "MedicalRecordLocator", "IssuerOfPatientID", "AdmissionID", "StudyDate", "SeriesDate",
    "AcquisitionDate", "ContentDate", "RequestedProcedureID", "PerformedProcedureStepID",
    "PatientAge", "CountryOfResidence", "RegionOfResidence", "MilitaryRank", "Occupation",
)
# words that label synthetic data (the phantom's Patient's Name); never scrubbed
_LABEL_WORDS = frozenset({"SYNTHETIC", "PHANTOM"})
_DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
_LOSSY_SYNTAXES = frozenset({
    "1.2.840.10008.1.2.4.50",  # JPEG Baseline (Process 1)
    "1.2.840.10008.1.2.4.51",  # JPEG Extended (Process 2 and 4)
    "1.2.840.10008.1.2.4.81",  # JPEG-LS Lossy (Near-Lossless)
})
_FINGERPRINT_DOMAIN = b"vbq-explorer series fingerprint v1\x00"


class RoiOutsideImageError(InputError):
    """A circular ROI holds pixel centres outside the image (it is never silently clipped)."""


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


@dataclass(frozen=True)
class Flag:
    """Something a user should know before measuring on a series; never a refusal.

    `code` is one of ``not_sagittal``, ``not_t1_like``, ``not_validated_sequence``,
    ``lossy_compression``, ``not_mr``, ``no_pixel_spacing``, ``burned_in_annotation``,
    ``contrast``; `message` says it in words.
    """

    code: str
    message: str


@dataclass(frozen=True, repr=False, eq=False)
class Series:
    """One sorted, de-identified image series.

    Attributes
    ----------
    pixels : ndarray of float32, shape (slices, rows, columns), read-only
        Stored values after the modality LUT (Rescale Slope/Intercept or Modality LUT Sequence),
        per slice (per frame for enhanced multi-frame images). float32 represents every stored
        value exactly and a rescaled value to 7 significant digits; `roi_stats` accumulates in
        float64.
    spacing_mm : (float, float) or None
        (0028,0030) Pixel Spacing: (row spacing, column spacing), i.e. the distance between
        the centres of adjacent rows, then of adjacent columns; None when the files lack it.
    slice_positions_mm : ndarray of float
        Each slice's Image Position (Patient) projected on the slice normal (NaN when sorted by
        Instance Number).
    sorted_by : {"position", "instance number", "file order"}
    description : str
        (0008,103E) Series Description, cleaned of the file's identifying values.
    orientation : {"sagittal", "coronal", "axial", "unknown"}
        The patient axis closest to the slice normal (cross product of the row and column
        direction cosines of Image Orientation (Patient)).
    series_number : int or None
    patient : str
        "patient 1", "patient 2", ... in order of appearance (never an identifier).
    modality : str
    repetition_time_ms, echo_time_ms, inversion_time_ms, field_strength_t : float or None
    scanning_sequence, sequence_variant : str
    transfer_syntaxes : tuple of str
        Names of the transfer syntaxes the pixel data came in.
    lossy_compression : bool
        (0028,2110) Lossy Image Compression is "01", or the transfer syntax is lossy: SI ratios
        then carry compression error.
    window : (center, width) or None
        The first (0028,1050) Window Center / (0028,1051) Window Width of the first slice.
    slice_thickness_mm : float or None
    fingerprint : str
        SHA-256 (hex) of a fixed domain string, the Study and the Series Instance UID: the same
        series gives the same fingerprint in every session; the UIDs cannot be read back.
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
        return not any(f.code in ("not_t1_like", "not_validated_sequence") for f in self.flags)

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the pixels, as plain Python values (for a table or a database row)."""
        return {
            "fingerprint": self.fingerprint,
            "patient": self.patient,
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
            "scanning_sequence": self.scanning_sequence,
            "sequence_variant": self.sequence_variant,
            "transfer_syntaxes": "; ".join(self.transfer_syntaxes),
            "lossy_compression": self.lossy_compression,
            "sorted_by": self.sorted_by,
            "flags": "; ".join(f.message for f in self.flags),
            "n_files": self.n_files,
            "n_problems": len(self.problems),
        }

    def summary(self) -> str:
        """A few readable lines: what the series is, its flags and what was left out."""
        d = self.to_dict()
        sp = (f"{d['row_spacing_mm']:g} x {d['column_spacing_mm']:g} mm" if self.spacing_mm
              else "pixel spacing unknown")
        lines = [
            f"{self.description or '(no description)'} [{self.patient}]: {self.orientation}, "
            f"{self.n_slices} slice(s) of {d['rows']} x {d['columns']} pixels, {sp}",
            f"TR {_num(self.repetition_time_ms, 'ms')}, TE {_num(self.echo_time_ms, 'ms')}, "
            f"TI {_num(self.inversion_time_ms, 'ms')}, {_num(self.field_strength_t, 'T')}, "
            f"sequence {self.scanning_sequence or 'not recorded'}, sorted by {self.sorted_by}",
        ]
        lines += [f"! {f.message}" for f in self.flags]
        lines += [f"- {p}" for p in self.problems]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Series({self.description!r}, {self.patient}, {self.orientation}, "
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

    def to_frame(self):
        """One row per series (`Series.to_dict` fields) plus its index, to pick one."""
        import pandas as pd

        rows = [{"index": i, **s.to_dict()} for i, s in enumerate(self.series)]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class RoiStats:
    """Statistics of a circular ROI.

    Attributes
    ----------
    mean, median, sd : float
        Of the pixel values inside; `sd` is the sample SD (ddof = 1; 0 for a single pixel).
    n_pixels : int
        Pixels whose centres fall inside the circle.
    area_mm2 : float
        n_pixels x row spacing x column spacing.
    min, max : float
    centre : (float, float)
        (row, column) in pixels, as given; ``centre_mm`` in mm from the centre of pixel (0, 0).
    radius_mm : float
    spacing_mm : (float, float)
    """

    mean: float
    median: float
    sd: float
    n_pixels: int
    area_mm2: float
    min: float
    max: float
    centre: tuple[float, float]
    radius_mm: float
    spacing_mm: tuple[float, float]

    @property
    def centre_mm(self) -> tuple[float, float]:
        """The centre in mm down and across from the centre of pixel (0, 0)."""
        return (self.centre[0] * self.spacing_mm[0], self.centre[1] * self.spacing_mm[1])

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "median": self.median, "sd": self.sd,
                "n_pixels": self.n_pixels, "area_mm2": self.area_mm2, "min": self.min,
                "max": self.max, "centre_row": self.centre[0], "centre_col": self.centre[1],
                "centre_row_mm": self.centre_mm[0], "centre_col_mm": self.centre_mm[1],
                "radius_mm": self.radius_mm}


@dataclass(frozen=True)
class MeasuredVBQ:
    """VBQ of one measured patient.

    Attributes
    ----------
    vbq : float
        median(SI of the non-collapsed L1-L4) / SI CSF; NaN when it cannot be scored.
    message : str
        "" when scored, else why not (CSF SI of zero, too few levels, a missing ROI).
    si : dict
        ``"L1"`` ... ``"L4"`` -> mean SI (NaN when not measured).
    si_csf : float
    csf_level : str
    collapsed : tuple of str
        Levels left out of the median.
    n_levels : int
        Levels that entered the median.
    """

    vbq: float
    message: str
    si: dict[str, float]
    si_csf: float
    csf_level: str
    collapsed: tuple[str, ...]
    n_levels: int

    def cohort_row(self) -> dict[str, Any]:
        """The cohort's columns (`vbq.schema`): si_l1..si_l4, si_csf, csf_level, collapsed_l1..l4."""
        row: dict[str, Any] = {f"si_{lv.lower()}": self.si[lv] for lv in LEVELS}
        row["si_csf"] = self.si_csf
        row["csf_level"] = self.csf_level
        row.update({f"collapsed_{lv.lower()}": lv in self.collapsed for lv in LEVELS})
        return row


class Window(NamedTuple):
    """A display window: `center` and `width` in modality-LUT units; `source` "file" or
    "percentile". A tuple, so ``center, width, source = default_window(series)`` works."""

    center: float
    width: float
    source: str


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


@dataclass
class _Slice:
    """One decoded frame and the allow-listed attributes of its file (internal only)."""

    file: str
    pixels: np.ndarray  # stored values; the modality LUT is slope * pixels + intercept
    slope: float
    intercept: float
    group: tuple  # (patient key, study UID, series UID): in memory during a load only
    instance_key: tuple  # (SOP Instance UID, frame)
    rows: int
    cols: int
    spacing: tuple[float, float] | None
    iop: tuple[float, ...] | None
    ipp: tuple[float, float, float] | None
    instance_number: int | None
    attrs: dict[str, Any] = field(default_factory=dict)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _num(value: float | None, unit: str) -> str:
    return "not recorded" if value is None else f"{value:g} {unit}"


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


def _gather(sources: Any, max_files: int, max_bytes: int,
            problems: list[FileProblem]) -> list[tuple[str, bytes | str]]:
    """Every input file as (label, bytes or path), zips expanded in memory within the limits.

    A path that is not a zip stays a path: each file is read when it is decoded, one at a time."""
    items = []
    for src in [sources] if _is_single(sources) else list(sources):
        if isinstance(src, str | os.PathLike) and os.path.isdir(src):
            # a folder: every file below it, in name order (hidden files and folders skipped)
            for root, dirs, names in os.walk(src):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                items.extend(os.path.join(root, n) for n in sorted(names)
                             if not n.startswith("."))
                if len(items) > max_files:
                    break
        else:
            items.append(src)
    if len(items) > max_files:
        raise InputError(f"sources: {len(items)} files given; at most {max_files} are read")
    out: list[tuple[str, bytes | str]] = []
    budget = [max_bytes]
    for k, src in enumerate(items, start=1):
        label = _label(src, k)
        try:
            if isinstance(src, str | os.PathLike):
                size = os.path.getsize(src)
                with open(src, "rb") as fh:
                    head = fh.read(4)
                if size <= budget[0] and head not in (b"PK\x03\x04", b"PK\x05\x06"):
                    budget[0] -= size
                    out.append((label, os.fspath(src)))
                    continue
            data = _read_source(src, budget[0])
        except (OSError, ValueError) as exc:
            problems.append(FileProblem(label, f"could not be read ({type(exc).__name__})"))
            continue
        if data is None:
            problems.append(FileProblem(label, f"larger than the {max_bytes} bytes read at most; "
                                               "skipped"))
            continue
        budget[0] -= len(data)
        if data[:4] == b"PK\x03\x04" or (data[:4] == b"PK\x05\x06"):
            out.extend(_unzip(label, data, max_files, budget, problems))
        else:
            out.append((label, data))
    return out


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
           problems: list[FileProblem]) -> list[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        problems.append(FileProblem(label, f"not a readable zip archive ({type(exc).__name__})"))
        return []
    # limits from the central directory, before anything is decompressed
    if len(infos) > max_files:
        problems.append(FileProblem(label, f"the archive holds {len(infos)} files; at most "
                                           f"{max_files} are read, so none was opened"))
        return []
    declared = sum(i.file_size for i in infos)
    if declared > budget[0]:
        problems.append(FileProblem(label, f"the archive unpacks to {declared} bytes, more than "
                                           f"the {budget[0]} bytes left to read; none was opened"))
        return []
    out: list[tuple[str, bytes]] = []
    mac = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        member = f"{label}: {PurePosixPath(name).name or name}"
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            problems.append(FileProblem(member, "path outside the archive; skipped"))
            continue
        if parts and parts[0] == "__MACOSX" or PurePosixPath(name).name == ".DS_Store":
            mac += 1
            continue
        if info.flag_bits & 0x1:
            problems.append(FileProblem(member, "encrypted; skipped"))
            continue
        try:
            with zf.open(info) as fh:
                content = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            problems.append(FileProblem(member, f"could not be extracted ({type(exc).__name__})"))
            continue
        if len(content) > info.file_size:
            problems.append(FileProblem(member, "larger than the archive declares; skipped"))
            continue
        budget[0] -= len(content)
        if content[:4] in (b"PK\x03\x04", b"PK\x05\x06") or name.lower().endswith(".zip"):
            problems.append(FileProblem(member, "an archive inside the archive: not opened "
                                                "(upload it on its own)", "note"))
            continue
        out.append((member, content))
    if mac:
        problems.append(FileProblem(label, f"{mac} macOS metadata file(s) (__MACOSX, .DS_Store) "
                                           "skipped", "note"))
    return out


@functools.cache
def _tag(keyword: str) -> int | None:
    from pydicom.datadict import tag_for_keyword

    return tag_for_keyword(keyword)


@functools.cache
def _pn_keywords() -> tuple[str, ...]:
    from pydicom.datadict import dictionary_VR

    return tuple(kw for kw in BASIC_PROFILE if dictionary_VR(_tag(kw)) == "PN")


def _raw_bytes(ds: Any, keyword: str) -> bytes:
    """An element's value as bytes WITHOUT converting it (no validation warning, no log)."""
    tag = _tag(keyword)
    return b"" if tag is None else _element_bytes(ds.get_item(tag))


def _text(ds: Any, keyword: str) -> str:
    """A code-string (CS) attribute from its raw bytes: ASCII by definition (PS3.5 6.2)."""
    return _raw_bytes(ds, keyword).decode("ascii", "replace").strip(" \x00")


def _element_bytes(elem: Any) -> bytes:
    value = getattr(elem, "value", None)
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, SequenceABC):  # MultiValue, list
        return "\\".join(str(v) for v in value).encode("utf-8", "replace")
    return str(value).encode("utf-8", "replace")


@functools.cache
def _scrub_tags() -> frozenset[int]:
    return frozenset(_tag(kw) for kw in (*_pn_keywords(), *_SCRUB_KEYWORDS))


def _identifying_tokens(ds: Any) -> set[str]:
    tokens: set[str] = set()
    for tag in ds.keys() & _scrub_tags():
        raw = _element_bytes(ds.get_item(tag))
        if not raw:
            continue
        for text in {raw.decode("latin-1"), raw.decode("utf-8", "ignore")}:
            for tok in re.split(r"[\^\\=,\s/]+", text):
                tok = tok.strip(" .\x00")
                if len(tok) >= 3 and tok.upper() not in _LABEL_WORDS:
                    tokens.add(tok)
    return tokens


def _clean_description(ds: Any) -> str:
    text = str(ds.get("SeriesDescription", "") or "").strip()
    if not text:
        return ""
    for tok in sorted(_identifying_tokens(ds), key=len, reverse=True):
        text = re.sub(re.escape(tok), "[removed]", text, flags=re.IGNORECASE)
    return text


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        value = value[0] if len(value) else None
        if value is None:
            return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _numbers(ds: Any, keyword: str) -> tuple[float, ...]:
    """A DS/IS attribute parsed from its raw text (faster than pydicom's DSfloat, same values)."""
    raw = _raw_bytes(ds, keyword)
    out = []
    for part in raw.split(b"\\"):
        part = part.strip(b" \x00")
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            return ()
        if not math.isfinite(value):
            return ()
        out.append(value)
    return tuple(out)


def _vector(ds: Any, keyword: str, n: int) -> tuple[float, ...] | None:
    values = _numbers(ds, keyword)
    return values if len(values) == n else None


def _number(ds: Any, keyword: str) -> float | None:
    values = _numbers(ds, keyword)
    return values[0] if values else None


def _floats(value: Any, n: int) -> tuple[float, ...] | None:
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return out if len(out) == n and all(math.isfinite(v) for v in out) else None


def _functional(ds: Any, frame: int, seq: str, attr: str) -> Any:
    """`attr` of functional-group sequence `seq` for `frame`: per-frame first, then shared."""
    for groups, index in (("PerFrameFunctionalGroupsSequence", frame),
                          ("SharedFunctionalGroupsSequence", 0)):
        items = ds.get(groups)
        if not items or index >= len(items):
            continue
        inner = items[index].get(seq)
        if inner and attr in inner[0]:
            return inner[0].get(attr)
    return None


def _read_file(name: str, data: bytes | str, problems: list[FileProblem],
               memo: dict | None = None) -> list[_Slice]:
    import pydicom
    from pydicom.errors import InvalidDicomError
    from pydicom.pixels import apply_modality_lut, get_decoder

    memo = {} if memo is None else memo
    try:
        if isinstance(data, str):  # a path: checked, then read in one piece (pydicom parses
            with open(data, "rb") as fh:  # bytes in memory faster than many small file reads)
                head = fh.read(132)
                if len(head) < 132 or head[128:132] != b"DICM":
                    problems.append(FileProblem(name, "not a DICOM file (no 'DICM' marker at "
                                                      "byte 128)"))
                    return []
                fh.seek(0)
                data = fh.read()
            ds = pydicom.dcmread(io.BytesIO(data))
        elif len(data) < 132 or data[128:132] != b"DICM":
            problems.append(FileProblem(name, "not a DICOM file (no 'DICM' marker at byte 128)"))
            return []
        else:
            ds = pydicom.dcmread(io.BytesIO(data))
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError, TypeError,
            NotImplementedError, AttributeError) as exc:
        problems.append(FileProblem(name, f"damaged or truncated DICOM file, not readable "
                                          f"({type(exc).__name__})"))
        return []
    meta = getattr(ds, "file_meta", None)
    sop_class = str(getattr(meta, "MediaStorageSOPClassUID", "") or ds.get("SOPClassUID", ""))
    if sop_class == _DICOMDIR_CLASS or "DirectoryRecordSequence" in ds:
        problems.append(FileProblem(name, "a DICOMDIR (an index of the other files, no image); "
                                          "skipped", "note"))
        return []
    if "PixelData" not in ds:
        if ("FloatPixelData" in ds) or ("DoubleFloatPixelData" in ds):
            message = "float pixel data (a parametric map) is not supported"
        elif "Image Storage" in pydicom.uid.UID(sop_class).name:
            message = ("no pixel data (7FE0,0010) although the file is an image: it is "
                       "probably truncated")
        else:
            message = "no pixel data (7FE0,0010): not an image (a report or a presentation state?)"
        problems.append(FileProblem(name, message))
        return []
    image_type = [v.strip().upper() for v in _text(ds, "ImageType").split("\\")]
    if "LOCALIZER" in image_type:
        problems.append(FileProblem(name, "a localizer (scout) image; skipped", "note"))
        return []
    photometric = _text(ds, "PhotometricInterpretation").strip()
    if photometric and not photometric.startswith("MONOCHROME"):
        problems.append(FileProblem(name, f"a colour image ((0028,0004) Photometric "
                                          f"Interpretation {photometric}); VBQ is measured on "
                                          "greyscale MR"))
        return []
    tsyntax = getattr(meta, "TransferSyntaxUID", None)
    if tsyntax is None:
        problems.append(FileProblem(name, "(0002,0010) Transfer Syntax UID is missing"))
        return []
    try:
        decoder = get_decoder(tsyntax)
    except NotImplementedError:
        problems.append(FileProblem(name, f"transfer syntax '{tsyntax.name}' has no decoder "
                                          "in this installation; convert the file to an "
                                          "uncompressed or JPEG/JPEG 2000/RLE syntax"))
        return []
    if not decoder.is_available:
        missing = "; ".join(decoder.missing_dependencies) or "a decoder plugin"
        problems.append(FileProblem(name, f"transfer syntax '{tsyntax.name}' needs {missing}, "
                                          "which is not installed"))
        return []
    try:
        arr = _native_view(ds, decoder, tsyntax)
        if arr is None:
            arr = ds.pixel_array
    except Exception as exc:  # decoders raise many types; the file is reported, never raised
        if "does not support" in str(exc):  # every installed plugin declined this variant
            bits = _number(ds, "BitsStored")
            problems.append(FileProblem(name, f"transfer syntax '{tsyntax.name}'"
                                              + (f" with {bits:g}-bit samples" if bits else "")
                                              + " has no decoder in this installation; convert "
                                              "the file to an uncompressed, JPEG lossless, "
                                              "JPEG-LS, JPEG 2000 or RLE syntax"))
            return []
        problems.append(FileProblem(name, f"pixel data could not be decoded, the file may be "
                                          f"truncated or damaged ({type(exc).__name__}: "
                                          f"{_shorten(str(exc))})"))
        return []
    n_frames = int(_number(ds, "NumberOfFrames") or 1)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[0] != n_frames:
        problems.append(FileProblem(name, f"unexpected pixel array shape {arr.shape}"))
        return []

    enhanced = "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds
    group = (_raw_bytes(ds, "PatientID") + b"\x00" + _raw_bytes(ds, "PatientName") + b"\x00"
             + _raw_bytes(ds, "PatientBirthDate"),
             _raw_bytes(ds, "StudyInstanceUID"),
             _raw_bytes(ds, "SeriesInstanceUID") or name.encode())
    # series-level attributes (a series shows those of its first slice): read once per series
    key = (group, _raw_bytes(ds, "SeriesDescription"), enhanced)
    if key not in memo:
        memo[key] = dict(_technical_attributes(ds, enhanced), description=_clean_description(ds))
    attrs = dict(memo[key], transfer_syntax=tsyntax.name,
                 lossy=(_raw_bytes(ds, "LossyImageCompression").strip() == b"01"
                        or str(tsyntax) in _LOSSY_SYNTAXES))
    sop = _raw_bytes(ds, "SOPInstanceUID") or name.encode()
    slices: list[_Slice] = []
    for f in range(n_frames):
        if enhanced:
            spacing = _floats(_functional(ds, f, "PixelMeasuresSequence", "PixelSpacing"), 2)
            iop = _floats(_functional(ds, f, "PlaneOrientationSequence",
                                      "ImageOrientationPatient"), 6)
            ipp = _floats(_functional(ds, f, "PlanePositionSequence", "ImagePositionPatient"), 3)
            slope = _float(_functional(ds, f, "PixelValueTransformationSequence",
                                       "RescaleSlope"))
            intercept = _float(_functional(ds, f, "PixelValueTransformationSequence",
                                           "RescaleIntercept"))
            if slope is None and intercept is None:
                slope, intercept = _number(ds, "RescaleSlope"), _number(ds, "RescaleIntercept")
            frame = arr[f]
            number = _float(_functional(ds, f, "FrameContentSequence", "InStackPositionNumber"))
        else:
            spacing = _vector(ds, "PixelSpacing", 2)
            iop = _vector(ds, "ImageOrientationPatient", 6)
            ipp = _vector(ds, "ImagePositionPatient", 3)
            if "ModalityLUTSequence" in ds:  # a non-linear LUT: pydicom applies it
                frame = np.asarray(apply_modality_lut(arr[f], ds), dtype=np.float64)
                slope, intercept = 1.0, 0.0
            else:  # linear rescale, applied while stacking (no intermediate copy)
                frame = arr[f]
                slope, intercept = _number(ds, "RescaleSlope"), _number(ds, "RescaleIntercept")
            number = _number(ds, "InstanceNumber")
            if n_frames > 1:
                number = None  # frames of a plain multi-frame image: file order
        slices.append(_Slice(
            file=name, pixels=frame, slope=1.0 if slope is None else slope,
            intercept=0.0 if intercept is None else intercept, group=group, instance_key=(sop, f),
            rows=int(frame.shape[0]), cols=int(frame.shape[1]), spacing=spacing, iop=iop,
            ipp=ipp, instance_number=None if number is None else int(number), attrs=attrs))
    return slices


def _native_view(ds: Any, decoder: Any, tsyntax: Any) -> np.ndarray | None:
    """Uncompressed little-endian greyscale pixel data as a read-only (frames, rows, columns)
    view on the file's bytes, or None when ``ds.pixel_array`` must decode it: compressed, big
    endian, bit-packed, colour, a length other than the header says, or high bits above
    (0028,0101) Bits Stored that are not clear.

    Why not pydicom here: for this one layout (PS3.5 8.1.1 and A.1: little-endian samples of
    Bits Allocated bits, row by row, frame after frame) decoding is `numpy.frombuffer`, but
    ``ds.pixel_array`` sets up a generic decode (about 15 attributes converted, options
    validated), copies the values and clears the unused high bits with two shifts: about half
    of its time per 512 x 512 file, spent before our float32 copy anyway. The shifts change
    nothing when every value lies within the range of Bits Stored (signed or not), which is
    checked; otherwise pydicom decodes and corrects as usual, and every damaged or unusual
    file gets pydicom's own handling and messages. The loader tests compare both paths with
    ``pixel_array`` on pydicom's own test files.
    """
    if not (decoder.is_native and tsyntax.is_little_endian):
        return None
    bits_allocated, bits_stored, samples, rows, cols, signed = (_us(ds, kw) for kw in (
        "BitsAllocated", "BitsStored", "SamplesPerPixel", "Rows", "Columns",
        "PixelRepresentation"))
    frames = _numbers(ds, "NumberOfFrames") or (1.0,)
    if (bits_allocated not in (8, 16, 32) or samples != 1 or bits_stored is None
            or not 1 <= bits_stored <= bits_allocated or signed not in (0, 1) or not rows
            or not cols or len(frames) != 1 or frames[0] < 1 or frames[0] != int(frames[0])):
        return None
    data = _raw_bytes(ds, "PixelData")
    count = int(frames[0]) * rows * cols
    if len(data) not in (count * bits_allocated // 8, count * bits_allocated // 8 + 1):
        return None  # an odd length carries one padding byte; anything else: pydicom's message
    arr = np.frombuffer(data, dtype=f"<{'iu'[signed == 0]}{bits_allocated // 8}", count=count)
    if bits_stored < bits_allocated:
        if signed:
            if not (-(1 << (bits_stored - 1)) <= int(arr.min())
                    and int(arr.max()) < 1 << (bits_stored - 1)):
                return None
        elif int(arr.max()) >> bits_stored:
            return None
    return arr.reshape(int(frames[0]), rows, cols)


def _us(ds: Any, keyword: str) -> int | None:
    """A single Unsigned Short (US) of a little-endian dataset, from its two raw bytes (without
    pydicom's element conversion); None when absent or not one value."""
    tag = _tag(keyword)
    value = getattr(ds.get_item(tag), "value", None) if tag is not None else None
    if isinstance(value, bytes):
        return int.from_bytes(value, "little") if len(value) == 2 else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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


def _technical_attributes(ds: Any, enhanced: bool) -> dict[str, Any]:
    """The allow-list: technical attributes only, none of them in the basic profile."""
    def fg(seq: str, attr: str) -> Any:
        return _functional(ds, 0, seq, attr) if enhanced else None

    tr = _number(ds, "RepetitionTime")
    te = _number(ds, "EchoTime")
    ti = _number(ds, "InversionTime")
    if enhanced:
        tr = tr if tr is not None else _float(fg("MRTimingAndRelatedParametersSequence",
                                                 "RepetitionTime"))
        te = te if te is not None else _float(fg("MREchoSequence", "EffectiveEchoTime"))
        ti = ti if ti is not None else _float(fg("MRModifierSequence", "InversionTimes"))
    scanning = ds.get("ScanningSequence") or ds.get("EchoPulseSequence") or ""
    if not isinstance(scanning, str):
        scanning = "\\".join(str(s) for s in scanning)
    variant = ds.get("SequenceVariant") or ""
    if not isinstance(variant, str):
        variant = "\\".join(str(s) for s in variant)
    if enhanced and str(ds.get("InversionRecovery", "")).upper() == "YES" and "IR" not in scanning:
        scanning = f"{scanning}\\IR" if scanning else "IR"
    wc, ww = _number(ds, "WindowCenter"), _number(ds, "WindowWidth")
    thickness = _number(ds, "SliceThickness")
    if thickness is None and enhanced:
        thickness = _float(fg("PixelMeasuresSequence", "SliceThickness"))
    number = _number(ds, "SeriesNumber")
    return {
        "modality": str(ds.get("Modality", "") or ""),
        "repetition_time_ms": tr,
        "echo_time_ms": te,
        "inversion_time_ms": ti,
        "field_strength_t": _number(ds, "MagneticFieldStrength"),
        "scanning_sequence": str(scanning),
        "sequence_variant": str(variant),
        "scan_options": _text(ds, "ScanOptions"),
        "window": (wc, ww) if wc is not None and ww is not None and ww >= 1 else None,
        "slice_thickness_mm": thickness,
        "series_number": None if number is None else int(number),
        "burned_in": str(ds.get("BurnedInAnnotation", "")).upper() == "YES",
        "contrast": bool(_raw_bytes(ds, "ContrastBolusAgent").strip(b" \x00")),
    }


def _orientation(iop: tuple[float, ...] | None) -> tuple[str, np.ndarray | None]:
    if iop is None:
        return "unknown", None
    normal = np.cross(np.asarray(iop[:3]), np.asarray(iop[3:]))
    norm = float(np.linalg.norm(normal))
    if norm < 1e-6:
        return "unknown", None
    normal = normal / norm
    return ("sagittal", "coronal", "axial")[int(np.argmax(np.abs(normal)))], normal


def _flags(attrs: dict[str, Any], orientation: str, spacing: Any) -> tuple[Flag, ...]:
    flags = []
    if orientation != "sagittal":
        flags.append(Flag("not_sagittal", f"not sagittal ({orientation}): VBQ is measured on "
                                          "the mid-sagittal slice"))
    tr, te, ti = (attrs["repetition_time_ms"], attrs["echo_time_ms"],
                  attrs["inversion_time_ms"])
    seq = attrs["scanning_sequence"].upper()
    if tr is None or te is None:
        flags.append(Flag("not_t1_like", "TR or TE not recorded: cannot check that the series "
                                         "is T1-weighted"))
    elif not (T1_TR_MS[0] <= tr <= T1_TR_MS[1] and T1_TE_MS[0] <= te <= T1_TE_MS[1]):
        flags.append(Flag("not_t1_like", f"not T1-like: TR {tr:g} ms, TE {te:g} ms (T1-weighted "
                                         f"is about TR {T1_TR_MS[0]:g}-{T1_TR_MS[1]:g} ms, "
                                         f"TE {T1_TE_MS[0]:g}-{T1_TE_MS[1]:g} ms)"))
    why = []
    if (ti is not None and ti > 0) or "IR" in re.split(r"[\\ ]+", seq):
        why.append("inversion recovery (T1 FLAIR or STIR"
                   + (f", TI {ti:g} ms)" if ti else ")"))
    if tr is not None and te is not None and tr >= 1500 and te >= 60:
        why.append(f"T2-weighted (TR {tr:g} ms, TE {te:g} ms)")
    if seq and "SE" not in seq and "SPIN" not in seq and ("GR" in seq or "GRADIENT" in seq):
        why.append("gradient echo")
    options = [o.strip().upper() for o in attrs.get("scan_options", "").split("\\")]
    if any(o == "SFS" or o.startswith("FS") for o in options):
        why.append("fat-suppressed ((0018,0022) Scan Options FS)")
    if why:
        flags.append(Flag("not_validated_sequence", "; ".join(why) + ": not the sequence VBQ was "
                          "validated on (non-contrast T1-weighted spin echo); it can still be "
                          "measured"))
    if attrs["lossy"]:
        flags.append(Flag("lossy_compression", "lossy-compressed pixel data ((0028,2110) Lossy "
                                               "Image Compression): SI ratios carry compression "
                                               "error"))
    if attrs["modality"] and attrs["modality"] != "MR":
        flags.append(Flag("not_mr", f"modality {attrs['modality']}, not MR"))
    if spacing is None:
        flags.append(Flag("no_pixel_spacing", "(0028,0030) Pixel Spacing is missing: ROI radii "
                                              "in mm cannot be converted to pixels"))
    if attrs["burned_in"]:
        flags.append(Flag("burned_in_annotation", "(0028,0301) Burned In Annotation is YES: the "
                                                  "pixels may show identifying text"))
    if attrs["contrast"]:
        flags.append(Flag("contrast", "a contrast agent is recorded ((0018,0010) Contrast/Bolus "
                                      "Agent): VBQ is defined on non-contrast T1"))
    return tuple(flags)


def _fingerprint(study_uid: bytes, series_uid: bytes) -> str:
    h = hashlib.sha256(_FINGERPRINT_DOMAIN)
    h.update(study_uid.strip(b" \x00") + b"\x00" + series_uid.strip(b" \x00"))
    return h.hexdigest()


def _build_series(slices: list[_Slice], patient: str) -> tuple[Series, list[FileProblem]]:
    notes: list[FileProblem] = []
    # duplicates (the same instance and frame twice)
    seen: set = set()
    unique = []
    for s in slices:
        if s.instance_key in seen:
            notes.append(FileProblem(s.file, "the same image as another file; skipped", "note"))
            continue
        seen.add(s.instance_key)
        unique.append(s)
    # the main stack: the commonest orientation and matrix; the rest are localizers or reformats
    def stack_key(s: _Slice) -> tuple:
        iop = None if s.iop is None else tuple(round(v, 3) for v in s.iop)
        sp = None if s.spacing is None else tuple(round(v, 4) for v in s.spacing)
        return iop, s.rows, s.cols, sp

    counts: dict[tuple, int] = {}
    for s in unique:
        counts[stack_key(s)] = counts.get(stack_key(s), 0) + 1
    main = max(counts, key=lambda k: counts[k])  # ties: the first seen
    stack = [s for s in unique if stack_key(s) == main]
    other = [s for s in unique if stack_key(s) != main]
    for s in other:
        notes.append(FileProblem(s.file, "orientation, matrix size or pixel spacing differs "
                                         "from the rest of the series (a localizer?); skipped",
                                 "note"))
    orientation, normal = _orientation(stack[0].iop)
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
    if sorted_by == "position" and len(stack) > 1:
        same = int(np.sum(np.abs(np.diff(positions)) < 1e-3))
        if same:
            notes.append(FileProblem(stack[0].file, f"{same + 1} slices share a position "
                                                    "(several echoes or repeated acquisitions?)",
                                     "note"))
    # the modality LUT, written straight into the series array (PS3.3 C.11.1.1.2:
    # output = Rescale Slope * stored value + Rescale Intercept). float32 holds every stored
    # value exactly (up to 2^24) and a rescaled one to 7 significant digits, at half the
    # memory and conversion time of float64; ROI statistics accumulate in float64.
    pixels = np.empty((len(stack), stack[0].rows, stack[0].cols), dtype=np.float32)
    for k, s in enumerate(stack):
        _rescale_into(pixels[k], s.pixels, s.slope, s.intercept)
    pixels.flags.writeable = False
    positions.flags.writeable = False
    first = stack[0].attrs
    lossy = any(s.attrs["lossy"] for s in stack)
    attrs = dict(first, lossy=lossy)
    spacing = stack[0].spacing
    syntaxes = tuple(dict.fromkeys(s.attrs["transfer_syntax"] for s in stack))
    series = Series(
        pixels=pixels,
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
        transfer_syntaxes=syntaxes,
        lossy_compression=lossy,
        window=first["window"],
        slice_thickness_mm=first["slice_thickness_mm"],
        fingerprint=_fingerprint(stack[0].group[1], stack[0].group[2]),
        flags=_flags(attrs, orientation, spacing),
        problems=tuple(notes),
        n_files=len({s.file for s in stack}),
    )
    return series, notes


def load_study(sources: Any, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES,
               progress: Callable[[int, int], object] | None = None) -> Study:
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

    Returns
    -------
    Study
        The series (each sorted, de-identified, flagged) and the problems of files that gave
        no series. Files are never raised on: each problem names its file.

    Raises
    ------
    InputError
        When no image could be loaded at all (``.problems`` lists why, file by file), or when
        more than `max_files` sources are given.

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
    if max_files < 1 or max_bytes < 1:
        raise InputError(f"max_files and max_bytes must be positive, got {max_files}, {max_bytes}")
    problems: list[FileProblem] = []
    files = _gather(sources, max_files, max_bytes, problems)
    slices: list[_Slice] = []
    memo: dict = {}
    for done, (name, data) in enumerate(files, start=1):
        slices.extend(_read_file(name, data, problems, memo))
        if progress is not None:
            progress(done, len(files))
    if not slices:
        detail = "; ".join(str(p) for p in problems[:20]) or "no file given"
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InputError(f"no image could be loaded: {detail}{more}", problems)
    patients: dict[bytes, str] = {}
    groups: dict[tuple, list[_Slice]] = {}
    for s in slices:
        patients.setdefault(s.group[0], f"patient {len(patients) + 1}")
        groups.setdefault(s.group, []).append(s)
    built = []
    for order, (key, members) in enumerate(groups.items()):
        series, _ = _build_series(members, patients[key[0]])
        number = series.series_number if series.series_number is not None else 10**9
        built.append(((int(series.patient.split()[-1]), number, order), series))
    built.sort(key=lambda t: t[0])
    return Study(series=tuple(s for _, s in built), problems=tuple(problems),
                 n_patients=len(patients))


def load_series(sources: Any, *, series: int | str | None = None, max_files: int = MAX_FILES,
                max_bytes: int = MAX_BYTES,
                progress: Callable[[int, int], object] | None = None) -> Series:
    """Load one sorted, de-identified series from DICOM files or a zip.

    Parameters
    ----------
    sources : path, bytes, file-like object, or an iterable of them
        As `load_study`.
    series : int, str or None, keyword-only
        Which series when the input holds several: an index into ``load_study(sources)``, or a
        fingerprint (or its first 8+ characters). None picks the only series, else the only
        sagittal T1-like one (not flagged ``not_sagittal``, ``not_t1_like`` or
        ``not_validated_sequence``); with several candidates or none it raises, listing them.
    max_files, max_bytes, progress : keyword-only
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
    pydicom's pixel plugins (GDCM; pylibjpeg with OpenJPEG and RLE; Pillow). 12-bit JPEG
    Extended has no decoder here (the GPL libjpeg is not shipped) and is reported by name.

    Examples
    --------
    >>> from vbq import phantom
    >>> datasets, truth = phantom.make_series(seed=0)
    >>> s = load_series(phantom.series_bytes(datasets))
    >>> s.pixels.shape, s.spacing_mm, s.is_sagittal
    ((11, 256, 256), (1.0, 1.0), True)
    """
    study = load_study(sources, max_files=max_files, max_bytes=max_bytes, progress=progress)
    listing = "; ".join(f"[{i}] {s.description or '(no description)'} ({s.patient}, "
                        f"{s.orientation}, {s.n_slices} slices)" for i, s in enumerate(study))
    if series is None:
        if len(study) == 1:
            chosen = 0
        else:
            fit = [i for i, s in enumerate(study) if s.is_sagittal and s.is_t1_like]
            if len(fit) != 1:
                why = "several sagittal T1-like series" if fit else "no sagittal T1-like series"
                raise InputError(f"series: the input holds {len(study)} series and {why}; pass "
                                 f"series= with an index or a fingerprint: {listing}",
                                 list(study.problems))
            chosen = fit[0]
    elif isinstance(series, bool) or not isinstance(series, int | str):
        raise InputError(f"series: expected an index, a fingerprint or None, got {series!r}")
    elif isinstance(series, int):
        if not -len(study) <= series < len(study):
            raise InputError(f"series: index {series} out of range; the input holds "
                             f"{len(study)} series: {listing}")
        chosen = series % len(study)
    else:
        hits = [i for i, s in enumerate(study) if len(series) >= 8
                and s.fingerprint.startswith(series.lower())]
        if len(hits) != 1:
            raise InputError(f"series: fingerprint {series!r} matches {len(hits)} series (give "
                             f"at least 8 characters): {listing}")
        chosen = hits[0]
    picked = study[chosen]
    others = [FileProblem(f"series [{i}]", f"{s.description or '(no description)'} ({s.patient}, "
                                           f"{s.orientation}, {s.n_slices} slices): another "
                                           "series, not loaded", "note")
              for i, s in enumerate(study) if i != chosen]
    problems = (*study.problems, *picked.problems, *others)
    return Series(**{**{f: getattr(picked, f) for f in picked.__dataclass_fields__},
                     "problems": problems})


# ---------------------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------------------


def roi_stats(pixels: np.ndarray, spacing_mm: tuple[float, float] | Iterable[float],
              centre: tuple[float, float] | Iterable[float], radius_mm: float) -> RoiStats:
    """Mean, median, SD and pixel count of a circular ROI on one slice.

    Parameters
    ----------
    pixels : 2-D array
        One slice after the modality LUT (``series.pixels[k]``), never display values.
    spacing_mm : (row spacing, column spacing)
        (0028,0030) Pixel Spacing in mm; anisotropic spacing makes the circle an ellipse in
        pixels.
    centre : (row, column)
        In pixels, fractional allowed; pixel (i, j) has its centre at (i, j).
    radius_mm : float
        Radius of the circle in mm.

    Returns
    -------
    RoiStats
        ``mean``, ``median``, ``sd`` (ddof = 1, 0 for one pixel), ``n_pixels``, ``area_mm2``,
        ``min``, ``max``.

    Raises
    ------
    RoiOutsideImageError
        When any pixel centre inside the circle lies outside the image: the ROI is never
        clipped, so a result always describes the whole circle.
    InputError
        Bad parameters (not 2-D, spacing or radius not positive, centre not finite), no pixel
        centre inside the circle, or a non-finite pixel value inside it.

    Notes
    -----
    Pixel (i, j) is inside when ((i - r) * dr)^2 + ((j - c) * dc)^2 <= R^2, with (r, c) the
    centre, (dr, dc) the spacing and R the radius: the pixels whose centres fall inside (or on)
    the circle, with no partial-pixel weighting. Only the bounding box of the circle is
    evaluated, as one vectorised mask. SD is the sample standard deviation (n - 1 in the
    denominator), as viewers such as OsiriX/Horos and ImageJ report it.

    Examples
    --------
    >>> r = roi_stats(np.arange(100.0).reshape(10, 10), (1.0, 1.0), (5, 5), 1.0)
    >>> r.n_pixels, r.mean
    (5, 55.0)
    """
    arr = np.asarray(pixels)
    if arr.ndim != 2:
        raise InputError(f"pixels: expected a 2-D slice, got shape {arr.shape}")
    try:
        dr, dc = (float(v) for v in spacing_mm)
        r0, c0 = (float(v) for v in centre)
    except (TypeError, ValueError) as exc:
        raise InputError(f"spacing_mm and centre: expected two numbers each, got {spacing_mm!r} "
                         f"and {centre!r}") from exc
    radius = float(radius_mm)
    if not (math.isfinite(dr) and math.isfinite(dc) and dr > 0 and dc > 0):
        raise InputError(f"spacing_mm: expected two positive numbers, got {spacing_mm!r}")
    if not (math.isfinite(r0) and math.isfinite(c0)):
        raise InputError(f"centre: expected finite (row, column), got {centre!r}")
    if not (math.isfinite(radius) and radius > 0):
        raise InputError(f"radius_mm: expected a positive number, got {radius_mm!r}")
    hr, hc = radius / dr, radius / dc  # half-extent in pixels
    i0, i1 = math.ceil(r0 - hr), math.floor(r0 + hr)
    j0, j1 = math.ceil(c0 - hc), math.floor(c0 + hc)
    ii = np.arange(i0, i1 + 1)[:, None]
    jj = np.arange(j0, j1 + 1)[None, :]
    inside = ((ii - r0) * dr) ** 2 + ((jj - c0) * dc) ** 2 <= radius * radius
    n = int(inside.sum())
    if n == 0:
        raise InputError(f"radius_mm: a circle of {radius:g} mm at ({r0:g}, {c0:g}) holds no "
                         f"pixel centre (pixel spacing {dr:g} x {dc:g} mm)")
    rows, cols = arr.shape
    outside = (ii < 0) | (ii >= rows) | (jj < 0) | (jj >= cols)
    if np.any(inside & outside):
        raise RoiOutsideImageError(
            f"centre: the ROI of {radius:g} mm at (row {r0:g}, column {c0:g}) leaves the "
            f"{rows} x {cols} image; move it inside or make it smaller")
    # the box may overhang the image where no centre is inside: trim it to the image
    a0, a1, b0, b1 = max(i0, 0), min(i1, rows - 1), max(j0, 0), min(j1, cols - 1)
    inside = inside[a0 - i0:a1 - i0 + 1, b0 - j0:b1 - j0 + 1]
    values = arr[a0:a1 + 1, b0:b1 + 1][inside].astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise InputError("pixels: the ROI holds non-finite values")
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    return RoiStats(mean=mean, median=float(np.median(values)), sd=sd, n_pixels=n,
                    area_mm2=n * dr * dc, min=float(values.min()), max=float(values.max()),
                    centre=(r0, c0), radius_mm=radius, spacing_mm=(dr, dc))


def measure_vbq(rois: Mapping[str, RoiStats | float | None], *, collapsed: Iterable[str] = (),
                csf_level: str = "L3", min_levels: int = 3) -> MeasuredVBQ:
    """VBQ of one patient from its ROIs, computed by `vbq.compute_vbq` like the cohort's.

    Parameters
    ----------
    rois : mapping
        ``"L1"`` ... ``"L4"`` and ``"CSF"`` -> `RoiStats` (its mean is used) or a mean SI;
        a missing key or None is "not measured".
    collapsed : iterable of str, keyword-only
        Levels marked collapsed (fractured): left out of the median.
    csf_level : str, keyword-only
        Where the CSF ROI sits (L3 by default; an adjacent level when obstructed).
    min_levels : int, keyword-only
        Fewest evaluable levels for a score (3, as `vbq.Settings`).

    Returns
    -------
    MeasuredVBQ
        ``vbq`` and, when it is NaN, the ``message`` saying why (a CSF SI of zero gives a
        message, never an infinite VBQ); ``cohort_row()`` gives the cohort's columns.

    Raises
    ------
    InputError
        Unknown ROI names, levels or `csf_level`.

    Notes
    -----
    VBQ = median(SI of the evaluable L1-L4) / SI CSF (Ehresman et al., Spine J 2020; collapsed
    levels left out, Chen et al. 2023), through `vbq.cohort.compute_vbq`, so a measured patient
    and a spreadsheet patient are computed by the same code.

    Examples
    --------
    >>> m = measure_vbq({"L1": 300.0, "L2": 320.0, "L3": 310.0, "L4": 330.0, "CSF": 110.0})
    >>> round(m.vbq, 4), m.message
    (2.8636, '')
    """
    allowed = {*LEVELS, "CSF"}
    unknown = sorted(set(rois) - allowed)
    if unknown:
        raise InputError(f"rois: unknown names {unknown}; expected {sorted(allowed)}")
    collapsed = tuple(collapsed)
    if set(collapsed) - set(LEVELS):
        raise InputError(f"collapsed: expected levels among {list(LEVELS)}, got {list(collapsed)}")
    if csf_level not in CSF_LEVELS:
        raise InputError(f"csf_level: expected one of {list(CSF_LEVELS)}, got {csf_level!r}")

    def mean_of(value: RoiStats | float | None) -> float:
        if value is None:
            return float("nan")
        return float(value.mean if isinstance(value, RoiStats) else value)

    si = {lv: mean_of(rois.get(lv)) for lv in LEVELS}
    csf = mean_of(rois.get("CSF"))
    result = compute_vbq(np.array([[si[lv] for lv in LEVELS]]), np.array([csf]),
                         np.array([[lv in collapsed for lv in LEVELS]]), min_levels=min_levels)
    message = result.reasons[0]
    if "CSF SI missing" in message:
        message = message.replace("CSF SI missing", "no CSF ROI placed")
    return MeasuredVBQ(vbq=float(result.vbq[0]), message=message, si=si, si_csf=csf,
                       csf_level=csf_level, collapsed=tuple(lv for lv in LEVELS
                                                            if lv in collapsed),
                       n_levels=int(result.n_levels[0]))


# ---------------------------------------------------------------------------------------------
# display
# ---------------------------------------------------------------------------------------------


def window_image(image: np.ndarray, center: float, width: float) -> np.ndarray:
    """Map modality-LUT values to 0-255 for display with a linear window (uint8).

    Raises
    ------
    InputError
        `width` below 1 (the standard's minimum) or not finite, `center` not finite.

    Notes
    -----
    The linear VOI LUT function of PS3.3 C.11.2.1.2.1: values at or below
    c - 0.5 - (w - 1) / 2 are 0, above c - 0.5 + (w - 1) / 2 are 255, and in between
    ((x - (c - 0.5)) / (w - 1) + 0.5) * 255, rounded. Display only: statistics are computed
    on the unwindowed values.
    """
    c, w = float(center), float(width)
    if not (math.isfinite(c) and math.isfinite(w)) or w < 1:
        raise InputError(f"width: expected a finite window width >= 1 and a finite center, got "
                         f"center {center!r}, width {width!r}")
    x = np.asarray(image, dtype=np.float64)
    if w == 1:
        return np.where(x > c - 0.5, 255, 0).astype(np.uint8)
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0
    return np.clip(np.rint(y), 0, 255).astype(np.uint8)


def default_window(source: Series | np.ndarray, *, slice_index: int | None = None,
                   percentiles: tuple[float, float] = (1.0, 99.0)) -> Window:
    """The window to show a series with: the file's Window Center/Width, else percentiles.

    Parameters
    ----------
    source : Series or array
        A series (its file window is used when present) or an image (2-D or a stack).
    slice_index : int, keyword-only
        The slice whose percentiles set an automatic window (default: the middle slice).
    percentiles : (low, high), keyword-only
        The automatic window spans these percentiles of the slice.

    Returns
    -------
    Window
        ``center``, ``width`` (>= 1) and ``source`` ("file" or "percentile").
    """
    lo_p, hi_p = percentiles
    if not 0 <= lo_p < hi_p <= 100:
        raise InputError(f"percentiles: expected 0 <= low < high <= 100, got {percentiles!r}")
    if isinstance(source, Series):
        if source.window is not None:
            return Window(float(source.window[0]), float(source.window[1]), "file")
        stack = source.pixels
    else:
        stack = np.asarray(source, dtype=np.float64)
    if stack.ndim == 3:
        k = stack.shape[0] // 2 if slice_index is None else int(slice_index)
        stack = stack[k]
    if stack.ndim != 2 or stack.size == 0:
        raise InputError(f"source: expected an image, got shape {np.shape(stack)}")
    lo, hi = np.percentile(stack, [lo_p, hi_p])
    width = max(float(hi - lo), 1.0)
    return Window(float(lo + hi) / 2, width, "percentile")
