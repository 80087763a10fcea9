"""Memory is bounded before it is spent (issue 18, the reading path): a file's Rows x Columns x
frames and a deflated file's inflated size are checked against the load's budget before
anything is allocated; implausible Pixel Spacing and Rescale Slope are refused with the tag
named; `roi_stats` evaluates no more than the image whatever the radius and spacing; sequences
nested too deep are a named problem, not a RecursionError."""

from __future__ import annotations

import copy
import io
import math
import time
import tracemalloc

import numpy as np
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian, RLELossless

from vbq import phantom
from vbq.errors import InputError
from vbq.imaging import RoiOutsideImageError, load_series, load_study, roi_stats


def _bytes(ds) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


@pytest.fixture(scope="module")
def slices():
    return phantom.make_series(seed=0, n_slices=3)[0]


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_a_header_claiming_gigabytes_is_refused_before_decoding(slices):
    ds = copy.deepcopy(slices[0])
    ds.Rows, ds.Columns, ds.NumberOfFrames = 4096, 4096, 512  # 8 GiB as float32
    ds.file_meta.TransferSyntaxUID = RLELossless
    ds.PixelData = encapsulate([b"\x00" * 64] * 4)
    start = time.perf_counter()
    study = load_study([_named(_bytes(ds), "huge.dcm"), *phantom.series_bytes(slices)])
    assert time.perf_counter() - start < 5
    (problem,) = [p for p in study.problems if p.file == "huge.dcm"]
    assert problem.message.startswith("4096 x 4096 pixels x 512 frame(s) would need 49,152 MiB")
    assert "of the 512 MiB one load may use" in problem.message
    assert study[0].n_slices == 3  # the rest of the series is read


def test_the_budget_counts_every_file_of_a_load(slices):
    raw = phantom.series_bytes(slices)  # 256 x 256 x 16-bit: 384 KiB each with float32
    study = load_study(raw, max_pixel_bytes=800 * 1024)
    assert study[0].n_slices == 2
    assert ["more than the" in p.message for p in study.problems] == [True]
    with pytest.raises(InputError, match="max_pixel_bytes"):
        load_study(raw, max_pixel_bytes=0)


def test_a_deflated_bomb_is_refused_before_it_is_inflated(slices):
    ds = copy.deepcopy(slices[0])
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.add_new(0x00291010, "OB", b"\x00" * (16 * 1024**2))  # a private tag of 16 MiB zeros
    ds.add_new(0x00290010, "LO", "BOMB")
    data = _bytes(ds)
    assert len(data) < 100_000
    tracemalloc.start()
    study = load_study([_named(data, "bomb.dcm"), *phantom.series_bytes(slices[1:])],
                       max_pixel_bytes=4 * 1024**2)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    (problem,) = [p for p in study.problems if p.file == "bomb.dcm"]
    assert problem.message.startswith("the deflated data set (16 MiB once inflated) would need")
    assert peak < 8 * 1024**2  # never inflated whole
    # a deflated file within the budget reads as the same pixels
    plain = copy.deepcopy(slices[0])
    plain.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    small = load_series(_bytes(plain))
    assert np.array_equal(small.pixels[0], load_series(_bytes(slices[0])).pixels[0])


@pytest.mark.parametrize("spacing, shown", [
    ([0.0, 0.0], "0\\0"), ([0.0001, 0.0001], "0.0001\\0.0001"), ([1.0, 500.0], "1\\500")])
def test_implausible_pixel_spacing_is_refused_with_the_tag_named(slices, spacing, shown):
    bad = [copy.deepcopy(d) for d in slices]
    for d in bad:
        d.PixelSpacing = spacing
    with pytest.raises(InputError) as err:
        load_series(phantom.series_bytes(bad))
    assert f"(0028,0030) Pixel Spacing {shown} mm is not plausible" in str(err.value)


def test_a_rescale_slope_of_zero_is_refused_with_the_tag_named(slices):
    bad = [copy.deepcopy(d) for d in slices]
    bad[0].RescaleSlope = 0
    s = load_series(phantom.series_bytes(bad))
    assert s.n_slices == 2
    assert any("(0028,1053) Rescale Slope 0 is not plausible" in p.message for p in s.problems)


def _nested_sequence(depth: int, implicit: bool = False) -> bytes:
    """(0008,0006) Language Code Sequence holding itself `depth` deep, undefined lengths."""
    sq = b"\x08\x00\x06\x00" + (b"" if implicit else b"SQ\x00\x00") + b"\xff\xff\xff\xff"
    item = b"\xfe\xff\x00\xe0\xff\xff\xff\xff"
    item_end = b"\xfe\xff\x0d\xe0\x00\x00\x00\x00"
    seq_end = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
    return (sq + item) * depth + (item_end + seq_end) * depth


