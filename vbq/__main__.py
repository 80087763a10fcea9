"""``python -m vbq``: the command line (`vbq.cli`). ``python -m vbq.demo`` stays the demo writer."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
