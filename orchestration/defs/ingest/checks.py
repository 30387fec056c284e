"""The GE gate as blocking asset checks on the landed tables, one validation per day of the run.

A failed day is quarantined. When every day of the run failed (always so for a one-day run) the
check fails with ERROR severity and stops the publish asset; in a ranged run where only some days
failed it fails with WARN severity, so the publish asset runs and publishes the days that passed
(it refuses, per day, any day without a passing validation)."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from expectations.gate import check_partition
from orchestration.defs.ingest.assets import landed_key, partition_refs
from orchestration.defs.ingest.partitions import daily_partitions
from orchestration.defs.ingest.resources import ChargeLakeResource
from orchestration.defs.ingest.sources import SOURCES, SourceSpec


def gate_check(spec: SourceSpec, table: str):
    @asset_check(
        asset=landed_key(spec.name, table),
        name="ge_gate",
        blocking=True,
        partitions_def=daily_partitions,
        description=f"Great Expectations suite `{spec.name}.{table}`; on failure the day is quarantined.",
    )
    def _gate(context: AssetCheckExecutionContext, chargelake: ChargeLakeResource) -> AssetCheckResult:
        days: dict[str, dict] = {}
        failures: dict[str, list[str]] = {}
        quarantined: dict[str, str] = {}
        for day, ref in partition_refs(context, chargelake, spec, table):
            outcome, quarantine = check_partition(ref)
            days[day] = {
                "rows": outcome.rows,
                "expectations": outcome.evaluated,
                "failed": len(outcome.failures),
                "flags": outcome.flags,
                "validation_result": outcome.result_path,
            }
            if quarantine is not None:
                context.log.error(f"{ref.source}.{ref.table} {day} quarantined: {outcome.summary()}")
                failures[day], quarantined[day] = outcome.failures, quarantine["location"]
        evaluated = sum(d["expectations"] for d in days.values())
        failed = sum(d["failed"] for d in days.values())
        metadata = {
            "rows": sum(d["rows"] for d in days.values()),
            "days_validated": len(days),
            "days_quarantined": len(quarantined),
            "expectations_evaluated": evaluated,
            "expectations_failed": failed,
            "success_percent": MetadataValue.float(
                round(100.0 * (evaluated - failed) / evaluated, 2) if evaluated else 100.0
            ),
            "validation_result": days[max(days)]["validation_result"],
            "per_day": MetadataValue.json(days),
        }
        if quarantined:
            metadata.update(failures=MetadataValue.json(failures), quarantine=MetadataValue.json(quarantined))
        some_passed = len(quarantined) < len(days)
        return AssetCheckResult(
            passed=not quarantined,
            severity=AssetCheckSeverity.WARN if some_passed else AssetCheckSeverity.ERROR,
            metadata=metadata,
        )

    return _gate


def build_gate_checks(specs: tuple[SourceSpec, ...]) -> list:
    return [gate_check(spec, t) for spec in specs for t in spec.tables]


gate_checks = build_gate_checks(SOURCES)
