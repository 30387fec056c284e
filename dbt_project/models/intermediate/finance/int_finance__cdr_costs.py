"""Our price of every CDR, recomputed from its charging periods and tariffs by the independent
costing library (`chargelake.costing`, exact Decimal arithmetic; rules in docs/costing.md).

A Python model because the OCPI rules (first matching element per dimension, session-level
step_size, min/max price) read as code and are unit-tested against the spec's examples there;
the SQL around it prepares the documents and compares the results.
"""

from chargelake.costing.batch import cost_batches


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = dbt.ref("int_finance__cdr_costing_inputs")
    return cost_batches(inputs.arrow())
