"""Tests of vbq.imaging.load_series / load_study: sorting, grouping, real and compressed files
that ship inside pydicom, enhanced multi-frame, flags, and every bad-file case.

Oracle for decoding: pydicom's own ``pixel_array`` + ``apply_modality_lut`` on the same file,
and the uncompressed MR_small.dcm for its lossless-compressed variants.
"""

from __future__ import annotations

import copy
import io
import random
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.pixels import apply_modality_lut

from vbq import phantom
from vbq.errors import InputError
from vbq.imaging import load_series, load_study


def shipped(name: str) -> str:
    path = get_testdata_file(name, download=False)  # only files that ship inside pydicom
    assert path is not None, f"{name} does not ship with the installed pydicom"
    return path


def to_bytes(ds) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def reference_pixels(path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return np.asarray(apply_modality_lut(ds.pixel_array, ds), dtype=float)


def messages(obj) -> str:
    return "\n".join(str(p) for p in obj.problems)


# --- sorting -----------------------------------------------------------------------------------

def test_shuffled_files_are_sorted_by_position(phantom_series):
    datasets, truth = phantom_series
    expected = np.stack([apply_modality_lut(d.pixel_array, d) for d in datasets])
    raw = phantom.series_bytes(datasets)
    for seed in range(3):
        shuffled = raw[:]
        random.Random(seed).shuffle(shuffled)
        s = load_series(shuffled)
        assert s.sorted_by == "position"
        assert np.array_equal(s.pixels, expected)
        assert np.all(np.diff(s.slice_positions_mm) > 0)
        # the normal of IOP [0,1,0, 0,0,-1] is (-1, 0, 0): position = -x
        xs = [float(d.ImagePositionPatient[0]) for d in datasets]
        assert np.allclose(s.slice_positions_mm, -np.array(xs))


def test_position_beats_instance_number(phantom_series):
    datasets, _ = phantom_series
    scrambled = [copy.deepcopy(d) for d in datasets]
    for d, n in zip(scrambled, [5, 3, 9, 1, 11, 2, 4, 6, 8, 7, 10], strict=True):
        d.InstanceNumber = n
    s = load_series(phantom.series_bytes(scrambled[::-1]))
    expected = np.stack([apply_modality_lut(d.pixel_array, d) for d in datasets])
    assert np.array_equal(s.pixels, expected)


def test_instance_number_fallback(phantom_series):
    datasets, _ = phantom_series
    stripped = [copy.deepcopy(d) for d in datasets]
    for d in stripped:
        del d.ImagePositionPatient
    raw = phantom.series_bytes(stripped)
    random.Random(5).shuffle(raw)
    s = load_series(raw)
    expected = np.stack([apply_modality_lut(d.pixel_array, d) for d in datasets])
    assert s.sorted_by == "instance number"
    assert np.array_equal(s.pixels, expected)
    assert np.all(np.isnan(s.slice_positions_mm))
    assert "sorted by (0020,0013) Instance Number" in messages(s)


def test_file_order_when_nothing_says_otherwise(phantom_series):
    datasets, _ = phantom_series
    stripped = [copy.deepcopy(d) for d in datasets[:4]]
    for d in stripped:
        del d.ImagePositionPatient
        del d.InstanceNumber
    s = load_series(phantom.series_bytes(stripped[::-1]))
    assert s.sorted_by == "file order" and "file order" in messages(s)
    assert np.array_equal(s.pixels[0], apply_modality_lut(stripped[-1].pixel_array, stripped[-1]))


# --- inputs ------------------------------------------------------------------------------------

def test_paths_bytes_file_objects_and_zip_agree(tmp_path, phantom_series):
    datasets, _ = phantom_series
    raw = phantom.series_bytes(datasets)
    paths = phantom.write_series(datasets, tmp_path)
    a = load_series(paths)
    b = load_series(raw)
    c = load_series([io.BytesIO(r) for r in raw])
    d = load_series(phantom.series_zip(datasets))
    e = load_series(io.BytesIO(phantom.series_zip(datasets)))
    f = load_series([str(p) for p in paths])
    for other in (b, c, d, e, f):
        assert np.array_equal(a.pixels, other.pixels)
        assert other.fingerprint == a.fingerprint and other.problems == ()
    assert a.n_files == 11


def test_mr_small_matches_pydicom():
    path = shipped("MR_small.dcm")
    s = load_series(path)
    assert np.array_equal(s.pixels[0], reference_pixels(path))
    assert s.spacing_mm == (0.3125, 0.3125)
    assert s.orientation == "axial" and s.has_flag("not_sagittal")
    assert (s.repetition_time_ms, s.echo_time_ms) == (4000.0, 240.0)
    assert s.has_flag("not_t1_like") and s.has_flag("not_validated_sequence")
    assert "T2-weighted" in " ".join(f.message for f in s.flags)
    assert not s.lossy_compression


@pytest.mark.parametrize("name", [
    "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "MR_small_jpeg_ls_lossless.dcm",
    "MR_small_bigendian.dcm", "MR_small_expb.dcm", "MR_small_implicit.dcm", "MR_small_padded.dcm",
])
def test_lossless_variants_decode_to_the_uncompressed_pixels(name):
    s = load_series(shipped(name))
    assert np.array_equal(s.pixels[0], reference_pixels(shipped("MR_small.dcm")))
    assert s.problems == ()
    assert not s.lossy_compression


@pytest.mark.parametrize("name, syntax", [
    ("JPEG2000.dcm", "JPEG 2000"),
    ("693_J2KI.dcm", "JPEG 2000"),
    ("JPEGLSNearLossless_16.dcm", "JPEG-LS Lossy"),
])
def test_lossy_files_decode_and_are_flagged(name, syntax):
    s = load_series(shipped(name))
    # to the bit: the loader's JPEG 2000 plugin (pylibjpeg) gives pydicom's default (GDCM)
    assert np.array_equal(s.pixels[0], reference_pixels(shipped(name)))
    assert s.lossy_compression and s.has_flag("lossy_compression")
    assert syntax in s.transfer_syntaxes[0]


def test_a_variant_no_decoder_handles_is_named(phantom_series):
    # 12-bit JPEG Extended: only GPL-licensed decoders (libjpeg) read it, and this MIT project
    # does not ship one; the file is named, the rest of the series still loads
    s = load_series([*_good(phantom_series), shipped("JPGExtended.dcm")])
    assert ("JPGExtended.dcm: transfer syntax 'JPEG Extended (Process 2 and 4)' with 12-bit "
            "samples has no decoder in this installation") in messages(s)
    assert s.n_slices == len(_good(phantom_series))


def test_damaged_compressed_data_is_named(phantom_series):
    # a JPEG 2000 file whose codestream is overwritten in the middle: the decoder fails on it
    ds = pydicom.dcmread(shipped("JPEG2000.dcm"))
    frames = list(pydicom.encaps.generate_frames(ds.PixelData))
    broken = bytearray(frames[0])
    broken[len(broken) // 4:] = b"\x00" * (len(broken) - len(broken) // 4)
    ds.PixelData = encapsulate([bytes(broken)])
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    buf.seek(0)
    buf.name = "JPEG2000-damaged.dcm"  # as Streamlit's UploadedFile carries it
    s = load_series([*_good(phantom_series), buf])
    assert "JPEG2000-damaged.dcm: pixel data could not be decoded" in messages(s)
    assert s.n_slices == len(_good(phantom_series))


def test_ct_loads_and_is_flagged_not_mr():
    s = load_series(shipped("CT_small.dcm"))
    assert s.modality == "CT" and s.has_flag("not_mr")
    assert np.array_equal(s.pixels[0], reference_pixels(shipped("CT_small.dcm")))


def test_enhanced_multiframe_is_read_frame_by_frame(phantom_series):
    datasets, _ = phantom_series
    single = load_series(phantom.series_bytes(datasets))
    enhanced = phantom.as_enhanced(datasets)  # frames written in reverse order
    s = load_series(to_bytes(enhanced))
    assert s.shape == single.shape and np.array_equal(s.pixels, single.pixels)
    assert np.allclose(s.slice_positions_mm, single.slice_positions_mm)
    assert (s.repetition_time_ms, s.echo_time_ms, s.spacing_mm) == (600.0, 10.0, (1.0, 1.0))
    assert s.n_files == 1 and not s.has_flag("not_t1_like")


def test_enhanced_per_frame_rescale_is_applied(phantom_series):
    datasets, _ = phantom_series
    enhanced = phantom.as_enhanced(datasets)
    item = enhanced.PerFrameFunctionalGroupsSequence[0].PixelValueTransformationSequence[0]
    item.RescaleSlope, item.RescaleIntercept = 2.0, 5.0  # frame 0 holds the last slice
    s = load_series(to_bytes(enhanced))
    last = datasets[-1]
    assert np.array_equal(s.pixels[-1], last.pixel_array * 2.0 + 5.0)
    assert np.array_equal(s.pixels[0], apply_modality_lut(datasets[0].pixel_array, datasets[0]))


# --- several series and patients ---------------------------------------------------------------

def test_several_series_pick_the_sagittal_t1(phantom_series):
    datasets, _ = phantom_series
    mr = Path(shipped("MR_small.dcm")).read_bytes()
    study = load_study([mr, *phantom.series_bytes(datasets)])
    assert len(study) == 2 and study.n_patients == 2
    frame = study.to_frame()
    assert list(frame["n_slices"]) == [1, 11] or list(frame["n_slices"]) == [11, 1]
    s = load_series([mr, *phantom.series_bytes(datasets)])
    assert s.description == "SYNTHETIC PHANTOM sag T1"
    assert "another series, not loaded" in messages(s)
    other = [i for i, x in enumerate(study) if x.n_slices == 1][0]
    assert load_series([mr, *phantom.series_bytes(datasets)], series=other).n_slices == 1
    by_print = load_series([mr, *phantom.series_bytes(datasets)],
                           series=study[other].fingerprint[:10])
    assert by_print.fingerprint == study[other].fingerprint


def test_two_candidates_need_a_choice():
    a, _ = phantom.make_series(seed=0)
    b, _ = phantom.make_series(seed=1)
    for d in b:
        d.PatientID = "OTHER"
    raw = phantom.series_bytes(a) + phantom.series_bytes(b)
    study = load_study(raw)
    assert study.n_patients == 2 and [s.patient for s in study] == ["patient 1", "patient 2"]
    with pytest.raises(InputError, match="several sagittal T1-like series"):
        load_series(raw)
    assert load_series(raw, series=1).patient == "patient 2"
    with pytest.raises(InputError, match="out of range"):
        load_series(raw, series=5)
    with pytest.raises(InputError, match="matches 0 series"):
        load_series(raw, series="0123456789")
    with pytest.raises(InputError, match="series"):
        load_series(raw, series=1.5)  # type: ignore[arg-type]


def test_fingerprint_is_stable_and_not_the_uid(phantom_series):
    import hashlib

    datasets, _ = phantom_series
    s = load_series(phantom.series_bytes(datasets))
    uid = str(datasets[0].SeriesInstanceUID)
    assert len(s.fingerprint) == 64 and uid not in s.fingerprint
    assert s.fingerprint != hashlib.sha256(uid.encode()).hexdigest()
    other, _ = phantom.make_series(seed=1)
    assert load_series(phantom.series_bytes(other)).fingerprint != s.fingerprint


# --- flags -------------------------------------------------------------------------------------

def _variant(datasets, **attrs):
    out = [copy.deepcopy(d) for d in datasets]
    for d in out:
        for k, v in attrs.items():
            setattr(d, k, v)
    return phantom.series_bytes(out)


def test_t1_flair_and_t2_are_flagged_not_refused(phantom_series):
    datasets, _ = phantom_series
    flair = load_series(_variant(datasets, RepetitionTime=2000.0, EchoTime=9.0,
                                 InversionTime=860.0, ScanningSequence=["SE", "IR"]))
    # T1 FLAIR is T1-weighted (issue 19): flagged as not the validated sequence, never as
    # "not T1-like" (the two flags contradicted each other on screen, issue 16)
    assert flair.has_flag("not_validated_sequence") and not flair.has_flag("not_t1_like")
    assert flair.is_t1_like and flair.weighting == "T1 FLAIR"
    assert "T1 FLAIR" in " ".join(f.message for f in flair.flags)
    assert flair.inversion_time_ms == 860.0 and flair.n_slices == 11
    t2 = load_series(_variant(datasets, RepetitionTime=3000.0, EchoTime=100.0))
    assert t2.has_flag("not_validated_sequence") and "T2-weighted" in t2.summary()
    edge = load_series(_variant(datasets, RepetitionTime=850.0, EchoTime=20.0))  # the paper's TE
    assert edge.is_t1_like and edge.flags == ()
    gre = load_series(_variant(datasets, ScanningSequence="GR"))
    assert "gradient echo" in gre.summary()
    fatsat = load_series(_variant(datasets, ScanOptions=["FS", "PFP"]))
    assert fatsat.has_flag("not_validated_sequence") and "fat-suppressed" in fatsat.summary()
    assert not load_series(_variant(datasets, ScanOptions="PFP")).flags


def test_lossy_attribute_axial_and_missing_spacing_are_flagged(phantom_series):
    datasets, _ = phantom_series
    lossy = load_series(_variant(datasets, LossyImageCompression="01"))
    assert lossy.lossy_compression and lossy.has_flag("lossy_compression")
    axial = load_series(_variant(datasets, ImageOrientationPatient=[1, 0, 0, 0, 1, 0]))
    assert axial.orientation == "axial" and axial.has_flag("not_sagittal")
    coronal = load_series(_variant(datasets, ImageOrientationPatient=[1, 0, 0, 0, 0, -1]))
    assert coronal.orientation == "coronal"
    nospace = [copy.deepcopy(d) for d in datasets]
    for d in nospace:
        del d.PixelSpacing
    s = load_series(phantom.series_bytes(nospace))
    assert s.spacing_mm is None and s.has_flag("no_pixel_spacing")
    assert "(0028,0030) Pixel Spacing is missing" in s.summary()


# --- bad files ---------------------------------------------------------------------------------

def _good(phantom_series):
    return phantom.series_bytes(phantom_series[0])


def test_not_dicom_files_are_named(phantom_series):
    raw = _good(phantom_series)
    no_preamble = raw[0][132:]  # the dataset without preamble and marker: force=True would parse
    s = load_series([*raw, b"just some text", io.BytesIO(no_preamble)])
    text = messages(s)
    assert "file 12: not a DICOM file" in text and "file 13: not a DICOM file" in text
    assert s.n_slices == 11


def test_no_pixel_data_is_named(phantom_series):
    s = load_series([*_good(phantom_series), shipped("reportsi.dcm")])
    assert "reportsi.dcm: no pixel data (7FE0,0010)" in messages(s)


def test_undecodable_syntax_is_named(phantom_series):
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.102"  # MPEG-4 AVC/H.264: no decoder
    ds.PixelData = encapsulate([b"\x00\x00\x00\x01" + b"\x00" * 64])
    ds["PixelData"].VR = "OB"
    bad = io.BytesIO(to_bytes(ds))
    bad.name = "video.dcm"
    s = load_series([*_good(phantom_series), bad])
    assert "video.dcm: transfer syntax 'MPEG-4 AVC/H.264" in messages(s)
    assert "has no decoder" in messages(s)


def test_missing_decoder_plugin_is_named(monkeypatch, phantom_series):
    import pydicom.pixels

    class Missing:
        is_available = False
        missing_dependencies = ["pylibjpeg-openjpeg"]

    real = pydicom.pixels.get_decoder
    monkeypatch.setattr(pydicom.pixels, "get_decoder",
                        lambda uid: Missing() if "4.90" in str(uid) else real(uid))
    s = load_series([*_good(phantom_series), shipped("MR_small_jp2klossless.dcm")])
    assert "MR_small_jp2klossless.dcm: transfer syntax 'JPEG 2000 Image Compression " \
           "(Lossless Only)' needs pylibjpeg-openjpeg" in messages(s)


def test_truncated_files_are_named(phantom_series):
    raw = _good(phantom_series)
    cut_pixels = io.BytesIO(raw[0][: len(raw[0]) - 5000])
    cut_pixels.name = "cut_pixels.dcm"
    cut_header = io.BytesIO(raw[1][:400])
    cut_header.name = "cut_header.dcm"
    s = load_series([*raw[2:], cut_pixels, cut_header, shipped("MR_truncated.dcm")])
    text = messages(s)
    assert "cut_pixels.dcm: pixel data could not be decoded" in text
    assert "cut_header.dcm: no pixel data (7FE0,0010) although the file is an image" in text
    assert "MR_truncated.dcm:" in text
    assert s.n_slices == 9


def test_dicomdir_and_localizer_are_skipped_with_a_note(phantom_series):
    datasets, _ = phantom_series
    scout = copy.deepcopy(datasets[0])
    scout.ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
    scout.SOPInstanceUID = pydicom.uid.generate_uid()
    scout.file_meta.MediaStorageSOPInstanceUID = scout.SOPInstanceUID
    tilted = copy.deepcopy(datasets[1])  # a scout without the LOCALIZER word: other orientation
    tilted.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    tilted.SOPInstanceUID = pydicom.uid.generate_uid()
    dicomdir = Path(shipped("DICOMDIR")).read_bytes()
    s = load_series([*phantom.series_bytes([scout, tilted]), *_good(phantom_series), dicomdir])
    notes = {p.message: p.severity for p in s.problems}
    assert any("localizer (scout)" in m for m in notes)
    assert any("orientation, matrix size or pixel spacing differs" in m for m in notes)
    assert any("DICOMDIR" in m for m in notes)
    assert set(notes.values()) == {"note"}
    assert s.n_slices == 11


def test_duplicates_are_noted(phantom_series):
    raw = _good(phantom_series)
    s = load_series([*raw, raw[3]])
    assert s.n_slices == 11 and "the same image as another file" in messages(s)


def test_colour_images_are_named():
    with pytest.raises(InputError, match="colour image"):
        load_series(shipped("SC_rgb.dcm") if get_testdata_file("SC_rgb.dcm", download=False)
                    else shipped("examples_rgb_color.dcm"))


def test_nothing_loads_raises_with_every_problem():
    with pytest.raises(InputError, match="no image could be loaded") as info:
        load_series([b"not dicom", shipped("reportsi.dcm")])
    assert len(info.value.problems) == 2
    assert isinstance(info.value, ValueError)
    with pytest.raises(InputError):
        load_series([])


# --- zips --------------------------------------------------------------------------------------

def _zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_traversal_nested_and_mac_files(phantom_series):
    raw = _good(phantom_series)
    members = {f"study/IM{i}.dcm": r for i, r in enumerate(raw)}
    members["../../etc/evil.dcm"] = raw[0]
    members["/abs/evil2.dcm"] = raw[0]
    members["inner.zip"] = _zip({"x.dcm": raw[0]})
    members["__MACOSX/study/._IM1.dcm"] = b"\x00\x05\x16\x07"
    s = load_series(_zip(members))
    text = messages(s)
    assert "evil.dcm: path outside the archive" in text
    assert "evil2.dcm: path outside the archive" in text
    assert "inner.zip: an archive inside the archive: not opened" in text
    assert "macOS metadata" in text
    assert s.n_slices == 11


def test_zip_bomb_is_refused_before_extraction(phantom_series):
    bomb = _zip({"a.dcm": b"\x00" * (60 * 1024 * 1024)})  # 60 MB of zeros, ~60 kB packed
    assert len(bomb) < 200_000
    with pytest.raises(InputError, match="unpacks to 62914560 bytes") as info:
        load_study(bomb, max_bytes=50 * 1024 * 1024)
    assert len(info.value.problems) == 1


def test_zip_declaring_a_false_size_is_caught(phantom_series):
    raw = _good(phantom_series)
    data = bytearray(_zip({"IM1.dcm": raw[0], "IM2.dcm": raw[1]}, compression=zipfile.ZIP_STORED))
    # shrink the declared uncompressed size of IM1 in the central directory (offset 24)
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x01\x02"))
    data[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
    s = load_series(bytes(data))
    assert s.n_slices == 1 and "IM1.dcm:" in messages(s)


def test_too_many_members_is_refused(phantom_series):
    raw = _good(phantom_series)
    many = _zip({f"IM{i}.dcm": raw[i % 11] for i in range(30)})
    with pytest.raises(InputError, match="holds 30 files; at most 20"):
        load_study(many, max_files=20)
    with pytest.raises(InputError, match="at most 5 are read"):
        load_study(raw, max_files=5)


def test_not_a_zip_is_named():
    with pytest.raises(InputError, match="not a readable zip"):
        load_series(b"PK\x03\x04" + b"\x00" * 100)


def test_nothing_is_written_to_disk(tmp_path, monkeypatch, phantom_series):
    import builtins

    real_open = builtins.open

    def guarded(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax+"):
            raise AssertionError(f"write attempted: {file}")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.chdir(tmp_path)
    s = load_series(phantom.series_zip(phantom_series[0]))
    assert s.n_slices == 11 and list(tmp_path.iterdir()) == []


def test_float32_pixels_hold_a_rescaled_value_to_7_digits(phantom_series):
    datasets, _ = phantom_series
    odd = [copy.deepcopy(d) for d in datasets[:3]]
    for d in odd:
        d.RescaleSlope, d.RescaleIntercept = "1.2345678", "-12.345"
    s = load_series(phantom.series_bytes(odd))
    ref = np.stack([d.pixel_array * 1.2345678 - 12.345 for d in odd])  # float64
    assert s.pixels.dtype == np.float32
    assert np.allclose(s.pixels, ref, rtol=2e-7, atol=1e-4)
    r = __import__("vbq").imaging.roi_stats(s.pixels[1], s.spacing_mm, (128, 100), 8.0)
    rows, cols = np.ogrid[:256, :256]
    mask = (rows - 128) ** 2 + (cols - 100) ** 2 <= 64
    assert r.mean == pytest.approx(ref[1][mask].mean(), rel=1e-7)


def test_a_folder_and_progress(tmp_path, phantom_series):
    phantom.write_series(phantom_series[0], tmp_path / "a" / "b")
    (tmp_path / "a" / "notes.txt").write_text("not an image")
    (tmp_path / "a" / ".hidden").write_bytes(b"x")
    seen = []
    s = load_series(tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert s.n_slices == 11
    assert [p.file for p in s.problems] == ["notes.txt"]
    assert seen == [(k, 12) for k in range(1, 13)]


@pytest.mark.parametrize("angle", [0.0, 20.0, -35.0])
def test_oblique_sagittal_stacks_sort_along_their_normal(phantom_series, angle):
    datasets, _ = phantom_series
    a = np.deg2rad(angle)
    row = np.array([np.sin(a), np.cos(a), 0.0])  # the row direction turned about the z axis
    col = np.array([0.0, 0.0, -1.0])
    normal = np.cross(row, col)
    tilted = []
    rng = np.random.default_rng(7)
    for k, d in enumerate(datasets):
        d = copy.deepcopy(d)
        d.ImageOrientationPatient = [*row.tolist(), *col.tolist()]
        # positions 4 mm apart along the normal, plus an in-plane shift that must not matter
        shift = rng.normal(0, 30) * row + rng.normal(0, 30) * col
        d.ImagePositionPatient = (np.array([5.0, -20.0, 900.0]) + 4.0 * k * normal
                                  + shift).tolist()
        tilted.append(d)
    raw = phantom.series_bytes(tilted)
    random.Random(3).shuffle(raw)
    s = load_series(raw)
    expected = np.stack([apply_modality_lut(d.pixel_array, d) for d in tilted])
    assert s.orientation == "sagittal" and np.array_equal(s.pixels, expected)
    assert np.allclose(np.diff(s.slice_positions_mm), 4.0)


# --- the fast paths give pydicom's values exactly ----------------------------------------------


@pytest.mark.parametrize("name", [
    "CT_small.dcm",           # signed 16-bit, Bits Stored 16
    "MR_small_implicit.dcm",  # Implicit VR Little Endian
    "examples_overlay.dcm",   # unsigned, 12 of 16 bits stored
    "image_dfl.dcm",          # Deflated Explicit VR Little Endian, 8-bit
    "rtdose.dcm",             # 32-bit, 15 frames
])
def test_uncompressed_pixels_read_as_a_view_equal_pixel_array(name):
    from pydicom.pixels import get_decoder

    from vbq.imaging import _native_view

    ds = pydicom.dcmread(shipped(name))
    syntax = ds.file_meta.TransferSyntaxUID
    view = _native_view(ds, get_decoder(syntax), syntax)
    assert view is not None and not view.flags.writeable  # the view, not a copy
    expected = pydicom.dcmread(shipped(name)).pixel_array
    assert view.dtype == expected.dtype
    assert np.array_equal(view, expected.reshape(view.shape))


@pytest.mark.parametrize("signed", [False, True])
def test_unused_high_bits_are_cleared_as_pydicom_does(phantom_series, signed):
    # PS3.5 8.1.1: bits above Bits Stored carry no meaning; pydicom shifts them out (with sign
    # extension when signed). A file whose high bits are set must give pydicom's values.
    d = copy.deepcopy(phantom_series[0][5])
    stored = d.pixel_array.astype(np.uint16)  # Bits Stored 12
    assert int(stored.max()) < 1 << 12
    if signed:
        d.PixelRepresentation = 1
        stored[:4, :4] = 0x0FFF  # -1 in 12-bit two's complement, high bits clear
        stored[4:8, :4] = 0x0800  # -2048
    dirty = stored | 0xF000 * (np.arange(stored.size).reshape(stored.shape) % 3 == 0)
    d.PixelData = dirty.astype(np.uint16).tobytes()
    raw = to_bytes(d)
    expected = apply_modality_lut(pydicom.dcmread(io.BytesIO(raw)).pixel_array,
                                  pydicom.dcmread(io.BytesIO(raw)))
    if signed:
        assert expected.min() < 0  # the sign extension is exercised
    s = load_series(raw)
    assert np.array_equal(s.pixels[0], expected.astype(np.float32))


def test_signed_pixels_within_bits_stored_take_the_view(phantom_series):
    d = copy.deepcopy(phantom_series[0][5])
    values = d.pixel_array.astype(np.int16) - 2048  # within 12-bit signed range
    d.PixelRepresentation = 1
    d.PixelData = values.tobytes()
    raw = to_bytes(d)
    ref = pydicom.dcmread(io.BytesIO(raw))
    s = load_series(raw)
    assert np.array_equal(s.pixels[0], apply_modality_lut(ref.pixel_array, ref).astype(np.float32))
    assert s.pixels.min() < 0


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32])
@pytest.mark.parametrize("slope, intercept", [
    (1.0, 0.0), (1.0, -1024.0), (0.75, -40.0), (2.0, 0.5), (float(np.float32(1.2345)), 3.0),
    (1.2345678, -12.345), (0.1, 0.0), (3.0517578125e-05, 0.0),
])
def test_rescale_gives_the_float64_product_rounded_once(dtype, slope, intercept):
    # Oracle: the obvious way, slope * stored in float64, rounded to float32, then the
    # intercept added in float32 (what the loader did before the one-pass float32 path).
    from vbq.imaging import _rescale_into

    info = np.iinfo(dtype)
    rng = np.random.default_rng(7)
    stored = rng.integers(info.min, info.max, size=(40, 50), endpoint=True, dtype=dtype)
    if np.dtype(dtype).itemsize == 2:  # every 16-bit value too
        stored = np.concatenate([stored.ravel(), np.arange(65536, dtype=np.uint16).view(dtype)])
    expected = (stored.astype(np.float64) * slope).astype(np.float32)
    if intercept:
        expected += np.float32(intercept)
    out = np.empty(stored.shape, dtype=np.float32)
    _rescale_into(out, stored, slope, intercept)
    assert np.array_equal(out.view(np.uint32), expected.view(np.uint32))  # bit for bit