def test_sequences_nested_too_deep_are_named_not_a_recursion_error(slices):
    data = _bytes(slices[0])
    charset = b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100"
    at = data.index(charset) + len(charset)
    deep = data[:at] + _nested_sequence(20_000) + data[at:]
    study = load_study([_named(deep, "deep.dcm"), *phantom.series_bytes(slices[1:])])
    (problem,) = [p for p in study.problems if p.file == "deep.dcm"]
    assert "nested more than 64 levels deep" in problem.message


@pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"])
def test_the_nesting_limit_is_64_levels_in_either_vr_encoding(slices, syntax):
    """64 levels read (pydicom recurses once a level and fails between 100 and 200), 65 are
    refused before pydicom is called; implicit VR files are walked by their lengths."""
    ds = copy.deepcopy(slices[0])
    ds.file_meta.TransferSyntaxUID = UID(syntax)
    data = _bytes(ds)
    at = data.index(b"\x08\x00\x05\x00") + 8 + 10  # after (0008,0005) "ISO_IR 100"
    for depth, refused in ((64, False), (65, True)):
        nested = _nested_sequence(depth, implicit=syntax == "1.2.840.10008.1.2")
        study = load_study([_named(data[:at] + nested + data[at:], "deep.dcm"),
                            *phantom.series_bytes(slices[1:])])
        problems = [p.message for p in study.problems if p.file == "deep.dcm"]
        assert bool(problems) is refused, problems
        assert study[0].n_slices == 2 + (not refused)


def test_an_roi_on_a_tiny_spacing_costs_no_more_than_the_image():
    image = np.zeros((512, 512), dtype=np.float32)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(RoiOutsideImageError):
        roi_stats(image, (0.0001, 0.0001), (256, 256), 8.0)  # 160,000 px: 100 GB as a box
    with pytest.raises(RoiOutsideImageError):
        roi_stats(image, (1e-300, 1e-300), (256, 256), 8.0)  # an infinite half-extent
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2 and peak < 16 * 1024**2


def _roi_oracle(image, spacing, centre, radius):
    """Every pixel centre of a grid wide enough to hold the circle: the obvious way."""
    dr, dc = spacing
    r0, c0 = centre
    hr, hc = radius / dr, radius / dc
    ii = np.arange(math.floor(r0 - hr) - 1, math.ceil(r0 + hr) + 2)[:, None]
    jj = np.arange(math.floor(c0 - hc) - 1, math.ceil(c0 + hc) + 2)[None, :]
    inside = ((ii - r0) * dr) ** 2 + ((jj - c0) * dc) ** 2 <= radius * radius
    if not inside.any():
        return "none"
    rows, cols = image.shape
    ok = (ii >= 0) & (ii < rows) & (jj >= 0) & (jj < cols)
    if np.any(inside & ~ok):
        return "outside"
    r, c = np.nonzero(inside)
    values = image[ii[r, 0], jj[0, c]].astype(np.float64)
    return len(values), values.mean()


def test_roi_stats_agrees_with_the_obvious_way_near_every_edge():
    rng = np.random.default_rng(18)
    image = rng.normal(500, 50, (23, 31))
    for _ in range(3000):
        spacing = (rng.choice([0.3, 0.5, 1.0, 1.7]), rng.choice([0.3, 0.5, 1.0, 2.5]))
        centre = (rng.uniform(-3, 26), rng.uniform(-3, 34))
        centre = tuple(round(v * 2) / 2 if rng.random() < 0.3 else v for v in centre)
        radius = float(rng.choice([0.2, 0.5, 1.0, 2.0, 4.0, 9.0]))
        want = _roi_oracle(image, spacing, centre, radius)
        try:
            got = roi_stats(image, spacing, centre, radius)
        except RoiOutsideImageError:
            assert want == "outside", (spacing, centre, radius)
            continue
        except InputError:
            assert want == "none", (spacing, centre, radius)
            continue
        assert (got.n_pixels, got.mean) == pytest.approx(want, rel=1e-12), (spacing, centre)


def test_the_nested_sequence_helper_writes_a_readable_file_at_a_small_depth(slices):
    # so the deep case above fails for its depth, not for a malformed encoding
    data = _bytes(slices[0])
    charset = b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100"
    at = data.index(charset) + len(charset)
    s = load_series(data[:at] + _nested_sequence(3) + data[at:])
    assert s.n_slices == 1 and s.problems == ()
