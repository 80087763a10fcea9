"""`vbq.figures.bland_altman_figure` draws exactly the numbers of the result it is given."""

from __future__ import annotations

import numpy as np
import pytest

from vbq.figures import bland_altman_figure
from vbq.stats import bland_altman


def test_bland_altman_figure_draws_the_result():
    rng = np.random.default_rng(5)
    a = rng.normal(3.0, 0.5, 40)
    b = a + rng.normal(0.05, 0.1, 40)
    res = bland_altman(a, b)
    fig = bland_altman_figure(res, first="AB/1", second="AB/2")
    lines = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert [t.name.split(" ")[0] for t in lines] == ["Bias", "Lower", "Upper"]
    by_value = sorted(float(t.y[0]) for t in lines)
    assert by_value == pytest.approx(sorted([res.loa_low, res.bias, res.loa_high]), rel=1e-12)
    bands = sorted((min(t.y), max(t.y)) for t in fig.data if t.fill == "toself")
    expected = sorted([res.loa_low_ci, res.bias_ci, res.loa_high_ci])
    assert [tuple(b) for b in bands] == [pytest.approx(e, rel=1e-12) for e in expected]
    points = next(t for t in fig.data if t.name == "Patients")
    assert np.allclose(points.x, (a + b) / 2) and np.allclose(points.y, a - b)
    assert "AB/1 minus AB/2" in fig.layout.yaxis.title.text
