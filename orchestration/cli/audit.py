"""`chargelake audit figure|partition`: the auditor's walk from a report figure to its API windows."""

from __future__ import annotations

import argparse
import json
import re

from chargelake.config import ConfigError

EXAMPLES = """
examples:
  chargelake audit figure --year 2026 --site LOC001 scope_2_location_based_tco2e
  chargelake audit partition ocpi.cdrs 2026-11-23
  chargelake audit partition telemetry.meter_values 2026-11-23 --json
"""


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    from orchestration.audit.figure import FIGURES

    parser.epilog = EXAMPLES
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="audit_command", required=True)
    fig = sub.add_parser("figure", help="trace one rpt_csrd_e1 figure to its sessions, factors and raw partitions")
    fig.add_argument("figure", choices=sorted(FIGURES), help="the rpt_csrd_e1 column")
    fig.add_argument("--year", type=int, required=True, help="reporting year")
    fig.add_argument("--site", required=True, help="OCPI location id of the site")
    fig.add_argument("--entity", default=None, help="legal entity, when a site reports under several")
    fig.add_argument("--json", action="store_true", help="print the whole trace as JSON")
    part = sub.add_parser("partition", help="every publication of one raw partition and what it holds now")
    part.add_argument("table", help="SOURCE.TABLE, e.g. ocpi.cdrs")
    part.add_argument("day", help="the partition, YYYY-MM-DD")
    part.add_argument("--json", action="store_true", help="print as JSON")


def audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from chargelake.config import Settings
    from chargelake.lake import Lake

    settings = Settings.from_env(needs_key=False)
    lake = Lake(settings.lake_url)
    if args.audit_command == "partition":
        from orchestration.audit.partition import PartitionNotFoundError, describe_partition

        if not re.fullmatch(r"[a-z_]+\.[a-z_]+", args.table):
            raise ConfigError(f"{args.table!r} is not SOURCE.TABLE (e.g. ocpi.cdrs)")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.day):
            raise ConfigError(f"{args.day!r} is not a date (YYYY-MM-DD)")
        source, table = args.table.split(".")
        try:
            out = describe_partition(lake, source, table, args.day)
        except PartitionNotFoundError as exc:
            raise ConfigError(str(exc)) from None
        print(json.dumps(out, indent=1, default=str) if args.json else "\n".join(partition_lines(out)))
        return 0
    from orchestration.audit.figure import FigureNotFoundError, trace_figure

    if not Path(settings.warehouse_path).exists():
        raise ConfigError(f"there is no warehouse at {settings.warehouse_path}: run `chargelake demo` or `run` first")
    try:
        out = trace_figure(settings.warehouse_path, lake, args.year, args.site, args.figure, args.entity)
    except FigureNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    print(json.dumps(out, indent=1, default=str) if args.json else "\n".join(figure_lines(out)))
    return 0 if out["matches"] else 1


def _publication_line(p: dict) -> str:
    versions = ", ".join(f"{t} v{v}" for t, v in sorted(p["delta_versions"].items())[:3])
    more = "" if len(p["delta_versions"]) <= 3 else f" (+{len(p['delta_versions']) - 3} child tables)"
    valid = "validated" if p["validation_success"] else "FAILED validation"
    return (
        f"    {p['partition_date']}  {p['action']} {p['publication_id']}  run {p['run_id']}  {p['rows']} rows\n"
        f"      API: {p['api_request']}\n"
        f"      Delta: {versions}{more}; {valid}: {p['validation_result_path']}\n"
        f"      Data Docs: {p['data_docs_path']}"
    )


def figure_lines(out: dict) -> list[str]:
    check = "equal" if out["matches"] else "DIFFERENT"
    lines = [
        f"{out['report']} {out['reporting_year']} / {out['legal_entity']} / {out['location_id']}: "
        f"{out['figure']} = {out['value']}",
        f"  recomputed: {out['recomputed']} ({check}) = {out['formula']}",
        f"  sessions: {out['sessions']}, energy {out['energy_kwh']:,.3f} kWh "
        f"({out['measured_energy_kwh']:,.3f} measured by meter values)",
    ]
    if out["market_based_bases"] and "market" in out["figure"]:
        lines.append(f"  market-based bases: {', '.join(out['market_based_bases'])}")
    if out["certificates"] and ("market" in out["figure"] or "renewable" in out["figure"]):
        lines.append(f"  certificates: {', '.join(out['certificates'])} (seed energy_attribute_certificates)")
    for f in out["factors"]:
        lines.append(
            f"  factor {f['factor_id']}: {f['value']} {f['unit']} ({f['gco2e_per_kwh']} g/kWh), {f['publisher']}, "
            f"{f['publication']}; {f['table_reference']}; {f['url']} (verification: {f['verification']})"
        )
    for name, pubs in out["raw_partitions"].items():
        lines.append(f"  raw/{name.replace('.', '/')}: {len(pubs)} partition(s)")
        lines += [_publication_line(p) for p in pubs]
    return lines


def partition_lines(out: dict) -> list[str]:
    lines = [
        f"{out['source_table']} {out['partition_date']}: {out['rows_now']} rows now in {out['raw_table']} "
        f"(Delta version {out['delta_version_now']})",
        f"  {len(out['history'])} publication(s), oldest first:",
    ]
    for p in out["history"]:
        lines.append(_publication_line(p))
        files = p["landed_files"]
        lines.append(f"      landed files: {len(files)} (sha256 in the publication row)")
    return lines
