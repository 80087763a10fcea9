"""Many studies at once (issue 19, "A worklist"): a zip or a folder of several patients'
studies read from headers alone, grouped by study, the series chosen in each, the study ID from
the study's folder (never from a DICOM identifier), and the chosen series decoded in parallel
to the same pixels as the serial loader."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_modality_lut

import vbq.imaging._parallel as parallel_module
import vbq.imaging._read as read_module
import vbq.imaging._worklist as worklist_module
from vbq import phantom
from vbq.errors import InputError
from vbq.imaging import load_series, read_worklist, study_id_problem


@pytest.fixture(scope="module")
def cohort():
    return phantom.cohort_zip(3, series=("localizer", "sag_t1", "sag_t2", "sag_t1_flair"))


def _members(archive: bytes, prefix: str) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return [zf.read(n) for n in zf.namelist() if n.startswith(prefix)]


def _rezip(archive: bytes, rename) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            dst.writestr(rename(name), src.read(name))
    return buf.getvalue()


def test_studies_are_grouped_with_their_series_and_ids_from_the_folders(cohort):
    archive, truths = cohort
    worklist = read_worklist(archive)
    assert [s.study_id for s in worklist] == ["VBQ-001", "VBQ-002", "VBQ-003"]
    assert [s.id_source for s in worklist] == ["folder"] * 3
    assert [s.label for s in worklist] == ["study 1", "study 2", "study 3"]
    for study in worklist:
        got = [(s.series_number, s.orientation, s.weighting, s.n_slices) for s in study.series]
        assert got == [(1, "sagittal", "unknown", 1), (3, "sagittal", "T1", 11),
                       (4, "sagittal", "T2", 11), (5, "sagittal", "T1 FLAIR", 11)]
        assert study.series[0].has_flag("mixed_orientations")
        assert study.series[study.chosen].description == "SYNTHETIC PHANTOM sag T1"
    assert worklist.problems == ()
    frame = worklist.to_frame()
    assert list(frame["study_id"]) == ["VBQ-001", "VBQ-002", "VBQ-003"]
    # the series by its acquisition, never the file's free-text description (issue 18)
    label = worklist[0].series[worklist[0].chosen].label
    assert label.startswith("Series 3 · sagittal · T1 · ") and "PHANTOM" not in label
    assert list(frame["chosen_series"]) == [label] * 3


def test_the_worklist_opens_from_headers_alone(cohort, monkeypatch):
    # fails on a reader that decodes pixel data: every decode raises here
    def no_decoding(*args, **kwargs):
        raise AssertionError("pixel data decoded while reading the worklist")

    monkeypatch.setattr(read_module, "_decode", no_decoding)
    monkeypatch.setattr(read_module, "_native_view", no_decoding)
    worklist = read_worklist(cohort[0])
    assert len(worklist) == 3
    with pytest.raises(AssertionError, match="decoded"):
        worklist[0].load()


def test_the_chosen_series_decodes_to_the_serial_loaders_pixels(cohort):
    archive, truths = cohort
    worklist = read_worklist(archive)
    study = worklist[1]
    parallel = study.load(workers=2)
    serial = study.load(workers=1)
    reference = load_series(_members(archive, "VBQ-002/"))  # the whole study: its default
    assert parallel.description == reference.description == "SYNTHETIC PHANTOM sag T1"
    assert np.array_equal(parallel.pixels, reference.pixels)
    assert np.array_equal(serial.pixels, reference.pixels)
    assert np.array_equal(parallel.slice_positions_mm, reference.slice_positions_mm)
    assert parallel.fingerprint == reference.fingerprint == study.series[study.chosen].fingerprint
    assert parallel.patient == "study 2"
    # the anatomy is that study's own (seed + 1), not another study's
    r, c = truths["VBQ-002"].centres["L3"]
    mid = truths["VBQ-002"].mid_slice
    assert abs(float(parallel.pixels[mid, int(r) - 3:int(r) + 3, int(c) - 3:int(c) + 3].mean())
               - truths["VBQ-002"].si["L3"]) < 15
    # another series of the study by index; progress is reported file by file
    calls = []
    flair = study.load(3, progress=lambda done, total: calls.append((done, total)))
    assert flair.weighting == "T1 FLAIR" and flair.has_flag("not_validated_sequence")
    assert calls[-1] == (11, 11) and len(calls) == 11


def test_a_study_without_a_t1_spin_echo_offers_its_t1_flair():
    archive, _ = phantom.cohort_zip(2, series=("localizer", "sag_t2", "sag_t1_flair",
                                               "axial_t2"))
    for study in read_worklist(archive):
        chosen = study.series[study.chosen]
        assert chosen.weighting == "T1 FLAIR" and chosen.has_flag("not_validated_sequence")
        assert not chosen.has_flag("not_t1_like")


def test_a_study_with_no_sagittal_t1_offers_none_and_says_so():
    archive, _ = phantom.cohort_zip(1, series=("localizer", "sag_t2", "axial_t2"))
    study = read_worklist(archive)[0]
    assert study.chosen is None
    with pytest.raises(InputError, match="no sagittal T1-weighted series"):
        study.load()
    assert study.load(1).weighting == "T2"  # a series named by index still loads


def test_the_id_never_comes_from_the_files():
    # the same studies without folders: the files' Patient IDs (SYNTHETIC-0, which would pass
    # the rule) are never used
    archive, _ = phantom.cohort_zip(2)
    flat = _rezip(archive, lambda n: n.replace("/", "_"))
    worklist = read_worklist(flat)
    assert len(worklist) == 2
    assert [s.study_id for s in worklist] == [None, None]
    assert [s.id_source for s in worklist] == [None, None]


def test_a_shared_root_folder_is_looked_through(cohort):
    archive, _ = phantom.cohort_zip(2, root="export/lumbar")
    assert [s.study_id for s in read_worklist(archive)] == ["VBQ-001", "VBQ-002"]


def test_a_folder_name_that_breaks_the_id_rule_is_not_taken_nor_shown():
    archive, _ = phantom.cohort_zip(3, ids=["Smith John", "1.2.840.1234.5", "VBQ-10"])
    worklist = read_worklist(archive)
    by_id = {s.study_id: s for s in worklist}
    assert set(by_id) == {"VBQ-10", None}
    named = [s for s in worklist if s.study_id is None]
    assert len(named) == 2
    for s in named:
        assert "cannot be a study ID" in s.folder_note
        assert "Smith" not in s.folder_note and "1.2.840" not in s.folder_note
    assert worklist[0].study_id == "VBQ-10"  # studies with an ID come first


def test_studies_come_in_natural_order_of_their_folders():
    archive, _ = phantom.cohort_zip(3, ids=["VBQ-10", "VBQ-2", "VBQ-1"])
    assert [s.study_id for s in read_worklist(archive)] == ["VBQ-1", "VBQ-2", "VBQ-10"]


def test_a_folder_on_disk(tmp_path):
    archive, _ = phantom.cohort_zip(2, root="cohort")
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        zf.extractall(tmp_path)
    worklist = read_worklist(tmp_path / "cohort")
    assert [s.study_id for s in worklist] == ["VBQ-001", "VBQ-002"]
    one = read_worklist(tmp_path / "cohort" / "VBQ-002")  # a single study's own folder
    assert [s.study_id for s in one] == ["VBQ-002"]
    assert one[0].load().n_slices == 11


def test_typed_ids_follow_the_rule(cohort):
    worklist = read_worklist(phantom.cohort_zip(2)[0])
    typed = worklist.with_study_ids({0: "P-7"})
    assert [(s.study_id, s.id_source) for s in typed] == [("P-7", "typed"),
                                                          ("VBQ-002", "folder")]
    back = typed.with_study_ids({0: ""})
    assert [(s.study_id, s.id_source) for s in back] == [("VBQ-001", "folder"),
                                                         ("VBQ-002", "folder")]
    with pytest.raises(InputError, match="pseudonymous code"):
        worklist.with_study_ids({0: "John Smith"})
    with pytest.raises(InputError, match="looks like a date"):
        worklist.with_study_ids({0: "2024-01-31"})
    with pytest.raises(InputError, match="each study needs its own"):
        worklist.with_study_ids({0: "VBQ-002"})
    with pytest.raises(InputError, match="not a study index"):
        worklist.with_study_ids({5: "X"})


def test_the_study_id_rule():
    assert study_id_problem("VBQ-001") is None
    assert "pseudonymous code" in study_id_problem("has space")
    assert "UID" in study_id_problem("1.2.840.10008.1")
    assert "longer than 64" in study_id_problem("A" * 65)


def test_a_repeat_sessions_order_is_a_seeded_shuffle(cohort):
    worklist = read_worklist(phantom.cohort_zip(6)[0])
    assert worklist.order() == (0, 1, 2, 3, 4, 5)
    shuffled = worklist.order(seed=20261207)
    assert sorted(shuffled) == [0, 1, 2, 3, 4, 5] and shuffled != worklist.order()
    # numpy's PCG64 permutation, written out: the recorded seed re-creates the order
    assert shuffled == tuple(np.random.default_rng(20261207).permutation(6).tolist())
    assert worklist.order(seed=20261207) == shuffled
    with pytest.raises(InputError, match="seed"):
        worklist.order(seed=-1)


def test_files_that_are_not_dicom_are_named_and_the_rest_read(cohort):
    archive, _ = cohort
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("VBQ-001/notes.txt", b"not an image")
    worklist = read_worklist(buf.getvalue())
    assert len(worklist) == 3
    assert [p.file for p in worklist.problems] == ["VBQ-001/notes.txt"]
    with pytest.raises(InputError, match="no DICOM image"):
        read_worklist([b"nothing"])


def _not_in_this_process(*args, **kwargs):
    raise AssertionError("decoded in the calling process, not by the workers")


def test_a_compressed_series_decodes_in_worker_processes_to_the_same_pixels(tmp_path,
                                                                            monkeypatch):
    # JPEG 2000 (lossless): decoded by the pool of worker processes when workers > 1 and the
    # pool runs, in this process when workers == 1; both give what load_series gives
    from pydicom.uid import JPEG2000Lossless

    datasets, _ = phantom.make_series(seed=4, n_slices=5)
    for ds in datasets:
        ds.compress(JPEG2000Lossless)
    paths = phantom.write_series(datasets, tmp_path / "VBQ-009")
    study = read_worklist(tmp_path / "VBQ-009")[0]
    assert study.study_id == "VBQ-009" and study.series[0].compressed
    calls = []
    assert parallel_module._ready_pool(2, wait=True) is not None
    with monkeypatch.context() as patched:
        # the workers import their own copy of the module: only this process's is patched
        patched.setattr(parallel_module, "_read_file", _not_in_this_process)
        pooled = study.load(workers=2, progress=lambda done, total: calls.append(done))
    alone = study.load(workers=1)
    reference = load_series(paths)
    assert np.array_equal(pooled.pixels, reference.pixels)
    assert np.array_equal(alone.pixels, reference.pixels)
    assert pooled.transfer_syntaxes == reference.transfer_syntaxes
    assert calls == [1, 2, 3, 4, 5]
    assert parallel_module._ready_pool(2) is not None  # the pool did not break
    with pytest.raises(InputError, match="workers"):
        study.load(workers=0)


def _compressed_study(tmp_path, n_slices: int = 5):
    from pydicom.uid import JPEG2000Lossless

    datasets, _ = phantom.make_series(seed=4, n_slices=n_slices)
    for ds in datasets:
        ds.compress(JPEG2000Lossless)
    paths = phantom.write_series(datasets, tmp_path / "VBQ-009")
    return read_worklist(tmp_path / "VBQ-009")[0], paths


def test_a_time_limited_load_decodes_in_the_pool_never_here(tmp_path, monkeypatch):
    # the app's load (time_limit=, issue 18) of a compressed series: the decoding pool's
    # processes decode its files in parallel (issue 19), the calling thread only waits
    study, paths = _compressed_study(tmp_path)
    assert parallel_module._ready_pool(2, wait=True) is not None
    calls = []
    with monkeypatch.context() as patched:
        patched.setattr(parallel_module, "_read_file", _not_in_this_process)
        patched.setattr(worklist_module._worker, "run", _not_in_this_process)
        pooled = study.load(workers=2, time_limit=60,
                            progress=lambda done, total: calls.append(done))
    assert np.array_equal(pooled.pixels, load_series(paths).pixels)
    assert calls == [1, 2, 3, 4, 5]


def test_a_pool_decode_past_its_time_limit_is_refused_and_its_workers_killed(tmp_path):
    study, _ = _compressed_study(tmp_path, n_slices=12)
    pool = parallel_module._ready_pool(2, wait=True)
    workers = list(pool._processes.values())
    with pytest.raises(InputError, match=r"^study 1, Series \d+ .*: reading took longer than "
                                         r"0 s, the most one read may take on this server; "
                                         r"not loaded\."):
        study.load(workers=2, time_limit=0)
    for process in workers:
        process.join(timeout=30)
        assert not process.is_alive()
    assert parallel_module._POOLS.get(2) is None or parallel_module._POOLS[2].pool is not pool
    # the next load starts a new pool and decodes
    assert parallel_module._ready_pool(2, wait=True) is not None
    assert study.load(workers=2, time_limit=60).n_slices == 12


def test_lossy_jpeg_2000_decodes_to_pydicoms_pixels_to_the_bit(tmp_path):
    # a lossy JPEG 2000 series (as the real lumbar studies): the pool, this process while the
    # pool starts, and the serial loader all give pydicom's own decode (GDCM first among its
    # JPEG 2000 plugins) exactly, though the loader decodes with pylibjpeg's OpenJPEG
    from pydicom.uid import JPEG2000

    datasets, _ = phantom.make_series(seed=5, n_slices=6)
    original = np.stack([apply_modality_lut(d.pixel_array, d) for d in datasets])
    for ds in datasets:
        ds.compress(JPEG2000, j2k_cr=[20])
        ds.LossyImageCompression = "01"
    paths = phantom.write_series(datasets, tmp_path / "VBQ-010")
    expected = [pydicom.dcmread(p) for p in paths]
    assert "gdcm" in pydicom.pixels.get_decoder(JPEG2000).available_plugins
    study = read_worklist(tmp_path / "VBQ-010")[0]
    first = study.load(workers=3)  # a new pool: decoded here (or by it, once it runs)
    assert parallel_module._ready_pool(3, wait=True) is not None
    pooled = study.load(workers=3)
    serial = load_series(paths)
    iop = np.array(expected[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])  # slices sorted along it (PS3.3 C.7.6.2.1.1)
    order = np.argsort([float(np.dot(d.ImagePositionPatient, normal)) for d in expected])
    reference = np.stack([apply_modality_lut(expected[i].pixel_array, expected[i])
                          for i in order])
    for s in (first, pooled, serial):
        assert s.pixels.dtype == serial.pixels.dtype and s.lossy_compression
        assert np.array_equal(s.pixels, reference)
    assert not np.array_equal(serial.pixels, original[order])  # lossy: not the original


class _BrokenPool(Executor):
    """A pool whose worker died: every submit raises as ProcessPoolExecutor then does."""

    def submit(self, fn, /, *args, **kwargs):
        raise BrokenProcessPool("a worker process ended abruptly")


def test_a_broken_pool_is_dropped_and_the_series_decoded_here(tmp_path):
    from pydicom.uid import JPEG2000Lossless

    datasets, _ = phantom.make_series(seed=6, n_slices=4)
    for ds in datasets:
        ds.compress(JPEG2000Lossless)
    paths = phantom.write_series(datasets, tmp_path / "VBQ-011")
    study = read_worklist(tmp_path / "VBQ-011")[0]
    broken = parallel_module._Starting(pool=_BrokenPool())
    broken.ready.set()
    parallel_module._POOLS[5] = broken
    try:
        s = study.load(workers=5)
        assert np.array_equal(s.pixels, load_series(paths).pixels)
        assert parallel_module._POOLS.get(5) is not broken  # the next load starts a new pool
    finally:
        parallel_module._POOLS.pop(5, None)


_FIRST_LOAD_THEN_EXIT = """
import sys
import numpy as np
from vbq.imaging import read_worklist
s = read_worklist(sys.argv[1])[0].load()
print(s.n_slices, float(np.asarray(s.pixels, dtype=np.float64).sum()))
"""


def test_a_first_load_then_exit_is_clean_while_the_workers_start(tmp_path):
    # the pool starts in the background on the first load, which decodes in this process
    # meanwhile; a process that exits then waits for the workers to start and stops them
    # (a worker half started as its parent exits printed a traceback about a lost semaphore)
    from pydicom.uid import JPEG2000Lossless

    datasets, _ = phantom.make_series(seed=7, n_slices=3)
    for ds in datasets:
        ds.compress(JPEG2000Lossless)
    paths = phantom.write_series(datasets, tmp_path / "VBQ-012")
    done = subprocess.run([sys.executable, "-c", _FIRST_LOAD_THEN_EXIT,
                           str(tmp_path / "VBQ-012")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    reference = load_series(paths).pixels
    assert done.stdout.split() == [str(len(paths)),
                                   str(float(np.asarray(reference, dtype=np.float64).sum()))]
