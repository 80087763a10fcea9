"""Reading one DICOM file with pydicom into slices: checks, decoding, the allow-listed technical
attributes (internal to `vbq.imaging`)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pydicom
import pydicom.pixels
from pydicom.errors import InvalidDicomError

from ._budget import (
    MAX_PIXEL_BYTES,
    OverBudget,
    TooDeep,
    _Budget,
    _mib,
    check_depth,
    deflated_size,
)
from ._deid import _clean_description, _clean_text
from ._elements import (
    _float,
    _floats,
    _functional,
    _number,
    _numbers,
    _raw_bytes,
    _shorten,
    _text,
    _us,
    _vector,
)
from ._sources import FileProblem

_DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
# JPEG 2000 decoded by pylibjpeg (OpenJPEG) before pydicom's default order (GDCM first): the
# same values to the bit on pydicom's own JPEG 2000 test files and on lossy and lossless
# phantom series (tests/imaging/test_compressed.py), at about half GDCM's processor time
# (20 lossy 512 x 512 slices: 0.08 s against 0.15 s; bench/bench_imaging.py --worklist).
_PREFERRED_PLUGIN = {
    "1.2.840.10008.1.2.4.90": "pylibjpeg",  # JPEG 2000 Image Compression (Lossless Only)
    "1.2.840.10008.1.2.4.91": "pylibjpeg",  # JPEG 2000 Image Compression
}
_LOSSY_SYNTAXES = frozenset({
    "1.2.840.10008.1.2.4.50",  # JPEG Baseline (Process 1)
    "1.2.840.10008.1.2.4.51",  # JPEG Extended (Process 2 and 4)
    "1.2.840.10008.1.2.4.81",  # JPEG-LS Lossy (Near-Lossless)
})


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


class _Skip(Exception):
    """A file that gives no slice: raised by a reading step with the problem in words, caught
    once by `_read_file` and recorded as a `FileProblem`; never leaves this module."""

    def __init__(self, message: str, severity: str = "error") -> None:
        super().__init__(message)
        self.message, self.severity = message, severity


PLAUSIBLE_SPACING_MM = (0.01, 20.0)  # (0028,0030) Pixel Spacing of any MR or CT slice
_MAX_SLOPE = 1e6  # (0028,1053) Rescale Slope beyond this maps 16-bit values past float32 sense


def _read_file(name: str, data: bytes | str, problems: list[FileProblem],
               memo: dict | None = None, budget: _Budget | None = None) -> list[_Slice]:
    """The slices of one file (one per frame), or none with the reason added to `problems`.

    The steps, each of which can skip the file: parse it (`_parse`, a deflated file's inflated
    size checked against `budget` first), check that it is a greyscale image to measure on
    (`_check_image`), find its decoder (`_decoder_for`), check its size against `budget`
    (`_check_size`), decode (`_decode`); then each frame becomes a `_Slice` (`_slices`, which
    refuses implausible spacing and rescale). `memo` holds the series-level attributes across
    the files of one load, read once per series."""
    budget = _Budget(MAX_PIXEL_BYTES, MAX_PIXEL_BYTES) if budget is None else budget
    try:
        ds = _parse(data, budget)
        _check_image(ds)
        tsyntax, decoder = _decoder_for(ds)
        _check_size(ds, budget, tsyntax.is_little_endian)
        arr = _decode(ds, decoder, tsyntax)
        return _slices(name, ds, arr, tsyntax, {} if memo is None else memo)
    except (_Skip, OverBudget, TooDeep) as skip:
        problems.append(FileProblem(name, getattr(skip, "message", str(skip)),
                                    getattr(skip, "severity", "error")))
        return []


_NOT_DICOM = "not a DICOM file (no 'DICM' marker at byte 128)"


def _parse(data: bytes | str, budget: _Budget) -> Any:
    """The dataset of a file's bytes, or of a path read in one piece (pydicom parses bytes in
    memory faster than many small file reads); only files with the PS3.10 marker. Sequences
    nested deeper than Python's recursion allows are refused by name."""
    try:
        if isinstance(data, str):
            with open(data, "rb") as fh:
                head = fh.read(132)
                if len(head) < 132 or head[128:132] != b"DICM":
                    raise _Skip(_NOT_DICOM)
                fh.seek(0)
                data = fh.read()
        elif len(data) < 132 or data[128:132] != b"DICM":
            raise _Skip(_NOT_DICOM)
        check_depth(data)
        _check_deflated(data, budget)
        return pydicom.dcmread(io.BytesIO(data))
    except RecursionError:
        raise _Skip("sequences nested deeper than can be read (a malformed file); not used"
                    ) from None
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError, TypeError,
            NotImplementedError, AttributeError) as exc:
        raise _Skip(f"damaged or truncated DICOM file, not readable ({type(exc).__name__})"
                    ) from None


