"""Many tiny series (issue 18: 4,999 one-pixel series took 13 s in the app before the page
listed 4,999 series): refused past a stated number of series, counted from the files' first
bytes before any file is parsed, and counted again as files are parsed (a file whose UIDs sit
past the first bytes is not missed)."""

from __future__ import annotations

import copy
import io
import time
import zipfile

import pydicom
import pytest

import vbq
from vbq import imaging, phantom

SERIES_UID = "1.2.826.0.1.3680043.8.498.77770000000000000001"


def _tiny(padding: int = 0) -> bytes:
    """A 1 x 1 pixel slice of the phantom whose Series Instance UID is `SERIES_UID`, with a
    private element of `padding` bytes in group 0009 (before the UIDs)."""
    ds = copy.deepcopy(phantom.make_series(seed=0, n_slices=3)[0][0])
    ds.Rows = ds.Columns = 1
    ds.PixelData = b"\x00\x01"
    ds.SeriesInstanceUID = SERIES_UID
    if padding:
        ds.add_new((0x0009, 0x0010), "LO", "PADDING")
        ds.add_new((0x0009, 0x1010), "OB", b"x" * padding)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def tiny_series(n: int, padding: int = 0) -> list[bytes]:
    """`n` one-pixel files, each its own series of one study (the UID's last digits
    replaced, same length)."""
    template = _tiny(padding)
    uid = SERIES_UID.encode()
    assert template.count(uid) == 1
    return [template.replace(uid, uid[:-8] + f"{k:08d}".encode()) for k in range(n)]


def _zip(files: list[bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, data in enumerate(files):
            zf.writestr(f"VBQ-001/IM{k:05d}.dcm", data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def many() -> list[bytes]:
    return tiny_series(4_999)


def test_4999_one_pixel_series_are_refused_in_a_worklist_before_any_is_parsed(many):
    archive = _zip(many)  # as uploaded: one zip
    started = time.perf_counter()
    with pytest.raises(vbq.InputError, match=r"the files hold more than 2,000 series, the most "
                                             r"one load may hold; not loaded"):
        imaging.read_worklist(archive)
    # generous for a loaded machine: the 13 s (about 17 ms a file) is far above it
    assert time.perf_counter() - started < 5


def test_4999_one_pixel_series_are_refused_by_load_study_before_any_is_parsed(many):
    started = time.perf_counter()
    with pytest.raises(vbq.InputError, match=r"the files hold more than 100 series"):
        imaging.load_study(many)
    assert time.perf_counter() - started < 5


def test_one_study_of_the_worklist_may_hold_at_most_100_series(many):
    with pytest.raises(vbq.InputError, match=r"one study in the files holds more than 100 "
                                             r"series, the most one study may hold"):
        imaging.read_worklist(many[:101])
    assert len(imaging.read_worklist(many[:100])[0].series) == 100


def test_uids_beyond_the_first_bytes_are_counted_as_the_files_are_parsed():
    hidden = tiny_series(6, padding=20_000)  # the UIDs sit past the 16 KiB searched first
    assert imaging._count._series_per_study(hidden) == {}
    with pytest.raises(vbq.InputError, match="more than 5 series"):
        imaging.read_worklist(hidden, max_series=5)
    with pytest.raises(vbq.InputError, match="more than 5 series"):
        imaging.load_study(hidden, max_series=5)
    assert len(imaging.load_study(hidden, max_series=6)) == 6


def test_the_raw_count_agrees_with_pydicom():
    archive, _ = phantom.cohort_zip(3)
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        files = [zf.read(n) for n in zf.namelist()]
    counted = imaging._count._series_per_study(files)
    expected: dict[bytes, set[bytes]] = {}
    for data in files:
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        expected.setdefault(ds.StudyInstanceUID.encode(), set()).add(
            ds.SeriesInstanceUID.encode())
    assert counted == expected


def test_a_cohort_of_250_studies_of_6_series_is_within_the_worklist_limit():
    assert imaging._count.MAX_WORKLIST_SERIES >= 250 * 6
