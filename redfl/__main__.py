"""Allow ``python -m redfl``."""

import sys

from redfl.cli import main

sys.exit(main())
