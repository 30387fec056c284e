"""`chargelake report`: the CSRD E1 pack for a year and the cost statements of a month."""

from __future__ import annotations

import argparse
import re
import warnings
from datetime import date
from pathlib import Path

from chargelake.config import ConfigError

EXAMPLES = """
examples:
  chargelake report csrd --period 2026        CSRD E1 workbook, CSVs and HTML report for 2026
  chargelake report costs --period 2026-11    cost statements per cost centre for November 2026
"""


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXAMPLES
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "kind", choices=("csrd", "costs"), help="csrd: the E1 pack of a year; costs: a month's statements"
    )
    parser.add_argument("--period", required=True, help="YYYY for csrd, YYYY-MM for costs")


def _period(kind: str, value: str) -> int | date:
    if kind == "csrd":
        if not re.fullmatch(r"\d{4}", value):
            raise ConfigError(f"--period {value!r} is not a year (YYYY) for a CSRD report")
        return int(value)
    if not re.fullmatch(r"\d{4}-\d{2}", value) or not 1 <= int(value[5:]) <= 12:
        raise ConfigError(f"--period {value!r} is not a month (YYYY-MM) for cost statements")
    return date(int(value[:4]), int(value[5:]), 1)


def report(args: argparse.Namespace) -> int:
    from chargelake.config import Settings
    from chargelake.lake import Lake
    from orchestration.reports.csrd import NoDataForPeriodError

    period = _period(args.kind, args.period)
    with warnings.catch_warnings():  # reports pseudonymise nothing: the key warning is for ingestion
        warnings.simplefilter("ignore")
        settings = Settings.from_env()
    if not Path(settings.warehouse_path).exists():
        raise ConfigError(
            f"there is no warehouse at {settings.warehouse_path}: run `chargelake demo` or `chargelake run` first"
        )
    lake = Lake(settings.lake_url)
    try:
        if args.kind == "csrd":
            from orchestration.reports.publish import write_csrd_pack

            out = write_csrd_pack(settings.warehouse_path, lake, period)
            print(f"CSRD E1 {period}: {out['workbook']}\n  HTML report: {out['html']}")
        else:
            from orchestration.reports.costs import write_cost_statements

            out = write_cost_statements(settings.warehouse_path, lake, period)
            print(f"cost statements {period:%Y-%m}: {out['workbook']} ({len(out) - 1} cost centres, CSV each)")
    except NoDataForPeriodError as exc:
        raise ConfigError(str(exc)) from None
    return 0
