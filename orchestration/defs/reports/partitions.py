"""Reports are monthly: one partition per calendar month since the first daily partition, the
current month included (its reports are to date; the schedule builds each month once it is over)."""

from dagster import MonthlyPartitionsDefinition

from orchestration.defs.ingest.partitions import daily_partitions

monthly_partitions = MonthlyPartitionsDefinition(
    start_date=daily_partitions.start.strftime("%Y-%m-01"), timezone="UTC", end_offset=1
)
