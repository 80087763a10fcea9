"""Reading a worklist blind (issue 19): when a reading is blind and what it hides, each study's
status for one observer and session, and the recorded seed of a repeat session's order. The
expected values are written out by hand from the rules in the docstrings."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from vbq.errors import InputError
from vbq.measurements import STATUSES, blinding, reading_status, session_seed


@pytest.fixture
def stored():
    # P1 read by AB in session 1 (clean series); P2 read by AB in session 1 on a T1 FLAIR and by
    # CD in session 1; P3 read by CD in session 2 only. Five ROI rows per reading, as stored.
    rows = []
    for pid, obs, sess, flags in (("P1", "AB", 1, None), ("P2", "AB", 1, "not_validated_sequence"),
                                  ("P2", "CD", 1, None), ("P3", "CD", 2, None)):
        rows += [{"patient_id": pid, "observer": obs, "session": sess, "level": lv,
                  "series_flags": flags} for lv in ("L1", "L2", "L3", "L4", "CSF")]
    return pd.DataFrame(rows)


def test_a_second_observer_reads_blind_until_their_reading_is_saved(stored):
    b = blinding(stored, "P1", observer="CD", session=1)
    assert b.blinded and b.hidden == (("AB", 1),)
    assert b.summary().startswith("Blinded: 1 other reading of this patient is hidden")
    after = blinding(stored, "P2", observer="CD", session=1)  # CD's P2 reading is saved
    assert not after.blinded and after.hidden == ()


def test_the_same_observer_reads_blind_in_a_later_session(stored):
    b = blinding(stored, "P2", observer="AB", session=2)
    assert b.blinded and b.hidden == (("AB", 1), ("CD", 1))
    assert "2 other readings of this patient are hidden" in b.summary()


def test_a_first_reading_hides_nothing(stored):
    b = blinding(stored, "P9", observer="AB", session=1)
    assert not b.blinded and b.hidden == ()
    assert not blinding(stored.iloc[:0], "P1", observer="AB", session=1).blinded


def test_an_unnamed_reader_is_blind_to_every_reading(stored):
    assert blinding(stored, "P2", observer="", session=1).hidden == (("AB", 1), ("CD", 1))


def test_status_counts_only_this_observer_and_session(stored):
    assert reading_status(stored, ["P1", "P2", "P3", None], observer="AB", session=1) == [
        "read", "flagged", "not read", "not read"]
    assert reading_status(stored, ["P1", "P2", "P3"], observer="CD", session=1) == [
        "not read", "read", "not read"]
    assert reading_status(stored, ["P1", "P2", "P3"], observer="CD", session=2) == [
        "not read", "not read", "read"]
    assert set(STATUSES) == {"not read", "read", "flagged"}
    with pytest.raises(InputError, match="missing column"):
        reading_status(pd.DataFrame({"x": [1]}), ["P1"], observer="AB", session=1)


def test_the_seed_is_the_documented_hash_of_observer_and_session():
    # SHA-256 written out with hashlib: first 4 bytes, big-endian
    digest = hashlib.sha256(b"vbq-worklist-order\x00AB\x002").digest()
    assert session_seed("AB", 2) == int.from_bytes(digest[:4], "big")
    assert session_seed("AB", 2) != session_seed("CD", 2) != session_seed("CD", 3)
    assert 0 <= session_seed("AB", 2) < 2**32
