"""What a series is for VBQ: its weighting, the flags a user should know before measuring, and
the order in which series are offered by default (internal to `vbq.imaging`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

T1_TR_MS = (400.0, 850.0)  # T1-weighted spin echo, as VBQ was validated (Ehresman et al. 2020)
T1_TE_MS = (8.0, 20.0)
# T1 FLAIR: inversion recovery whose inversion time nulls CSF partly and keeps T1 contrast,
# about 600-1000 ms at 1.5 and 3 T (Melhem et al., AJNR 1997; vendors' spine protocols); the
# range allows for vendors. Shorter is STIR (fat nulled, about 150-250 ms), longer T2 FLAIR
# (CSF nulled, about 2000-2800 ms).
T1_FLAIR_TI_MS = (500.0, 1300.0)
T1_FLAIR_TE_MAX_MS = 30.0
_SHORT_TE_MS, _LONG_TE_MS, _LONG_TR_MS = 30.0, 60.0, 1500.0

WEIGHTINGS = ("T1", "T1 FLAIR", "T2", "proton density", "STIR", "T2 FLAIR", "unknown")
"""The values of `Series.weighting`."""

# series never offered by default (a user can still pick one by index or fingerprint)
_NEVER_DEFAULT = frozenset({"not_sagittal", "not_t1_like", "mixed_orientations", "not_mr"})
_VALIDATED_ON = "non-contrast T1-weighted spin echo"


@dataclass(frozen=True)
class Flag:
    """Something a user should know before measuring on a series; never a refusal.

    `code` is one of ``not_sagittal``, ``mixed_orientations``, ``not_t1_like``,
    ``not_validated_sequence``, ``lossy_compression``, ``not_mr``, ``no_pixel_spacing``,
    ``burned_in_annotation``, ``contrast``; `message` says it in words.
    """

    code: str
    message: str

    @property
    def title(self) -> str:
        """The flag in a few words, for a one-line list ("not the validated sequence")."""
        return _TITLES.get(self.code, self.code.replace("_", " "))


_TITLES = {
    "not_sagittal": "not sagittal", "mixed_orientations": "several orientations (localizer?)",
    "not_t1_like": "not T1-weighted", "not_validated_sequence": "not the validated sequence",
    "lossy_compression": "lossy compression", "not_mr": "not MR",
    "no_pixel_spacing": "no pixel spacing", "burned_in_annotation": "burned-in text",
    "contrast": "contrast agent",
}


def _weighting(attrs: dict[str, Any]) -> str:
    """The series' weighting (one of `WEIGHTINGS`) from TR, TE, TI and the scanning sequence.

    Inversion recovery with a recorded TI is named by its TI (STIR, T1 FLAIR, T2 FLAIR);
    otherwise TR and TE decide: T1 within `T1_TR_MS` and `T1_TE_MS`, T2 with a long TR and TE,
    proton density with a long TR and a short TE."""
    tr, te, ti = (attrs["repetition_time_ms"], attrs["echo_time_ms"],
                  attrs["inversion_time_ms"])
    if ti is not None and ti > 0 and _is_inversion_recovery(attrs):
        return _ir_weighting(ti, te)
    if tr is None or te is None:
        return "unknown"
    if T1_TR_MS[0] <= tr <= T1_TR_MS[1] and T1_TE_MS[0] <= te <= T1_TE_MS[1]:
        return "T1"
    if tr >= _LONG_TR_MS and te >= _LONG_TE_MS:
        return "T2"
    if tr >= _LONG_TR_MS and te < _SHORT_TE_MS:
        return "proton density"
    return "unknown"


def _ir_weighting(ti: float, te: float | None) -> str:
    if ti < T1_FLAIR_TI_MS[0]:
        return "STIR"
    if ti > T1_FLAIR_TI_MS[1]:
        return "T2 FLAIR"
    return "T1 FLAIR" if te is None or te <= T1_FLAIR_TE_MAX_MS else "unknown"


def _is_inversion_recovery(attrs: dict[str, Any]) -> bool:
    """(0018,0020) Scanning Sequence holds IR, or an inversion time is recorded."""
    tokens = re.split(r"[\\ ]+", attrs["scanning_sequence"].upper())
    ti = attrs["inversion_time_ms"]
    return "IR" in tokens or (ti is not None and ti > 0)


def _flags(attrs: dict[str, Any], orientation: str, spacing: Any,
           n_orientations: int = 1) -> tuple[Flag, ...]:
    """Every flag of a series, in the order a user reads them: geometry, sequence, pixels."""
    weighting = _weighting(attrs)
    return (*_geometry_flags(orientation, n_orientations),
            *_weighting_flags(attrs, weighting),
            *_technical_flags(attrs, spacing))


def _geometry_flags(orientation: str, n_orientations: int) -> list[Flag]:
    flags = []
    if orientation != "sagittal":
        flags.append(Flag("not_sagittal", f"not sagittal ({orientation}): VBQ is measured on "
                                          "the mid-sagittal slice"))
    if n_orientations > 1:
        flags.append(Flag("mixed_orientations", f"the series holds slices in {n_orientations} "
                                                "orientations (a 3-plane localizer?): only the "
                                                "commonest stack is shown, never stacked with "
                                                "the others; not a series to measure on"))
    return flags


def _weighting_flags(attrs: dict[str, Any], weighting: str) -> list[Flag]:
    flags = []
    not_t1 = _not_t1_message(attrs, weighting)
    if not_t1:
        flags.append(Flag("not_t1_like", not_t1))
    why = _unvalidated_reasons(attrs, weighting)
    if why:
        flags.append(Flag("not_validated_sequence",
                          "; ".join(why) + f": not the sequence VBQ was validated on "
                          f"({_VALIDATED_ON}); it can still be measured"))
    return flags


def _not_t1_message(attrs: dict[str, Any], weighting: str) -> str:
    """Why the series is not T1-weighted, or "" when it is (T1 FLAIR is T1-weighted)."""
    tr, te, ti = (attrs["repetition_time_ms"], attrs["echo_time_ms"],
                  attrs["inversion_time_ms"])
    if weighting in ("T1", "T1 FLAIR"):
        return ""
    if weighting == "STIR":
        return f"not T1-weighted: STIR (short-TI inversion recovery, TI {ti:g} ms)"
    if weighting == "T2 FLAIR":
        return f"not T1-weighted: T2 FLAIR (long-TI inversion recovery, TI {ti:g} ms)"
    if tr is None or te is None:
        return "TR or TE not recorded: cannot check that the series is T1-weighted"
    return (f"not T1-like: TR {tr:g} ms, TE {te:g} ms (T1-weighted is about TR "
            f"{T1_TR_MS[0]:g}-{T1_TR_MS[1]:g} ms, TE {T1_TE_MS[0]:g}-{T1_TE_MS[1]:g} ms)")


def _unvalidated_reasons(attrs: dict[str, Any], weighting: str) -> list[str]:
    """What sets the sequence apart from the one VBQ was validated on, in words."""
    tr, te, ti = (attrs["repetition_time_ms"], attrs["echo_time_ms"],
                  attrs["inversion_time_ms"])
    seq = attrs["scanning_sequence"].upper()
    why = []
    if weighting == "T1 FLAIR":
        why.append(f"T1 FLAIR (inversion recovery, TI {ti:g} ms): T1-weighted, but "
                   "CSF is darker than on spin echo, which raises VBQ")
    elif _is_inversion_recovery(attrs):
        why.append(f"inversion recovery ({weighting if weighting != 'unknown' else 'TI'}"
                   + (f", TI {ti:g} ms)" if ti else " not recorded)"))
    if weighting == "T2":
        why.append(f"T2-weighted (TR {tr:g} ms, TE {te:g} ms)")
    if seq and "SE" not in seq and "SPIN" not in seq and ("GR" in seq or "GRADIENT" in seq):
        why.append("gradient echo")
    options = [o.strip().upper() for o in attrs.get("scan_options", "").split("\\")]
    if any(o == "SFS" or o.startswith("FS") for o in options):
        why.append("fat-suppressed ((0018,0022) Scan Options FS)")
    return why


def _technical_flags(attrs: dict[str, Any], spacing: Any) -> list[Flag]:
    checks = (
        (attrs["lossy"], "lossy_compression",
         "lossy-compressed pixel data ((0028,2110) Lossy Image Compression): SI ratios carry "
         "compression error"),
        (attrs["modality"] and attrs["modality"] != "MR", "not_mr",
         f"modality {attrs['modality']}, not MR"),
        (spacing is None, "no_pixel_spacing",
         "(0028,0030) Pixel Spacing is missing: ROI radii in mm cannot be converted to pixels"),
        (attrs["burned_in"], "burned_in_annotation",
         "(0028,0301) Burned In Annotation is YES: the pixels may show identifying text"),
        (attrs["contrast"], "contrast",
         "a contrast agent is recorded ((0018,0010) Contrast/Bolus Agent): VBQ is defined on "
         "non-contrast T1"),
    )
    return [Flag(code, message) for cond, code, message in checks if cond]


def _default_rank(weighting: str, codes: set[str]) -> tuple[int, ...] | None:
    """How strongly a series is offered by default (lower first), or None when never.

    Never a series that is not sagittal, not T1-weighted, mixes orientations or is not MR.
    First T1-weighted spin echo / fast spin echo as VBQ was validated, then T1 FLAIR, then
    other T1-weighted sequences (gradient echo, fat-suppressed); within each, without contrast
    before with, then lossless before lossy."""
    if codes & _NEVER_DEFAULT:
        return None
    if weighting == "T1" and "not_validated_sequence" not in codes:
        kind = 0
    elif weighting == "T1 FLAIR":
        kind = 1
    else:
        kind = 2
    return kind, "contrast" in codes, "lossy_compression" in codes
