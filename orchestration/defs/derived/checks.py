"""The derived assets' check: each partition derived in a run passed its table's audit
(expectations/suites/derived.py) before it was published."""

from dagster import AssetCheckSpec, AssetKey

AUDITED = "audited_before_publish"


def audit_check_spec(key: AssetKey) -> AssetCheckSpec:
    """Blocking: a partition that fails its audit is not published, and dbt does not build on a
    derived table that misses it."""
    return AssetCheckSpec(
        AUDITED,
        asset=key,
        blocking=True,
        description="Each partition derived in this run passed its audit before it was published; "
        "a failure names the partition and what is wrong.",
    )
