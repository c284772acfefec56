"""``python -m imlp_core <command>``: the command line of ``cli.py`` (also the console script ``imlp``)."""

import sys

from imlp_core.cli import main

sys.exit(main())
