"""A SYNTHETIC sagittal T1 lumbar MRI series with known signal intensities and VBQ.

Nothing here is patient data. The phantom is drawn by seeded code: five vertebral bodies (L1-L5)
with discs between them, a CSF-filled spinal canal behind them, posterior elements, muscle and
fat, Gaussian noise, and realistic DICOM tags (MR, TR 600 ms, TE 10 ms, 3 T, a sagittal Image
Orientation (Patient), a non-trivial Rescale Slope/Intercept). Its ground truth lets the imaging
code be tested end to end, and it is the MRI page's default demo, labelled synthetic wherever it
appears (Patient's Name "SYNTHETIC^PHANTOM", Series Description "SYNTHETIC PHANTOM sag T1").

Public names:

* `make_series(seed=0)` -> ``(datasets, truth)``: pydicom datasets, sorted along the slice normal
  as `vbq.imaging.load_series` sorts them, and a `PhantomTruth`.
* `make_series(seed, *, anatomy=...)`, `Anatomy`, `random_anatomy(seed)`,
  `make_varied_series(seed)`: the same with varied lordosis, tilt, body, disc and canal sizes,
  SI scale, surface-coil bias, a collapsed level or a transitional L5-S1 (`TRANSITIONAL`), drawn
  from a seed with its truth (each body's extent, the canal, the reference ROIs, the true VBQ):
  the images `vbq.imaging.suggest_rois` is judged on.
* `series_bytes(datasets)`, `series_zip(datasets)`, `write_series(datasets, folder)`: the same
  series as DICOM Part 10 bytes, one zip, or files on disk.
* `as_enhanced(datasets)`: the series as one multi-frame Enhanced MR Image with per-frame
  functional groups (for the loader's multi-frame path).
* `make_study(seed=0, *, series=STUDY_SERIES)` -> ``(datasets, truth)``: a whole lumbar study
  as a scanner exports it (3-plane localizer, sagittal T1 spin echo, sagittal T2, sagittal
  T1 FLAIR, sagittal STIR, axial T2), for the loader's choice of series.
* `cohort_zip(n_studies=3)` -> ``(archive, truths)``: several synthetic patients' studies in
  one zip, one folder per study ID (``VBQ-001/...``), for the worklist.
"""

from __future__ import annotations

import copy
import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian, generate_uid
from scipy.ndimage import gaussian_filter

from ._anatomy import LUMBAR, TRANSITIONAL, Anatomy, Spine, random_anatomy

# `_anatomy` draws the spine; `_judge` (imported by the tests and bench/bench_suggest.py, not
# here) judges suggested ROIs against the truth.

__all__ = [
    "PhantomTruth",
    "make_series",
    "make_varied_series",
    "Anatomy",
    "random_anatomy",
    "TRANSITIONAL",
    "series_bytes",
    "series_zip",
    "write_series",
    "as_enhanced",
    "make_study",
    "cohort_zip",
    "STUDY_SERIES",
    "SERIES_DESCRIPTION",
    "PATIENT_NAME",
]

SERIES_DESCRIPTION = "SYNTHETIC PHANTOM sag T1"
PATIENT_NAME = "SYNTHETIC^PHANTOM"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
ENHANCED_MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4.1"

_RESCALE_SLOPE, _RESCALE_INTERCEPT = 0.75, -40.0


