"""The worklist and a series read in a worker process (``time_limit=``, issue 18) equal the
same reads in this thread, and a read past its limit is refused naming it."""

from __future__ import annotations

import io

import numpy as np
import pytest

import vbq
from vbq import imaging, phantom


@pytest.fixture(scope="module")
def cohort() -> bytes:
    return phantom.cohort_zip(2)[0]


def _upload(data: bytes, name: str) -> io.BytesIO:
    """As Streamlit hands an upload over: a named in-memory file."""
    f = io.BytesIO(data)
    f.name = name
    return f


def _same_series(a: imaging.Series, b: imaging.Series) -> None:
    assert a.pixels.dtype == b.pixels.dtype
    np.testing.assert_array_equal(a.pixels, b.pixels)
    assert (a.fingerprint, a.spacing_mm, a.problems, a.flags, a.patient) == \
        (b.fingerprint, b.spacing_mm, b.problems, b.flags, b.patient)


def test_a_worklist_read_in_a_worker_equals_the_read_here(cohort):
    here = imaging.read_worklist([_upload(cohort, "cohort.zip")])
    there = imaging.read_worklist([_upload(cohort, "cohort.zip")], time_limit=60)
    assert there == here
    assert [s.study_id for s in there] == ["VBQ-001", "VBQ-002"]
    # the files' data were put back: the series decode here as from the worklist read here
    for k in range(len(here)):
        _same_series(there[k].load(workers=1), here[k].load(workers=1))


def test_a_series_decoded_in_a_worker_equals_the_series_decoded_here(cohort):
    worklist = imaging.read_worklist(cohort)
    seen: list[tuple[int, int]] = []
    there = worklist[1].load(time_limit=60, progress=lambda d, t: seen.append((d, t)))
    _same_series(there, worklist[1].load(workers=1))
    assert seen[-1] == (there.n_slices, there.n_slices)


def test_loose_files_read_in_a_worker_equal_the_read_here():
    datasets, _ = phantom.make_series(seed=3)
    files = [_upload(b, f"IM{k}.dcm") for k, b in enumerate(phantom.series_bytes(datasets))]
    here, there = imaging.read_worklist(files), imaging.read_worklist(files, time_limit=60)
    assert there == here
    _same_series(there[0].load(time_limit=60), here[0].load(workers=1))


def test_a_read_past_its_time_limit_is_refused_naming_the_limit(cohort):
    with pytest.raises(vbq.InputError, match=r"^the DICOM files: reading took longer than "
                                             r"1e-06 s, the most one read may take on this "
                                             r"server; not loaded\. Load fewer studies"):
        imaging.read_worklist(cohort, time_limit=1e-6)
    worklist = imaging.read_worklist(cohort)
    with pytest.raises(vbq.InputError, match=r"^study 1, Series \d+ .*: reading took longer "
                                             r"than 1e-06 s"):
        worklist[0].load(time_limit=1e-6)
