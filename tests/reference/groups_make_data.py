"""Write tests/reference/groups_cohort.csv: the seeded cohort groups_reference.R and test_groups.py read.

Run once from the repository root: ``.venv/bin/python tests/reference/groups_make_data.py``.
A synthetic cohort with the prepared table's columns (``patient_id, age, sex, group, vbq, hu_l1,
bmi, diagnosis, modic_type, modic_levels, modic_grade``); a few values are blanked so missing-row
handling is exercised; diagnosis has a rare level (scoliosis) so Fisher's test is triggered.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20230257)
n = 120
group = np.where(rng.random(n) < 0.45, "degenerative", "control")
deg = group == "degenerative"
age = np.round(rng.normal(59.4, 7.8, n) + 2.4 * deg, 1)
sex = np.where(rng.random(n) < np.where(deg, 0.485, 0.723), "F", "M")
vbq = np.round(2.2 + 0.01 * age + 0.12 * deg + rng.normal(0, 0.45, n), 3)
hu = np.round(250 - 2.0 * age - 18 * deg + rng.normal(0, 30, n), 0)
bmi = np.round(rng.normal(24, 3.1, n), 1)
diagnosis = rng.choice(
    ["stenosis", "disc_herniation", "spondylolisthesis", "scoliosis"], n, p=[0.6, 0.2, 0.15, 0.05]
)
has_modic = rng.random(n) < 0.45
mtype = np.where(has_modic, rng.choice(["1", "2", "3", "mixed"], n, p=[0.07, 0.75, 0.08, 0.1]), "none")
levels = np.where(has_modic, rng.choice([1, 2, 3, 4], n, p=[0.45, 0.3, 0.2, 0.05]), 0)
grade = np.where(has_modic, rng.choice(["A", "B", "C"], n, p=[0.7, 0.2, 0.1]), "")
frame = pd.DataFrame(
    {
        "patient_id": [f"P{i:03d}" for i in range(n)],
        "age": age,
        "sex": sex,
        "group": group,
        "vbq": vbq,
        "hu_l1": hu,
        "bmi": bmi,
        "diagnosis": diagnosis,
        "modic_type": mtype,
        "modic_levels": levels,
        "modic_grade": grade,
    }
)
frame.loc[[3, 17, 40], "vbq"] = np.nan
frame.loc[[8, 17], "age"] = np.nan
frame.loc[[25], "sex"] = np.nan
frame.loc[[55], "bmi"] = np.nan
frame.to_csv(Path(__file__).with_name("groups_cohort.csv"), index=False)
