"""Our price of every CDR, recomputed from its charging periods and tariffs by the independent
costing library (`chargelake.costing`, exact Decimal arithmetic; rules in docs/costing.md).

A Python model because the OCPI rules (first matching element per dimension, session-level
step_size, min/max price) read as code and are unit-tested against the spec's examples there;
the SQL around it prepares the documents and compares the results.

Incremental: a daily build prices only CDRs it has not priced in their current version, plus those
it could not price or priced with a later tariff version than the session's (a tariff or location
snapshot may have arrived since). `dbt build --full-refresh` re-prices everything.
"""

from chargelake.costing.batch import cost_batches


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="cdr_key", incremental_strategy="delete+insert")
    inputs = dbt.ref("int_finance__cdr_costing_inputs")
    if dbt.is_incremental:
        inputs = inputs.set_alias("inputs").filter(
            f"""not exists (
                select 1 from {dbt.this} as priced
                where priced.cdr_key = inputs.cdr_key
                    and priced.costing_status = 'costed'
                    and priced.cdr_last_updated_at_utc = inputs.last_updated_at_utc
                    and priced.tariff_source not like '%later_version'
            )"""
        )
    return cost_batches(inputs.arrow())
