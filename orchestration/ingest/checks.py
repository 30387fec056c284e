"""The GE gate as blocking asset checks on the landed tables: a failure quarantines the partition
and stops its publish asset in the same run."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from expectations.gate import quarantine_partition, validate_partition
from orchestration.ingest.assets import landed_key, partition_ref
from orchestration.ingest.partitions import daily_partitions
from orchestration.ingest.resources import ChargeLakeResource
from orchestration.ingest.sources import SOURCES, SourceSpec


def gate_check(spec: SourceSpec, table: str):
    @asset_check(
        asset=landed_key(spec.name, table),
        name="ge_gate",
        blocking=True,
        partitions_def=daily_partitions,
        description=f"Great Expectations suite `{spec.name}.{table}`; on failure the day is quarantined.",
    )
    def _gate(context: AssetCheckExecutionContext, chargelake: ChargeLakeResource) -> AssetCheckResult:
        ref = partition_ref(context, chargelake, spec, table)
        outcome = validate_partition(ref)
        metadata = {
            "rows": outcome.rows,
            "expectations": outcome.evaluated,
            "validation_result": outcome.result_path,
        }
        if not outcome.success:
            row = quarantine_partition(ref, outcome)
            context.log.error(f"{ref.source}.{ref.table} {ref.partition} quarantined: {outcome.summary()}")
            metadata.update(failures=MetadataValue.json(outcome.failures), quarantine=row["location"])
        return AssetCheckResult(passed=outcome.success, severity=AssetCheckSeverity.ERROR, metadata=metadata)

    return _gate


gate_checks = [gate_check(spec, t) for spec in SOURCES for t in spec.tables]
