"""`chargelake demo`: the bundled simulator on a free loopback port, the default window through the
whole pipeline, and a summary of what landed where."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from chargelake.catalogue import Catalogue, load_catalogue
from chargelake.config import Settings
from chargelake.lake import Lake
from simulator.process import DEMO_TOKEN, start_simulator

# The simulated network's grid zones (GB also by region: 13 is London). US-MIDA-PJM and CA-ON have
# no documented factor, so the simulator serves no intensity there: the run notes it and goes on.
DEMO_ZONES = ("GB", "GB-13", "NL", "DE", "AU-NSW", "US-MIDA-PJM", "CA-ON")


def demo_window(days: int, end: date | None = None) -> list[str]:
    end = end or datetime.now(UTC).date()
    return [(end - timedelta(days=days - i)).isoformat() for i in range(days)]


def raw_summary_tables(catalogue: Catalogue | None = None) -> tuple[tuple[str, str], ...]:
    """(source, table) of every published raw table: one line each in the summary."""
    return (catalogue or load_catalogue()).raw_tables()


def derived_summary_tables() -> tuple[str, ...]:
    """Every table of the derived zone (computed in Python from raw and the user's files)."""
    from expectations.derived import COST_CENTRE_MAP, DERIVED_TABLES

    return (*(t.name for t in DERIVED_TABLES), COST_CENTRE_MAP.name)


def summarise(settings: Settings, run_ids: set[str]) -> list[str]:
    import duckdb
    from deltalake import DeltaTable

    from expectations.audit import read_publications
    from orchestration.defs.warehouse.summary import reconciliation_lines, sustainability_lines

    lake = Lake(settings.lake_url)
    pubs = read_publications(lake).to_pylist()
    mine = [p for p in pubs if p["run_id"] in run_ids]
    published = sum(p["action"] == "publish" for p in mine)
    quarantined = sum(p["action"] == "quarantine" for p in mine)
    unchanged = sum(p["action"] == "unchanged" for p in mine)
    lines = [
        f"partitions (table x day): {published} published, {quarantined} quarantined"
        + (f", {unchanged} unchanged (re-extracted, same content)" if unchanged else "")
    ]
    for source, table in raw_summary_tables():
        dt = DeltaTable(lake.raw(source, table), storage_options=lake.delta_storage_options())
        name = f"{source}/{table}"
        lines.append(f"  raw/{name:<24} {dt.to_pyarrow_dataset().count_rows():>7} rows, Delta version {dt.version()}")
    for name in derived_summary_tables():
        dt = DeltaTable(lake.derived(name), storage_options=lake.delta_storage_options())
        lines.append(
            f"  derived/{name:<20} {dt.to_pyarrow_dataset().count_rows():>7} rows, Delta version {dt.version()}"
        )
    con = duckdb.connect(settings.warehouse_path, read_only=True)
    try:
        n, kwh = con.execute(
            "select count(*), coalesce(sum(energy_kwh), 0) from marts.fct_charging_sessions"
        ).fetchone()
        lines.append(f"sessions: {n}, energy: {kwh:,.1f} kWh")
        lines += reconciliation_lines(con)
        lines += sustainability_lines(con)
    finally:
        con.close()
    lines += [
        f"lake:      {settings.lake_url}",
        f"warehouse: {settings.warehouse_path}  (schema marts; Parquet copies in {lake.path('marts')})",
        "UI:        make dev  (then open http://127.0.0.1:3000)",
    ]
    return lines


def write_reports(settings: Settings) -> list[str]:
    """The CSRD E1 pack of each reporting year in the warehouse: what a sustainability team opens next."""
    import duckdb

    from orchestration.defs.reports.publish import write_csrd_pack

    con = duckdb.connect(settings.warehouse_path, read_only=True)
    try:
        years = [
            r[0] for r in con.execute("select distinct reporting_year from marts.rpt_csrd_e1 order by 1").fetchall()
        ]
    finally:
        con.close()
    lines = []
    for year in years:
        out = write_csrd_pack(settings.warehouse_path, Lake(settings.lake_url), year)
        lines += [f"CSRD E1 {year}: {out['workbook']}", f"  HTML report: {out['html']}"]
    return lines


def simulator_settings(sim) -> dict[str, str]:
    """The `chargelake` resource's fields that point every source at a running simulator."""
    base = sim.versions_url.replace("/ocpi/versions", "")
    return {
        "ocpi_url": sim.versions_url,
        "ocpi_token": DEMO_TOKEN,
        "telemetry_url": f"{base}/telemetry/v1",
        "telemetry_token": DEMO_TOKEN,
        "carbon_zones": ",".join(DEMO_ZONES),
        "carbon_gb_url": f"{base}/carbon/gb",
        "carbon_em_url": f"{base}/carbon/em",
        "carbon_em_token": DEMO_TOKEN,
    }


def simulator_environment(sim) -> dict[str, str]:
    """The same as the CHARGELAKE_* variables another process is configured with (benchmarks, tests)."""
    return {f"CHARGELAKE_{name.upper()}": value for name, value in simulator_settings(sim).items()}


def write_demo_ocpp_logs(seed: int, start: date, end: date, folder: Path) -> tuple[str, str]:
    """Write the simulator's OCPP-J logs of the window (the messages its telemetry API serves): the
    demo's other transport (docs/ocpp-logs.md). Returns (the folder's URL, the summary line)."""
    from simulator.ocpp_logs import write_ocpp_logs
    from simulator.server import SimConfig

    config = SimConfig(seed=seed, start=start, end=end)
    interval = timedelta(minutes=config.meter_interval_minutes)
    counts = write_ocpp_logs(config.build(), interval, start, end, config.effective_now, folder)
    return str(folder.resolve()), f"  OCPP-J logs: {folder} ({counts['files']} files, {counts['lines']} lines)"


def run_demo(
    days: int = 7,
    seed: int = 42,
    until: date | None = None,
    instance=None,
    tamper_signed_pct: float = 10.0,
    telemetry_from: str = "api",
) -> int:
    from orchestration.cli.pipeline import run_pipeline
    from orchestration.cli.runtime import instance as runtime_instance
    from orchestration.defs.ingest.resources import ChargeLakeResource

    partitions = demo_window(days, until)
    start, end = date.fromisoformat(partitions[0]), date.fromisoformat(partitions[-1]) + timedelta(days=1)
    print(f"ChargeLake demo: {days} days ({partitions[0]} .. {partitions[-1]}), simulator seed {seed}", flush=True)
    sim = start_simulator(start, end, seed, extra_args=("--tamper-signed-pct", str(tamper_signed_pct)))
    # The demo's configuration: the simulator's endpoints over the environment's, in demo mode (the
    # public demo key is accepted here, and only here), given to every run as the resource's fields.
    fields: dict = {"demo": True, **simulator_settings(sim)}
    print(f"  simulator: {sim.versions_url}", flush=True)
    if telemetry_from == "ocpp-logs":
        fields["ocpp_log_url"], line = write_demo_ocpp_logs(seed, start, end, Path("data/ocpp-logs"))
        print(line, flush=True)
    settings = ChargeLakeResource(**fields).settings()
    t0 = time.monotonic()
    try:
        result = run_pipeline(
            partitions, instance or runtime_instance(), progress=lambda m: print(m, flush=True), resource_config=fields
        )
    finally:
        sim.stop()
    print(f"done in {time.monotonic() - t0:.0f}s", flush=True)
    if result.marts_success:
        for line in summarise(settings, {d.run_id for d in result.days}):
            print(line)
        for line in write_reports(settings):
            print(line)
    failed = [d for d in result.days if not d.success and not d.failed_checks]
    return 0 if result.marts_success and not failed else 1
