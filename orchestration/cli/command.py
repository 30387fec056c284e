"""`chargelake`: demo, pipeline runs, the Dagster UI and the simulator from the command line.

A user's mistake (a bad date, a reversed range, a refused token, an unreachable host, a lake that
cannot be written) is one sentence on stderr and a non-zero exit; details go to a log file the
sentence names, never a traceback on the terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from chargelake.catalogue import Catalogue, load_catalogue
from chargelake.config import ConfigError, load_dotenv

SOURCE_NAMES = load_catalogue().names  # the contracts' catalogue (cheap: JSON, not the extractors)
# `--source ocpp_logs`: the telemetry source read from OCPP-J message logs (docs/ocpp-logs.md).
TRANSPORTS = ("ocpp_logs",)

EXAMPLES = """
examples:
  chargelake demo                          7 days of the bundled simulator into ./data
  chargelake run 2026-03-01 2026-03-31     ingest March from the configured sources, then build the warehouse
  chargelake backfill --start 2026-01-01 --end 2026-03-31
                                           ingest a quarter, skipping days already published; rerun to resume
  chargelake dev                           the Dagster UI on http://127.0.0.1:3000
  chargelake doctor                        is every source reachable, every credential accepted?
  chargelake lake vacuum --retain-days 30  what the lake may forget (add --apply to remove it)
  chargelake report csrd --period 2026     the CSRD E1 workbook, CSVs and HTML report under reports/ in the lake
  chargelake privacy erase --token 04A2B3C4D5E6F7   one card's data out of the lake (the warehouse on its next build)
  chargelake privacy rotate-key            re-key every pseudonym (new key in _KEY, old in _KEY_PREVIOUS)
  chargelake audit figure --year 2026 --site LOC001 scope_2_location_based_tco2e
                                           one CSRD figure back to its factors, partitions and API windows
