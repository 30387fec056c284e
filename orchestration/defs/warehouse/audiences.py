"""Who may read which mart (docs/access.md). Aggregates (per site, month, EVSE, cost centre, year)
are `shared`: BI users and sustainability teams read them. Marts with a row per session, card,
reading or 15-minute interval are `restricted`: they show when and where a card charged.

Every mart is in exactly one set (a test fails otherwise), so a new mart needs a decision. The
build exports each set under its own prefix (`marts/shared/`, `marts/restricted/`, so an S3 policy
can grant one and not the other) and copies the shared marts into a separate warehouse file that BI
tools can be pointed at alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

SHARED = frozenset(
    {
        "dim_cost_centres",
        "dim_emission_factors",
        "dim_evses",
        "dim_sites",
        "dim_tariffs",
        "fct_evse_availability",
        "fct_site_energy_daily",
        "rpt_cost_allocation",
        "rpt_csrd_e1",
        "rpt_lineage",
        "rpt_reconciliation",
    }
)
RESTRICTED = frozenset(
    {
        "fct_charging_sessions",
        "fct_meter_intervals",
        "fct_session_costs",
        "fct_session_emissions",
        "fct_session_reconciliation",
        "fct_signed_meter_readings",
    }
)


class UnclassifiedMartError(RuntimeError):
    """A mart with no audience: it is exported nowhere until someone decides who may read it."""


def audience(mart: str) -> str:
    if mart in SHARED:
        return "shared"
    if mart in RESTRICTED:
        return "restricted"
    raise UnclassifiedMartError(
        f"mart {mart} has no audience: add it to SHARED or RESTRICTED in orchestration/defs/warehouse/audiences.py"
    )


def shared_warehouse_path(warehouse_path: str, configured: str | None = None) -> str:
    """`configured` (Settings.shared_warehouse_path, CHARGELAKE_SHARED_WAREHOUSE_PATH), by default
    `<warehouse>.shared.duckdb` beside the warehouse."""
    default = Path(warehouse_path).with_suffix(".shared.duckdb")
    return str(Path(configured or default).resolve())


def build_shared_warehouse(
    source_path: str, warehouse_path: str, marts: list[str], shared_path: str | None = None
) -> str:
    """Copy the shared marts of the warehouse at `source_path` (the build's copy) into a fresh file and
    swap it in beside `warehouse_path` (readers keep the old file until they reconnect, as for the
    main warehouse: orchestration/defs/warehouse/swap.py)."""
    target = Path(shared_warehouse_path(warehouse_path, shared_path))
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building")
    building.unlink(missing_ok=True)
    con = duckdb.connect(str(building))
    try:
        con.execute(f"attach '{source_path}' as source (read_only)")
        con.execute("create schema marts")
        for mart in sorted(m for m in marts if audience(m) == "shared"):
            con.execute(f'create table marts."{mart}" as select * from source.marts."{mart}"')
        con.execute("detach source")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(building, target)
    return str(target)
