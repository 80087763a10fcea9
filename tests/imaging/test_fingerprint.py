"""The series fingerprint is keyed (issue 17): HMAC-SHA-256 with the installation's secret, so
that someone holding a study's UIDs but not the key cannot link a stored reading to it."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from vbq import phantom
from vbq.errors import InputError
from vbq.imaging import load_series

KEY_A = "a1" * 32
KEY_B = "b2" * 32


@pytest.fixture(scope="module")
def raw():
    datasets, _ = phantom.make_series(seed=0, n_slices=3)
    uids = (str(datasets[0].StudyInstanceUID), str(datasets[0].SeriesInstanceUID))
    return phantom.series_bytes(datasets), uids


def test_same_key_same_fingerprint_other_key_another(raw, monkeypatch):
    files, _ = raw
    monkeypatch.setenv("VBQ_SECRET", KEY_A)
    first = load_series(files).fingerprint
    assert load_series(list(reversed(files))).fingerprint == first
    monkeypatch.setenv("VBQ_SECRET", KEY_B)
    assert load_series(files).fingerprint != first


def test_the_key_made_in_the_data_folder_is_kept(raw, monkeypatch, tmp_path):
    files, _ = raw
    monkeypatch.delenv("VBQ_SECRET", raising=False)
    monkeypatch.setenv("VBQ_DATA_DIR", str(tmp_path / "one"))
    first = load_series(files).fingerprint
    assert load_series(files).fingerprint == first  # the key file is made once and reused
    assert (tmp_path / "one" / "secret.key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("VBQ_DATA_DIR", str(tmp_path / "two"))  # another installation
    assert load_series(files).fingerprint != first


def test_the_uids_alone_do_not_give_the_fingerprint(raw, monkeypatch):
    files, (study_uid, series_uid) = raw
    monkeypatch.setenv("VBQ_SECRET", KEY_A)
    fp = load_series(files).fingerprint
    uids = study_uid.encode() + b"\x00" + series_uid.encode()
    unkeyed = {
        hashlib.sha256(b"vbq-explorer series fingerprint v1\x00" + uids).hexdigest(),  # main's
        hashlib.sha256(uids).hexdigest(),
        hashlib.sha256(series_uid.encode()).hexdigest(),
    }
    assert fp not in unkeyed and len(fp) == 64
    # RFC 2104 HMAC-SHA-256 of the documented message, with the key: the construction itself
    message = b"vbq-explorer series fingerprint v2 hmac-sha256\x00" + uids
    assert fp == hmac.new(bytes.fromhex(KEY_A), message, hashlib.sha256).hexdigest()


def test_a_bad_key_is_named_not_a_traceback(raw, monkeypatch):
    files, _ = raw
    monkeypatch.setenv("VBQ_SECRET", "not hexadecimal")
    with pytest.raises(InputError, match="VBQ_SECRET"):
        load_series(files)