"""


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _days_per_run(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 366:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days from 1 to 366")
    return int(value)


def _source_help(catalogue: Catalogue) -> str:
    """`--source`'s help names each source's raw tables, so a user sees what a source run publishes."""
    listed = "; ".join(f"{s.name}: {', '.join(s.raw_tables)}" for s in catalogue.sources)
    return f"only this source (repeatable) [{listed}; ocpp_logs: telemetry from OCPP-J message logs]"


def build_parser(catalogue: Catalogue | None = None) -> argparse.ArgumentParser:
    catalogue = catalogue or load_catalogue()
    choices = (*catalogue.names, *TRANSPORTS)
    parser = argparse.ArgumentParser(
        prog="chargelake",
        description="EV-charging data from CPMS APIs to an auditable lake.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the main job on the bundled simulator and a local lake")
    demo.add_argument("--days", type=int, default=7, help="days to run, ending yesterday (UTC)")
    demo.add_argument("--seed", type=int, default=42, help="simulator seed")
    demo.add_argument("--until", type=_day, default=None, help="day after the last day run (YYYY-MM-DD, UTC)")
    demo.add_argument(
        "--tamper-signed-pct",
        type=float,
        default=10.0,
        help="percent of the simulator's signed CDRs whose End reading it alters after signing (default 10)",
    )
    demo.add_argument(
        "--telemetry-from",
        choices=("api", "ocpp-logs"),
        default="api",
        help="read meter values and alarms from the simulator's telemetry API (default) or from the OCPP-J "
        "message logs it writes under ./data/ocpp-logs (docs/ocpp-logs.md)",
    )

    run = sub.add_parser(
        "run",
        help="ingest days FIRST..LAST from the configured sources, then build the warehouse",
        description="Ingests the OCPI CPO (CHARGELAKE_OCPI_URL and CHARGELAKE_OCPI_TOKEN are required) and, "
        "where configured, telemetry and carbon intensity (README, Configuration). "
        "Example: chargelake run 2026-03-01 2026-03-31",
    )
    run.add_argument("first", type=_day, help="first day, YYYY-MM-DD (UTC)")
    run.add_argument("last", type=_day, help="last day, YYYY-MM-DD (UTC), inclusive")
    run.add_argument("--no-marts", action="store_true", help="skip the warehouse build")
    run.add_argument("--source", action="append", choices=choices, help=_source_help(catalogue))
    run.add_argument(
        "--refresh-snapshots", action="store_true", help="take today's reference-data snapshot again if one exists"
    )

    backfill = sub.add_parser(
        "backfill",
        help="ingest a range of days, skipping days already published (resumable), then build the warehouse",
        description="Like `run`, but days on which every configured source already published are skipped "
        "(a stopped backfill continues where it stopped); --force runs them again. "
        "Example: chargelake backfill --start 2026-01-01 --end 2026-03-31",
    )
    backfill.add_argument("--start", type=_day, required=True, help="first day, YYYY-MM-DD (UTC)")
    backfill.add_argument("--end", type=_day, required=True, help="last day, YYYY-MM-DD (UTC), inclusive")
    backfill.add_argument("--force", action="store_true", help="run days that are already published again")
    backfill.add_argument("--no-marts", action="store_true", help="skip the warehouse build")
    backfill.add_argument("--source", action="append", choices=choices, help=_source_help(catalogue))
    backfill.add_argument(
        "--days-per-run",
        type=_days_per_run,
        default=7,
        help="days per ranged run (default 7; each day is still gated and published on its own)",
    )

    sub.add_parser("dev", help="the Dagster UI (dagster dev) with ChargeLake's runtime setup")
    sub.add_parser("doctor", help="check configuration, credentials and reachability of each source and the lake")

    lake = sub.add_parser("lake", help="lake housekeeping")
    lake_sub = lake.add_subparsers(dest="lake_command", required=True)
    vacuum = lake_sub.add_parser(
        "vacuum",
        help="remove superseded Delta files and old landing/quarantine folders (dry run unless --apply)",
        description="Lists (or with --apply removes) Delta files superseded more than N days ago in every raw "
        "table, and landing and quarantine folders of finished runs older than N days. Audit rows, "
        "validation results and marts are never touched. Example: chargelake lake vacuum --retain-days 30",
    )
    vacuum.add_argument("--retain-days", type=int, required=True, help="keep what is younger than this")
    vacuum.add_argument("--apply", action="store_true", help="remove (default: only list)")

    from orchestration.cli.reports import add_report_arguments

    add_report_arguments(
        sub.add_parser(
            "report", help="CSRD E1 pack or lineage report of a year, cost statements of a month, fault events"
        )
    )

    from orchestration.cli.audit import add_audit_arguments

    add_audit_arguments(sub.add_parser("audit", help="trace a report figure or a raw partition to its API windows"))

    from orchestration.cli.privacy import add_privacy_arguments

    add_privacy_arguments(sub.add_parser("privacy", help="erase a driver; rotate the pseudonym key"))

    sim = sub.add_parser("simulator", help="the bundled CPMS simulator")
    sim_sub = sim.add_subparsers(dest="sim_command", required=True)
    from simulator.cli import add_arguments, add_ocpp_log_arguments, add_truth_arguments

    add_arguments(sim_sub.add_parser("serve", help="serve OCPI 2.2.1 and the telemetry API on loopback"))
    add_truth_arguments(sim_sub.add_parser("truth", help="write what the simulated network really did (CSV)"))
    add_ocpp_log_arguments(
        sim_sub.add_parser("ocpp-logs", help="write the network's OCPP-J message logs (JSON Lines, gzip) to a folder")
    )
    return parser


def _prepare(first: date, last: date, sources: list[str] | None = None):
    """The checks `run` and `backfill` share: a sane range, the OCPI settings (when OCPI is run), a
    writable lake."""
    from chargelake.config import Settings, partitions_start
    from orchestration.defs.ingest.partitions import check_day

    if first > last:
        raise ConfigError(f"the range {first}..{last} is reversed: the first day must not be after the last")
    check_day(first, partitions_start())
    check_day(last, partitions_start())
    settings = Settings.from_env()
    if (not sources or "ocpi" in sources) and (not settings.ocpi_url or not settings.ocpi_token):
        raise ConfigError(
            "set CHARGELAKE_OCPI_URL and CHARGELAKE_OCPI_TOKEN (README, Configuration), or try `chargelake demo`"
        )
    if sources and "ocpp_logs" in sources:
        if not settings.ocpp_log_url:
            raise ConfigError(
                "--source ocpp_logs reads OCPP-J message logs: set CHARGELAKE_OCPP_LOG_URL to their folder or "
                "s3://bucket/prefix (docs/ocpp-logs.md)"
            )
        sources = list(dict.fromkeys("telemetry" if s == "ocpp_logs" else s for s in sources))
    settings.lake().check_writable()
    return settings, [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)], sources


def run(args: argparse.Namespace) -> int:
    from orchestration.cli.pipeline import run_pipeline
    from orchestration.cli.runtime import instance

    _, days, sources = _prepare(args.first, args.last, args.source)
    result = run_pipeline(
        days,
        instance(),
        build_marts=not args.no_marts,
        refresh_snapshots=args.refresh_snapshots,
        sources=sources,
    )
    return _outcome(result)


def backfill(args: argparse.Namespace) -> int:
    from chargelake.lake import Lake
    from orchestration.cli.backfill import eta_progress, published_days
    from orchestration.cli.pipeline import run_pipeline
    from orchestration.cli.runtime import instance

    settings, days, sources = _prepare(args.start, args.end, args.source)
    done = set() if args.force else published_days(Lake(settings.lake_url), settings, days, sources)
    todo = [d for d in days if d not in done]
    print(
        f"backfill {days[0]}..{days[-1]}: {len(days)} days, {len(done)} already published"
        f"{' (skipped; --force runs them again)' if done else ''}, {len(todo)} to run",
        flush=True,
    )
    if not todo:
        return 0
    progress = eta_progress(len(todo), lambda m: print(m, flush=True))
    result = run_pipeline(
        todo,
        instance(),
        build_marts=not args.no_marts,
        progress=progress,
        sources=sources,
        days_per_run=args.days_per_run,
    )
    return _outcome(result)


def _outcome(result) -> int:
    if (failed := result.failed_day) is not None:
        print(f"chargelake: {failed.partition}: {failed.error} (details: {failed.log_path})", file=sys.stderr)
        return 1
    if result.marts_success is False:
        print(f"chargelake: warehouse: {result.marts_error} (details: {result.marts_log})", file=sys.stderr)
        return 1
    quarantined = [d for d in result.days if d.failed_checks]
    if quarantined:
        print(
            f"chargelake: {len(quarantined)} day(s) quarantined ({', '.join(d.partition for d in quarantined)}): "
            "see the validation results under audit/validations/ in the lake",
            file=sys.stderr,
        )
        return 1
    return 0


def dev(_: argparse.Namespace) -> int:
    from orchestration.cli.runtime import dagster_home

    home = dagster_home()
    root = Path(__file__).resolve().parents[2]
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster) if dagster.exists() else "dagster", "dev", "-w", str(root / "workspace.yaml")]
    os.chdir(root)
    os.execvpe(cmd[0], cmd, {**os.environ, "DAGSTER_HOME": str(home)})
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    """The CLI entry: the one place that writes the process environment (the `.env` file's variables,
    for the tools it starts too); everything below gets its configuration as Settings."""
    load_dotenv()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            from orchestration.cli.demo import run_demo

            return run_demo(
                days=args.days,
                seed=args.seed,
                until=args.until,
                tamper_signed_pct=args.tamper_signed_pct,
                telemetry_from=args.telemetry_from,
            )
        if args.command == "simulator":
            from simulator.cli import ocpp_logs, serve, truth

            return {"serve": serve, "truth": truth, "ocpp-logs": ocpp_logs}[args.sim_command](args)
        if args.command == "dev":
            return dev(args)
        if args.command == "backfill":
            return backfill(args)
        if args.command == "doctor":
            from orchestration.cli.doctor import run_doctor

            checks, healthy = run_doctor()
            print("chargelake doctor:\n" + "\n".join(c.line() for c in checks))
            return 0 if healthy else 1
        if args.command == "lake":
            from orchestration.housekeeping.retention import retention_days
            from orchestration.housekeeping.vacuum import vacuum_lake

            if args.retain_days < 0:
                raise ConfigError(f"--retain-days must be 0 or more, not {args.retain_days}")
            from chargelake.config import Settings

            settings = Settings.from_env(needs_key=False)
            plan = vacuum_lake(settings.lake(), args.retain_days, args.apply, retention_days(settings))
            print("\n".join(plan.lines()))
            return 0
        if args.command == "audit":
            from orchestration.cli.audit import audit

            return audit(args)
        if args.command == "privacy":
            from orchestration.cli.privacy import privacy

            return privacy(args)
        if args.command == "report":
            from orchestration.cli.reports import report

            return report(args)
        return run(args)
    except ConfigError as exc:
        print(f"chargelake: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from orchestration.cli.runtime import log_exception

        line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"chargelake: {line} (details: {log_exception(exc)})", file=sys.stderr)
        return 1
