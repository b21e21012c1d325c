"""`python -m graphbuild` runs the command line."""

import sys

from graphbuild.cli import main

sys.exit(main())
