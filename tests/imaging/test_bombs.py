"""Hostile DICOM is refused before memory is spent (issue 18): each input the issue names is
built here by seeded code (never committed), written to a scratch file, and read in a fresh
child process through the function the MRI page reads uploads with, as an upload (a named
in-memory file). The child reports how long the read took and its peak resident memory
(``ru_maxrss``) above its own baseline after imports and a warm-up read.

The bounds (1 s, 300 MB) are correctness limits of a refusal, orders of magnitude from the
failure they catch (at d0f136a these inputs took 1 GB to 7 GiB, or raised MemoryError and
RecursionError), not speed figures.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import subprocess
import sys
import zlib

import numpy as np
import pydicom
import pytest
from pydicom.uid import DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian

from vbq import phantom
from vbq.imaging import load_study

MAX_SECONDS = 1.0
MAX_PEAK_MB = 300
BLOCK = 16 * 1024**2  # zeros are deflated a block at a time, the block's stream repeated

# the child: imports, a warm-up read (pydicom loads its readers on first use), the baseline,
# then the file read as the MRI page reads an upload (ui/measure.py: uploaded_study)
CHILD = r"""
import io, json, resource, sys, time
import vbq
from vbq import imaging, phantom
imaging.load_study(phantom.series_bytes(phantom.make_series(seed=0, n_slices=3)[0]))
path, name = sys.argv[1], sys.argv[2]
with open(path, "rb") as fh:
    upload = io.BytesIO(fh.read())  # Streamlit's UploadedFile is a BytesIO with a name
upload.name = name
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    study = imaging.load_study([upload], progress=lambda done, total: None)
    outcome, message = "loaded", "; ".join(str(p) for p in study.problems)
except vbq.InputError as exc:
    outcome, message = "refused", str(exc)
seconds = time.perf_counter() - start
peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps({"outcome": outcome, "message": message, "seconds": seconds,
                  "peak_mb": peak_mb}))
