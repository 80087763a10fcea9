"""Write tests/reference/prevalence_data.csv, read by prevalence_reference.R and test_prevalence.py.

Run once from the repository root: ``.venv/bin/python tests/reference/prevalence_make_data.py``.
Columns: ``group``, ``age``, ``diagnosis`` (a rare level, so Fisher's test is triggered),
``dxa_status`` and ``vbq_status`` ("normal" / "osteopenia" / "osteoporosis"; a few missing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20230259)
n = 150
group = np.where(rng.random(n) < 0.43, "degenerative", "control")
age = np.round(rng.normal(60, 8, n), 0)
t = rng.normal(-1.1, 1.2, n) + 0.4 * (group == "degenerative")
vbq = 2.6 - 0.25 * t + 0.25 * (group == "degenerative") + rng.normal(0, 0.35, n)
levels = np.array(["normal", "osteopenia", "osteoporosis"])
dxa = levels[np.where(t <= -2.5, 2, np.where(t < -1, 1, 0))]
vbqs = levels[np.where(vbq >= 2.9, 2, np.where(vbq >= 2.6, 1, 0))]
frame = pd.DataFrame(
    {
        "group": group,
        "age": age,
        "diagnosis": rng.choice(
            ["stenosis", "disc_herniation", "spondylolisthesis", "scoliosis"], n,
            p=[0.6, 0.2, 0.15, 0.05],
        ),
        "dxa_status": dxa,
        "vbq_status": vbqs,
    }
)
frame.loc[[7, 70], "dxa_status"] = np.nan
frame.loc[[7, 99, 120], "vbq_status"] = np.nan
frame.to_csv(Path(__file__).with_name("prevalence_data.csv"), index=False)
