"""Write the seeded data that agreement_icc.R, agreement_kappa.R and test_agreement.py all read.

Run once from the repository root: ``.venv/bin/python tests/reference/agreement_make_data.py``.

Files written beside this script:

- ``agreement_icc_shrout_fleiss.csv``: the Shrout & Fleiss (1979) Table 2 example in long format
  (6 targets x 4 judges; columns ``target, judge, rating``).
- ``agreement_icc_vbq.csv``: 100 simulated patients (like the paper's 100-patient reliability
  study) in wide format: ``patient_id, vbq, vbq_repeat, vbq_obs2`` (VBQ to 3 decimals). Three
  patients have no ``vbq_obs2`` (empty cells), to test the reporting of incomplete targets.
- ``agreement_kappa_binary.csv``: degenerative grouping ``yes``/``no`` by observer 1
  (``degenerative``) and observer 2 (``degenerative_obs2``) for 100 patients; 9 disagreements,
  so kappa is about 0.82 as in the paper.
- ``agreement_kappa_ordinal.csv``: a 4-level ordinal grade (UCLA disc-space grade 1-4) of 120
  vertebrae by two observers (``ucla``, ``ucla_obs2``); three ``ucla_obs2`` cells are empty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
rng = np.random.default_rng(20230257)

# Shrout & Fleiss (1979), Table 2: rows are targets 1-6, columns judges 1-4.
sf = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
pd.DataFrame(
    {
        "target": np.repeat(np.arange(1, 7), 4),
        "judge": np.tile(np.arange(1, 5), 6),
        "rating": sf.ravel(),
    }
).to_csv(HERE / "agreement_icc_shrout_fleiss.csv", index=False)

# VBQ reliability: true score plus rater error; observer 2 reads 0.03 higher on average.
n = 100
true = rng.normal(2.85, 0.5, size=n)
vbq = true + rng.normal(0, 0.21, size=n)
vbq_repeat = true + rng.normal(0, 0.21, size=n)
vbq_obs2 = true + 0.03 + rng.normal(0, 0.22, size=n)
icc = pd.DataFrame(
    {
        "patient_id": [f"P{i:03d}" for i in range(1, n + 1)],
        "vbq": np.round(vbq, 3),
        "vbq_repeat": np.round(vbq_repeat, 3),
        "vbq_obs2": np.round(vbq_obs2, 3),
    }
)
icc.loc[[16, 53, 87], "vbq_obs2"] = np.nan
icc.to_csv(HERE / "agreement_icc_vbq.csv", index=False)

# Binary degenerative grouping: 43% degenerative (101/235 in the paper), 9 flipped by observer 2.
deg = rng.random(n) < 0.43
deg2 = deg.copy()
flip = rng.choice(n, size=9, replace=False)
deg2[flip] = ~deg2[flip]
pd.DataFrame(
    {
        "patient_id": [f"P{i:03d}" for i in range(1, n + 1)],
        "degenerative": np.where(deg, "yes", "no"),
        "degenerative_obs2": np.where(deg2, "yes", "no"),
    }
).to_csv(HERE / "agreement_kappa_binary.csv", index=False)

# Ordinal 4-level grade: observer 2 mostly agrees, sometimes one grade off, rarely two.
m = 120
ucla = rng.choice([1, 2, 3, 4], size=m, p=[0.3, 0.35, 0.25, 0.1])
step = rng.choice([-2, -1, 0, 1, 2], size=m, p=[0.03, 0.12, 0.7, 0.12, 0.03])
ucla2 = np.clip(ucla + step, 1, 4).astype(float)
ucla2[[5, 40, 99]] = np.nan
pd.DataFrame(
    {
        "vertebra_id": [f"V{i:03d}" for i in range(1, m + 1)],
        "ucla": ucla,
        "ucla_obs2": pd.array(ucla2, dtype="Int64"),
    }
).to_csv(HERE / "agreement_kappa_ordinal.csv", index=False)
