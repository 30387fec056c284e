"""`chargelake simulator serve`: run the bundled CPMS on loopback."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from simulator.server import SimConfig, make_server
from simulator.timefmt import parse_iso

PROFILES = {"small": (3, 4), "reference": (50, 10)}  # (sites, EVSEs per site)

EPILOG = """
endpoints (all on loopback):
  OCPI 2.2.1   GET /ocpi/versions, /ocpi/2.2.1, /ocpi/cpo/2.2.1/{locations,sessions,cdrs,tariffs,tokens}
               ?date_from&date_to (on last_updated) &offset&limit; Link/X-Total-Count/X-Limit headers;
               header Authorization: Token <base64 token>
  telemetry    GET /telemetry/v1/{charge-points,meter-values,alarms}?from&to&cursor&limit;
               header Authorization: Bearer <token>; OpenAPI at /telemetry/v1/openapi.json
  test control POST /_sim/clock {"now": ISO}; POST /_sim/faults {"rules": [...]}; DELETE /_sim/faults
               fault kinds: http_500 http_503 http_429 envelope_error negative_energy missing_id
               unknown_enum naive_timestamp wh_in_kwh duplicate slow truncated_json foreign_link
               advance_clock (see docs/simulator.md)
same seed and options: byte-identical responses in any request order.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    today = date.today()
    parser.add_argument("--host", default="127.0.0.1", help="bind address (loopback by default)")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (printed)")
    parser.add_argument("--seed", type=int, default=42, help="network seed: same seed, same data")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="small",
        help="network size: small (3 sites x 4 EVSEs) or reference (50 x 10, the benchmarks')",
    )
    parser.add_argument("--sites", type=int, default=None, help="number of sites (overrides --profile)")
    parser.add_argument("--evses-per-site", type=int, default=None, help="EVSEs per site (overrides --profile)")
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=today - timedelta(days=7),
        help="first day of simulated activity (YYYY-MM-DD, UTC); network created then",
    )
    parser.add_argument(
        "--end", type=date.fromisoformat, default=today, help="day after the last simulated day (exclusive)"
    )
    parser.add_argument(
        "--now", type=parse_iso, default=None, help="the simulator's 'now' (ISO 8601); default: midnight UTC at --end"
    )
    parser.add_argument("--token", default="chargelake-demo-token", help="credentials token clients must send")
    parser.add_argument(
        "--accept-plain-token",
        action="store_true",
        help="also accept the token unencoded (some partners send it plain)",
    )
    parser.add_argument("--page-limit", type=int, default=100, help="largest OCPI page the server returns")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        metavar="PER_SECOND",
        help="requests per second allowed per token (429 + Retry-After beyond); 0 = unlimited",
    )
    parser.add_argument(
        "--tamper-signed-pct",
        type=float,
        default=10.0,
        help="percent of signed CDRs (German and Dutch sites) whose End reading is altered after signing",
    )
    parser.add_argument("--telemetry-token", default=None, help="bearer token of the telemetry API (default: --token)")
    parser.add_argument(
        "--meter-interval",
        type=int,
        default=15,
        choices=range(1, 61),
        metavar="MINUTES",
        help="meter value sampling interval, 1-60 minutes (plus Transaction.Begin/End samples)",
    )


def config_from_args(args: argparse.Namespace) -> SimConfig:
    sites, evses = PROFILES[args.profile]
    return SimConfig(
        seed=args.seed,
        sites=args.sites or sites,
        evses_per_site=args.evses_per_site or evses,
        start=args.start,
        end=args.end,
        now=args.now,
        token=args.token,
        accept_plain_token=args.accept_plain_token,
        page_limit=args.page_limit,
        telemetry_token=args.telemetry_token,
        meter_interval_minutes=args.meter_interval,
        rate_limit=args.rate_limit,
        tamper_signed_pct=args.tamper_signed_pct,
    )


def serve(args: argparse.Namespace) -> int:
    server = make_server(config_from_args(args), args.host, args.port)
    host, port = server.server_address[:2]
    print(f"simulator listening on http://{host}:{port}/ocpi/versions", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def add_truth_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("data/truth"), help="folder for the CSV files")


def truth(args: argparse.Namespace) -> int:
    from simulator.truth import write_truth

    config = config_from_args(args)
    summary = write_truth(config.build(), config.start - timedelta(days=1), config.end, args.out)
    print(f"truth for {config.start}..{config.end} (exclusive) written to {args.out}: {summary}")
    return 0


def add_ocpp_log_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("data/ocpp-logs"), help="folder for the log files")
    parser.add_argument("--plain", action="store_true", help="write .jsonl instead of gzip .jsonl.gz")


def ocpp_logs(args: argparse.Namespace) -> int:
    """The messages the telemetry API serves, as OCPP-J logs by received day (docs/ocpp-logs.md)."""
    from simulator.ocpp_logs import write_ocpp_logs

    config = config_from_args(args)
    interval = timedelta(minutes=config.meter_interval_minutes)
    counts = write_ocpp_logs(
        config.build(), interval, config.start, config.end, config.effective_now, args.out, args.plain
    )
    print(f"OCPP-J logs for {config.start}..{config.end} (exclusive) written to {args.out}: {counts}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chargelake simulator serve", description=__doc__)
    add_arguments(parser)
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
