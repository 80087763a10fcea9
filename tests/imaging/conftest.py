"""Shared fixtures: the phantom as datasets and as Part 10 bytes."""

from __future__ import annotations

import pytest

from vbq import phantom


@pytest.fixture(scope="module")
def phantom_series():
    return phantom.make_series(seed=0)


@pytest.fixture
def phantom_bytes(phantom_series):
    return phantom.series_bytes(phantom_series[0])
