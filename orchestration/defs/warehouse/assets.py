"""The warehouse domain: dbt models as assets (dagster-dbt). Sources map to the raw Delta assets through their
`meta.dagster.asset_key`, so lineage in the UI runs from API to mart."""

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from chargelake.lake import Lake
from expectations.publish import ensure_tables
from orchestration.defs.ingest.resources import ChargeLakeResource
from orchestration.defs.ingest.sources import SOURCES
from orchestration.defs.warehouse.audiences import build_shared_warehouse
from orchestration.defs.warehouse.dbt_vars import dbt_vars, vars_argument
from orchestration.defs.warehouse.export import export_marts
from orchestration.defs.warehouse.resources import dbt_project, ensure_manifest
from orchestration.defs.warehouse.swap import building_copy


class ChargeLakeTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return AssetKey(["warehouse", dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


class NothingPublishedError(RuntimeError):
    """The warehouse was asked for before any data was published: say so rather than fail in dbt."""


def prepare_raw_zone(lake: Lake) -> None:
    """dbt reads every declared raw table: create the ones no CPO has sent yet (empty, with their
    contract's columns). A lake with no publication at all is a user's first-run mistake."""
    if not lake.filesystem().exists(lake.publications()):
        raise NothingPublishedError(
            f"the lake at {lake.url} has no published data yet: run `chargelake run FIRST LAST` "
            "(or `chargelake demo`) before building the warehouse"
        )
    for spec in SOURCES:
        for table in spec.tables:
            ensure_tables(lake, spec.name, spec.declared(table))


def raw_rewritten_since_last_build(settings) -> str | None:
    """What rewrote raw rows that incremental models already hold since the last build, if anything:
    an erasure (chargelake privacy erase), the retention (chargelake lake vacuum) or a key rotation
    (chargelake privacy rotate-key). The next build then rebuilds everything into a new file, so no
    copy outlives them."""
    from datetime import UTC, datetime

    from orchestration.housekeeping.privacy.erase import last_erasure_at
    from orchestration.housekeeping.privacy.rotate import last_rotation_at
    from orchestration.housekeeping.retention import last_retention_at

    lake = settings.lake()
    if not os.path.exists(settings.warehouse_path):
        return None
    built = datetime.fromtimestamp(os.path.getmtime(settings.warehouse_path), UTC)
    for what, stamp in (
        ("a driver's data was erased", last_erasure_at(lake)),
        ("the retention deleted raw partitions", last_retention_at(lake)),
        ("the pseudonym key was rotated", last_rotation_at(lake)),
    ):
        if stamp is not None and stamp > built:
            return what
    return None


@dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=ChargeLakeTranslator())
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource, chargelake: ChargeLakeResource):
    settings = chargelake.settings()
    lake = settings.lake()
    os.makedirs(os.path.dirname(settings.warehouse_path), exist_ok=True)
    prepare_raw_zone(lake)
    rewritten = raw_rewritten_since_last_build(settings)
    # Built on a copy and swapped in, so a BI tool holding the warehouse open neither blocks the
    # build nor sees a half-built one (orchestration/defs/warehouse/swap.py). dbt is told the copy's path,
    # and the lake through its vars (orchestration/defs/warehouse/dbt_vars.py).
    with building_copy(settings.warehouse_path, fresh=bool(rewritten)) as building:
        v = dbt_vars(settings, building)
        if rewritten:
            context.log.info(f"{rewritten} since the last build: rebuilding every model from raw into a new file")
        args = ["build", *(["--full-refresh"] if rewritten else []), *vars_argument(v)]
        yield from dbt.cli(args, context=context).stream()
        exported = export_marts(building, lake)
        shared = build_shared_warehouse(
            building, settings.warehouse_path, list(exported), settings.shared_warehouse_path
        )
    context.log.info(f"exported marts to {settings.lake_url}/marts: {exported}; shared warehouse: {shared}")
