"""`chargelake`: demo, simulator and pipeline runs from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta


def _days(first: str, last: str) -> list[str]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chargelake", description="EV-charging data from CPMS APIs to an auditable lake."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the main job on the bundled simulator and a local lake")
    demo.add_argument("--days", type=int, default=7, help="days to run, ending yesterday (UTC)")
    demo.add_argument("--seed", type=int, default=42, help="simulator seed")
    demo.add_argument(
        "--until",
        type=date.fromisoformat,
        default=None,
        help="day after the last day run (YYYY-MM-DD, UTC); default today",
    )

    sim = sub.add_parser("simulator", help="the bundled CPMS simulator")
    sim_sub = sim.add_subparsers(dest="sim_command", required=True)
    serve = sim_sub.add_parser("serve", help="serve OCPI 2.2.1 on loopback")
    from simulator.cli import add_arguments, add_truth_arguments

    add_arguments(serve)
    add_truth_arguments(sim_sub.add_parser("truth", help="write what the simulated network really did (CSV)"))

    run = sub.add_parser("run", help="run ingest for days FIRST..LAST against the configured CPMS, then the warehouse")
    run.add_argument("first", help="first day, YYYY-MM-DD (UTC)")
    run.add_argument("last", help="last day, YYYY-MM-DD (UTC), inclusive")
    run.add_argument("--no-marts", action="store_true", help="skip the dbt build")

    args = parser.parse_args(argv)
    if args.command == "demo":
        from orchestration.demo import run_demo

        return run_demo(days=args.days, seed=args.seed, until=args.until)
    if args.command == "simulator":
        from simulator.cli import serve as serve_simulator
        from simulator.cli import truth

        return serve_simulator(args) if args.sim_command == "serve" else truth(args)
    if args.command == "run":
        from dagster import DagsterInstance

        from orchestration.pipeline import run_pipeline

        result = run_pipeline(_days(args.first, args.last), DagsterInstance.get(), build_marts=not args.no_marts)
        ok = all(d.success for d in result.days) and result.marts_success is not False
        return 0 if ok else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
