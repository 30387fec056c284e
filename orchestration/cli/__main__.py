"""`python -m orchestration.cli`: the same as the `chargelake` command."""

import sys

from orchestration.cli.main import main

sys.exit(main())
