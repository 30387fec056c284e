"""`python -m orchestration.cli`: the same as the `chargelake` command."""

import sys

from orchestration.cli.command import main

sys.exit(main())
