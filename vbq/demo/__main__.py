"""``python -m vbq.demo``: regenerate the shipped SYNTHETIC demo files (`vbq.demo.main`)."""

import sys

from ._cli import main

sys.exit(main())
