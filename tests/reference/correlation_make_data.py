"""Write tests/reference/correlation_data.csv, read by correlation_reference.R and test_correlation.py.

Run once from the repository root: ``.venv/bin/python tests/reference/correlation_make_data.py``.
Columns: ``vbq``, ``bmd_l1_l4`` (a few missing), ``t_l1_l4`` (rounded to 1 decimal: ties, for
Spearman), ``hu_l1`` and ``group`` (``control`` / ``degenerative``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20230258)
n = 90
group = np.where(rng.random(n) < 0.45, "degenerative", "control")
vbq = np.round(rng.normal(2.85, 0.5, n), 3)
slope = np.where(group == "control", -0.2, -0.12)
bmd = np.round(1.55 + slope * vbq + rng.normal(0, 0.12, n), 3)
frame = pd.DataFrame(
    {
        "vbq": vbq,
        "bmd_l1_l4": bmd,
        "t_l1_l4": np.round((bmd - 1.047) / 0.11 + rng.normal(0, 0.2, n), 1),
        "hu_l1": np.round(300 - 60 * vbq + rng.normal(0, 25, n), 0),
        "group": group,
    }
)
frame.loc[[5, 33, 61], "bmd_l1_l4"] = np.nan
frame.loc[[12], "vbq"] = np.nan
frame.to_csv(Path(__file__).with_name("correlation_data.csv"), index=False)