@dataclass(frozen=True)
class PhantomTruth:
    """Ground truth of a phantom series (all SIs after the modality LUT, before noise).

    Attributes
    ----------
    si : dict
        True SI of each vertebral body, ``"L1"`` ... ``"L5"``: the tissue's SI times the mean
        coil bias over its reference ROI (the tissue's SI itself when the anatomy has no bias),
        i.e. what the reference ROI reads on the noise-free image.
    si_csf : float
        The same for the CSF in the canal behind L3.
    vbq : float
        median(SI of the L1-L4 not collapsed) / SI CSF, the paper's formula on the true values
        (Ehresman et al. 2020; a collapsed level left out, as the readers do).
    mid_slice : int
        Index of the mid-sagittal slice in the sorted series (where the canal is widest).
    centres : dict
        ``"L1"`` ... ``"L5"`` and ``"CSF"`` -> reference ROI centre (row, column) in pixels on
        `mid_slice`: the middle of each body and of the canal behind L3; pixel (i, j) has its
        centre at (i, j).
    roi_radius_mm : dict
        A radius (mm) per ROI that stays at least 4 mm inside its structure (2 mm for a
        collapsed body too thin for that).
    noise_sd : float
        Standard deviation of the Gaussian noise added to the SI (before quantisation).
    rescale : tuple of float
        (Rescale Slope, Rescale Intercept) written to every slice.
    pixel_spacing : tuple of float
        (row spacing, column spacing) in mm.
    csf_level : str
        Level of the CSF ROI ("L3").
    anatomy : Anatomy
        The anatomy drawn (`Anatomy()`, the straight spine, by default).
    shape : (rows, columns)
    collapsed : tuple of str
        The collapsed level, if any (left out of `vbq`).
    """

    si: dict[str, float]
    si_csf: float
    vbq: float
    mid_slice: int
    centres: dict[str, tuple[float, float]]
    roi_radius_mm: dict[str, float]
    noise_sd: float
    rescale: tuple[float, float]
    pixel_spacing: tuple[float, float]
    csf_level: str = "L3"
    label: str = field(default="SYNTHETIC phantom: not patient data")
    anatomy: Anatomy = field(default_factory=Anatomy)
    shape: tuple[int, int] = (256, 256)
    collapsed: tuple[str, ...] = ()

    def roi_inside(self, name: str, centre: tuple[float, float], radius_mm: float) -> bool:
        """Whether every pixel of a circular ROI lies in the structure `name`.

        Parameters
        ----------
        name : str
            ``"L1"`` ... ``"L5"`` (that vertebral body) or ``"CSF"`` (the canal behind L3,
            between the middles of the discs above and below it).
        centre : (row, column)
            In pixels on `mid_slice`.
        radius_mm : float

        Returns
        -------
        bool
            True when the centre of every pixel inside the circle (the rule of
            `vbq.imaging.roi_stats`) lies in the structure as drawn, before blurring.
        """
        dr, dc = self.pixel_spacing
        r0, c0 = (float(x) for x in centre)
        hr, hc = radius_mm / dr, radius_mm / dc
        ii, jj = np.mgrid[math.ceil(r0 - hr):math.floor(r0 + hr) + 1,
                          math.ceil(c0 - hc):math.floor(c0 + hc) + 1]
        inside = ((ii - r0) * dr) ** 2 + ((jj - c0) * dc) ** 2 <= radius_mm ** 2
        v, u = _pixel_mm(ii[inside], jj[inside], self.shape, self.pixel_spacing)
        return bool(np.all(Spine(self.anatomy).structure_at(name, v, u)))


    def contains(self, name: str, point: tuple[float, float]) -> bool:
        """Whether the point (row, column) in pixels on `mid_slice` lies in the structure
        `name` (as `roi_inside`)."""
        v, u = _pixel_mm(np.array([float(point[0])]), np.array([float(point[1])]), self.shape,
                         self.pixel_spacing)
        return bool(Spine(self.anatomy).structure_at(name, v, u)[0])


def _pixel_mm(rows, cols, shape, spacing):
    """(v, u) in mm of pixel centres: down and posterior from the image centre (the column of
    bodies sits left of centre, as on a real image, hence the 15 mm)."""
    (n_rows, n_cols), (dr, dc) = shape, spacing
    return ((np.asarray(rows) - (n_rows - 1) / 2) * dr,
            (np.asarray(cols) - (n_cols - 1) / 2) * dc + 15.0)


