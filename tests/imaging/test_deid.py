"""De-identification at read time: identifiers planted in every attribute of the DICOM basic
confidentiality profile (PS3.15 Annex E, `vbq.imaging.BASIC_PROFILE`) must appear nowhere in what
`vbq.imaging` hands out: repr, summary, to_dict, the study table, the fingerprint, the problems,
the pickled objects (everything they hold), logs and warnings."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import pickle
import warnings

import numpy as np
import pytest
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from vbq import phantom
from vbq.errors import InputError
from vbq.imaging import BASIC_PROFILE, Series, load_series, load_study, roi_stats

# binary and numeric VRs hold no text identifier to search for
UNSEARCHABLE = {"OB", "OW", "OF", "OD", "OL", "OV", "UN", "US", "SS", "UL", "SL", "FL", "FD",
                "AT", "UV", "SV", "US or SS", "OB or OW", "US or OW", "US or SS or OW"}


# the planted text of the k-th attribute, by VR: valid for the VR, unique per attribute
PLANTED_TEXT = {
    "UI": lambda k: f"1.2.826.0.1.3680043.10.9876.{k}",
    "DA": lambda k: (dt.date(1901, 1, 1) + dt.timedelta(days=37 * k)).strftime("%Y%m%d"),
    "TM": lambda k: f"101010.{k:06d}",
    "DT": lambda k: f"19500101101010.{k:06d}",
    "AS": lambda k: f"{k % 1000:03d}Y",
    "DS": lambda k: f"{k}.{k:03d}9",
    "IS": lambda k: str(7_700_000 + k),
    **dict.fromkeys(("CS", "AE", "SH", "LO", "LT", "ST", "UT", "UC", "UR"),
                    lambda k: f"PLNT{k:03d}"),
}


def planted_value(keyword: str, k: int, slice_index: int):
    """A valid, unique, searchable value for `keyword` (the k-th attribute), and its text."""
    vr = dictionary_VR(tag_for_keyword(keyword))
    if keyword in ("SOPInstanceUID", "MediaStorageSOPInstanceUID"):
        uid = f"1.2.826.0.1.3680043.10.5432.{k}.{slice_index + 1}"
        return uid, [uid]
    if vr == "PN":
        return f"PLNTFAM{k:03d}^PLNTGIV{k:03d}", [f"PLNTFAM{k:03d}", f"PLNTGIV{k:03d}"]
    if vr == "SQ":
        item = Dataset()
        item.CodeValue = f"PLNTSQ{k:03d}"
        item.CodingSchemeDesignator = "99PLNT"
        item.CodeMeaning = f"PLNTMEANING{k:03d}"
        return Sequence([item]), [f"PLNTSQ{k:03d}", f"PLNTMEANING{k:03d}"]
    if vr in PLANTED_TEXT:
        text = PLANTED_TEXT[vr](k)
        return text, [text]
    return None, []


def planted_series():
    datasets, truth = phantom.make_series(seed=0, n_slices=5)
    planted: dict[str, list[str]] = {}
    out = []
    for i, ds in enumerate(datasets):
        ds = copy.deepcopy(ds)
        for k, keyword in enumerate(BASIC_PROFILE):
            if keyword == "SeriesDescription":
                continue  # retained, cleaned: checked below
            if tag_for_keyword(keyword) >> 16 == 0:
                continue  # command-set (DIMSE) elements cannot be stored in a file
            value, texts = planted_value(keyword, k, i)
            if value is None:
                continue
            target = ds.file_meta if keyword.startswith("MediaStorage") else ds
            setattr(target, keyword, value)
            planted[keyword] = planted.get(keyword, []) + texts
        fam, giv = "PLNTFAM", "PLNTGIV"
        pn_k = BASIC_PROFILE.index("PatientName")
        id_k = BASIC_PROFILE.index("PatientID")
        ds.SeriesDescription = f"sag T1 {fam}{pn_k:03d} {giv}{pn_k:03d} PLNT{id_k:03d}"
        ds.add_new(0x00090010, "LO", "PLNTPRIVATECREATOR")  # private attributes go too
        ds.add_new(0x00091001, "LO", "PLNTPRIVATEVALUE")
        planted["private"] = ["PLNTPRIVATECREATOR", "PLNTPRIVATEVALUE"]
        out.append(ds)
    return out, truth, planted


def everything_exposed(series: Series, study) -> tuple[str, bytes]:
    text = "\n".join([
        repr(series), series.summary(), str(series.to_dict()), series.fingerprint,
        "\n".join(f"{p.file} {p.message} {p.severity}" for p in series.problems),
        "\n".join(f"{f.code} {f.message}" for f in series.flags),
        study.to_frame().to_csv(), repr(study), str(roi_stats(series.pixels[2], series.spacing_mm,
                                                              (128, 128), 5.0)),
    ])
    blob = pickle.dumps(series) + pickle.dumps(study)  # everything the objects hold
    return text, blob


def test_every_profile_keyword_is_in_pydicoms_dictionary():
    missing = [kw for kw in BASIC_PROFILE if tag_for_keyword(kw) is None]
    assert not missing
    assert len(BASIC_PROFILE) == len(set(BASIC_PROFILE)) > 200
    for must in ("PatientName", "PatientID", "PatientBirthDate", "InstitutionName",
                 "ReferringPhysicianName", "OperatorsName", "AccessionNumber", "StudyDate",
                 "OtherPatientIDs", "PatientAddress", "DeviceSerialNumber", "StationName"):
        assert must in BASIC_PROFILE


def test_planted_identifiers_never_leave_the_module(caplog):
    datasets, truth, planted = planted_series()
    searchable = {kw: texts for kw, texts in planted.items()
                  if kw == "private" or dictionary_VR(tag_for_keyword(kw)) not in UNSEARCHABLE}
    assert len(searchable) > 180  # nearly all of the profile carries a planted value
    raw = phantom.series_bytes(datasets)
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = load_study([*raw, b"not dicom"])
        series = load_series([*raw, b"not dicom"])
    text, blob = everything_exposed(series, study)
    logged = caplog.text + "\n".join(str(w.message) for w in caught)
    leaks = sorted({(kw, t) for kw, texts in searchable.items() for t in texts
                    if len(t) >= 4 and (t in text or t.encode() in blob or t in logged)})
    assert not leaks
    # the cleaned Series Description keeps its words and loses the planted name and ID
    assert series.description.startswith("sag T1") and "PLNT" not in series.description
    assert series.description.count("[removed]") == 3
    # the loader did read the files: the same pixels as without identifiers
    clean = load_series(phantom.series_bytes(phantom.make_series(seed=0, n_slices=5)[0]))
    assert np.array_equal(series.pixels, clean.pixels)
    assert series.has_flag("contrast")  # Contrast/Bolus Agent was planted: said, not shown


def test_no_dataset_survives_in_the_result(phantom_series):
    series = load_series(phantom.series_bytes(phantom_series[0]))

    def walk(obj, depth=0):
        assert not isinstance(obj, Dataset), "a pydicom Dataset leaked into the result"
        if depth > 4:
            return
        if hasattr(obj, "__dataclass_fields__"):
            for name in obj.__dataclass_fields__:
                walk(getattr(obj, name), depth + 1)
        elif isinstance(obj, tuple | list):
            for item in obj:
                walk(item, depth + 1)
        elif isinstance(obj, dict):
            for item in obj.values():
                walk(item, depth + 1)

    walk(series)
    assert not series.pixels.flags.writeable


@pytest.mark.parametrize("name", ["SYNTHETIC", "PHANTOM"])
def test_the_phantom_label_survives_cleaning(name, phantom_series):
    series = load_series(phantom.series_bytes(phantom_series[0]))
    assert name in series.description


# issue 18, "Names never leak": names the cleaning of the Series Description cannot find, each in
# its own patient's series (Patient's Name, Birth Date and Character Set as given)
NAME_CASES = (
    # (Patient's Name, Patient's Birth Date, Specific Character Set, Series Description, leaks)
    ("Li^Wu", "", "ISO_IR 100", "SAG T1 Li Wu", ("Li Wu",)),        # parts under 3 characters
    ("Smith^Mary-Jane", "", "ISO_IR 100", "SAG T1 Mary Jane",        # hyphen written as a space
     ("Mary Jane",)),
    ("Doe^John", "19800115", "ISO_IR 100", "SAG T1 15.01.1980",      # the birth date reshaped
     ("15.01.1980",)),
    ("王^小明", "", "GB18030", "SAG T1 王小明", ("王小明", "小明")),  # another character set
    ("Anonymous", "", "ISO_IR 100", "SAG T1 Rossi Maria",            # a name not in the header
     ("Rossi", "Maria")),
)
NAME_LEAKS = tuple(t for *_, leaks in NAME_CASES for t in leaks)


def name_case_datasets(n_slices: int = 3) -> list:
    """One series per case of `NAME_CASES`, as five patients of one upload."""
    out = []
    for k, (name, birth, charset, description, _) in enumerate(NAME_CASES):
        datasets, _ = phantom.make_series(seed=10 + k, n_slices=n_slices)
        for ds in datasets:
            ds.SpecificCharacterSet = charset
            ds.PatientName = name
            ds.PatientID = f"PID{k}"
            ds.PatientBirthDate = birth
            ds.SeriesDescription = description
            ds.SeriesNumber = 100 + k
        out += datasets
    return out


def test_names_the_cleaning_cannot_find_never_reach_what_the_module_writes():
    raw = phantom.series_bytes(name_case_datasets())
    study = load_study(raw)
    assert len(study) == len(NAME_CASES)
    # the cleaning fails open: the file's own description keeps every one of them
    kept = " ".join(s.description for s in study)
    assert all(t in kept for t in NAME_LEAKS)
    # ... so nothing the module writes for a reader is made from it
    series = load_series(raw, series=0)
    written = "\n".join([repr(series), series.summary(), repr(study), *(
        f"{s.label} {s.summary()} {s!r}" for s in study),
        *(f"{p.file} {p.message}" for p in series.problems)])
    assert not [t for t in NAME_LEAKS if t in written]
    assert [s.label for s in study] == [f"Series {100 + k} · sagittal · T1 · spin echo · 3 T"
                                        for k in range(len(NAME_CASES))]
    with pytest.raises(InputError) as err:  # the listing of series in a refusal too
        load_series(raw)
    assert "Series 100 · sagittal" in str(err.value)
    assert not [t for t in NAME_LEAKS if t in str(err.value)]


def test_a_label_names_only_what_the_acquisition_records():
    datasets, _ = phantom.make_series(seed=0, n_slices=3)
    for ds in datasets:
        del ds.SeriesNumber, ds.MagneticFieldStrength
        ds.ScanningSequence = ["SE", "IR", "XX"]
    (s,) = load_study(phantom.series_bytes(datasets))
    assert s.label.startswith("Series (no number) · sagittal · ")
    assert s.label.endswith(" · spin echo, inversion recovery · field strength not recorded")
    assert "XX" not in s.label  # a code outside the standard's defined terms is left out
