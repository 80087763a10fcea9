"""Small hand-made cohort and DXA tables for unit tests (independent of the demo generator)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vbq.schema import LEVELS


def make_tables(n: int = 12, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A canonical cohort of `n` patients: the first half meet the paper's degenerative rule at
    L1-L3 (facet grade 2), the rest have no degenerative vertebra. SIs give VBQ near 3."""
    rng = np.random.default_rng(seed)
    ids = [f"T{i:03d}" for i in range(1, n + 1)]
    cohort = pd.DataFrame({
        "patient_id": ids,
        "age": rng.integers(50, 80, n).astype(float),
        "sex": np.where(np.arange(n) % 3 == 0, "M", "F"),
        "diagnosis": np.array(["stenosis", "disc_herniation", "spondylolisthesis", "scoliosis"])[
            np.arange(n) % 4],
    })
    for j, lv in enumerate(LEVELS):
        cohort[f"si_{lv.lower()}"] = np.round(300 + 10 * j + rng.normal(0, 20, n), 1)
    cohort["si_csf"] = 110.0
    deg = np.arange(n) < n // 2
    for j, lv in enumerate(LEVELS):
        low = lv.lower()
        cohort[f"collapsed_{low}"] = False
        cohort[f"facet_{low}"] = np.where(deg & (j < 3), 2, 1)
        cohort[f"genant_{low}"] = 0
        cohort[f"ucla_{low}"] = 2
        cohort[f"osteophyte_dir_{low}"] = "B"
        cohort[f"osteophyte_mm_{low}"] = 1.0
    cohort["hu_l1"] = np.round(rng.normal(120, 30, n), 0)
    dxa = pd.DataFrame({
        "patient_id": ids,
        "bmd_l1_l4": np.round(rng.normal(1.0, 0.15, n), 3),
        "t_l1_l4": np.round(rng.normal(-1, 1.2, n), 1),
        "bmd_femoral_neck": np.round(rng.normal(0.85, 0.12, n), 3),
        "t_femoral_neck": np.round(rng.normal(-0.9, 1.1, n), 1),
        "bmd_total_hip": np.round(rng.normal(0.9, 0.12, n), 3),
        "t_total_hip": np.round(rng.normal(-0.6, 1.0, n), 1),
    })
    return cohort, dxa