def make_series(
    seed: int = 0,
    *,
    n_slices: int = 11,
    shape: tuple[int, int] = (256, 256),
    pixel_spacing: tuple[float, float] = (1.0, 1.0),
    slice_spacing: float = 4.0,
    noise_sd: float = 10.0,
    anatomy: Anatomy | None = None,
) -> tuple[list[FileDataset], PhantomTruth]:
    """Draw a synthetic sagittal T1 lumbar series.

    Parameters
    ----------
    seed : int
        Seeds the per-level SIs, the noise and the UIDs: the same seed gives the same files.
    n_slices : int, keyword-only
        Number of sagittal slices (odd numbers put one slice exactly on the midline).
    shape : (rows, columns), keyword-only
        Matrix size; the anatomy is drawn in mm, so a finer matrix draws the same anatomy.
    pixel_spacing : (row spacing, column spacing) in mm, keyword-only
        (0028,0030) Pixel Spacing; the field of view is shape x spacing (at least 220 mm tall).
    slice_spacing : float, keyword-only
        Distance between slice centres in mm.
    noise_sd : float, keyword-only
        SD of the Gaussian noise added to the SI before it is stored.
    anatomy : Anatomy, optional, keyword-only
        Lordosis, tilt, body and disc sizes, canal, a collapsed level, a transitional L5-S1,
        the SIs' scale and a surface-coil bias (`random_anatomy` draws one); by default the
        straight spine with bodies of 25 mm, discs of 9 mm and no bias.

    Returns
    -------
    datasets : list of pydicom.dataset.FileDataset
        One MR Image Storage dataset per slice, in the order `vbq.imaging.load_series` sorts
        them (ascending along the slice normal, Instance Number 1 ... n).
    truth : PhantomTruth

    Raises
    ------
    ValueError
        For fewer than 3 slices, a field of view that cannot hold L1-L5, or a negative noise SD.

    Examples
    --------
    >>> datasets, truth = make_series(seed=0)
    >>> len(datasets), truth.mid_slice, round(truth.vbq, 3) > 2
    (11, 5, True)
    """
    rows, cols = (int(s) for s in shape)
    dr, dc = (float(s) for s in pixel_spacing)
    if n_slices < 3:
        raise ValueError(f"n_slices: expected at least 3, got {n_slices}")
    if rows * dr < 220 or cols * dc < 230:
        raise ValueError(f"shape x pixel_spacing: the field of view must be at least 220 x 230 mm "
                         f"to hold L1-L5, got {rows * dr:g} x {cols * dc:g} mm")
    if not noise_sd >= 0:
        raise ValueError(f"noise_sd: expected >= 0, got {noise_sd}")
    anatomy = Anatomy() if anatomy is None else anatomy
    spine = Spine(anatomy)
    rng = np.random.default_rng(seed)
    tissue = {f"L{k}": float(np.round((anatomy.body_si + rng.normal(0, 40)) * anatomy.gain, 1))
              for k in range(1, 6)}
    tissue_csf = float(np.round((anatomy.csf_si + rng.normal(0, 15)) * anatomy.gain, 1))
    if anatomy.collapsed:  # a fresh fracture's oedema darkens the marrow on T1
        tissue[anatomy.collapsed] = float(np.round(0.8 * tissue[anatomy.collapsed], 1))
    if anatomy.transitional == "sacralised L5":
        tissue["L5"] = anatomy.si("S1")

    # pixel (i, j) centre in mm
    v, u = _pixel_mm(np.arange(rows), np.arange(cols), (rows, cols), (dr, dc))
    vv, uu = v[:, None], u[None, :]
    # slices ascending along the normal (-1, 0, 0) of the sagittal orientation below: x falls
    xs = ((n_slices - 1) / 2 - np.arange(n_slices)) * slice_spacing
    mid = int(np.argmin(np.abs(xs)))

    study_uid = generate_uid(entropy_srcs=[f"vbq-phantom-study-{seed}"])
    series_uid = generate_uid(entropy_srcs=[f"vbq-phantom-series-{seed}-{rows}x{cols}"])
    frame_uid = generate_uid(entropy_srcs=[f"vbq-phantom-frame-{seed}"])
    slope, intercept = _RESCALE_SLOPE, _RESCALE_INTERCEPT
    top_left = np.array([0.0, u[0], 1000.0 - v[0]])  # row 0 is superior: z falls down the image
    datasets = []
    plane = spine.plane(vv, uu)
    for i, x in enumerate(xs):
        clean = gaussian_filter(spine.draw(float(x), plane, tissue, tissue_csf),
                                sigma=(0.8 / dr, 0.8 / dc), mode="nearest")
        noisy = np.clip(clean + rng.normal(0.0, noise_sd, clean.shape), 0, None)
        stored = np.clip(np.round((noisy - intercept) / slope), 0, 4095).astype(np.uint16)
        sop_uid = generate_uid(entropy_srcs=[f"vbq-phantom-sop-{seed}-{rows}x{cols}-{i}"])
        ds = _slice_dataset(stored, sop_uid, study_uid, series_uid, frame_uid)
        ds.InstanceNumber = i + 1
        ds.ImagePositionPatient = [float(x), float(top_left[1]), float(top_left[2])]
        ds.SliceLocation = float(x)
        ds.PixelSpacing = [dr, dc]
        ds.SliceThickness = min(slice_spacing, 4.0)
        ds.SpacingBetweenSlices = slice_spacing
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        datasets.append(ds)
    return datasets, _truth(spine, tissue, tissue_csf, mid=mid, shape=(rows, cols),
                            spacing=(dr, dc), noise_sd=noise_sd, rescale=(slope, intercept))


