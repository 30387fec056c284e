"""`chargelake report`: the CSRD E1 pack and the lineage report of a year, the cost statements of a
month, the fault events since the last export."""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from chargelake.config import ConfigError

EXAMPLES = """
examples:
  chargelake report csrd --period 2026        CSRD E1 workbook, CSVs and HTML report for 2026
  chargelake report costs --period 2026-11    cost statements per cost centre for November 2026
  chargelake report lineage --period 2026     HTML: each 2026 report row -> raw partitions, publications, Data Docs
  chargelake report faults                    outages and alarms received since the last export (CSV, webhook)
"""


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXAMPLES
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "kind",
        choices=("csrd", "costs", "lineage", "faults"),
        help="csrd: the E1 pack of a year; costs: a month's statements; lineage: a year's lineage report; "
        "faults: new fault events",
    )
    parser.add_argument("--period", help="YYYY for csrd and lineage, YYYY-MM for costs (faults: since the last export)")


def _period(kind: str, value: str) -> int | date:
    if kind in ("csrd", "lineage"):
        if not re.fullmatch(r"\d{4}", value):
            raise ConfigError(f"--period {value!r} is not a year (YYYY) for a {kind} report")
        return int(value)
    if not re.fullmatch(r"\d{4}-\d{2}", value) or not 1 <= int(value[5:]) <= 12:
        raise ConfigError(f"--period {value!r} is not a month (YYYY-MM) for cost statements")
    return date(int(value[:4]), int(value[5:]), 1)


def report(args: argparse.Namespace) -> int:
    from chargelake.config import Settings
    from chargelake.lake import Lake
    from orchestration.defs.reports.csrd import NoDataForPeriodError

    if args.kind != "faults" and not args.period:
        raise ConfigError(
            f"`chargelake report {args.kind}` needs --period ({'YYYY-MM' if args.kind == 'costs' else 'YYYY'})"
        )
    period = _period(args.kind, args.period) if args.kind != "faults" else None
    settings = Settings.from_env(needs_key=False)  # reports pseudonymise nothing
    if not Path(settings.warehouse_path).exists():
        raise ConfigError(
            f"there is no warehouse at {settings.warehouse_path}: run `chargelake demo` or `chargelake run` first"
        )
    lake = Lake(settings.lake_url)
    try:
        if args.kind == "faults":
            from orchestration.defs.reports.faults import WebhookRefusedError, export_fault_events

            try:
                out = export_fault_events(
                    settings.warehouse_path, lake, settings.faults_webhook_url, settings.faults_webhook_secret
                )
            except WebhookRefusedError as exc:
                raise ConfigError(str(exc)) from None
            where = f": {out['csv']}" if out["csv"] else ""
            sent = f"; webhook HTTP {out['webhook_status']}" if out["webhook_status"] else ""
            print(f"fault events received since {out['since_received_at_utc']}: {out['events']}{where}{sent}")
        elif args.kind == "csrd":
            from orchestration.defs.reports.publish import write_csrd_pack

            out = write_csrd_pack(settings.warehouse_path, lake, period)
            print(f"CSRD E1 {period}: {out['workbook']}\n  HTML report: {out['html']}")
        elif args.kind == "lineage":
            from orchestration.defs.reports.lineage import write_lineage_report

            out = write_lineage_report(settings.warehouse_path, lake, period)
            print(f"lineage {period}: {out['html']}")
        else:
            from orchestration.defs.reports.costs import write_cost_statements

            out = write_cost_statements(settings.warehouse_path, lake, period)
            print(f"cost statements {period:%Y-%m}: {out['workbook']} ({len(out) - 1} cost centres, CSV each)")
    except NoDataForPeriodError as exc:
        raise ConfigError(str(exc)) from None
    return 0
