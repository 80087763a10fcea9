"""Every test process writes its per-user data (the installation's secret key, which keys the
series fingerprint) to a temporary folder, never to the developer's own data folder."""

from __future__ import annotations

import os
import tempfile

os.environ["VBQ_DATA_DIR"] = tempfile.mkdtemp(prefix="vbq-test-data-")
os.environ.pop("VBQ_SECRET", None)