def _truth(spine: Spine, tissue: dict[str, float], tissue_csf: float, *, mid: int,
           shape: tuple[int, int], spacing: tuple[float, float], noise_sd: float,
           rescale: tuple[float, float]) -> PhantomTruth:
    """The reference ROIs and the SIs they read on the noise-free image (bias included)."""
    (rows, cols), (dr, dc) = shape, spacing
    centres, radii, si = {}, {}, {}
    for name, (v, u, radius) in spine.reference_rois().items():
        centre = (v / dr + (rows - 1) / 2, (u - 15.0) / dc + (cols - 1) / 2)
        centres[name], radii[name] = centre, radius
        value = tissue_csf if name == "CSF" else tissue[name]
        if isinstance(spine.bias(np.zeros(1), np.zeros(1)), float):
            si[name] = value  # no bias: the tissue's SI, exactly
        else:  # the mean bias over the ROI's pixels (the rule of vbq.imaging.roi_stats)
            r0, c0 = centre
            ii, jj = np.mgrid[math.ceil(r0 - radius / dr):math.floor(r0 + radius / dr) + 1,
                              math.ceil(c0 - radius / dc):math.floor(c0 + radius / dc) + 1]
            inside = ((ii - r0) * dr) ** 2 + ((jj - c0) * dc) ** 2 <= radius ** 2
            pv, pu = _pixel_mm(ii[inside], jj[inside], shape, spacing)
            si[name] = value * float(np.mean(spine.bias(pv, pu)))
    collapsed = (spine.anatomy.collapsed,) if spine.anatomy.collapsed else ()
    kept = [si[lv] for lv in ("L1", "L2", "L3", "L4") if lv not in collapsed]
    return PhantomTruth(si={lv: si[lv] for lv in LUMBAR}, si_csf=si["CSF"],
                        vbq=float(np.median(kept) / si["CSF"]), mid_slice=mid, centres=centres,
                        roi_radius_mm=radii, noise_sd=float(noise_sd), rescale=rescale,
                        pixel_spacing=(dr, dc), anatomy=spine.anatomy, shape=(rows, cols),
                        collapsed=collapsed)


def make_varied_series(seed: int, *, n_slices: int = 5) -> tuple[list[FileDataset], PhantomTruth]:
    """A phantom of varied anatomy and acquisition, drawn from `seed` alone.

    The anatomy is `random_anatomy(seed)`; the acquisition draws, from its own random stream, a
    field of view of 260-300 mm on a square matrix of 256, 320 or 384 pixels (pixel spacing
    0.68-1.17 mm) and a noise SD of 4-16 (SNR of the bodies about 30-250).

    Parameters
    ----------
    seed : int
        The same seed gives the same files and truth.
    n_slices : int, keyword-only
        Sagittal slices, 4 mm apart (the middle one is the mid-sagittal slice).

    Returns
    -------
    datasets : list of pydicom.dataset.FileDataset
    truth : PhantomTruth

    Examples
    --------
    >>> datasets, truth = make_varied_series(7)
    >>> len(datasets), truth.anatomy == random_anatomy(7)
    (5, True)
    """
    rng = np.random.default_rng([int(seed), 0xAC9])
    matrix = int(rng.choice([256, 320, 384]))
    spacing = float(rng.uniform(260.0, 300.0)) / matrix
    noise = float(rng.uniform(4.0, 16.0))
    return make_series(seed, n_slices=n_slices, shape=(matrix, matrix),
                       pixel_spacing=(spacing, spacing), noise_sd=noise,
                       anatomy=random_anatomy(seed))