"""


def _read_in_child(path, name: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), name], cwd=path.parent,
                          capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- building the inputs, in little memory -------------------------------------------------


@functools.cache
def _zero_block() -> bytes:
    """A raw deflate stream of BLOCK zero bytes ending on a full flush: byte-aligned, not
    final and referring to nothing before it, so copies of it can follow one another."""
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return z.compress(bytes(BLOCK)) + z.flush(zlib.Z_FULL_FLUSH)


def _deflate(parts: list[bytes | int]) -> bytes:
    """Raw deflate of the concatenation of `parts` (bytes, or an int: that many zero bytes),
    without ever holding the zeros: each part is its own run of full-flushed blocks."""
    out = []
    for part in parts:
        if isinstance(part, int):
            out.append(_zero_block() * (part // BLOCK))
            part = bytes(part % BLOCK)
        z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        out.append(z.compress(part) + z.flush(zlib.Z_FULL_FLUSH))
    return b"".join(out) + b"\x03\x00"  # a final, empty fixed-Huffman block


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector, i = vector >> 1, i + 1
    return total


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """crc32(a + b) from crc32(a), crc32(b) and len(b): zlib's crc32_combine (Python's zlib
    does not expose it), so the CRC of gigabytes of zeros needs no gigabytes."""
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = [_gf2_times(odd, odd[n]) for n in range(32)]
    odd = [_gf2_times(even, even[n]) for n in range(32)]
    while len2:
        even = [_gf2_times(odd, odd[n]) for n in range(32)]
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = [_gf2_times(even, even[n]) for n in range(32)]
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
    return crc1 ^ crc2


def _crc32_zeros(n: int) -> int:
    """crc32 of n zero bytes (n a multiple of 4096), by doubling."""
    crc, block, size, k = 0, zlib.crc32(bytes(4096)), 4096, n // 4096
    while k:
        if k & 1:
            crc = _crc32_combine(crc, block, size)
        block, size, k = _crc32_combine(block, block, size), size * 2, k >> 1
    return crc


def _crc32(parts: list[bytes | int]) -> int:
    crc = 0
    for part in parts:
        if isinstance(part, int):
            aligned = part - part % 4096
            crc = _crc32_combine(crc, _crc32_zeros(aligned), aligned)
            part = bytes(part % 4096)
        crc = zlib.crc32(part, crc)
    return crc


def test_the_crc_of_parts_is_zlibs():
    parts = [b"head", 3 * 4096 + 17, b"tail", 8192]
    whole = b"head" + bytes(3 * 4096 + 17) + b"tail" + bytes(8192)
    assert _crc32(parts) == zlib.crc32(whole)
    assert zlib.decompress(_deflate([b"x", 5, b"y"]), -zlib.MAX_WBITS) == b"x" + bytes(5) + b"y"


def _element(group: int, element: int, vr: bytes, length: int) -> bytes:
    """An explicit VR little endian element header with a 4-byte length (OB, OW)."""
    return (group.to_bytes(2, "little") + element.to_bytes(2, "little") + vr + b"\x00\x00"
            + length.to_bytes(4, "little"))


def _slice(seed: int = 0):
    return copy.deepcopy(phantom.make_series(seed=seed, n_slices=3)[0][0])


def _without_pixels(ds, syntax) -> tuple[bytes, bytes]:
    """(preamble and file meta, data set without Pixel Data, uncompressed) of `ds`."""
    ds = copy.deepcopy(ds)
    del ds.PixelData
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    data = buf.getvalue()
    end = 144 + int.from_bytes(data[140:144], "little")
    meta = copy.deepcopy(ds.file_meta)
    meta.TransferSyntaxUID = syntax
    head = io.BytesIO()
    head.write(b"\x00" * 128 + b"DICM")
    pydicom.filewriter.write_file_meta_info(head, meta, enforce_standard=True)
    return head.getvalue(), data[end:]


def _multiframe(ds, rows: int, cols: int, frames: int, bits: int):
    ds = copy.deepcopy(ds)
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, cols, frames
    ds.BitsAllocated = ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    return ds


def deflated_zeros(frames: int) -> bytes:
    """Deflated Explicit VR Little Endian, 1024 x 1024 x `frames` 16-bit frames of zeros."""
    ds = _multiframe(_slice(), 1024, 1024, frames, 16)
    head, body = _without_pixels(ds, DeflatedExplicitVRLittleEndian)
    n = 1024 * 1024 * frames * 2
    return head + _deflate([body + _element(0x7FE0, 0x0010, b"OW", n), n])


def deflated_private_tag(size: int) -> bytes:
    """A deflated 256 x 256 slice carrying a private tag of `size` zero bytes before its pixels
    (private group 7FDF, the last before Pixel Data, so the order of tags is kept)."""
    ds = _slice()
    head, body = _without_pixels(ds, DeflatedExplicitVRLittleEndian)
    creator = b"\xdf\x7f\x10\x00LO\x04\x00BOMB"
    pixels = ds.PixelData
    return head + _deflate([body + creator + _element(0x7FDF, 0x1010, b"OB", size), size,
                            _element(0x7FE0, 0x0010, b"OW", len(pixels)) + pixels])


def zipped_8bit(frames: int, intercept: float | None = None) -> bytes:
    """A zip (deflated, one member) of an uncompressed 8-bit 1024 x 1024 x `frames` image (with
    the phantom's rescale, or `intercept` and a slope of 1)."""
    ds = _multiframe(_slice(), 1024, 1024, frames, 8)
    if intercept is not None:
        ds.RescaleSlope, ds.RescaleIntercept = 1, intercept
    head, body = _without_pixels(ds, ExplicitVRLittleEndian)
    n = 1024 * 1024 * frames
    parts: list[bytes | int] = [head + body + _element(0x7FE0, 0x0010, b"OB", n), n]
    size = len(parts[0]) + n
    assert size < 2**32 - 1  # no zip64 needed
    packed, crc, name = _deflate(parts), _crc32(parts), b"frames.dcm"
    fields = (b"\x14\x00\x00\x00\x08\x00\x00\x00\x21\x00" + crc.to_bytes(4, "little")
              + len(packed).to_bytes(4, "little") + size.to_bytes(4, "little")
              + len(name).to_bytes(2, "little") + b"\x00\x00")
    local = b"PK\x03\x04" + fields + name
    central = (b"PK\x01\x02\x14\x00" + fields + b"\x00\x00\x00\x00\x00\x00" + b"\x00" * 4
               + (0).to_bytes(4, "little") + name)
    at = len(local) + len(packed)
    end = (b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00" + len(central).to_bytes(4, "little")
           + at.to_bytes(4, "little") + b"\x00\x00")
    return local + packed + central + end


def _nested_sequence(depth: int) -> bytes:
    """(0008,0006) Language Code Sequence holding itself `depth` deep, undefined lengths."""
    sq = b"\x08\x00\x06\x00SQ\x00\x00\xff\xff\xff\xff"
    item = b"\xfe\xff\x00\xe0\xff\xff\xff\xff"
    item_end = b"\xfe\xff\x0d\xe0\x00\x00\x00\x00"
    seq_end = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
    return (sq + item) * depth + (item_end + seq_end) * depth


def _saved(ds) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def nested(depth: int) -> bytes:
    data = _saved(_slice())
    charset = b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100"
    at = data.index(charset) + len(charset)
    return data[:at] + _nested_sequence(depth) + data[at:]


def spaced(spacing: list[float]) -> bytes:
    ds = _slice()
    ds.PixelSpacing = spacing
    return _saved(ds)


BUDGET = "of the 512 MiB one load may use"
SPACING = "expected 0.01 to 20 mm"
BOMBS = {
    # name: (how to build it, the size the issue names (bytes, within 25 %), the limit named)
    "deflated-128-frames.dcm": (lambda: deflated_zeros(128), 262_000, BUDGET),
    "deflated-512-frames.dcm": (lambda: deflated_zeros(512), 1_000_000, BUDGET),
    "frames-8bit-523k.zip": (lambda: zipped_8bit(512), 523_000, BUDGET),
    "frames-8bit-1900k.zip": (lambda: zipped_8bit(1900), 1_900_000, BUDGET),
    "private-512mb.dcm": (lambda: deflated_private_tag(512 * 1024**2), 523_000, BUDGET),
    "nested-20000.dcm": (lambda: nested(20_000), 852_000, "more than 64 levels"),
    "spacing-0.002.dcm": (lambda: spaced([0.002, 0.002]), None, SPACING),
    "spacing-0.0001.dcm": (lambda: spaced([0.0001, 0.0001]), None, SPACING),
    "spacing-0.dcm": (lambda: spaced([0, 0]), None, SPACING),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_hostile_file_is_refused_in_little_time_and_memory(name, tmp_path):
    build, issue_size, limit = BOMBS[name]
    data = build()
    if issue_size is not None:  # the input the issue describes, not a kinder one
        assert 0.75 * issue_size < len(data) < 1.25 * issue_size, len(data)
    path = tmp_path / name
    path.write_bytes(data)
    del data
    got = _read_in_child(path, name)
    print(name, len(path.read_bytes()), got)
    assert got["outcome"] == "refused", got
    assert name in got["message"] and limit in got["message"], got["message"]
    assert got["seconds"] < MAX_SECONDS, got
    assert got["peak_mb"] < MAX_PEAK_MB, got


def test_the_same_shapes_within_the_budget_load_with_every_value():
    """The checks refuse by size, not by kind: a small deflated multi-frame image and a small
    zipped 8-bit one, built the same way, load with the values written."""
    intercept = float(_slice().RescaleIntercept)  # stored zeros, through the modality LUT
    study = load_study([io.BytesIO(deflated_zeros(2))])
    assert study[0].shape == (2, 1024, 1024) and np.all(study[0].pixels == intercept)
    study = load_study([io.BytesIO(zipped_8bit(3))])
    assert study[0].shape == (3, 1024, 1024) and np.all(study[0].pixels == intercept)
