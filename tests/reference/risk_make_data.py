"""Write tests/reference/risk_data.csv and risk_boot_indices.csv: the seeded cohort and the
bootstrap resamples that risk_reference.R and tests/stats/test_risk.py both read.

Run once from the repository root: ``.venv/bin/python tests/reference/risk_make_data.py``.
Columns of risk_data.csv: ``y`` (1 = osteoporosis by DXA), ``vbq`` (2 decimals: some ties),
``age`` (whole years), ``sex`` (F / M) and ``hu`` (L1 HU, integers). risk_boot_indices.csv has
one resample a line: 0-based row numbers drawn by `vbq.stats.risk._bootstrap_indices` (the very
function `risk_model` draws its resamples with), n_boot = 200, seed = 11, so that R refits the
model on exactly the resamples Python used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vbq.stats.risk import _bootstrap_indices

HERE = Path(__file__).parent
N, N_BOOT, SEED = 200, 200, 11

rng = np.random.default_rng(20240420)
age = np.round(rng.uniform(45, 85, N)).astype(int)
sex = np.where(rng.random(N) < 0.6, "F", "M")
vbq = np.round(2.8 + 0.012 * (age - 60) + rng.normal(0, 0.45, N), 2)
hu = np.round(200 - 1.3 * age - 20 * (vbq - 2.8) + rng.normal(0, 25, N)).astype(int)
eta = -0.9 + 1.6 * (vbq - 2.8) + 0.05 * (age - 65) - 0.6 * (sex == "M")
y = (rng.random(N) < 1 / (1 + np.exp(-eta))).astype(int)
pd.DataFrame({"y": y, "vbq": vbq, "age": age, "sex": sex, "hu": hu}).to_csv(
    HERE / "risk_data.csv", index=False)
np.savetxt(HERE / "risk_boot_indices.csv", _bootstrap_indices(N, N_BOOT, SEED), fmt="%d",
           delimiter=",")
