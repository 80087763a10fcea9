"""Compressed transfer syntaxes on the phantom: each decodes (through pydicom's plugins) to the
pixels of the uncompressed files, with the rescale applied; lossy ones are flagged.

RLE and JPEG 2000 are encoded by pydicom's own encoders; JPEG baseline by Pillow; JPEG lossless
(process 14, selection value 1), for which no installed package has an encoder, by the minimal
encoder below, written from ITU-T T.81 Annex H.
"""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest
from pydicom.encaps import encapsulate
from pydicom.pixels import apply_modality_lut, get_encoder
from pydicom.uid import (
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLosslessSV1,
    RLELossless,
)

from vbq import phantom
from vbq.imaging import load_series


@pytest.fixture(scope="module")
def small():
    datasets, _ = phantom.make_series(seed=2, n_slices=3)
    expected = np.stack([apply_modality_lut(d.pixel_array, d) for d in datasets])
    return datasets, expected


def _encapsulated(datasets, syntax, frames):
    out = []
    for ds, frame in zip(datasets, frames, strict=True):
        ds = copy.deepcopy(ds)
        ds.file_meta.TransferSyntaxUID = syntax
        ds.PixelData = encapsulate([frame])
        ds["PixelData"].VR = "OB"
        out.append(ds)
    return phantom.series_bytes(out)


@pytest.mark.parametrize("syntax", [RLELossless, JPEG2000Lossless])
def test_pydicom_encoded_lossless_series(small, syntax):
    datasets, expected = small
    if not get_encoder(syntax).is_available:
        pytest.fail(f"no encoder for {syntax.name}: requirements.txt pins pylibjpeg")
    compressed = [copy.deepcopy(d) for d in datasets]
    for d in compressed:
        d.compress(syntax)
    s = load_series(phantom.series_bytes(compressed))
    assert np.array_equal(s.pixels, expected)
    assert s.transfer_syntaxes == (syntax.name,) and not s.lossy_compression


def _jpeg_lossless_sv1(image: np.ndarray, precision: int) -> bytes:
    """JPEG lossless, predictor 1, one component, one Huffman table (all 17 categories 5 bits)."""
    rows, cols = image.shape
    x = image.astype(np.int64)
    pred = np.empty_like(x)
    pred[0, 0] = 1 << (precision - 1)
    pred[0, 1:] = x[0, :-1]  # first line: left neighbour
    pred[1:, 0] = x[:-1, 0]  # first column: the sample above
    pred[1:, 1:] = x[1:, :-1]  # SV1: left neighbour
    diffs = ((x - pred) % 65536).ravel()
    bits = []
    for d in diffs.tolist():
        if d == 32768:
            bits.append(format(16, "05b"))
            continue
        d = d - 65536 if d > 32768 else d
        cat = abs(d).bit_length()
        bits.append(format(cat, "05b"))
        if cat:
            extra = d if d > 0 else d + (1 << cat) - 1
            bits.append(format(extra, f"0{cat}b"))
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)
    data = bytearray()
    for i in range(0, len(stream), 8):
        byte = int(stream[i:i + 8], 2)
        data.append(byte)
        if byte == 0xFF:
            data.append(0x00)  # byte stuffing
    counts = [0] * 16
    counts[4] = 17  # 17 codes of length 5: categories 0-16
    sof = bytes([0xFF, 0xC3, 0, 11, precision]) + rows.to_bytes(2, "big") + \
        cols.to_bytes(2, "big") + bytes([1, 1, 0x11, 0])
    dht = bytes([0xFF, 0xC4]) + (3 + 16 + 17).to_bytes(2, "big") + bytes([0x00]) + \
        bytes(counts) + bytes(range(17))
    sos = bytes([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0])
    return b"\xff\xd8" + sof + dht + sos + bytes(data) + b"\xff\xd9"


def test_jpeg_lossless_process_14(small):
    datasets, expected = small
    frames = [_jpeg_lossless_sv1(d.pixel_array, int(d.BitsStored)) for d in datasets]
    s = load_series(_encapsulated(datasets, JPEGLosslessSV1, frames))
    assert np.array_equal(s.pixels, expected)
    assert "JPEG Lossless" in s.transfer_syntaxes[0] and not s.lossy_compression


def test_jpeg_baseline_is_decoded_and_flagged_lossy(small):
    from PIL import Image

    datasets, _ = small
    eight = []
    frames = []
    for d in datasets:
        d = copy.deepcopy(d)
        img8 = (d.pixel_array >> 4).astype(np.uint8)  # 12 -> 8 bits for baseline JPEG
        d.BitsAllocated, d.BitsStored, d.HighBit = 8, 8, 7
        d.PixelData = img8.tobytes()
        buf = io.BytesIO()
        Image.fromarray(img8).save(buf, format="JPEG", quality=95)
        frames.append(buf.getvalue())
        eight.append(d)
    s = load_series(_encapsulated(eight, JPEGBaseline8Bit, frames))
    original = np.stack([apply_modality_lut(d.pixel_array, d) for d in eight])
    assert s.lossy_compression and s.has_flag("lossy_compression")
    slope = float(eight[0].RescaleSlope)
    # baseline JPEG at quality 95: close to the original, not equal
    err = np.abs(s.pixels - original) / slope
    assert err.mean() < 2 and not np.array_equal(s.pixels, original)