def _slice_dataset(stored: np.ndarray, sop_uid: str, study_uid: str, series_uid: str,
                   frame_uid: str) -> FileDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MR_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = FileDataset("", Dataset(), file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "NONE"]
    ds.SOPClassUID = MR_IMAGE_STORAGE
    ds.SOPInstanceUID = sop_uid
    ds.Modality = "MR"
    ds.Manufacturer = "VBQ Explorer synthetic phantom"
    ds.ManufacturerModelName = "Phantom 3T"
    ds.PixelBandwidth = 190.0
    ds.PatientName = PATIENT_NAME
    ds.PatientID = "SYNTHETIC-PHANTOM"
    ds.StudyDescription = "SYNTHETIC PHANTOM lumbar spine"
    ds.SeriesDescription = SERIES_DESCRIPTION
    ds.ImageComments = "SYNTHETIC PHANTOM: not patient data"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid
    ds.SeriesNumber = 3
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = "SK"
    ds.MRAcquisitionType = "2D"
    ds.RepetitionTime = 600.0
    ds.EchoTime = 10.0
    ds.EchoTrainLength = 3
    ds.MagneticFieldStrength = 3.0
    ds.ImagingFrequency = 127.74
    ds.ImagedNucleus = "1H"
    ds.ImageOrientationPatient = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0]
    ds.PatientPosition = "HFS"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = stored.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.WindowCenter, ds.WindowWidth = 550.0, 1100.0
    ds.RescaleType = "US"
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"
    ds.PixelData = stored.tobytes()
    return ds


def series_bytes(datasets: Sequence[Dataset]) -> list[bytes]:
    """Each dataset as DICOM Part 10 bytes (128-byte preamble, ``DICM``, file meta)."""
    out = []
    for ds in datasets:
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def series_zip(datasets: Sequence[Dataset], *, folder: str = "SYNTHETIC_PHANTOM") -> bytes:
    """The series as one zip (members ``folder/IM0001.dcm`` ...), built in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i, data in enumerate(series_bytes(datasets), start=1):
            zf.writestr(f"{folder}/IM{i:04d}.dcm", data)
    return buf.getvalue()


def write_series(datasets: Sequence[Dataset], folder: str | Path) -> list[Path]:
    """Write the series as ``IM0001.dcm`` ... into `folder` (created if missing); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(series_bytes(datasets), start=1):
        path = folder / f"IM{i:04d}.dcm"
        path.write_bytes(data)
        paths.append(path)
    return paths


def as_enhanced(datasets: Sequence[Dataset]) -> FileDataset:
    """The series as one Enhanced MR Image (multi-frame) with per-frame functional groups.

    Position (Plane Position Sequence) and rescale (Pixel Value Transformation Sequence) are per
    frame; orientation and pixel spacing are shared; TR and TE sit in the shared MR Timing and
    MR Echo sequences, as scanners write them. Frames are written in reverse slice order so
    that a reader must sort them.
    """
    first = datasets[0]
    order = list(range(len(datasets)))[::-1]
    meta = FileMetaDataset()
    sop_uid = generate_uid(entropy_srcs=[f"vbq-phantom-enhanced-{first.SOPInstanceUID}"])
    meta.MediaStorageSOPClassUID = ENHANCED_MR_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = FileDataset("", Dataset(), file_meta=meta, preamble=b"\0" * 128)
    for kw in ("SpecificCharacterSet", "Modality", "Manufacturer", "PatientName", "PatientID",
               "StudyDescription", "SeriesDescription", "StudyInstanceUID", "SeriesInstanceUID",
               "FrameOfReferenceUID", "SeriesNumber", "MagneticFieldStrength", "ImageComments",
               "SamplesPerPixel", "PhotometricInterpretation", "Rows", "Columns",
               "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation",
               "BurnedInAnnotation", "LossyImageCompression"):
        setattr(ds, kw, getattr(first, kw))
    ds.SOPClassUID = ENHANCED_MR_IMAGE_STORAGE
    ds.SOPInstanceUID = sop_uid
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "NONE"]
    ds.InstanceNumber = 1
    ds.NumberOfFrames = len(datasets)
    ds.EchoPulseSequence = "SPIN"
    shared = Dataset()
    orient = Dataset()
    orient.ImageOrientationPatient = list(first.ImageOrientationPatient)
    measures = Dataset()
    measures.PixelSpacing = list(first.PixelSpacing)
    measures.SliceThickness = first.SliceThickness
    timing = Dataset()
    timing.RepetitionTime = first.RepetitionTime
    echo = Dataset()
    echo.EffectiveEchoTime = first.EchoTime
    shared.PlaneOrientationSequence = DicomSequence([orient])
    shared.PixelMeasuresSequence = DicomSequence([measures])
    shared.MRTimingAndRelatedParametersSequence = DicomSequence([timing])
    shared.MREchoSequence = DicomSequence([echo])
    ds.SharedFunctionalGroupsSequence = DicomSequence([shared])
    frames = []
    for k in order:
        item = Dataset()
        pos = Dataset()
        pos.ImagePositionPatient = list(datasets[k].ImagePositionPatient)
        pvt = Dataset()
        pvt.RescaleSlope = datasets[k].RescaleSlope
        pvt.RescaleIntercept = datasets[k].RescaleIntercept
        pvt.RescaleType = "US"
        content = Dataset()
        content.InStackPositionNumber = int(datasets[k].InstanceNumber)
        item.PlanePositionSequence = DicomSequence([pos])
        item.PixelValueTransformationSequence = DicomSequence([pvt])
        item.FrameContentSequence = DicomSequence([content])
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = DicomSequence(frames)
    ds.PixelData = b"".join(datasets[k].PixelData for k in order)
    return ds


