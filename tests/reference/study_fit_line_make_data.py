"""Write tests/reference/study_fit_line.csv: the seeded data that study_fit_line.R and
tests/test_study.py both read.

Run once from the repository root: ``.venv/bin/python tests/reference/study_fit_line_make_data.py``.
Columns: ``x`` (VBQ-like, 2 decimals) and ``y`` (BMD-like, 3 decimals, falling with x); 30 rows,
the 4th with a missing x so the line is fitted on 29 complete pairs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(2023257)
n = 30
x = np.round(rng.uniform(1.5, 3.5, n), 2)
y = np.round(1.9 - 0.3 * x + rng.normal(scale=0.06, size=n), 3)
frame = pd.DataFrame({"x": x, "y": y})
frame.loc[3, "x"] = np.nan
frame.to_csv(Path(__file__).with_name("study_fit_line.csv"), index=False)
