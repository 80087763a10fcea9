"""Write tests/reference/roc_data.csv: the seeded data that roc_reference.R and test_roc.py both read.

Run once from the repository root: ``.venv/bin/python tests/reference/roc_make_data.py``.
Columns: ``y`` (1 = osteoporosis), ``vbq1`` (VBQ rounded to 1 decimal: many ties), ``vbq2``
(a second VBQ reading, 4 decimals), ``hu`` (L1 HU rounded to integers; low = osteoporosis) and
``group`` (``control`` / ``degenerative``, for the unpaired test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20230257)
n = 150
y = (rng.random(n) < 0.3).astype(int)
latent = rng.normal(size=n) + 1.1 * y
vbq = 2.8 + 0.35 * latent + rng.normal(scale=0.25, size=n)
frame = pd.DataFrame(
    {
        "y": y,
        "vbq1": np.round(vbq, 1),
        "vbq2": np.round(vbq + rng.normal(scale=0.3, size=n), 4),
        "hu": np.round(130 - 25 * latent + rng.normal(scale=20, size=n), 0),
        "group": np.where(rng.random(n) < 0.45, "degenerative", "control"),
    }
)
frame.to_csv(Path(__file__).with_name("roc_data.csv"), index=False)
