"""The `chargelake` command (`command.py`) and what its subcommands run: the pipeline runner, the demo,
the doctor, backfills, and the audit, privacy and report commands. Nothing under `orchestration/defs`
or `orchestration/housekeeping` imports from here."""

from orchestration.cli.command import SOURCE_NAMES, build_parser, main

__all__ = ["SOURCE_NAMES", "build_parser", "main"]
