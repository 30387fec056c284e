"""The Dagster definitions: what a data engineer relies on when opening the UI or a backfill."""

from dagster import AssetKey
from dagster._core.definitions.backfill_policy import BackfillPolicyType

from orchestration.definitions import defs
from orchestration.defs.ingest.assets import DAYS_PER_RUN


def test_ingest_assets_backfill_in_ranged_runs_of_a_month():
    graph = defs.resolve_asset_graph()
    ingest = [k for k in graph.get_all_asset_keys() if k.path[0] in ("landing", "raw")]
    assert len(ingest) >= 10
    for key in ingest:
        policy = graph.get(key).backfill_policy
        assert (
            policy.policy_type == BackfillPolicyType.MULTI_RUN and policy.max_partitions_per_run == DAYS_PER_RUN == 31
        )


def test_every_landed_table_has_a_blocking_gate():
    graph = defs.resolve_asset_graph()
    checks = {c.asset_key: c for c in graph.asset_check_keys}
    for table in ("locations", "sessions", "cdrs", "tariffs", "tokens"):
        key = AssetKey(["landing", "ocpi", table])
        assert key in checks
        assert AssetKey(["raw", "ocpi", table]) in graph.get(key).child_keys


def test_marts_depend_on_raw_tables_so_lineage_runs_from_api_to_mart():
    graph = defs.resolve_asset_graph()
    stg = graph.get(AssetKey(["warehouse", "staging", "stg_ocpi__sessions"]))
    assert AssetKey(["raw", "ocpi", "sessions"]) in stg.parent_keys
    fct = graph.get(AssetKey(["warehouse", "marts", "fct_charging_sessions"]))
    assert AssetKey(["warehouse", "intermediate", "int_ocpi__charging_sessions"]) in fct.parent_keys
    joined = graph.get(AssetKey(["warehouse", "intermediate", "int_ocpi__charging_sessions"]))
    assert AssetKey(["warehouse", "intermediate", "int_ocpi__cdrs_latest"]) in joined.parent_keys
    assert AssetKey(["warehouse", "intermediate", "int_ocpi__sites"]) in joined.parent_keys


def test_each_domain_has_one_name_for_folder_group_and_job():
    graph = defs.resolve_asset_graph()
    for prefixes, group, job in (
        (("warehouse",), "warehouse", "build_warehouse"),
        (("landing", "raw"), "ingest", "ingest_daily"),
        (("reports",), "reports", "build_reports"),
    ):
        keys = [k for k in graph.get_all_asset_keys() if k.path[0] in prefixes and graph.get(k).is_materializable]
        assert keys and {graph.get(k).group_name for k in keys} == {group}
        jobs = [job, "export_fault_events"] if group == "reports" else [job]
        in_jobs = set().union(*(defs.resolve_job_def(j).asset_layer.executable_asset_keys for j in jobs))
        assert set(keys) <= in_jobs


def test_jobs_schedule_and_sensor_exist():
    assert defs.resolve_job_def("ingest_daily").partitions_def is not None
    assert defs.resolve_job_def("build_warehouse") is not None
    assert defs.resolve_schedule_def("ingest_daily_schedule") is not None
    assert defs.resolve_job_def("build_reports").partitions_def is not None
    assert defs.resolve_schedule_def("build_reports_schedule") is not None
    assert defs.resolve_sensor_def("warehouse_after_ingest") is not None
    assert defs.resolve_sensor_def("fault_events_after_warehouse") is not None
    assert defs.resolve_job_def("export_fault_events").partitions_def is None


def test_the_monthly_reports_schedule_builds_the_month_that_just_ended():
    from datetime import UTC, datetime

    from dagster import build_schedule_context

    schedule = defs.resolve_schedule_def("build_reports_schedule")
    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 12, 2, 6, tzinfo=UTC), repository_def=defs.get_repository_def()
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-01"


def test_the_cli_offers_exactly_the_sources_the_ingest_domain_knows():
    from orchestration.cli import SOURCE_NAMES
    from orchestration.defs.ingest.sources import SOURCES

    assert tuple(s.name for s in SOURCES) == SOURCE_NAMES


def test_raw_tables_declare_how_fresh_they_should_be():
    graph = defs.resolve_asset_graph()
    raw = [k for k in graph.get_all_asset_keys() if k.path[0] == "raw"]
    for key in raw:
        policy = graph.get(key).freshness_policy
        assert policy is not None and policy.fail_window.to_timedelta().total_seconds() == 50 * 3600, key
