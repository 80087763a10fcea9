"""One reading as the database stores it: the key of a ROI reading, `ROIMeasurement`, the rows of
a reading made on the MRI page (`reading_from_rois`), where it came from (`series_provenance`),
and what a save did (`SaveResult`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..schema import LEVELS

ROI_LEVELS: tuple[str, ...] = (*LEVELS, "CSF")
"""The ROIs of one reading: the L1-L4 vertebral bodies and the CSF."""

KEY_COLUMNS: tuple[str, ...] = ("patient_id", "observer", "session", "level")
"""The natural key: one value per patient, observer, session and ROI. Saving a key again is a
correction."""

ROI_SOURCES: tuple[str, ...] = ("suggested", "moved", "manual")
"""How a reading's ROIs were placed (``roi_source``): a suggestion accepted as it was, a
suggestion moved by the reader, or placed by hand."""


@dataclass(frozen=True)
class ROIMeasurement:
    """One ROI reading, as the MRI page saves it (fields as in `MEASUREMENT_COLUMNS`).

    Only ``patient_id, observer, session, level, si_mean`` are required; ``excluded`` defaults
    to False, ``measured_at`` to the time of saving (a naive datetime is taken as UTC) and
    ``software_version`` to ``vbq.__version__``. ``slice_index`` counts the slices of the
    sorted series from 0 (``series.pixels[slice_index]``); the screens and exports show it as
    ``slice_number`` = ``slice_index`` + 1 (`with_slice_numbers`). `MeasurementStore.save`
    validates every field.
    """

    patient_id: str
    observer: str
    session: int
    level: str
    si_mean: float
    csf_level: str | None = None
    slice_index: int | None = None
    centre_row_px: float | None = None
    centre_col_px: float | None = None
    centre_row_mm: float | None = None
    centre_col_mm: float | None = None
    radius_mm: float | None = None
    si_median: float | None = None
    si_sd: float | None = None
    pixel_count: int | None = None
    excluded: bool = False
    series_fingerprint: str | None = None
    field_strength_t: float | None = None
    tr_ms: float | None = None
    te_ms: float | None = None
    measured_at: dt.datetime | None = None
    software_version: str | None = None
    series_flags: str | None = None
    manufacturer: str | None = None
    model_name: str | None = None
    scanning_sequence: str | None = None
    sequence_variant: str | None = None
    ti_ms: float | None = None
    pixel_bandwidth_hz: float | None = None
    slice_thickness_mm: float | None = None
    roi_source: str | None = None
    blinded: bool = False

    @classmethod
    def from_roi_stats(cls, stats: Any, *, patient_id: str, observer: str, session: int,
                       level: str, slice_index: int | None = None, series: Any = None,
                       excluded: bool = False, csf_level: str | None = None,
                       roi_source: str | None = None, blinded: bool = False) -> ROIMeasurement:
        """The database row of one ROI measured with `vbq.imaging.roi_stats`.

        Parameters
        ----------
        stats : vbq.imaging.RoiStats
            Its ``mean, median, sd, n_pixels, centre, centre_mm, radius_mm`` fill the
            measurement fields.
        patient_id, observer, session, level : keyword-only
            The key (see `KEY_COLUMNS`).
        slice_index : int, optional, keyword-only
            The slice the ROI was drawn on, counted from 0 (``series.pixels[slice_index]``;
            shown and exported as ``slice_number`` = ``slice_index`` + 1).
        series : vbq.imaging.Series, optional, keyword-only
            Fills the provenance fields (`series_provenance`): fingerprint, flags, field
            strength, manufacturer, model, sequence, TR, TE, TI, pixel bandwidth, slice
            thickness. Nothing identifying is read.
        excluded, csf_level : keyword-only
            The collapsed flag (vertebra) and the CSF level (CSF row).
        roi_source : {"suggested", "moved", "manual"}, optional, keyword-only
            How the ROI was placed (`ROI_SOURCES`).
        blinded : bool, keyword-only
            Whether earlier readings of the patient were hidden from the reader.
        """
        row, col = stats.centre
        row_mm, col_mm = stats.centre_mm
        acq = series_provenance(series) if series is not None else {}
        return cls(patient_id=patient_id, observer=observer, session=session, level=level,
                   si_mean=float(stats.mean), csf_level=csf_level, slice_index=slice_index,
                   centre_row_px=float(row), centre_col_px=float(col),
                   centre_row_mm=float(row_mm), centre_col_mm=float(col_mm),
                   radius_mm=float(stats.radius_mm), si_median=float(stats.median),
                   si_sd=float(stats.sd), pixel_count=int(stats.n_pixels), excluded=excluded,
                   roi_source=roi_source, blinded=blinded, **acq)


def _series_text(series: Any, name: str) -> str | None:
    value = getattr(series, name, None)
    return (value.strip() or None) if isinstance(value, str) else None


def series_provenance(series: Any) -> dict[str, Any]:
    """The fields of a reading that say which series and acquisition it was measured on.

    Parameters
    ----------
    series : vbq.imaging.Series

    Returns
    -------
    dict
        ``series_fingerprint, series_flags, field_strength_t, manufacturer, model_name,
        scanning_sequence, sequence_variant, tr_ms, te_ms, ti_ms, pixel_bandwidth_hz,
        slice_thickness_mm``, as `ROIMeasurement` takes them. ``series_flags`` joins the codes
        of ``series.flags`` with semicolons (``lossy_compression`` added when the series is
        lossy-compressed and not flagged so), None when there are none. Never a UID, a station
        name, a serial number or an institution: only these attributes are read.
    """
    codes = [f.code for f in getattr(series, "flags", ())]
    if getattr(series, "lossy_compression", False) and "lossy_compression" not in codes:
        codes.append("lossy_compression")
    return dict(
        series_fingerprint=series.fingerprint, series_flags=";".join(codes) or None,
        field_strength_t=series.field_strength_t,
        manufacturer=_series_text(series, "manufacturer"),
        model_name=_series_text(series, "model_name"),
        scanning_sequence=_series_text(series, "scanning_sequence"),
        sequence_variant=_series_text(series, "sequence_variant"),
        tr_ms=series.repetition_time_ms, te_ms=series.echo_time_ms,
        ti_ms=getattr(series, "inversion_time_ms", None),
        pixel_bandwidth_hz=getattr(series, "pixel_bandwidth_hz", None),
        slice_thickness_mm=getattr(series, "slice_thickness_mm", None),
    )


def reading_from_rois(rois: Mapping[str, Any], *, patient_id: str, observer: str, session: int,
                      slice_index: int | None = None, series: Any = None,
                      collapsed: Iterable[str] = (), csf_level: str = "L3",
                      roi_source: str | None = None, blinded: bool = False
                      ) -> list[ROIMeasurement]:
    """One patient's reading as database rows, from the ROIs measured on the MRI page.

    Parameters
    ----------
    rois : mapping
        ``"L1"`` ... ``"L4"``, ``"CSF"`` -> `vbq.imaging.RoiStats` (as `vbq.imaging.measure_vbq`
        takes them); a missing key or None is a level not measured (no row).
    patient_id, observer, session : keyword-only
    slice_index : int, optional, keyword-only
        The slice the ROIs were drawn on, counted from 0 (``series.pixels[slice_index]``; shown
        and exported as ``slice_number`` = ``slice_index`` + 1).
    series : vbq.imaging.Series, optional, keyword-only
        For the fingerprint, the flags and the acquisition (`series_provenance`).
    collapsed : iterable of str, keyword-only
        Levels marked collapsed.
    csf_level : str, keyword-only
        Where the CSF ROI sits (L3 unless obstructed).
    roi_source, blinded : keyword-only
        How the ROIs were placed and whether the reading was blinded (`ROIMeasurement`).

    Returns
    -------
    list of ROIMeasurement
        In the order L1, L2, L3, L4, CSF; `MeasurementStore.save` stores them in one
        transaction.

    Raises
    ------
    InputError
        An unknown ROI name or collapsed level.
    """
    unknown = sorted(set(rois) - set(ROI_LEVELS))
    if unknown:
        raise InputError(f"rois: unknown names {unknown}; expected {list(ROI_LEVELS)}")
    collapsed = set(collapsed)
    if collapsed - set(LEVELS):
        raise InputError(f"collapsed: expected levels among {list(LEVELS)}, got "
                         f"{sorted(collapsed)}")
    return [ROIMeasurement.from_roi_stats(
        rois[lv], patient_id=patient_id, observer=observer, session=session, level=lv,
        slice_index=slice_index, series=series, excluded=lv in collapsed,
        csf_level=csf_level if lv == "CSF" else None, roi_source=roi_source, blinded=blinded)
        for lv in ROI_LEVELS if rois.get(lv) is not None]


@dataclass(frozen=True)
class SaveResult:
    """What a save or an import did.

    Attributes
    ----------
    inserted : int
        New rows.
    corrected : int
        Rows that replaced a different earlier value (the old one is in the history).
    unchanged : int
        Rows identical to the stored ones (nothing written; their timestamp is kept).
    keys : tuple of tuple
        ``(patient_id, observer, session, level)`` of every row given, in order.
    """

    inserted: int
    corrected: int
    unchanged: int
    keys: tuple[tuple[str, str, int, str], ...]

    def summary(self) -> str:
        """One line: how many rows were added, corrected and left as they were."""
        return (f"{self.inserted} ROI reading(s) added, {self.corrected} corrected (old values "
                f"kept in the history), {self.unchanged} unchanged")
