"""Write tests/reference/strata_data.csv: the seeded data that strata_reference.R and
tests/test_scanners.py both read (issue 19: the ROC analysis by MRI field strength).

Run once from the repository root: ``.venv/bin/python tests/reference/strata_make_data.py``.
Columns as the analysis table has them: ``group`` (control / degenerative), ``dxa_status``
(normal / osteopenia / osteoporosis), ``vbq`` (4 decimals, no ties), ``field_strength_t`` (1.0,
1.5 or 3.0 T; blank for a few patients). VBQ runs higher at 1.5 T than at 3 T (as published:
mean 2.77 vs 2.20) and separates osteoporosis less well at 3 T.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261207)
n = 260
field = rng.choice([1.0, 1.5, 3.0], size=n, p=[0.2, 0.4, 0.4])
status = rng.choice(["normal", "osteopenia", "osteoporosis"], size=n, p=[0.35, 0.4, 0.25])
shift = np.select([field == 1.5, field == 3.0], [2.77, 2.20], 2.5)
effect = np.select([field == 1.5, field == 3.0], [0.55, 0.25], 0.4)
vbq = (shift + effect * (status == "osteoporosis") + 0.15 * (status == "osteopenia")
       + rng.normal(scale=0.35, size=n))
field_written = field.astype(object)
field_written[rng.choice(n, size=6, replace=False)] = None
frame = pd.DataFrame({
    "group": np.where(rng.random(n) < 0.45, "degenerative", "control"),
    "dxa_status": status,
    "vbq": np.round(vbq, 4),
    "field_strength_t": field_written,
})
frame.to_csv(Path(__file__).with_name("strata_data.csv"), index=False)