def _check_deflated(data: bytes, budget: _Budget) -> None:
    """A deflated file's data set, inflated (and copied once more as pydicom reads it) and its
    pixel data stacked, against what is left of the budget, before pydicom inflates it."""
    size, pixels = deflated_size(data, budget.left // 2)
    if size:
        budget.check(2 * size + pixels, f"the deflated data set ({_mib(size)} once inflated) "
                                        "would")
        budget.spend(size, "the deflated data set would")


def _check_size(ds: Any, budget: _Budget, little_endian: bool) -> None:
    """Rows x Columns x frames x samples, as decoded samples plus their float32 copy, against
    what is left of the load's budget, before anything is decoded."""
    rows, cols = _int(ds, "Rows", little_endian), _int(ds, "Columns", little_endian)
    frames = int(_number(ds, "NumberOfFrames") or 1)
    samples = _int(ds, "SamplesPerPixel", little_endian) or 1
    bits = _int(ds, "BitsAllocated", little_endian) or 16
    pixels = rows * cols * max(frames, 1) * samples
    budget.spend(pixels * (4 + max(bits, 8) // 8),
                 f"{rows} x {cols} pixels x {frames} frame(s) would")


def _int(ds: Any, keyword: str, little_endian: bool) -> int:
    """A US attribute: from its raw bytes in a little-endian file (`_us`, about 20 times
    faster than pydicom's conversion), else as pydicom converts it; 0 when absent or odd."""
    value = _us(ds, keyword) if little_endian else None
    if value is not None:
        return value
    try:
        value = ds.get(keyword)
        return int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _check_image(ds: Any) -> None:
    """Skip what is not a greyscale image to measure on: a DICOMDIR, a file without pixel data,
    a localizer, a colour image."""
    meta = getattr(ds, "file_meta", None)
    sop_class = str(getattr(meta, "MediaStorageSOPClassUID", "") or ds.get("SOPClassUID", ""))
    if sop_class == _DICOMDIR_CLASS or "DirectoryRecordSequence" in ds:
        raise _Skip("a DICOMDIR (an index of the other files, no image); skipped", "note")
    if "PixelData" not in ds:
        if ("FloatPixelData" in ds) or ("DoubleFloatPixelData" in ds):
            raise _Skip("float pixel data (a parametric map) is not supported")
        if "Image Storage" in pydicom.uid.UID(sop_class).name:
            raise _Skip("no pixel data (7FE0,0010) although the file is an image: it is "
                        "probably truncated")
        raise _Skip("no pixel data (7FE0,0010): not an image (a report or a presentation "
                    "state?)")
    image_type = [v.strip().upper() for v in _text(ds, "ImageType").split("\\")]
    if "LOCALIZER" in image_type:
        raise _Skip("a localizer (scout) image; skipped", "note")
    photometric = _text(ds, "PhotometricInterpretation").strip()
    if photometric and not photometric.startswith("MONOCHROME"):
        raise _Skip(f"a colour image ((0028,0004) Photometric Interpretation {photometric}); "
                    "VBQ is measured on greyscale MR")


def _decoder_for(ds: Any) -> tuple[Any, Any]:
    """The transfer syntax and pydicom's decoder for it, when one is installed."""
    tsyntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if tsyntax is None:
        raise _Skip("(0002,0010) Transfer Syntax UID is missing")
    try:
        decoder = pydicom.pixels.get_decoder(tsyntax)  # looked up at call time (patchable)
    except NotImplementedError:
        raise _Skip(f"transfer syntax '{tsyntax.name}' has no decoder in this installation; "
                    "convert the file to an uncompressed or JPEG/JPEG 2000/RLE syntax") from None
    if not decoder.is_available:
        missing = "; ".join(decoder.missing_dependencies) or "a decoder plugin"
        raise _Skip(f"transfer syntax '{tsyntax.name}' needs {missing}, which is not installed")
    return tsyntax, decoder


def _decode(ds: Any, decoder: Any, tsyntax: Any) -> np.ndarray:
    """The stored values as (frames, rows, columns): a view on the bytes when they are plain
    (`_native_view`), else pydicom's decode. Any decoder failure names the file."""
    try:
        arr = _native_view(ds, decoder, tsyntax)
        if arr is None:
            arr = _preferred_decode(ds, decoder, tsyntax)
    except Exception as exc:  # decoders raise many types; the file is reported, never raised
        if "does not support" in str(exc):  # every installed plugin declined this variant
            bits = _number(ds, "BitsStored")
            raise _Skip(f"transfer syntax '{tsyntax.name}'"
                        + (f" with {bits:g}-bit samples" if bits else "")
                        + " has no decoder in this installation; convert the file to an "
                        "uncompressed, JPEG lossless, JPEG-LS, JPEG 2000 or RLE syntax"
                        ) from None
        raise _Skip(f"pixel data could not be decoded, the file may be truncated or damaged "
                    f"({type(exc).__name__}: {_shorten(str(exc))})") from None
    n_frames = int(_number(ds, "NumberOfFrames") or 1)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[0] != n_frames:
        raise _Skip(f"unexpected pixel array shape {arr.shape}")
    return arr


def _preferred_decode(ds: Any, decoder: Any, tsyntax: Any) -> np.ndarray:
    """``ds.pixel_array``, through the faster plugin `_PREFERRED_PLUGIN` names for the
    transfer syntax when it is installed; when that plugin fails, pydicom's own order decides
    (and its error names the problem)."""
    plugin = _PREFERRED_PLUGIN.get(str(tsyntax))
    if plugin in decoder.available_plugins:
        try:
            return pydicom.pixels.pixel_array(ds, decoding_plugin=plugin)
        except Exception:  # any decoder failure: the default order tries again
            pass
    return ds.pixel_array


def _slices(name: str, ds: Any, arr: np.ndarray, tsyntax: Any, memo: dict) -> list[_Slice]:
    """One `_Slice` per frame, with the file's allow-listed attributes (series-level ones read
    once per series through `memo`: a series shows those of its first slice)."""
    enhanced = "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds
    group = (_raw_bytes(ds, "PatientID") + b"\x00" + _raw_bytes(ds, "PatientName") + b"\x00"
             + _raw_bytes(ds, "PatientBirthDate"),
             _raw_bytes(ds, "StudyInstanceUID"),
             _raw_bytes(ds, "SeriesInstanceUID") or name.encode())
    key = (group, _raw_bytes(ds, "SeriesDescription"), enhanced)
    if key not in memo:
        memo[key] = dict(_technical_attributes(ds, enhanced), description=_clean_description(ds))
    attrs = dict(memo[key], transfer_syntax=tsyntax.name,
                 lossy=(_raw_bytes(ds, "LossyImageCompression").strip() == b"01"
                        or str(tsyntax) in _LOSSY_SYNTAXES))
    sop = _raw_bytes(ds, "SOPInstanceUID") or name.encode()
    frame_of = _enhanced_frame if enhanced else _plain_frame
    slices: list[_Slice] = []
    _check_rescale_text(ds)
    for f in range(arr.shape[0]):
        frame, spacing, iop, ipp, slope, intercept, number = frame_of(ds, arr, f)
        _check_plausible(spacing, slope)
        slices.append(_Slice(
            file=name, pixels=frame, slope=1.0 if slope is None else slope,
            intercept=0.0 if intercept is None else intercept, group=group, instance_key=(sop, f),
            rows=int(frame.shape[0]), cols=int(frame.shape[1]), spacing=spacing, iop=iop,
            ipp=ipp, instance_number=None if number is None else int(number), attrs=attrs))
    return slices


def _check_plausible(spacing: tuple[float, ...] | None, slope: float | None) -> None:
    """Refuse a Pixel Spacing or Rescale Slope no scanner writes (0\\0, 0.0001 mm, a slope of
    0), naming the tag: ROI radii and SIs would be meaningless (or cost gigabytes)."""
    lo, hi = PLAUSIBLE_SPACING_MM
    if spacing is not None and not all(lo <= v <= hi for v in spacing):
        shown = "\\".join(f"{v:g}" for v in spacing)
        raise _Skip(f"(0028,0030) Pixel Spacing {shown} mm is not plausible (expected {lo:g} "
                    f"to {hi:g} mm); not used")
    if slope is not None and not (0 < abs(slope) <= _MAX_SLOPE):
        raise _Skip(f"(0028,1053) Rescale Slope {slope:g} is not plausible (expected a "
                    f"non-zero number up to {_MAX_SLOPE:g}); not used")


def _check_rescale_text(ds: Any) -> None:
    """A Rescale Slope or Intercept that is present but not a finite number is refused, never
    read as the default (1 and 0)."""
    for keyword, tag in (("RescaleSlope", "(0028,1053)"), ("RescaleIntercept", "(0028,1052)")):
        raw = _raw_bytes(ds, keyword).strip(b" \x00")
        if raw and _number(ds, keyword) is None:
            raise _Skip(f"{tag} {keyword.replace('Rescale', 'Rescale ')} is not a finite "
                        "number; not used")


def _enhanced_frame(ds: Any, arr: np.ndarray, f: int) -> tuple:
    """Frame `f` of an enhanced multi-frame image and its geometry and rescale, from the
    per-frame (else shared) functional groups (PS3.3 C.7.6.16)."""
    spacing = _floats(_functional(ds, f, "PixelMeasuresSequence", "PixelSpacing"), 2)
    iop = _floats(_functional(ds, f, "PlaneOrientationSequence", "ImageOrientationPatient"), 6)
    ipp = _floats(_functional(ds, f, "PlanePositionSequence", "ImagePositionPatient"), 3)
    slope = _float(_functional(ds, f, "PixelValueTransformationSequence", "RescaleSlope"))
    intercept = _float(_functional(ds, f, "PixelValueTransformationSequence",
                                   "RescaleIntercept"))
    if slope is None and intercept is None:
        slope, intercept = _number(ds, "RescaleSlope"), _number(ds, "RescaleIntercept")
    number = _float(_functional(ds, f, "FrameContentSequence", "InStackPositionNumber"))
    return arr[f], spacing, iop, ipp, slope, intercept, number


def _plain_frame(ds: Any, arr: np.ndarray, f: int) -> tuple:
    """Frame `f` of a single-frame image (or of a plain multi-frame one, kept in file order)
    and its geometry and rescale from the top-level attributes."""
    spacing = _vector(ds, "PixelSpacing", 2)
    iop = _vector(ds, "ImageOrientationPatient", 6)
    ipp = _vector(ds, "ImagePositionPatient", 3)
    if "ModalityLUTSequence" in ds:  # a non-linear LUT: pydicom applies it
        frame = np.asarray(pydicom.pixels.apply_modality_lut(arr[f], ds), dtype=np.float64)
        slope, intercept = 1.0, 0.0
    else:  # linear rescale, applied while stacking (no intermediate copy)
        frame = arr[f]
        slope, intercept = _number(ds, "RescaleSlope"), _number(ds, "RescaleIntercept")
    number = _number(ds, "InstanceNumber") if arr.shape[0] == 1 else None  # multi-frame: order
    return frame, spacing, iop, ipp, slope, intercept, number


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
    bandwidth = _number(ds, "PixelBandwidth")
    if bandwidth is None and enhanced:
        bandwidth = _float(fg("MRImagingModifierSequence", "PixelBandwidth"))
    return {
        "modality": str(ds.get("Modality", "") or ""),
        # Manufacturer (0008,0070) and Manufacturer's Model Name (0008,1090) are not in the
        # basic profile (unlike Station Name, Device Serial Number and Institution Name, never
        # read); free text, so cleaned of the file's identifying values like the description
        "manufacturer": _clean_text(ds, "Manufacturer"),
        "model_name": _clean_text(ds, "ManufacturerModelName"),
        "pixel_bandwidth_hz": bandwidth,
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