# The series of a whole lumbar study, as `make_study` writes them: Series Number, description,
# and the attributes that set each apart from the sagittal T1 spin echo of `make_series`.
_STUDY = {
    "localizer": (1, "3-plane localizer", dict(RepetitionTime=8.6, EchoTime=4.0,
                                               ScanningSequence="GR", SequenceVariant="SP")),
    "sag_t1": (3, "sag T1", {}),
    "sag_t2": (4, "sag T2", dict(RepetitionTime=3000.0, EchoTime=100.0)),
    "sag_t1_flair": (5, "sag T1 FLAIR", dict(RepetitionTime=2000.0, EchoTime=9.0,
                                             InversionTime=860.0,
                                             ScanningSequence=["SE", "IR"])),
    "sag_stir": (6, "sag STIR", dict(RepetitionTime=3500.0, EchoTime=60.0, InversionTime=160.0,
                                     ScanningSequence=["SE", "IR"])),
    "axial_t2": (7, "ax T2", dict(RepetitionTime=4000.0, EchoTime=100.0)),
}
STUDY_SERIES = tuple(_STUDY)
"""The series `make_study` can write, in Series Number order."""

_AXIAL = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
_CORONAL = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0]


def make_study(seed: int = 0, *, series: Sequence[str] = STUDY_SERIES,
               n_slices: int = 11) -> tuple[list[FileDataset], PhantomTruth]:
    """A synthetic lumbar MRI study of several series, as a scanner exports it.

    Parameters
    ----------
    seed : int
        As `make_series`: every series shows the same anatomy.
    series : sequence of str, keyword-only
        Which series to write, among `STUDY_SERIES`: ``"localizer"`` (one series of three
        slices in three orientations, as a 3-plane localizer whose Image Type does not say
        LOCALIZER), ``"sag_t1"`` (the T1 spin echo of `make_series`), ``"sag_t2"``,
        ``"sag_t1_flair"`` (inversion recovery, TI 860 ms), ``"sag_stir"`` (TI 160 ms) and
        ``"axial_t2"``.
    n_slices : int, keyword-only
        Slices of each sagittal series.

    Returns
    -------
    datasets : list of pydicom.dataset.FileDataset
        Every file of the study, series after series; each series has its own Series Instance
        UID and Series Number, one Study Instance UID and one patient.
    truth : PhantomTruth
        The anatomy's truth (as `make_series` with the same seed).

    Raises
    ------
    ValueError
        An unknown series name.

    Examples
    --------
    >>> datasets, truth = make_study(seed=0, series=("localizer", "sag_t1_flair", "axial_t2"))
    >>> len(datasets)
    19
    """
    unknown = [name for name in series if name not in _STUDY]
    if unknown:
        raise ValueError(f"series: unknown {unknown}; expected some of {list(STUDY_SERIES)}")
    base, truth = make_series(seed, n_slices=n_slices)
    out: list[FileDataset] = []
    for name in series:
        out.extend(_study_series(base, seed, name))
    return out, truth


