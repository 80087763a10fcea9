"""The name a series is shown by (`Series.label`): built from the acquisition, never from the
file's free text (internal to `vbq.imaging`).

(0008,103E) Series Description is free text that a technologist or a scanner's protocol may fill
with anything, the patient's name included. Removing the patient's own name tokens from it
(`_deid._clean_description`) fails open: short name parts, names written another way, dates in
other formats, another character set, a name that is not in the header all survive. So what a
screen shows by default is made only of values whose every possible value is known: the Series
Number (an integer), the orientation and weighting (fixed vocabularies computed here), the
scanning sequence (a DICOM code string mapped through a fixed table, unknown codes left out) and
the field strength (a number).
"""

from __future__ import annotations

import re

# (0018,0020) Scanning Sequence (PS3.3 C.8.3.1.1.1) and (0018,9008) Echo Pulse Sequence
# (PS3.3 C.8.13.5.1) defined terms, in words; any other code is left out of the label
_SEQUENCE_WORDS = {
    "SE": "spin echo", "IR": "inversion recovery", "GR": "gradient echo",
    "EP": "echo planar", "RM": "research mode",
    "SPIN": "spin echo", "GRADIENT": "gradient echo", "BOTH": "spin and gradient echo",
}


def _sequence_words(scanning_sequence: str) -> str:
    """The defined terms of a Scanning Sequence value in words ("SE\\IR" -> "spin echo,
    inversion recovery"); "" when none is a defined term."""
    codes = re.findall(r"[A-Z]+", scanning_sequence.upper())
    return ", ".join(dict.fromkeys(_SEQUENCE_WORDS[c] for c in codes if c in _SEQUENCE_WORDS))


def _acquisition_label(series_number: int | None, orientation: str, weighting: str,
                       scanning_sequence: str, field_strength_t: float | None) -> str:
    """"Series 3 · sagittal · T1 · spin echo · 1.5 T": the Series Number, the orientation,
    the weighting, the scanning sequence in words and the field strength, each said to be
    unknown (or left out, for the sequence) when the files do not record it."""
    parts = [f"Series {series_number}" if series_number is not None else "Series (no number)",
             orientation if orientation != "unknown" else "orientation unknown",
             weighting if weighting != "unknown" else "weighting unknown"]
    sequence = _sequence_words(scanning_sequence)
    if sequence:
        parts.append(sequence)
    parts.append(f"{field_strength_t:g} T" if field_strength_t is not None
                 else "field strength not recorded")
    return " · ".join(parts)
