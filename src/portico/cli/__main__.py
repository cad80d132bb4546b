"""`python -m portico.cli`."""

import sys

from portico.cli import main

sys.exit(main())