def _study_series(base: list[FileDataset], seed: int, name: str) -> list[FileDataset]:
    number, description, changes = _STUDY[name]
    if name == "localizer":
        picks = [base[len(base) // 2]] * 3
    elif name == "axial_t2":
        picks = base[1:-1:2]
    else:
        picks = base
    series_uid = generate_uid(entropy_srcs=[f"vbq-phantom-study-series-{seed}-{name}"])
    out = []
    for i, source in enumerate(picks):
        ds = _copy(source)
        ds.SOPInstanceUID = generate_uid(entropy_srcs=[f"vbq-phantom-study-sop-{seed}-{name}-{i}"])
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesInstanceUID = series_uid
        ds.SeriesNumber = number
        ds.SeriesDescription = f"SYNTHETIC PHANTOM {description}"
        ds.InstanceNumber = i + 1
        for keyword, value in changes.items():
            setattr(ds, keyword, value)
        if name == "axial_t2" or (name == "localizer" and i == 2):
            ds.ImageOrientationPatient = _AXIAL
            ds.ImagePositionPatient = [-128.0, -113.0, 1000.0 - 60.0 + 30.0 * i]
        elif name == "localizer" and i == 1:
            ds.ImageOrientationPatient = _CORONAL
            ds.ImagePositionPatient = [-128.0, 15.0, 1127.5]
        out.append(ds)
    return out


def _copy(ds: FileDataset) -> FileDataset:
    """A copy of a phantom slice that shares nothing mutable with it (pixel bytes included)."""
    out = FileDataset("", Dataset(), file_meta=FileMetaDataset(ds.file_meta), preamble=b"\0" * 128)
    for elem in ds:
        out[elem.tag] = copy.deepcopy(elem)
    return out


def cohort_zip(n_studies: int = 3, *, seed: int = 0, series: Sequence[str] = ("sag_t1",),
               n_slices: int = 11, ids: Sequence[str] | None = None,
               root: str = "") -> tuple[bytes, dict[str, PhantomTruth]]:
    """A zip of several synthetic patients' studies, one top-level folder per study ID.

    Parameters
    ----------
    n_studies : int
        How many studies (patients).
    seed : int, keyword-only
        Study k is drawn by `make_study` with seed ``seed + k`` (k from 0): its own anatomy,
        SIs, UIDs and Patient ID.
    series : sequence of str, keyword-only
        The series of each study (`STUDY_SERIES`), each in a subfolder of the study's folder.
    n_slices : int, keyword-only
        Slices of each sagittal series.
    ids : sequence of str or None, keyword-only
        The folder (study ID) of each study; default ``VBQ-001``, ``VBQ-002``, ...
    root : str, keyword-only
        A folder holding the study folders in the archive ("" for none), as some exports nest
        them.

    Returns
    -------
    archive : bytes
        Members ``[root/]<id>/<series>/IM0001.dcm`` ...; every file carries Patient's Name
        ``SYNTHETIC^PHANTOM`` and a Patient ID ``SYNTHETIC-<seed + k>`` that is not the study
        ID (a study ID is taken from the folder, never from the files).
    truths : dict
        Study ID -> `PhantomTruth` of its anatomy.

    Raises
    ------
    ValueError
        Fewer than one study, or `ids` of the wrong length or with repeats.

    Examples
    --------
    >>> archive, truths = cohort_zip(2)
    >>> sorted(truths)
    ['VBQ-001', 'VBQ-002']
    """
    if n_studies < 1:
        raise ValueError(f"n_studies: expected at least 1, got {n_studies}")
    ids = [f"VBQ-{k + 1:03d}" for k in range(n_studies)] if ids is None else list(ids)
    if len(ids) != n_studies or len(set(ids)) != n_studies:
        raise ValueError(f"ids: expected {n_studies} different IDs, got {ids}")
    buf = io.BytesIO()
    truths: dict[str, PhantomTruth] = {}
    prefix = f"{root.strip('/')}/" if root.strip("/") else ""
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for k, study_id in enumerate(ids):
            datasets, truths[study_id] = make_study(seed + k, series=series, n_slices=n_slices)
            counts: dict[str, int] = {}
            for ds, data in zip(datasets, series_bytes(
                    [_as_patient(ds, seed + k) for ds in datasets]), strict=True):
                folder = f"S{int(ds.SeriesNumber):02d}"
                counts[folder] = counts.get(folder, 0) + 1
                zf.writestr(f"{prefix}{study_id}/{folder}/IM{counts[folder]:04d}.dcm", data)
    return buf.getvalue(), truths


def _as_patient(ds: FileDataset, seed: int) -> FileDataset:
    ds.PatientID = f"SYNTHETIC-{seed}"
    return ds
